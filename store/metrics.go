package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/recoup/recoup/engine"
)

// Gauges are the database's figures a metrics scrape reports.
type Gauges struct {
	OutboxDepth int64            // notifications pending or sending
	OpenTasks   int64            // open tasks and approvals
	Ticks       map[string]int64 // ticks recorded, by status
	// LastTick is the stats of the last finished tick; nil before the first.
	LastTick *engine.TickStats
}

// Gauges reads the figures of a metrics scrape, whichever replica wrote
// them.
func (s *Store) Gauges(ctx context.Context) (Gauges, error) {
	g := Gauges{Ticks: map[string]int64{}}
	if err := s.sqlDB.QueryRowContext(ctx, `SELECT
		(SELECT COUNT(*) FROM outbox WHERE status IN ('pending', 'sending')),
		(SELECT COUNT(*) FROM tasks WHERE status = 'open')`).Scan(&g.OutboxDepth, &g.OpenTasks); err != nil {
		return g, err
	}
	rows, err := s.sqlDB.QueryContext(ctx, "SELECT status, COUNT(*) FROM ticks GROUP BY status")
	if err != nil {
		return g, err
	}
	for rows.Next() {
		var status string
		var n int64
		if err := rows.Scan(&status, &n); err != nil {
			rows.Close()
			return g, err
		}
		g.Ticks[status] = n
	}
	if err := rows.Close(); err != nil {
		return g, err
	}
	var raw string
	err = s.sqlDB.QueryRowContext(ctx, "SELECT stats FROM ticks WHERE status = 'done' ORDER BY finished_at DESC, id DESC LIMIT 1").Scan(&raw)
	if errors.Is(err, sql.ErrNoRows) {
		return g, nil
	}
	if err != nil {
		return g, err
	}
	var st engine.TickStats
	if err := json.Unmarshal([]byte(raw), &st); err != nil {
		return g, fmt.Errorf("the last tick's stats: %w", err)
	}
	g.LastTick = &st
	return g, nil
}
