package store_test

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/recoup/recoup/engine"
	"github.com/recoup/recoup/store"
	"github.com/recoup/recoup/store/storetest"
)

// TestInboxCacheFollowsWrites: after each kind of write that changes what
// an inbox shows (a task's fields, a new task, the assignee's email, an
// invoice's owner under a manager's scope, a tick), the inbox answers what
// the database holds, not the page it answered before.
func TestInboxCacheFollowsWrites(t *testing.T) {
	t.Parallel()
	s := storetest.SQLite(t)
	ctx := context.Background()
	seedDemo(t, s, 30, 300, "2026-11-29")
	at := time.Date(2026, 11, 29, 9, 0, 0, 0, shanghai)
	if _, err := engine.RunTick(ctx, examples(t), s, engine.TickOptions{At: at, Location: shanghai}); err != nil {
		t.Fatal(err)
	}
	now := at.Add(time.Hour)
	var rep, manager store.Viewer
	if err := storetest.SQL(s).QueryRow(`SELECT u.id, u.team FROM users u WHERE u.role = 'sales_rep'
		AND EXISTS (SELECT 1 FROM tasks t WHERE t.assignee_id = u.id AND t.status = 'open') ORDER BY u.id LIMIT 1`).Scan(&rep.UserID, &rep.Team); err != nil {
		t.Fatal(err)
	}
	rep.Role = store.RoleSalesRep
	if err := storetest.SQL(s).QueryRow(`SELECT id FROM users WHERE role = 'sales_manager' AND team = ?`, rep.Team).Scan(&manager.UserID); err != nil {
		t.Fatal(err)
	}
	manager.Role, manager.Team = store.RoleSalesManager, rep.Team
	// Overdue pages are asked for at the median due time of the rep's
	// open tasks: about half are overdue then.
	open, err := s.InboxUncached(ctx, rep, store.InboxFilter{Now: now, Limit: 500, Sort: store.SortDue})
	if err != nil || len(open) < 4 {
		t.Fatalf("rep's inbox: %d tasks, %v", len(open), err)
	}
	later := open[len(open)/2].DueAt
	if later.IsZero() || !later.After(open[0].DueAt) {
		t.Fatalf("the rep's tasks are not due at different times: %v", later)
	}
	views := []struct {
		v store.Viewer
		f store.InboxFilter
	}{
		{rep, store.InboxFilter{Now: now}},
		{rep, store.InboxFilter{Now: now, Status: "all", Limit: 500}},
		{manager, store.InboxFilter{Now: now, Limit: 500}},
		// Overdue pages come from the inbox's page without the filter.
		{rep, store.InboxFilter{Now: later, Due: "overdue"}},
		{rep, store.InboxFilter{Now: later, Due: "overdue", Limit: 3}},
		{rep, store.InboxFilter{Now: now.Add(10 * 24 * time.Hour), Due: "overdue", Status: "all"}},
		{manager, store.InboxFilter{Now: later, Due: "overdue", Limit: 20}},
		{rep, store.InboxFilter{Now: now.Add(24 * time.Hour), View: store.ViewToday, Sort: store.SortDue}},
		{manager, store.InboxFilter{Now: now, Limit: 5, Team: rep.Team, Stage: "call"}},
	}
	page := func(i int) string {
		got, err := s.Inbox(ctx, views[i].v, views[i].f)
		if err != nil {
			t.Fatal(err)
		}
		want, err := s.InboxUncached(ctx, views[i].v, views[i].f)
		if err != nil {
			t.Fatal(err)
		}
		g, _ := json.Marshal(got)
		w, _ := json.Marshal(want)
		if string(g) != string(w) {
			t.Fatalf("view %d: the inbox answered a page the database no longer holds", i)
		}
		return string(g)
	}
	pages := func() []string {
		var out []string
		for i := range views {
			page(i)
			out = append(out, page(i)) // the second read comes from the cache
		}
		return out
	}
	exec := func(q string, args ...any) {
		t.Helper()
		if _, err := storetest.SQL(s).Exec(q, args...); err != nil {
			t.Fatal(err)
		}
	}
	var task, invoice int64
	if err := storetest.SQL(s).QueryRow(`SELECT id, invoice_id FROM tasks WHERE assignee_id = ? AND status = 'open' ORDER BY due_at, id LIMIT 1`, rep.UserID).Scan(&task, &invoice); err != nil {
		t.Fatal(err)
	}
	for i, p := range pages() {
		if p == "[]" {
			t.Fatalf("view %d is empty; the test proves nothing", i)
		}
	}
	for _, w := range []struct {
		name  string
		write func()
		view  int // a view the write must change (-1: none)
	}{
		{"task title", func() { exec(`UPDATE tasks SET title = 'Changed' WHERE id = ?`, task) }, 0},
		{"task due earlier", func() { exec(`UPDATE tasks SET due_at = '2001-01-01 00:00:00+00:00' WHERE id = ?`, task) }, 4},
		{"task done", func() { exec(`UPDATE tasks SET status = 'done', completed_at = ? WHERE id = ?`, now.UTC(), task) }, 0},
		{"new task", func() {
			exec(`INSERT INTO tasks (key, kind, title, status, priority, assignee_id, role, form, invoice_id, customer_id, due_at, created_at, updated_at)
				SELECT 'test/new', 'task', 'New', 'open', '', ?, '', '', NULL, NULL, '2000-01-01 00:00:00+00:00', ?, ? `, rep.UserID, now.UTC(), now.UTC())
		}, 0},
		{"assignee email", func() { exec(`UPDATE users SET email = 'renamed@demo.recoup.test' WHERE id = ?`, rep.UserID) }, 0},
		{"task for the managers of another team", func() {
			exec(`UPDATE tasks SET assignee_id = NULL, role = 'sales_manager' WHERE id = (SELECT MIN(t.id) FROM tasks t
				JOIN invoices i ON i.id = t.invoice_id JOIN users o ON o.id = i.owner_id
				WHERE t.status = 'open' AND o.team <> ? AND t.assignee_id IN (SELECT id FROM users WHERE team <> ?))`, rep.Team, rep.Team)
		}, -1}, // no view shows it yet
		{"its invoice moved to the team", func() {
			exec(`UPDATE invoices SET owner_id = ? WHERE id = (SELECT t.invoice_id FROM tasks t JOIN invoices i ON i.id = t.invoice_id JOIN users o ON o.id = i.owner_id
				WHERE t.role = 'sales_manager' AND t.assignee_id IS NULL AND t.status = 'open' AND o.team <> ? ORDER BY t.id LIMIT 1)`, rep.UserID, rep.Team)
		}, 2},
		{"a payment", func() {
			exec(`INSERT INTO payments (reference, invoice_id, amount_minor, currency, paid_at, created_at)
				SELECT 'test/pay', id, 1, currency, ?, ? FROM invoices WHERE id = ?`, now.UTC(), now.UTC(), invoice)
			exec(`UPDATE invoices SET paid_minor = paid_minor + 1, balance_minor = balance_minor - 1 WHERE id = ?`, invoice)
		}, -1},
		{"a payment alone", func() { exec(`UPDATE payments SET amount_minor = 2 WHERE reference = 'test/pay'`) }, -1},
		{"customer name", func() {
			exec(`UPDATE customers SET name = 'Renamed' WHERE id = (SELECT customer_id FROM invoices WHERE id = ?)`, invoice)
		}, 1},
		{"assignee name", func() { exec(`UPDATE users SET name = 'Renamed Rep' WHERE id = ?`, rep.UserID) }, 1},
		{"a later tick", func() {
			if _, err := engine.RunTick(ctx, examples(t), s, engine.TickOptions{At: at.Add(72 * time.Hour), Location: shanghai}); err != nil {
				t.Fatal(err)
			}
		}, 1},
	} {
		before := pages()
		w.write()
		after := pages()
		if w.view >= 0 && before[w.view] == after[w.view] {
			t.Fatalf("%s: view %d did not change; the test proves nothing", w.name, w.view)
		}
	}
}
