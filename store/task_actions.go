package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// Activity is one thing people did on a task (a comment, a reassignment, the
// completion), from the audit log.
type Activity struct {
	At     time.Time       `json:"at"`
	Actor  string          `json:"actor"`
	Action string          `json:"action"`
	Detail json.RawMessage `json:"detail,omitempty"`
}

// Task audit actions.
const (
	ActionTaskComment    = "task.comment"
	ActionTaskReassigned = "task.reassigned"
	ActionTaskCompleted  = "task.completed"
)

// TaskActivity lists what people did on task id, oldest first.
func (s *Store) TaskActivity(ctx context.Context, id int64) ([]Activity, error) {
	rows, err := s.sqlDB.QueryContext(ctx, s.rebind(`SELECT at, actor, action, detail FROM audit_log
		WHERE entity = 'task' AND entity_id = ? AND action IN (?, ?, ?, ?) ORDER BY id`), id, ActionTaskComment, ActionTaskReassigned, ActionTaskClaimed, ActionTaskCompleted)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Activity{}
	for rows.Next() {
		var a Activity
		var detail string
		if err := rows.Scan(&a.At, &a.Actor, &a.Action, &detail); err != nil {
			return nil, err
		}
		a.Detail = json.RawMessage(detail)
		out = append(out, a)
	}
	return out, rows.Err()
}

// auditTask appends one audit entry on task id (with its invoice) in tx;
// before and after, when not nil, are what the action changed.
func (s *Store) auditTask(ctx context.Context, tx *sql.Tx, id int64, actor, action string, detail, before, after any, now time.Time) (Activity, error) {
	var invoiceID sql.NullInt64
	err := s.auditQueryRow(ctx, tx, s.auditQueries()[4], id).Scan(&invoiceID)
	if errors.Is(err, sql.ErrNoRows) {
		return Activity{}, fmt.Errorf("task %d: %w", id, ErrNotFound)
	}
	if err != nil {
		return Activity{}, err
	}
	data, err := marshalAudit(detail)
	if err != nil {
		return Activity{}, err
	}
	rec := AuditRecord{At: now, Actor: actor, Action: action, Entity: "task", EntityID: id, InvoiceID: invoiceID.Int64, Detail: json.RawMessage(data), Before: before, After: after}
	if err := s.appendAudit(ctx, tx, rec); err != nil {
		return Activity{}, err
	}
	return Activity{At: now.UTC(), Actor: actor, Action: action, Detail: data}, nil
}

// CommentTask adds a comment to task id.
func (s *Store) CommentTask(ctx context.Context, id int64, by, text string, now time.Time) (Activity, error) {
	tx, err := s.sqlDB.BeginTx(ctx, nil)
	if err != nil {
		return Activity{}, err
	}
	defer tx.Rollback()
	a, err := s.auditTask(ctx, tx, id, by, ActionTaskComment, map[string]string{"text": text}, nil, nil, now)
	if err != nil {
		return a, err
	}
	return a, tx.Commit()
}

// ErrNotAssignable is returned when a task cannot go to the user asked for.
var ErrNotAssignable = errors.New("cannot be assigned to this user")

// ReassignTask gives the open task id to the active user with email. A
// sales manager (v) may only give it to someone of its team.
func (s *Store) ReassignTask(ctx context.Context, v Viewer, id int64, email, by, reason string, now time.Time) error {
	to, err := s.UserByEmail(ctx, email)
	if errors.Is(err, ErrNotFound) || (err == nil && !to.Active) {
		return fmt.Errorf("user %q: %w", email, ErrNotAssignable)
	}
	if err != nil {
		return err
	}
	if v.Role == RoleSalesManager && (to.Team != v.Team || v.Team == "") {
		return fmt.Errorf("user %q is not in team %q: %w", email, v.Team, ErrNotAssignable)
	}
	tx, err := s.sqlDB.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	var from string
	err = tx.QueryRowContext(ctx, s.rebind("SELECT COALESCE(u.email, '') FROM tasks t LEFT JOIN users u ON u.id = t.assignee_id WHERE t.id = ? AND t.status = 'open'"), id).Scan(&from)
	if errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("task %d: %w", id, ErrConflict)
	}
	if err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, s.rebind("UPDATE tasks SET assignee_id = ?, updated_at = ? WHERE id = ?"), to.ID, now.UTC(), id); err != nil {
		return err
	}
	if _, err := s.auditTask(ctx, tx, id, by, ActionTaskReassigned, map[string]string{"from": from, "to": to.Email, "reason": reason},
		map[string]string{"assignee": from}, map[string]string{"assignee": to.Email}, now); err != nil {
		return err
	}
	return tx.Commit()
}
