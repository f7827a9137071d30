package store_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/recoup/recoup/engine"
	"github.com/recoup/recoup/ingest"
	"github.com/recoup/recoup/store"
	"github.com/recoup/recoup/store/storetest"
)

var adjustCompany = engine.Company{Name: "Acme", TimeZone: "Asia/Shanghai", Currency: "CNY", TickTime: "09:00"}

// adjustFixture loads one customer with invoices A (1,000.00 CNY, 200.00
// paid), B1 (100.00, due first) and B2 (80.00, due later), and another
// customer's C (50.00).
func adjustFixture(t *testing.T, s *store.Store, now time.Time) {
	t.Helper()
	ctx := context.Background()
	files := []struct{ kind, csv string }{
		{"customers", "id,name,email\nK1,Alpha Ltd,ap@alpha.test\nK2,Beta Ltd,ap@beta.test\n"},
		{"invoices", "number,customer_id,currency,amount,issue_date,due_date\n" +
			"A,K1,CNY,1000.00,2026-01-01,2026-01-31\nB1,K1,CNY,100.00,2026-01-05,2026-02-05\nB2,K1,CNY,80.00,2026-01-10,2026-02-10\nC,K2,CNY,50.00,2026-01-10,2026-02-10\n"},
		{"payments", "invoice_number,amount,paid_at,reference\nA,200.00,2026-02-03 10:00,PAY-A1\n"},
	}
	if _, err := s.EnsureCompany(ctx, adjustCompany); err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		if _, err := ingest.Reader(ctx, s, f.kind, f.kind+".csv", "csv", strings.NewReader(f.csv), ingest.Options{Company: adjustCompany, Now: now}); err != nil {
			t.Fatalf("%s: %v", f.kind, err)
		}
	}
}

type invoiceMoney struct {
	Balance, Paid, Adjusted, WrittenOff int64
	Status                              string
}

func invoiceState(t *testing.T, s *store.Store, number string) invoiceMoney {
	t.Helper()
	var m invoiceMoney
	if err := storetest.SQL(s).QueryRow(storetest.Rebind(s, "SELECT balance_minor, paid_minor, adjusted_minor, written_off_minor, status FROM invoices WHERE number = ?"), number).
		Scan(&m.Balance, &m.Paid, &m.Adjusted, &m.WrittenOff, &m.Status); err != nil {
		t.Fatalf("invoice %s: %v", number, err)
	}
	return m
}

func recordPay(t *testing.T, s *store.Store, ref, invoice string, minor int64, at time.Time) store.PaymentOut {
	t.Helper()
	out, err := s.RecordPayment(context.Background(), store.PaymentIn{Reference: ref, Invoice: invoice, AmountMinor: minor, Currency: "CNY", PaidAt: at}, at)
	if err != nil {
		t.Fatalf("payment %s: %v", ref, err)
	}
	return out
}

func TestWriteOffsAndRecoveries(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		now := time.Date(2026, 3, 5, 2, 0, 0, 0, time.UTC)
		adjustFixture(t, s, now)
		if got, want := invoiceState(t, s, "A"), (invoiceMoney{80000, 20000, 0, 0, "open"}); got != want {
			t.Fatalf("A before = %+v, want %+v", got, want)
		}
		// Refusals name the field and write nothing.
		for _, c := range []struct {
			in    store.AdjustmentIn
			field string
		}{
			{store.AdjustmentIn{Key: "w0", Invoice: "A", Kind: store.AdjustWriteOff, AmountMinor: 80001, Reason: "insolvent"}, "amount"},
			{store.AdjustmentIn{Key: "w0", Invoice: "A", Kind: store.AdjustWriteOff, AmountMinor: 100, Currency: "USD", Reason: "insolvent"}, "currency"},
			{store.AdjustmentIn{Key: "w0", Invoice: "A", Kind: store.AdjustWriteOff, AmountMinor: 100}, "reason"},
			{store.AdjustmentIn{Key: "w0", Invoice: "A", Kind: store.AdjustWriteOff, AmountMinor: -5, Reason: "insolvent"}, "amount"},
			{store.AdjustmentIn{Key: "w0", Invoice: "A", Kind: "discount", AmountMinor: 5}, "kind"},
			{store.AdjustmentIn{Key: "w0", Invoice: "A", Kind: store.AdjustCreditNote}, "amount"},
		} {
			_, err := s.RecordAdjustment(ctx, c.in, now)
			var ae *store.AdjustmentError
			if !errors.As(err, &ae) || ae.Field != c.field || !errors.Is(err, store.ErrInvalid) {
				t.Errorf("%+v: err = %v, want a %s error", c.in, err, c.field)
			}
		}
		if _, err := s.RecordAdjustment(ctx, store.AdjustmentIn{Key: "w0", Invoice: "NOPE", Kind: store.AdjustWriteOff, Reason: "x"}, now); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("unknown invoice: err = %v", err)
		}
		if got := invoiceState(t, s, "A"); got.Balance != 80000 || got.Adjusted != 0 {
			t.Fatalf("a refused adjustment changed A: %+v", got)
		}
		// A partial write-off: the balance falls, the status stays.
		out, err := s.RecordAdjustment(ctx, store.AdjustmentIn{Key: "w1", Invoice: "A", Kind: store.AdjustWriteOff, AmountMinor: 30000, Reason: "partly insolvent", ApprovedBy: "director@acme.test"}, now)
		if err != nil {
			t.Fatal(err)
		}
		if out.BalanceMinor != 50000 || out.Status != "open" || out.Date.String() != "2026-03-05" {
			t.Fatalf("partial write-off = %+v", out)
		}
		again, err := s.RecordAdjustment(ctx, store.AdjustmentIn{Key: "w1", Invoice: "A", Kind: store.AdjustWriteOff, AmountMinor: 30000, Reason: "partly insolvent"}, now)
		if err != nil || !again.Duplicate || again.ID != out.ID {
			t.Fatalf("the same key again = %+v, %v; want a duplicate", again, err)
		}
		if _, err := s.RecordAdjustment(ctx, store.AdjustmentIn{Key: "w1", Invoice: "A", Kind: store.AdjustWriteOff, AmountMinor: 100, Reason: "other"}, now); !errors.Is(err, store.ErrConflict) {
			t.Fatalf("the same key with another amount: err = %v, want a conflict", err)
		}
		// The rest written off (no amount: the whole balance).
		if out, err = s.RecordAdjustment(ctx, store.AdjustmentIn{Key: "w2", Invoice: "A", Kind: store.AdjustWriteOff, Reason: "insolvent"}, now); err != nil {
			t.Fatal(err)
		}
		if got, want := invoiceState(t, s, "A"), (invoiceMoney{0, 20000, 80000, 80000, "written_off"}); got != want {
			t.Fatalf("A written off = %+v, want %+v", got, want)
		}
		if _, err := s.RecordAdjustment(ctx, store.AdjustmentIn{Key: "w3", Invoice: "A", Kind: store.AdjustWriteOff, Reason: "insolvent"}, now); err == nil {
			t.Fatal("a write-off of a zero balance was accepted")
		}
		// A later payment recovers part of the write-off.
		later := now.Add(48 * time.Hour)
		recordPay(t, s, "PAY-A2", "A", 10000, later)
		if got, want := invoiceState(t, s, "A"), (invoiceMoney{0, 30000, 70000, 70000, "written_off"}); got != want {
			t.Fatalf("A after a recovery = %+v, want %+v", got, want)
		}
		var recovery int64
		var day string
		storetest.SQL(s).QueryRow("SELECT amount_minor, "+dateText(s, "effective_date")+" FROM adjustments WHERE kind = 'recovery'").Scan(&recovery, &day)
		if recovery != -10000 || day != "2026-03-07" {
			t.Fatalf("recovery row = %d on %s, want -10000 on 2026-03-07", recovery, day)
		}
		// Reversing that payment undoes the recovery.
		if _, err := s.ReversePayment(ctx, store.PaymentReversal{Reference: "pay-a2", Reason: "transfer bounced"}, later); err != nil {
			t.Fatal(err)
		}
		if got, want := invoiceState(t, s, "A"), (invoiceMoney{0, 20000, 80000, 80000, "written_off"}); got != want {
			t.Fatalf("A after the reversal = %+v, want %+v", got, want)
		}
		// Payments recovering more than the write-off become credit.
		recordPay(t, s, "PAY-A3", "A", 90000, later)
		if got, want := invoiceState(t, s, "A"), (invoiceMoney{0, 100000, 0, 0, "paid"}); got != want {
			t.Fatalf("A recovered in full = %+v, want %+v", got, want)
		}
	})
}

func dateText(s *store.Store, col string) string {
	if storetest.Dialect(s) == "postgres" {
		return "to_char(" + col + ", 'YYYY-MM-DD')"
	}
	return col
}

func TestCashApplication(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		now := time.Date(2026, 3, 5, 2, 0, 0, 0, time.UTC)
		adjustFixture(t, s, now)
		// 150.00 on B1 (100.00): 50.00 of credit, applied to A (the
		// customer's open invoice due first), not to the other customer's C.
		out := recordPay(t, s, "PAY-B1", "B1", 15000, now)
		if out.AppliedMinor != 10000 || out.UnappliedMinor != 5000 {
			t.Fatalf("payment = %+v", out)
		}
		if got, want := invoiceState(t, s, "A"), (invoiceMoney{75000, 20000, 5000, 0, "open"}); got != want {
			t.Fatalf("A = %+v, want %+v", got, want)
		}
		if got := invoiceState(t, s, "C"); got.Balance != 5000 {
			t.Fatalf("credit went to another customer's invoice: %+v", got)
		}
		// More credit than A owes: A (due first) is paid, then B2.
		recordPay(t, s, "PAY-B1b", "B1", 100000, now)
		a, b2 := invoiceState(t, s, "A"), invoiceState(t, s, "B2")
		if a.Balance != 0 || a.Status != "paid" || b2.Balance != 0 {
			t.Fatalf("after 1,000.00 more credit: A = %+v, B2 = %+v", a, b2)
		}
		var left int64
		storetest.SQL(s).QueryRow(`SELECT COALESCE(SUM(amount_minor), 0) FROM customer_credits`).Scan(&left)
		var applied int64
		storetest.SQL(s).QueryRow(`SELECT COALESCE(SUM(amount_minor), 0) FROM adjustments WHERE kind = 'credit_applied'`).Scan(&applied)
		// credit 5000 + 100000; applied 5000 to A, then 75000 to A and 8000 to B2
		if left != 105000 || applied != 88000 {
			t.Fatalf("credit %d, applied %d; want 105000 and 88000", left, applied)
		}
		// A new invoice for the customer takes what is left (17,000).
		if _, err := ingest.Reader(ctx, s, "invoices", "more.csv", "csv", strings.NewReader("number,customer_id,currency,amount,issue_date,due_date\nB3,K1,CNY,300.00,2026-03-01,2026-03-31\n"),
			ingest.Options{Company: adjustCompany, Now: now}); err != nil {
			t.Fatal(err)
		}
		if got, want := invoiceState(t, s, "B3"), (invoiceMoney{13000, 0, 17000, 0, "open"}); got != want {
			t.Fatalf("B3 = %+v, want %+v", got, want)
		}
		// The big payment bounces: its credit is withdrawn, newest
		// applications first, and what it settled reopens.
		if _, err := s.ReversePayment(ctx, store.PaymentReversal{Reference: "PAY-B1b", Reason: "no"}, now); err == nil {
			t.Fatal("a reversal without a reason was accepted")
		}
		rev, err := s.ReversePayment(ctx, store.PaymentReversal{Reference: "PAY-B1b", Reason: "transfer bounced", Actor: "finance@acme.test"}, now)
		if err != nil {
			t.Fatal(err)
		}
		if rev.Status != "paid" || rev.BalanceMinor != 0 {
			t.Fatalf("B1 after the reversal = %+v (the first payment still pays it)", rev)
		}
		// A (due 01-31) and B2 (02-10) reopen overdue, B3 (03-31) open.
		for number, want := range map[string]invoiceMoney{
			"A":  {75000, 20000, 5000, 0, "overdue"},
			"B2": {8000, 0, 0, 0, "overdue"},
			"B3": {30000, 0, 0, 0, "open"},
		} {
			if got := invoiceState(t, s, number); got != want {
				t.Errorf("%s after the reversal = %+v, want %+v", number, got, want)
			}
		}
		if again, err := s.ReversePayment(ctx, store.PaymentReversal{Reference: "PAY-B1b", Reason: "transfer bounced"}, now); err != nil || !again.Duplicate {
			t.Fatalf("reversing twice = %+v, %v", again, err)
		}
		// A credit note reduces a balance like any adjustment.
		if _, err := s.RecordAdjustment(ctx, store.AdjustmentIn{Key: "cn-1", Invoice: "B3", Kind: store.AdjustCreditNote, AmountMinor: 1000, Reason: "damaged goods"}, now); err != nil {
			t.Fatal(err)
		}
		if got := invoiceState(t, s, "B3"); got.Balance != 29000 {
			t.Fatalf("B3 after a credit note = %+v", got)
		}
		var audits int
		storetest.SQL(s).QueryRow(`SELECT COUNT(*) FROM audit_log WHERE action IN ('payment.reversed', 'invoice.adjusted')`).Scan(&audits)
		if audits != 2 {
			t.Fatalf("%d audit records of reversals and adjustments, want 2", audits)
		}
	})
}

// TestPaymentsNamingInvoices: a payment may name several invoices (settled
// in that order, the rest by the cash application policy) or only the
// customer (the policy picks, oldest due first); refusals by field.
func TestPaymentsNamingInvoices(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		now := time.Date(2026, 3, 5, 2, 0, 0, 0, time.UTC)
		adjustFixture(t, s, now)
		// B2 then B1, though A is due first: 120.00 = 80.00 (B2) + 40.00 (B1).
		out, err := s.RecordPayment(ctx, store.PaymentIn{Reference: "MULTI-1", Invoices: []string{"B2", "B1"}, AmountMinor: 12000, Currency: "CNY", PaidAt: now}, now)
		if err != nil {
			t.Fatal(err)
		}
		if out.Invoice != "B2" || out.AppliedMinor != 8000 || out.UnappliedMinor != 4000 {
			t.Fatalf("payment = %+v", out)
		}
		if b1, a := invoiceState(t, s, "B1"), invoiceState(t, s, "A"); b1.Balance != 6000 || a.Balance != 80000 {
			t.Fatalf("B1 = %+v, A = %+v: the named invoices come first", b1, a)
		}
		// The customer only: A (due first) takes it.
		if out, err = s.RecordPayment(ctx, store.PaymentIn{Reference: "CUST-1", Customer: "K1", AmountMinor: 1000, Currency: "CNY", PaidAt: now}, now); err != nil {
			t.Fatal(err)
		}
		if out.Invoice != "A" || invoiceState(t, s, "A").Balance != 79000 {
			t.Fatalf("a payment naming the customer only = %+v", out)
		}
		for _, c := range []struct {
			in    store.PaymentIn
			field string
		}{
			{store.PaymentIn{Reference: "X1", Invoices: []string{"B1", "C"}, AmountMinor: 100, Currency: "CNY", PaidAt: now}, "invoices[1]"},
			{store.PaymentIn{Reference: "X2", Invoices: []string{"B1", "NOPE"}, AmountMinor: 100, Currency: "CNY", PaidAt: now}, "invoices[1]"},
			{store.PaymentIn{Reference: "X3", Customer: "K1", AmountMinor: 100, Currency: "USD", PaidAt: now}, "customer"},
			{store.PaymentIn{Reference: "X4", AmountMinor: 100, Currency: "CNY", PaidAt: now}, "invoice"},
		} {
			_, err := s.RecordPayment(ctx, c.in, now)
			var ae *store.AdjustmentError
			if !errors.As(err, &ae) || ae.Field != c.field {
				t.Errorf("%+v: err = %v, want a %s error", c.in, err, c.field)
			}
		}
		var n int
		storetest.SQL(s).QueryRow(`SELECT COUNT(*) FROM payments WHERE reference LIKE 'X%'`).Scan(&n)
		if n != 0 {
			t.Fatalf("refused payments wrote %d rows", n)
		}
	})
}
