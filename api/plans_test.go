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
	"github.com/recoup/recoup/usecase"
)

// TestPaymentPlanDecision: the director decides a payment plan; the tick
// writes it once (installments summing to the balance, the remainder on the
// last) and the escalation pauses; an installment paid keeps it on track;
// an installment more than the grace late breaks it once, tells the
// director and resumes the escalation.
func TestPaymentPlanDecision(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		f := setup(t, s, api.Options{})
		dir := f.login(director)
		var q struct{ Items []store.InboxTask }
		dir.do("GET", "/api/approvals?limit=500", nil).want(200).decode(&q)
		var a *store.InboxTask
		for i := range q.Items {
			if q.Items[i].Workflow != "" && q.Items[i].BalanceMinor > 1000 {
				a = &q.Items[i]
				break
			}
		}
		if a == nil {
			t.Fatal("no escalation approval open after the first tick")
		}
		today := now.In(shanghai)
		first := today.AddDate(0, 0, 10)
		var preview usecase.PlanPreview
		dir.do("POST", "/api/payment-plans/preview", map[string]any{"invoices": []string{a.Invoice}, "count": 3, "first_due": first.Format("2006-01-02")}).
			want(200).decode(&preview)
		dir.do("POST", fmt.Sprintf("/api/approvals/%d/decide", a.ID), map[string]any{"values": map[string]any{
			"decision": "payment_plan", "installments": 3, "first_installment_date": first.Format("2006-01-02")}}).want(200)
		b := storetest.PublishExamples(t, s, "../rules-examples")
		tick := func(at time.Time) {
			t.Helper()
			f.clock.Store(&at)
			if _, err := engine.RunTick(ctx, b, s, engine.TickOptions{At: at, Location: shanghai}); err != nil {
				t.Fatal(err)
			}
		}
		tick(now) // a replayed tick: still one plan
		var d store.InvoiceDetail
		dir.do("GET", "/api/invoices/"+url.PathEscape(a.Invoice), nil).want(200).decode(&d)
		p := d.Plan
		if p == nil || p.State != "on_track" || len(p.Installments) != 3 || p.PlannedMinor != d.Invoice.BalanceMinor || p.CreatedBy != director {
			t.Fatalf("plan = %+v (balance %d)", p, d.Invoice.BalanceMinor)
		}
		var sum int64
		for i, in := range p.Installments {
			sum += in.AmountMinor
			if in.AmountMinor != preview.Installments[i].AmountMinor || in.DueDate != preview.Installments[i].DueDate {
				t.Errorf("installment %d = %+v, the preview said %+v", i+1, in, preview.Installments[i])
			}
		}
		if sum != p.PlannedMinor || p.Installments[2].AmountMinor < p.Installments[0].AmountMinor {
			t.Fatalf("installments %+v do not sum to %d with the remainder on the last", p.Installments, p.PlannedMinor)
		}
		if n := f.count("SELECT COUNT(*) FROM payment_plans"); n != 1 {
			t.Fatalf("%d plans, want 1", n)
		}
		status := func() string {
			var st string
			storetest.SQL(s).QueryRow(storetest.Rebind(s, "SELECT w.status FROM workflow_instances w JOIN invoices i ON i.id = w.invoice_id WHERE i.number = ?"), a.Invoice).Scan(&st)
			return st
		}
		if st := status(); st != engine.InstancePaused {
			t.Fatalf("escalation %s, want paused", st)
		}
		// The first installment paid on its day: on track.
		payDay := time.Date(first.Year(), first.Month(), first.Day(), 11, 0, 0, 0, shanghai)
		f.clock.Store(&payDay)
		fin := f.login(finance)
		fin.do("POST", "/api/payments", map[string]any{"reference": "PLAN-1", "invoice": a.Invoice, "amount_minor": p.Installments[0].AmountMinor,
			"currency": d.Invoice.Currency, "paid_at": payDay}).want(201)
		tick(payDay.Add(24 * time.Hour))
		f.login(director).do("GET", fmt.Sprintf("/api/payment-plans/%d", p.ID), nil).want(200).decode(p)
		if p.State != "on_track" || p.Installments[0].Status != "paid" || p.PaidMinor != p.Installments[0].AmountMinor {
			t.Fatalf("after the first installment: %+v", p)
		}
		if st := status(); st != engine.InstancePaused {
			t.Fatalf("escalation %s on track, want paused", st)
		}
		// The second missed: late within the grace, broken beyond it.
		second := p.Installments[1].DueDate
		tick(time.Date(second.Year, second.Month, second.Day, 9, 0, 0, 0, shanghai).AddDate(0, 0, 5))
		f.login(director).do("GET", fmt.Sprintf("/api/payment-plans/%d", p.ID), nil).want(200).decode(p)
		if p.State != "late" || p.Status != "active" {
			t.Fatalf("5 days late: %+v", p)
		}
		broken := time.Date(second.Year, second.Month, second.Day, 9, 0, 0, 0, shanghai).AddDate(0, 0, 6)
		tick(broken)
		tick(broken) // replayed
		f.login(director).do("GET", fmt.Sprintf("/api/payment-plans/%d", p.ID), nil).want(200).decode(p)
		if p.Status != "broken" || p.ArrearsMinor != p.Installments[1].AmountMinor {
			t.Fatalf("6 days late: %+v", p)
		}
		if n := f.count("SELECT COUNT(*) FROM effects WHERE kind = 'plan_broken'"); n != 1 {
			t.Fatalf("%d plan_broken effects, want 1", n)
		}
		if n := f.count("SELECT COUNT(*) FROM outbox WHERE template = 'plan-broken'"); n != 1 {
			t.Fatalf("%d plan-broken notices to the director, want 1", n)
		}
		if st := status(); st == engine.InstancePaused {
			t.Fatal("the escalation stays paused after the plan broke")
		}
	})
}

// TestPlansAPI: a plan agreed directly by finance over two invoices,
// refusals by field, cancelling.
func TestPlansAPI(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		f := setup(t, s, api.Options{})
		var cust int64
		storetest.SQL(s).QueryRow(`SELECT customer_id FROM invoices WHERE balance_minor > 0 AND currency = 'CNY' GROUP BY customer_id HAVING COUNT(*) >= 2 ORDER BY customer_id LIMIT 1`).Scan(&cust)
		rows, err := storetest.SQL(s).Query(storetest.Rebind(s, `SELECT number, balance_minor FROM invoices WHERE customer_id = ? AND balance_minor > 0 AND currency = 'CNY' ORDER BY id LIMIT 2`), cust)
		if err != nil {
			t.Fatal(err)
		}
		var numbers []string
		var total int64
		for rows.Next() {
			var n string
			var b int64
			rows.Scan(&n, &b)
			numbers, total = append(numbers, n), total+b
		}
		rows.Close()
		if len(numbers) != 2 {
			t.Fatal("no customer with two open CNY invoices")
		}
		fin := f.login(finance)
		day := func(n int) string { return now.In(shanghai).AddDate(0, 0, n).Format("2006-01-02") }
		body := map[string]any{"key": "PP-1", "invoices": numbers, "installments": []map[string]any{
			{"due_date": day(7), "amount_minor": total - 100}, {"due_date": day(37), "amount_minor": 99}}}
		pr := fin.do("POST", "/api/payment-plans", body).want(422).problem()
		if pr.Errors == nil || (*pr.Errors)[0].Field != "installments" {
			t.Fatalf("installments not summing to the balance: %+v", pr)
		}
		body["installments"] = []map[string]any{{"due_date": day(-1), "amount_minor": total - 100}, {"due_date": day(37), "amount_minor": 100}}
		pr = fin.do("POST", "/api/payment-plans", body).want(422).problem()
		if pr.Errors == nil || (*pr.Errors)[0].Field != "installments[0].due_date" {
			t.Fatalf("a first installment in the past: %+v", pr)
		}
		f.login(rep).do("POST", "/api/payment-plans", body).want(403)
		if n := f.count("SELECT COUNT(*) FROM payment_plans"); n != 0 {
			t.Fatalf("refused plans wrote %d", n)
		}
		body["installments"] = []map[string]any{{"due_date": day(7), "amount_minor": total - 100}, {"due_date": day(37), "amount_minor": 100}}
		var p store.PlanView
		fin.do("POST", "/api/payment-plans", body).want(201).decode(&p)
		if p.PlannedMinor != total || len(p.Invoices) != 2 || p.State != "on_track" {
			t.Fatalf("plan = %+v", p)
		}
		var again store.PlanView
		fin.do("POST", "/api/payment-plans", body).want(201).decode(&again)
		if again.ID != p.ID || f.count("SELECT COUNT(*) FROM payment_plans") != 1 {
			t.Fatal("the same key made a second plan")
		}
		fin.do("POST", fmt.Sprintf("/api/payment-plans/%d/cancel", p.ID), map[string]any{"reason": "customer asked"}).want(200).decode(&p)
		if p.Status != "cancelled" {
			t.Fatalf("cancelled plan = %+v", p)
		}
		fin.do("POST", fmt.Sprintf("/api/payment-plans/%d/cancel", p.ID), map[string]any{"reason": "customer asked"}).want(409)
	})
}
