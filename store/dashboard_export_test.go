package store

// ResetDashboardCache forgets s's cached dashboard figures.
func ResetDashboardCache(s *Store) {
	c := cacheOf(s)
	c.mu.Lock()
	c.entries = map[dashboardKey]Dashboard{}
	c.version = -1
	c.tasks = map[string]taskCount{}
	c.tasksVersion = dashboardVersion{-1, -1}
	c.mu.Unlock()
}

// DashboardCacheStats returns how often s's dashboard cache was hit and
// missed.
func DashboardCacheStats(s *Store) (hits, misses int64) {
	c := cacheOf(s)
	return c.hits.Load(), c.misses.Load()
}

// ResetDashboardTaskCounts forgets s's cached open task counts only.
func ResetDashboardTaskCounts(s *Store) {
	c := cacheOf(s)
	c.mu.Lock()
	c.tasks = map[string]taskCount{}
	c.tasksVersion = dashboardVersion{-1, -1}
	c.mu.Unlock()
}
