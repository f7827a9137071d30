package api

import (
	"context"

	"github.com/recoup/recoup/engine"
	"github.com/recoup/recoup/usecase"
)

// PreviewDefinition dry-runs today's tick with the published definitions
// and with the version asked for in place of its published one
// (usecase.PreviewDefinition). Nothing is written.
func (a *server) PreviewDefinition(ctx context.Context, req PreviewDefinitionRequestObject) (PreviewDefinitionResponseObject, error) {
	p, err := a.uc.PreviewDefinition(ctx, actorOf(ctx), engine.Kind(req.Kind), req.Name, req.Body.Version)
	if err != nil {
		return nil, err
	}
	return PreviewDefinition200JSONResponse{At: p.At, Version: p.Version, Draft: p.Draft, Published: p.Published,
		Added: previewGroups(p.Added), Removed: previewGroups(p.Removed)}, nil
}

func previewGroups(gs []usecase.PreviewGroup) []PreviewGroup {
	out := make([]PreviewGroup, len(gs))
	for i, g := range gs {
		out[i] = PreviewGroup{Source: g.Source, Kind: g.Kind, Count: g.Count, SampleInvoices: g.SampleInvoices, Samples: make([]PreviewSample, len(g.Samples))}
		for j, x := range g.Samples {
			out[i].Samples[j] = PreviewSample{Invoice: x.Invoice, Why: triedValues(x.Why)}
		}
	}
	return out
}
