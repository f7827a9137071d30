package engine

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/recoup/recoup/calendar"
)

func rulesBundle(t *testing.T, docs string) *Bundle {
	t.Helper()
	b, err := LoadSources(Source{Name: "rules.yaml", Data: []byte(docs)})
	if err != nil {
		t.Fatalf("load: %v", err)
	}
	return b
}

func rule(name, extra, when, then string) string {
	return "---\napiVersion: recoup/v1\nkind: Rule\nmetadata: {name: " + name + "}\nspec:\n  on: invoice\n" + extra +
		"  when: '" + strings.ReplaceAll(when, "'", "''") + "'\n  then:\n" + then
}

const evalTemplates = `
---
apiVersion: recoup/v1
kind: Template
metadata: {name: note}
spec:
  channel: email
  subject: {en: "Invoice {{.invoice.number}}", zh-CN: "发票 {{.invoice.number}}"}
  body: {en: "Owed {{money .invoice.balance .invoice.currency}} since {{date .invoice.due_date}}", zh-CN: "欠款 {{money .invoice.balance .invoice.currency}}，到期日 {{date .invoice.due_date}}"}
`

func evalSubject() Subject {
	return Subject{
		Invoice: Invoice{ID: 42, Number: "INV-42", Currency: "CNY", AmountMinor: 200000, BalanceMinor: 123456,
			DueDate: calendar.MustParse("2026-01-31"), Status: StatusOpen, OwnerEmail: "rep@example.com"},
		Customer: Customer{ID: 7, Name: "Acme", Email: "ap@acme.example", FinanceEmail: "cfo@acme.example", Risk: RiskLow, Locale: "zh-CN"},
	}
}

var evalClock = Clock{Now: time.Date(2026, 3, 10, 9, 0, 0, 0, time.UTC), Location: time.UTC}

func TestEvaluate(t *testing.T) {
	t.Parallel()
	type want struct {
		keys   []string
		fired  []string
		errs   []string
		conds  []ConditionState
		check  func(t *testing.T, effects []Effect)
		status string
	}
	tests := []struct {
		name  string
		docs  string
		state *MemoryState
		want  want
	}{
		{
			name: "a set is visible to later rules, in priority order",
			docs: rule("second", "  priority: 1\n", `invoice.status == "overdue"`, "    - set: {customer.risk: medium}\n") +
				rule("first", "  priority: 5\n", `today > invoice.due_date`, "    - set: {invoice.status: overdue}\n"),
			want: want{keys: []string{"rule/first/invoice/42#0", "rule/second/invoice/42#0"}, fired: []string{"rule/first/invoice/42", "rule/second/invoice/42"}, status: "overdue"},
		},
		{
			name:  "refire once does not fire again",
			docs:  rule("r", "", `true`, "    - set: {invoice.status: overdue}\n"),
			state: stateWith(FireKey{Rule: "r", Subject: 42}),
			want:  want{status: StatusOpen},
		},
		{
			name: "once per month and per week carry the period in the key",
			docs: rule("m", "  refire: once_per_period\n  period: month\n", `true`, "    - start_workflow: wf\n") +
				rule("w", "  refire: once_per_period\n  period: week\n", `true`, "    - start_workflow: wf\n") +
				"---\napiVersion: recoup/v1\nkind: Workflow\nmetadata: {name: wf}\nspec:\n  on: invoice\n  start_when: 'true'\n  nodes: [{name: a, when: 'true'}]\n",
			state: stateWith(FireKey{Rule: "w", Subject: 42, Period: "2026-W11"}),
			want:  want{keys: []string{"rule/m/invoice/42/2026-03#0"}, fired: []string{"rule/m/invoice/42/2026-03"}},
		},
		{
			name: "rising edge fires on false to true and records the condition",
			docs: rule("edge", "  refire: rising_edge\n", `invoice.days_overdue > 30`, "    - set: {customer.risk: medium}\n"),
			want: want{keys: []string{"rule/edge/invoice/42/2026-03-10#0"}, fired: []string{"rule/edge/invoice/42/2026-03-10"},
				conds: []ConditionState{{Rule: "edge", Subject: 42, Value: true}}},
		},
		{
			name:  "rising edge stays quiet while the condition holds",
			docs:  rule("edge", "  refire: rising_edge\n", `invoice.days_overdue > 30`, "    - set: {customer.risk: medium}\n"),
			state: stateWithCond("edge", true),
		},
		{
			name:  "rising edge records a fall",
			docs:  rule("edge", "  refire: rising_edge\n", `invoice.days_overdue > 300`, "    - set: {customer.risk: medium}\n"),
			state: stateWithCond("edge", true),
			want:  want{conds: []ConditionState{{Rule: "edge", Subject: 42, Value: false}}},
		},
		{
			name: "a runtime error stops only its rule",
			docs: rule("broken", "  priority: 9\n", `int(invoice.custom.x) > 0`, "    - set: {invoice.status: overdue}\n") +
				rule("fine", "", `true`, "    - set: {customer.risk: high}\n"),
			want: want{keys: []string{"rule/fine/invoice/42#0"}, fired: []string{"rule/fine/invoice/42"}, errs: []string{"broken"}},
		},
		{
			name: "fees are exact: 1.5 % of 1234.56 CNY is 18.52",
			docs: rule("fee", "", `true`, "    - add_fee: {percent: 1.5, reason: late fee}\n    - add_fee: {flat: \"50.00 CNY\"}\n"),
			want: want{keys: []string{"rule/fee/invoice/42#0", "rule/fee/invoice/42#1"}, fired: []string{"rule/fee/invoice/42"}, check: func(t *testing.T, e []Effect) {
				if e[0].Fee.String() != "18.52 CNY" || e[1].Fee.String() != "50.00 CNY" || e[0].Reason != "late fee" {
					t.Errorf("fees %v %v %q", e[0].Fee, e[1].Fee, e[0].Reason)
				}
			}},
		},
		{
			name: "a failing action cancels the whole firing",
			docs: rule("usd", "", `true`, "    - set: {invoice.status: fined}\n    - add_fee: {flat: \"5.00 USD\"}\n"),
			want: want{errs: []string{"usd"}, status: StatusOpen},
		},
		{
			name: "notifications render in the customer's locale, with cc and trace",
			docs: rule("mail", "", `invoice.balance > 0 && today > invoice.due_date`, "    - notify: {channel: email, to: customer.email, cc: [customer.finance_email], template: note}\n") + evalTemplates,
			want: want{keys: []string{"rule/mail/invoice/42#0"}, fired: []string{"rule/mail/invoice/42"}, check: func(t *testing.T, e []Effect) {
				n := e[0]
				if n.To != "ap@acme.example" || strings.Join(n.Cc, ",") != "cfo@acme.example" || n.Locale != "zh-CN" ||
					n.Subject != "发票 INV-42" || n.Body != "欠款 ¥1,234.56，到期日 2026年1月31日" {
					t.Errorf("notification %+v", n)
				}
				var tr []string
				for _, v := range n.Trace {
					tr = append(tr, v.Name+"="+v.String())
				}
				if got := strings.Join(tr, " "); got != "invoice.balance=123456 today=2026-03-10 invoice.due_date=2026-01-31" {
					t.Errorf("trace %s", got)
				}
			}},
		},
		{
			name: "tasks: assignee expression, due time, inline title",
			docs: rule("todo", "", `true`, "    - task: {assignee: invoice.owner_email, title: 'Call {{.customer.name}}', due_in: 2d, form: f}\n") +
				"---\napiVersion: recoup/v1\nkind: Form\nmetadata: {name: f}\nspec: {fields: [{name: note, type: text}]}\n",
			want: want{keys: []string{"rule/todo/invoice/42#0"}, fired: []string{"rule/todo/invoice/42"}, check: func(t *testing.T, e []Effect) {
				if e[0].Assignee != "rep@example.com" || e[0].Title != "Call Acme" || e[0].Form != "f" || !e[0].DueAt.Equal(evalClock.Now.Add(48*time.Hour)) {
					t.Errorf("task %+v", e[0])
				}
			}},
		},
		{
			name: "disabled rules do not run; unchanged sets produce no effect",
			docs: rule("off", "  enabled: false\n", `true`, "    - set: {invoice.status: overdue}\n") +
				rule("same", "", `true`, "    - set: {invoice.status: open}\n"),
			want: want{fired: []string{"rule/same/invoice/42"}, status: StatusOpen},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			b := rulesBundle(t, tt.docs)
			ev := b.NewEvaluator(evalClock)
			s := evalSubject()
			var res Result
			var st FireState
			if tt.state != nil {
				st = tt.state
			}
			ev.Evaluate(&s, st, &res)
			var keys, fired, errs []string
			for _, e := range res.Effects {
				keys = append(keys, e.Key.String())
			}
			for _, k := range res.Fired {
				fired = append(fired, k.String())
			}
			for _, e := range res.Errors {
				errs = append(errs, e.Rule)
			}
			if strings.Join(keys, " ") != strings.Join(tt.want.keys, " ") {
				t.Errorf("effects %v, want %v", keys, tt.want.keys)
			}
			if strings.Join(fired, " ") != strings.Join(tt.want.fired, " ") {
				t.Errorf("fired %v, want %v", fired, tt.want.fired)
			}
			if strings.Join(errs, " ") != strings.Join(tt.want.errs, " ") {
				t.Errorf("errors %v, want %v", res.Errors, tt.want.errs)
			}
			if len(res.Conditions) != len(tt.want.conds) || (len(res.Conditions) > 0 && res.Conditions[0] != tt.want.conds[0]) {
				t.Errorf("conditions %v, want %v", res.Conditions, tt.want.conds)
			}
			if tt.want.status != "" && ev.Env().Invoice.Status != tt.want.status {
				t.Errorf("status %q, want %q", ev.Env().Invoice.Status, tt.want.status)
			}
			if tt.want.check != nil && len(res.Effects) > 0 {
				tt.want.check(t, res.Effects)
			}
		})
	}
}

func stateWith(keys ...FireKey) *MemoryState {
	m := NewMemoryState()
	for _, k := range keys {
		m.fired[k] = true
	}
	return m
}

func stateWithCond(rule string, v bool) *MemoryState {
	m := NewMemoryState()
	m.conds[condKey{rule, 42}] = v
	return m
}

func TestEvaluateDoesNotMutateSubject(t *testing.T) {
	t.Parallel()
	b := rulesBundle(t, rule("c", "", `true`, "    - set: {invoice.custom.region: east, customer.custom.tier: gold}\n"))
	s := evalSubject()
	s.Invoice.Custom = map[string]string{"region": "west"}
	var res Result
	b.NewEvaluator(evalClock).Evaluate(&s, nil, &res)
	if s.Invoice.Custom["region"] != "west" {
		t.Errorf("the subject's custom map was changed")
	}
	if len(res.Effects) != 2 || res.Effects[0].OldValue != "west" || res.Effects[1].Field != "customer.custom.tier" {
		t.Errorf("effects %+v", res.Effects)
	}
}

func TestEvalErrorIsWrapped(t *testing.T) {
	t.Parallel()
	e := EvalError{Rule: "r", Subject: 1, Err: ErrExprType}
	if !errors.Is(e.Err, ErrExprType) || e.Error() != `rule "r" on invoice 1: expression returned an unexpected type` {
		t.Errorf("%v", e)
	}
}

// TestRuntimeErrorIsPerInvoice: a rule failing on one invoice is recorded
// for it and still runs on the next.
func TestRuntimeErrorIsPerInvoice(t *testing.T) {
	t.Parallel()
	b := rulesBundle(t, rule("parse", "", `int(invoice.custom.x) > 1`, "    - set: {invoice.status: flagged}\n"))
	ev := b.NewEvaluator(evalClock)
	var res Result
	bad, good := evalSubject(), evalSubject()
	bad.Invoice.Custom = map[string]string{"x": "abc"}
	good.Invoice.ID, good.Invoice.Custom = 43, map[string]string{"x": "5"}
	ev.Evaluate(&bad, nil, &res)
	ev.Evaluate(&good, nil, &res)
	if len(res.Errors) != 1 || res.Errors[0].Subject != 42 || len(res.Effects) != 1 || res.Effects[0].Key.Subject != 43 {
		t.Fatalf("errors %v, effects %v", res.Errors, res.Effects)
	}
}
