package api

import (
	"context"
	"io"

	"github.com/recoup/recoup/engine"
	"github.com/recoup/recoup/usecase"
)

// CreateDrafts stores submitted documents as drafts, validated together with
// the published definitions they do not replace.
func (a *server) CreateDrafts(ctx context.Context, req CreateDraftsRequestObject) (CreateDraftsResponseObject, error) {
	name, source := "draft.yaml", ""
	switch {
	case req.JSONBody != nil:
		source = req.JSONBody.Source
		if f := req.JSONBody.Format; f != nil && *f == DraftRequestFormatJson {
			name = "draft.json"
		}
	case req.Body != nil: // a YAML file
		data, err := io.ReadAll(req.Body)
		if err != nil {
			return nil, err
		}
		source = string(data)
	}
	out, err := a.uc.ApplyDefinitions(ctx, actorOf(ctx), []engine.Source{{Name: name, Data: []byte(source)}}, usecase.ApplyOptions{Draft: true})
	if err != nil {
		return nil, err
	}
	return CreateDrafts201JSONResponse{Items: out}, nil
}

func (a *server) PublishDefinition(ctx context.Context, req PublishDefinitionRequestObject) (PublishDefinitionResponseObject, error) {
	out, err := a.uc.Publish(ctx, actorOf(ctx), engine.Kind(req.Kind), req.Name, req.Body.Version, val(req.Body.Note))
	if err != nil {
		return nil, err
	}
	return PublishDefinition200JSONResponse(out), nil
}

// RollbackDefinition publishes an older version's content as a new version.
func (a *server) RollbackDefinition(ctx context.Context, req RollbackDefinitionRequestObject) (RollbackDefinitionResponseObject, error) {
	out, err := a.uc.Rollback(ctx, actorOf(ctx), engine.Kind(req.Kind), req.Name, req.Body.Version, val(req.Body.Note))
	if err != nil {
		return nil, err
	}
	return RollbackDefinition200JSONResponse(out), nil
}

func (a *server) DiffDefinition(ctx context.Context, req DiffDefinitionRequestObject) (DiffDefinitionResponseObject, error) {
	kind, from, to := engine.Kind(req.Kind), req.Params.From, req.Params.To
	a1, err := a.store.DefinitionVersion(ctx, kind, req.Name, from)
	if err != nil {
		return nil, err
	}
	b1, err := a.store.DefinitionVersion(ctx, kind, req.Name, to)
	if err != nil {
		return nil, err
	}
	return DiffDefinition200JSONResponse{From: from, To: to, Diff: unifiedDiff(a1.SourceName(), b1.SourceName(), a1.Source, b1.Source)}, nil
}
