package usecase

import (
	"cmp"
	"context"
	"maps"
	"slices"
	"sort"
	"time"

	"github.com/recoup/recoup/engine"
	"github.com/recoup/recoup/store"
)

// ApplyOptions says how definitions are stored.
type ApplyOptions struct {
	Draft bool      // store new versions as drafts instead of publishing them
	Note  string    // why: kept with what is published and in the audit log
	Now   time.Time // default the service's clock

	rollbackTo int  // the older version published again (Rollback)
	exactText  bool // publish a stored version's text as it is (Publish, Rollback)
}

// ApplyDefinitions validates documents together with the published
// definitions they do not replace and stores each changed one as a new
// version, published or (Draft) a draft. Nothing is stored if any is
// invalid: the error is then an engine.ErrorList with file:line:column.
func (s *Service) ApplyDefinitions(ctx context.Context, by Actor, srcs []engine.Source, o ApplyOptions) ([]store.ApplyOutcome, error) {
	if err := by.Authorize(DefinitionsWrite); err != nil {
		return nil, err
	}
	docs, err := s.store.ValidateWithPublished(ctx, srcs)
	if err != nil {
		return nil, err
	}
	if o.Now.IsZero() {
		o.Now = s.now()
	}
	return s.store.ApplyDefinitions(ctx, docs, store.ApplyOptions{By: by.Name(), Now: o.Now, Draft: o.Draft, Note: o.Note,
		RollbackTo: o.rollbackTo, RequestID: by.RequestID, ExactText: o.exactText})
}

// Publish publishes the content of one stored version (a draft),
// validated against what is published now: a draft written before another
// change may no longer fit.
func (s *Service) Publish(ctx context.Context, by Actor, kind engine.Kind, name string, version int, note string) (store.ApplyOutcome, error) {
	return s.publish(ctx, by, kind, name, version, ApplyOptions{Note: note})
}

// Rollback publishes an older version's content as a new version, recorded
// as a rollback to it.
func (s *Service) Rollback(ctx context.Context, by Actor, kind engine.Kind, name string, version int, note string) (store.ApplyOutcome, error) {
	return s.publish(ctx, by, kind, name, version, ApplyOptions{Note: note, rollbackTo: version})
}

func (s *Service) publish(ctx context.Context, by Actor, kind engine.Kind, name string, version int, o ApplyOptions) (store.ApplyOutcome, error) {
	if err := by.Authorize(DefinitionsWrite); err != nil {
		return store.ApplyOutcome{}, err
	}
	d, err := s.store.DefinitionVersion(ctx, kind, name, version)
	if err != nil {
		return store.ApplyOutcome{}, err
	}
	// a draft is saved as typed, invalid or renamed too: publish only a
	// valid text of this very definition
	pub, err := s.store.PublishedDefinitions(ctx)
	if err != nil {
		return store.ApplyOutcome{}, err
	}
	v, _, err := validateText(pub, kind, name, d.Source, d.Format)
	if err != nil {
		return store.ApplyOutcome{}, err
	}
	if !v.Valid {
		el := make(engine.ErrorList, 0, len(v.Problems))
		for _, p := range v.Problems {
			el = append(el, &engine.Error{File: cmp.Or(p.Source, d.SourceName()), Line: p.Line, Col: p.Column, Msg: p.Message})
		}
		return store.ApplyOutcome{}, el
	}
	o.exactText = true
	out, err := s.ApplyDefinitions(ctx, by, []engine.Source{{Name: d.SourceName(), Data: []byte(d.Source)}}, o)
	if err != nil {
		return store.ApplyOutcome{}, err
	}
	return out[0], nil
}

// previewSamples is how many invoices a preview group names.
const previewSamples = 5

// PreviewGroup is the effects of one rule or workflow and kind that one
// side of a preview has and the other lacks.
type PreviewGroup struct {
	Source         string
	Kind           string
	Count          int
	SampleInvoices []string // the first few, sorted
	// Samples are the same invoices with why: the values the condition
	// read when the effect was made.
	Samples []PreviewSample
}

// PreviewSample is one invoice of a preview group and why it is there.
type PreviewSample struct {
	Invoice string
	Why     []engine.TriedValue
}

// Preview is what publishing a version would change in today's tick.
type Preview struct {
	At               time.Time
	Version          int
	Draft, Published map[string]int // new effects by kind, with the version and with what is published
	Added, Removed   []PreviewGroup
}

// PreviewDefinition dry-runs today's tick twice — with the published
// definitions, and with the version asked for in place of its published
// one — and reports the new effects each would record and how they differ.
// Nothing is written.
func (s *Service) PreviewDefinition(ctx context.Context, by Actor, kind engine.Kind, name string, version int) (Preview, error) {
	if err := by.Authorize(DefinitionsWrite); err != nil {
		return Preview{}, err
	}
	draft, d, err := s.BundleWith(ctx, kind, name, version)
	if err != nil {
		return Preview{}, err
	}
	current, err := s.Bundle(ctx)
	if err != nil {
		return Preview{}, err
	}
	clk, err := s.Clock(ctx)
	if err != nil {
		return Preview{}, err
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
	if _, err := engine.RunTick(ctx, current, s.store, engine.TickOptions{At: clk.Now, Location: clk.Location, DryRun: true,
		OnEffect: keep(withCurrent), Compare: draft, OnCompareEffect: keep(withDraft)}); err != nil {
		return Preview{}, err
	}
	return Preview{At: clk.Now, Version: d.Version, Draft: countKinds(withDraft), Published: countKinds(withCurrent),
		Added: difference(withDraft, withCurrent), Removed: difference(withCurrent, withDraft)}, nil
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
	first := map[[2]string]map[string]string{} // group → invoice → its effect with the smallest key
	for k, e := range a {
		if _, ok := b[k]; ok {
			continue
		}
		id := [2]string{e.Rule, string(e.Kind)}
		g := groups[id]
		if g == nil {
			g = &PreviewGroup{Source: e.Rule, Kind: string(e.Kind)}
			groups[id], first[id] = g, map[string]string{}
		}
		g.Count++
		if f, seen := first[id][e.InvoiceNumber]; !seen || k < f {
			first[id][e.InvoiceNumber] = k
		}
	}
	out := make([]PreviewGroup, 0, len(groups))
	for id, g := range groups {
		g.SampleInvoices = slices.Sorted(maps.Keys(first[id]))
		g.SampleInvoices = g.SampleInvoices[:min(len(g.SampleInvoices), previewSamples)]
		for _, n := range g.SampleInvoices {
			g.Samples = append(g.Samples, PreviewSample{Invoice: n, Why: a[first[id][n]].Why()})
		}
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
