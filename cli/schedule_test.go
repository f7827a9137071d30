package cli

import (
	"testing"
	"time"
)

func TestLastScheduled(t *testing.T) {
	t.Parallel()
	sh, _ := time.LoadLocation("Asia/Shanghai")
	cases := []struct {
		spec string
		now  time.Time
		want time.Time
	}{
		{"@hourly", time.Date(2026, 11, 29, 9, 0, 0, 0, sh), time.Date(2026, 11, 29, 9, 0, 0, 0, sh)},
		{"@hourly", time.Date(2026, 11, 29, 9, 59, 59, 0, sh), time.Date(2026, 11, 29, 9, 0, 0, 0, sh)},
		{"0 9 * * 1-5", time.Date(2026, 11, 30, 8, 0, 0, 0, sh), time.Date(2026, 11, 27, 9, 0, 0, 0, sh)}, // Monday 08:00 → Friday 09:00
		{"*/15 * * * *", time.Date(2026, 11, 29, 9, 44, 10, 0, sh), time.Date(2026, 11, 29, 9, 30, 0, 0, sh)},
	}
	for _, c := range cases {
		s, err := parseSchedule(c.spec)
		if err != nil {
			t.Fatal(err)
		}
		if got := lastScheduled(s, c.now); !got.Equal(c.want) {
			t.Errorf("lastScheduled(%q, %s) = %s, want %s", c.spec, c.now, got, c.want)
		}
	}
	if _, err := parseSchedule("every hour"); err == nil || err.Error() != `tick schedule "every hour": expected exactly 5 fields, found 2: [every hour]` {
		t.Errorf("bad spec error = %v", err)
	}
}
