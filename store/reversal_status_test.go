package store_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/recoup/recoup/engine"
	"github.com/recoup/recoup/ingest"
	"github.com/recoup/recoup/store"
	"github.com/recoup/recoup/store/storetest"
)

// TestReversalRestoresStatus: an invoice reopened by a reversed payment is
// overdue again when its due date is past in the company's zone, open
// otherwise, whether or not the example pack's mark-overdue rule (which
// fires once per invoice) already marked it before it was paid.
//
// L is due 03-01 and was marked overdue by the tick of 03-02; E is due
// 03-02 and N 03-10. All three are paid on 03-02 and the payments bounce at
// 17:00 UTC that day, 01:00 on 03-03 in Shanghai: E's due date is past
// there, though not yet in UTC.
func TestReversalRestoresStatus(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		created := time.Date(2026, 2, 1, 2, 0, 0, 0, time.UTC)
		if _, err := s.EnsureCompany(ctx, adjustCompany); err != nil {
			t.Fatal(err)
		}
		for _, f := range []struct{ kind, csv string }{
			{"customers", "id,name,email\nK1,Alpha Ltd,ap@alpha.test\n"},
			{"invoices", "number,customer_id,currency,amount,issue_date,due_date\n" +
				"L,K1,CNY,100.00,2026-02-01,2026-03-01\nE,K1,CNY,200.00,2026-02-02,2026-03-02\nN,K1,CNY,300.00,2026-02-10,2026-03-10\n"},
		} {
			if _, err := ingest.Reader(ctx, s, f.kind, f.kind+".csv", "csv", strings.NewReader(f.csv), ingest.Options{Company: adjustCompany, Now: created}); err != nil {
				t.Fatalf("%s: %v", f.kind, err)
			}
		}
		b := examples(t)
		tick := time.Date(2026, 3, 2, 9, 0, 0, 0, shanghai)
		if _, err := engine.RunTick(ctx, b, s, engine.TickOptions{At: tick, Location: shanghai}); err != nil {
			t.Fatal(err)
		}
		status := func(number string) string {
			t.Helper()
			return invoiceState(t, s, number).Status
		}
		for number, want := range map[string]string{"L": "overdue", "E": "open", "N": "open"} {
			if got := status(number); got != want {
				t.Fatalf("%s after the tick of 03-02 is %s, want %s", number, got, want)
			}
		}
		paid := tick.Add(time.Hour)
		for _, p := range []struct {
			number string
			minor  int64
		}{{"L", 10000}, {"E", 20000}, {"N", 30000}} {
			if out := recordPay(t, s, "PAY-"+p.number, p.number, p.minor, paid); out.Status != "paid" {
				t.Fatalf("%s after its payment: %+v", p.number, out)
			}
		}
		bounced := time.Date(2026, 3, 2, 17, 0, 0, 0, time.UTC)
		for number, want := range map[string]string{"L": "overdue", "E": "overdue", "N": "open"} {
			out, err := s.ReversePayment(ctx, store.PaymentReversal{Reference: "PAY-" + number, Reason: "transfer bounced"}, bounced)
			if err != nil {
				t.Fatal(err)
			}
			if out.Status != want || status(number) != want {
				t.Errorf("%s after the reversal: %s (stored %s), want %s", number, out.Status, status(number), want)
			}
		}
		// The next tick leaves them so: mark-overdue does not fire again on
		// L, and marks E, which it had never marked.
		if _, err := engine.RunTick(ctx, b, s, engine.TickOptions{At: tick.Add(24 * time.Hour), Location: shanghai}); err != nil {
			t.Fatal(err)
		}
		for number, want := range map[string]string{"L": "overdue", "E": "overdue", "N": "open"} {
			if got := status(number); got != want {
				t.Errorf("%s after the tick of 03-03 is %s, want %s", number, got, want)
			}
		}
	})
}
