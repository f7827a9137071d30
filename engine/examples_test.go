package engine_test

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"testing"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/recoup/recoup/calendar"
	"github.com/recoup/recoup/engine"
	"github.com/recoup/recoup/money"
)

// The example pack's test cases (rules-examples/tests/*.test.yaml) are run
// here: the docs are tests.

const examplesDir = "../rules-examples"

type exampleFile struct {
	Timezone string        `yaml:"timezone"`
	Cases    []exampleCase `yaml:"cases"`
	Forms    []formCase    `yaml:"forms"`
}

type exampleCase struct {
	Name     string           `yaml:"name"`
	Invoice  exInvoice        `yaml:"invoice"`
	Customer exCustomer       `yaml:"customer"`
	Payments exPayments       `yaml:"payments"`
	At       string           `yaml:"at"`
	Expect   []map[string]any `yaml:"expect"`
	Trace    map[string]map[string]any
	Ticks    []exTick `yaml:"ticks"`
}

type exTick struct {
	At       string                    `yaml:"at"`
	Invoice  yaml.Node                 `yaml:"invoice"`
	Customer yaml.Node                 `yaml:"customer"`
	Expect   []map[string]any          `yaml:"expect"`
	Trace    map[string]map[string]any `yaml:"trace"`
}

type exInvoice struct {
	ID         int64             `yaml:"id"`
	Number     string            `yaml:"number"`
	Currency   string            `yaml:"currency"`
	Amount     string            `yaml:"amount"`
	Balance    string            `yaml:"balance"`
	IssueDate  string            `yaml:"issue_date"`
	DueDate    string            `yaml:"due_date"`
	Status     string            `yaml:"status"`
	OwnerEmail string            `yaml:"owner_email"`
	Disputed   bool              `yaml:"disputed"`
	Custom     map[string]string `yaml:"custom"`
	Plan       *exPlan           `yaml:"plan"`
	Fees       string            `yaml:"fees"`             // charged so far, part of the balance
	Interest   string            `yaml:"interest"`         // of which interest
	Through    string            `yaml:"interest_through"` // interest charged through this day
}

type exCustomer struct {
	ID           int64  `yaml:"id"`
	Name         string `yaml:"name"`
	Email        string `yaml:"email"`
	Phone        string `yaml:"phone"`
	FinanceEmail string `yaml:"finance_email"`
	OwnerEmail   string `yaml:"owner_email"`
	CreditRating string `yaml:"credit_rating"`
	Risk         string `yaml:"risk"`
	Locale       string `yaml:"locale"`
	DoNotContact bool   `yaml:"do_not_contact"`
}

type exPayments struct {
	Count           int     `yaml:"count"`
	Total           string  `yaml:"total"`
	AvgDaysLate     float64 `yaml:"avg_days_late"`
	LateInvoices12M int     `yaml:"late_invoices_12m"`
	OpenInvoices    int     `yaml:"open_invoices"`
}

type formCase struct {
	Name   string              `yaml:"name"`
	Form   string              `yaml:"form"`
	Locale string              `yaml:"locale"`
	At     string              `yaml:"at"`
	Values map[string]any      `yaml:"values"`
	Errors []engine.FieldError `yaml:"errors"`
	// Invoice, when given, is the task's subject: money in its currency,
	// bounds such as max: invoice.balance.
	Invoice *exInvoice `yaml:"invoice"`
}

func loadExamples(t *testing.T) *engine.Bundle {
	t.Helper()
	b, err := engine.LoadPaths(examplesDir)
	if err != nil {
		t.Fatalf("rules-examples do not load:\n%v", err)
	}
	return b
}

func TestExamples(t *testing.T) {
	t.Parallel()
	b := loadExamples(t)
	files, err := filepath.Glob(filepath.Join(examplesDir, "tests", "*.test.yaml"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no test files: %v", err)
	}
	for _, path := range files {
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		var f exampleFile
		dec := yaml.NewDecoder(bytes.NewReader(data))
		dec.KnownFields(true)
		if err := dec.Decode(&f); err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		loc, err := time.LoadLocation(f.Timezone)
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		for _, c := range f.Cases {
			t.Run(filepath.Base(path)+"/"+c.Name, func(t *testing.T) {
				t.Parallel()
				runCase(t, b, loc, c)
			})
		}
		for _, c := range f.Forms {
			t.Run(filepath.Base(path)+"/"+c.Name, func(t *testing.T) {
				t.Parallel()
				runFormCase(t, b, loc, c)
			})
		}
	}
}

func parseAt(t *testing.T, s string) time.Time {
	t.Helper()
	at, err := time.Parse(time.RFC3339, s)
	if err != nil {
		t.Fatalf("at: %v", err)
	}
	return at
}

func runCase(t *testing.T, b *engine.Bundle, loc *time.Location, c exampleCase) {
	ticks := c.Ticks
	if c.At != "" {
		ticks = append([]exTick{{At: c.At, Expect: c.Expect, Trace: c.Trace}}, ticks...)
	}
	if len(ticks) == 0 {
		t.Fatal("a case needs at or ticks")
	}
	inv, cust := c.Invoice, c.Customer
	state := engine.NewMemoryState()
	for i, tk := range ticks {
		if !tk.Invoice.IsZero() {
			if err := tk.Invoice.Decode(&inv); err != nil {
				t.Fatal(err)
			}
		}
		if !tk.Customer.IsZero() {
			if err := tk.Customer.Decode(&cust); err != nil {
				t.Fatal(err)
			}
		}
		subj := subject(t, inv, cust, c.Payments)
		ev := b.NewEvaluator(engine.Clock{Now: parseAt(t, tk.At), Location: loc})
		var res engine.Result
		ev.Evaluate(&subj, state, &res)
		for _, e := range res.Errors {
			t.Errorf("tick %d: %v", i, e)
		}
		got := make([]map[string]string, len(res.Effects))
		for j, e := range res.Effects {
			got[j] = summarize(e, loc)
		}
		want := make([]map[string]string, len(tk.Expect))
		for j, e := range tk.Expect {
			want[j] = map[string]string{}
			for k, v := range e {
				if tv, ok := v.(time.Time); ok {
					v = tv.In(loc).Format(time.RFC3339)
				}
				want[j][k] = fmt.Sprint(v)
			}
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("tick %d at %s:\n got %v\nwant %v", i, tk.At, got, want)
		}
		for key, vals := range tk.Trace {
			found := false
			for _, e := range res.Effects {
				if e.Key.String() != key {
					continue
				}
				found = true
				gotTrace := map[string]string{}
				for _, tv := range e.Trace {
					gotTrace[tv.Name] = tv.String()
				}
				wantTrace := map[string]string{}
				for k, v := range vals {
					wantTrace[k] = fmt.Sprint(v)
				}
				if !reflect.DeepEqual(gotTrace, wantTrace) {
					t.Errorf("tick %d: trace of %s:\n got %v\nwant %v", i, key, gotTrace, wantTrace)
				}
			}
			if !found {
				t.Errorf("tick %d: no effect %s to check the trace of", i, key)
			}
		}
		state.Record(&res)
		// persist what the rules set, as the tick would
		env := ev.Env()
		inv.Status, inv.Disputed, inv.Custom = env.Invoice.Status, env.Invoice.Disputed, env.Invoice.Custom
		cust.Risk, cust.DoNotContact = env.Customer.Risk, env.Customer.DoNotContact
	}
}

func minor(t *testing.T, s, cur string) int64 {
	t.Helper()
	if s == "" {
		return 0
	}
	v, err := money.ParseMinor(s, cur)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func date(t *testing.T, s string) calendar.Date {
	t.Helper()
	if s == "" {
		return calendar.Date{}
	}
	d, err := calendar.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// exPlan is a test case's payment plan: paid is what was paid toward it.
type exPlan struct {
	ID           int64  `yaml:"id"`
	Status       string `yaml:"status"`
	Paid         string `yaml:"paid"`
	GraceDays    int    `yaml:"grace_days"`
	Lead         *bool  `yaml:"lead"`
	Installments []struct {
		DueDate string `yaml:"due_date"`
		Amount  string `yaml:"amount"`
	} `yaml:"installments"`
}

func (x *exPlan) plan(t *testing.T, currency string) *engine.Plan {
	if x == nil {
		return nil
	}
	p := &engine.Plan{ID: x.ID, Status: x.Status, Currency: currency, GraceDays: x.GraceDays, Lead: x.Lead == nil || *x.Lead}
	if p.Status == "" {
		p.Status = engine.PlanActive
	}
	if x.Paid != "" {
		p.PaidMinor = minor(t, x.Paid, currency)
	}
	for i, in := range x.Installments {
		a := minor(t, in.Amount, currency)
		p.Installments = append(p.Installments, engine.Installment{Seq: i + 1, DueDate: date(t, in.DueDate), AmountMinor: a})
		p.PlannedMinor += a
	}
	return p
}

func subject(t *testing.T, inv exInvoice, c exCustomer, p exPayments) engine.Subject {
	return engine.Subject{
		Invoice: engine.Invoice{
			ID: inv.ID, Number: inv.Number, CustomerID: c.ID, Currency: inv.Currency,
			AmountMinor: minor(t, inv.Amount, inv.Currency), BalanceMinor: minor(t, inv.Balance, inv.Currency),
			IssueDate: date(t, inv.IssueDate), DueDate: date(t, inv.DueDate), Status: inv.Status,
			OwnerEmail: inv.OwnerEmail, Disputed: inv.Disputed, Custom: inv.Custom, Plan: inv.Plan.plan(t, inv.Currency),
			FeesMinor: optMinor(t, inv.Fees, inv.Currency), InterestMinor: optMinor(t, inv.Interest, inv.Currency), InterestThrough: optDate(t, inv.Through),
		},
		Customer: engine.Customer{
			ID: c.ID, Name: c.Name, Email: c.Email, Phone: c.Phone, FinanceEmail: c.FinanceEmail,
			OwnerEmail: c.OwnerEmail, CreditRating: c.CreditRating, Risk: engine.RiskTier(c.Risk),
			Locale: c.Locale, DoNotContact: c.DoNotContact,
		},
		Payments: engine.PaymentStats{
			Count: p.Count, TotalMinor: minor(t, p.Total, inv.Currency), AvgDaysLate: p.AvgDaysLate,
			LateInvoices12M: p.LateInvoices12M, OpenInvoices: p.OpenInvoices,
		},
	}
}

// summarize keeps the fields of an effect that test cases compare.
func summarize(e engine.Effect, loc *time.Location) map[string]string {
	m := map[string]string{"key": e.Key.String(), "kind": string(e.Kind)}
	put := func(k, v string) {
		if v != "" {
			m[k] = v
		}
	}
	put("field", e.Field)
	put("value", e.Value)
	put("old_value", e.OldValue)
	put("title", e.Title)
	put("assignee", e.Assignee)
	put("role", string(e.Role))
	put("form", e.Form)
	if !e.DueAt.IsZero() {
		put("due_at", e.DueAt.In(loc).Format(time.RFC3339))
	}
	put("priority", e.Priority)
	put("channel", e.Channel)
	put("to", e.To)
	put("to_role", string(e.ToRole))
	if len(e.Cc) > 0 {
		put("cc", fmt.Sprint(e.Cc))
	}
	put("template", e.Template)
	if e.Kind == engine.ActionNotify {
		put("locale", e.Locale)
	}
	put("workflow", e.Workflow)
	if e.Fee != nil {
		put("fee", e.Fee.String())
	}
	return m
}

func runFormCase(t *testing.T, b *engine.Bundle, loc *time.Location, c formCase) {
	f := b.Form(c.Form)
	if f == nil {
		t.Fatalf("unknown form %q", c.Form)
	}
	clock := engine.Clock{Now: parseAt(t, c.At), Location: loc}
	var env *engine.Env
	if c.Invoice != nil {
		sub := subject(t, *c.Invoice, exCustomer{}, exPayments{})
		env = engine.NewEnv(&sub, clock)
	}
	_, errs := f.ValidateFor(c.Values, clock, c.Locale, env)
	sort.SliceStable(errs, func(i, j int) bool { return false })
	if len(errs) == 0 && len(c.Errors) == 0 {
		return
	}
	if !reflect.DeepEqual(errs, c.Errors) {
		t.Errorf("errors:\n got %q\nwant %q", errs, c.Errors)
	}
}

func optMinor(t *testing.T, s, currency string) int64 {
	if s == "" {
		return 0
	}
	return minor(t, s, currency)
}

func optDate(t *testing.T, s string) calendar.Date {
	if s == "" {
		return calendar.Date{}
	}
	return date(t, s)
}
