package usecase

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/recoup/recoup/engine"
	"github.com/recoup/recoup/store"
)

// Service runs the use cases against one store. The API keeps one for the
// process; a CLI command builds one for its run.
type Service struct {
	store   *store.Store
	log     *slog.Logger
	now     func() time.Time
	bundles engine.BundleCache

	zoneMu sync.Mutex
	zone   *time.Location // the company's, read at zoneAt
	zoneAt time.Time
}

// New returns the use cases over s. now is the clock (nil: time.Now); log
// may be nil.
func New(s *store.Store, now func() time.Time, log *slog.Logger) *Service {
	if now == nil {
		now = time.Now
	}
	if log == nil {
		log = slog.Default()
	}
	return &Service{store: s, now: now, log: log}
}

// Now is the service's clock.
func (s *Service) Now() time.Time { return s.now() }

// zoneTTL is how long the company's zone is cached (it changes about never).
const zoneTTL = 10 * time.Second

// Clock returns now in the company's time zone.
func (s *Service) Clock(ctx context.Context) (engine.Clock, error) {
	return s.ClockAt(ctx, s.now())
}

// ClockAt is Clock at a given instant (the CLI's --at).
func (s *Service) ClockAt(ctx context.Context, at time.Time) (engine.Clock, error) {
	s.zoneMu.Lock()
	loc, fresh := s.zone, time.Since(s.zoneAt) < zoneTTL
	s.zoneMu.Unlock()
	if loc == nil || !fresh {
		company, err := s.store.Company(ctx)
		if err != nil {
			return engine.Clock{}, err
		}
		if loc, err = company.Location(); err != nil {
			return engine.Clock{}, err
		}
		s.zoneMu.Lock()
		s.zone, s.zoneAt = loc, time.Now()
		s.zoneMu.Unlock()
	}
	return engine.Clock{Now: at.In(loc), Location: loc}, nil
}

// Bundle returns the compiled published definitions, compiled again only
// when they change.
func (s *Service) Bundle(ctx context.Context) (*engine.Bundle, error) {
	defs, err := s.store.PublishedDefinitions(ctx)
	if err != nil {
		return nil, err
	}
	return s.bundles.Load(store.Sources(defs)...)
}

// BundleWith compiles the published definitions with one stored version in
// place of its published one; an engine.ErrorList when it no longer fits
// them.
func (s *Service) BundleWith(ctx context.Context, kind engine.Kind, name string, version int) (*engine.Bundle, store.Definition, error) {
	d, err := s.store.DefinitionVersion(ctx, kind, name, version)
	if err != nil {
		return nil, d, err
	}
	pub, err := s.store.PublishedDefinitions(ctx)
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
