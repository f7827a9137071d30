package store

import (
	"context"
	"database/sql"
	"time"
)

// InAppMessage is one message in a user's in-app inbox.
type InAppMessage struct {
	ID         int64
	Key        string // the outbox key
	Title      string
	Body       string
	InvoiceID  int64
	CustomerID int64
	CreatedAt  time.Time
	ReadAt     time.Time // zero while unread
}

// InAppMessages returns a user's in-app messages, newest first, at most
// limit (0 = 100); unreadOnly leaves out the read ones.
func (s *Store) InAppMessages(ctx context.Context, userID int64, unreadOnly bool, limit int) ([]InAppMessage, error) {
	if limit <= 0 {
		limit = 100
	}
	q := `SELECT id, key, title, body, invoice_id, customer_id, created_at, read_at FROM inapp_messages WHERE user_id = ?`
	if unreadOnly {
		q += ` AND read_at IS NULL`
	}
	rows, err := s.sqlDB.QueryContext(ctx, s.rebind(q+` ORDER BY id DESC LIMIT ?`), userID, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []InAppMessage
	for rows.Next() {
		var m InAppMessage
		var inv, cust sql.NullInt64
		var read sql.NullTime
		if err := rows.Scan(&m.ID, &m.Key, &m.Title, &m.Body, &inv, &cust, &m.CreatedAt, &read); err != nil {
			return nil, err
		}
		m.InvoiceID, m.CustomerID, m.ReadAt = inv.Int64, cust.Int64, read.Time
		out = append(out, m)
	}
	return out, rows.Err()
}

// MarkInAppRead marks a user's message read at at (the first time only);
// it returns ErrNotFound when the user has no such message.
func (s *Store) MarkInAppRead(ctx context.Context, userID, id int64, at time.Time) error {
	res, err := s.sqlDB.ExecContext(ctx, s.rebind(`UPDATE inapp_messages SET read_at = COALESCE(read_at, ?) WHERE id = ? AND user_id = ?`), at.UTC(), id, userID)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return ErrNotFound
	}
	return nil
}
