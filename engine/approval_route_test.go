package engine_test

import (
	"strings"
	"testing"
	"time"

	"github.com/recoup/recoup/calendar"
	"github.com/recoup/recoup/engine"
	"github.com/recoup/recoup/money"
)

// routedWorkflow decides write-offs: finance by default, the director for a
// large or foreign balance and for a write-off above 1,000.00, a manager
// for a tiny balance; invoice.custom.limit lets a test break a route at
// run time.
const routedWorkflow = `apiVersion: recoup/v1
kind: Workflow
metadata: {name: writeoffs}
spec:
  on: invoice
  start_when: invoice.balance > 0
  nodes:
    - name: decide
      when: invoice.days_overdue > 30
      approval:
        role: finance
        route:
          - when: invoice.currency != "CNY" || invoice.balance >= money("5000.00 CNY")
            role: finance_director
          - when: form.decision == "write_off" && form.write_off_amount > money("1000.00 CNY")
            role: finance_director
          - when: invoice.balance < money("10.00 CNY")
            role: sales_manager
          - when: 'invoice.custom.limit != "" && int(invoice.custom.limit) > 0'
            role: admin
        form: decision
        title: {en: Decide}
        outcomes:
          write_off: {complete: true, then: [{write_off: {amount: form.write_off_amount}}]}
---
apiVersion: recoup/v1
kind: Form
metadata: {name: decision}
spec:
  fields:
    - {name: decision, type: enum, required: true, options: [{value: write_off}, {value: wait}]}
    - {name: write_off_amount, type: money}
`

// routedBundle loads routedWorkflow; on the code before approval routes
// it fails (route is an unknown key).
func routedBundle(t *testing.T) *engine.Bundle {
	t.Helper()
	b, err := engine.LoadSources(engine.Source{Name: "writeoffs.yaml", Data: []byte(routedWorkflow)})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// routedSubject is an invoice of balance (e.g. "3000.00 CNY") 31 days
// overdue on 2026-02-05.
func routedSubject(balance string, custom map[string]string) *engine.Subject {
	m, err := money.Parse(balance)
	if err != nil {
		panic(err)
	}
	return &engine.Subject{Invoice: engine.Invoice{ID: 7, Number: "INV-7", CustomerID: 1, Currency: m.Currency,
		AmountMinor: m.Minor, BalanceMinor: m.Minor, DueDate: calendar.MustParse("2026-01-05"), Status: engine.StatusOpen, Custom: custom}}
}

var routedDay = time.Date(2026, 2, 5, 9, 0, 0, 0, time.UTC)

// step runs one tick of s on in at now and returns the effects, the new
// instances and the errors.
func routedStep(b *engine.Bundle, s *engine.Subject, in engine.WorkflowInput, now time.Time) ([]engine.Effect, []engine.Instance, []engine.EvalError) {
	ev := b.NewEvaluator(engine.Clock{Now: now})
	var res engine.Result
	insts := ev.Step(s, nil, in, &res)
	return res.Effects, insts, res.Errors
}

func approvalOf(effects []engine.Effect) *engine.Effect {
	for i := range effects {
		if effects[i].Kind == engine.EffectApproval {
			return &effects[i]
		}
	}
	return nil
}

func TestApprovalRouteWhenCreated(t *testing.T) {
	t.Parallel()
	b := routedBundle(t)
	for _, tc := range []struct {
		name, balance string
		custom        map[string]string
		role          engine.Role
		reason        string
	}{
		{"no route holds: the approval's role", "3000.00 CNY", nil, engine.RoleFinance, ""},
		{"a large balance: route 1", "5000.00 CNY", nil, engine.RoleFinanceDirector, "route 1"},
		{"just under it", "4999.99 CNY", nil, engine.RoleFinance, ""},
		{"another currency: route 1", "30.00 USD", nil, engine.RoleFinanceDirector, "route 1"},
		{"a route over the form does not hold before anything is decided", "1500.00 CNY", nil, engine.RoleFinance, ""},
		{"the first route that holds wins", "5.00 CNY", map[string]string{"limit": "1"}, engine.RoleSalesManager, "route 3"},
		{"a later route", "300.00 CNY", map[string]string{"limit": "1"}, engine.RoleAdmin, "route 4"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			effects, _, errs := routedStep(b, routedSubject(tc.balance, tc.custom), engine.WorkflowInput{}, routedDay)
			if len(errs) > 0 {
				t.Fatal(errs)
			}
			a := approvalOf(effects)
			if a == nil {
				t.Fatalf("no approval in %v", effects)
			}
			if a.Role != tc.role || a.Reason != tc.reason {
				t.Errorf("approval for %s (%q), want %s (%q)", a.Role, a.Reason, tc.role, tc.reason)
			}
			if got := a.Key.String(); got != "workflow/writeoffs/invoice/7/1/decide/1/approval#0" {
				t.Errorf("key %s: a route must not change the approval's key", got)
			}
		})
	}
}

func TestApprovalRoleOfDecision(t *testing.T) {
	t.Parallel()
	b := routedBundle(t)
	const key = "workflow/writeoffs/invoice/7/1/decide/1/approval#0"
	for _, tc := range []struct {
		name, balance string
		values        map[string]any
		want          engine.ApprovalRouting
	}{
		{"waiting is finance's", "3000.00 CNY", map[string]any{"decision": "wait"}, engine.ApprovalRouting{Role: engine.RoleFinance}},
		{"a small write-off is finance's", "3000.00 CNY", map[string]any{"decision": "write_off", "write_off_amount": "1000.00 CNY"}, engine.ApprovalRouting{Role: engine.RoleFinance}},
		{"a larger one the director's", "3000.00 CNY", map[string]any{"decision": "write_off", "write_off_amount": "1000.01 CNY"},
			engine.ApprovalRouting{Role: engine.RoleFinanceDirector, Route: 2, When: `form.decision == "write_off" && form.write_off_amount > money("1000.00 CNY")`}},
		{"as minor units too", "3000.00 CNY", map[string]any{"decision": "write_off", "write_off_amount": 250000},
			engine.ApprovalRouting{Role: engine.RoleFinanceDirector, Route: 2, When: `form.decision == "write_off" && form.write_off_amount > money("1000.00 CNY")`}},
		{"the balance as it stands now", "6000.00 CNY", map[string]any{"decision": "wait"},
			engine.ApprovalRouting{Role: engine.RoleFinanceDirector, Route: 1, When: `invoice.currency != "CNY" || invoice.balance >= money("5000.00 CNY")`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			env := engine.NewEnv(routedSubject(tc.balance, nil), engine.Clock{Now: routedDay})
			got, ok, err := b.ApprovalRole(key, env, tc.values)
			if err != nil || !ok {
				t.Fatal(ok, err)
			}
			if got != tc.want {
				t.Errorf("got %+v, want %+v", got, tc.want)
			}
		})
	}
	if _, ok, _ := b.ApprovalRole("workflow/writeoffs/invoice/7/1/decide/1/task#0", nil, nil); ok {
		t.Error("a task key is not an approval")
	}
	_, _, err := b.ApprovalRole(key, engine.NewEnv(routedSubject("3000.00 CNY", nil), engine.Clock{Now: routedDay}),
		map[string]any{"decision": "write_off", "write_off_amount": "a lot"})
	if err == nil || !strings.Contains(err.Error(), "write_off_amount") {
		t.Errorf("a value that is no amount: %v", err)
	}
}

func TestMayDecide(t *testing.T) {
	t.Parallel()
	dir := engine.ApprovalRouting{Role: engine.RoleFinanceDirector, Route: 2, When: "form.amount > 100"}
	for _, tc := range []struct {
		by, role engine.Role
		routing  engine.ApprovalRouting
		want     string
	}{
		{engine.RoleFinance, engine.RoleFinance, engine.ApprovalRouting{}, ""},
		{engine.RoleFinance, engine.RoleFinance, engine.ApprovalRouting{Role: engine.RoleFinance}, ""},
		{engine.RoleFinance, engine.RoleFinance, dir, "a decision with these values is for finance_director (route 2: form.amount > 100)"},
		{engine.RoleFinance, engine.RoleFinanceDirector, engine.ApprovalRouting{}, "the approval is for finance_director"},
		{engine.RoleFinanceDirector, engine.RoleFinance, engine.ApprovalRouting{Role: engine.RoleFinance}, ""},
		{engine.RoleFinanceDirector, engine.RoleFinance, dir, ""},
		{engine.RoleFinanceDirector, engine.RoleAdmin, engine.ApprovalRouting{}, "the approval is for admin"},
		{engine.RoleAdmin, engine.RoleAdmin, dir, ""},
		{engine.RoleSalesManager, engine.RoleFinance, engine.ApprovalRouting{}, "the approval is for finance"},
		{engine.RoleSalesManager, engine.RoleSalesManager, engine.ApprovalRouting{Role: engine.RoleFinance}, "a decision with these values is for finance (the approval's role)"},
		{"", "", engine.ApprovalRouting{}, "the approval is for "},
	} {
		got := ""
		if err := engine.MayDecide(tc.by, tc.role, tc.routing); err != nil {
			got = err.Error()
		}
		if got != tc.want {
			t.Errorf("%s deciding for %s, %v: %q, want %q", tc.by, tc.role, tc.routing, got, tc.want)
		}
	}
}

// TestApprovalRouteReplayed: a routed approval is created once. A replayed
// tick (the same instance state, as after a crash between writing effects
// and saving instances) gives the same key, which the ledger already
// holds, even when the route would now choose another role; the next tick
// creates nothing more.
func TestApprovalRouteReplayed(t *testing.T) {
	t.Parallel()
	b := routedBundle(t)
	s := routedSubject("6000.00 CNY", nil)
	first, insts, errs := routedStep(b, s, engine.WorkflowInput{}, routedDay)
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	a := approvalOf(first)
	if a == nil || a.Role != engine.RoleFinanceDirector {
		t.Fatalf("approval %+v", a)
	}
	ledger := map[string]bool{}
	for _, ef := range first {
		ledger[ef.Key.String()] = true
	}
	s.Invoice.BalanceMinor = 300000 // a payment: the route would now give it to finance
	for _, replay := range []struct {
		name string
		in   engine.WorkflowInput
	}{
		{"replayed from the state before the tick", engine.WorkflowInput{}},
		{"the next tick", engine.WorkflowInput{Instances: insts, Tasks: []engine.TaskState{{Key: a.Key.String(), Kind: "approval", Status: engine.TaskOpen, Role: a.Role}}}},
	} {
		again, _, errs := routedStep(b, s, replay.in, routedDay.Add(time.Hour))
		if len(errs) > 0 {
			t.Fatal(errs)
		}
		for _, ef := range again {
			if ef.Kind == engine.EffectApproval && !ledger[ef.Key.String()] {
				t.Errorf("%s: a second approval %s for %s", replay.name, ef.Key, ef.Role)
			}
		}
		if replay.in.Instances == nil && approvalOf(again) == nil {
			t.Errorf("%s: the replay made no approval to deduplicate", replay.name)
		}
	}
}

// TestApprovalRouteRuntimeError: a route that fails at run time fails the
// step on that invoice, which is recorded and retried, and creates nothing.
func TestApprovalRouteRuntimeError(t *testing.T) {
	t.Parallel()
	b := routedBundle(t)
	effects, insts, errs := routedStep(b, routedSubject("300.00 CNY", map[string]string{"limit": "many"}), engine.WorkflowInput{}, routedDay)
	if len(errs) != 1 || !strings.Contains(errs[0].Err.Error(), "approval route 4") {
		t.Fatalf("errors %v", errs)
	}
	if len(effects) != 0 || len(insts) != 0 {
		t.Errorf("a failed step left effects %v and instances %v", effects, insts)
	}
}
