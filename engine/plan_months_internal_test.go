package engine

import (
	"testing"

	"github.com/recoup/recoup/calendar"
)

func TestAddMonths(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		from string
		n    int
		want string
	}{
		{"2026-10-20", 0, "2026-10-20"},
		{"2026-10-20", 3, "2027-01-20"},
		{"2026-01-31", 1, "2026-02-28"},
		{"2028-01-31", 1, "2028-02-29"},
		{"2026-10-31", 1, "2026-11-30"},
		{"2026-10-31", 2, "2026-12-31"},
		{"2026-12-15", 14, "2028-02-15"},
	} {
		if got := addMonths(calendar.MustParse(c.from), c.n).String(); got != c.want {
			t.Errorf("%s + %d months = %s, want %s", c.from, c.n, got, c.want)
		}
	}
}
