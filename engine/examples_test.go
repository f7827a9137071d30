package engine_test

import (
	"strings"
	"testing"

	"github.com/recoup/recoup/engine"
	"github.com/recoup/recoup/engine/casetest"
)

// The example pack's test cases (rules-examples/tests/**/*.test.yaml) are
// run here through casetest, the runner `recoup test` and the server use:
// the docs are tests.

const examplesDir = "../rules-examples"

func loadExamples(t *testing.T) *engine.Bundle {
	t.Helper()
	b, err := engine.LoadPaths(examplesDir)
	if err != nil {
		t.Fatalf("rules-examples do not load:\n%v", err)
	}
	return b
}

// runExampleSuites runs, as subtests, every case of the pack's test files
// that keep (by path relative to the pack) selects.
func runExampleSuites(t *testing.T, keep func(path string) bool) {
	t.Helper()
	b := loadExamples(t)
	files, err := casetest.ReadFiles(examplesDir)
	if err != nil {
		t.Fatal(err)
	}
	var picked []casetest.File
	for _, f := range files {
		if keep(f.Path) {
			picked = append(picked, f)
		}
	}
	if len(picked) == 0 {
		t.Fatal("no test files")
	}
	suites, err := casetest.Parse(picked...)
	if err != nil {
		t.Fatalf("test files do not parse:\n%v", err)
	}
	for _, s := range suites {
		for _, c := range s.Cases() {
			t.Run(strings.TrimPrefix(s.File, "tests/")+"/"+c.Name, func(t *testing.T) {
				t.Parallel()
				if r := c.Run(b); !r.Passed {
					t.Errorf("%s:%d: %s\n%s", r.File, r.Line, r.Name, r.Message)
				}
			})
		}
	}
}

// TestExamples runs the rule and form cases (tests/*.test.yaml).
func TestExamples(t *testing.T) {
	t.Parallel()
	runExampleSuites(t, func(path string) bool { return !strings.HasPrefix(path, "tests/workflows/") })
}

// TestWorkflowExamples runs the workflow scenarios
// (tests/workflows/*.test.yaml).
func TestWorkflowExamples(t *testing.T) {
	t.Parallel()
	runExampleSuites(t, func(path string) bool { return strings.HasPrefix(path, "tests/workflows/") })
}
