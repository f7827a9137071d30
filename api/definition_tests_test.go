package api_test

import (
	"context"
	"strings"
	"testing"

	"github.com/recoup/recoup/api"
	"github.com/recoup/recoup/engine/casetest"
	"github.com/recoup/recoup/store"
	"github.com/recoup/recoup/store/storetest"
)

// TestRunDefinitionTests: the stored test cases run against a draft report
// the cases it breaks, with what was expected and what came; against the
// published version they all pass; nothing is written.
func TestRunDefinitionTests(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		f := setup(t, s, api.Options{})
		files, err := casetest.ReadFiles("../rules-examples")
		if err != nil {
			t.Fatal(err)
		}
		stored := make([]store.DefinitionTest, len(files))
		for i, tf := range files {
			stored[i] = store.DefinitionTest{Path: tf.Path, Source: string(tf.Data)}
		}
		if _, err := s.ReplaceDefinitionTests(context.Background(), stored, store.ApplyOptions{By: "apply"}); err != nil {
			t.Fatal(err)
		}
		adm := f.login(admin)
		var v1 store.Definition
		adm.do("GET", "/api/definitions/Rule/mark-overdue", nil).want(200).decode(&v1)
		// a day late: overdue only two days after the due date
		late := strings.Replace(v1.Source, "when: invoice.balance > 0 && today > invoice.due_date", "when: invoice.balance > 0 && invoice.days_overdue > 1", 1)
		if late == v1.Source {
			t.Fatal("mark-overdue changed: update the test")
		}
		adm.do("POST", "/api/definitions/drafts", map[string]any{"source": late}).want(201)

		var run api.TestRun
		defer func() {
			if t.Failed() {
				t.Log(f.log.String())
			}
		}()
		adm.do("POST", "/api/definitions/Rule/mark-overdue/tests", map[string]any{"version": v1.Version}).want(200).decode(&run)
		if run.Version != v1.Version || run.Failed != 0 || run.Passed != 55 || len(run.Items) != 55 {
			t.Fatalf("published: version %d, %d passed, %d failed, %d items", run.Version, run.Passed, run.Failed, len(run.Items))
		}
		before := f.count("SELECT COUNT(*) FROM audit_log")
		adm.do("POST", "/api/definitions/Rule/mark-overdue/tests", map[string]any{"version": v1.Version + 1}).want(200).decode(&run)
		if after := f.count("SELECT COUNT(*) FROM audit_log"); after != before {
			t.Errorf("the test run wrote %d audit entries", after-before)
		}
		if run.Version != v1.Version+1 || run.Failed == 0 || run.Passed+run.Failed != 55 {
			t.Fatalf("draft: version %d, %d passed, %d failed", run.Version, run.Passed, run.Failed)
		}
		var broken *api.TestCaseResult
		for i, it := range run.Items {
			if it.Name == "rule 1 marks an invoice overdue the day after its due date" {
				broken = &run.Items[i]
			}
			if it.Passed != (it.Message == "") {
				t.Errorf("%s: passed %v with message %q", it.Name, it.Passed, it.Message)
			}
		}
		if broken == nil || broken.Passed || broken.File != "tests/source-rules.test.yaml" || broken.Line != 8 ||
			!strings.Contains(broken.Message, "tick 2 at 2026-03-02T09:00:00+08:00: effects differ (- expected, + got):\n"+
				"- {key: rule/mark-overdue/invoice/1#0, kind: set, field: invoice.status, value: overdue, old_value: open}") {
			t.Fatalf("the broken case: %+v", broken)
		}
		// an unknown version is not found
		adm.do("POST", "/api/definitions/Rule/mark-overdue/tests", map[string]any{"version": 99}).want(404)
	})
}
