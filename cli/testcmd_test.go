package cli

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/recoup/recoup/store"
	"github.com/recoup/recoup/store/storetest"
)

// TestTestCommand: `recoup test` passes on the example pack, and a copy
// with one wrong expectation fails with the case named and what it got.
func TestTestCommand(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	out, errOut, err := run(t, ctx, "test", "../rules-examples")
	if err != nil || !strings.Contains(out, "PASS  ../rules-examples/tests/forms.test.yaml:5  a promise needs a date\n") ||
		!strings.HasSuffix(out, " cases in 6 files: 55 passed, 0 failed\n") || strings.Contains(out, "FAIL") {
		t.Fatalf("example pack: %v\n%s%s", err, out, errOut)
	}

	dir := t.TempDir()
	if err := os.CopyFS(dir, os.DirFS("../rules-examples")); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "tests", "source-rules.test.yaml")
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	broken := strings.Replace(string(data), "field: invoice.status, value: overdue, old_value: open}", "field: invoice.status, value: late, old_value: open}", 1)
	if broken == string(data) {
		t.Fatal("nothing replaced")
	}
	if err := os.WriteFile(path, []byte(broken), 0o644); err != nil {
		t.Fatal(err)
	}
	out, _, err = run(t, ctx, "test", dir)
	if !errors.Is(err, ErrSilent) {
		t.Fatalf("a wrong expectation: err %v, want exit 1\n%s", err, out)
	}
	want := "FAIL  " + path + ":8  rule 1 marks an invoice overdue the day after its due date\n" +
		"      tick 2 at 2026-03-02T09:00:00+08:00: effects differ (- expected, + got):\n" +
		"      - {key: rule/mark-overdue/invoice/1#0, kind: set, field: invoice.status, value: late, old_value: open}\n" +
		"      + {key: rule/mark-overdue/invoice/1#0, kind: set, field: invoice.status, value: overdue, old_value: open}\n"
	if !strings.Contains(out, want) || !strings.HasSuffix(out, " cases in 6 files: 54 passed, 1 failed\n") || strings.Count(out, "FAIL") != 1 {
		t.Errorf("output lacks\n%s\ngot\n%s", want, out)
	}

	// a bad test file or bad definitions: exit 1 with the place
	if err := os.WriteFile(filepath.Join(dir, "tests", "bad.test.yaml"), []byte("timezone: UTC\ncases:\n  - name: x\n    at: 2026-01-01T00:00:00Z\n    expct: []\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, errOut, err = run(t, ctx, "test", dir)
	if wantErr := filepath.Join(dir, "tests", "bad.test.yaml") + ":5: unknown key \"expct\" in a rule case; did you mean \"expect\"?\n"; !errors.Is(err, ErrSilent) || !strings.Contains(errOut, wantErr) {
		t.Errorf("bad test file: %v\n%s\nwant %s", err, errOut, wantErr)
	}
	if err := os.WriteFile(filepath.Join(dir, "rules", "broken.yaml"), []byte("apiVersion: recoup/v1\nkind: Rule\nmetadata: {name: broken}\nspec: {on: invoice, when: invoice.amout > 0, then: []}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, errOut, err = run(t, ctx, "test", dir)
	if !errors.Is(err, ErrSilent) || !strings.Contains(errOut, filepath.Join(dir, "rules", "broken.yaml")+":4:") {
		t.Errorf("bad definitions: %v\n%s", err, errOut)
	}
}

// TestApplyStoresTests: apply stores a pack's test files, replacing the
// stored set; a bad test file stops apply before anything is written.
func TestApplyStoresTests(t *testing.T) {
	t.Parallel()
	storetest.EachURL(t, func(t *testing.T, url string) {
		ctx := context.Background()
		dir := t.TempDir()
		if err := os.CopyFS(dir, os.DirFS("../rules-examples")); err != nil {
			t.Fatal(err)
		}
		if out, errOut, err := run(t, ctx, "apply", "--db", url, dir); err != nil || !strings.HasSuffix(out, "stored 6 test files: 6 added, 0 changed, 0 removed, 0 unchanged\n") {
			t.Fatalf("apply: %v\n%s%s", err, out, errOut)
		}
		if err := os.Remove(filepath.Join(dir, "tests", "interest.test.yaml")); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, "tests", "bad.test.yaml"), []byte("timezone: UTC\ncases:\n  - name: x\n    at: 2026-01-01T00:00:00Z\n    expct: []\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		out, errOut, err := run(t, ctx, "apply", "--db", url, dir)
		if !errors.Is(err, ErrSilent) || out != "" || !strings.Contains(errOut, filepath.Join(dir, "tests", "bad.test.yaml")+":5: unknown key \"expct\" in a rule case; did you mean \"expect\"?\n") {
			t.Fatalf("bad test file: %v\n%q\n%s", err, out, errOut)
		}
		if err := os.Remove(filepath.Join(dir, "tests", "bad.test.yaml")); err != nil {
			t.Fatal(err)
		}
		if out, _, err := run(t, ctx, "apply", "--db", url, "--note", "no interest", dir); err != nil || !strings.HasSuffix(out, "stored 5 test files: 0 added, 0 changed, 1 removed, 5 unchanged\n") {
			t.Fatalf("apply without a file: %v\n%s", err, out)
		}
		s, err := store.Open(ctx, url)
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		stored, err := s.DefinitionTests(ctx)
		if err != nil || len(stored) != 5 || stored[0].Path != "tests/forms.test.yaml" || stored[4].Path != "tests/workflows/escalation.test.yaml" {
			t.Fatalf("stored %d %v", len(stored), err)
		}
		page, err := s.Audit(ctx, store.AuditFilter{Action: store.ActionDefinitionTestsReplaced})
		if err != nil || len(page.Items) != 2 || page.Items[0].Actor != "apply" {
			t.Fatalf("audit %+v %v", page.Items, err)
		}
		// compared as JSON values: PostgreSQL's jsonb orders and spaces keys its own way
		var detail map[string]any
		if err := json.Unmarshal(page.Items[0].Detail, &detail); err != nil {
			t.Fatal(err)
		}
		if want := map[string]any{"added": []any{}, "changed": []any{}, "note": "no interest", "removed": []any{"tests/interest.test.yaml"}}; !reflect.DeepEqual(detail, want) {
			t.Errorf("audit detail %s", page.Items[0].Detail)
		}
	})
}
