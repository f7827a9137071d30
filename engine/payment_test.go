package engine_test

import (
	"strings"
	"testing"
	"time"

	"github.com/recoup/recoup/calendar"
	"github.com/recoup/recoup/engine"
)

func TestCheckPayment(t *testing.T) {
	t.Parallel()
	shanghai, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 11, 2, 10, 0, 0, 0, shanghai)
	ok := engine.PaymentCheck{AmountMinor: 100, Currency: "CNY", PaidAt: now.Add(-time.Hour), Reference: "BANK-1",
		InvoiceCurrency: "CNY", IssueDate: calendar.MustParse("2026-10-01"), Now: now, Location: shanghai}
	for _, tc := range []struct {
		name   string
		change func(*engine.PaymentCheck)
		want   string
	}{
		{"valid", func(*engine.PaymentCheck) {}, ""},
		{"max", func(p *engine.PaymentCheck) { p.AmountMinor = 1_000_000_000_000_000 }, ""},
		{"zero", func(p *engine.PaymentCheck) { p.AmountMinor = 0 }, "amount_minor: must be positive, got 0"},
		{"negative", func(p *engine.PaymentCheck) { p.AmountMinor = -5 }, "amount_minor: must be positive, got -5"},
		{"int64 max", func(p *engine.PaymentCheck) { p.AmountMinor = 9223372036854775807 },
			"amount_minor: 9223372036854775807 is above the largest payment recoup accepts (1000000000000000 minor units)"},
		{"currency", func(p *engine.PaymentCheck) { p.Currency = "USD" }, "currency: USD differs from the invoice's currency CNY"},
		{"within skew", func(p *engine.PaymentCheck) { p.PaidAt = now.Add(4 * time.Minute) }, ""},
		{"future", func(p *engine.PaymentCheck) { p.PaidAt = time.Date(2099, 1, 1, 10, 0, 0, 0, time.UTC) },
			"paid_at: 2099-01-01T10:00:00Z is in the future (now is 2026-11-02T02:00:00Z)"},
		{"before issue", func(p *engine.PaymentCheck) { p.PaidAt = time.Date(1900, 1, 1, 0, 0, 0, 0, time.UTC) },
			"paid_at: 1900-01-01 is before the invoice's issue date 2026-10-01"},
		// 2026-10-01 07:00 in Shanghai is 2026-09-30 23:00 UTC: the issue day, in the company's zone.
		{"issue day in the zone", func(p *engine.PaymentCheck) { p.PaidAt = time.Date(2026, 9, 30, 23, 0, 0, 0, time.UTC) }, ""},
		{"day before issue in the zone", func(p *engine.PaymentCheck) { p.PaidAt = time.Date(2026, 9, 30, 15, 0, 0, 0, time.UTC) },
			"paid_at: 2026-09-30 is before the invoice's issue date 2026-10-01"},
		{"blank reference", func(p *engine.PaymentCheck) { p.Reference = " \t" }, "reference: must not be blank"},
		{"all at once", func(p *engine.PaymentCheck) { p.AmountMinor, p.Currency = 0, "EUR" },
			"amount_minor: must be positive, got 0\ncurrency: EUR differs from the invoice's currency CNY"},
	} {
		p := ok
		tc.change(&p)
		var lines []string
		for _, pr := range engine.CheckPayment(p) {
			lines = append(lines, pr.Field+": "+pr.Message)
		}
		if got := strings.Join(lines, "\n"); got != tc.want {
			t.Errorf("%s:\n got %s\nwant %s", tc.name, got, tc.want)
		}
	}
}

func TestPaymentKey(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ a, b string }{
		{"BANK-2026-0001", " bank-2026-0001 "},
		{"BANK-2026-0001", "\tBank-2026-0001\n"},
		{"STRASSE-1", "straße-1"}, // full case folding
		{"Ä-1", "A\u0308-1"},      // composed and decomposed
	} {
		if ka, kb := engine.PaymentKey(tc.a), engine.PaymentKey(tc.b); ka != kb {
			t.Errorf("PaymentKey(%q) = %q, PaymentKey(%q) = %q: want equal", tc.a, ka, tc.b, kb)
		}
	}
	if engine.PaymentKey("BANK-1") == engine.PaymentKey("BANK-2") {
		t.Error("different references share a key")
	}
}
