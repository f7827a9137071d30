package casetest_test

import (
	"strings"
	"testing"

	"github.com/recoup/recoup/engine"
	"github.com/recoup/recoup/engine/casetest"
	"github.com/recoup/recoup/money"
)

const pack = "../../rules-examples"

type testBundle struct {
	b     *engine.Bundle
	files []casetest.File
}

func setup(t *testing.T) testBundle {
	t.Helper()
	b, err := engine.LoadPaths(pack)
	if err != nil {
		t.Fatal(err)
	}
	files, err := casetest.ReadFiles(pack)
	if err != nil {
		t.Fatal(err)
	}
	return testBundle{b: b, files: files}
}

// edit returns files with old replaced by new (once) in the file at path.
func edit(t *testing.T, files []casetest.File, path, old, new string) []casetest.File {
	t.Helper()
	out := make([]casetest.File, len(files))
	copy(out, files)
	for i, f := range out {
		if f.Path == path {
			if !strings.Contains(string(f.Data), old) {
				t.Fatalf("%s has no %q", path, old)
			}
			out[i].Data = []byte(strings.Replace(string(f.Data), old, new, 1))
			return out
		}
	}
	t.Fatalf("no file %s", path)
	return nil
}

func TestReadFilesFindsThePack(t *testing.T) {
	t.Parallel()
	tb := setup(t)
	var paths []string
	for _, f := range tb.files {
		paths = append(paths, f.Path)
	}
	want := "tests/forms.test.yaml tests/interest.test.yaml tests/payment-plans.test.yaml tests/risk-tiers.test.yaml " +
		"tests/source-rules.test.yaml tests/workflows/escalation.test.yaml"
	if got := strings.Join(paths, " "); got != want {
		t.Errorf("files %s\nwant %s", got, want)
	}
}

// TestBrokenExpectationFails proves a wrong expectation of each kind (a
// rule's effect, a form's error, a workflow's timeline) is reported as that
// case's failure, with what was expected and what came, and nothing else
// fails.
func TestBrokenExpectationFails(t *testing.T) {
	t.Parallel()
	tb := setup(t)
	files := edit(t, tb.files, "tests/source-rules.test.yaml",
		"{key: \"rule/mark-overdue/invoice/1#0\", kind: set, field: invoice.status, value: overdue, old_value: open}",
		"{key: \"rule/mark-overdue/invoice/1#0\", kind: set, field: invoice.status, value: late, old_value: open}")
	files = edit(t, files, "tests/forms.test.yaml", "{field: promised_date, message: is required}", "{field: promised_date, message: is missing}")
	files = edit(t, files, "tests/workflows/escalation.test.yaml", "2026-01-15   escalation call to sales_manager", "2026-01-16   escalation call to sales_manager")
	suites, err := casetest.Parse(files...)
	if err != nil {
		t.Fatal(err)
	}
	results := casetest.Run(tb.b, suites)
	failed := map[string]casetest.Result{}
	for _, r := range results {
		if !r.Passed {
			failed[r.Name] = r
		}
	}
	if len(results) < 50 || len(failed) != 3 {
		t.Fatalf("%d results, %d failed, want 3: %v", len(results), len(failed), failed)
	}
	for name, want := range map[string]string{
		"rule 1 marks an invoice overdue the day after its due date": "tick 2 at 2026-03-02T09:00:00+08:00: effects differ (- expected, + got):\n" +
			"- {key: rule/mark-overdue/invoice/1#0, kind: set, field: invoice.status, value: late, old_value: open}\n" +
			"+ {key: rule/mark-overdue/invoice/1#0, kind: set, field: invoice.status, value: overdue, old_value: open}",
		"a promise needs a date": "form errors differ (- expected, + got):\n- promised_date: is missing\n+ promised_date: is required",
		"nobody answers, nobody pays": "workflow effects differ (- expected, + got):\n" +
			"  ...\n" +
			"  2026-01-13 entered call\n" +
			"  2026-01-13   task call for rep@example.com form call-outcome\n" +
			"- 2026-01-16   escalation call to sales_manager\n" +
			"+ 2026-01-15   escalation call to sales_manager\n" +
			"  2026-01-15   notify call in_app to role sales_manager\n" +
			"  2026-01-21 completed call\n" +
			"  ...",
	} {
		r, ok := failed[name]
		if !ok {
			t.Errorf("%q did not fail", name)
			continue
		}
		if r.Message != want {
			t.Errorf("%s: message\n%s\nwant\n%s", name, r.Message, want)
		}
	}
	if r := failed["a promise needs a date"]; r.File != "tests/forms.test.yaml" || r.Line != 5 {
		t.Errorf("form case at %s:%d, want tests/forms.test.yaml:5", r.File, r.Line)
	}
}

// TestBadFilesArePositioned: a test file that is wrong is reported at its
// line, every problem at once, never a panic.
func TestBadFilesArePositioned(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, src, want string
	}{
		{"syntax", "timezone: UTC\ncases:\n  - name: [x\n", "bad.test.yaml:2: did not find expected ',' or ']'"},
		{"unknown key", "timezone: UTC\ncases:\n  - name: x\n    at: 2026-01-01T00:00:00Z\n    expct: []\n",
			"bad.test.yaml:5: unknown key \"expct\" in a rule case; did you mean \"expect\"?"},
		{"no timezone", "cases:\n  - {name: x, at: 2026-01-01T00:00:00Z}\n", "bad.test.yaml:1: timezone is required (e.g. timezone: Asia/Shanghai)"},
		{"bad timezone", "timezone: Mars/Base\ncases:\n  - {name: x, at: 2026-01-01T00:00:00Z}\n", `bad.test.yaml:1: unknown timezone "Mars/Base"`},
		{"empty", "", "bad.test.yaml: empty test file: want timezone and cases, forms or scenarios"},
		{"every problem", "timezone: UTC\ncases:\n  - name: a\n    at: yesterday\n    invoice: {currency: CNY, amount: 12.345}\n" +
			"  - name: a\n    ticks:\n      - at: 2026-01-01T00:00:00Z\n        invoice: {balanse: \"1.00\"}\n" +
			"forms:\n  - {name: f, at: 2026-01-01T00:00:00Z}\nscenarios:\n  - {name: s, from: 2026-01-05, to: 2026-01-01, actions: [{day: 2026-01-02}]}\n" +
			"  - {name: t, from: 2026-01-01, to: 2026-01-09, down: {from: 2026-01-03, to: 2026-01-04}, expect: x, actions: [{day: 2026-01-10, pay: true}, {day: 2026-01-04, pay: true}]}\n",
			"bad.test.yaml:3: case \"a\": tick 1: at: \"yesterday\" is not an RFC 3339 time (e.g. 2026-03-10T09:00:00+08:00)\n" +
				"bad.test.yaml:3: case \"a\": invoice.amount: " + moneyErr(t, "12.345", "CNY") + "\n" +
				"bad.test.yaml:6: case \"a\": tick 1: invoice: unknown key \"balanse\" in an invoice; did you mean \"balance\"?\n" +
				"bad.test.yaml:6: case \"a\" is already named on line 3\n" +
				"bad.test.yaml:11: case \"f\": form is required\n" +
				"bad.test.yaml:13: case \"s\": to (2026-01-01) is before from (2026-01-05)\n" +
				"bad.test.yaml:13: case \"s\": actions[0]: want exactly one of pay, complete, disputed\n" +
				"bad.test.yaml:13: case \"s\": expect is required: the workflows' effects, one per line\n" +
				"bad.test.yaml:14: case \"t\": actions[0]: 2026-01-10 is not between from and to: it would never happen\n" +
				"bad.test.yaml:14: case \"t\": actions[1]: the server is down on 2026-01-04: it would never happen"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := casetest.Parse(casetest.File{Path: "bad.test.yaml", Data: []byte(tc.src)})
			if err == nil {
				t.Fatal("parsed")
			}
			if _, ok := err.(engine.ErrorList); !ok {
				t.Errorf("%T, want engine.ErrorList", err)
			}
			if err.Error() != tc.want {
				t.Errorf("got\n%s\nwant\n%s", err, tc.want)
			}
		})
	}
}

func moneyErr(t *testing.T, s, cur string) string {
	t.Helper()
	_, err := money.ParseMinor(s, cur)
	if err == nil {
		t.Fatalf("%s parses", s)
	}
	return err.Error()
}

// TestUnknownFormFailsTheCase: a case naming a form the pack lacks fails;
// it does not stop the run.
func TestUnknownFormFailsTheCase(t *testing.T) {
	t.Parallel()
	tb := setup(t)
	suites, err := casetest.Parse(casetest.File{Path: "x.test.yaml", Data: []byte(
		"timezone: UTC\nforms:\n  - {name: gone, form: nope, at: 2026-01-01T00:00:00Z}\n  - {name: fine, form: call-outcome, at: 2026-01-01T00:00:00Z, values: {outcome: refused}}\n")})
	if err != nil {
		t.Fatal(err)
	}
	rs := casetest.Run(tb.b, suites)
	if len(rs) != 2 || rs[0].Passed || rs[0].Message != `unknown form "nope"` || !rs[1].Passed {
		t.Errorf("%+v", rs)
	}
}
