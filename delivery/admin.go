package delivery

import (
	"context"
	"time"

	"github.com/recoup/recoup/store"
)

// EventRequeued records that a dead message was given new attempts.
const EventRequeued = "requeued"

// AdminStore is what operators' outbox commands need.
type AdminStore interface {
	RequeueDeadOutbox(ctx context.Context, channel string, now time.Time, event, reason string) (int, error)
	InvoiceOutbox(ctx context.Context, invoiceID int64) ([]store.OutboxMessage, error)
	OutboxEvents(ctx context.Context, key string) ([]store.OutboxHistoryEvent, error)
}

// RequeueDead gives dead messages (of channel, or all when empty) a fresh
// set of attempts, due at now — after the cause (a wrong password, a
// gateway outage) is fixed. Their keys do not change.
func RequeueDead(ctx context.Context, s AdminStore, channel string, now time.Time) (int, error) {
	return s.RequeueDeadOutbox(ctx, channel, now, EventRequeued, "requeued by an operator; the last error stays in last_error until the next attempt")
}

// MessageState is an outbox row as an operator sees it, with its history.
type MessageState struct {
	store.OutboxMessage
	Events []Event
}

// InvoiceMessages returns every message about an invoice, oldest first,
// each with its recorded decisions: why the customer got (or did not get)
// each message.
func InvoiceMessages(ctx context.Context, s AdminStore, invoiceID int64) ([]MessageState, error) {
	msgs, err := s.InvoiceOutbox(ctx, invoiceID)
	if err != nil {
		return nil, err
	}
	out := make([]MessageState, len(msgs))
	for i, m := range msgs {
		out[i] = MessageState{OutboxMessage: m}
		if out[i].Events, err = s.OutboxEvents(ctx, m.Key); err != nil {
			return nil, err
		}
	}
	return out, nil
}
