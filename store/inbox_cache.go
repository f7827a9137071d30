package store

import (
	"context"
	"sync"
)

// inboxCache keeps recent inbox lists on SQLite (each the whole sorted
// list a viewer's filter selects, which pages, views and counts are cut
// from), each under the inbox_version (migrations 00011 and 00016) it was
// read at: triggers bump the version in every transaction that writes a
// task, a payment, or a user, invoice or customer field an inbox shows or
// is scoped by, so a list read at version N is what the query would
// return while the version is still N. The version is read before the
// list, so a write racing the read leaves the list under an older
// version, never a stale list under a newer one. A list is kept per day
// (its priorities and promises depend on the date); what depends on the
// instant (the overdue view and flags) is worked out on every read.
type inboxCache struct {
	mu       sync.Mutex
	version  int64
	lists    map[inboxKey][]InboxTask
	tasks    int // in lists
	inflight map[inboxFlight]*inboxRead
}

// inboxFlight is a list being read at a version: concurrent requests for
// it wait for that one read instead of each reading the whole list (at a
// thousand requests a second, the first after a write would otherwise
// start hundreds).
type inboxFlight struct {
	key     inboxKey
	version int64
}

type inboxRead struct {
	done chan struct{}
	list []InboxTask
	err  error
}

type inboxKey struct {
	viewer                      Viewer
	status, kind, invoice       string
	mine                        bool
	assignee, team, stage, role string
	unassigned                  int8 // 0 any, 1 only role tasks, 2 only assigned
	sort                        string
	startOfDay, endOfDay        int64
}

// Bounds of the cache: at most maxInboxLists lists and maxInboxTasks tasks
// in all (a task is a few hundred bytes); a longer list is not kept, and
// when full the cache starts again empty.
const (
	maxInboxLists = 256
	maxInboxTasks = 400_000
)

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

func (f InboxFilter) key(v Viewer) inboxKey {
	k := inboxKey{viewer: v, status: f.Status, kind: f.Kind, invoice: f.Invoice, mine: f.Mine, assignee: f.Assignee,
		team: f.Team, stage: f.Stage, role: f.Role, sort: f.sort(),
		startOfDay: f.StartOfDay.UnixNano(), endOfDay: f.EndOfDay.UnixNano()}
	if f.Unassigned != nil {
		k.unassigned = 2
		if *f.Unassigned {
			k.unassigned = 1
		}
	}
	return k
}

// join returns the list kept for k at version, or the read of it in
// flight (lead false), or a new read the caller must do and finish (lead
// true).
func (c *inboxCache) join(version int64, k inboxKey) (list []InboxTask, ok bool, r *inboxRead, lead bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if list, ok := c.lists[k]; ok && c.version == version {
		return list, true, nil, false
	}
	f := inboxFlight{k, version}
	if r, ok := c.inflight[f]; ok {
		return nil, false, r, false
	}
	if c.inflight == nil {
		c.inflight = map[inboxFlight]*inboxRead{}
	}
	r = &inboxRead{done: make(chan struct{})}
	c.inflight[f] = r
	return nil, false, r, true
}

// finish ends read r of k at version, keeping its list when it succeeded.
func (c *inboxCache) finish(version int64, k inboxKey, r *inboxRead, list []InboxTask, err error) {
	r.list, r.err = list, err
	if err == nil {
		c.put(version, k, list)
	}
	c.mu.Lock()
	delete(c.inflight, inboxFlight{k, version})
	c.mu.Unlock()
	close(r.done)
}

func (c *inboxCache) put(version int64, k inboxKey, list []InboxTask) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if version < c.version || len(list) > maxInboxTasks {
		return // read before a newer list was kept, or too long to keep
	}
	if version > c.version || c.lists == nil || len(c.lists) >= maxInboxLists || c.tasks+len(list) > maxInboxTasks {
		c.version, c.lists, c.tasks = version, map[inboxKey][]InboxTask{}, 0
	}
	if old, ok := c.lists[k]; ok {
		c.tasks -= len(old)
	}
	c.lists[k] = list
	c.tasks += len(list)
}
