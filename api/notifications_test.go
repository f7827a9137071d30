package api_test

import (
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/recoup/recoup/api"
	"github.com/recoup/recoup/store"
	"github.com/recoup/recoup/store/storetest"
)

// TestNotifications: the bell's unread count, pages by cursor, each
// message with the invoice it is about, and read-all marks only the
// caller's.
func TestNotifications(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		f := setup(t, s, api.Options{})
		var repID, westID, invID int64
		var number string
		storetest.SQL(s).QueryRow(storetest.Rebind(s, "SELECT id FROM users WHERE email = ?"), rep).Scan(&repID)
		storetest.SQL(s).QueryRow(storetest.Rebind(s, "SELECT id FROM users WHERE email = ?"), westRep).Scan(&westID)
		storetest.SQL(s).QueryRow("SELECT id, number FROM invoices ORDER BY id LIMIT 1").Scan(&invID, &number)
		for i := range 5 {
			var inv any
			if i%2 == 0 {
				inv = invID
			}
			if _, err := storetest.SQL(s).Exec(storetest.Rebind(s, `INSERT INTO inapp_messages (key, user_id, title, body, invoice_id, created_at) VALUES (?, ?, ?, ?, ?, ?)`),
				fmt.Sprintf("k%d", i), repID, fmt.Sprintf("title %d", i), "body", inv, now.Add(time.Duration(i)*time.Minute).UTC()); err != nil {
				t.Fatal(err)
			}
		}
		storetest.SQL(s).Exec(storetest.Rebind(s, `INSERT INTO inapp_messages (key, user_id, title, body, created_at) VALUES ('w', ?, 'west', 'body', ?)`), westID, now.UTC())

		r := f.login(rep)
		var page store.NotificationPage
		r.do("GET", "/api/notifications?limit=2", nil).want(200).decode(&page)
		if page.UnreadCount != 5 || len(page.Items) != 2 || page.NextCursor == "" || page.Items[0].Title != "title 4" {
			t.Fatalf("%+v", page)
		}
		if page.Items[0].Invoice != number || page.Items[1].Invoice != "" {
			t.Fatalf("invoices: %+v", page.Items)
		}
		var titles []string
		for cursor := ""; ; {
			var p store.NotificationPage
			r.do("GET", "/api/notifications?limit=2&cursor="+cursor, nil).want(200).decode(&p)
			for _, n := range p.Items {
				titles = append(titles, n.Title)
			}
			if cursor = p.NextCursor; cursor == "" {
				break
			}
		}
		if got := strings.Join(titles, ","); got != "title 4,title 3,title 2,title 1,title 0" {
			t.Fatal(got)
		}
		r.do("POST", fmt.Sprintf("/api/notifications/%d/read", page.Items[0].ID), nil).want(204)
		r.do("GET", "/api/notifications?unread=true", nil).want(200).decode(&page)
		if page.UnreadCount != 4 || len(page.Items) != 4 {
			t.Fatalf("after one read: %+v", page)
		}
		var marked struct{ Marked int }
		r.do("POST", "/api/notifications/read-all", nil).want(200).decode(&marked)
		if marked.Marked != 4 {
			t.Fatalf("marked %d", marked.Marked)
		}
		r.do("GET", "/api/notifications", nil).want(200).decode(&page)
		if page.UnreadCount != 0 || len(page.Items) != 5 || page.Items[0].ReadAt == nil {
			t.Fatalf("after read-all: %+v", page)
		}
		f.login(westRep).do("GET", "/api/notifications", nil).want(200).decode(&page)
		if page.UnreadCount != 1 || len(page.Items) != 1 {
			t.Fatalf("west rep's: %+v", page)
		}
		r.do("GET", "/api/notifications?cursor=bogus", nil).want(422)
	})
}

// TestAuditSearch: the audit log filters by actor, action, entity, invoice
// and time range, and pages by cursor, newest first.
func TestAuditSearch(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		f := setup(t, s, api.Options{})
		var ids []int64
		var numbers []string
		rows, err := storetest.SQL(s).Query(storetest.Rebind(s, `SELECT t.id, i.number FROM tasks t JOIN users u ON u.id = t.assignee_id JOIN invoices i ON i.id = t.invoice_id
			WHERE u.email = ? AND t.status = 'open' ORDER BY t.id LIMIT 2`), rep)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var id int64
			var n string
			rows.Scan(&id, &n)
			ids, numbers = append(ids, id), append(numbers, n)
		}
		rows.Close()
		if len(ids) != 2 || numbers[0] == numbers[1] {
			t.Fatalf("want two tasks of %s on two invoices: %v %v", rep, ids, numbers)
		}
		r := f.login(rep)
		r.do("POST", fmt.Sprintf("/api/tasks/%d/comments", ids[0]), map[string]any{"text": "one"}).want(201)
		f.advance(time.Hour)
		r.do("POST", fmt.Sprintf("/api/tasks/%d/comments", ids[1]), map[string]any{"text": "two"}).want(201)
		f.advance(time.Hour)
		r.do("POST", fmt.Sprintf("/api/tasks/%d/comments", ids[0]), map[string]any{"text": "three"}).want(201)

		adm := f.login(admin)
		search := func(q string) []string {
			t.Helper()
			var out []string
			for cursor := ""; ; {
				var p store.AuditPage
				adm.do("GET", "/api/audit?limit=1&"+q+"&cursor="+cursor, nil).want(200).decode(&p)
				for _, e := range p.Items {
					out = append(out, e.Actor+" "+e.Action+" "+e.Entity+" "+e.Invoice+" "+string(e.Detail))
				}
				if cursor = p.NextCursor; cursor == "" {
					return out
				}
			}
		}
		texts := func(q string) string {
			var out []string
			for _, e := range search(q) {
				out = append(out, e[strings.LastIndex(e, `"text":"`)+8:strings.LastIndex(e, `"`)])
			}
			return strings.Join(out, ",")
		}
		if got := texts("actor=" + url.QueryEscape(rep) + "&action=task.comment&entity=task"); got != "three,two,one" {
			t.Fatalf("by actor: %s", got)
		}
		if got := texts("action=task.comment&invoice=" + url.QueryEscape(numbers[0])); got != "three,one" {
			t.Fatalf("by invoice: %s", got)
		}
		from := now.Add(30 * time.Minute).Format(time.RFC3339)
		to := now.Add(90 * time.Minute).Format(time.RFC3339)
		if got := texts("action=task.comment&from=" + url.QueryEscape(from) + "&to=" + url.QueryEscape(to)); got != "two" {
			t.Fatalf("by time: %s", got)
		}
		if got := search("actor=nobody@example.test"); len(got) != 0 {
			t.Fatalf("unknown actor: %v", got)
		}
		adm.do("GET", "/api/audit?cursor=bogus", nil).want(422)
		adm.do("GET", "/api/audit?from=yesterday", nil).want(422)
	})
}
