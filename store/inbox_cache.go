package store

import (
	"context"
	"sync"
	"time"
)

// inboxCache keeps recent inbox pages on SQLite, each under the
// inbox_version (migration 00011) it was read at: triggers bump the
// version in every transaction that writes a task, or a user, invoice or
// customer field an inbox shows or is scoped by, so a page read at
// version N is what the query would return while the version is still N.
// The version is read before the page, so a write racing the read leaves
// the page under an older version, never a stale page under a newer one.
// Pages filtered by the current time (due=overdue) are not kept: they are
// cut from the kept page without the filter (Store.overdueFromCache). The
// "overdue" flag of a kept page is worked out again on every read.
type inboxCache struct {
	mu      sync.Mutex
	version int64
	pages   map[inboxKey][]InboxTask
}

type inboxKey struct {
	viewer               Viewer
	status, due, kind    string
	invoice              string
	mine                 bool
	startOfDay, endOfDay int64 // only with due=today
	limit                int
}

// maxInboxPages bounds the cache: 256 pages of 100 tasks are about 6 MB
// (a page is at most 500 tasks); when full it starts again empty.
const maxInboxPages = 256

func (s *Store) inboxVersion(ctx context.Context) (int64, bool) {
	if s.dialect != SQLite {
		return 0, false
	}
	var n int64
	if err := s.queryRow(ctx, "SELECT n FROM inbox_version WHERE id = 1").Scan(&n); err != nil {
		return 0, false // not migrated yet, or busy: read through
	}
	return n, true
}

func (f InboxFilter) key(v Viewer) (inboxKey, bool) {
	if f.Due == "overdue" {
		return inboxKey{}, false
	}
	k := inboxKey{viewer: v, status: f.Status, due: f.Due, kind: f.Kind, invoice: f.Invoice, mine: f.Mine, limit: f.Limit}
	if f.Due == "today" {
		k.startOfDay, k.endOfDay = f.StartOfDay.UnixNano(), f.EndOfDay.UnixNano()
	}
	return k, true
}

// get returns a copy of the page kept for k at version, with its overdue
// flags as of now.
func (c *inboxCache) get(version int64, k inboxKey, now time.Time) ([]InboxTask, bool) {
	page, ok := c.peek(version, k)
	if !ok {
		return nil, false
	}
	out := make([]InboxTask, len(page))
	copy(out, page)
	for i := range out {
		out[i].setOverdue(now)
	}
	return out, true
}

// peek returns the page kept for k at version itself: the caller only
// reads it (kept pages are never written after put).
func (c *inboxCache) peek(version int64, k inboxKey) ([]InboxTask, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	page, ok := c.pages[k]
	return page, ok && c.version == version
}

func (t *InboxTask) setOverdue(now time.Time) {
	t.Overdue = t.Status == "open" && !t.DueAt.IsZero() && t.DueAt.Before(now)
}

func (c *inboxCache) put(version int64, k inboxKey, page []InboxTask) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if version < c.version {
		return // read before a newer page was kept
	}
	if version > c.version || c.pages == nil || len(c.pages) >= maxInboxPages {
		c.version, c.pages = version, map[inboxKey][]InboxTask{}
	}
	c.pages[k] = page
}
