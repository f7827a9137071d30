package store

import (
	"context"
	"fmt"
)

// tablesQuery lists the tables of the database, per dialect.
var tablesQuery = map[string]string{
	SQLite:   "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name",
	Postgres: "SELECT tablename FROM pg_tables WHERE schemaname = current_schema() ORDER BY tablename",
}

// TableCounts returns the number of rows of every table in the database,
// by name, the migrations' own included. Tests compare it before and after
// requests that must write nothing (api's hostile inputs).
func (s *Store) TableCounts(ctx context.Context) (map[string]int64, error) {
	rows, err := s.sqlDB.QueryContext(ctx, tablesQuery[s.dialect])
	if err != nil {
		return nil, fmt.Errorf("listing tables: %w", err)
	}
	var names []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			rows.Close()
			return nil, err
		}
		names = append(names, n)
	}
	if err := rows.Close(); err != nil {
		return nil, err
	}
	out := make(map[string]int64, len(names))
	for _, n := range names {
		var c int64
		if err := s.sqlDB.QueryRowContext(ctx, `SELECT COUNT(*) FROM "`+n+`"`).Scan(&c); err != nil {
			return nil, fmt.Errorf("counting %s: %w", n, err)
		}
		out[n] = c
	}
	return out, nil
}
