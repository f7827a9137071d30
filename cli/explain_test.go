package cli

import "testing"

// TestTraceValueExact: explain printed invoice.balance=1.101976e+06; values
// a condition read print in plain decimals.
func TestTraceValueExact(t *testing.T) {
	for _, c := range []struct {
		in   any
		want string
	}{
		{1101976.0, "1101976"},
		{1234567.89, "1234567.89"},
		{9007199254740993.0, "9007199254740992"},
		{"high", "high"},
		{true, "true"},
		{int64(42), "42"},
	} {
		if got := traceValue(c.in); got != c.want {
			t.Errorf("traceValue(%v) = %q, want %q", c.in, got, c.want)
		}
	}
}
