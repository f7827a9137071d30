package api_test

import (
	"fmt"
	"testing"

	"github.com/recoup/recoup/api"
	"github.com/recoup/recoup/store"
	"github.com/recoup/recoup/store/storetest"
)

// TestOverpaymentIsCredit: a payment beyond an invoice's balance settles it
// at zero and the excess is the customer's unapplied credit, shown on the
// customer; more payments on the paid invoice are all credit; a reference
// in another case or with spaces is the payment already recorded (issue 15:
// the balance went to −9223372036842775807, then −1, −2, and "bank-1" was
// recorded beside "BANK-1").
func TestOverpaymentIsCredit(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		f := setup(t, s, api.Options{})
		var number, customer string
		var balance int64
		storetest.SQL(s).QueryRow(`SELECT i.number, c.external_id, i.balance_minor FROM invoices i JOIN customers c ON c.id = i.customer_id
			WHERE i.currency = 'CNY' AND i.balance_minor > 0 AND i.status <> 'paid' ORDER BY i.id LIMIT 1`).Scan(&number, &customer, &balance)
		fin := f.login(finance)
		pay := func(ref string, amount int64) map[string]any {
			return map[string]any{"reference": ref, "invoice": number, "amount_minor": amount, "currency": "CNY", "paid_at": "2026-11-02T01:00:00Z"}
		}
		var res api.PaymentResult
		fin.do("POST", "/api/payments", pay("BANK-2026-0001", balance+500)).want(201).decode(&res)
		if res.BalanceMinor != 0 || res.InvoiceStatus != "paid" || *res.AppliedMinor != balance || *res.UnappliedMinor != 500 {
			t.Fatalf("overpayment: %+v (applied %d, unapplied %d), want balance 0, paid, %d applied, 500 credit", res, *res.AppliedMinor, *res.UnappliedMinor, balance)
		}
		fin.do("POST", "/api/payments", pay("BANK-2026-0002", 300)).want(201).decode(&res)
		if res.BalanceMinor != 0 || *res.AppliedMinor != 0 || *res.UnappliedMinor != 300 {
			t.Fatalf("payment on a paid invoice: %+v", res)
		}
		for _, ref := range []string{"bank-2026-0001", " BANK-2026-0001 ", "Bank-2026-0001\t"} {
			fin.do("POST", "/api/payments", pay(ref, balance+500)).want(200).decode(&res)
			if !res.Duplicate {
				t.Fatalf("%q: %+v", ref, res)
			}
		}
		if n := f.count("SELECT COUNT(*) FROM payments p JOIN invoices i ON i.id = p.invoice_id WHERE i.number = ?", number); n != 2 {
			t.Fatalf("%d payments on %s, want 2", n, number)
		}
		if n := f.count("SELECT COUNT(*) FROM invoices WHERE balance_minor < 0"); n != 0 {
			t.Fatalf("%d invoices with a negative balance", n)
		}
		var detail store.CustomerDetail
		fin.do("GET", "/api/customers/"+customer, nil).want(200).decode(&detail)
		if got := fmt.Sprint(detail.UnappliedCredit); got != "[{CNY 800}]" {
			t.Fatalf("unapplied credit %s, want [{CNY 800}]", got)
		}
	})
}
