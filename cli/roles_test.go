package cli

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/recoup/recoup/store"
	"github.com/recoup/recoup/store/storetest"
)

// TestCLIRoleMatrix runs the task, payment, import and apply commands
// --as users of each role on a small demo and checks each is allowed or
// refused exactly as the API's role and row checks say (the same use
// cases answer both): a rep cannot complete another rep's task nor decide
// an approval, finance cannot decide the director's, an approval cannot
// be handed to a rep, and so on.
func TestCLIRoleMatrix(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dir := t.TempDir()
	db := "sqlite:" + filepath.Join(dir, "recoup.db")
	if _, errOut, err := run(t, ctx, "demo", "--db", db, "--out", filepath.Join(dir, "data"), "--rules", "../rules-examples",
		"--customers", "40", "--invoices", "400", "--today", "2026-11-30", "--days", "60"); err != nil {
		t.Fatalf("demo: %v\n%s", err, errOut)
	}
	s, err := store.Open(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	all, err := s.Tasks(ctx, store.TaskFilter{Status: "open", Limit: 1 << 20})
	if err != nil {
		t.Fatal(err)
	}
	var repTask, approval, rep1 string
	for _, tk := range all {
		switch {
		case repTask == "" && tk.Kind == "task" && strings.HasPrefix(tk.Assignee, "rep") && strings.HasSuffix(tk.Assignee, ".east@demo.recoup.test"):
			repTask, rep1 = tk.Key, tk.Assignee
		case approval == "" && tk.Kind == "approval" && tk.Role == "finance_director":
			approval = tk.Key
		}
	}
	if repTask == "" || approval == "" {
		t.Fatalf("the demo has no open task of an east rep (%q) or no open approval (%q)", repTask, approval)
	}
	users := filepath.Join(dir, "more-users.csv")
	if err := os.WriteFile(users, []byte("email,name,role,team\nauditor@demo.recoup.test,Auditor,finance,\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	rule := filepath.Join(dir, "nudge.yaml")
	if err := os.WriteFile(rule, []byte("apiVersion: recoup/v1\nkind: Rule\nmetadata: {name: nudge}\nspec:\n  on: invoice\n  when: invoice.days_overdue == 3\n  then: [{notify: {channel: email, to: customer.email, template: reminder-email}}]\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	var invoice string
	for _, tk := range all {
		var balance int64
		if tk.Invoice != "" && tk.Assignee == rep1 && storetest.SQL(s).QueryRow("SELECT balance_minor FROM invoices WHERE number = ?", tk.Invoice).Scan(&balance) == nil && balance > 1000 {
			invoice = tk.Invoice
			break
		}
	}
	// rep2 is another rep of rep1's team.
	rep2 := "rep1.east@demo.recoup.test"
	if rep1 == rep2 {
		rep2 = "rep2.east@demo.recoup.test"
	}
	const (
		manager  = "manager.east@demo.recoup.test"
		finance  = "finance1@demo.recoup.test"
		director = "director@demo.recoup.test"
		admin    = "admin@demo.recoup.test"
	)
	decision := `{"decision":"continue","comment":"one more call"}`
	cases := []struct {
		name string
		args []string
		want string // "" succeeds; else a part of the error
	}{
		{"complete needs a user", []string{"task", "complete", repTask, "--values", "{}"}, "--as EMAIL is required"},
		{"unknown user", []string{"task", "complete", repTask, "--as", "nobody@demo.recoup.test"}, "no such user"},
		{"rep completes another rep's task", []string{"task", "complete", repTask, "--as", rep2, "--values", `{"outcome":"no_answer"}`}, "not found"},
		{"rep decides an approval", []string{"task", "complete", approval, "--as", rep1, "--values", decision}, "not found"},
		{"finance decides an approval", []string{"task", "complete", approval, "--as", finance, "--values", decision}, "not found"},
		{"rep comments another rep's task", []string{"task", "comment", repTask, "--as", rep2, "--text", "hi"}, "not found"},
		{"rep comments its task", []string{"task", "comment", repTask, "--as", rep1, "--text", "called twice"}, ""},
		{"rep reassigns", []string{"task", "reassign", repTask, "--to", rep2, "--as", rep1}, "may not use tasks:assign"},
		{"approval to a rep", []string{"task", "reassign", approval, "--to", rep1, "--as", director}, "may not do this task: an approval for finance_director goes only"},
		{"manager hands a task within the team", []string{"task", "reassign", repTask, "--to", rep2, "--as", manager}, ""},
		{"rep records a payment", []string{"payment", "record", "--invoice", invoice, "--amount", "1.00 CNY", "--reference", "CLI-1", "--as", rep1}, "may not use payments:write"},
		{"finance records a payment", []string{"payment", "record", "--invoice", invoice, "--amount", "1.00 CNY", "--reference", "CLI-1", "--as", finance}, ""},
		{"finance imports users", []string{"import", "users", users, "--as", finance}, "may not use users:admin"},
		{"admin imports users", []string{"import", "users", users, "--as", admin}, ""},
		{"finance publishes", []string{"apply", rule, "--as", finance}, "may not use definitions:write"},
		{"rep disputes its invoice", []string{"dispute", "open", "--invoice", invoice, "--reason", "pricing", "--amount", "1.00 CNY", "--as", rep1}, ""},
		{"rep resolves a dispute", []string{"dispute", "resolve", "--id", "1", "--status", "rejected", "--note", "no", "--as", rep1}, "may not use cases:decide"},
		{"finance resolves it", []string{"dispute", "resolve", "--id", "1", "--status", "rejected", "--note", "price confirmed", "--as", finance}, ""},
		{"a promise in the past", []string{"promise", "record", "--invoice", invoice, "--date", "2026-01-01", "--amount", "1.00 CNY", "--as", rep1}, "/promised_date: must be in the future"},
		{"rep places a hold", []string{"hold", "place", "--invoice", invoice, "--reason", "x", "--as", rep1}, "may not use cases:decide"},
		{"finance places a hold", []string{"hold", "place", "--invoice", invoice, "--reason", "customer in administration", "--as", finance}, ""},
		{"finance releases it", []string{"hold", "release", "--invoice", invoice, "--as", finance}, ""},
		{"rep opens a legal case", []string{"legal", "open", "--invoice", invoice, "--as", rep1}, "may not use cases:decide"},
		{"director opens a legal case", []string{"legal", "open", "--invoice", invoice, "--document", "complaint.pdf", "--as", director}, ""},
		{"director closes it", []string{"legal", "close", "--id", "1", "--status", "recovered", "--as", director}, ""},
		{"director decides the approval", []string{"task", "complete", approval, "--as", director, "--values", decision}, ""},
		{"admin publishes", []string{"apply", rule, "--as", admin}, ""},
	}
	for _, c := range cases {
		out, errOut, err := run(t, ctx, append(c.args, "--db", db)...)
		switch {
		case c.want == "" && err != nil:
			t.Errorf("%s: refused: %v\n%s%s", c.name, err, out, errOut)
		case c.want != "" && err == nil:
			t.Errorf("%s: allowed, want refused with %q:\n%s", c.name, c.want, out)
		case c.want != "" && !strings.Contains(err.Error(), c.want):
			t.Errorf("%s: refused with %q, want %q", c.name, err, c.want)
		}
	}

	// What the refusals left: rep1's task is open and now rep2's, the
	// approval decided once, by the director.
	acts, err := s.TaskActivity(ctx, mustTaskID(t, s, approval))
	if err != nil {
		t.Fatal(err)
	}
	var deciders []string
	for _, a := range acts {
		if a.Action == store.ActionTaskCompleted {
			deciders = append(deciders, a.Actor)
		}
	}
	if len(deciders) != 1 || deciders[0] != director {
		t.Errorf("approval decided by %q, want once by %s", deciders, director)
	}
	task, err := s.VisibleTask(ctx, store.Viewer{Role: store.RoleAdmin}, mustTaskID(t, s, repTask), time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if task.Status != "open" || task.Assignee != rep2 {
		t.Errorf("rep1's task: %s, assigned to %q; want open, assigned to %s", task.Status, task.Assignee, rep2)
	}

	// task list pages, and shows a rep its own tasks only.
	out, errOut, err := run(t, ctx, "task", "list", "--db", db, "--as", manager, "--limit", "2")
	if err != nil || !strings.Contains(errOut, "more tasks: add --cursor ") || strings.Count(out, "\n") != 3 {
		t.Errorf("task list --as manager --limit 2: %v\n%s%s", err, out, errOut)
	}
	paged, _, err := run(t, ctx, "task", "list", "--db", db, "--as", manager, "--limit", "2", "--all")
	whole, _, err2 := run(t, ctx, "task", "list", "--db", db, "--as", manager)
	if err != nil || err2 != nil || !slices.Equal(strings.Fields(paged), strings.Fields(whole)) || strings.Count(whole, "\n") < 4 {
		t.Errorf("task list --all by twos differs from one page:\n%s\n%s", paged, whole)
	}
	out, _, err = run(t, ctx, "task", "list", "--db", db, "--as", rep1, "--all")
	if err != nil || strings.Contains(out, repTask) {
		t.Errorf("rep1 still lists the task handed to rep2: %v\n%s", err, out)
	}
}

func mustTaskID(t *testing.T, s *store.Store, key string) int64 {
	t.Helper()
	id, err := s.TaskIDByKey(context.Background(), key)
	if err != nil {
		t.Fatal(err)
	}
	return id
}
