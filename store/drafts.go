package store

import (
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"

	"github.com/recoup/recoup/engine"
)

// DraftIn is a definition's text as the designer saves it: exactly what
// the admin typed, valid or not.
type DraftIn struct {
	Kind   engine.Kind
	Name   string
	Source string
	Format string // yaml (default) or json
	// Hash is the document's content hash when it parses; "" for a draft
	// that does not (its text's SHA-256 is stored instead).
	Hash string
	// BaseVersion is the version the text was edited from (0: a new
	// definition). A newer version by someone else refuses the save.
	BaseVersion int
	By          string
	Now         time.Time
	RequestID   string
}

// DraftConflictError refuses a draft saved over someone else's newer
// version; Latest is that version, to compare with.
type DraftConflictError struct {
	Latest Definition
	Base   int
}

func (e *DraftConflictError) Error() string {
	return fmt.Sprintf("%s/%s has a newer version %d (%s by %s, %s) than the version %d this draft was edited from: compare it, then save again from it",
		e.Latest.Kind, e.Latest.Name, e.Latest.Version, e.Latest.Status, e.Latest.CreatedBy, e.Latest.CreatedAt.UTC().Format(time.RFC3339), e.Base)
}

func (e *DraftConflictError) Unwrap() error { return ErrConflict }

// SaveDraft stores in's text as a new draft version of kind/name, in one
// transaction with its audit record. The text is kept byte for byte
// (comments, order, formatting): the same text as the latest version is
// "unchanged". A version newer than BaseVersion written by someone else is
// refused with a *DraftConflictError (the author's own newer draft, from
// another tab, is not a conflict).
func (s *Store) SaveDraft(ctx context.Context, in DraftIn) (ApplyOutcome, error) {
	now := in.Now
	if now.IsZero() {
		now = time.Now()
	}
	now = now.UTC()
	out := ApplyOutcome{Kind: in.Kind, Name: in.Name}
	err := s.gdb.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var latest definitionRow
		err := tx.Where("kind = ? AND name = ?", string(in.Kind), in.Name).Order("version DESC").Take(&latest).Error
		exists := err == nil
		if err != nil && !errors.Is(err, gorm.ErrRecordNotFound) {
			return err
		}
		if exists && latest.Version > in.BaseVersion && latest.CreatedBy != in.By {
			return &DraftConflictError{Latest: latest.definition(), Base: in.BaseVersion}
		}
		if exists && latest.Source == in.Source {
			out.Version, out.Action = latest.Version, ApplyUnchanged
			return nil
		}
		hash := in.Hash
		if hash == "" {
			sum := sha256.Sum256([]byte(in.Source))
			hash = "text:" + hex.EncodeToString(sum[:])
		}
		row := definitionRow{Kind: string(in.Kind), Name: in.Name, Version: latest.Version + 1, ContentHash: hash,
			Source: in.Source, Format: cmp.Or(in.Format, "yaml"), Status: DefinitionDraft, CreatedAt: now, CreatedBy: in.By}
		if err := tx.Create(&row).Error; err != nil {
			return err
		}
		out.Version, out.Action = row.Version, ApplyCreated
		pool, ok := tx.Statement.ConnPool.(auditExecer)
		if !ok {
			return fmt.Errorf("definitions: the transaction (%T) cannot write the audit log", tx.Statement.ConnPool)
		}
		return s.appendAudit(ctx, pool, AuditRecord{At: now, Actor: cmp.Or(in.By, "cli"), Action: ActionDefinitionDrafted, Entity: "definition",
			Detail: map[string]any{"kind": in.Kind, "name": in.Name, "version": row.Version, "content_hash": hash, "base_version": in.BaseVersion}, RequestID: in.RequestID})
	})
	return out, err
}

// DefinitionEntry is one definition in the designer's list: its published
// version and its open draft (a version newer than the published one).
type DefinitionEntry struct {
	Kind      engine.Kind
	Name      string
	Published *Definition // nil: never published
	Draft     *Definition // nil: no version newer than the published one
}

// DefinitionCatalog returns every definition with its published version
// and open draft, ordered by kind and name.
func (s *Store) DefinitionCatalog(ctx context.Context) ([]DefinitionEntry, error) {
	var rows []definitionRow
	// each definition's published version and its latest version
	err := s.gdb.WithContext(ctx).Raw(`SELECT d.* FROM definitions d
		WHERE d.status = ? OR d.version = (SELECT MAX(version) FROM definitions m WHERE m.kind = d.kind AND m.name = d.name)
		ORDER BY d.kind, d.name, d.version`, DefinitionPublished).Scan(&rows).Error
	if err != nil {
		return nil, err
	}
	var out []DefinitionEntry
	for _, r := range rows {
		if n := len(out); n == 0 || out[n-1].Kind != engine.Kind(r.Kind) || out[n-1].Name != r.Name {
			out = append(out, DefinitionEntry{Kind: engine.Kind(r.Kind), Name: r.Name})
		}
		e := &out[len(out)-1]
		d := r.definition()
		switch {
		case r.Status == DefinitionPublished:
			e.Published = &d
		case r.Status == DefinitionDraft:
			e.Draft = &d
		}
	}
	// a draft older than the published version is not open
	for i := range out {
		if e := &out[i]; e.Draft != nil && e.Published != nil && e.Draft.Version < e.Published.Version {
			e.Draft = nil
		}
	}
	return out, nil
}
