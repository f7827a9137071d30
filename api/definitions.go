package api

import (
	"context"
	"io"

	"github.com/recoup/recoup/engine"
	"github.com/recoup/recoup/store"
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
	docs, err := a.store.ValidateWithPublished(ctx, []engine.Source{{Name: name, Data: []byte(source)}})
	if err != nil {
		return nil, err
	}
	out, err := a.store.ApplyDefinitions(ctx, docs, store.ApplyOptions{By: principalOf(ctx).User.Email, Now: a.now(), Draft: true, RequestID: callerOf(ctx).requestID})
	if err != nil {
		return nil, err
	}
	return CreateDrafts201JSONResponse{Items: out}, nil
}

func (a *server) PublishDefinition(ctx context.Context, req PublishDefinitionRequestObject) (PublishDefinitionResponseObject, error) {
	out, err := a.publish(ctx, engine.Kind(req.Kind), req.Name, req.Body.Version, val(req.Body.Note), false)
	if err != nil {
		return nil, err
	}
	return PublishDefinition200JSONResponse(out), nil
}

// RollbackDefinition publishes an older version's content as a new version.
func (a *server) RollbackDefinition(ctx context.Context, req RollbackDefinitionRequestObject) (RollbackDefinitionResponseObject, error) {
	out, err := a.publish(ctx, engine.Kind(req.Kind), req.Name, req.Body.Version, val(req.Body.Note), true)
	if err != nil {
		return nil, err
	}
	return RollbackDefinition200JSONResponse(out), nil
}

// publish publishes the content of one version (a draft to publish, an
// older version to roll back to), validated against what is published now:
// a draft written before another change may no longer fit.
func (a *server) publish(ctx context.Context, kind engine.Kind, name string, version int, note string, rollback bool) (store.ApplyOutcome, error) {
	d, err := a.store.DefinitionVersion(ctx, kind, name, version)
	if err != nil {
		return store.ApplyOutcome{}, err
	}
	docs, err := a.store.ValidateWithPublished(ctx, []engine.Source{{Name: d.SourceName(), Data: []byte(d.Source)}})
	if err != nil {
		return store.ApplyOutcome{}, err
	}
	opt := store.ApplyOptions{By: principalOf(ctx).User.Email, Now: a.now(), Note: note, RequestID: callerOf(ctx).requestID}
	if rollback {
		opt.RollbackTo = version
	}
	out, err := a.store.ApplyDefinitions(ctx, docs, opt)
	if err != nil {
		return store.ApplyOutcome{}, err
	}
	return out[0], nil
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
