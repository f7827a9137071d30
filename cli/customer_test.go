package cli

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/recoup/recoup/store"
	"github.com/recoup/recoup/store/storetest"
)

// TestCustomerCommands: the manual account actions at the command line,
// refused and allowed as the API's (the same use cases answer both).
func TestCustomerCommands(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dir := t.TempDir()
	db := "sqlite:" + filepath.Join(dir, "recoup.db")
	if _, errOut, err := run(t, ctx, "demo", "--db", db, "--out", filepath.Join(dir, "data"), "--rules", "../rules-examples",
		"--customers", "10", "--invoices", "40", "--today", "2026-11-30", "--days", "0"); err != nil {
		t.Fatalf("demo: %v\n%s", err, errOut)
	}
	s, err := store.Open(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	var id string
	err = storetest.SQL(s).QueryRowContext(ctx, "SELECT c.external_id FROM customers c JOIN users u ON u.id = c.owner_id WHERE u.email = 'rep1.east@demo.recoup.test' ORDER BY c.id LIMIT 1").Scan(&id)
	s.Close()
	if err != nil {
		t.Fatal(err)
	}
	const rep, fin = "rep1.east@demo.recoup.test", "finance1@demo.recoup.test"
	for _, c := range []struct {
		args []string
		out  string // in stdout, or in the error when err
		err  bool
	}{
		{[]string{"customer", "edit", id, "--as", rep, "--email", "bad", "--locale", "de"}, `email: "bad" is not an email address; locale: "de" is not a language`, true},
		{[]string{"customer", "edit", id, "--as", rep, "--phone", "+86 21 5555 0199", "--locale", "zh-CN"}, `"locale": "zh-CN"`, false},
		{[]string{"customer", "contact", id, "--as", rep, "--on"}, "reason: is required", true},
		{[]string{"customer", "contact", id, "--as", rep, "--on", "--reason", "replied STOP"}, `"do_not_contact": true`, false},
		{[]string{"customer", "risk", id, "low", "--as", rep, "--reason", "x"}, "may not change a risk tier", true},
		{[]string{"customer", "risk", id, "high", "--as", fin, "--reason", "court filing"}, `"risk": "high"`, false},
		{[]string{"task", "create", "--customer", id, "--title", "Visit", "--assignee", rep, "--due", "2026-12-30", "--as", rep}, "created task", false},
		{[]string{"task", "create", "--customer", id, "--title", "Visit", "--role", "finance", "--due", "2026-12-30", "--as", rep}, "a sales rep creates tasks for itself only", true},
	} {
		out, errOut, err := run(t, ctx, append(c.args, "--db", db)...)
		got := out
		if c.err {
			if err == nil {
				t.Errorf("%v: no error, want %q", c.args, c.out)
				continue
			}
			got = err.Error() + errOut
		} else if err != nil {
			t.Errorf("%v: %v\n%s", c.args, err, errOut)
			continue
		}
		if !strings.Contains(got, c.out) {
			t.Errorf("%v:\n%s\nwant %q in it", c.args, got, c.out)
		}
	}
}
