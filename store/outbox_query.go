package store

import (
	"context"
	"database/sql"
	"time"
)

// OutboxEntry is a notification as the outbox status page shows it.
type OutboxEntry struct {
	ID            int64      `json:"id"`
	Key           string     `json:"key"`
	Channel       string     `json:"channel"`
	Recipient     string     `json:"recipient,omitempty"`
	RecipientRole string     `json:"recipient_role,omitempty"`
	Template      string     `json:"template,omitempty"`
	Subject       string     `json:"subject,omitempty"`
	Status        string     `json:"status"`
	Attempts      int        `json:"attempts"`
	NextAttemptAt time.Time  `json:"next_attempt_at"`
	LastError     string     `json:"last_error,omitempty"`
	Reason        string     `json:"reason,omitempty"`
	Invoice       string     `json:"invoice,omitempty"`
	CreatedAt     time.Time  `json:"created_at"`
	SentAt        *time.Time `json:"sent_at,omitempty"`
}

// OutboxFilter selects outbox rows; zero fields do not filter.
type OutboxFilter struct {
	Status, Channel, Invoice string
	Cursor                   string // the previous page's NextCursor
	BeforeID                 int64  // rows older than this id (the older form of Cursor)
	Limit                    int    // default 100, at most 500
}

// OutboxStatus is the outbox's size by status and a page of its rows,
// newest first.
type OutboxStatus struct {
	Counts     map[string]int `json:"counts"`
	Items      []OutboxEntry  `json:"items"`
	NextCursor string         `json:"next_cursor,omitempty"`
}

// Outbox reports the outbox's state.
func (s *Store) Outbox(ctx context.Context, f OutboxFilter) (OutboxStatus, error) {
	out := OutboxStatus{Counts: map[string]int{}, Items: []OutboxEntry{}}
	rows, err := s.sqlDB.QueryContext(ctx, "SELECT status, COUNT(*) FROM outbox GROUP BY status")
	if err != nil {
		return out, err
	}
	for rows.Next() {
		var st string
		var n int
		if err := rows.Scan(&st, &n); err != nil {
			rows.Close()
			return out, err
		}
		out.Counts[st] = n
	}
	if err := rows.Close(); err != nil {
		return out, err
	}
	q := `SELECT o.id, o.key, o.channel, o.recipient, o.recipient_role, o.template, o.subject, o.status, o.attempts,
		o.next_attempt_at, o.last_error, o.reason, COALESCE(i.number, ''), o.created_at, o.sent_at
		FROM outbox o LEFT JOIN invoices i ON i.id = o.invoice_id WHERE 1 = 1`
	var args []any
	for _, c := range []struct{ cond, v string }{{"o.status = ?", f.Status}, {"o.channel = ?", f.Channel}, {"i.number = ?", f.Invoice}} {
		if c.v != "" {
			q += " AND " + c.cond
			args = append(args, c.v)
		}
	}
	if f.Cursor != "" {
		before, err := decodeCursor(f.Cursor)
		if err != nil {
			return out, err
		}
		q += " AND o.id < ?"
		args = append(args, before)
	}
	if f.BeforeID > 0 {
		q += " AND o.id < ?"
		args = append(args, f.BeforeID)
	}
	if f.Limit <= 0 {
		f.Limit = 100
	}
	f.Limit = min(f.Limit, 500)
	q += " ORDER BY o.id DESC LIMIT ?"
	args = append(args, f.Limit+1)
	rows, err = s.sqlDB.QueryContext(ctx, s.rebind(q), args...)
	if err != nil {
		return out, err
	}
	defer rows.Close()
	for rows.Next() {
		var e OutboxEntry
		var sent sql.NullTime
		if err := rows.Scan(&e.ID, &e.Key, &e.Channel, &e.Recipient, &e.RecipientRole, &e.Template, &e.Subject, &e.Status, &e.Attempts,
			&e.NextAttemptAt, &e.LastError, &e.Reason, &e.Invoice, &e.CreatedAt, &sent); err != nil {
			return out, err
		}
		e.SentAt = nullTime(sent)
		out.Items = append(out.Items, e)
	}
	if len(out.Items) > f.Limit {
		out.Items = out.Items[:f.Limit]
		out.NextCursor = encodeCursor(out.Items[f.Limit-1].ID)
	}
	return out, rows.Err()
}
