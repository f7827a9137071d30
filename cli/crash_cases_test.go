package cli

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/recoup/recoup/calendar"
	"github.com/recoup/recoup/engine"
	"github.com/recoup/recoup/money"
	"github.com/recoup/recoup/store"
	"github.com/recoup/recoup/store/storetest"
)

// The customers, invoices and payments of TestTickKilledPlansInterestPromises
// beside a small demo book (K10's one invoice goes over the medium-risk
// threshold by its first day's interest). The invoices come in two files imported before
// and after the demo's, so that a plan's two invoices (PL-03a, PL-03b) lie
// far apart: in different batches.
const (
	casesCustomers = `id,name,email,phone,finance_email,owner,region,industry,credit_limit,credit_rating,risk,locale,timezone
K01,Alpha Trading,ap@k01.test,+86 21 5555 0101,,rep1.east@demo.recoup.test,East,Retail,500000.00 CNY,A,high,zh-CN,Asia/Shanghai
K02,Beta Foods,ap@k02.test,+86 21 5555 0102,,rep2.east@demo.recoup.test,East,Food,500000.00 CNY,A,medium,en,Asia/Shanghai
K03,Gamma Steel,ap@k03.test,+86 21 5555 0103,fin@k03.test,rep1.west@demo.recoup.test,West,Manufacturing,500000.00 CNY,A,high,zh-CN,Asia/Shanghai
K04,Delta Paper,ap@k04.test,+86 21 5555 0104,,rep2.west@demo.recoup.test,West,Retail,500000.00 CNY,A,high,en,Asia/Shanghai
K05,Epsilon Glass,ap@k05.test,+86 21 5555 0105,,rep1.south@demo.recoup.test,South,Retail,500000.00 CNY,A,high,zh-CN,Asia/Shanghai
K06,Zeta Logistics,ap@k06.test,+86 21 5555 0106,fin@k06.test,rep2.south@demo.recoup.test,South,Logistics,500000.00 CNY,A,low,en,Asia/Shanghai
K07,Eta Chemicals,ap@k07.test,+86 21 5555 0107,,rep3.east@demo.recoup.test,East,Chemicals,500000.00 CNY,BB,low,zh-CN,Asia/Shanghai
K08,Theta Textiles,ap@k08.test,+86 21 5555 0108,,rep3.west@demo.recoup.test,West,Textiles,500000.00 CNY,A,high,zh-CN,Asia/Shanghai
K09,Iota Ceramics,ap@k09.test,+86 21 5555 0109,,rep3.south@demo.recoup.test,South,Retail,500000.00 CNY,A,high,en,Asia/Shanghai
K10,Kappa Tools,ap@k10.test,+86 21 5555 0110,,rep1.east@demo.recoup.test,East,Retail,500000.00 CNY,A,low,en,Asia/Shanghai
`
	casesInvoices1 = `number,customer_id,currency,amount,issue_date,due_date,owner,late_interest
PL-01,K01,CNY,3000.00,2026-08-15,2026-09-15,,no
PL-03a,K03,CNY,1500.00,2026-08-10,2026-09-10,,no
IN-01,K06,CNY,10000.00,2026-10-20,2026-11-20,,yes
PL-02,K02,CNY,2000.00,2026-08-01,2026-09-01,,no
PR-01,K08,CNY,4000.00,2026-09-15,2026-10-15,,no
IN-02,K06,CNY,5000.00,2026-10-26,2026-11-26,,yes
IN-07,K10,CNY,49995.00,2026-10-20,2026-11-20,,yes
PR-02,K08,CNY,1500.00,2026-09-20,2026-10-20,,no
PL-06,K09,CNY,3000.00,2026-08-01,2026-09-01,,yes
`
	casesInvoices2 = `number,customer_id,currency,amount,issue_date,due_date,owner,late_interest
IN-03,K07,CNY,1000.00,2025-09-01,2025-10-01,,yes
PL-04,K04,CNY,1200.00,2026-08-01,2026-09-01,,no
IN-04,K07,CNY,8000.00,2026-10-29,2026-11-29,,yes
PR-03,K08,CNY,2500.00,2026-10-10,2026-11-10,,no
IN-05,K07,CNY,6000.00,2026-10-01,2026-11-01,,no
PL-05,K05,CNY,900.00,2026-09-01,2026-10-01,,yes
IN-06,K06,USD,2000.00,2026-10-01,2026-11-01,,yes
PR-04,K02,CNY,700.00,2026-10-05,2026-11-05,,no
PL-03b,K03,CNY,2500.00,2026-08-20,2026-09-20,,no
`
	casesPayments = `invoice_number,amount,paid_at,reference
PL-01,1000.00,2026-10-29T10:00:00+08:00,K-PAY-01
PL-04,600.00,2026-10-14T10:00:00+08:00,K-PAY-02
PL-04,600.00,2026-11-14T10:00:00+08:00,K-PAY-03
PL-06,1000.00,2026-10-19T10:00:00+08:00,K-PAY-04
IN-02,2000.00,2026-11-25T10:00:00+08:00,K-PAY-05
PR-02,1500.00,2026-11-24T10:00:00+08:00,K-PAY-06
`
)

// casesPlans are the payment plans finance agreed on 2026-10-01, with
// what each does over the tick days (2026-11-27, 28, 30 and 12-01; the
// server was down on the 29th).
var casesPlans = []struct {
	key      string
	invoices []string
	grace    int
	sched    []string // due date and amount, "2026-10-30 1000.00"
}{
	// 1,000.00 paid covers the first: reminded 3 days before the second
	// (11-27), on its day (11-30) and the day after it is missed (12-01).
	{"plan-01", []string{"PL-01"}, 5, []string{"2026-10-30 1000.00", "2026-11-30 1000.00", "2026-12-30 1000.00"}},
	// Nothing paid: 7 days late on 11-27 is within the grace; 11-28 breaks it.
	{"plan-02", []string{"PL-02"}, 7, []string{"2026-11-20 1000.00", "2026-12-20 1000.00"}},
	// Two invoices in different batches: missed on 11-27, broken on 11-28,
	// said once by the first invoice.
	{"plan-03", []string{"PL-03a", "PL-03b"}, 1, []string{"2026-11-26 2000.00", "2026-12-26 2000.00"}},
	// Paid in full before the first tick: completed by it.
	{"plan-04", []string{"PL-04"}, 5, []string{"2026-10-15 600.00", "2026-11-15 600.00"}},
	// On an invoice accruing interest, nothing due before 12-03: reminded
	// on 11-30.
	{"plan-05", []string{"PL-05"}, 5, []string{"2026-12-03 300.00", "2027-01-03 300.00", "2027-02-03 300.00"}},
	// On an invoice accruing interest, the first installment paid exactly:
	// interest charged on the balance is not a payment missed.
	{"plan-06", []string{"PL-06"}, 5, []string{"2026-10-20 1000.00", "2026-11-27 1000.00", "2026-12-27 1000.00"}},
}

// casesPromises are promises to pay recorded on 2026-11-20.
var casesPromises = []struct {
	invoice string
	date    string
	minor   int64
}{
	{"PR-01", "2026-11-26", 100000}, // nothing paid: broken by the tick of 11-27
	{"PR-02", "2026-11-28", 150000}, // paid on 11-24: kept, settled on 11-30
	{"PR-03", "2026-11-29", 50000},  // nothing paid: broken on 11-30 (the 29th had no tick)
	{"PR-04", "2026-12-05", 70000},  // still pending at the end
}

// casesDays are the tick days: the server was down on 11-29, so the tick
// of 11-30 charges two days of interest.
var casesDays = []string{"2026-11-27 09:00", "2026-11-28 09:00", "2026-11-30 09:00", "2026-12-01 09:00"}

// TestTickKilledPlansInterestPromises is TestTickKilledAndRerunEffectsExactlyOnce
// for the effects of payment plans, interest and promises, over several
// tick days: installment reminders, broken and completed plans with the
// director told once, interest charged each day exactly (with a catch-up
// after a day without a tick, and a cap), promises settled kept or broken
// with the owner's task. Each day the tick is killed at random moments,
// then let finish, and everything recorded is compared row by row with a
// database that ticked each day once, undisturbed.
func TestTickKilledPlansInterestPromises(t *testing.T) {
	t.Parallel()
	storetest.EachDialect(t, func(t *testing.T, fresh func(testing.TB) string) {
		ctx := context.Background()
		data := t.TempDir()
		if _, _, err := run(t, ctx, "gen", "--out", data, "--customers", "30", "--invoices", "200", "--seed", "5", "--today", "2026-11-26"); err != nil {
			t.Fatal(err)
		}
		for name, body := range map[string]string{"k-customers.csv": casesCustomers, "k-invoices1.csv": casesInvoices1,
			"k-invoices2.csv": casesInvoices2, "k-payments.csv": casesPayments} {
			if err := os.WriteFile(filepath.Join(data, name), []byte(body), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		loc, err := time.LoadLocation("Asia/Shanghai")
		if err != nil {
			t.Fatal(err)
		}
		load := func(url string) *store.Store {
			for _, f := range []struct{ kind, file string }{{"users", "users"}, {"customers", "customers"}, {"customers", "k-customers"},
				{"invoices", "k-invoices1"}, {"invoices", "invoices"}, {"invoices", "k-invoices2"}} {
				importCSV(t, ctx, url, f.kind, filepath.Join(data, f.file+".csv"))
			}
			s := storetest.Open(t, url)
			agreed := time.Date(2026, 10, 1, 9, 0, 0, 0, loc)
			for _, p := range casesPlans {
				in := store.PlanIn{Key: p.key, Invoices: p.invoices, GraceDays: p.grace, Actor: "finance1@demo.recoup.test"}
				for _, x := range p.sched {
					date, amount, _ := strings.Cut(x, " ")
					m, err := money.Parse(amount + " CNY")
					if err != nil {
						t.Fatal(err)
					}
					in.Installments = append(in.Installments, engine.Installment{DueDate: calendar.MustParse(date), AmountMinor: m.Minor})
				}
				if _, err := s.CreatePlan(ctx, in, agreed); err != nil {
					t.Fatalf("plan %s: %v", p.key, err)
				}
			}
			said := engine.Clock{Now: time.Date(2026, 11, 20, 10, 0, 0, 0, loc), Location: loc}
			for _, p := range casesPromises {
				if _, err := s.RecordPromise(ctx, store.Viewer{Role: store.RoleAdmin}, store.PromiseIn{Invoice: p.invoice,
					PromisedDate: calendar.MustParse(p.date), PromisedMinor: p.minor, Actor: "rep3.west@demo.recoup.test"}, said); err != nil {
					t.Fatalf("promise on %s: %v", p.invoice, err)
				}
			}
			importCSV(t, ctx, url, "payments", filepath.Join(data, "payments.csv"))
			importCSV(t, ctx, url, "payments", filepath.Join(data, "k-payments.csv"))
			return s
		}
		tickArgs := func(url, at string) []string {
			return []string{"tick", "--db", url, "--at", at, "--rules", "../rules-examples", "--batch", "2"}
		}

		// The undisturbed database: each day ticked once, and what it
		// recorded after each.
		refURL := fresh(t)
		ref := load(refURL)
		want := make([]string, len(casesDays))
		wantEffects := make([]int, len(casesDays))
		full := make([]time.Duration, len(casesDays))
		for d, at := range casesDays {
			start := time.Now()
			if out, err := child(ctx, tickArgs(refURL, at)...).CombinedOutput(); err != nil {
				t.Fatalf("reference tick %s: %v\n%s", at, err, out)
			}
			full[d] = time.Since(start)
			want[d], wantEffects[d] = storetest.LedgerRows(t, ref), effectCount(t, ref)
		}
		checkCases(t, ref)

		rng := rand.New(rand.NewPCG(3, 4))
		midway := 0
		var log []string
		for round := 0; round < 3; round++ {
			url := fresh(t)
			s := load(url)
			base := effectCount(t, s)
			var days []string
			for d, at := range casesDays {
				counts := killTicks(t, ctx, rng, tickArgs(url, at), 2, full[d], base, wantEffects[d], func() int { return effectCount(t, s) })
				if out, err := child(ctx, tickArgs(url, at)...).CombinedOutput(); err != nil {
					t.Fatalf("final tick %s: %v\n%s", at, err, out)
				}
				if got := storetest.LedgerRows(t, s); got != want[d] {
					t.Fatalf("round %d, tick %s: after kills (effects %v of %d..%d) what was recorded differs from an undisturbed tick:\n%s",
						round, at, counts, base, wantEffects[d], storetest.DiffLines(want[d], got))
				}
				midway += midTick(counts, base, wantEffects[d])
				days = append(days, fmt.Sprintf("%v/%d", counts, wantEffects[d]))
				base = wantEffects[d]
			}
			log = append(log, strings.Join(days, " "))
			if round == 0 {
				// A replay of the last day on top records nothing new.
				if out, err := child(ctx, tickArgs(url, casesDays[len(casesDays)-1])...).CombinedOutput(); err != nil {
					t.Fatalf("replay: %v\n%s", err, out)
				} else if !strings.Contains(string(out), "; recorded 0 effects") {
					t.Fatalf("replay recorded effects: %s", out)
				}
			}
		}
		if midway < 6 {
			t.Fatalf("only %d kills landed mid-tick (%v): the test proves too little", midway, log)
		}
		t.Logf("reference ticks %v; effects after each kill per round and day: %v", full, log)
	})
}

// checkCases checks that the undisturbed ticks did what the cases are
// there for, so that the comparison covers them.
func checkCases(t *testing.T, s *store.Store) {
	t.Helper()
	list := func(q string) string {
		t.Helper()
		rows, err := storetest.SQL(s).Query(q)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		var out []string
		for rows.Next() {
			var v string
			if err := rows.Scan(&v); err != nil {
				t.Fatal(err)
			}
			out = append(out, v)
		}
		return strings.Join(out, ", ")
	}
	for _, c := range []struct{ what, query, want string }{
		{"interest lines of IN-01 (7 days from the due date, 1, 2 after the day without a tick, 1)",
			"SELECT CAST(f.amount_minor AS TEXT) || '/' || CAST(f.days AS TEXT) FROM fees f JOIN invoices i ON i.id = f.invoice_id WHERE i.number = 'IN-01' AND f.kind = 'interest' ORDER BY f.created_at",
			"2301/7, 329/1, 658/2, 329/1"},
		{"interest lines of IN-02 (on the 3,000.00 left)",
			"SELECT CAST(f.amount_minor AS TEXT) || '/' || CAST(f.days AS TEXT) FROM fees f JOIN invoices i ON i.id = f.invoice_id WHERE i.number = 'IN-02' ORDER BY f.created_at",
			"99/1, 99/1, 197/2, 99/1"},
		{"interest lines of IN-03 (the cap at once)",
			"SELECT CAST(f.amount_minor AS TEXT) || '/' || CAST(f.days AS TEXT) FROM fees f JOIN invoices i ON i.id = f.invoice_id WHERE i.number = 'IN-03' ORDER BY f.created_at",
			"10000/422"},
		{"interest lines of IN-04 (due on the day without a tick)",
			"SELECT CAST(f.amount_minor AS TEXT) || '/' || CAST(f.days AS TEXT) FROM fees f JOIN invoices i ON i.id = f.invoice_id WHERE i.number = 'IN-04' ORDER BY f.created_at",
			"263/1, 263/1"},
		{"IN-07 over the medium-risk threshold by its first day's interest: the risk rises the next day",
			"SELECT e.source FROM effects e JOIN invoices i ON i.id = e.invoice_id WHERE i.number = 'IN-07' AND (e.kind = 'accrue_interest' OR e.field = 'customer.risk') ORDER BY e.at, e.source",
			"contractual-interest, contractual-interest, risk-tier-medium, contractual-interest, contractual-interest"},
		{"interest on invoices without it", "SELECT i.number FROM fees f JOIN invoices i ON i.id = f.invoice_id WHERE i.number IN ('IN-05', 'PL-01', 'PR-01')", ""},
		{"plans", "SELECT key || ' ' || status FROM payment_plans ORDER BY key",
			"plan-01 active, plan-02 broken, plan-03 broken, plan-04 completed, plan-05 active, plan-06 active"},
		{"installment reminders, day by day (the first invoice of a plan speaks for it)",
			"SELECT i.number || ' ' || o.template FROM outbox o JOIN invoices i ON i.id = o.invoice_id WHERE o.template LIKE 'installment%' ORDER BY o.created_at, i.number, o.template",
			"PL-01 installment-reminder, PL-03a installment-missed, PL-03a installment-missed-staff, PL-06 installment-due-sms, " + // 11-27
				"PL-06 installment-missed, PL-06 installment-missed-staff, " + // 11-28
				"PL-01 installment-due-sms, PL-05 installment-reminder, " + // 11-30
				"PL-01 installment-missed, PL-01 installment-missed-staff"}, // 12-01
		{"the director told of broken plans", "SELECT i.number FROM outbox o JOIN invoices i ON i.id = o.invoice_id WHERE o.template = 'plan-broken' ORDER BY i.number",
			"PL-02, PL-03a"},
		{"promises", "SELECT i.number || ' ' || p.status FROM promises p JOIN invoices i ON i.id = p.invoice_id ORDER BY i.number",
			"PR-01 broken, PR-02 kept, PR-03 broken, PR-04 pending"},
		{"broken promises' tasks", "SELECT t.title FROM tasks t WHERE t.source = 'promise' ORDER BY t.title",
			"Promise to pay broken: PR-01, Promise to pay broken: PR-03"},
	} {
		if got := list(c.query); got != c.want {
			t.Errorf("%s: got %q, want %q", c.what, got, c.want)
		}
	}
}
