package delivery

import (
	"context"
	"time"

	"github.com/recoup/recoup/store"
)

// InAppMessage is one message in a user's in-app inbox.
type InAppMessage = store.InAppMessage

// InboxStore reads and marks users' in-app messages.
type InboxStore interface {
	InAppMessages(ctx context.Context, userID int64, unreadOnly bool, limit int) ([]store.InAppMessage, error)
	MarkInAppRead(ctx context.Context, userID, id int64, at time.Time) error
}

// Inbox returns a user's in-app messages, newest first, at most limit
// (0 = 100); unreadOnly leaves out the read ones.
func Inbox(ctx context.Context, s InboxStore, userID int64, unreadOnly bool, limit int) ([]InAppMessage, error) {
	return s.InAppMessages(ctx, userID, unreadOnly, limit)
}

// MarkRead marks a user's message read at at (the first time only); it
// returns store.ErrNotFound when the user has no such message.
func MarkRead(ctx context.Context, s InboxStore, userID, id int64, at time.Time) error {
	return s.MarkInAppRead(ctx, userID, id, at)
}
