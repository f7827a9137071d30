package store_test

import (
	"context"
	"reflect"
	"testing"
	"time"

	"github.com/recoup/recoup/calendar"
	"github.com/recoup/recoup/engine"
	"github.com/recoup/recoup/store"
	"github.com/recoup/recoup/store/storetest"
)

// TestDashboardAfterLifecycleEvents: after each kind of event of issue 16
// (a partial write-off, a credit note, an overpayment applied to the next
// invoice, a reversed payment, a whole write-off recovered in part, a plan)
// the dashboard equals its computation from scratch, on both databases, and
// the written-off amounts left aging: the open balance fell by exactly them.
func TestDashboardAfterLifecycleEvents(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		seedDemo(t, s, 30, 200, "2026-11-01")
		tick := time.Date(2026, 11, 1, 9, 0, 0, 0, shanghai)
		if _, err := engine.RunTick(ctx, examples(t), s, engine.TickOptions{At: tick, Location: shanghai}); err != nil {
			t.Fatal(err)
		}
		v := store.Viewer{Role: store.RoleFinanceDirector}
		today, now := calendar.MustParse("2026-11-01"), tick.Add(3*time.Hour)
		open := func(d store.Dashboard, currency string) int64 {
			var sum int64
			for _, a := range d.Aging {
				if a.Currency == currency {
					sum += a.BalanceMinor
				}
			}
			return sum
		}
		check := func(what string) store.Dashboard {
			t.Helper()
			got, err := s.Dashboard(ctx, v, store.DashboardFilter{}, today, now)
			if err != nil {
				t.Fatal(err)
			}
			want, err := store.DashboardFromScratch(ctx, s, v, store.DashboardFilter{}, today, now)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, want) {
				t.Fatalf("after %s:\n%s", what, dashDiff(got, want))
			}
			return got
		}
		// Two open CNY invoices of one customer, the first due first.
		var a, b string
		var balA int64
		err := storetest.SQL(s).QueryRow(`SELECT i.number, i.balance_minor, (SELECT j.number FROM invoices j WHERE j.customer_id = i.customer_id
				AND j.currency = 'CNY' AND j.balance_minor > 0 AND j.due_date > i.due_date ORDER BY j.due_date, j.id LIMIT 1)
			FROM invoices i WHERE i.currency = 'CNY' AND i.balance_minor > 10000 AND EXISTS (SELECT 1 FROM invoices j WHERE j.customer_id = i.customer_id
				AND j.currency = 'CNY' AND j.balance_minor > 0 AND j.due_date > i.due_date)
				AND NOT EXISTS (SELECT 1 FROM invoices k WHERE k.customer_id = i.customer_id AND k.currency = 'CNY' AND k.balance_minor > 0 AND k.due_date < i.due_date)
			ORDER BY i.id LIMIT 1`).Scan(&a, &balA, &b)
		if err != nil {
			t.Fatal(err)
		}
		before := check("the first tick")
		if _, err := s.RecordAdjustment(ctx, store.AdjustmentIn{Key: "wo-1", Invoice: a, Kind: store.AdjustWriteOff, AmountMinor: 1000, Reason: "partly insolvent"}, now); err != nil {
			t.Fatal(err)
		}
		d := check("a partial write-off")
		if open(before, "CNY")-open(d, "CNY") != 1000 {
			t.Fatalf("the open CNY balance fell by %d, want 1000", open(before, "CNY")-open(d, "CNY"))
		}
		if len(d.BadDebt) != 1 || d.BadDebt[0].Month != "2026-11" || d.BadDebt[0].WrittenOffMinor != 1000 {
			t.Fatalf("bad debt = %+v", d.BadDebt)
		}
		if _, err := s.RecordAdjustment(ctx, store.AdjustmentIn{Key: "cn-1", Invoice: a, Kind: store.AdjustCreditNote, AmountMinor: 500, Reason: "damaged"}, now); err != nil {
			t.Fatal(err)
		}
		check("a credit note")
		// Overpaying a: the payment first recovers a's write-off (1000),
		// the excess (700) is applied to b.
		var appliedBefore int64
		storetest.SQL(s).QueryRow(`SELECT COALESCE(SUM(amount_minor), 0) FROM adjustments WHERE kind = 'credit_applied'`).Scan(&appliedBefore)
		if _, err := s.RecordPayment(ctx, store.PaymentIn{Reference: "over-1", Invoice: a, AmountMinor: balA - 1500 + 1000 + 700, Currency: "CNY", PaidAt: now}, now); err != nil {
			t.Fatal(err)
		}
		check("an overpayment applied to the next invoice")
		var applied int64
		storetest.SQL(s).QueryRow(`SELECT COALESCE(SUM(amount_minor), 0) FROM adjustments WHERE kind = 'credit_applied'`).Scan(&applied)
		if applied-appliedBefore != 700 {
			t.Fatalf("%d of credit applied, want 700", applied-appliedBefore)
		}
		if _, err := s.ReversePayment(ctx, store.PaymentReversal{Reference: "over-1", Reason: "transfer bounced"}, now); err != nil {
			t.Fatal(err)
		}
		check("a reversed payment")
		if _, err := s.RecordAdjustment(ctx, store.AdjustmentIn{Key: "wo-2", Invoice: b, Kind: store.AdjustWriteOff, Reason: "insolvent"}, now); err != nil {
			t.Fatal(err)
		}
		if _, err := s.RecordPayment(ctx, store.PaymentIn{Reference: "late-1", Invoice: b, AmountMinor: 300, Currency: "CNY", PaidAt: now}, now); err != nil {
			t.Fatal(err)
		}
		d = check("a write-off recovered in part")
		if d.BadDebt[0].RecoveredMinor != 300 {
			t.Fatalf("bad debt = %+v, want 3.00 recovered", d.BadDebt)
		}
		if _, err := s.CreatePlan(ctx, store.PlanIn{Key: "pp-1", Invoices: []string{a}, Count: 3, FirstDue: today.AddDays(10), GraceDays: 5}, now); err != nil {
			t.Fatal(err)
		}
		d = check("a payment plan")
		if len(d.Plans) != 1 || d.Plans[0].OnTrack != 1 || d.Plans[0].ArrearsMinor != 0 {
			t.Fatalf("plans = %+v", d.Plans)
		}
		// The director decides a plan of two installments on another CNY
		// invoice and the tick writes it: its installments are expected as
		// the direct plan's are, to the cent.
		var key, number, director string
		var balance int64
		err = storetest.SQL(s).QueryRow(`SELECT t.key, i.number, i.balance_minor, (SELECT u.email FROM users u WHERE u.role = 'finance_director' ORDER BY u.id LIMIT 1)
			FROM tasks t JOIN invoices i ON i.id = t.invoice_id
			WHERE t.kind = 'approval' AND t.status = 'open' AND i.currency = 'CNY' AND i.balance_minor > 1 AND i.plan_id IS NULL
			ORDER BY t.id LIMIT 1`).Scan(&key, &number, &balance, &director)
		if err != nil {
			t.Fatal(err)
		}
		plannedCNY := func(d store.Dashboard) (r store.DueRow) {
			for _, x := range d.PlannedNext {
				if x.Currency == "CNY" {
					r = x
				}
			}
			return r
		}
		before = d
		if _, err := s.CompleteTasks(ctx, []store.TaskCompletion{{Key: key, By: director, At: now,
			Outcome: map[string]any{"decision": "payment_plan", "installments": 2, "first_installment_date": today.AddDays(20).String()}}}); err != nil {
			t.Fatal(err)
		}
		if _, err := engine.RunTick(ctx, examples(t), s, engine.TickOptions{At: now.Add(time.Hour), Location: shanghai}); err != nil {
			t.Fatal(err)
		}
		var planned int64
		if err := storetest.SQL(s).QueryRow(storetest.Rebind(s, `SELECT p.planned_minor FROM payment_plans p JOIN invoices i ON i.plan_id = p.id
			WHERE i.number = ? AND p.status = 'active'`), number).Scan(&planned); err != nil {
			t.Fatalf("the decided plan on %s: %v", number, err)
		}
		d = check("a payment plan decided by the director")
		first, second := balance/2, balance-balance/2 // on today+20 and today+20+1 month (50 or 51 days)
		was, is := plannedCNY(before), plannedCNY(d)
		if planned != balance || is.Days30-was.Days30 != first || is.Days60-was.Days60 != first+second || is.Days90-was.Days90 != first+second {
			t.Fatalf("planned %d of %d; CNY expected from plans %+v, before the decision %+v", planned, balance, is, was)
		}
	})
}
