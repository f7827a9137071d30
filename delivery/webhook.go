package delivery

import (
	"context"
	"encoding/json"
	"time"

	"github.com/recoup/recoup/engine"
	"github.com/recoup/recoup/store"
)

// rescan is how many ids below its cursor a feed reads again. Ids are
// assigned at insert and committed out of order by concurrent
// transactions (several tick batches on PostgreSQL), so a row may appear
// below a cursor that already passed it; queuing is idempotent (the outbox
// key derives from the row), so reading again only costs the read.
const rescan = 5000

// feed reads one source of integration events: page queues, in one
// store transaction, the events of the rows after the feed's cursor.
type feed func(ctx context.Context, s Store, o store.FeedOptions, want map[string]bool) (store.FeedPage, error)

// feedWebhooks turns new ledger effects and approval decisions into outbox
// rows of channel webhook, one per subscribed event. The outbox key (the
// Idempotency-Key the receiver sees) derives from the source row's key, so
// each event is queued once however often it is read.
func (d *Dispatcher) feedWebhooks(ctx context.Context) (int, error) {
	const page = 500
	want := map[string]bool{}
	for _, e := range d.cfg.Webhook.Events {
		want[e] = true
	}
	queued := 0
	for _, f := range []struct {
		cursor string
		page   feed
	}{{"webhook", effectsFeed}, {"webhook-approvals", approvalsFeed}} {
		from := int64(-1)
		for {
			p, err := f.page(ctx, d.s, store.FeedOptions{Cursor: f.cursor, From: from, Rescan: rescan, Page: page, Now: d.now().UTC()}, want)
			queued += p.Queued
			if err != nil {
				return queued, err
			}
			if p.Read < page {
				break
			}
			from = p.Last
		}
	}
	return queued, nil
}

func eventBody(key, typ string, at time.Time, data map[string]any) ([]byte, error) {
	return json.Marshal(map[string]any{"id": key, "type": typ, "occurred_at": at.UTC(), "data": data})
}

// effectsFeed: invoice.overdue, workflow.node_entered, task.created and
// approval.requested from the effects ledger.
func effectsFeed(ctx context.Context, s Store, o store.FeedOptions, want map[string]bool) (store.FeedPage, error) {
	return s.QueueEffectEvents(ctx, o, func(rows []store.EffectFeedRow) ([]store.WebhookEvent, error) {
		var out []store.WebhookEvent
		for _, r := range rows {
			ev, err := effectEvent(r, want)
			if err != nil {
				return nil, err
			}
			if ev != nil {
				out = append(out, *ev)
			}
		}
		return out, nil
	})
}

// effectEvent is the webhook event of a ledger effect the receiver
// subscribed to, or nil.
func effectEvent(r store.EffectFeedRow, want map[string]bool) (*store.WebhookEvent, error) {
	var eff engine.Effect
	_ = json.Unmarshal([]byte(r.Detail), &eff)
	typ := ""
	switch engine.ActionKind(r.Kind) {
	case engine.ActionSet:
		if r.Field == "invoice.status" && r.Value == engine.StatusOverdue {
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
		return nil, nil
	}
	wkey := "webhook/" + typ + "/" + r.Key
	data := map[string]any{"effect_key": r.Key, "source": r.Source, "invoice_id": r.InvoiceID, "invoice_number": r.InvoiceNumber, "customer_id": r.CustomerID}
	switch typ {
	case EventInvoiceOverdue:
		data["old_status"] = eff.OldValue
	case EventNodeEntered:
		data["workflow"], data["node"] = eff.Rule, eff.Node
	case EventTaskCreated, EventApprovalRequested:
		data["title"], data["assignee"], data["role"], data["due_at"] = eff.Title, eff.Assignee, eff.Role, eff.DueAt
	}
	body, err := eventBody(wkey, typ, r.At, data)
	return &store.WebhookEvent{Key: wkey, Type: typ, Body: body, InvoiceID: r.InvoiceID, CustomerID: r.CustomerID}, err
}

// approvalsFeed: approval.decided from the audit log's task.completed
// entries of approval tasks.
func approvalsFeed(ctx context.Context, s Store, o store.FeedOptions, want map[string]bool) (store.FeedPage, error) {
	return s.QueueApprovalEvents(ctx, o, func(rows []store.ApprovalFeedRow) ([]store.WebhookEvent, error) {
		if !want[EventApprovalDecided] {
			return nil, nil
		}
		var out []store.WebhookEvent
		for _, r := range rows {
			var d struct {
				Outcome map[string]any `json:"outcome"`
			}
			_ = json.Unmarshal([]byte(r.Detail), &d)
			wkey := "webhook/" + EventApprovalDecided + "/" + r.TaskKey
			body, err := eventBody(wkey, EventApprovalDecided, r.At, map[string]any{"approval_key": r.TaskKey, "title": r.Title, "decided_by": r.Actor,
				"outcome": d.Outcome, "invoice_id": r.InvoiceID, "invoice_number": r.InvoiceNumber, "customer_id": r.CustomerID})
			if err != nil {
				return nil, err
			}
			out = append(out, store.WebhookEvent{Key: wkey, Type: EventApprovalDecided, Body: body, InvoiceID: r.InvoiceID, CustomerID: r.CustomerID})
		}
		return out, nil
	})
}
