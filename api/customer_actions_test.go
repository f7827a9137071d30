package api_test

import (
	"strconv"
	"testing"
	"time"

	"github.com/recoup/recoup/api"
	"github.com/recoup/recoup/store"
	"github.com/recoup/recoup/store/storetest"
)

// TestCustomerActions: the manual account actions through the API, each
// answered and recorded (the row, the audit), refused field by field, and
// hidden from a rep for another rep's customer.
func TestCustomerActions(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		f := setup(t, s, api.Options{})
		var mine, theirs string
		storetest.SQL(s).QueryRow(storetest.Rebind(s, `SELECT c.external_id FROM customers c JOIN users u ON u.id = c.owner_id
			WHERE u.email = ? ORDER BY c.id LIMIT 1`), rep).Scan(&mine)
		storetest.SQL(s).QueryRow(storetest.Rebind(s, `SELECT c.external_id FROM customers c JOIN users u ON u.id = c.owner_id
			WHERE u.email <> ? ORDER BY c.id LIMIT 1`), rep).Scan(&theirs)
		if mine == "" || theirs == "" {
			t.Fatal("no customers to edit")
		}
		r, fin := f.login(rep), f.login(finance)

		p := r.do("PATCH", "/api/customers/"+mine+"/contacts", map[string]any{"email": "nope", "locale": "fr"}).want(422).problem()
		if got := fields(p); got != `email: "nope" is not an email address`+"\n"+`locale: "fr" is not a language recoup writes in: want one of en, zh-CN` {
			t.Fatal(got)
		}
		r.do("PATCH", "/api/customers/"+theirs+"/contacts", map[string]any{"locale": "en"}).want(404)
		var c store.CustomerContacts
		r.do("PATCH", "/api/customers/"+mine+"/contacts", map[string]any{"email": "ap@new.example.com", "locale": "zh-CN"}).want(200).decode(&c)
		if c.Email != "ap@new.example.com" || c.Locale != "zh-CN" ||
			f.count("SELECT COUNT(*) FROM customers WHERE external_id = ? AND email = 'ap@new.example.com' AND locale = 'zh-CN'", mine) != 1 {
			t.Fatalf("%+v", c)
		}
		r.do("POST", "/api/customers/"+mine+"/do-not-contact", map[string]any{"on": true, "reason": "replied STOP"}).want(200).decode(&c)
		if !c.DoNotContact {
			t.Fatalf("%+v", c)
		}
		r.do("POST", "/api/customers/"+mine+"/risk", map[string]any{"risk": "low", "reason": "paid up"}).want(403)
		tier := "high"
		if c.Risk == "high" {
			tier = "low" // lowered by hand
		}
		fin.do("POST", "/api/customers/"+mine+"/risk", map[string]any{"risk": tier, "reason": "reviewed with the director"}).want(200).decode(&c)
		if c.Risk != tier {
			t.Fatalf("%+v", c)
		}
		fin.do("GET", "/api/customers/"+mine+"/contacts", nil).want(200).decode(&c)
		if !c.DoNotContact || c.Risk != tier || c.Email != "ap@new.example.com" {
			t.Fatalf("%+v", c)
		}

		due := now.Add(24 * time.Hour).Format(time.RFC3339)
		p = fin.do("POST", "/api/tasks", map[string]any{"title": "", "due_at": now.Add(-time.Hour).Format(time.RFC3339)}).want(422).problem()
		if got := fields(p); got != "invoice: give an invoice or a customer, one of them\ntitle: is required, at most 200 characters\n"+
			"assignee: give a user or a role, one of them\ndue_at: is required and must not be in the past" {
			t.Fatal(got)
		}
		var created struct {
			ID  int64  `json:"id"`
			Key string `json:"key"`
		}
		fin.do("POST", "/api/tasks", map[string]any{"customer": mine, "title": "Confirm the new contact", "assignee": rep, "due_at": due}).want(201).decode(&created)
		var task store.TaskDetail
		r.do("GET", "/api/tasks/"+strconv.FormatInt(created.ID, 10), nil).want(200).decode(&task)
		if task.Title != "Confirm the new contact" || task.Assignee != rep {
			t.Fatalf("%+v", task)
		}
		for action, n := range map[string]int{store.ActionCustomerContacts: 1, store.ActionCustomerDoNotContact: 1, store.ActionCustomerRisk: 1, store.ActionTaskCreated: 1} {
			if got := f.count("SELECT COUNT(*) FROM audit_log WHERE action = ?", action); got != n {
				t.Errorf("%d audit entries %s, want %d", got, action, n)
			}
		}
	})
}
