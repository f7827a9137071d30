package api

import (
	"context"

	"github.com/recoup/recoup/engine"
)

// RunDefinitionTests runs the stored test cases against the published
// definitions with the version asked for in place of its published one
// (usecase.RunDefinitionTests). Nothing is written.
func (a *server) RunDefinitionTests(ctx context.Context, req RunDefinitionTestsRequestObject) (RunDefinitionTestsResponseObject, error) {
	run, err := a.uc.RunDefinitionTests(ctx, actorOf(ctx), engine.Kind(req.Kind), req.Name, req.Body.Version)
	if err != nil {
		return nil, err
	}
	items := make([]TestCaseResult, len(run.Items))
	for i, r := range run.Items {
		items[i] = TestCaseResult{File: r.File, Line: r.Line, Name: r.Name, Passed: r.Passed, Message: r.Message}
	}
	return RunDefinitionTests200JSONResponse{Version: run.Version, Passed: run.Passed, Failed: run.Failed, Items: items}, nil
}
