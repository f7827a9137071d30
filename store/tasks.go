package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/recoup/recoup/engine"
)

var _ engine.TaskStore = (*Store)(nil)

// Task implements engine.TaskStore.
func (s *Store) Task(ctx context.Context, key string) (engine.TaskRef, error) {
	t := engine.TaskRef{Key: key}
	var inv, cust sql.NullInt64
	err := s.sqlDB.QueryRowContext(ctx, s.rebind("SELECT kind, form, status, invoice_id, customer_id FROM tasks WHERE key = ?"), key).
		Scan(&t.Kind, &t.Form, &t.Status, &inv, &cust)
	if errors.Is(err, sql.ErrNoRows) {
		return t, fmt.Errorf("task %q: %w", key, ErrNotFound)
	}
	t.InvoiceID, t.CustomerID = inv.Int64, cust.Int64
	return t, err
}

// CompleteTask implements engine.TaskStore.
func (s *Store) CompleteTask(ctx context.Context, key string, outcome map[string]any, by string, at time.Time) error {
	n, err := s.CompleteTasks(ctx, []TaskCompletion{{Key: key, Outcome: outcome, By: by, At: at}})
	if err == nil && n == 0 {
		err = fmt.Errorf("task %s: %w", key, engine.ErrTaskNotOpen)
	}
	return err
}

// TaskCompletion is a task completed with its outcome, by whom and when.
type TaskCompletion struct {
	Key     string
	Outcome map[string]any
	By      string // user email
	At      time.Time
}

// CompleteTasks marks the open tasks among cs done, each with its outcome
// and an audit entry, in one transaction; tasks no longer open are left
// as they are. It returns how many it completed. The demo's history
// records a day's work with it.
func (s *Store) CompleteTasks(ctx context.Context, cs []TaskCompletion) (int, error) {
	tx, err := s.sqlDB.BeginTx(ctx, nil)
	if err != nil {
		return 0, err
	}
	defer tx.Rollback()
	user, err := tx.PrepareContext(ctx, s.rebind("SELECT id FROM users WHERE email = ?"))
	if err != nil {
		return 0, err
	}
	defer user.Close()
	update, err := tx.PrepareContext(ctx, s.rebind(`UPDATE tasks SET status = 'done', outcome = ?, completed_at = ?, completed_by = ?, updated_at = ?
		WHERE key = ? AND status = 'open' RETURNING id, invoice_id`))
	if err != nil {
		return 0, err
	}
	defer update.Close()
	ids := map[string]int64{}
	var audit []AuditRecord
	for _, c := range cs {
		data, err := json.Marshal(c.Outcome)
		if err != nil {
			return 0, err
		}
		by := strings.ToLower(strings.TrimSpace(c.By))
		byID, ok := ids[by]
		if !ok {
			err = user.QueryRowContext(ctx, by).Scan(&byID)
			if errors.Is(err, sql.ErrNoRows) {
				return 0, fmt.Errorf("user %q: %w", by, ErrNotFound)
			}
			if err != nil {
				return 0, err
			}
			ids[by] = byID
		}
		var taskID int64
		var invoiceID sql.NullInt64
		err = update.QueryRowContext(ctx, string(data), c.At.UTC(), byID, c.At.UTC(), c.Key).Scan(&taskID, &invoiceID)
		if errors.Is(err, sql.ErrNoRows) {
			continue
		}
		if err != nil {
			return 0, err
		}
		audit = append(audit, AuditRecord{At: c.At, Actor: by, Action: ActionTaskCompleted, Entity: "task", EntityID: taskID, InvoiceID: invoiceID.Int64,
			Detail: map[string]any{"key": c.Key, "outcome": c.Outcome}, Before: map[string]string{"status": "open"}, After: map[string]string{"status": "done"}})
	}
	// Last, so that the audit chain's head is locked only while committing.
	if err := s.appendAudit(ctx, tx, audit...); err != nil {
		return 0, err
	}
	return len(audit), tx.Commit()
}

// SubjectBatch implements engine.TaskStore: one invoice on SQLite, one
// customer on PostgreSQL (see batchRanges).
func (s *Store) SubjectBatch(t engine.TaskRef) engine.TickBatch {
	if s.dialect == Postgres {
		return engine.TickBatch{Lo: t.CustomerID, Hi: t.CustomerID}
	}
	return engine.TickBatch{Lo: t.InvoiceID, Hi: t.InvoiceID}
}

// TaskSummary is a task as lists show it.
type TaskSummary struct {
	Key       string    `json:"key"`
	Kind      string    `json:"kind"`
	Title     string    `json:"title"`
	Status    string    `json:"status"`
	Assignee  string    `json:"assignee,omitempty"`
	Role      string    `json:"role,omitempty"`
	Form      string    `json:"form,omitempty"`
	Invoice   string    `json:"invoice,omitempty"`
	DueAt     time.Time `json:"due_at,omitzero"`
	CreatedAt time.Time `json:"created_at"`
}

// TaskFilter selects tasks.
type TaskFilter struct {
	Status   string // "" for any
	Assignee string // user email
	Invoice  string // invoice number
	Limit    int    // default 100
}

// Tasks lists tasks, oldest due first.
func (s *Store) Tasks(ctx context.Context, f TaskFilter) ([]TaskSummary, error) {
	q := `SELECT t.key, t.kind, t.title, t.status, COALESCE(u.email, ''), t.role, t.form, COALESCE(i.number, ''), t.due_at, t.created_at
		FROM tasks t LEFT JOIN users u ON u.id = t.assignee_id LEFT JOIN invoices i ON i.id = t.invoice_id WHERE 1 = 1`
	var args []any
	if f.Status != "" {
		q += " AND t.status = ?"
		args = append(args, f.Status)
	}
	if f.Assignee != "" {
		q += " AND u.email = ?"
		args = append(args, f.Assignee)
	}
	if f.Invoice != "" {
		q += " AND i.number = ?"
		args = append(args, f.Invoice)
	}
	if f.Limit <= 0 {
		f.Limit = 100
	}
	q += " ORDER BY t.due_at, t.id LIMIT ?"
	args = append(args, f.Limit)
	rows, err := s.sqlDB.QueryContext(ctx, s.rebind(q), args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []TaskSummary
	for rows.Next() {
		var t TaskSummary
		var due sql.NullTime
		if err := rows.Scan(&t.Key, &t.Kind, &t.Title, &t.Status, &t.Assignee, &t.Role, &t.Form, &t.Invoice, &due, &t.CreatedAt); err != nil {
			return nil, err
		}
		t.DueAt = due.Time
		out = append(out, t)
	}
	return out, rows.Err()
}
