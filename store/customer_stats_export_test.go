package store

import (
	"context"
	"math"

	"github.com/recoup/recoup/engine"
)

// CustomerStatsTwoWays returns the customers' payment aggregates at c as
// the tick computes them (grouped in the database on PostgreSQL, in
// parallel parts on SQLite) and as summed invoice by invoice in one pass.
func (s *Store) CustomerStatsTwoWays(ctx context.Context, c engine.Clock) (grouped, byRow *engine.CustomerStats, err error) {
	if grouped, err = s.customerStats(ctx, c, 0); err != nil {
		return nil, nil, err
	}
	byRow = engine.NewCustomerStats(c)
	return grouped, byRow, s.customerStatsRows(ctx, byRow, math.MinInt64, math.MaxInt64)
}
