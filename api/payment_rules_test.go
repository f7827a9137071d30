package api_test

import (
	"testing"

	"github.com/recoup/recoup/api"
	"github.com/recoup/recoup/store"
	"github.com/recoup/recoup/store/storetest"
)

// TestPaymentAfterRules: the payment answer's invoice_status is the
// invoice's after its rules ran (an invoice overdue since the last tick
// answers overdue, not the open it had), and a rule's task about an
// invoice (the due-soon todo) closes when the invoice is paid.
func TestPaymentAfterRules(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		f := setup(t, s, api.Options{})
		fin := f.login(finance)
		var customer string
		var page struct{ Items []store.CustomerSummary }
		fin.do("GET", "/api/customers?limit=1", nil).want(200).decode(&page)
		if len(page.Items) == 0 {
			t.Fatal("no customer")
		}
		customer = page.Items[0].ID
		// Today is 2026-11-02: T-SOON falls due in two days, T-LATE fell due
		// two weeks ago and no tick has run since it was imported.
		csv := "number,customer_id,currency,amount,issue_date,due_date,owner\n" +
			"T-SOON," + customer + ",CNY,100.00,2026-10-20,2026-11-04," + rep + "\n" +
			"T-LATE," + customer + ",CNY,100.00,2026-09-20,2026-10-19," + rep + "\n"
		f.login(admin).send("POST", "/api/import/invoices", "text/csv", csv).want(200)

		var out api.PaymentResult
		pay := func(ref, number string, minor int64) api.PaymentResult {
			fin.do("POST", "/api/payments", map[string]any{"reference": ref, "invoice": number, "amount_minor": minor, "currency": "CNY",
				"paid_at": "2026-11-02T01:00:00Z"}).want(201).decode(&out)
			return out
		}
		if r := pay("late-1", "T-LATE", 100); r.InvoiceStatus != "overdue" || r.BalanceMinor != 9900 {
			t.Errorf("part payment on an invoice due 2026-10-19: %s, balance %d; want overdue, 9900", r.InvoiceStatus, r.BalanceMinor)
		}

		ruleTasks := func(status string) int {
			return f.count("SELECT COUNT(*) FROM tasks t JOIN invoices i ON i.id = t.invoice_id WHERE i.number = 'T-SOON' AND t.key LIKE 'rule/%' AND t.status = ?", status)
		}
		pay("soon-1", "T-SOON", 1000) // the rules run: the due-soon todo
		if n := ruleTasks("open"); n != 1 {
			t.Fatalf("%d open rule tasks on T-SOON after a part payment, want the due-soon todo", n)
		}
		if r := pay("soon-2", "T-SOON", 9000); r.InvoiceStatus != "paid" || r.BalanceMinor != 0 {
			t.Fatalf("settling payment: %+v", r)
		}
		if open, cancelled := ruleTasks("open"), ruleTasks("cancelled"); open != 0 || cancelled != 1 {
			t.Errorf("after payment in full: %d open and %d cancelled rule tasks, want 0 and 1", open, cancelled)
		}
	})
}
