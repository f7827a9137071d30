package api

import (
	"context"
	"encoding/json"
	"io"
	"strings"
	"sync"

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

// DefinitionCatalog is the designer's list of definitions.
func (a *server) DefinitionCatalog(ctx context.Context, _ DefinitionCatalogRequestObject) (DefinitionCatalogResponseObject, error) {
	items, err := a.uc.DefinitionCatalog(ctx, actorOf(ctx))
	if err != nil {
		return nil, err
	}
	return DefinitionCatalog200JSONResponse{Items: items}, nil
}

// DefinitionLanguage serves the embedded JSON Schemas and the expression
// environment, read once.
func (a *server) DefinitionLanguage(_ context.Context, _ DefinitionLanguageRequestObject) (DefinitionLanguageResponseObject, error) {
	lang, err := definitionLanguage()
	if err != nil {
		return nil, err
	}
	return DefinitionLanguage200JSONResponse(lang), nil
}

var definitionLanguage = sync.OnceValues(func() (DefinitionLanguage, error) {
	out := DefinitionLanguage{Schemas: map[string]map[string]any{}}
	for _, k := range engine.Kinds {
		data, err := engine.Schemas.ReadFile("schema/" + strings.ToLower(string(k)) + ".schema.json")
		if err != nil {
			return out, err
		}
		var sch map[string]any
		if err := json.Unmarshal(data, &sch); err != nil {
			return out, err
		}
		out.Schemas[string(k)] = sch
	}
	env, err := engine.ExpressionEnvironment()
	out.Environment = env
	return out, err
})

// ValidateDefinition validates a text as it is typed; it saves nothing.
func (a *server) ValidateDefinition(ctx context.Context, req ValidateDefinitionRequestObject) (ValidateDefinitionResponseObject, error) {
	v, err := a.uc.ValidateDefinition(ctx, actorOf(ctx), engine.Kind(req.Kind), req.Name, req.Body.Source, formatOf(req.Body.Format))
	if err != nil {
		return nil, err
	}
	return ValidateDefinition200JSONResponse(v), nil
}

// SaveDraft saves a text exactly as typed as a new draft version.
func (a *server) SaveDraft(ctx context.Context, req SaveDraftRequestObject) (SaveDraftResponseObject, error) {
	out, err := a.uc.SaveDraft(ctx, actorOf(ctx), usecase.DraftText{Kind: engine.Kind(req.Kind), Name: req.Name, Source: req.Body.Source,
		Format: formatOf((*DefinitionTextFormat)(req.Body.Format)), BaseVersion: req.Body.BaseVersion})
	if err != nil {
		return nil, err
	}
	return SaveDraft200JSONResponse(out), nil
}

func formatOf(f *DefinitionTextFormat) string {
	if f == nil {
		return "yaml"
	}
	return string(*f)
}
