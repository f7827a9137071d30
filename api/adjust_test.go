package api_test

import (
	"context"
	"fmt"
	"net/url"
	"testing"
	"time"

	"github.com/recoup/recoup/api"
	"github.com/recoup/recoup/engine"
	"github.com/recoup/recoup/store"
	"github.com/recoup/recoup/store/storetest"
)

// TestDirectorWriteOffDecision: the director decides a partial write-off
// on an escalation approval; the decision's write_off action records the
// amount decided as a write-off adjustment, approved by the director, once
// however often the tick runs again; the balance falls by exactly that.
func TestDirectorWriteOffDecision(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		f := setup(t, s, api.Options{})
		dir := f.login(director)
		var q struct{ Items []store.InboxTask }
		dir.do("GET", "/api/approvals?limit=500", nil).want(200).decode(&q)
		var a *store.InboxTask
		for i := range q.Items {
			if q.Items[i].Workflow != "" && q.Items[i].BalanceMinor > 200 {
				a = &q.Items[i]
				break
			}
		}
		if a == nil {
			t.Fatal("no escalation approval open after the first tick")
		}
		var before store.InvoiceDetail
		dir.do("GET", "/api/invoices/"+url.PathEscape(a.Invoice), nil).want(200).decode(&before)
		part := before.Invoice.BalanceMinor / 2
		amount := fmt.Sprintf("%d.%02d %s", part/100, part%100, before.Invoice.Currency)
		dir.do("POST", fmt.Sprintf("/api/approvals/%d/decide", a.ID), map[string]any{"values": map[string]any{
			"decision": "write_off", "write_off_amount": amount, "comment": "customer insolvent, half recoverable"}}).want(200)
		var after store.InvoiceDetail
		dir.do("GET", "/api/invoices/"+url.PathEscape(a.Invoice), nil).want(200).decode(&after)
		if after.Invoice.BalanceMinor != before.Invoice.BalanceMinor-part || after.Invoice.WrittenOffMinor != part {
			t.Fatalf("after a write-off of %s: balance %d (was %d), written off %d", amount, after.Invoice.BalanceMinor, before.Invoice.BalanceMinor, after.Invoice.WrittenOffMinor)
		}
		if len(after.Adjustments) != 1 || after.Adjustments[0].Kind != "write_off" || after.Adjustments[0].AmountMinor != part ||
			after.Adjustments[0].ApprovedBy != director || after.Adjustments[0].Reason != "customer insolvent, half recoverable" {
			t.Fatalf("adjustments = %+v", after.Adjustments)
		}
		// A replayed tick records nothing more.
		b := storetest.PublishExamples(t, s, "../rules-examples")
		for range 2 {
			if _, err := engine.RunTick(context.Background(), b, s, engine.TickOptions{At: now, Location: shanghai}); err != nil {
				t.Fatal(err)
			}
		}
		if n := f.count("SELECT COUNT(*) FROM adjustments WHERE kind = 'write_off'"); n != 1 {
			t.Fatalf("%d write-offs after more ticks, want 1", n)
		}
	})
}

// TestAdjustmentsAPI: roles, refusals by field with nothing written, a
// credit note and a reversal through the API.
func TestAdjustmentsAPI(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		f := setup(t, s, api.Options{})
		var number, currency string
		var balance int64
		storetest.SQL(s).QueryRow("SELECT number, currency, balance_minor FROM invoices WHERE balance_minor > 10000 ORDER BY id LIMIT 1").Scan(&number, &currency, &balance)
		path := "/api/invoices/" + url.PathEscape(number) + "/adjustments"
		body := func(kind string, amount int64, cur string) map[string]any {
			m := map[string]any{"key": "k-" + kind, "kind": kind, "currency": cur, "reason": "agreed with the customer"}
			if amount > 0 {
				m["amount_minor"] = amount
			}
			return m
		}
		f.login(rep).do("POST", path, body("credit_note", 100, currency)).want(403)
		f.login(finance).do("POST", path, body("write_off", 100, currency)).want(403) // the director's decision
		fin := f.login(finance)
		p := fin.do("POST", path, body("credit_note", balance+1, currency)).want(422).problem()
		if p.Errors == nil || len(*p.Errors) != 1 || (*p.Errors)[0].Field != "amount" {
			t.Fatalf("too much: %+v", p)
		}
		other := "USD"
		if currency == "USD" {
			other = "CNY"
		}
		p = fin.do("POST", path, body("credit_note", 100, other)).want(422).problem()
		if p.Errors == nil || len(*p.Errors) != 1 || (*p.Errors)[0].Field != "currency" {
			t.Fatalf("other currency: %+v", p)
		}
		if n := f.count("SELECT COUNT(*) FROM adjustments WHERE key LIKE 'k-%'"); n != 0 {
			t.Fatalf("refused adjustments wrote %d rows", n)
		}
		var res api.AdjustmentResult
		fin.do("POST", path, body("credit_note", 1000, currency)).want(201).decode(&res)
		if res.BalanceMinor != balance-1000 || res.Duplicate {
			t.Fatalf("credit note: %+v", res)
		}
		fin.do("POST", path, body("credit_note", 1000, currency)).want(200).decode(&res)
		if !res.Duplicate || res.BalanceMinor != balance-1000 {
			t.Fatalf("the same key again: %+v", res)
		}
		dir := f.login(director)
		dir.do("POST", path, body("write_off", 0, currency)).want(201).decode(&res)
		if res.BalanceMinor != 0 || res.InvoiceStatus != "written_off" {
			t.Fatalf("whole write-off: %+v", res)
		}
		// A payment that then bounces: recovered, then reversed.
		var pay api.PaymentResult
		fin.do("POST", "/api/payments", map[string]any{"reference": "BANK-77", "invoice": number, "amount_minor": 500, "currency": currency,
			"paid_at": now.Add(-time.Hour)}).want(201).decode(&pay)
		var d store.InvoiceDetail
		fin.do("GET", "/api/invoices/"+url.PathEscape(number), nil).want(200).decode(&d)
		if d.Invoice.WrittenOffMinor != balance-1000-500 {
			t.Fatalf("written off %d after a 5.00 recovery, want %d", d.Invoice.WrittenOffMinor, balance-1500)
		}
		fin.do("POST", "/api/payments/BANK-77/reversal", map[string]any{"reason": "x"}).want(422)
		fin.do("POST", "/api/payments/NOPE/reversal", map[string]any{"reason": "transfer bounced"}).want(404)
		f.login(rep).do("POST", "/api/payments/BANK-77/reversal", map[string]any{"reason": "transfer bounced"}).want(403)
		fin.do("POST", "/api/payments/BANK-77/reversal", map[string]any{"reason": "transfer bounced"}).want(200).decode(&pay)
		fin.do("GET", "/api/invoices/"+url.PathEscape(number), nil).want(200).decode(&d)
		if d.Invoice.WrittenOffMinor != balance-1000 || len(d.Payments) == 0 || d.Payments[len(d.Payments)-1].ReversedAt == nil {
			t.Fatalf("after the reversal: %+v, payments %+v", d.Invoice, d.Payments)
		}
	})
}
