package calendar

import (
	"testing"
	"time"
)

func TestParse(t *testing.T) {
	t.Parallel()
	for _, bad := range []string{"2026-02-30", "2026-13-01", "26-01-01", "2026/01/01", "2026-1-1", "2026-01-01T00:00:00Z", ""} {
		if _, err := Parse(bad); err == nil {
			t.Errorf("Parse(%q) accepted", bad)
		}
	}
	d, err := Parse("2024-02-29")
	if err != nil || d.String() != "2024-02-29" {
		t.Fatalf("Parse leap day = %v %v", d, err)
	}
}

func TestDaysAcrossZonesAndDST(t *testing.T) {
	t.Parallel()
	ny, _ := time.LoadLocation("America/New_York")
	sh, _ := time.LoadLocation("Asia/Shanghai")
	// 2026-03-08 is the US spring-forward day: a 23-hour day is still one day.
	if got := MustParse("2026-03-09").DaysSince(MustParse("2026-03-08")); got != 1 {
		t.Fatalf("DST day = %d", got)
	}
	if got := MustParse("2026-11-02").DaysSince(MustParse("2026-10-31")); got != 2 {
		t.Fatalf("fall back = %d", got)
	}
	// One instant, two calendar days.
	instant := time.Date(2026, 1, 31, 20, 0, 0, 0, time.UTC)
	if In(instant, sh).String() != "2026-02-01" || In(instant, ny).String() != "2026-01-31" {
		t.Fatalf("In: %s %s", In(instant, sh), In(instant, ny))
	}
	if got := MustParse("2026-01-31").AddDays(29); got.String() != "2026-03-01" {
		t.Fatalf("AddDays = %s", got)
	}
}

func TestScan(t *testing.T) {
	t.Parallel()
	var d Date
	for _, src := range []any{"2026-05-01", []byte("2026-05-01"), "2026-05-01 00:00:00+00:00", time.Date(2026, 5, 1, 0, 0, 0, 0, time.UTC)} {
		if err := d.Scan(src); err != nil || d.String() != "2026-05-01" {
			t.Errorf("Scan(%v) = %v, %v", src, d, err)
		}
	}
	if err := d.Scan(42); err == nil {
		t.Error("Scan(int) accepted")
	}
}

func TestParseMatchesTimeParse(t *testing.T) {
	t.Parallel()
	for d := MustParse("1999-12-25"); d.Year < 2102; d = d.AddDays(3) {
		got, err := Parse(d.String())
		if err != nil || got != d {
			t.Fatalf("Parse(%s) = %v, %v", d, got, err)
		}
	}
	for _, bad := range []string{"2100-02-29", "2023-02-29", "2026-04-31", "2026-06-31", "2026-09-31", "2026-11-31", "2026-00-10", "2026-01-00", "20x6-01-01"} {
		if _, err := Parse(bad); err == nil {
			t.Errorf("Parse(%q) accepted", bad)
		}
	}
	for _, good := range []string{"2000-02-29", "2024-02-29", "2026-07-31", "2026-08-31", "2026-12-31"} {
		if _, err := Parse(good); err != nil {
			t.Errorf("Parse(%q): %v", good, err)
		}
	}
}
