package cli

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/recoup/recoup/store/storetest"
)

func TestValidateCmd(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	out, _, err := run(t, ctx, "validate", "../rules-examples")
	if err != nil || out != "ok: 27 documents: 2 forms, 10 rules, 14 templates, 1 workflow\n" {
		t.Fatalf("validate rules-examples: %q %v", out, err)
	}
	_, errOut, err := run(t, ctx, "validate", "--no-snippets", "../engine/testdata/broken/rule-keys.yaml", "missing.yaml")
	if !errors.Is(err, ErrSilent) {
		t.Fatalf("want ErrSilent, got %v", err)
	}
	lines := strings.Split(strings.TrimSpace(errOut), "\n")
	if lines[0] != "../engine/testdata/broken/rule-keys.yaml:6:3: unknown key \"wen\"; did you mean \"when\"?" ||
		lines[len(lines)-2] != "missing.yaml: no such file or directory" || lines[len(lines)-1] != "10 problems in 2 files" {
		t.Errorf("stderr:\n%s", errOut)
	}
	out, _, err = run(t, ctx, "validate", "--json", "../engine/testdata/broken/yaml-syntax.yaml")
	if !errors.Is(err, ErrSilent) || !strings.HasPrefix(out, `{"ok":false,"problems":[{"file":"../engine/testdata/broken/yaml-syntax.yaml","line":7,"col":4,`) {
		t.Errorf("json: %q %v", out, err)
	}
}

func TestApplyCmd(t *testing.T) {
	t.Parallel()
	storetest.EachURL(t, func(t *testing.T, url string) {
		ctx := context.Background()
		out, _, err := run(t, ctx, "apply", "--db", url, "../rules-examples")
		if err != nil || !strings.HasSuffix(out, "applied 27 documents: 27 published (27 new versions, 0 drafts published), 0 unchanged\n"+
			"stored 6 test files: 6 added, 0 changed, 0 removed, 0 unchanged\n") ||
			!strings.Contains(out, "created   Rule/mark-overdue v1\n") {
			t.Fatalf("first apply: %q %v", out, err)
		}
		out, _, err = run(t, ctx, "apply", "--db", url, "../rules-examples")
		if err != nil || out != "applied 27 documents: 0 published (0 new versions, 0 drafts published), 27 unchanged\n"+
			"stored 6 test files: 0 added, 0 changed, 0 removed, 6 unchanged\n" {
			t.Fatalf("second apply: %q %v", out, err)
		}
		// a new rule may use a template that is only in the database
		dir := t.TempDir()
		rule := "apiVersion: recoup/v1\nkind: Rule\nmetadata: {name: nudge}\nspec:\n  on: invoice\n  when: invoice.days_overdue == 3\n  then: [{notify: {channel: email, to: customer.email, template: reminder-email}}]\n"
		if err := os.WriteFile(filepath.Join(dir, "nudge.yaml"), []byte(rule), 0o644); err != nil {
			t.Fatal(err)
		}
		out, _, err = run(t, ctx, "apply", "--db", url, "--draft", dir)
		if err != nil || out != "created   Rule/nudge v1\napplied 1 document: 1 stored as draft, 0 unchanged\n" {
			t.Fatalf("draft apply: %q %v", out, err)
		}
		// an invalid document writes nothing
		bad := strings.Replace(rule, "reminder-email", "reminder-mail", 1)
		if err := os.WriteFile(filepath.Join(dir, "nudge.yaml"), []byte(bad), 0o644); err != nil {
			t.Fatal(err)
		}
		_, errOut, err := run(t, ctx, "apply", "--db", url, dir)
		if !errors.Is(err, ErrSilent) || !strings.Contains(errOut, `nudge.yaml:7:66: unknown template "reminder-mail"; did you mean "reminder-email"?`) {
			t.Fatalf("invalid apply: %q %v", errOut, err)
		}
	})
}
