package demo

import (
	"encoding/csv"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/recoup/recoup/calendar"
)

// TestNoPaymentFromTheFuture: no payment is dated after the instant the data
// is generated at, nor before its invoice's issue date (issue 15: 93 of
// 1,598 payments were dated after "today", those of invoices issued in the
// coming days).
func TestNoPaymentFromTheFuture(t *testing.T) {
	t.Parallel()
	loc, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		t.Fatal(err)
	}
	today := calendar.MustParse("2026-12-07")
	for _, notAfter := range []time.Time{{}, time.Date(2026, 12, 7, 10, 30, 0, 0, loc)} {
		dir := t.TempDir()
		if err := Generate(dir, Options{Customers: 200, Invoices: 1600, Seed: 1, Today: today, Zone: loc, NotAfter: notAfter}); err != nil {
			t.Fatal(err)
		}
		book, err := ReadBook(dir)
		if err != nil {
			t.Fatal(err)
		}
		limit := notAfter
		if limit.IsZero() {
			limit = today.AddDays(1).Time(loc)
		}
		issued := map[string]calendar.Date{}
		f, err := os.Open(filepath.Join(dir, "invoices.csv"))
		if err != nil {
			t.Fatal(err)
		}
		recs, err := csv.NewReader(f).ReadAll()
		f.Close()
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range recs[1:] {
			issued[r[0]] = calendar.MustParse(r[4])
		}
		late, early := 0, 0
		for _, p := range book.Payments {
			if !p.At.Before(limit) && !p.At.Equal(notAfter) {
				late++
			}
			if calendar.In(p.At, loc).Before(issued[p.Invoice]) {
				early++
			}
		}
		if late != 0 || early != 0 || len(book.Payments) < 500 {
			t.Errorf("not after %v: %d of %d payments after it, %d before their invoice's issue date", notAfter, late, len(book.Payments), early)
		}
	}
}
