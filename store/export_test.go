package store

import (
	"context"
	"time"

	"github.com/recoup/recoup/engine"
)

// SetBatchLease changes the batch lease for a test and returns a restore.
func SetBatchLease(d time.Duration) func() {
	old := batchLease
	batchLease = d
	return func() { batchLease = old }
}

// SetFewDueTasks changes how many due tasks the store's ticks look up by
// due time (-1: never, by range).
func (s *Store) SetFewDueTasks(n int) { s.fewDueTasks = n }

// URL is the address the store was opened with.
func (s *Store) URL() string { return s.url }

// StatsMemoHits counts the ticks that reused the customer aggregates of
// an earlier one.
func (s *Store) StatsMemoHits() int {
	s.stats.mu.Lock()
	defer s.stats.mu.Unlock()
	return s.stats.hits
}

// StatsMemoPatches counts the ticks that summed again only the customers
// changed since the tick before.
func (s *Store) StatsMemoPatches() int {
	s.stats.mu.Lock()
	defer s.stats.mu.Unlock()
	return s.stats.patches
}

// SetStatsPatchMax sets how many changed customers a tick sums again at
// most (statsPatchMax) and returns what it was.
func (s *Store) SetStatsPatchMax(n int) (was int) {
	was, s.statsPatchMax = s.statsPatchMax, n
	return was
}

// TickStats returns the customer aggregates a tick at c would use, and
// the same computed afresh.
func (s *Store) TickStats(ctx context.Context, c engine.Clock) (used, fresh *engine.CustomerStats, err error) {
	if used, err = s.tickStats(ctx, c, 0); err != nil {
		return nil, nil, err
	}
	fresh, err = s.customerStats(ctx, c, 0)
	return used, fresh, err
}

// InboxUncached reads an inbox page from the database, past the cache.
func (s *Store) InboxUncached(ctx context.Context, v Viewer, f InboxFilter) ([]InboxTask, error) {
	f = f.withDefaults()
	list, err := s.readInboxList(ctx, v, f)
	if err != nil {
		return nil, err
	}
	p, err := f.page(list)
	return p.Items, err
}

// ReadAhead counts the batches read ahead that a tick used, and those it
// read again because another connection committed in between.
func (s *Store) ReadAhead() (used, dropped int64) {
	return s.aheadUsed.Load(), s.aheadDropped.Load()
}
