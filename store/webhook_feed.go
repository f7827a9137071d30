package store

import (
	"context"
	"database/sql"
	"errors"
	"time"
)

// EffectFeedRow is one effects-ledger row as the webhook feed reads it.
type EffectFeedRow struct {
	ID                                  int64
	Key                                 string
	At                                  time.Time
	Kind, Source                        string
	InvoiceID, CustomerID               int64
	Field, Value, Detail, InvoiceNumber string
}

// ApprovalFeedRow is one decided approval (an audit log task.completed
// entry of an approval task) as the webhook feed reads it.
type ApprovalFeedRow struct {
	ID                    int64
	At                    time.Time
	Actor, Detail         string
	TaskKey, Title        string
	InvoiceID, CustomerID int64
	InvoiceNumber         string
}

// WebhookEvent is an integration event to queue as an outbox row of
// channel webhook; Key (the Idempotency-Key the receiver sees) makes
// queuing it twice a no-op.
type WebhookEvent struct {
	Key, Type             string
	Body                  []byte
	InvoiceID, CustomerID int64
}

// FeedPage says what one page of a feed did.
type FeedPage struct {
	Queued int   // events newly queued
	Read   int   // source rows read
	Last   int64 // the id of the last row read (from when none was)
}

// FeedOptions place a page of a feed: the rows after id From, at most
// Page of them; a negative From starts Rescan ids below the feed's cursor
// (rows committed out of id order are read again).
type FeedOptions struct {
	Cursor string
	From   int64
	Rescan int64
	Page   int
	Now    time.Time
}

const effectsFeedSQL = `SELECT e.id, e.key, e.at, e.kind, e.source, e.invoice_id, e.customer_id, e.field, e.value, e.detail, COALESCE(i.number, '')
	FROM effects e LEFT JOIN invoices i ON i.id = e.invoice_id WHERE e.id > ? ORDER BY e.id LIMIT ?`

const approvalsFeedSQL = `SELECT a.id, a.at, a.actor, a.detail, t.key, t.title, t.invoice_id, t.customer_id, COALESCE(i.number, '')
	FROM audit_log a JOIN tasks t ON t.id = a.entity_id AND a.entity = 'task' AND t.kind = 'approval'
	LEFT JOIN invoices i ON i.id = t.invoice_id
	WHERE a.id > ? AND a.action = 'task.completed' ORDER BY a.id LIMIT ?`

// QueueEffectEvents reads one page of the effects ledger after the feed's
// position, queues the events decide makes of it and moves the cursor, in
// one transaction.
func (s *Store) QueueEffectEvents(ctx context.Context, o FeedOptions, decide func([]EffectFeedRow) ([]WebhookEvent, error)) (FeedPage, error) {
	return feedPage(ctx, s, o, effectsFeedSQL, func(rows *sql.Rows) (EffectFeedRow, error) {
		var r EffectFeedRow
		var inv, cust sql.NullInt64
		err := rows.Scan(&r.ID, &r.Key, &r.At, &r.Kind, &r.Source, &inv, &cust, &r.Field, &r.Value, &r.Detail, &r.InvoiceNumber)
		r.InvoiceID, r.CustomerID = inv.Int64, cust.Int64
		return r, err
	}, func(r EffectFeedRow) int64 { return r.ID }, decide)
}

// QueueApprovalEvents is QueueEffectEvents over decided approvals.
func (s *Store) QueueApprovalEvents(ctx context.Context, o FeedOptions, decide func([]ApprovalFeedRow) ([]WebhookEvent, error)) (FeedPage, error) {
	return feedPage(ctx, s, o, approvalsFeedSQL, func(rows *sql.Rows) (ApprovalFeedRow, error) {
		var r ApprovalFeedRow
		var inv, cust sql.NullInt64
		err := rows.Scan(&r.ID, &r.At, &r.Actor, &r.Detail, &r.TaskKey, &r.Title, &inv, &cust, &r.InvoiceNumber)
		r.InvoiceID, r.CustomerID = inv.Int64, cust.Int64
		return r, err
	}, func(r ApprovalFeedRow) int64 { return r.ID }, decide)
}

func feedPage[T any](ctx context.Context, s *Store, o FeedOptions, query string, scan func(*sql.Rows) (T, error), id func(T) int64,
	decide func([]T) ([]WebhookEvent, error)) (FeedPage, error) {
	tx, err := s.sqlDB.BeginTx(ctx, nil)
	if err != nil {
		return FeedPage{}, err
	}
	defer tx.Rollback()
	var pos int64
	err = tx.QueryRowContext(ctx, s.rebind(`SELECT position FROM delivery_cursors WHERE name = ?`), o.Cursor).Scan(&pos)
	if errors.Is(err, sql.ErrNoRows) {
		if _, err := tx.ExecContext(ctx, s.rebind(`INSERT INTO delivery_cursors (name, position) VALUES (?, 0) ON CONFLICT (name) DO NOTHING`), o.Cursor); err != nil {
			return FeedPage{}, err
		}
	} else if err != nil {
		return FeedPage{}, err
	}
	from := o.From
	if from < 0 {
		from = max(0, pos-o.Rescan)
	}
	rows, err := tx.QueryContext(ctx, s.rebind(query), from, o.Page)
	if err != nil {
		return FeedPage{}, err
	}
	var read []T
	for rows.Next() {
		r, err := scan(rows)
		if err != nil {
			rows.Close()
			return FeedPage{}, err
		}
		read = append(read, r)
	}
	if err := rows.Close(); err != nil {
		return FeedPage{}, err
	}
	p := FeedPage{Read: len(read), Last: from}
	if len(read) > 0 {
		p.Last = id(read[len(read)-1])
	}
	evs, err := decide(read)
	if err != nil {
		return FeedPage{}, err
	}
	for _, e := range evs {
		res, err := tx.ExecContext(ctx, s.rebind(`INSERT INTO outbox (key, channel, template, invoice_id, customer_id, status, next_attempt_at, created_at, payload)
			VALUES (?, 'webhook', ?, ?, ?, 'pending', ?, ?, ?) ON CONFLICT (key) DO NOTHING`),
			e.Key, e.Type, nullID(e.InvoiceID), nullID(e.CustomerID), o.Now, o.Now, string(e.Body))
		if err != nil {
			return FeedPage{}, err
		}
		if k, _ := res.RowsAffected(); k > 0 {
			p.Queued++
		}
	}
	if p.Last > pos {
		if _, err := tx.ExecContext(ctx, s.rebind(`UPDATE delivery_cursors SET position = ? WHERE name = ?`), p.Last, o.Cursor); err != nil {
			return FeedPage{}, err
		}
	}
	return p, tx.Commit()
}
