package api_test

import (
	"fmt"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/recoup/recoup/api"
	"github.com/recoup/recoup/store"
	"github.com/recoup/recoup/store/storetest"
)

// TestApprovalRoutes: the example escalation's decision goes to finance
// for an invoice under 5,000.00 CNY and to the finance director otherwise
// (its route list). Finance sees and decides its own approvals only, a
// write-off above 1,000.00 included only by the director: the refusal
// writes nothing and names the route; the director decides it.
func TestApprovalRoutes(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		f := setup(t, s, api.Options{})
		fin, dir := f.login(finance), f.login(director)
		var mine, all struct{ Items []store.InboxTask }
		fin.do("GET", "/api/approvals?limit=500", nil).want(200).decode(&mine)
		dir.do("GET", "/api/approvals?limit=500", nil).want(200).decode(&all)
		var small, large []store.InboxTask
		for _, a := range all.Items {
			if a.Workflow == "" {
				continue
			}
			switch {
			case a.Role == store.RoleFinance:
				small = append(small, a)
				if a.Currency != "CNY" || a.BalanceMinor >= 500000 {
					t.Errorf("approval %d of %d %s went to finance", a.ID, a.BalanceMinor, a.Currency)
				}
			case a.Role == store.RoleFinanceDirector:
				large = append(large, a)
				if a.Currency == "CNY" && a.BalanceMinor < 500000 {
					t.Errorf("approval %d of %d CNY went to the director", a.ID, a.BalanceMinor)
				}
			}
		}
		// finance's queue is its own approvals; the director sees them all
		for _, a := range mine.Items {
			if a.Role != store.RoleFinance {
				t.Errorf("finance sees approval %d for %s", a.ID, a.Role)
			}
		}
		if len(mine.Items) != len(small) {
			t.Errorf("finance sees %d approvals, %d are for finance", len(mine.Items), len(small))
		}
		// two small approvals with more than 1,000.00 owed, and a large one
		var over []store.InboxTask
		for _, a := range small {
			if a.BalanceMinor > 200000 {
				over = append(over, a)
			}
		}
		if len(over) < 2 || len(large) == 0 {
			t.Fatalf("the demo's first tick left %d approvals for finance over 2,000.00 and %d for the director", len(over), len(large))
		}
		decide := func(c *client, id int64, amount string) *response {
			return c.do("POST", fmt.Sprintf("/api/approvals/%d/decide", id), map[string]any{"values": map[string]any{
				"decision": "write_off", "write_off_amount": amount, "comment": "customer insolvent, agreed"}})
		}
		writeOffs := func(number string) []store.InvoiceAdjustment {
			var d store.InvoiceDetail
			dir.do("GET", "/api/invoices/"+url.PathEscape(number), nil).want(200).decode(&d)
			return slices.DeleteFunc(d.Adjustments, func(adj store.InvoiceAdjustment) bool { return adj.Kind != "write_off" })
		}

		// finance may not decide the director's approval: it does not even see it
		fin.do("POST", fmt.Sprintf("/api/approvals/%d/decide", large[0].ID), map[string]any{"values": map[string]any{"decision": "continue"}}).want(404)

		// a write-off above 1,000.00 on a finance approval is the director's
		a := over[0]
		p := decide(fin, a.ID, "1000.01 CNY").want(403).problem()
		want := fmt.Sprintf(`%s (finance) may not decide approval %d: a decision with these values is for finance_director (route 2: form.decision == "write_off" && form.write_off_amount > money("1000.00 CNY"))`, finance, a.ID)
		if p.Detail == nil || !strings.HasPrefix(*p.Detail, want) {
			t.Fatalf("refusal %+v\nwant %s", p, want)
		}
		if n := f.count("SELECT COUNT(*) FROM tasks WHERE id = ? AND status = 'open'", a.ID); n != 1 {
			t.Fatal("the refused decision closed the approval")
		}
		if w := writeOffs(a.Invoice); len(w) != 0 {
			t.Fatalf("a refused decision wrote off %+v", w)
		}
		decide(dir, a.ID, "1000.01 CNY").want(200)
		if w := writeOffs(a.Invoice); len(w) != 1 || w[0].AmountMinor != 100001 || w[0].ApprovedBy != director {
			t.Fatalf("the director's write-off: %+v", w)
		}

		// up to 1,000.00 finance decides
		b := over[1]
		decide(fin, b.ID, "1000.00 CNY").want(200)
		if w := writeOffs(b.Invoice); len(w) != 1 || w[0].AmountMinor != 100000 || w[0].ApprovedBy != finance {
			t.Fatalf("finance's write-off: %+v", w)
		}

		// a finance approval may go to finance users; the director's may not
		var users struct{ Items []api.Assignee }
		dir.do("GET", fmt.Sprintf("/api/tasks/%d/assignees", large[0].ID), nil).want(200).decode(&users)
		if slices.ContainsFunc(users.Items, func(u api.Assignee) bool { return u.Role == store.RoleFinance }) {
			t.Errorf("the director's approval may go to finance: %+v", users.Items)
		}
		if len(small) > 2 {
			dir.do("GET", fmt.Sprintf("/api/tasks/%d/assignees", small[2].ID), nil).want(200).decode(&users)
			if !slices.ContainsFunc(users.Items, func(u api.Assignee) bool { return u.Email == finance }) {
				t.Errorf("a finance approval may not go to %s: %+v", finance, users.Items)
			}
		}
	})
}
