package store

import "testing"

// TestPrefixEnd: every string that starts with the prefix sorts below its
// end in byte order, and the end is the least such string.
func TestPrefixEnd(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ prefix, end string }{
		{"inv-00", "inv-01"},
		{"inv/2026/", "inv/20260"},
		{"a", "b"},
		{"z", "{"},
		{"~", "\x7f"},
		{"发票", "发祩"},
		{"a\uD7FF", "a\uE000"},
		{"a\U0010FFFF", "b"},
		{"\U0010FFFF\U0010FFFF", ""},
	} {
		if got := prefixEnd(tc.prefix); got != tc.end {
			t.Errorf("prefixEnd(%q) = %q, want %q", tc.prefix, got, tc.end)
		}
		if tc.end != "" && !(tc.prefix+"\U0010FFFF\U0010FFFF" < tc.end && tc.prefix < tc.end) {
			t.Errorf("%q + anything is not below %q", tc.prefix, tc.end)
		}
	}
}

// TestSearchFold: text is lowered as each dialect's lower() lowers what it
// indexes (SQLite: ASCII letters only).
func TestSearchFold(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ dialect, in, want string }{
		{SQLite, "INV-2026/Ab", "inv-2026/ab"},
		{SQLite, "ÉTÉ Acme", "ÉtÉ acme"},
		{SQLite, "新达 ABC", "新达 abc"},
		{Postgres, "ÉTÉ Acme", "été acme"},
	} {
		if got := searchDialects[tc.dialect].fold(tc.in); got != tc.want {
			t.Errorf("%s: fold(%q) = %q, want %q", tc.dialect, tc.in, got, tc.want)
		}
	}
}
