package store_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/recoup/recoup/calendar"
	"github.com/recoup/recoup/engine"
	"github.com/recoup/recoup/store"
	"github.com/recoup/recoup/store/storetest"
)

// TestOwedOnlyLeavesNothingOut: a tick of the example pack, which acts
// only on owed invoices, leaves settled invoices out of its batches
// (engine.Bundle.OwedOnly). Over a month of daily ticks with payments in
// full arriving in between — on invoices with a running escalation, on
// invoices whose rising_edge condition is recorded true and on invoices on
// a payment plan — it records
// exactly what the same pack records when one extra rule (never true, but
// not provably owed-only) makes the tick read every invoice.
func TestOwedOnlyLeavesNothingOut(t *testing.T) {
	storetest.EachDialect(t, func(t *testing.T, fresh func(testing.TB) string) {
		ctx := context.Background()
		open := func() *store.Store {
			s := storetest.Open(t, fresh(t))
			seedDemo(t, s, 40, 300, "2026-11-01")
			return s
		}
		owed, all := open(), open()
		srcs, err := engine.ReadPaths("../rules-examples")
		if err != nil {
			t.Fatal(err)
		}
		// The pack has a rising_edge rule, but its condition (a low-risk
		// customer 30 days late) rarely holds here: one more that does,
		// before the escalation starts (a condition without a workflow).
		srcs = append(srcs, engine.Source{Name: "edge.yaml", Data: []byte(`apiVersion: recoup/v1
kind: Rule
metadata: {name: due-soon-edge}
spec:
  on: invoice
  refire: rising_edge
  when: invoice.balance > 0 && invoice.days_until_due >= 0 && invoice.days_until_due <= 10
  then:
    - notify: {channel: in_app, to_role: sales_manager, template: risk-raised}
`)})
		pack, err := engine.LoadSources(srcs...)
		if err != nil {
			t.Fatal(err)
		}
		wide, err := engine.LoadSources(append(srcs, engine.Source{Name: "never.yaml", Data: []byte(`apiVersion: recoup/v1
kind: Rule
metadata: {name: never}
spec:
  on: invoice
  refire: once
  when: invoice.amount < 0
  then:
    - set: {invoice.custom.never: "yes"}
`)})...)
		if err != nil {
			t.Fatal(err)
		}
		if !pack.OwedOnly() || wide.OwedOnly() {
			t.Fatalf("OwedOnly: pack %v, with the extra rule %v; want true, false", pack.OwedOnly(), wide.OwedOnly())
		}
		// Pay in full, the evening before a tick, two invoices with a
		// running escalation and two with a condition recorded true.
		paid := map[string][]string{}
		pay := func(day int, at time.Time) {
			for _, what := range []string{"running", "condition"} {
				q := map[string]string{
					"running": `SELECT i.number, i.balance_minor, i.currency FROM invoices i WHERE i.balance_minor > 0
						AND EXISTS (SELECT 1 FROM workflow_instances w WHERE w.invoice_id = i.id AND w.status = 'running') ORDER BY i.id LIMIT 2`,
					"condition": `SELECT i.number, i.balance_minor, i.currency FROM invoices i WHERE i.balance_minor > 0
						AND EXISTS (SELECT 1 FROM rule_conditions c WHERE c.invoice_id = i.id)
						AND NOT EXISTS (SELECT 1 FROM workflow_instances w WHERE w.invoice_id = i.id) ORDER BY i.id LIMIT 2`,
				}[what]
				rows, err := storetest.SQL(owed).Query(q)
				if err != nil {
					t.Fatal(err)
				}
				type owedInvoice struct {
					number, currency string
					balance          int64
				}
				var due []owedInvoice
				for rows.Next() {
					var o owedInvoice
					if err := rows.Scan(&o.number, &o.balance, &o.currency); err != nil {
						t.Fatal(err)
					}
					due = append(due, o)
				}
				rows.Close()
				for _, o := range due {
					for _, s := range []*store.Store{owed, all} {
						payInFull(t, s, o.number, o.balance, o.currency, at.Add(-12*time.Hour), fmt.Sprintf("PAY-%d-%s", day, o.number))
					}
					paid[what] = append(paid[what], o.number)
				}
			}
		}
		// Two invoices not due this month on payment plans, paid in full
		// on the 10th: the settled first invoice of a plan marks it
		// completed.
		var planned []string
		rows, err := storetest.SQL(owed).Query(`SELECT number, balance_minor, currency FROM invoices WHERE balance_minor > 0 AND due_date > '2026-11-21' AND issue_date <= '2026-11-01' ORDER BY id LIMIT 2`)
		if err != nil {
			t.Fatal(err)
		}
		type planInvoice struct {
			number, currency string
			balance          int64
		}
		var onPlan []planInvoice
		for rows.Next() {
			var o planInvoice
			if err := rows.Scan(&o.number, &o.balance, &o.currency); err != nil {
				t.Fatal(err)
			}
			onPlan = append(onPlan, o)
		}
		rows.Close()
		for _, o := range onPlan {
			for _, s := range []*store.Store{owed, all} {
				if _, err := s.CreatePlan(ctx, store.PlanIn{Key: "plan-" + o.number, Invoices: []string{o.number}, Count: 2,
					FirstDue: calendar.MustParse("2026-11-15"), GraceDays: 5}, time.Date(2026, 11, 1, 8, 0, 0, 0, shanghai)); err != nil {
					t.Fatal(err)
				}
			}
			planned = append(planned, o.number)
		}
		settled := 0
		for day := 1; day <= 30; day++ {
			at := time.Date(2026, 11, day, 9, 0, 0, 0, shanghai)
			if day > 1 {
				pay(day, at)
			}
			if day == 10 {
				for _, o := range onPlan {
					for _, s := range []*store.Store{owed, all} {
						payInFull(t, s, o.number, o.balance, o.currency, at.Add(-12*time.Hour), "PAY-PLAN-"+o.number)
					}
				}
			}
			o := engine.TickOptions{At: at, Location: shanghai, BatchSize: 50}
			st, err := engine.RunTick(ctx, pack, owed, o)
			if err != nil {
				t.Fatal(err)
			}
			wst, err := engine.RunTick(ctx, wide, all, o)
			if err != nil {
				t.Fatal(err)
			}
			if st.Invoices > 300 || wst.Invoices != 300 {
				t.Fatalf("day %d: %d and %d invoices evaluated; want at most 300, and all 300 when reading all", day, st.Invoices, wst.Invoices)
			}
			settled = wst.Invoices - st.Invoices
		}
		if got, want := ledger(t, owed), ledger(t, all); got != want {
			t.Fatalf("leaving settled invoices out changed what was recorded:\n%s", storetest.DiffLines(want, got))
		}
		// What the payments had to end did end, in the store that left
		// settled invoices out.
		count := func(q string, numbers []string) (n int) {
			args := make([]any, len(numbers))
			for i, v := range numbers {
				args[i] = v
			}
			if err := storetest.SQL(owed).QueryRow(storetest.Rebind(owed, q+" IN ("+strings.TrimSuffix(strings.Repeat("?, ", len(numbers)), ", ")+")"), args...).Scan(&n); err != nil {
				t.Fatal(err)
			}
			return n
		}
		if len(paid["running"]) < 10 || len(paid["condition"]) < 4 || len(planned) < 2 || settled == 0 {
			t.Fatalf("the test did not exercise what it is for: %d payments on running escalations, %d on true conditions, %d on plans, %d invoices left out at the last tick",
				len(paid["running"]), len(paid["condition"]), len(planned), settled)
		}
		if n := count(`SELECT COUNT(*) FROM workflow_instances w JOIN invoices i ON i.id = w.invoice_id WHERE w.status = 'running' AND i.number`, paid["running"]); n != 0 {
			t.Errorf("%d escalations still running after their invoice was paid", n)
		}
		if n := count(`SELECT COUNT(*) FROM rule_conditions c JOIN invoices i ON i.id = c.invoice_id WHERE i.number`, paid["condition"]); n != 0 {
			t.Errorf("%d conditions still recorded true after their invoice was paid", n)
		}
		if n := count(`SELECT COUNT(*) FROM payment_plans p JOIN invoices i ON i.plan_id = p.id WHERE p.status = 'completed' AND i.number`, planned); n != len(planned) {
			t.Errorf("%d of %d plans paid in full completed", n, len(planned))
		}
	})
}

// ledger is storetest.Ledger plus the rising_edge conditions recorded true.
func ledger(t *testing.T, s *store.Store) string {
	t.Helper()
	rows, err := storetest.SQL(s).Query(`SELECT rule || ' ' || invoice_id FROM rule_conditions ORDER BY invoice_id, rule`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var b strings.Builder
	for rows.Next() {
		var l string
		if err := rows.Scan(&l); err != nil {
			t.Fatal(err)
		}
		b.WriteString(l + "\n")
	}
	return storetest.Ledger(t, s) + "conditions:\n" + b.String()
}
