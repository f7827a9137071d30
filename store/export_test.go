package store

import (
	"context"
	"time"
)

// SetBatchLease changes the batch lease for a test and returns a restore.
func SetBatchLease(d time.Duration) func() {
	old := batchLease
	batchLease = d
	return func() { batchLease = old }
}

// SetFewDueTasks changes how many due tasks a tick looks up by due time,
// and returns a restore.
func SetFewDueTasks(n int) func() {
	old := fewDueTasks
	fewDueTasks = n
	return func() { fewDueTasks = old }
}

// InboxUncached reads an inbox page from the database, past the cache.
func (s *Store) InboxUncached(ctx context.Context, v Viewer, f InboxFilter) ([]InboxTask, error) {
	if f.Limit <= 0 {
		f.Limit = 100
	}
	return s.readInbox(ctx, v, f)
}

// ReadAhead counts the batches read ahead that a tick used, and those it
// read again because another connection committed in between.
func (s *Store) ReadAhead() (used, dropped int64) {
	return s.aheadUsed.Load(), s.aheadDropped.Load()
}
