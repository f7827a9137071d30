package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// What an OutboxOutcome records about a row a worker sent.
const (
	// OutcomeSent: delivered.
	OutcomeSent = iota + 1
	// OutcomeRetry: failed, pending again at At.
	OutcomeRetry
	// OutcomeDead: failed for good.
	OutcomeDead
	// OutcomeSMS: the email bounced; the row becomes an SMS to Phone with
	// Text, pending again at At.
	OutcomeSMS
)

// OutboxOutcome is the result of sending one claimed row.
type OutboxOutcome struct {
	ID          int64
	Do          int // OutcomeSent, OutcomeRetry, OutcomeDead or OutcomeSMS
	At          time.Time
	Error       string // last_error
	Reason      string
	Phone, Text string // OutcomeSMS
}

// RecordOutbox writes the outcomes of worker's sends and their events in
// one transaction. A row is only changed while worker still holds it: a
// row whose lease ran out and that another worker claimed is left to it.
func (s *Store) RecordOutbox(ctx context.Context, worker string, now time.Time, outcomes []OutboxOutcome, events []OutboxEvent) error {
	tx, err := s.sqlDB.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	var sent []int64
	for _, o := range outcomes {
		var err error
		switch o.Do {
		case OutcomeSent:
			sent = append(sent, o.ID)
		case OutcomeSMS:
			_, err = tx.ExecContext(ctx, s.rebind(`UPDATE outbox SET status = 'pending', channel = 'sms', recipient = ?, body = ?, next_attempt_at = ?,
				last_error = ?, reason = ?, lease_until = NULL, contact_at = NULL WHERE id = ? AND claimed_by = ?`),
				o.Phone, o.Text, o.At, o.Error, o.Reason, o.ID, worker)
		case OutcomeDead:
			_, err = tx.ExecContext(ctx, s.rebind(`UPDATE outbox SET status = 'dead', last_error = ?, reason = ?, lease_until = NULL, contact_at = NULL
				WHERE id = ? AND claimed_by = ?`), o.Error, o.Reason, o.ID, worker)
		case OutcomeRetry:
			_, err = tx.ExecContext(ctx, s.rebind(`UPDATE outbox SET status = 'pending', next_attempt_at = ?, last_error = ?, lease_until = NULL, contact_at = NULL
				WHERE id = ? AND claimed_by = ?`), o.At, o.Error, o.ID, worker)
		default:
			err = fmt.Errorf("outbox outcome of row %d: unknown %d", o.ID, o.Do)
		}
		if err != nil {
			return err
		}
	}
	for _, e := range events {
		if err := s.outboxEvent(ctx, tx, e.ID, e); err != nil {
			return err
		}
	}
	for len(sent) > 0 {
		chunk := sent[:min(len(sent), 500)]
		sent = sent[len(chunk):]
		if _, err := tx.ExecContext(ctx, s.rebind(`UPDATE outbox SET status = 'sent', sent_at = ?, lease_until = NULL, last_error = ''
			WHERE status = 'sending' AND claimed_by = ? AND id IN (`+placeholders(len(chunk))+`)`), append([]any{now, worker}, int64Args(chunk)...)...); err != nil {
			return err
		}
	}
	return tx.Commit()
}

// OutboxHistoryEvent is one recorded decision about a message.
type OutboxHistoryEvent struct {
	At     time.Time
	Event  string
	Reason string
}

// OutboxEvents returns the decisions recorded for the outbox row with key,
// oldest first.
func (s *Store) OutboxEvents(ctx context.Context, key string) ([]OutboxHistoryEvent, error) {
	rows, err := s.sqlDB.QueryContext(ctx, s.rebind(`SELECT e.at, e.event, e.reason FROM outbox_events e
		JOIN outbox o ON o.id = e.outbox_id WHERE o.key = ? ORDER BY e.id`), key)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []OutboxHistoryEvent
	for rows.Next() {
		var e OutboxHistoryEvent
		if err := rows.Scan(&e.At, &e.Event, &e.Reason); err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

// RequeueDeadOutbox gives dead messages (of channel, or all when empty) a
// fresh set of attempts, due at now, recording event with reason on each.
// Their keys do not change.
func (s *Store) RequeueDeadOutbox(ctx context.Context, channel string, now time.Time, event, reason string) (int, error) {
	tx, err := s.sqlDB.BeginTx(ctx, nil)
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
	rows, err := tx.QueryContext(ctx, s.rebind(q), args...)
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
		if _, err := tx.ExecContext(ctx, s.rebind(`UPDATE outbox SET status = 'pending', attempts = 0, next_attempt_at = ?, reason = 'requeued after dead letter' WHERE id = ?`), now, id); err != nil {
			return 0, err
		}
		if err := s.outboxEvent(ctx, tx, id, OutboxEvent{At: now, Event: event, Reason: reason}); err != nil {
			return 0, err
		}
	}
	return len(ids), tx.Commit()
}

// OutboxMessage is an outbox row as an operator sees it.
type OutboxMessage struct {
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
}

// InvoiceOutbox returns every outbox row about an invoice, oldest first.
func (s *Store) InvoiceOutbox(ctx context.Context, invoiceID int64) ([]OutboxMessage, error) {
	rows, err := s.sqlDB.QueryContext(ctx, s.rebind(`SELECT o.key, o.channel, o.recipient, o.recipient_role, o.template, o.subject, o.status, o.attempts,
		o.reason, o.last_error, o.created_at, o.sent_at, COALESCE(d.key, '')
		FROM outbox o LEFT JOIN outbox d ON d.id = o.merged_into WHERE o.invoice_id = ? ORDER BY o.id`), invoiceID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []OutboxMessage
	for rows.Next() {
		var m OutboxMessage
		var sent sql.NullTime
		if err := rows.Scan(&m.Key, &m.Channel, &m.Recipient, &m.Role, &m.Template, &m.Subject, &m.Status, &m.Attempts,
			&m.Reason, &m.LastError, &m.CreatedAt, &sent, &m.MergedInto); err != nil {
			return nil, err
		}
		m.SentAt = sent.Time
		out = append(out, m)
	}
	return out, rows.Err()
}

// PendingByChannel counts the pending outbox rows of each channel.
func (s *Store) PendingByChannel(ctx context.Context) (map[string]int, error) {
	rows, err := s.sqlDB.QueryContext(ctx, `SELECT channel, COUNT(*) FROM outbox WHERE status = 'pending' GROUP BY channel`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]int{}
	for rows.Next() {
		var ch string
		var n int
		if err := rows.Scan(&ch, &n); err != nil {
			return nil, err
		}
		out[ch] = n
	}
	return out, rows.Err()
}

// StoredLetter is the formal letter a message carried, as rendered the
// first time it was sent.
type StoredLetter struct {
	Key                   string // the message's
	InvoiceID, CustomerID int64
	Locale, Filename      string
	PDF                   []byte
	CreatedAt             time.Time
}

// Letter returns the stored letter of the message with key, or ErrNotFound.
func (s *Store) Letter(ctx context.Context, key string) (filename string, pdf []byte, err error) {
	err = s.sqlDB.QueryRowContext(ctx, s.rebind(`SELECT filename, pdf FROM letters WHERE key = ?`), key).Scan(&filename, &pdf)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil, ErrNotFound
	}
	return filename, pdf, err
}

// SaveLetter stores a message's letter; a letter already stored under its
// key stays (a resend attaches the same document).
func (s *Store) SaveLetter(ctx context.Context, l StoredLetter) error {
	_, err := s.sqlDB.ExecContext(ctx, s.rebind(`INSERT INTO letters (key, invoice_id, customer_id, locale, filename, pdf, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (key) DO NOTHING`),
		l.Key, nullID(l.InvoiceID), nullID(l.CustomerID), l.Locale, l.Filename, l.PDF, l.CreatedAt)
	return err
}
