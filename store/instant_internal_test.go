package store

import (
	"strings"
	"testing"
	"time"
)

func TestParseInstantMatchesTimeParse(t *testing.T) {
	for _, s := range []string{
		"2026-09-12 07:54:00+00:00", "2026-09-12 07:54:00.5+00:00", "2026-09-12 07:54:00.123456789+00:00",
		"2026-03-29 03:30:00+02:00", "2026-03-29 23:30:00-05:45", "2024-02-29 00:00:00+00:00", "0001-01-01 00:00:00+00:00",
		// not the fast form: parseInstant must say so (time.Parse may still read some)
		"2026-02-30 00:00:00+00:00", "2026-09-12T07:54:00+00:00", "2026-09-12 07:54:00Z", "2026-09-12 07:54:00", "2026-09-12 24:00:00+00:00",
		"2026-09-12 07:54:00.+00:00", "2026-13-12 07:54:00+00:00", "x026-09-12 07:54:00+00:00",
		"2026-09-12 07:54:00+0000", "2026-09-12 07:54:60+00:00",
	} {
		want, err := time.Parse("2006-01-02 15:04:05.999999999-07:00", s)
		got, ok := parseInstant(s)
		gotB, okB := parseInstant([]byte(s))
		if ok != okB || !got.Equal(gotB) {
			t.Errorf("%q: string and bytes differ", s)
		}
		switch {
		case ok && (err != nil || !got.Equal(want)):
			t.Errorf("%q: parseInstant %v, time.Parse %v (%v)", s, got, want, err)
		case !ok && err == nil && len(s) >= 25 && s[10] == ' ' && !strings.HasSuffix(s, "Z"):
			t.Errorf("%q: parseInstant refused what time.Parse reads as %v", s, want)
		}
	}
}
