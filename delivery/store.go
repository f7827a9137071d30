package delivery

import (
	"context"
	"time"

	"github.com/recoup/recoup/engine"
	"github.com/recoup/recoup/store"
)

// Store is what the dispatcher needs of the database (*store.Store). The
// dispatcher decides in Go, on what a claim read, and the store writes
// the decisions in the claim's transaction (ClaimOutbox), then the
// outcomes of the sends (RecordOutbox).
type Store interface {
	Company(ctx context.Context) (engine.Company, error)
	ClaimOutbox(ctx context.Context, o store.ClaimOptions, decide func(*store.OutboxClaim) (*store.OutboxPlan, error)) (*store.OutboxClaim, []int64, error)
	RecordOutbox(ctx context.Context, worker string, now time.Time, outcomes []store.OutboxOutcome, events []store.OutboxEvent) error
	AddOutboxEvent(ctx context.Context, e store.OutboxEvent) error
	Letter(ctx context.Context, key string) (filename string, pdf []byte, err error)
	SaveLetter(ctx context.Context, l store.StoredLetter) error
	QueueEffectEvents(ctx context.Context, o store.FeedOptions, decide func([]store.EffectFeedRow) ([]store.WebhookEvent, error)) (store.FeedPage, error)
	QueueApprovalEvents(ctx context.Context, o store.FeedOptions, decide func([]store.ApprovalFeedRow) ([]store.WebhookEvent, error)) (store.FeedPage, error)
}

// EventStore reads the decisions recorded about messages.
type EventStore interface {
	OutboxEvents(ctx context.Context, key string) ([]store.OutboxHistoryEvent, error)
}

// LetterStore reads stored letters.
type LetterStore interface {
	Letter(ctx context.Context, key string) (filename string, pdf []byte, err error)
}

var _ Store = (*store.Store)(nil)
