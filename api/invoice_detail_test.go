package api_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/recoup/recoup/api"
	"github.com/recoup/recoup/engine"
	"github.com/recoup/recoup/store"
	"github.com/recoup/recoup/store/storetest"
)

// TestInvoiceDetail: GET /api/invoices/{number} answers the documented
// snake_case fields with the database's values (owner, custom columns,
// payments, effects with why, tasks, approvals, messages and what people
// did), numbers with a slash included, and hides other reps' invoices.
func TestInvoiceDetail(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		f := setup(t, s, api.Options{})
		// A day later, the invoices 7 days overdue at setup's first tick
		// (which sent their reminder) move to the call stage.
		b, err := s.LoadPublished(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if _, err := engine.RunTick(context.Background(), b, s, engine.TickOptions{At: now, Location: shanghai}); err != nil {
			t.Fatal(err)
		}
		// An invoice of rep1.east with an open task, a message and a payment.
		var number, taskRef string
		var taskID int64
		if err := storetest.SQL(s).QueryRow(storetest.Rebind(s, `SELECT i.number, t.id, t.key FROM invoices i JOIN tasks t ON t.invoice_id = i.id
			JOIN users u ON u.id = i.owner_id WHERE u.email = ? AND t.assignee_id = u.id AND t.status = 'open' AND t.kind = 'task'
			AND EXISTS (SELECT 1 FROM outbox o WHERE o.invoice_id = i.id) ORDER BY i.id LIMIT 1`), rep).Scan(&number, &taskID, &taskRef); err != nil {
			t.Fatalf("no invoice of %s with a task and a message: %v", rep, err)
		}
		if _, err := storetest.SQL(s).Exec(storetest.Rebind(s, `UPDATE invoices SET custom = '{"po":"PO-77","project":"Atlas"}' WHERE number = ?`), number); err != nil {
			t.Fatal(err)
		}
		fin := f.login(finance)
		var currency string
		storetest.SQL(s).QueryRow(storetest.Rebind(s, "SELECT currency FROM invoices WHERE number = ?"), number).Scan(&currency)
		fin.do("POST", "/api/payments", map[string]any{"reference": "PAY-DETAIL-1", "invoice": number, "amount_minor": 100,
			"currency": currency, "paid_at": now.Add(-time.Hour).Format(time.RFC3339)}).want(201)
		r := f.login(rep)
		r.do("POST", fmt.Sprintf("/api/tasks/%d/comments", taskID), map[string]any{"text": "called, no answer"}).want(201)

		res := r.do("GET", "/api/invoices/"+url.PathEscape(number), nil).want(200)
		var top map[string]json.RawMessage
		res.decode(&top)
		for _, k := range []string{"invoice", "payments", "effects", "tasks", "approvals", "messages", "activity"} {
			if v, ok := top[k]; !ok || string(v) == "null" {
				t.Errorf("%s: %s", k, v)
			}
		}
		var inv map[string]any
		json.Unmarshal(top["invoice"], &inv)
		for _, k := range []string{"number", "customer", "customer_name", "currency", "amount_minor", "paid_minor", "balance_minor",
			"issue_date", "due_date", "days_overdue", "aging", "status", "risk", "owner", "owner_name", "disputed", "custom"} {
			if _, ok := inv[k]; !ok {
				t.Errorf("invoice lacks %s: %s", k, top["invoice"])
			}
		}

		var d store.InvoiceDetail
		res.decode(&d)
		in := d.Invoice
		if in.Number != number || in.Owner != rep || in.OwnerName == "" || in.Custom["po"] != "PO-77" || in.CustomerName == "" {
			t.Fatalf("invoice: %+v", in)
		}
		var paid, balance int64
		storetest.SQL(s).QueryRow(storetest.Rebind(s, "SELECT paid_minor, balance_minor FROM invoices WHERE number = ?"), number).Scan(&paid, &balance)
		if in.PaidMinor != paid || in.BalanceMinor != balance || paid < 100 {
			t.Fatalf("paid %d balance %d, database %d %d", in.PaidMinor, in.BalanceMinor, paid, balance)
		}
		if n := f.count("SELECT COUNT(*) FROM payments p JOIN invoices i ON i.id = p.invoice_id WHERE i.number = ?", number); len(d.Payments) != n ||
			!slices.ContainsFunc(d.Payments, func(p store.InvoicePayment) bool { return p.Reference == "PAY-DETAIL-1" && p.AmountMinor == 100 }) {
			t.Fatalf("payments %+v, database has %d", d.Payments, n)
		}
		if n := f.count("SELECT COUNT(*) FROM effects e JOIN invoices i ON i.id = e.invoice_id WHERE i.number = ?", number); len(d.Effects) != n || n == 0 {
			t.Fatalf("%d effects, database has %d", len(d.Effects), n)
		}
		why := false
		for _, e := range d.Effects {
			if e.Definition == "" || e.DefinitionKind == "" || e.At.IsZero() || e.Trace == nil {
				t.Fatalf("effect without its why: %+v", e)
			}
			why = why || len(e.Trace) > 0
		}
		if !why {
			t.Fatal("no effect carries the values its condition saw")
		}
		if !slices.ContainsFunc(d.Tasks, func(task store.InboxTask) bool { return task.ID == taskID }) {
			t.Fatalf("tasks %+v lack %d", d.Tasks, taskID)
		}
		for _, a := range d.Approvals {
			if a.Kind != "approval" || a.Invoice != number {
				t.Fatalf("approval %+v", a)
			}
		}
		if n := f.count("SELECT COUNT(*) FROM outbox o JOIN invoices i ON i.id = o.invoice_id WHERE i.number = ?", number); len(d.Messages) != n || n == 0 {
			t.Fatalf("%d messages, database has %d", len(d.Messages), n)
		}
		for _, m := range d.Messages {
			if m.Channel == "" || m.Status == "" || m.CreatedAt.IsZero() {
				t.Fatalf("message %+v", m)
			}
		}
		var acts []string
		for _, a := range d.Activity {
			acts = append(acts, a.Actor+" "+a.Action+" "+string(a.Detail))
		}
		if got := strings.Join(acts, "\n"); !strings.Contains(got, finance+` payment.received {`) || !strings.Contains(got, `"reference":"PAY-DETAIL-1"`) ||
			!strings.Contains(got, rep+` task.comment {"text":"called, no answer"}`) {
			t.Fatalf("activity:\n%s", got)
		}
		if d.Activity[len(d.Activity)-1].TaskID != taskID || d.Activity[len(d.Activity)-1].ActorName == "" {
			t.Fatalf("comment %+v", d.Activity[len(d.Activity)-1])
		}

		// A completed call reads as its form names it: each field's and
		// option's label in both languages.
		var callID int64
		var callInvoice string
		if err := storetest.SQL(s).QueryRow(storetest.Rebind(s, `SELECT t.id, i.number FROM tasks t JOIN invoices i ON i.id = t.invoice_id JOIN users u ON u.id = t.assignee_id
			WHERE u.email = ? AND t.status = 'open' AND t.form = 'call-outcome' ORDER BY t.id LIMIT 1`), rep).Scan(&callID, &callInvoice); err != nil {
			t.Fatalf("no open call of %s: %v", rep, err)
		}
		r.do("POST", fmt.Sprintf("/api/tasks/%d/complete", callID), map[string]any{"values": map[string]any{"outcome": "unreachable", "notes": "no answer twice"}}).want(200)
		var called store.InvoiceDetail
		r.do("GET", "/api/invoices/"+url.PathEscape(callInvoice), nil).want(200).decode(&called)
		i := slices.IndexFunc(called.Activity, func(a store.ActionEntry) bool { return a.TaskID == callID && a.Action == store.ActionTaskCompleted })
		if i < 0 {
			t.Fatalf("no task.completed for %d in %+v", callID, called.Activity)
		}
		out := called.Activity[i].Fields["outcome"]
		if out.Type != "enum" || out.Label == nil || out.Label.ZhCN == "" || out.Options["unreachable"] == nil || out.Options["unreachable"].ZhCN != "无法联系" ||
			called.Activity[i].Fields["notes"].Label == nil {
			t.Fatalf("the completed call's labels: %+v", called.Activity[i].Fields)
		}

		// An invoice without payments answers empty lists, not null.
		var unpaid string
		storetest.SQL(s).QueryRow("SELECT i.number FROM invoices i WHERE NOT EXISTS (SELECT 1 FROM payments p WHERE p.invoice_id = i.id) ORDER BY i.id LIMIT 1").Scan(&unpaid)
		if body := string(fin.do("GET", "/api/invoices/"+unpaid, nil).want(200).body); strings.Contains(body, "null") {
			t.Fatalf("null in %s", body)
		}

		// A number with slashes, sent escaped.
		if _, err := storetest.SQL(s).Exec(storetest.Rebind(s, "UPDATE invoices SET number = 'INV/2026/0001' WHERE number = ?"), number); err != nil {
			t.Fatal(err)
		}
		var slashed store.InvoiceDetail
		r.do("GET", "/api/invoices/INV%2F2026%2F0001", nil).want(200).decode(&slashed)
		if slashed.Invoice.Number != "INV/2026/0001" || len(slashed.Payments) != len(d.Payments) {
			t.Fatalf("%+v", slashed.Invoice)
		}
		r.do("GET", "/api/invoices/INV%2F2026%2F0002", nil).want(404)

		// Another team's invoice is missing for the rep.
		var west string
		storetest.SQL(s).QueryRow(storetest.Rebind(s, "SELECT i.number FROM invoices i JOIN users u ON u.id = i.owner_id WHERE u.email = ? ORDER BY i.id LIMIT 1"), westRep).Scan(&west)
		if p := r.do("GET", "/api/invoices/"+west, nil).want(404).problem(); p.Detail != nil && strings.Contains(*p.Detail, west) {
			t.Fatalf("the 404 names the hidden invoice: %+v", p)
		}
		fin.do("GET", "/api/invoices/"+west, nil).want(200)
	})
}
