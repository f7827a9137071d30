package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/recoup/recoup/engine"
)

// InvoiceBalance is invoice id's balance and status now.
func (s *Store) InvoiceBalance(ctx context.Context, id int64) (balance int64, status string, err error) {
	err = s.sqlDB.QueryRowContext(ctx, s.rebind("SELECT balance_minor, status FROM invoices WHERE id = ?"), id).Scan(&balance, &status)
	if errors.Is(err, sql.ErrNoRows) {
		err = fmt.Errorf("invoice %d: %w", id, ErrNotFound)
	}
	return balance, status, err
}

// TaskIDByKey is the id of the task with key.
func (s *Store) TaskIDByKey(ctx context.Context, key string) (int64, error) {
	var id int64
	err := s.sqlDB.QueryRowContext(ctx, s.rebind("SELECT id FROM tasks WHERE key = ?"), key).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, fmt.Errorf("task %q: %w", key, ErrNotFound)
	}
	return id, err
}

// TaskWorkflowPause reports whether the workflow instance task id belongs
// to is paused, and why (its pause_when reason, e.g. dispute).
func (s *Store) TaskWorkflowPause(ctx context.Context, id int64) (paused bool, reason string, err error) {
	var status, state string
	err = s.sqlDB.QueryRowContext(ctx, s.rebind(`SELECT w.status, w.state FROM tasks t JOIN workflow_instances w ON w.id = t.instance_id
		WHERE t.id = ?`), id).Scan(&status, &state)
	if errors.Is(err, sql.ErrNoRows) {
		return false, "", nil // not a workflow's task
	}
	if err != nil || status != engine.InstancePaused {
		return false, "", err
	}
	var inst struct {
		Reason string `json:"paused_reason"`
	}
	if err := json.Unmarshal([]byte(state), &inst); err != nil {
		return true, "", fmt.Errorf("workflow instance of task %d: %w", id, err)
	}
	return true, inst.Reason, nil
}
