package delivery

import (
	"context"
	"database/sql"
	"encoding/json"
	"time"

	"github.com/recoup/recoup/engine"
)

const webhookCursor = "webhook"

// feedWebhooks turns new ledger effects into outbox rows of channel
// webhook, one per subscribed event, and advances its cursor in the same
// transaction: each event is queued exactly once, and its outbox key (the
// Idempotency-Key the receiver sees) derives from the effect's key.
func (d *Dispatcher) feedWebhooks(ctx context.Context) (int, error) {
	want := map[string]bool{}
	for _, e := range d.cfg.Webhook.Events {
		want[e] = true
	}
	queued := 0
	for {
		n, more, err := d.feedPage(ctx, want)
		queued += n
		if err != nil || !more {
			return queued, err
		}
	}
}

func (d *Dispatcher) feedPage(ctx context.Context, want map[string]bool) (int, bool, error) {
	const page = 500
	tx, err := d.s.SQL().BeginTx(ctx, nil)
	if err != nil {
		return 0, false, err
	}
	defer tx.Rollback()
	var pos int64
	err = tx.QueryRowContext(ctx, d.s.Rebind(`SELECT position FROM delivery_cursors WHERE name = ?`), webhookCursor).Scan(&pos)
	if err == sql.ErrNoRows {
		if _, err := tx.ExecContext(ctx, d.s.Rebind(`INSERT INTO delivery_cursors (name, position) VALUES (?, 0) ON CONFLICT (name) DO NOTHING`), webhookCursor); err != nil {
			return 0, false, err
		}
	} else if err != nil {
		return 0, false, err
	}
	q := `SELECT e.id, e.key, e.at, e.kind, e.source, e.invoice_id, e.customer_id, e.field, e.value, e.detail, COALESCE(i.number, '')
		FROM effects e LEFT JOIN invoices i ON i.id = e.invoice_id WHERE e.id > ? ORDER BY e.id LIMIT ?`
	rows, err := tx.QueryContext(ctx, d.s.Rebind(q), pos, page)
	if err != nil {
		return 0, false, err
	}
	type ev struct {
		key, typ string
		body     []byte
		inv      int64
		cust     int64
	}
	var evs []ev
	n := 0
	now := d.now().UTC()
	for rows.Next() {
		var (
			id                              int64
			key, kind, source, field, value string
			detail, number                  string
			at                              time.Time
			inv, cust                       sql.NullInt64
		)
		if err := rows.Scan(&id, &key, &at, &kind, &source, &inv, &cust, &field, &value, &detail, &number); err != nil {
			rows.Close()
			return 0, false, err
		}
		n++
		pos = id
		var eff engine.Effect
		_ = json.Unmarshal([]byte(detail), &eff)
		typ := ""
		switch engine.ActionKind(kind) {
		case engine.ActionSet:
			if field == "invoice.status" && value == engine.StatusOverdue {
				typ = EventInvoiceOverdue
			}
		case engine.EffectNode:
			if eff.Event == engine.EventEntered {
				typ = EventNodeEntered
			}
		case engine.ActionTask:
			typ = EventTaskCreated
		case engine.EffectApproval:
			typ = EventApprovalRequested
		}
		if typ == "" || !want[typ] {
			continue
		}
		wkey := "webhook/" + typ + "/" + key
		data := map[string]any{"effect_key": key, "source": source, "invoice_id": inv.Int64, "invoice_number": number, "customer_id": cust.Int64}
		switch typ {
		case EventInvoiceOverdue:
			data["old_status"] = eff.OldValue
		case EventNodeEntered:
			data["workflow"], data["node"] = eff.Rule, eff.Node
		case EventTaskCreated, EventApprovalRequested:
			data["title"], data["assignee"], data["role"], data["due_at"] = eff.Title, eff.Assignee, eff.Role, eff.DueAt
		}
		body, err := json.Marshal(map[string]any{"id": wkey, "type": typ, "occurred_at": at.UTC(), "data": data})
		if err != nil {
			rows.Close()
			return 0, false, err
		}
		evs = append(evs, ev{key: wkey, typ: typ, body: body, inv: inv.Int64, cust: cust.Int64})
	}
	if err := rows.Close(); err != nil {
		return 0, false, err
	}
	for _, e := range evs {
		if _, err := tx.ExecContext(ctx, d.s.Rebind(`INSERT INTO outbox (key, channel, template, invoice_id, customer_id, status, next_attempt_at, created_at, payload)
			VALUES (?, 'webhook', ?, ?, ?, 'pending', ?, ?, ?) ON CONFLICT (key) DO NOTHING`),
			e.key, e.typ, nullID(e.inv), nullID(e.cust), now, now, string(e.body)); err != nil {
			return 0, false, err
		}
	}
	if n > 0 {
		if _, err := tx.ExecContext(ctx, d.s.Rebind(`UPDATE delivery_cursors SET position = ? WHERE name = ?`), pos, webhookCursor); err != nil {
			return 0, false, err
		}
	}
	return len(evs), n == page, tx.Commit()
}
