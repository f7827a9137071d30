package store_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/recoup/recoup/calendar"
	"github.com/recoup/recoup/engine"
	"github.com/recoup/recoup/ingest"
	"github.com/recoup/recoup/store"
	"github.com/recoup/recoup/store/storetest"
)

// TestInterestAccrual: the example pack's contractual interest through real
// ticks: a charge each day, days the server was down caught up exactly by
// the next charge, a replayed tick charging nothing more, a payment
// lowering the principal, and the cap.
func TestInterestAccrual(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		now := time.Date(2026, 3, 1, 2, 0, 0, 0, time.UTC)
		if _, err := s.EnsureCompany(ctx, adjustCompany); err != nil {
			t.Fatal(err)
		}
		for _, f := range []struct{ kind, csv string }{
			{"customers", "id,name,email,risk\nK1,Alpha Ltd,ap@alpha.test,high\n"},
			{"invoices", "number,customer_id,currency,amount,issue_date,due_date,late_interest\nI1,K1,CNY,10000.00,2026-02-01,2026-03-01,yes\nI2,K1,CNY,10000.00,2026-02-01,2026-03-01,no\n"},
		} {
			if _, err := ingest.Reader(ctx, s, f.kind, f.kind+".csv", "csv", strings.NewReader(f.csv), ingest.Options{Company: adjustCompany, Now: now}); err != nil {
				t.Fatalf("%s: %v", f.kind, err)
			}
		}
		b := examples(t)
		day := func(d int) time.Time { return time.Date(2026, 3, d, 9, 0, 0, 0, shanghai) }
		tick := func(at time.Time) {
			t.Helper()
			if _, err := engine.RunTick(ctx, b, s, engine.TickOptions{At: at, Location: shanghai}); err != nil {
				t.Fatal(err)
			}
		}
		lines := func() (n int, sum int64) {
			storetest.SQL(s).QueryRow(`SELECT COUNT(*), COALESCE(SUM(amount_minor), 0) FROM fees WHERE kind = 'interest'`).Scan(&n, &sum)
			return
		}
		tick(day(2)) // 1 day: 10000.00 x 12% / 365 = 3.2876.. = 3.29
		tick(day(2)) // replayed
		if n, sum := lines(); n != 1 || sum != 329 {
			t.Fatalf("after day 2: %d lines, %d", n, sum)
		}
		// Down from the 3rd to the 6th: the 7th charges the 5 days exactly
		// (16.438.. = 16.44), not 5 one-day charges (5 x 3.29 = 16.45).
		tick(day(7))
		if n, sum := lines(); n != 2 || sum != 329+1644 {
			t.Fatalf("after day 7: %d lines, %d", n, sum)
		}
		var days int
		storetest.SQL(s).QueryRow(`SELECT days FROM fees WHERE kind = 'interest' ORDER BY id DESC LIMIT 1`).Scan(&days)
		if days != 5 {
			t.Fatalf("the catch-up line covers %d days, want 5", days)
		}
		// A payment of half: the next day's interest is on 5000.00.
		if _, err := s.RecordPayment(ctx, store.PaymentIn{Reference: "P1", Invoice: "I1", AmountMinor: 500000, Currency: "CNY", PaidAt: day(7)}, day(7)); err != nil {
			t.Fatal(err)
		}
		tick(day(8))
		var balance, fees, interest int64
		storetest.SQL(s).QueryRow(`SELECT balance_minor, fees_minor, interest_minor FROM invoices WHERE number = 'I1'`).Scan(&balance, &fees, &interest)
		// principal after the payment: balance − fees = (1000000 + 1973 − 500000) − 1973 = 500000
		// one day on 5000.00 at 12 % = 1.6438.. = 1.64
		if interest != 329+1644+164 || fees != interest || balance != 1000000+interest-500000 {
			t.Fatalf("I1: balance %d, fees %d, interest %d", balance, fees, interest)
		}
		var other int
		storetest.SQL(s).QueryRow(`SELECT COUNT(*) FROM fees f JOIN invoices i ON i.id = f.invoice_id WHERE i.number = 'I2'`).Scan(&other)
		if other != 0 {
			t.Fatal("interest on an invoice whose contract has none")
		}
		// Years later the cap (10 % of the amount) holds.
		tick(time.Date(2029, 3, 1, 9, 0, 0, 0, shanghai))
		tick(time.Date(2029, 3, 2, 9, 0, 0, 0, shanghai))
		storetest.SQL(s).QueryRow(`SELECT interest_minor FROM invoices WHERE number = 'I1'`).Scan(&interest)
		if interest != 100000 {
			t.Fatalf("interest %d after years, want the cap 100000", interest)
		}
	})
}

// TestInterestIsNotAMissedInstallment: interest charged on an invoice on a
// payment plan raises its balance, but it is no payment missed: what was
// paid toward the plan stays what the customer paid, and the plan stays on
// track. (Counted as a fall in payments, the interest uncovered the paid
// installment and broke the plan the next day, and a tick run again after
// charging it read the plan otherwise than the first time.)
func TestInterestIsNotAMissedInstallment(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		now := time.Date(2026, 3, 1, 2, 0, 0, 0, time.UTC)
		if _, err := s.EnsureCompany(ctx, adjustCompany); err != nil {
			t.Fatal(err)
		}
		for _, f := range []struct{ kind, csv string }{
			{"customers", "id,name,email,risk\nK1,Alpha Ltd,ap@alpha.test,high\n"},
			{"invoices", "number,customer_id,currency,amount,issue_date,due_date,late_interest\nI1,K1,CNY,10000.00,2026-01-01,2026-02-01,yes\n"},
		} {
			if _, err := ingest.Reader(ctx, s, f.kind, f.kind+".csv", "csv", strings.NewReader(f.csv), ingest.Options{Company: adjustCompany, Now: now}); err != nil {
				t.Fatalf("%s: %v", f.kind, err)
			}
		}
		plan, err := s.CreatePlan(ctx, store.PlanIn{Key: "p1", Invoices: []string{"I1"}, GraceDays: 0, Installments: []engine.Installment{
			{DueDate: calendar.MustParse("2026-03-05"), AmountMinor: 500000}, {DueDate: calendar.MustParse("2026-04-05"), AmountMinor: 500000}}}, now)
		if err != nil {
			t.Fatal(err)
		}
		day := func(d int) time.Time { return time.Date(2026, 3, d, 9, 0, 0, 0, shanghai) }
		if _, err := s.RecordPayment(ctx, store.PaymentIn{Reference: "P1", Invoice: "I1", AmountMinor: 500000, Currency: "CNY", PaidAt: day(4)}, day(4)); err != nil {
			t.Fatal(err)
		}
		b := examples(t)
		for _, d := range []int{6, 7, 8} {
			if _, err := engine.RunTick(ctx, b, s, engine.TickOptions{At: day(d), Location: shanghai}); err != nil {
				t.Fatal(err)
			}
		}
		var interest int64
		storetest.SQL(s).QueryRow(`SELECT interest_minor FROM invoices WHERE number = 'I1'`).Scan(&interest)
		// 33 days on 5,000.00 at 12 % (54.25), then a day twice (1.64)
		if interest != 5425+164+164 {
			t.Fatalf("interest %d", interest)
		}
		v, err := s.Plan(ctx, plan.ID, day(8))
		if err != nil {
			t.Fatal(err)
		}
		if v.Status != engine.PlanActive || v.State != engine.PlanOnTrack || v.PaidMinor != 500000 || v.ArrearsMinor != 0 {
			t.Fatalf("plan %s (%s): paid %d, arrears %d; want active, on track, paid 500000", v.Status, v.State, v.PaidMinor, v.ArrearsMinor)
		}
	})
}

// TestTickReplayReadsInvoicesBeforeItsOwnCharges: a tick run again at the
// same instant reads each invoice as its first run did, before the
// interest that run charged. 49,995.00 CNY plus the day's interest is over
// the medium-risk threshold (50,000.00): the first run, reading 49,995.00,
// raises nothing, and neither does a replay, which reads the balance with
// the interest; the next day's tick does.
func TestTickReplayReadsInvoicesBeforeItsOwnCharges(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		now := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
		if _, err := s.EnsureCompany(ctx, adjustCompany); err != nil {
			t.Fatal(err)
		}
		for _, f := range []struct{ kind, csv string }{
			{"customers", "id,name,email,risk\nK1,Alpha Ltd,ap@alpha.test,low\n"},
			{"invoices", "number,customer_id,currency,amount,issue_date,due_date,late_interest\nI1,K1,CNY,49995.00,2026-01-20,2026-02-20,yes\n"},
		} {
			if _, err := ingest.Reader(ctx, s, f.kind, f.kind+".csv", "csv", strings.NewReader(f.csv), ingest.Options{Company: adjustCompany, Now: now}); err != nil {
				t.Fatalf("%s: %v", f.kind, err)
			}
		}
		b := examples(t)
		tick := func(at time.Time) engine.TickStats {
			t.Helper()
			st, err := engine.RunTick(ctx, b, s, engine.TickOptions{At: at, Location: shanghai})
			if err != nil {
				t.Fatal(err)
			}
			return st
		}
		risk := func() (r string) {
			storetest.SQL(s).QueryRow(`SELECT risk FROM customers WHERE external_id = 'K1'`).Scan(&r)
			return
		}
		first := time.Date(2026, 3, 2, 9, 0, 0, 0, shanghai)
		if st := tick(first); st.Fees != 1 || risk() != "low" {
			t.Fatalf("first run: %d fees, risk %s; want the day's interest, risk low", st.Fees, risk())
		}
		var balance int64
		storetest.SQL(s).QueryRow(`SELECT balance_minor FROM invoices WHERE number = 'I1'`).Scan(&balance)
		if balance < 5000000 {
			t.Fatalf("balance %d: the interest should take it over 50,000.00", balance)
		}
		if st := tick(first); st.Effects != 0 || risk() != "low" {
			t.Fatalf("replay: %d effects recorded, risk %s; want none, low", st.Effects, risk())
		}
		if tick(first.AddDate(0, 0, 1)); risk() != "medium" {
			t.Fatalf("the next day: risk %s, want medium", risk())
		}
	})
}
