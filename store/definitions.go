package store

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"

	"github.com/recoup/recoup/engine"
)

// Definition statuses: a version starts as a draft (or is published at
// once), is published, and is superseded when a later version is published.
const (
	DefinitionDraft      = "draft"
	DefinitionPublished  = "published"
	DefinitionSuperseded = "superseded"
)

// Definition is one immutable version of a form, rule, template or workflow.
type Definition struct {
	ID          int64       `json:"id"`
	Kind        engine.Kind `json:"kind"`
	Name        string      `json:"name"`
	Version     int         `json:"version"`
	Hash        string      `json:"content_hash"`
	Source      string      `json:"source"`
	Format      string      `json:"format"`
	Status      string      `json:"status"`
	CreatedAt   time.Time   `json:"created_at"`
	CreatedBy   string      `json:"created_by"`
	PublishedAt *time.Time  `json:"published_at,omitempty"`
	PublishedBy string      `json:"published_by,omitempty"` // who published it (or rolled back to it)
	Note        string      `json:"note,omitempty"`         // given when it was published
}

// SourceName is how the engine names the stored document in messages:
// Rule/mark-overdue@v3.yaml.
func (d Definition) SourceName() string {
	return fmt.Sprintf("%s/%s@v%d.%s", d.Kind, d.Name, d.Version, d.Format)
}

type definitionRow struct {
	ID          int64
	Kind        string
	Name        string
	Version     int
	ContentHash string
	Source      string
	Format      string
	Status      string
	CreatedAt   time.Time
	CreatedBy   string
	PublishedAt *time.Time
	PublishedBy string
	Note        string
}

func (definitionRow) TableName() string { return "definitions" }

func (r definitionRow) definition() Definition {
	return Definition{ID: r.ID, Kind: engine.Kind(r.Kind), Name: r.Name, Version: r.Version, Hash: r.ContentHash,
		Source: r.Source, Format: r.Format, Status: r.Status, CreatedAt: r.CreatedAt, CreatedBy: r.CreatedBy, PublishedAt: r.PublishedAt,
		PublishedBy: r.PublishedBy, Note: r.Note}
}

// ApplyOptions says who applies definitions, when, and whether as drafts.
type ApplyOptions struct {
	By  string
	Now time.Time // default time.Now()
	// Draft stores new versions as drafts instead of publishing them.
	Draft bool
	// Note is kept with what is published and in the audit log.
	Note string
	// RollbackTo, when set, is the older version whose content is published
	// again: the publication is recorded as a rollback to it.
	RollbackTo int
	RequestID  string // for the audit log
	// ExactText makes a version whose text differs only in comments or
	// formatting a new version (the designer publishing what was typed);
	// otherwise (apply from files) the same content is unchanged.
	ExactText bool
}

func (o ApplyOptions) sameText(a, b string) bool { return !o.ExactText || a == b }

// Definition audit actions.
const (
	ActionDefinitionDrafted    = "definition.drafted"
	ActionDefinitionPublished  = "definition.published"
	ActionDefinitionRolledBack = "definition.rolled_back"
)

// Apply outcomes.
const (
	ApplyCreated   = "created"   // a new version was stored
	ApplyPublished = "published" // an existing draft with the same content was published
	ApplyUnchanged = "unchanged" // the content is already the current version
)

// ApplyOutcome reports what Apply did with one document.
type ApplyOutcome struct {
	Kind    engine.Kind `json:"kind"`
	Name    string      `json:"name"`
	Version int         `json:"version"`
	Action  string      `json:"action"`
}

// ApplyDefinitions stores docs (already validated together, e.g. by
// engine.LoadPaths) as new immutable versions, in one transaction: only
// documents whose content hash differs from the current version get a new
// version; publishing supersedes the previously published version.
func (s *Store) ApplyDefinitions(ctx context.Context, docs []*engine.Document, opt ApplyOptions) ([]ApplyOutcome, error) {
	now := opt.Now
	if now.IsZero() {
		now = time.Now()
	}
	now = now.UTC()
	var out []ApplyOutcome
	err := s.gdb.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		out = out[:0]
		var audit []AuditRecord
		for _, d := range docs {
			o, err := applyOne(tx, d, opt, now)
			if err != nil {
				return fmt.Errorf("applying %s: %w", d, err)
			}
			out = append(out, o)
			if o.Action == ApplyUnchanged {
				continue
			}
			action := ActionDefinitionPublished
			switch {
			case opt.Draft:
				action = ActionDefinitionDrafted
			case opt.RollbackTo != 0:
				action = ActionDefinitionRolledBack
			}
			detail := map[string]any{"kind": o.Kind, "name": o.Name, "version": o.Version, "content_hash": d.Hash, "note": opt.Note}
			if opt.RollbackTo != 0 {
				detail["rolled_back_to"] = opt.RollbackTo
			}
			audit = append(audit, AuditRecord{At: now, Actor: cmp.Or(opt.By, "cli"), Action: action, Entity: "definition", Detail: detail, RequestID: opt.RequestID})
		}
		pool, ok := tx.Statement.ConnPool.(auditExecer)
		if !ok {
			return fmt.Errorf("definitions: the transaction (%T) cannot write the audit log", tx.Statement.ConnPool)
		}
		return s.appendAudit(ctx, pool, audit...)
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

func applyOne(tx *gorm.DB, d *engine.Document, opt ApplyOptions, now time.Time) (ApplyOutcome, error) {
	o := ApplyOutcome{Kind: d.Kind, Name: d.Name()}
	var latest definitionRow
	err := tx.Where("kind = ? AND name = ?", string(d.Kind), d.Name()).Order("version DESC").Take(&latest).Error
	if err != nil && !errors.Is(err, gorm.ErrRecordNotFound) {
		return o, err
	}
	exists := err == nil
	var current definitionRow
	err = tx.Where("kind = ? AND name = ? AND status = ?", string(d.Kind), d.Name(), DefinitionPublished).Take(&current).Error
	if err != nil && !errors.Is(err, gorm.ErrRecordNotFound) {
		return o, err
	}
	hasCurrent := err == nil
	switch {
	case opt.Draft && exists && latest.ContentHash == d.Hash && opt.sameText(latest.Source, d.Source):
		o.Version, o.Action = latest.Version, ApplyUnchanged
		return o, nil
	case !opt.Draft && hasCurrent && current.ContentHash == d.Hash && opt.sameText(current.Source, d.Source):
		o.Version, o.Action = current.Version, ApplyUnchanged
		return o, nil
	}
	if !opt.Draft && hasCurrent {
		if err := tx.Model(&definitionRow{}).Where("id = ?", current.ID).Update("status", DefinitionSuperseded).Error; err != nil {
			return o, err
		}
	}
	if !opt.Draft && exists && latest.Status == DefinitionDraft && latest.ContentHash == d.Hash && opt.sameText(latest.Source, d.Source) {
		err := tx.Model(&definitionRow{}).Where("id = ?", latest.ID).Updates(map[string]any{"status": DefinitionPublished, "published_at": now, "published_by": opt.By, "note": opt.Note}).Error
		o.Version, o.Action = latest.Version, ApplyPublished
		return o, err
	}
	row := definitionRow{Kind: string(d.Kind), Name: d.Name(), Version: latest.Version + 1, ContentHash: d.Hash,
		Source: d.Source, Format: d.Format, Status: DefinitionDraft, CreatedAt: now, CreatedBy: opt.By}
	if row.Format == "" {
		row.Format = "yaml"
	}
	if !opt.Draft {
		row.Status, row.PublishedAt, row.PublishedBy, row.Note = DefinitionPublished, &now, opt.By, opt.Note
	}
	if err := tx.Create(&row).Error; err != nil {
		return o, err
	}
	o.Version, o.Action = row.Version, ApplyCreated
	return o, nil
}

// PublishedDefinitions returns the published version of every definition,
// ordered by kind and name.
func (s *Store) PublishedDefinitions(ctx context.Context) ([]Definition, error) {
	var rows []definitionRow
	if err := s.gdb.WithContext(ctx).Where("status = ?", DefinitionPublished).Order("kind, name").Find(&rows).Error; err != nil {
		return nil, err
	}
	out := make([]Definition, len(rows))
	for i, r := range rows {
		out[i] = r.definition()
	}
	return out, nil
}

// DefinitionHistory returns every version of one definition, newest first.
func (s *Store) DefinitionHistory(ctx context.Context, kind engine.Kind, name string) ([]Definition, error) {
	var rows []definitionRow
	if err := s.gdb.WithContext(ctx).Where("kind = ? AND name = ?", string(kind), name).Order("version DESC").Find(&rows).Error; err != nil {
		return nil, err
	}
	out := make([]Definition, len(rows))
	for i, r := range rows {
		out[i] = r.definition()
	}
	return out, nil
}

// DefinitionVersion returns one version, or ErrNotFound.
func (s *Store) DefinitionVersion(ctx context.Context, kind engine.Kind, name string, version int) (Definition, error) {
	var r definitionRow
	err := s.gdb.WithContext(ctx).Where("kind = ? AND name = ? AND version = ?", string(kind), name, version).Take(&r).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return Definition{}, ErrNotFound
	}
	return r.definition(), err
}

// Sources turns stored definitions into engine sources (named by
// SourceName, carrying their version) for engine.LoadSources.
func Sources(defs []Definition) []engine.Source {
	out := make([]engine.Source, len(defs))
	for i, d := range defs {
		out[i] = engine.Source{Name: d.SourceName(), Data: []byte(d.Source), Version: d.Version}
	}
	return out
}

// LoadPublished loads and compiles every published definition.
func (s *Store) LoadPublished(ctx context.Context) (*engine.Bundle, error) {
	defs, err := s.PublishedDefinitions(ctx)
	if err != nil {
		return nil, err
	}
	return engine.LoadSources(Sources(defs)...)
}

// RollbackDefinition publishes the content of an older version again, as a
// new version (history stays append-only).
func (s *Store) RollbackDefinition(ctx context.Context, kind engine.Kind, name string, version int, opt ApplyOptions) (ApplyOutcome, error) {
	old, err := s.DefinitionVersion(ctx, kind, name, version)
	if err != nil {
		return ApplyOutcome{}, err
	}
	docs, err := engine.ParseDocuments(engine.Source{Name: old.SourceName(), Data: []byte(old.Source)})
	if err != nil {
		return ApplyOutcome{}, err
	}
	if len(docs) != 1 {
		return ApplyOutcome{}, fmt.Errorf("version %d of %s/%s holds %d documents", version, kind, name, len(docs))
	}
	opt.Draft = false
	out, err := s.ApplyDefinitions(ctx, docs, opt)
	if err != nil {
		return ApplyOutcome{}, err
	}
	return out[0], nil
}

// ValidateWithPublished parses srcs and validates them together with the
// published definitions they do not replace, so that a file may refer to a
// form or template published earlier. It returns the documents of srcs, in
// order, or an engine.ErrorList with every problem.
func (s *Store) ValidateWithPublished(ctx context.Context, srcs []engine.Source) ([]*engine.Document, error) {
	pub, err := s.PublishedDefinitions(ctx)
	if err != nil {
		return nil, err
	}
	return ValidateAgainst(pub, srcs)
}

// ValidateAgainst is ValidateWithPublished with the published definitions
// already read: the designer's list validates every open draft with one
// read.
func ValidateAgainst(pub []Definition, srcs []engine.Source) ([]*engine.Document, error) {
	var errs engine.ErrorList
	replaced := map[string]bool{}
	files := map[string]bool{}
	for _, src := range srcs {
		files[src.Name] = true
		docs, err := engine.ParseDocuments(src)
		if el, ok := err.(engine.ErrorList); ok {
			errs = append(errs, el...)
			continue
		}
		for _, d := range docs {
			replaced[d.String()] = true
		}
	}
	if len(errs) > 0 {
		return nil, errs
	}
	all := append([]engine.Source{}, srcs...)
	for _, d := range pub {
		if !replaced[string(d.Kind)+"/"+d.Name] {
			all = append(all, Sources([]Definition{d})...)
		}
	}
	b, err := engine.LoadSources(all...)
	if err != nil {
		return nil, err
	}
	var out []*engine.Document
	for _, d := range b.Documents {
		if files[d.File] {
			out = append(out, d)
		}
	}
	return out, nil
}
