package store

import (
	"context"
	"database/sql"
	"strings"
)

// DoneTickSlots lists the slots, beginning with prefix, of the ticks that
// finished, in slot order. The demo set-up names its history ticks
// "demo/YYYY-MM-DD" and asks which days it already ran, so that running it
// again records nothing twice and a run cut short resumes where it stopped.
func (s *Store) DoneTickSlots(ctx context.Context, prefix string) ([]string, error) {
	var slots []string
	like := strings.NewReplacer(`\`, `\\`, "%", `\%`, "_", `\_`).Replace(prefix) + "%"
	err := s.queryRows(ctx, `SELECT slot FROM ticks WHERE status = 'done' AND slot LIKE ? ESCAPE '\' ORDER BY slot`,
		[]any{like}, func(rows *sql.Rows) error {
			var slot string
			if err := rows.Scan(&slot); err != nil {
				return err
			}
			slots = append(slots, slot)
			return nil
		})
	return slots, err
}
