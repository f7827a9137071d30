package store

import (
	"context"
	"time"

	"github.com/recoup/recoup/calendar"
)

// ResetDashboardCache forgets s's cached dashboard figures.
func ResetDashboardCache(s *Store) {
	c := cacheOf(s)
	c.mu.Lock()
	c.entries = map[dashboardKey]Dashboard{}
	c.version = -1
	c.mu.Unlock()
}

// DashboardCacheStats returns how often s's dashboard cache was hit and
// missed.
func DashboardCacheStats(s *Store) (hits, misses int64) {
	c := cacheOf(s)
	return c.hits.Load(), c.misses.Load()
}

// DashboardFromScratch computes the dashboard as Store.Dashboard defines
// it, from the invoices, stage entries, payments, fees and tasks instead of
// the summary tables (dashboard_scratch_test.go).
func DashboardFromScratch(ctx context.Context, s *Store, v Viewer, f DashboardFilter, today calendar.Date, now time.Time) (Dashboard, error) {
	d, err := s.scratchDashboard(ctx, v, f, today, now.Location())
	if err != nil {
		return d, err
	}
	// Disputes, promise records, bad debt and plans are read from their own
	// tables on every request already: the same functions are their
	// from-scratch figures, but for the cash expected from plans, which
	// scratchPlanned computes again its own way.
	if d.Disputes, d.PromiseRecords, err = s.dashboardCases(ctx, v, f, today, now.Location()); err != nil {
		return d, err
	}
	if d.TasksOpen, d.TasksOverdue, err = s.scratchTaskCounts(ctx, v, now); err != nil {
		return d, err
	}
	if err := s.dashboardLifecycle(ctx, v, f, today, &d); err != nil {
		return d, err
	}
	d.PlannedNext, err = s.scratchPlanned(ctx, scratchConds(v, f), today)
	return d, err
}
