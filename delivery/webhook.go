package delivery

import (
	"context"
	"database/sql"
	"encoding/json"
	"time"

	"github.com/recoup/recoup/engine"
)

// rescan is how many ids below its cursor a feed reads again. Ids are
// assigned at insert and committed out of order by concurrent
// transactions (several tick batches on PostgreSQL), so a row may appear
// below a cursor that already passed it; queuing is idempotent (the outbox
// key derives from the row), so reading again only costs the read.
const rescan = 5000

// event is one integration event to queue.
type event struct {
	key, typ  string
	body      []byte
	inv, cust int64
}

// feed reads one source of integration events.
type feed struct {
	cursor string
	// query selects rows with id > ? ordered by id, at most ? of them;
	// scan turns the current row into its id and, when it is an event
	// the receiver subscribed to, the event.
	query string
	scan  func(rows *sql.Rows, want map[string]bool) (int64, *event, error)
}

// feedWebhooks turns new ledger effects and approval decisions into outbox
// rows of channel webhook, one per subscribed event. The outbox key (the
// Idempotency-Key the receiver sees) derives from the source row's key, so
// each event is queued once however often it is read.
func (d *Dispatcher) feedWebhooks(ctx context.Context) (int, error) {
	want := map[string]bool{}
	for _, e := range d.cfg.Webhook.Events {
		want[e] = true
	}
	queued := 0
	for _, f := range []feed{effectsFeed, approvalsFeed} {
		from := int64(-1)
		for {
			n, last, more, err := d.feedPage(ctx, f, want, from)
			queued += n
			if err != nil {
				return queued, err
			}
			if !more {
				break
			}
			from = last
		}
	}
	return queued, nil
}

// feedPage queues the events of one page of f after id from (-1: after
// the cursor minus rescan) and moves the cursor forward.
func (d *Dispatcher) feedPage(ctx context.Context, f feed, want map[string]bool, from int64) (queued int, last int64, more bool, err error) {
	const page = 500
	tx, err := d.s.SQL().BeginTx(ctx, nil)
	if err != nil {
		return 0, 0, false, err
	}
	defer tx.Rollback()
	var pos int64
	err = tx.QueryRowContext(ctx, d.s.Rebind(`SELECT position FROM delivery_cursors WHERE name = ?`), f.cursor).Scan(&pos)
	if err == sql.ErrNoRows {
		if _, err := tx.ExecContext(ctx, d.s.Rebind(`INSERT INTO delivery_cursors (name, position) VALUES (?, 0) ON CONFLICT (name) DO NOTHING`), f.cursor); err != nil {
			return 0, 0, false, err
		}
	} else if err != nil {
		return 0, 0, false, err
	}
	if from < 0 {
		from = max(0, pos-rescan)
	}
	rows, err := tx.QueryContext(ctx, d.s.Rebind(f.query), from, page)
	if err != nil {
		return 0, 0, false, err
	}
	var evs []*event
	n := 0
	last = from
	for rows.Next() {
		id, ev, err := f.scan(rows, want)
		if err != nil {
			rows.Close()
			return 0, 0, false, err
		}
		n++
		last = id
		if ev != nil {
			evs = append(evs, ev)
		}
	}
	if err := rows.Close(); err != nil {
		return 0, 0, false, err
	}
	now := d.now().UTC()
	for _, e := range evs {
		res, err := tx.ExecContext(ctx, d.s.Rebind(`INSERT INTO outbox (key, channel, template, invoice_id, customer_id, status, next_attempt_at, created_at, payload)
			VALUES (?, 'webhook', ?, ?, ?, 'pending', ?, ?, ?) ON CONFLICT (key) DO NOTHING`),
			e.key, e.typ, nullID(e.inv), nullID(e.cust), now, now, string(e.body))
		if err != nil {
			return 0, 0, false, err
		}
		if k, _ := res.RowsAffected(); k > 0 {
			queued++
		}
	}
	if last > pos {
		if _, err := tx.ExecContext(ctx, d.s.Rebind(`UPDATE delivery_cursors SET position = ? WHERE name = ?`), last, f.cursor); err != nil {
			return 0, 0, false, err
		}
	}
	return queued, last, n == page, tx.Commit()
}

func eventBody(key, typ string, at time.Time, data map[string]any) ([]byte, error) {
	return json.Marshal(map[string]any{"id": key, "type": typ, "occurred_at": at.UTC(), "data": data})
}

// effectsFeed: invoice.overdue, workflow.node_entered, task.created and
// approval.requested from the effects ledger.
var effectsFeed = feed{
	cursor: "webhook",
	query: `SELECT e.id, e.key, e.at, e.kind, e.source, e.invoice_id, e.customer_id, e.field, e.value, e.detail, COALESCE(i.number, '')
		FROM effects e LEFT JOIN invoices i ON i.id = e.invoice_id WHERE e.id > ? ORDER BY e.id LIMIT ?`,
	scan: func(rows *sql.Rows, want map[string]bool) (int64, *event, error) {
		var (
			id                              int64
			key, kind, source, field, value string
			detail, number                  string
			at                              time.Time
			inv, cust                       sql.NullInt64
		)
		if err := rows.Scan(&id, &key, &at, &kind, &source, &inv, &cust, &field, &value, &detail, &number); err != nil {
			return 0, nil, err
		}
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
			return id, nil, nil
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
		body, err := eventBody(wkey, typ, at, data)
		return id, &event{key: wkey, typ: typ, body: body, inv: inv.Int64, cust: cust.Int64}, err
	},
}

// approvalsFeed: approval.decided from the audit log's task.completed
// entries of approval tasks.
var approvalsFeed = feed{
	cursor: "webhook-approvals",
	query: `SELECT a.id, a.at, a.actor, a.detail, t.key, t.title, t.invoice_id, t.customer_id, COALESCE(i.number, '')
		FROM audit_log a JOIN tasks t ON t.id = a.entity_id AND a.entity = 'task' AND t.kind = 'approval'
		LEFT JOIN invoices i ON i.id = t.invoice_id
		WHERE a.id > ? AND a.action = 'task.completed' ORDER BY a.id LIMIT ?`,
	scan: func(rows *sql.Rows, want map[string]bool) (int64, *event, error) {
		var (
			id                                int64
			at                                time.Time
			actor, detail, key, title, number string
			inv, cust                         sql.NullInt64
		)
		if err := rows.Scan(&id, &at, &actor, &detail, &key, &title, &inv, &cust, &number); err != nil {
			return 0, nil, err
		}
		if !want[EventApprovalDecided] {
			return id, nil, nil
		}
		var d struct {
			Outcome map[string]any `json:"outcome"`
		}
		_ = json.Unmarshal([]byte(detail), &d)
		wkey := "webhook/" + EventApprovalDecided + "/" + key
		body, err := eventBody(wkey, EventApprovalDecided, at, map[string]any{"approval_key": key, "title": title, "decided_by": actor,
			"outcome": d.Outcome, "invoice_id": inv.Int64, "invoice_number": number, "customer_id": cust.Int64})
		return id, &event{key: wkey, typ: EventApprovalDecided, body: body, inv: inv.Int64, cust: cust.Int64}, err
	},
}
