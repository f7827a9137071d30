package cli

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/recoup/recoup/store"
	"github.com/recoup/recoup/store/storetest"
)

// TestDisputeReasonCommands: the dispute reason list at the command line,
// refused and allowed as the API's (the same use cases answer both): only
// an admin changes it; a reason added is offered and may be given, a
// retired one is listed only with --retired and may no longer be given.
func TestDisputeReasonCommands(t *testing.T) {
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
	var invoice string
	err = storetest.SQL(s).QueryRowContext(ctx, `SELECT i.number FROM invoices i JOIN users u ON u.id = i.owner_id
		WHERE u.email = 'rep1.east@demo.recoup.test' AND i.balance_minor > 1000 ORDER BY i.id LIMIT 1`).Scan(&invoice)
	s.Close()
	if err != nil {
		t.Fatal(err)
	}
	const rep, fin, adm = "rep1.east@demo.recoup.test", "finance1@demo.recoup.test", "admin@demo.recoup.test"
	for _, c := range []struct {
		args []string
		out  string // in stdout, or in the error when err, its words one space apart
		err  bool
	}{
		{[]string{"dispute", "reasons", "add", "--code", "late_delivery", "--en", "Late delivery", "--zh-CN", "延迟交货", "--as", fin}, "may not use settings:admin", true},
		{[]string{"dispute", "reasons", "add", "--code", "Late", "--en", "Late delivery", "--as", adm}, "/code: must be lowercase letters, digits and _, starting with a letter (e.g. late_delivery); /zh-CN: is required", true},
		{[]string{"dispute", "reasons", "add", "--code", "late_delivery", "--en", "Late delivery", "--zh-CN", "延迟交货", "--as", adm}, `"code": "late_delivery"`, false},
		{[]string{"dispute", "reasons", "update", "--code", "late_delivery", "--en", "Delivered late", "--as", adm}, `"en": "Delivered late"`, false},
		{[]string{"dispute", "reasons", "list", "--as", rep}, "late_delivery Delivered late 延迟交货 active other", false},
		{[]string{"dispute", "open", "--invoice", invoice, "--reason", "late_delivery", "--amount", "1.00 CNY", "--as", rep}, `"reason": "late_delivery"`, false},
		{[]string{"dispute", "reasons", "retire", "--code", "other", "--as", adm}, `the reason "other" cannot be retired`, true},
		{[]string{"dispute", "reasons", "retire", "--code", "late_delivery"}, `"retired": true`, false}, // the operator, without --as
		{[]string{"dispute", "reasons", "list"}, "duplicate Duplicate invoice 重复开票 active other", false},
		{[]string{"dispute", "reasons", "list", "--retired"}, "late_delivery Delivered late 延迟交货 retired other", false},
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
		// the list's columns are padded: compare words
		if !strings.Contains(strings.Join(strings.Fields(got), " "), c.out) {
			t.Errorf("%v:\n%s\nwant %q in it", c.args, got, c.out)
		}
	}
}
