package usecase

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/recoup/recoup/engine"
	"github.com/recoup/recoup/store"
)

// The designer's use cases: validate a text as it is typed, save it as a
// draft (valid or not, exactly as typed), and list every definition with
// its published version and open draft.

// Problem is one thing wrong with a definition's text, at its line and
// column (1-based; 0 when the problem has no place). Source is "" for the
// text itself, else the published definition the text breaks (a workflow
// naming a form the text removes, say).
type Problem struct {
	Line    int    `json:"line,omitempty"`
	Column  int    `json:"column,omitempty"`
	Message string `json:"message"`
	Source  string `json:"source,omitempty"`
}

// Validation is what the validator says of a text.
type Validation struct {
	Valid    bool      `json:"valid"`
	Problems []Problem `json:"problems"`
}

// DraftSaved is a saved draft with what is still wrong with it.
type DraftSaved struct {
	store.ApplyOutcome
	Validation
}

// draftFile names the text being edited in the validator's messages.
const draftFile = "draft"

// ValidateDefinition validates src as the text of kind/name (one document
// of that kind and name) together with the published definitions it does
// not replace. It saves nothing.
func (s *Service) ValidateDefinition(ctx context.Context, by Actor, kind engine.Kind, name, src, format string) (Validation, error) {
	if err := by.Authorize(DefinitionsRead); err != nil {
		return Validation{}, err
	}
	pub, err := s.store.PublishedDefinitions(ctx)
	if err != nil {
		return Validation{}, err
	}
	v, _, err := validateText(pub, kind, name, src, format)
	return v, err
}

// validateText validates src as kind/name against pub; the document is
// returned when the text is valid.
func validateText(pub []store.Definition, kind engine.Kind, name, src, format string) (Validation, *engine.Document, error) {
	file := draftFile + "." + format
	if format == "" {
		file = draftFile + ".yaml"
	}
	docs, err := store.ValidateAgainst(pub, []engine.Source{{Name: file, Data: []byte(src)}})
	var el engine.ErrorList
	switch {
	case errors.As(err, &el):
		return Validation{Problems: problems(el, file)}, nil, nil
	case err != nil:
		return Validation{}, nil, err
	}
	var ps []Problem
	switch {
	case len(docs) != 1:
		ps = append(ps, Problem{Line: 1, Column: 1, Message: fmt.Sprintf("the text must hold exactly one document (%s %s), not %d", kind, name, len(docs))})
	case docs[0].Kind != kind:
		ps = append(ps, Problem{Line: docs[0].Pos.Line, Column: docs[0].Pos.Col, Message: fmt.Sprintf("kind is %s: this is the %s %q (create a new definition for another kind)", docs[0].Kind, kind, name)})
	case docs[0].Name() != name:
		n := docs[0].Metadata.Name
		ps = append(ps, Problem{Line: n.Line, Column: n.Col, Message: fmt.Sprintf("metadata.name is %q: this is %s %q (create a new definition to rename it)", n.Value, kind, name)})
	}
	if len(ps) > 0 {
		return Validation{Problems: ps}, nil, nil
	}
	return Validation{Valid: true, Problems: []Problem{}}, docs[0], nil
}

func problems(el engine.ErrorList, file string) []Problem {
	out := make([]Problem, 0, len(el))
	for _, e := range el {
		p := Problem{Line: e.Line, Column: e.Col, Message: e.Msg}
		if e.File != file {
			p.Source = e.File
		}
		out = append(out, p)
	}
	return out
}

// DraftText is a definition's text as the designer saves it.
type DraftText struct {
	Kind   engine.Kind
	Name   string
	Source string
	Format string // yaml (default) or json
	// BaseVersion is the version the text was edited from; 0 for a new
	// definition. A newer version by someone else refuses the save
	// (store.DraftConflictError, a 409).
	BaseVersion int
}

// SaveDraft stores t as a new draft version exactly as typed — an invalid
// text too (publishing refuses it until it is valid) — and says what is
// wrong with it.
func (s *Service) SaveDraft(ctx context.Context, by Actor, t DraftText) (DraftSaved, error) {
	if err := by.Authorize(DefinitionsWrite); err != nil {
		return DraftSaved{}, err
	}
	if len(t.Source) > engine.MaxSourceSize {
		return DraftSaved{}, engine.FormErrors{{Field: "source", Message: fmt.Sprintf("the text is %d bytes; at most %d", len(t.Source), engine.MaxSourceSize)}}
	}
	if !validKind(t.Kind) {
		return DraftSaved{}, engine.FormErrors{{Field: "kind", Message: fmt.Sprintf("unknown kind %q: Form, Rule, Template or Workflow", t.Kind)}}
	}
	pub, err := s.store.PublishedDefinitions(ctx)
	if err != nil {
		return DraftSaved{}, err
	}
	v, doc, err := validateText(pub, t.Kind, t.Name, t.Source, t.Format)
	if err != nil {
		return DraftSaved{}, err
	}
	in := store.DraftIn{Kind: t.Kind, Name: t.Name, Source: t.Source, Format: t.Format, BaseVersion: t.BaseVersion,
		By: by.Name(), Now: s.now(), RequestID: by.RequestID}
	if doc != nil {
		in.Hash = doc.Hash
	}
	out, err := s.store.SaveDraft(ctx, in)
	if err != nil {
		return DraftSaved{}, err
	}
	return DraftSaved{ApplyOutcome: out, Validation: v}, nil
}

func validKind(k engine.Kind) bool { return slices.Contains(engine.Kinds, k) }

func rfc3339(t time.Time) string { return t.UTC().Format(time.RFC3339) }

// VersionInfo is one version in the designer's list.
type VersionInfo struct {
	Version int    `json:"version"`
	At      string `json:"at"` // RFC 3339: published (or, for a draft, saved)
	By      string `json:"by"`
}

// DraftInfo is an open draft and whether it could be published.
type DraftInfo struct {
	VersionInfo
	Valid    bool `json:"valid"`
	Problems int  `json:"problems"`
}

// Title is a definition's metadata.title in both languages.
type Title struct {
	En   string `json:"en,omitempty"`
	ZhCN string `json:"zh-CN,omitempty"`
}

// CatalogEntry is one definition in the designer's list.
type CatalogEntry struct {
	Kind      engine.Kind  `json:"kind"`
	Name      string       `json:"name"`
	Title     Title        `json:"title"`
	Published *VersionInfo `json:"published,omitempty"`
	Draft     *DraftInfo   `json:"draft,omitempty"`
}

// DefinitionCatalog lists every definition with its title (from its open
// draft when that parses, else its published version), published version
// and open draft with its validation state.
func (s *Service) DefinitionCatalog(ctx context.Context, by Actor) ([]CatalogEntry, error) {
	if err := by.Authorize(DefinitionsRead); err != nil {
		return nil, err
	}
	entries, err := s.store.DefinitionCatalog(ctx)
	if err != nil {
		return nil, err
	}
	pub, err := s.store.PublishedDefinitions(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]CatalogEntry, 0, len(entries))
	for _, e := range entries {
		c := CatalogEntry{Kind: e.Kind, Name: e.Name}
		if p := e.Published; p != nil {
			c.Published = &VersionInfo{Version: p.Version, By: p.PublishedBy, At: rfc3339(p.CreatedAt)}
			if p.PublishedAt != nil {
				c.Published.At = rfc3339(*p.PublishedAt)
			}
			c.Title = title(*p)
		}
		if d := e.Draft; d != nil {
			v, _, err := validateText(pub, d.Kind, d.Name, d.Source, d.Format)
			if err != nil {
				return nil, err
			}
			c.Draft = &DraftInfo{VersionInfo: VersionInfo{Version: d.Version, By: d.CreatedBy, At: rfc3339(d.CreatedAt)}, Valid: v.Valid, Problems: len(v.Problems)}
			if t := title(*d); t != (Title{}) {
				c.Title = t
			}
		}
		out = append(out, c)
	}
	return out, nil
}

// title is a stored version's metadata.title, zero when it does not parse.
func title(d store.Definition) Title {
	docs, err := engine.ParseDocuments(engine.Source{Name: d.SourceName(), Data: []byte(d.Source)})
	if err != nil || len(docs) != 1 {
		return Title{}
	}
	return Title{En: docs[0].Metadata.Title.En, ZhCN: docs[0].Metadata.Title.ZhCN}
}
