package api_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/recoup/recoup/api"
	"github.com/recoup/recoup/store"
	"github.com/recoup/recoup/store/storetest"
)

// TestCustomerDetail: GET /api/customers/{id} answers contacts, credit,
// owner, balances per currency that agree with the invoices, promises
// kept/broken/pending, its invoices in pages and its history newest first;
// other teams' customers are missing for a rep.
func TestCustomerDetail(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		f := setup(t, s, api.Options{})
		// A call task: its customer gets a pending promise (2026-11-10, after
		// today) through the API, and a comment.
		var taskID int64
		var assignee, cust string
		storetest.SQL(s).QueryRow(`SELECT t.id, u.email, c.external_id FROM tasks t JOIN users u ON u.id = t.assignee_id
			JOIN invoices i ON i.id = t.invoice_id JOIN customers c ON c.id = i.customer_id
			WHERE t.status = 'open' AND t.key LIKE '%/call/%' ORDER BY t.id LIMIT 1`).Scan(&taskID, &assignee, &cust)
		if taskID == 0 {
			t.Fatal("no open call task")
		}
		if err := s.SetPassword(context.Background(), assignee, password, now); err != nil {
			t.Fatal(err)
		}
		a := f.login(assignee)
		a.do("POST", fmt.Sprintf("/api/tasks/%d/comments", taskID), map[string]any{"text": "spoke to AP"}).want(201)
		a.do("POST", fmt.Sprintf("/api/tasks/%d/complete", taskID),
			map[string]any{"values": map[string]any{"outcome": "promised", "promised_date": "2026-11-10"}}).want(200)
		if _, err := storetest.SQL(s).Exec(storetest.Rebind(s, `UPDATE customers SET finance_email = 'ap@example.test', credit_limit_minor = 5000000,
			credit_currency = 'CNY', credit_rating = 'BBB', locale = 'zh-CN' WHERE external_id = ?`), cust); err != nil {
			t.Fatal(err)
		}

		fin := f.login(finance)
		res := fin.do("GET", "/api/customers/"+cust+"?limit=2&history_limit=5", nil).want(200)
		var d store.CustomerDetail
		res.decode(&d)
		if d.ID != cust || d.FinanceEmail != "ap@example.test" || d.CreditLimitMinor != 5000000 || d.CreditCurrency != "CNY" ||
			d.CreditRating != "BBB" || d.Locale != "zh-CN" || d.Owner == "" || d.OwnerName == "" || d.Risk == "" {
			t.Fatalf("%+v", d.CustomerSummary)
		}
		for _, k := range []string{`"balances":[`, `"promises":{`, `"history":[`, `"invoices":{`, `"owner_name":`} {
			if !strings.Contains(string(res.body), k) {
				t.Errorf("no %s in %s", k, res.body)
			}
		}
		// Balances agree with the invoices.
		today := "2026-11-02"
		for _, b := range d.Balances {
			var open, overdue int64
			var nOpen, nOverdue int
			storetest.SQL(s).QueryRow(storetest.Rebind(s, `SELECT COALESCE(SUM(i.balance_minor), 0), COUNT(*),
				COALESCE(SUM(CASE WHEN i.due_date < ? THEN i.balance_minor ELSE 0 END), 0), COALESCE(SUM(CASE WHEN i.due_date < ? THEN 1 ELSE 0 END), 0)
				FROM invoices i JOIN customers c ON c.id = i.customer_id WHERE c.external_id = ? AND i.currency = ? AND i.balance_minor > 0`),
				today, today, cust, b.Currency).Scan(&open, &nOpen, &overdue, &nOverdue)
			if b.OpenMinor != open || b.OpenInvoices != nOpen || b.OverdueMinor != overdue || b.OverdueInvoices != nOverdue {
				t.Errorf("%+v, database: open %d (%d), overdue %d (%d)", b, open, nOpen, overdue, nOverdue)
			}
			if (nOverdue > 0) != (b.OldestDaysOverdue > 0) {
				t.Errorf("%+v: oldest days overdue", b)
			}
		}
		if len(d.Balances) == 0 {
			t.Fatal("no balances")
		}
		if d.Promises != (store.PromiseCounts{Pending: 1}) {
			t.Fatalf("promises %+v", d.Promises)
		}
		// The history: newest first, the completion and the comment among it.
		if len(d.History) == 0 || len(d.History) > 5 {
			t.Fatalf("%d history entries", len(d.History))
		}
		for i := 1; i < len(d.History); i++ {
			if d.History[i].At.After(d.History[i-1].At) {
				t.Fatalf("history not newest first: %+v", d.History)
			}
		}
		var kinds []string
		for _, e := range d.History {
			switch {
			case e.Type == "action" && e.Action != nil:
				kinds = append(kinds, e.Action.Action)
			case e.Type == "effect" && e.Effect != nil && e.Effect.Definition != "":
				kinds = append(kinds, "effect")
			default:
				t.Fatalf("%+v", e)
			}
			if e.Invoice == "" {
				t.Fatalf("no invoice: %+v", e)
			}
		}
		if got := strings.Join(kinds, " "); !strings.Contains(got, "task.completed") {
			t.Fatalf("history: %s", got)
		}
		// Invoices page.
		n := f.count("SELECT COUNT(*) FROM invoices i JOIN customers c ON c.id = i.customer_id WHERE c.external_id = ?", cust)
		seen := len(d.Invoices.Items)
		for cursor := d.Invoices.NextCursor; cursor != ""; {
			var next store.CustomerDetail
			fin.do("GET", "/api/customers/"+cust+"?limit=2&cursor="+cursor, nil).want(200).decode(&next)
			seen += len(next.Invoices.Items)
			cursor = next.Invoices.NextCursor
		}
		if seen != n || n < 2 {
			t.Fatalf("%d invoices in pages, %d in the database", seen, n)
		}

		// Row scope: the owner's rep sees it, another team's rep does not.
		var owner, team string
		storetest.SQL(s).QueryRow(storetest.Rebind(s, "SELECT u.email, u.team FROM customers c JOIN users u ON u.id = c.owner_id WHERE c.external_id = ?"), cust).Scan(&owner, &team)
		other := westRep
		if team == "west" {
			other = rep
		}
		if err := s.SetPassword(context.Background(), owner, password, now); err != nil {
			t.Fatal(err)
		}
		f.login(owner).do("GET", "/api/customers/"+cust, nil).want(200)
		p := f.login(other).do("GET", "/api/customers/"+cust, nil).want(404).problem()
		if p.Detail != nil && strings.Contains(*p.Detail, cust) {
			t.Fatalf("the 404 names the hidden customer: %+v", p)
		}
		fin.do("GET", "/api/customers/"+cust+"?cursor=bogus", nil).want(422)
		var raw map[string]json.RawMessage
		fin.do("GET", "/api/customers/"+cust, nil).want(200).decode(&raw)
		if string(raw["history"]) == "null" || string(raw["balances"]) == "null" {
			t.Fatalf("%s", raw)
		}
	})
}
