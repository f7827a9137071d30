package api

import (
	"context"
	"sort"

	"github.com/recoup/recoup/engine"
	"github.com/recoup/recoup/store"
)

// previewSamples is how many invoices a preview group names.
const previewSamples = 5

// PreviewDefinition dry-runs today's tick twice — with the published
// definitions, and with the version asked for in place of its published
// one — and reports the new effects each would record and how they differ.
// Nothing is written.
func (a *server) PreviewDefinition(ctx context.Context, req PreviewDefinitionRequestObject) (PreviewDefinitionResponseObject, error) {
	draft, d, err := a.bundleWith(ctx, engine.Kind(req.Kind), req.Name, req.Body.Version)
	if err != nil {
		return nil, err
	}
	current, err := a.bundle(ctx)
	if err != nil {
		return nil, err
	}
	clk, err := a.clock(ctx)
	if err != nil {
		return nil, err
	}
	// One dry run reads each batch once and evaluates it with both.
	withCurrent, withDraft := map[string]engine.TickEffect{}, map[string]engine.TickEffect{}
	keep := func(into map[string]engine.TickEffect) func(engine.TickEffect) {
		return func(e engine.TickEffect) {
			if e.New {
				into[store.LedgerKey(e.Effect)] = e
			}
		}
	}
	if _, err := engine.RunTick(ctx, current, a.store, engine.TickOptions{At: clk.Now, Location: clk.Location, DryRun: true,
		OnEffect: keep(withCurrent), Compare: draft, OnCompareEffect: keep(withDraft)}); err != nil {
		return nil, err
	}
	return PreviewDefinition200JSONResponse{At: clk.Now, Version: d.Version, Draft: countKinds(withDraft), Published: countKinds(withCurrent),
		Added: difference(withDraft, withCurrent), Removed: difference(withCurrent, withDraft)}, nil
}

// bundleWith compiles the published definitions with one version in place
// of its published one; an engine.ErrorList (422) when it no longer fits
// them.
func (a *server) bundleWith(ctx context.Context, kind engine.Kind, name string, version int) (*engine.Bundle, store.Definition, error) {
	d, err := a.store.DefinitionVersion(ctx, kind, name, version)
	if err != nil {
		return nil, d, err
	}
	pub, err := a.store.PublishedDefinitions(ctx)
	if err != nil {
		return nil, d, err
	}
	srcs := []engine.Source{{Name: d.SourceName(), Data: []byte(d.Source), Version: d.Version}}
	for _, p := range pub {
		if p.Kind != kind || p.Name != name {
			srcs = append(srcs, store.Sources([]store.Definition{p})...)
		}
	}
	b, err := engine.LoadSources(srcs...)
	return b, d, err
}

func countKinds(effects map[string]engine.TickEffect) map[string]int {
	out := map[string]int{}
	for _, e := range effects {
		out[string(e.Kind)]++
	}
	return out
}

// difference groups the effects of a that b lacks by source and kind.
func difference(a, b map[string]engine.TickEffect) []PreviewGroup {
	groups := map[[2]string]*PreviewGroup{}
	for k, e := range a {
		if _, ok := b[k]; ok {
			continue
		}
		id := [2]string{e.Rule, string(e.Kind)}
		g := groups[id]
		if g == nil {
			g = &PreviewGroup{Source: e.Rule, Kind: string(e.Kind), SampleInvoices: []string{}}
			groups[id] = g
		}
		g.Count++
		g.SampleInvoices = append(g.SampleInvoices, e.InvoiceNumber)
	}
	out := make([]PreviewGroup, 0, len(groups))
	for _, g := range groups {
		sort.Strings(g.SampleInvoices)
		g.SampleInvoices = g.SampleInvoices[:min(len(g.SampleInvoices), previewSamples)]
		out = append(out, *g)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Source != out[j].Source {
			return out[i].Source < out[j].Source
		}
		return out[i].Kind < out[j].Kind
	})
	return out
}
