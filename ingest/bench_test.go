package ingest_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/recoup/recoup/calendar"
	"github.com/recoup/recoup/demo"
	"github.com/recoup/recoup/ingest"
	"github.com/recoup/recoup/store/storetest"
)

// BenchmarkImportInvoicesSQLite imports 100k generated invoices into a fresh
// SQLite database per iteration and reports rows/s (target ≥ 100k rows/s).
func BenchmarkImportInvoicesSQLite(b *testing.B) {
	const invoices = 100_000
	dir := b.TempDir()
	if err := demo.Generate(dir, demo.Options{Customers: 5000, Invoices: invoices, Seed: 1, Today: calendar.MustParse("2026-06-01")}); err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	opts := ingest.Options{Company: company, Now: time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)}
	var elapsed time.Duration
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		s := storetest.SQLite(b)
		for _, k := range []string{"users", "customers"} {
			if _, err := ingest.File(ctx, s, k, filepath.Join(dir, k+".csv"), opts); err != nil {
				b.Fatal(err)
			}
		}
		b.StartTimer()
		start := time.Now()
		sum, err := ingest.File(ctx, s, "invoices", filepath.Join(dir, "invoices.csv"), opts)
		elapsed += time.Since(start)
		if err != nil || sum.Inserted != invoices {
			b.Fatalf("%v %+v", err, sum)
		}
	}
	b.ReportMetric(float64(invoices*b.N)/elapsed.Seconds(), "rows/s")
}
