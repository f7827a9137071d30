package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"github.com/recoup/recoup/engine"
)

// The company's dispute reasons (issue 16 §4): the list a dispute's reason
// must be an active code of, kept by its admins. engine decides what may
// change (engine/dispute_reasons.go); each change is written here with its
// audit entry, in one transaction.

// Audit actions of the dispute reason list.
const (
	ActionDisputeReasonAdded   = "dispute_reason.added"
	ActionDisputeReasonUpdated = "dispute_reason.updated"
	ActionDisputeReasonRetired = "dispute_reason.retired"
)

// queryer is a database or a transaction.
type queryer interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

// DisputeReasons returns the company's dispute reasons, retired ones
// included (marked), in the order a form offers them.
func (s *Store) DisputeReasons(ctx context.Context) ([]engine.DisputeReason, error) {
	list, _, err := s.disputeReasons(ctx, s.sqlDB)
	return list, err
}

// disputeReasons reads the list through q, with each code's row id.
func (s *Store) disputeReasons(ctx context.Context, q queryer) ([]engine.DisputeReason, map[string]int64, error) {
	rows, err := q.QueryContext(ctx, "SELECT id, code, label_en, label_zh_cn, retired_at IS NOT NULL FROM dispute_reasons ORDER BY id")
	if err != nil {
		return nil, nil, fmt.Errorf("reading the dispute reasons: %w", err)
	}
	defer rows.Close()
	list := []engine.DisputeReason{}
	ids := map[string]int64{}
	for rows.Next() {
		var (
			r  engine.DisputeReason
			id int64
		)
		if err := rows.Scan(&id, &r.Code, &r.En, &r.ZhCN, &r.Retired); err != nil {
			return nil, nil, err
		}
		list = append(list, r)
		ids[r.Code] = id
	}
	if err := rows.Err(); err != nil {
		return nil, nil, err
	}
	engine.OrderDisputeReasons(list)
	return list, ids, nil
}

// AddDisputeReason adds r (its labels trimmed) to the list, active, with
// its audit entry. A reason engine.CheckNewDisputeReason refuses is an
// engine.FormErrors and nothing is written.
func (s *Store) AddDisputeReason(ctx context.Context, r engine.DisputeReason, actor, requestID string, now time.Time) (engine.DisputeReason, error) {
	r = engine.DisputeReason{Code: strings.TrimSpace(r.Code), En: strings.TrimSpace(r.En), ZhCN: strings.TrimSpace(r.ZhCN)}
	return s.changeDisputeReasons(ctx, func(tx *sql.Tx, list []engine.DisputeReason, _ map[string]int64) (engine.DisputeReason, AuditRecord, error) {
		if err := engine.CheckNewDisputeReason(r, list); err != nil {
			return r, AuditRecord{}, err
		}
		var id int64
		if err := tx.QueryRowContext(ctx, s.rebind("INSERT INTO dispute_reasons (code, label_en, label_zh_cn) VALUES (?, ?, ?) RETURNING id"),
			r.Code, r.En, r.ZhCN).Scan(&id); err != nil {
			return r, AuditRecord{}, err
		}
		return r, AuditRecord{Action: ActionDisputeReasonAdded, EntityID: id, Detail: map[string]any{"code": r.Code}, After: reasonAudit(r)}, nil
	}, actor, requestID, now)
}

// DisputeReasonLabels are the new labels of a reason; nil keeps one.
type DisputeReasonLabels struct {
	En, ZhCN *string
}

// UpdateDisputeReason renames the labels of reason code (retired or not),
// with its audit entry. An unknown code is ErrNotFound; labels
// engine.CheckDisputeReasonLabels refuses are an engine.FormErrors.
func (s *Store) UpdateDisputeReason(ctx context.Context, code string, l DisputeReasonLabels, actor, requestID string, now time.Time) (engine.DisputeReason, error) {
	return s.changeDisputeReasons(ctx, func(tx *sql.Tx, list []engine.DisputeReason, ids map[string]int64) (engine.DisputeReason, AuditRecord, error) {
		before, err := reasonOf(list, code)
		if err != nil {
			return before, AuditRecord{}, err
		}
		r := before
		if l.En != nil {
			r.En = strings.TrimSpace(*l.En)
		}
		if l.ZhCN != nil {
			r.ZhCN = strings.TrimSpace(*l.ZhCN)
		}
		if err := engine.CheckDisputeReasonLabels(r, list); err != nil {
			return r, AuditRecord{}, err
		}
		if _, err := tx.ExecContext(ctx, s.rebind("UPDATE dispute_reasons SET label_en = ?, label_zh_cn = ? WHERE id = ?"), r.En, r.ZhCN, ids[code]); err != nil {
			return r, AuditRecord{}, err
		}
		return r, AuditRecord{Action: ActionDisputeReasonUpdated, EntityID: ids[code], Detail: map[string]any{"code": code},
			Before: reasonAudit(before), After: reasonAudit(r)}, nil
	}, actor, requestID, now)
}

// RetireDisputeReason retires reason code, with its audit entry: new
// disputes can no longer give it; those that did keep it. An unknown code
// is ErrNotFound; "other", or a reason retired already, is ErrConflict.
func (s *Store) RetireDisputeReason(ctx context.Context, code, actor, requestID string, now time.Time) (engine.DisputeReason, error) {
	return s.changeDisputeReasons(ctx, func(tx *sql.Tx, list []engine.DisputeReason, ids map[string]int64) (engine.DisputeReason, AuditRecord, error) {
		r, err := reasonOf(list, code)
		if err != nil {
			return r, AuditRecord{}, err
		}
		if err := engine.CheckRetireDisputeReason(r); err != nil {
			return r, AuditRecord{}, fmt.Errorf("%w: %w", err, ErrConflict)
		}
		if _, err := tx.ExecContext(ctx, s.rebind("UPDATE dispute_reasons SET retired_at = ? WHERE id = ?"), now.UTC(), ids[code]); err != nil {
			return r, AuditRecord{}, err
		}
		r.Retired = true
		return r, AuditRecord{Action: ActionDisputeReasonRetired, EntityID: ids[code], Detail: map[string]any{"code": code},
			Before: map[string]any{"retired": false}, After: map[string]any{"retired": true}}, nil
	}, actor, requestID, now)
}

// lockDisputeReasons makes changes of the list one at a time, per dialect,
// so that two admins adding one code at once get one row and one refusal
// (SQLite's writers are one at a time already).
var lockDisputeReasons = map[string]string{Postgres: "LOCK TABLE dispute_reasons IN SHARE ROW EXCLUSIVE MODE"}

// changeDisputeReasons runs change over the list read in a transaction
// and appends the audit record it returns (actor, time and entity filled
// in), committing only when both succeed.
func (s *Store) changeDisputeReasons(ctx context.Context,
	change func(*sql.Tx, []engine.DisputeReason, map[string]int64) (engine.DisputeReason, AuditRecord, error),
	actor, requestID string, now time.Time) (engine.DisputeReason, error) {
	tx, err := s.sqlDB.BeginTx(ctx, nil)
	if err != nil {
		return engine.DisputeReason{}, err
	}
	defer tx.Rollback()
	if lock := lockDisputeReasons[s.dialect]; lock != "" {
		if _, err := tx.ExecContext(ctx, lock); err != nil {
			return engine.DisputeReason{}, err
		}
	}
	list, ids, err := s.disputeReasons(ctx, tx)
	if err != nil {
		return engine.DisputeReason{}, err
	}
	r, rec, err := change(tx, list, ids)
	if err != nil {
		return engine.DisputeReason{}, err
	}
	rec.At, rec.Actor, rec.RequestID, rec.Entity = now.UTC(), actor, requestID, "dispute_reason"
	if err := s.appendAudit(ctx, tx, rec); err != nil {
		return engine.DisputeReason{}, err
	}
	return r, tx.Commit()
}

// reasonOf is reason code of list, or ErrNotFound.
func reasonOf(list []engine.DisputeReason, code string) (engine.DisputeReason, error) {
	for _, r := range list {
		if r.Code == code {
			return r, nil
		}
	}
	return engine.DisputeReason{}, fmt.Errorf("dispute reason %q: %w", code, ErrNotFound)
}

// reasonAudit is a reason as its audit entry records it.
func reasonAudit(r engine.DisputeReason) map[string]any {
	return map[string]any{"code": r.Code, "en": r.En, "zh-CN": r.ZhCN}
}
