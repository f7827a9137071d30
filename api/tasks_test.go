package api_test

import (
	"encoding/json"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/recoup/recoup/api"
	"github.com/recoup/recoup/store"
	"github.com/recoup/recoup/store/storetest"
)

// listAllTasks pages through path (a task list with its query) by
// next_cursor, failing on a page that repeats a task.
func listAllTasks(t *testing.T, c *client, path string, limit int) []store.InboxTask {
	t.Helper()
	var out []store.InboxTask
	seen := map[int64]bool{}
	cursor := ""
	for pages := 0; ; pages++ {
		var page store.TaskPage
		c.do("GET", fmt.Sprintf("%s&limit=%d%s", path, limit, cursor), nil).want(200).decode(&page)
		for _, task := range page.Items {
			if seen[task.ID] {
				t.Fatalf("%s: task %d on two pages", path, task.ID)
			}
			seen[task.ID] = true
		}
		out = append(out, page.Items...)
		if page.NextCursor == "" {
			return out
		}
		if len(page.Items) != limit || pages > 1000 {
			t.Fatalf("%s: a page of %d with a next cursor", path, len(page.Items))
		}
		cursor = "&cursor=" + url.QueryEscape(page.NextCursor)
	}
}

// TestTaskPaging: every open task of a manager's and a director's lists
// comes once through small pages, in priority order (approvals oldest
// first), matching the counts; rows carry their invoice, stage and
// reasons.
func TestTaskPaging(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		f := setup(t, s, api.Options{})
		mgr := f.login(manager)
		var first store.TaskPage
		mgr.do("GET", "/api/tasks?limit=500&counts=true", nil).want(200).decode(&first)
		all := listAllTasks(t, mgr, "/api/tasks?counts=false", 7)
		if first.Counts == nil || len(all) != first.Counts.Open || len(all) < 8 {
			t.Fatalf("%d tasks through pages of 7, counts %+v", len(all), first.Counts)
		}
		for i, task := range all {
			if task.ID != first.Items[i].ID {
				t.Fatalf("task %d: paged %d, in one page %d", i, task.ID, first.Items[i].ID)
			}
			if i > 0 && task.PriorityScore > all[i-1].PriorityScore {
				t.Fatalf("task %d (%d) ranks above %d (%d)", task.ID, task.PriorityScore, all[i-1].ID, all[i-1].PriorityScore)
			}
			if task.Invoice != "" && (task.Currency == "" || task.CustomerName == "") {
				t.Fatalf("task %d without its invoice's figures: %+v", task.ID, task)
			}
			if task.Node != "" && (task.StageTitle == nil || task.StageTitle.En == "" || task.StageTitle.ZhCN == "") {
				t.Fatalf("task %d at node %s without a stage title", task.ID, task.Node)
			}
			if task.BalanceMinor > 0 && !slices.ContainsFunc(task.PriorityReasons, func(r store.PriorityReason) bool {
				return r.Code == store.ReasonAmount && r.AmountMinor != nil && *r.AmountMinor == task.BalanceMinor && r.Currency == task.Currency
			}) {
				t.Fatalf("task %d: reasons %+v", task.ID, task.PriorityReasons)
			}
		}
		// Filters: stage, team, unassigned, role, assignee.
		for _, q := range []struct {
			query string
			keep  func(store.InboxTask) bool
		}{
			{"stage=call", func(t store.InboxTask) bool { return t.Node == "call" }},
			{"unassigned=true", func(t store.InboxTask) bool { return t.Assignee == "" }},
			{"unassigned=false", func(t store.InboxTask) bool { return t.Assignee != "" }},
			{"role=sales_manager", func(t store.InboxTask) bool { return t.Role == "sales_manager" }},
			{"team=east", func(t store.InboxTask) bool { return t.Team == "east" }},
			{"assignee=" + url.QueryEscape(rep), func(t store.InboxTask) bool { return t.Assignee == rep }},
			{"sort=due", func(store.InboxTask) bool { return true }},
		} {
			got := listAllTasks(t, mgr, "/api/tasks?"+q.query, 5)
			var want []int64
			for _, task := range all {
				if q.keep(task) {
					want = append(want, task.ID)
				}
			}
			ids := make([]int64, len(got))
			for i, task := range got {
				ids[i] = task.ID
			}
			if q.query == "sort=due" {
				slices.Sort(ids)
				slices.Sort(want)
			}
			if !slices.Equal(ids, want) {
				t.Errorf("%s: %v, want %v", q.query, ids, want)
			}
		}
		// A cursor of another order is refused.
		var page store.TaskPage
		mgr.do("GET", "/api/tasks?limit=2", nil).want(200).decode(&page)
		mgr.do("GET", "/api/tasks?sort=due&cursor="+url.QueryEscape(page.NextCursor), nil).want(422)
		mgr.do("GET", "/api/tasks?cursor=bogus", nil).want(422)

		// The director's approvals: oldest first, all through pages.
		dir := f.login(director)
		var q store.TaskPage
		dir.do("GET", "/api/approvals?limit=500&counts=true", nil).want(200).decode(&q)
		approvals := listAllTasks(t, dir, "/api/approvals?counts=false", 2)
		if len(approvals) != q.Counts.Open {
			t.Fatalf("%d approvals through pages, %d counted", len(approvals), q.Counts.Open)
		}
		for i, a := range approvals {
			if a.Kind != "approval" || (i > 0 && a.CreatedAt.Before(approvals[i-1].CreatedAt)) {
				t.Fatalf("approval %d: %+v", i, a)
			}
			if a.BalanceMinor <= 0 || a.CustomerName == "" || a.StageTitle == nil || a.DaysOverdue <= 30 {
				t.Fatalf("approval row without its figures: %+v", a)
			}
		}
	})
}

// TestTaskViews: a promise to pay moves the invoice's other tasks to
// "waiting"; once its date passes unkept they are in "promises", first,
// with promise_broken.
func TestTaskViews(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		f := setup(t, s, api.Options{})
		// An invoice with an open call task and an open review task.
		var call int64
		var invoice string
		storetest.SQL(s).QueryRow(`SELECT t.id, i.number FROM tasks t JOIN invoices i ON i.id = t.invoice_id JOIN users u ON u.id = t.assignee_id
			WHERE t.status = 'open' AND t.node = 'call' AND u.email = '`+rep+`' ORDER BY t.id LIMIT 1`).Scan(&call, &invoice)
		if call == 0 {
			t.Fatal("no open call task of the rep")
		}
		c := f.login(rep)
		c.do("POST", fmt.Sprintf("/api/tasks/%d/complete", call), map[string]any{"values": map[string]any{"outcome": "promised", "promised_date": "2026-11-04"}}).want(200)
		// A task of the rep's on that invoice, to be seen in the views.
		if _, err := storetest.SQL(s).Exec(storetest.Rebind(s, `INSERT INTO tasks (key, kind, title, status, assignee_id, role, form, invoice_id, customer_id, created_at, updated_at)
			SELECT 'test/follow-up', 'task', 'Follow up', 'open', assignee_id, '', '', invoice_id, customer_id, created_at, updated_at FROM tasks WHERE id = ?`), call); err != nil {
			t.Fatal(err)
		}
		views := func() (waiting, promises []store.InboxTask, counts store.InboxCounts) {
			var w, p store.TaskPage
			c.do("GET", "/api/tasks?view=waiting&counts=true", nil).want(200).decode(&w)
			c.do("GET", "/api/tasks?view=promises", nil).want(200).decode(&p)
			return w.Items, p.Items, *w.Counts
		}
		waiting, promises, counts := views()
		if len(waiting) != 1 || waiting[0].Key != "test/follow-up" || waiting[0].PromiseDate == nil || waiting[0].PromiseDate.String() != "2026-11-04" ||
			waiting[0].PromiseBroken || len(promises) != 0 || counts.Waiting != 1 || counts.Promises != 0 {
			t.Fatalf("after the promise: waiting %+v, promises %+v, counts %+v", waiting, promises, counts)
		}
		f.advance(72 * time.Hour) // 2026-11-05: the promise is broken
		c = f.login(rep)          // the session expired
		waiting, promises, counts = views()
		if len(waiting) != 0 || len(promises) != 1 || !promises[0].PromiseBroken || counts.Promises != 1 || counts.Waiting != 0 {
			t.Fatalf("after the date: waiting %+v, promises %+v, counts %+v", waiting, promises, counts)
		}
		if r := promises[0].PriorityReasons; len(r) == 0 || r[0].Code != store.ReasonPromiseBroken || r[0].Date.String() != "2026-11-04" {
			t.Fatalf("reasons %+v", r)
		}
		var open store.TaskPage
		c.do("GET", "/api/tasks?limit=1", nil).want(200).decode(&open)
		if open.Items[0].Key != "test/follow-up" {
			t.Fatalf("the broken promise's task is not first: %+v", open.Items[0])
		}
	})
}

// TestTaskDetail: a rep's task carries its form (which the rep may not
// read through the definitions), its customer, invoice, other invoices
// and messages; an approval carries what each decision does.
func TestTaskDetail(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		f := setup(t, s, api.Options{})
		var call int64
		storetest.SQL(s).QueryRow(`SELECT t.id FROM tasks t JOIN users u ON u.id = t.assignee_id
			WHERE t.status = 'open' AND t.node = 'call' AND u.email = '` + rep + `' ORDER BY t.id LIMIT 1`).Scan(&call)
		c := f.login(rep)
		c.do("GET", "/api/definitions/Form/call-outcome", nil).want(403)
		var d struct {
			store.TaskDetail
			FormDefinition struct {
				Name   string
				Title  store.LocalizedText
				Fields []struct {
					Name, Type string
					Label      store.LocalizedText
					Required   bool
					RequiredIf string `json:"required_if"`
					Max        string
					Options    []struct {
						Value string
						Label store.LocalizedText
					}
				}
			} `json:"form_definition"`
			CustomerDetail store.TaskCustomer     `json:"customer_detail"`
			InvoiceSummary store.TaskInvoice      `json:"invoice_summary"`
			OtherInvoices  []store.InvoiceSummary `json:"other_invoices"`
			Messages       []store.SentMessage    `json:"messages"`
			Options        []json.RawMessage      `json:"options"`
		}
		c.do("GET", fmt.Sprintf("/api/tasks/%d", call), nil).want(200).decode(&d)
		fd := d.FormDefinition
		if fd.Name != "call-outcome" || fd.Title.ZhCN == "" || len(fd.Fields) != 5 || fd.Fields[0].Type != "enum" || !fd.Fields[0].Required ||
			len(fd.Fields[0].Options) != 4 || fd.Fields[0].Options[0].Label.ZhCN == "" || fd.Fields[1].RequiredIf != `form.outcome == "promised"` ||
			fd.Fields[3].Max != "2000" {
			t.Fatalf("form definition %+v", fd)
		}
		if d.CustomerDetail.ID != d.Customer || d.CustomerDetail.Name == "" || d.CustomerDetail.Risk == "" {
			t.Fatalf("customer %+v", d.CustomerDetail)
		}
		in := d.InvoiceSummary
		if in.Number != d.Invoice || in.BalanceMinor != in.AmountMinor-in.PaidMinor || in.DaysOverdue < 8 || in.DaysOverdue != d.DaysOverdue {
			t.Fatalf("invoice %+v (task %d days)", in, d.DaysOverdue)
		}
		for _, o := range d.OtherInvoices {
			if o.Number == d.Invoice || o.BalanceMinor <= 0 || o.Customer != d.Customer {
				t.Fatalf("other invoice %+v", o)
			}
		}
		if n := f.count(storetest.Rebind(s, "SELECT COUNT(*) FROM outbox o JOIN invoices i ON i.id = o.invoice_id WHERE i.number = ?"), d.Invoice); n != len(d.Messages) {
			t.Fatalf("%d messages, %d in the outbox", len(d.Messages), n)
		}
		if d.StageTitle == nil || d.StageTitle.En != "Phone call" || len(d.Options) != 4 {
			t.Fatalf("stage %+v, options %s", d.StageTitle, d.Options)
		}

		var approval int64
		storetest.SQL(s).QueryRow("SELECT id FROM tasks WHERE kind = 'approval' AND status = 'open' ORDER BY id LIMIT 1").Scan(&approval)
		if approval == 0 {
			t.Skip("no open approval")
		}
		var ad struct {
			Options []struct {
				Value   string
				Label   store.LocalizedText
				Effects []struct{ Kind, Field, Value, Until string }
			}
		}
		f.login(director).do("GET", fmt.Sprintf("/api/tasks/%d", approval), nil).want(200).decode(&ad)
		var got []string
		for _, o := range ad.Options {
			var effects []string
			for _, e := range o.Effects {
				effects = append(effects, strings.Join(strings.Fields(e.Kind+" "+e.Field+" "+e.Value+" "+e.Until), " "))
			}
			got = append(got, o.Value+" ("+o.Label.ZhCN+"): "+strings.Join(effects, ", "))
		}
		want := strings.Join([]string{
			"legal_action (法律诉讼): record legal_case, complete",
			"payment_plan (分期付款): payment_plan, pause",
			"write_off (核销坏账): write_off, complete",
			"continue (继续催收): wait addDays(today, 14)",
		}, "\n")
		if g := strings.Join(got, "\n"); g != want {
			t.Fatalf("options:\n%s\nwant\n%s", g, want)
		}
	})
}

// TestClaimAndAssignees: a manager claims its team's role task (audited);
// claiming it again is a conflict; the candidates of a task are those who
// may do it, and reassigning to anyone else is refused on the field.
func TestClaimAndAssignees(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		f := setup(t, s, api.Options{})
		mgr := f.login(manager)
		var role store.TaskPage
		mgr.do("GET", "/api/tasks?unassigned=true&role=sales_manager", nil).want(200).decode(&role)
		if len(role.Items) == 0 {
			t.Fatal("no unassigned manager task")
		}
		id := role.Items[0].ID
		path := fmt.Sprintf("/api/tasks/%d", id)
		f.login(rep).do("POST", path+"/claim", nil).want(404) // not the rep's to see
		var claimed store.InboxTask
		mgr.do("POST", path+"/claim", nil).want(200).decode(&claimed)
		if claimed.Assignee != manager || claimed.Team != "east" {
			t.Fatalf("claimed: %+v", claimed)
		}
		p := mgr.do("POST", path+"/claim", nil).want(409).problem()
		if !strings.Contains(*p.Detail, "already assigned to "+manager) {
			t.Fatal(*p.Detail)
		}
		if n := f.count(storetest.Rebind(s, "SELECT COUNT(*) FROM audit_log WHERE action = 'task.claimed' AND entity_id = ? AND actor = ?"), id, manager); n != 1 {
			t.Fatalf("%d claims audited", n)
		}
		// A rep's call task: the candidates are the team's reps.
		var call int64
		storetest.SQL(s).QueryRow(`SELECT t.id FROM tasks t JOIN users u ON u.id = t.assignee_id
			WHERE t.status = 'open' AND t.node = 'call' AND u.email = '` + rep + `' ORDER BY t.id LIMIT 1`).Scan(&call)
		var cands struct{ Items []api.Assignee }
		mgr.do("GET", fmt.Sprintf("/api/tasks/%d/assignees", call), nil).want(200).decode(&cands)
		if len(cands.Items) < 2 {
			t.Fatalf("candidates %+v", cands.Items)
		}
		for _, u := range cands.Items {
			if u.Role != "sales_rep" || u.Team != "east" {
				t.Fatalf("candidate %+v", u)
			}
		}
		p = mgr.do("POST", fmt.Sprintf("/api/tasks/%d/reassign", call), map[string]any{"assignee": manager}).want(422).problem()
		if got := fields(p); got != `/assignee: user "`+manager+`" (sales_manager) may not do this task: the task goes only to a user of its assignee's role, sales_rep` {
			t.Fatal(got)
		}
		// An approval goes only to someone who may decide it (the director's:
		// TestApprovalRoutes has finance's).
		var approval int64
		storetest.SQL(s).QueryRow("SELECT id FROM tasks WHERE kind = 'approval' AND status = 'open' AND role = 'finance_director' ORDER BY id LIMIT 1").Scan(&approval)
		if approval == 0 {
			t.Skip("no open approval")
		}
		dir := f.login(director)
		// Not to a rep nor to finance: they could not decide it (a rep
		// given a write-off used to get 403 deciding it). Nothing changes.
		var before string
		storetest.SQL(s).QueryRow(storetest.Rebind(s, "SELECT COALESCE(u.email, '') FROM tasks t LEFT JOIN users u ON u.id = t.assignee_id WHERE t.id = ?"), approval).Scan(&before)
		audits := f.count("SELECT COUNT(*) FROM audit_log")
		for _, to := range []struct{ email, role string }{{rep, "sales_rep"}, {finance, "finance"}, {manager, "sales_manager"}} {
			p := dir.do("POST", fmt.Sprintf("/api/tasks/%d/reassign", approval), map[string]any{"assignee": to.email}).want(422).problem()
			want := `/assignee: user "` + to.email + `" (` + to.role + `) may not do this task: an approval for finance_director goes only to a user whose role may decide it (finance_director, admin)`
			if got := fields(p); got != want {
				t.Errorf("approval to %s:\n%s\nwant\n%s", to.role, got, want)
			}
		}
		var after string
		storetest.SQL(s).QueryRow(storetest.Rebind(s, "SELECT COALESCE(u.email, '') FROM tasks t LEFT JOIN users u ON u.id = t.assignee_id WHERE t.id = ?"), approval).Scan(&after)
		if after != before || f.count("SELECT COUNT(*) FROM audit_log") != audits {
			t.Fatalf("a refused reassignment changed the approval (%q → %q) or the audit", before, after)
		}
		mgr.do("GET", fmt.Sprintf("/api/tasks/%d/assignees", approval), nil).want(404)
		var dc struct{ Items []api.Assignee }
		dir.do("GET", fmt.Sprintf("/api/tasks/%d/assignees", approval), nil).want(200).decode(&dc)
		if len(dc.Items) == 0 {
			t.Fatal("no deciders listed for the approval")
		}
		for _, u := range dc.Items {
			if u.Role != "finance_director" && u.Role != "admin" {
				t.Fatalf("approval candidate %+v", u)
			}
		}
		dir.do("POST", fmt.Sprintf("/api/tasks/%d/reassign", approval), map[string]any{"assignee": admin}).want(200)
	})
}
