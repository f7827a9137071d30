package store_test

import (
	"context"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/recoup/recoup/calendar"
	"github.com/recoup/recoup/engine"
	"github.com/recoup/recoup/ingest"
	"github.com/recoup/recoup/store"
	"github.com/recoup/recoup/store/storetest"
)

// TestDashboardPlannedFromInstallments: the cash expected from payment
// plans is what the installments of the running plans still expect, on
// their due dates, whoever created the plan; arrears are expected at once
// (the first horizon); cancelled, broken and completed plans expect
// nothing. Worked out by hand, to the cent, on 2026-12-10:
//
//   - D1 (1,200.00 CNY), a plan finance created directly: 300.00 on 11-15,
//     12-15, 2027-01-15 and 2027-03-15, 30 days of grace; 100.00 paid on
//     11-20. The first installment is 25 days late (within the grace): its
//     200.00 left is arrears, expected within 30 days with 12-15's 300.00;
//     01-15 (in 36 days) adds 300.00 to 60 and 90 days; 03-15 (in 95 days)
//     is beyond the horizon.
//   - U1 (600.00 USD) and U2 (400.01 USD) of one customer, one plan of
//     three monthly installments from 12-31: 333.33, 333.33 and 333.35
//     (12-31, 2027-01-31, 2027-02-28: in 21, 52 and 80 days); 50.00 paid on
//     U2 covers part of the first.
//   - X1 (500.00 CNY): a plan cancelled.
//   - B1 (200.00 CNY): a plan from 11-05 with 5 days of grace, never paid:
//     broken, though the tick has not said so yet.
//   - F1 (100.00 CNY): a plan paid in full.
//
// So CNY 500.00 / 800.00 / 800.00 and USD 283.33 / 616.66 / 950.01.
func TestDashboardPlannedFromInstallments(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		created := at("2026-11-01", 10)
		if _, err := s.EnsureCompany(ctx, adjustCompany); err != nil {
			t.Fatal(err)
		}
		for _, f := range []struct{ kind, csv string }{
			{"customers", "id,name,email\nK1,Direct Ltd,ap@k1.test\nK2,Two Invoices Ltd,ap@k2.test\nK3,Cancelled Ltd,ap@k3.test\nK4,Broken Ltd,ap@k4.test\nK5,Paid Ltd,ap@k5.test\n"},
			{"invoices", "number,customer_id,currency,amount,issue_date,due_date\n" +
				"D1,K1,CNY,1200.00,2026-09-01,2026-10-01\nU1,K2,USD,600.00,2026-09-01,2026-10-01\nU2,K2,USD,400.01,2026-09-05,2026-10-05\n" +
				"X1,K3,CNY,500.00,2026-09-01,2026-10-01\nB1,K4,CNY,200.00,2026-09-01,2026-10-01\nF1,K5,CNY,100.00,2026-09-01,2026-10-01\n"},
		} {
			if _, err := ingest.Reader(ctx, s, f.kind, f.kind+".csv", "csv", strings.NewReader(f.csv), ingest.Options{Company: adjustCompany, Now: created}); err != nil {
				t.Fatalf("%s: %v", f.kind, err)
			}
		}
		plan := func(in store.PlanIn) store.PlanView {
			t.Helper()
			p, err := s.CreatePlan(ctx, in, created)
			if err != nil {
				t.Fatalf("plan %s: %v", in.Key, err)
			}
			return p
		}
		inst := func(due string, minor int64) engine.Installment {
			return engine.Installment{DueDate: calendar.MustParse(due), AmountMinor: minor}
		}
		plan(store.PlanIn{Key: "direct", Invoices: []string{"D1"}, GraceDays: 30, Actor: "fin@t.test", Installments: []engine.Installment{
			inst("2026-11-15", 30000), inst("2026-12-15", 30000), inst("2027-01-15", 30000), inst("2027-03-15", 30000)}})
		plan(store.PlanIn{Key: "two", Invoices: []string{"U1", "U2"}, Count: 3, FirstDue: calendar.MustParse("2026-12-31"), GraceDays: 5})
		x := plan(store.PlanIn{Key: "cancelled", Invoices: []string{"X1"}, Count: 2, FirstDue: calendar.MustParse("2026-12-01"), GraceDays: 5})
		if _, err := s.CancelPlan(ctx, x.ID, "the customer paid another way", "fin@t.test", "", created.Add(time.Hour)); err != nil {
			t.Fatal(err)
		}
		plan(store.PlanIn{Key: "broken", Invoices: []string{"B1"}, Count: 2, FirstDue: calendar.MustParse("2026-11-05"), GraceDays: 5})
		plan(store.PlanIn{Key: "paid", Invoices: []string{"F1"}, Count: 2, FirstDue: calendar.MustParse("2026-11-10"), GraceDays: 5})
		for _, p := range []struct {
			ref, invoice, currency string
			minor                  int64
			at                     time.Time
		}{
			{"D1-1", "D1", "CNY", 10000, at("2026-11-20", 10)},
			{"U2-1", "U2", "USD", 5000, at("2026-12-05", 10)},
			{"F1-1", "F1", "CNY", 10000, at("2026-11-10", 10)},
		} {
			if _, err := s.RecordPayment(ctx, store.PaymentIn{Reference: p.ref, Invoice: p.invoice, AmountMinor: p.minor, Currency: p.currency, PaidAt: p.at}, p.at); err != nil {
				t.Fatalf("%s: %v", p.ref, err)
			}
		}

		today, now := calendar.MustParse("2026-12-10"), at("2026-12-10", 15)
		v := store.Viewer{Role: store.RoleFinance}
		got, err := s.Dashboard(ctx, v, store.DashboardFilter{}, today, now)
		if err != nil {
			t.Fatal(err)
		}
		want := []store.DueRow{{Currency: "CNY", Days30: 50000, Days60: 80000, Days90: 80000}, {Currency: "USD", Days30: 28333, Days60: 61666, Days90: 95001}}
		if !reflect.DeepEqual(got.PlannedNext, want) {
			t.Fatalf("planned_next = %+v, want %+v", got.PlannedNext, want)
		}
		// The plans' own figures agree: D1's arrears are the 200.00 expected
		// at once, B1 is broken and F1 completed.
		wantPlans := []store.PlanRow{
			{Currency: "CNY", Late: 1, Broken: 1, Completed: 1, ArrearsMinor: 20000, PlannedMinor: 120000, PaidMinor: 10000},
			{Currency: "USD", OnTrack: 1, PlannedMinor: 100001, PaidMinor: 5000},
		}
		if !reflect.DeepEqual(got.Plans, wantPlans) {
			t.Fatalf("plans = %+v, want %+v", got.Plans, wantPlans)
		}
		scratch, err := store.DashboardFromScratch(ctx, s, v, store.DashboardFilter{}, today, now)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, scratch) {
			t.Fatalf("dashboard and its computation from scratch differ:\n%s", dashDiff(got, scratch))
		}
		// Filters narrow the plans by their invoices.
		usd, err := s.Dashboard(ctx, v, store.DashboardFilter{Currency: "USD"}, today, now)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(usd.PlannedNext, want[1:]) {
			t.Fatalf("planned_next in USD = %+v, want %+v", usd.PlannedNext, want[1:])
		}
	})
}
