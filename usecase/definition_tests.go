package usecase

import (
	"context"

	"github.com/recoup/recoup/engine"
	"github.com/recoup/recoup/engine/casetest"
	"github.com/recoup/recoup/store"
)

// ReplaceDefinitionTests makes files (a pack's tests/**/*.test.yaml, paths
// relative to the pack) the stored test files, replacing the stored set.
// Nothing is stored when a file does not parse: the error is then an
// engine.ErrorList with file:line.
func (s *Service) ReplaceDefinitionTests(ctx context.Context, by Actor, files []casetest.File, note string) (store.TestsOutcome, error) {
	if err := by.Authorize(DefinitionsWrite); err != nil {
		return store.TestsOutcome{}, err
	}
	if _, err := casetest.Parse(files...); err != nil {
		return store.TestsOutcome{}, err
	}
	rows := make([]store.DefinitionTest, len(files))
	for i, f := range files {
		rows[i] = store.DefinitionTest{Path: f.Path, Source: string(f.Data)}
	}
	return s.store.ReplaceDefinitionTests(ctx, rows, store.ApplyOptions{By: by.Name(), Now: s.now(), Note: note, RequestID: by.RequestID})
}

// TestRun is the outcome of the stored test cases run against one version
// of a definition.
type TestRun struct {
	Version        int
	Passed, Failed int
	Items          []casetest.Result // in file order
}

// RunDefinitionTests runs every stored test case against the published
// definitions with the version asked for (e.g. a draft) in place of its
// published one, so that a draft that breaks a case is known before it is
// published. Nothing is written. An engine.ErrorList when the version no
// longer fits the published definitions or a stored test file is bad.
func (s *Service) RunDefinitionTests(ctx context.Context, by Actor, kind engine.Kind, name string, version int) (TestRun, error) {
	if err := by.Authorize(DefinitionsWrite); err != nil {
		return TestRun{}, err
	}
	b, d, err := s.BundleWith(ctx, kind, name, version)
	if err != nil {
		return TestRun{}, err
	}
	stored, err := s.store.DefinitionTests(ctx)
	if err != nil {
		return TestRun{}, err
	}
	files := make([]casetest.File, len(stored))
	for i, t := range stored {
		files[i] = casetest.File{Path: t.Path, Data: []byte(t.Source)}
	}
	suites, err := casetest.Parse(files...)
	if err != nil {
		return TestRun{}, err
	}
	run := TestRun{Version: d.Version, Items: casetest.Run(b, suites)}
	for _, r := range run.Items {
		if r.Passed {
			run.Passed++
		} else {
			run.Failed++
		}
	}
	return run, nil
}
