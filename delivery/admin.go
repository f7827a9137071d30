package delivery

import (
	"context"
	"database/sql"
	"time"

	"github.com/recoup/recoup/store"
)

// EventRequeued records that a dead message was given new attempts.
const EventRequeued = "requeued"

// RequeueDead gives dead messages (of channel, or all when empty) a fresh
// set of attempts, due at now — after the cause (a wrong password, a
// gateway outage) is fixed. Their keys do not change.
func RequeueDead(ctx context.Context, s *store.Store, channel string, now time.Time) (int, error) {
	tx, err := s.SQL().BeginTx(ctx, nil)
	if err != nil {
		return 0, err
	}
	defer tx.Rollback()
	q := `SELECT id FROM outbox WHERE status = 'dead'`
	var args []any
	if channel != "" {
		q += ` AND channel = ?`
		args = append(args, channel)
	}
	rows, err := tx.QueryContext(ctx, s.Rebind(q), args...)
	if err != nil {
		return 0, err
	}
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return 0, err
		}
		ids = append(ids, id)
	}
	if err := rows.Close(); err != nil {
		return 0, err
	}
	now = now.UTC()
	for _, id := range ids {
		if _, err := tx.ExecContext(ctx, s.Rebind(`UPDATE outbox SET status = 'pending', attempts = 0, next_attempt_at = ?, reason = 'requeued after dead letter' WHERE id = ?`), now, id); err != nil {
			return 0, err
		}
		if _, err := tx.ExecContext(ctx, s.Rebind(`INSERT INTO outbox_events (outbox_id, at, event, reason, detail) VALUES (?, ?, ?, ?, '{}')`),
			id, now, EventRequeued, "requeued by an operator; the last error stays in last_error until the next attempt"); err != nil {
			return 0, err
		}
	}
	return len(ids), tx.Commit()
}

// MessageState is an outbox row as an operator sees it, with its history.
type MessageState struct {
	Key        string
	Channel    string
	Recipient  string
	Role       string
	Template   string
	Subject    string
	Status     string
	Attempts   int
	Reason     string
	LastError  string
	CreatedAt  time.Time
	SentAt     time.Time
	MergedInto string // the digest's key
	Events     []Event
}

// InvoiceMessages returns every message about an invoice, oldest first,
// each with its recorded decisions: why the customer got (or did not get)
// each message.
func InvoiceMessages(ctx context.Context, s *store.Store, invoiceID int64) ([]MessageState, error) {
	rows, err := s.SQL().QueryContext(ctx, s.Rebind(`SELECT o.key, o.channel, o.recipient, o.recipient_role, o.template, o.subject, o.status, o.attempts,
		o.reason, o.last_error, o.created_at, o.sent_at, COALESCE(d.key, '')
		FROM outbox o LEFT JOIN outbox d ON d.id = o.merged_into WHERE o.invoice_id = ? ORDER BY o.id`), invoiceID)
	if err != nil {
		return nil, err
	}
	var out []MessageState
	for rows.Next() {
		var m MessageState
		var sent sql.NullTime
		if err := rows.Scan(&m.Key, &m.Channel, &m.Recipient, &m.Role, &m.Template, &m.Subject, &m.Status, &m.Attempts,
			&m.Reason, &m.LastError, &m.CreatedAt, &sent, &m.MergedInto); err != nil {
			rows.Close()
			return nil, err
		}
		m.SentAt = sent.Time
		out = append(out, m)
	}
	if err := rows.Close(); err != nil {
		return nil, err
	}
	for i := range out {
		if out[i].Events, err = Events(ctx, s, out[i].Key); err != nil {
			return nil, err
		}
	}
	return out, nil
}
