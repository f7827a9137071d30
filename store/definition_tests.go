package store

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"time"

	"gorm.io/gorm"
)

// ActionDefinitionTestsReplaced is the audit action of replacing the stored
// test files.
const ActionDefinitionTestsReplaced = "definition.tests_replaced"

// DefinitionTest is one stored test file of the definitions (a
// tests/**/*.test.yaml of the pack): its path relative to the pack, its
// text, and who last changed it when.
type DefinitionTest struct {
	Path      string    `json:"path"`
	Source    string    `json:"source"`
	UpdatedAt time.Time `json:"updated_at"`
	UpdatedBy string    `json:"updated_by"`
}

type definitionTestRow struct {
	Path      string `gorm:"primaryKey"`
	Source    string
	UpdatedAt time.Time `gorm:"autoUpdateTime:false"` // when the source last changed, set here
	UpdatedBy string
}

func (definitionTestRow) TableName() string { return "definition_tests" }

// TestsOutcome is what replacing the test files changed, paths sorted.
type TestsOutcome struct {
	Added, Changed, Removed []string
	Unchanged               int
}

// DefinitionTests returns the stored test files, by path.
func (s *Store) DefinitionTests(ctx context.Context) ([]DefinitionTest, error) {
	var rows []definitionTestRow
	if err := s.gdb.WithContext(ctx).Order("path").Find(&rows).Error; err != nil {
		return nil, err
	}
	out := make([]DefinitionTest, len(rows))
	for i, r := range rows {
		out[i] = DefinitionTest{Path: r.Path, Source: r.Source, UpdatedAt: r.UpdatedAt, UpdatedBy: r.UpdatedBy}
	}
	return out, nil
}

// ReplaceDefinitionTests makes files (path and source) the stored set of
// test files, in one transaction: new paths are added, changed sources
// updated (stamped with opt.By and opt.Now), paths not in files removed;
// an unchanged file keeps its stamp. Any change is recorded in the audit
// log with the paths added, changed and removed.
func (s *Store) ReplaceDefinitionTests(ctx context.Context, files []DefinitionTest, opt ApplyOptions) (TestsOutcome, error) {
	now := cmp.Or(opt.Now, time.Now()).UTC()
	by := cmp.Or(opt.By, "cli")
	var out TestsOutcome
	err := s.gdb.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		out = TestsOutcome{}
		var rows []definitionTestRow
		if err := tx.Find(&rows).Error; err != nil {
			return err
		}
		stored := map[string]string{}
		for _, r := range rows {
			stored[r.Path] = r.Source
		}
		seen := map[string]bool{}
		for _, f := range files {
			if seen[f.Path] {
				return fmt.Errorf("test file %s given twice", f.Path)
			}
			seen[f.Path] = true
			old, ok := stored[f.Path]
			switch {
			case ok && old == f.Source:
				out.Unchanged++
				continue
			case ok:
				out.Changed = append(out.Changed, f.Path)
			default:
				out.Added = append(out.Added, f.Path)
			}
			row := definitionTestRow{Path: f.Path, Source: f.Source, UpdatedAt: now, UpdatedBy: by}
			if err := tx.Save(&row).Error; err != nil {
				return err
			}
		}
		for p := range stored {
			if !seen[p] {
				out.Removed = append(out.Removed, p)
			}
		}
		if len(out.Removed) > 0 {
			if err := tx.Where("path IN ?", out.Removed).Delete(&definitionTestRow{}).Error; err != nil {
				return err
			}
		}
		slices.Sort(out.Added)
		slices.Sort(out.Changed)
		slices.Sort(out.Removed)
		if len(out.Added)+len(out.Changed)+len(out.Removed) == 0 {
			return nil
		}
		pool, ok := tx.Statement.ConnPool.(auditExecer)
		if !ok {
			return fmt.Errorf("definition tests: the transaction (%T) cannot write the audit log", tx.Statement.ConnPool)
		}
		return s.appendAudit(ctx, pool, AuditRecord{At: now, Actor: by, Action: ActionDefinitionTestsReplaced, Entity: "definition_tests",
			Detail:    map[string]any{"added": nonNil(out.Added), "changed": nonNil(out.Changed), "removed": nonNil(out.Removed), "note": opt.Note},
			RequestID: opt.RequestID})
	})
	if err != nil {
		return TestsOutcome{}, err
	}
	return out, nil
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
