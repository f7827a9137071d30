// Package calendar holds civil dates (a day without a time or zone) and the
// conversions recoup needs to count calendar days in a company's time zone.
package calendar

import (
	"database/sql/driver"
	"fmt"
	"time"
)

// Date is a civil date. The zero Date is "no date".
type Date struct {
	Year  int
	Month time.Month
	Day   int
}

// Layout is the only textual form recoup reads and writes: ISO 8601 YYYY-MM-DD.
const Layout = "2006-01-02"

// Parse reads YYYY-MM-DD strictly (no times, no other separators).
func Parse(s string) (Date, error) {
	// Hot in imports and ticks: no time.Parse.
	if len(s) == len(Layout) && s[4] == '-' && s[7] == '-' {
		y, ok1 := digits(s[0:4])
		m, ok2 := digits(s[5:7])
		d, ok3 := digits(s[8:10])
		if ok1 && ok2 && ok3 && m >= 1 && m <= 12 && d >= 1 && d <= daysIn(time.Month(m), y) {
			return Date{y, time.Month(m), d}, nil
		}
	}
	return Date{}, fmt.Errorf("invalid date %q: want YYYY-MM-DD", s)
}

func digits(s string) (int, bool) {
	n := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	return n, true
}

func daysIn(m time.Month, year int) int {
	if m == time.February {
		if year%4 == 0 && (year%100 != 0 || year%400 == 0) {
			return 29
		}
		return 28
	}
	return 31 - int((m-1)%7%2)
}

// MustParse is Parse for tests and constants; it panics on bad input.
func MustParse(s string) Date {
	d, err := Parse(s)
	if err != nil {
		panic(err)
	}
	return d
}

// Of returns the date of t in t's own location.
func Of(t time.Time) Date {
	y, m, d := t.Date()
	return Date{y, m, d}
}

// In returns the civil date of instant t in loc.
func In(t time.Time, loc *time.Location) Date { return Of(t.In(loc)) }

// IsZero reports whether d is the zero Date.
func (d Date) IsZero() bool { return d == Date{} }

// String renders YYYY-MM-DD.
func (d Date) String() string {
	if d.IsZero() {
		return ""
	}
	if d.Year < 0 || d.Year > 9999 {
		return fmt.Sprintf("%04d-%02d-%02d", d.Year, int(d.Month), d.Day)
	}
	// Hot in imports and ticks: format without fmt.
	b := [10]byte{
		byte('0' + d.Year/1000), byte('0' + d.Year/100%10), byte('0' + d.Year/10%10), byte('0' + d.Year%10), '-',
		byte('0' + int(d.Month)/10), byte('0' + int(d.Month)%10), '-',
		byte('0' + d.Day/10), byte('0' + d.Day%10),
	}
	return string(b[:])
}

// Time returns midnight of d in loc.
func (d Date) Time(loc *time.Location) time.Time {
	return time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, loc)
}

// AddDays returns d moved by n calendar days.
func (d Date) AddDays(n int) Date { return Of(d.Time(time.UTC).AddDate(0, 0, n)) }

// DaysSince returns the number of calendar days from o to d (d − o). It is
// exact across DST changes because it counts in UTC civil days.
func (d Date) DaysSince(o Date) int {
	return int(d.Time(time.UTC).Sub(o.Time(time.UTC)).Hours() / 24)
}

// Before reports whether d is before o.
func (d Date) Before(o Date) bool { return d.DaysSince(o) < 0 }

// After reports whether d is after o.
func (d Date) After(o Date) bool { return d.DaysSince(o) > 0 }

// Value stores a Date as YYYY-MM-DD text (NULL for the zero Date).
func (d Date) Value() (driver.Value, error) {
	if d.IsZero() {
		return nil, nil
	}
	return d.String(), nil
}

// Scan reads a Date from text, bytes or a time.Time (PostgreSQL DATE).
func (d *Date) Scan(src any) error {
	switch v := src.(type) {
	case nil:
		*d = Date{}
		return nil
	case time.Time:
		*d = Of(v)
		return nil
	case string:
		return d.scanText(v)
	case []byte:
		return d.scanText(string(v))
	}
	return fmt.Errorf("calendar: cannot scan %T into Date", src)
}

func (d *Date) scanText(s string) error {
	if len(s) > len(Layout) {
		s = s[:len(Layout)]
	}
	p, err := Parse(s)
	if err != nil {
		return err
	}
	*d = p
	return nil
}

// MarshalText renders YYYY-MM-DD for JSON and YAML.
func (d Date) MarshalText() ([]byte, error) { return []byte(d.String()), nil }

// UnmarshalText parses YYYY-MM-DD.
func (d *Date) UnmarshalText(b []byte) error {
	if len(b) == 0 {
		*d = Date{}
		return nil
	}
	p, err := Parse(string(b))
	if err != nil {
		return err
	}
	*d = p
	return nil
}
