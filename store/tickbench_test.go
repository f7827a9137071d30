package store_test

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/recoup/recoup/calendar"
	"github.com/recoup/recoup/engine"
	"github.com/recoup/recoup/store"
	"github.com/recoup/recoup/store/storetest"
)

// BenchmarkTick measures a full tick of the example pack over generated
// invoices (RECOUP_BENCH_INVOICES, default 1,000,000, ten per customer) on
// SQLite, next to a raw keyset scan of the same columns in the same run:
//
//	raw-scan  reads every invoice row by id ranges, nothing else
//	first     the first tick: evaluates and records every effect
//	replay    the same tick again: evaluates everything, records nothing
//	          (in the same process, as serve's next cron tick: what it
//	          kept from the tick before and is still valid is reused)
//	replay-new-store  the same on a store opened anew, as by a `recoup
//	          tick` started by an outside cron: nothing kept
//
// RECOUP_BENCH_DB reuses an existing database instead of generating one.
// Run with: make bench, or
// go test -run '^$' -bench Tick -benchtime 1x -timeout 60m ./store/
func BenchmarkTick(b *testing.B) {
	benchTick(b, storetest.SQLite)
}

// BenchmarkTickPostgres is BenchmarkTick on PostgreSQL (RECOUP_TEST_POSTGRES).
func BenchmarkTickPostgres(b *testing.B) {
	benchTick(b, storetest.Postgres)
}

func benchTick(b *testing.B, open func(testing.TB) *store.Store) {
	ctx := context.Background()
	url := os.Getenv("RECOUP_BENCH_DB")
	n := 1_000_000
	if v := os.Getenv("RECOUP_BENCH_INVOICES"); v != "" {
		n, _ = strconv.Atoi(v)
	}
	var s *store.Store
	if url == "" {
		s = open(b)
		start := time.Now()
		seedDemo(b, s, n/10, n, "2026-11-29")
		b.Logf("generated and imported %d invoices in %s", n, time.Since(start).Round(time.Second))
	} else {
		var err error
		if s, err = store.Open(ctx, url); err != nil {
			b.Fatal(err)
		}
		defer s.Close()
	}
	bundle := storetest.PublishExamples(b, s, "../rules-examples")
	at := time.Date(2026, 11, 29, 9, 0, 0, 0, shanghai)
	opts := engine.TickOptions{At: at, Location: shanghai}

	b.Run("raw-scan", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			rows := rawScan(b, s)
			b.ReportMetric(float64(rows), "invoices")
		}
	})
	b.Run("first", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			if i > 0 {
				b.Skip("the first tick runs once; see replay")
			}
			st, err := engine.RunTick(ctx, bundle, s, opts)
			if err != nil {
				b.Fatal(err)
			}
			b.ReportMetric(float64(st.Invoices), "invoices")
			b.ReportMetric(float64(st.Effects), "effects")
		}
	})
	b.Run("replay", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			st, err := engine.RunTick(ctx, bundle, s, opts)
			if err != nil {
				b.Fatal(err)
			}
			if st.Effects != 0 {
				b.Fatalf("replay recorded %d effects", st.Effects)
			}
			b.ReportMetric(float64(st.Invoices), "invoices")
			b.ReportMetric(float64(st.Rows), "rows-written")
		}
		b.ReportMetric(peakRSSMiB(), "peak-RSS-MiB")
	})
	b.Run("replay-new-store", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			b.StopTimer()
			fresh, err := store.Open(ctx, s.URL())
			if err != nil {
				b.Fatal(err)
			}
			b.StartTimer()
			st, err := engine.RunTick(ctx, bundle, fresh, opts)
			fresh.Close()
			if err != nil {
				b.Fatal(err)
			}
			if st.Effects != 0 {
				b.Fatalf("replay recorded %d effects", st.Effects)
			}
		}
	})
	// serve's next cron tick after a few payments: the aggregates of the
	// tick before, with the paid invoices' customers summed again (SQLite),
	// and, for comparison, all summed again.
	for _, v := range []struct {
		name   string
		sumAll bool
	}{{"after-payments", false}, {"after-payments-sum-all", true}} {
		b.Run(v.name, func(b *testing.B) {
			if v.sumAll {
				defer s.SetStatsPatchMax(s.SetStatsPatchMax(0))
			}
			for i := 0; i < b.N; i++ {
				b.StopTimer()
				payOpenInvoices(b, s, 1000, at.Add(-time.Hour))
				b.StartTimer()
				st, err := engine.RunTick(ctx, bundle, s, opts)
				if err != nil {
					b.Fatal(err)
				}
				b.ReportMetric(float64(st.Effects), "effects")
			}
		})
	}
}

// payOpenInvoices pays n open invoices in full at paidAt (payInFull).
func payOpenInvoices(b *testing.B, s *store.Store, n int, paidAt time.Time) {
	// Only invoices issued by then: a payment may not precede its invoice.
	rows, err := storetest.SQL(s).Query(storetest.Rebind(s, `SELECT number, balance_minor, currency FROM invoices
		WHERE balance_minor > 0 AND issue_date <= ? ORDER BY id LIMIT ?`), calendar.Of(paidAt), n)
	if err != nil {
		b.Fatal(err)
	}
	type owed struct {
		number, currency string
		balance          int64
	}
	var due []owed
	for rows.Next() {
		var o owed
		if err := rows.Scan(&o.number, &o.balance, &o.currency); err != nil {
			b.Fatal(err)
		}
		due = append(due, o)
	}
	if err := rows.Close(); err != nil {
		b.Fatal(err)
	}
	run := time.Now().UnixNano()
	for _, o := range due {
		payInFull(b, s, o.number, o.balance, o.currency, paidAt, fmt.Sprintf("bench-%d-%s", run, o.number))
	}
}

// rawScan reads the invoice columns a tick reads, by id ranges.
func rawScan(b *testing.B, s *store.Store) int {
	n := 0
	var lo int64 = 0
	for {
		rows, err := storetest.SQL(s).Query(storetest.Rebind(s, `SELECT id, number, customer_id, currency, amount_minor, balance_minor, paid_minor, payment_count,
			last_paid_at, issue_date, due_date, status, COALESCE(owner_id, 0), disputed, custom
			FROM invoices WHERE id > ? ORDER BY id LIMIT 2000`), lo)
		if err != nil {
			b.Fatal(err)
		}
		got := 0
		for rows.Next() {
			var (
				id, cust, amt, bal, paid, cnt, owner int64
				num, cur, status, custom             string
				issue, due                           any
				last                                 sql.NullTime
				disputed                             bool
			)
			if err := rows.Scan(&id, &num, &cust, &cur, &amt, &bal, &paid, &cnt, &last, &issue, &due, &status, &owner, &disputed, &custom); err != nil {
				b.Fatal(err)
			}
			lo = id
			got++
		}
		rows.Close()
		n += got
		if got == 0 {
			return n
		}
	}
}

// peakRSSMiB reads the process's peak resident set (VmHWM) on Linux.
func peakRSSMiB() float64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, _ := strconv.Atoi(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")))
			return float64(kb) / 1024
		}
	}
	return 0
}
