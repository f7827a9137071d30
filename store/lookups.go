package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
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
