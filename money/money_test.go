package money

import (
	"math"
	"testing"
)

func TestParseMinor(t *testing.T) {
	t.Parallel()
	cases := []struct {
		in, cur string
		want    int64
		err     string
	}{
		{"12345.67", "CNY", 1234567, ""},
		{"12345.6", "USD", 1234560, ""},
		{"12345", "USD", 1234500, ""},
		{"0.01", "USD", 1, ""},
		{"-0.5", "CNY", -50, ""},
		{"+7", "CNY", 700, ""},
		{"1000", "JPY", 1000, ""},
		{"1.234", "KWD", 1234, ""},
		{"0", "CNY", 0, ""},
		{"92233720368547758.07", "USD", math.MaxInt64, ""},
		{"12.345", "CNY", 0, `amount "12.345" has 3 decimals but CNY allows at most 2`},
		{"12.345", "USD", 0, `amount "12.345" has 3 decimals but USD allows at most 2`},
		{"1.5", "JPY", 0, `amount "1.5" has decimals but JPY has no minor unit`},
		{"92233720368547758.08", "USD", 0, `amount "92233720368547758.08" is out of range`},
		{"1,000.00", "USD", 0, `invalid amount "1,000.00"`},
		{"1e3", "USD", 0, `invalid amount "1e3"`},
		{"12.", "USD", 0, `invalid amount "12."`},
		{".5", "USD", 0, `invalid amount ".5"`},
		{"", "USD", 0, `empty amount`},
		{"1.00", "XYZ", 0, `unknown currency "XYZ"`},
	}
	for _, c := range cases {
		got, err := ParseMinor(c.in, c.cur)
		if c.err != "" {
			if err == nil || err.Error() != c.err {
				t.Errorf("ParseMinor(%q, %s) error = %v, want %q", c.in, c.cur, err, c.err)
			}
			continue
		}
		if err != nil || got != c.want {
			t.Errorf("ParseMinor(%q, %s) = %d, %v; want %d", c.in, c.cur, got, err, c.want)
		}
	}
}

func TestFormatRoundTrip(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		minor int64
		cur   string
		want  string
	}{{1234567, "CNY", "12345.67"}, {5, "USD", "0.05"}, {-50, "CNY", "-0.50"}, {1000, "JPY", "1000"}, {1, "KWD", "0.001"}, {math.MinInt64 + 1, "USD", "-92233720368547758.07"}} {
		got := FormatMinor(c.minor, c.cur)
		if got != c.want {
			t.Errorf("FormatMinor(%d, %s) = %q, want %q", c.minor, c.cur, got, c.want)
		}
		back, err := ParseMinor(got, c.cur)
		if err != nil || back != c.minor {
			t.Errorf("round trip %q = %d, %v", got, back, err)
		}
	}
}

func TestParseAndArithmetic(t *testing.T) {
	t.Parallel()
	m, err := Parse("100.00 cny")
	if err != nil || m != New(10000, "CNY") || m.String() != "100.00 CNY" {
		t.Fatalf("Parse = %v, %v", m, err)
	}
	if _, err := Parse("100.00"); err == nil {
		t.Fatal("Parse without currency accepted")
	}
	sum, err := m.Add(New(1, "CNY"))
	if err != nil || sum.Minor != 10001 {
		t.Fatalf("Add = %v %v", sum, err)
	}
	if _, err := m.Add(New(1, "USD")); err == nil {
		t.Fatal("Add across currencies accepted")
	}
	if _, err := New(math.MaxInt64, "USD").Add(New(1, "USD")); err == nil {
		t.Fatal("overflow not detected")
	}
	// 1.5% of 333.33 = 4.99995 → 5.00; half away from zero.
	if got := New(33333, "CNY").Percent(150); got.Minor != 500 {
		t.Fatalf("Percent = %v", got)
	}
	if got := New(-33333, "CNY").Percent(150); got.Minor != -500 {
		t.Fatalf("Percent negative = %v", got)
	}
}
