package store_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"reflect"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/recoup/recoup/calendar"
	"github.com/recoup/recoup/money"
	"github.com/recoup/recoup/store"
	"github.com/recoup/recoup/store/storetest"
)

// BenchmarkDashboard measures the dashboard's store call (GET
// /api/dashboard) over generated invoices (RECOUP_BENCH_INVOICES, default
// 1,000,000, ten per customer) on SQLite, with a workflow history written
// straight into the tables (seedHistory: stage entries in the effects
// ledger, call tasks with promises, director decisions with payment plans),
// because a first tick over 1M invoices takes far longer than the
// dashboard is worth measuring:
//
//	cold            figures computed from the summary tables (the cache
//	                emptied before each call, nothing written)
//	warm            figures served from the cache (data version unchanged)
//	after-payment   a payment recorded (untimed) before each call, on an
//	                invoice with stage entries and a promise: the figures
//	                and the promise sums are recomputed, as after any write
//	after-payment/team, …/region, …/currency, …/manager
//	                the same, filtered and role-scoped
//
// It then checks that the figures equal those computed from scratch (what
// every call cost before migration 00010) and logs how long that took.
//
// RECOUP_BENCH_DB names a database to reuse; when it holds no invoices it
// is generated and kept for the next run; it is always migrated (a
// database generated before migration 00010 gets its summary tables then,
// and the time that took is logged). Run with:
//
//	RECOUP_BENCH_INVOICES=200000 go test -run '^$' -bench '^BenchmarkDashboard$' -benchtime 3x -timeout 90m ./store/
func BenchmarkDashboard(b *testing.B) {
	benchDashboard(b, storetest.SQLite)
}

// BenchmarkDashboardPostgres is BenchmarkDashboard on PostgreSQL
// (RECOUP_TEST_POSTGRES), where nothing is cached: warm equals cold.
func BenchmarkDashboardPostgres(b *testing.B) {
	benchDashboard(b, storetest.Postgres)
}

func benchDashboard(b *testing.B, open func(testing.TB) *store.Store) {
	ctx := context.Background()
	n := 1_000_000
	if v := os.Getenv("RECOUP_BENCH_INVOICES"); v != "" {
		n, _ = strconv.Atoi(v)
	}
	const today = "2026-11-29"
	var s *store.Store
	if url := os.Getenv("RECOUP_BENCH_DB"); url != "" {
		var err error
		if s, err = store.Open(ctx, url); err != nil {
			b.Fatal(err)
		}
		defer s.Close()
	} else {
		s = open(b)
	}
	var have int
	if err := storetest.SQL(s).QueryRow("SELECT COUNT(*) FROM invoices").Scan(&have); err != nil {
		have = 0 // a new database
	}
	start := time.Now()
	if _, err := s.Migrate(ctx); err != nil {
		b.Fatal(err)
	}
	b.Logf("migrated in %s", time.Since(start).Round(time.Millisecond))
	if have == 0 {
		start := time.Now()
		seedDemo(b, s, n/10, n, today)
		b.Logf("generated and imported %d invoices in %s", n, time.Since(start).Round(time.Second))
		start = time.Now()
		seedHistory(b, s, calendar.MustParse(today))
		b.Logf("wrote the workflow history in %s", time.Since(start).Round(time.Second))
		if storetest.Dialect(s) == store.Postgres {
			// What autovacuum would have done by then: statistics, and the
			// visibility map that index-only scans rely on.
			if _, err := storetest.SQL(s).Exec("VACUUM ANALYZE"); err != nil {
				b.Fatal(err)
			}
		}
	}
	counts := map[string]int{}
	for _, q := range []struct{ name, sql string }{
		{"invoices", "SELECT COUNT(*) FROM invoices"},
		{"open", "SELECT COUNT(*) FROM invoices WHERE balance_minor > 0"},
		{"effects", "SELECT COUNT(*) FROM effects"},
		{"entries", "SELECT COUNT(*) FROM effects WHERE kind = 'node' AND key LIKE '%/entered#0'"},
		{"tasks", "SELECT COUNT(*) FROM tasks"},
		{"payments", "SELECT COUNT(*) FROM payments"},
	} {
		var c int
		if err := storetest.SQL(s).QueryRow(q.sql).Scan(&c); err != nil {
			b.Fatal(err)
		}
		counts[q.name] = c
	}
	b.Logf("rows: %v", counts)

	user := func(email string) int64 {
		var id int64
		if err := storetest.SQL(s).QueryRow(storetest.Rebind(s, "SELECT id FROM users WHERE email = ?"), email).Scan(&id); err != nil {
			b.Fatal(err)
		}
		return id
	}
	finance := store.Viewer{UserID: user("finance1@demo.recoup.test"), Role: store.RoleFinance}
	manager := store.Viewer{UserID: user("manager.east@demo.recoup.test"), Role: store.RoleSalesManager, Team: "east"}
	day := calendar.MustParse(today)
	now := time.Date(2026, 11, 29, 15, 0, 0, 0, shanghai)
	start = time.Now()
	if _, err := s.Dashboard(ctx, finance, store.DashboardFilter{}, day, now); err != nil {
		b.Fatal(err)
	}
	b.Logf("first dashboard (builds the promise and plan sums when new) in %s", time.Since(start).Round(time.Millisecond))

	// Invoices with stage entries and a promise, still owing: each
	// after-payment call follows a payment of one minor unit on the next.
	var paying []string
	rows, err := storetest.SQL(s).Query(`SELECT i.number FROM invoices i WHERE i.balance_minor > 100 AND i.id IN
		(SELECT t.invoice_id FROM tasks t WHERE t.status = 'done' AND CAST(t.outcome AS TEXT) LIKE '%promised_date%')
		AND i.id IN (SELECT e.invoice_id FROM effects e WHERE e.kind = 'node') ORDER BY i.id LIMIT 1000`)
	if err != nil {
		b.Fatal(err)
	}
	for rows.Next() {
		var number string
		if err := rows.Scan(&number); err != nil {
			b.Fatal(err)
		}
		paying = append(paying, number)
	}
	if err := rows.Close(); err != nil || len(paying) == 0 {
		b.Fatalf("no invoice to pay: %v", err)
	}
	payments, run := 0, time.Now().UnixNano() // references new to a reused database
	pay := func() {
		payments++
		number := paying[payments%len(paying)]
		var currency string
		if err := storetest.SQL(s).QueryRow(storetest.Rebind(s, "SELECT currency FROM invoices WHERE number = ?"), number).Scan(&currency); err != nil {
			b.Fatal(err)
		}
		at := now.Add(-time.Duration(payments) * time.Second)
		if _, err := s.RecordPayment(ctx, store.PaymentIn{Reference: fmt.Sprintf("BENCH-%d-%d", run, payments), Invoice: number,
			AmountMinor: 1, Currency: currency, PaidAt: at}, at); err != nil {
			b.Fatal(err)
		}
	}
	const (
		warm = iota
		cold
		afterPayment
	)
	bench := func(name string, v store.Viewer, f store.DashboardFilter, mode int) {
		b.Run(name, func(b *testing.B) {
			var d store.Dashboard
			var cpu time.Duration
			for i := 0; i < b.N; i++ {
				b.StopTimer()
				switch {
				case mode == cold:
					store.ResetDashboardCache(s)
				case mode == afterPayment:
					pay()
				case i == 0:
					if _, err := s.Dashboard(ctx, v, f, day, now); err != nil { // fill
						b.Fatal(err)
					}
				}
				b.StartTimer()
				c := cpuTime()
				var err error
				if d, err = s.Dashboard(ctx, v, f, day, now); err != nil {
					b.Fatal(err)
				}
				cpu += cpuTime() - c
			}
			b.ReportMetric(float64(b.Elapsed().Microseconds())/1000/float64(b.N), "ms/op")
			b.ReportMetric(float64(cpu.Microseconds())/1000/float64(b.N), "cpu-ms/op")
			var open int
			for _, r := range d.Aging {
				open += r.Invoices
			}
			b.ReportMetric(float64(open), "open-invoices")
			b.ReportMetric(float64(len(d.RecoveryByOwner)), "recovery-rows")
		})
	}
	bench("cold", finance, store.DashboardFilter{}, cold)
	bench("warm", finance, store.DashboardFilter{}, warm)
	bench("after-payment", finance, store.DashboardFilter{}, afterPayment)
	bench("after-payment/team", finance, store.DashboardFilter{Team: "east"}, afterPayment)
	bench("after-payment/region", finance, store.DashboardFilter{Region: "West"}, afterPayment)
	bench("after-payment/currency", finance, store.DashboardFilter{Currency: "USD"}, afterPayment)
	bench("after-payment/manager", manager, store.DashboardFilter{}, afterPayment)

	// The figures at this size equal those computed from scratch (which
	// is what the dashboard cost before migration 00010).
	for _, c := range []struct {
		v store.Viewer
		f store.DashboardFilter
	}{{finance, store.DashboardFilter{}}, {manager, store.DashboardFilter{Region: "East"}}} {
		got, err := s.Dashboard(ctx, c.v, c.f, day, now)
		if err != nil {
			b.Fatal(err)
		}
		start := time.Now()
		want, err := store.DashboardFromScratch(ctx, s, c.v, c.f, day, now)
		if err != nil {
			b.Fatal(err)
		}
		b.Logf("%s %+v from scratch in %s", c.v.Role, c.f, time.Since(start).Round(time.Millisecond))
		if !reflect.DeepEqual(got, want) {
			b.Fatalf("%s %+v: the summed figures differ from scratch:\n%s", c.v.Role, c.f, dashDiff(got, want))
		}
	}
}

// cpuTime is the CPU time (user and system) the process has used: the
// machine these run on is shared, so wall times vary with others' load.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// seedHistory writes, for the invoices s holds as of today, what daily
// ticks of the example escalation would have left behind, directly: the
// node entries (reminder at 1 day overdue, call at 8, review at 16,
// decision at 31; each with one more effect beside it, as actions leave),
// a call task per call entry (40 % done: half promised to pay within two
// weeks, a third of those with an amount; the rest unreachable), a
// manager's and a finance review task per review entry, and an approval
// per decision entry (25 % decided: a payment plan of 3 to 12 monthly
// installments from a week on). Open tasks of paid invoices are cancelled.
func seedHistory(t testing.TB, s *store.Store, today calendar.Date) {
	t.Helper()
	ctx := context.Background()
	type inv struct {
		id, amount, balance int64
		currency            string
		due                 calendar.Date
	}
	var invoices []inv
	rows, err := storetest.SQL(s).QueryContext(ctx, "SELECT id, amount_minor, balance_minor, currency, due_date FROM invoices ORDER BY id")
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var i inv
		if err := rows.Scan(&i.id, &i.amount, &i.balance, &i.currency, &i.due); err != nil {
			t.Fatal(err)
		}
		invoices = append(invoices, i)
	}
	if err := rows.Close(); err != nil {
		t.Fatal(err)
	}
	rnd := rand.New(rand.NewPCG(7, 11))
	at := func(d calendar.Date) time.Time { return d.Time(shanghai).Add(9 * time.Hour).UTC() }
	outcome := func(m map[string]any) string {
		b, _ := json.Marshal(m)
		return string(b)
	}
	w := &seedTx{t: t, s: s}
	effects := w.bulk("effects", "key", "at", "kind", "source", "invoice_id")
	tasks := w.bulk("tasks", "key", "kind", "title", "form", "role", "status", "outcome", "due_at", "invoice_id",
		"node", "source", "created_at", "updated_at", "completed_at")
	for _, i := range invoices {
		overdue := today.DaysSince(i.due)
		prefix := fmt.Sprintf("workflow/overdue-escalation/invoice/%d/1/", i.id)
		for _, st := range []struct {
			node string
			days int
		}{{"reminder", 1}, {"call", 8}, {"review", 16}, {"decision", 31}} {
			if overdue < st.days {
				break
			}
			entered := i.due.AddDays(st.days)
			source := "overdue-escalation/" + st.node
			effects.add(prefix+st.node+"/1/entered#0", at(entered), "node", source, i.id)
			effects.add(prefix+st.node+"/1#0", at(entered), "notify", source, i.id)
			created := at(entered)
			open := "open" // a paid invoice's open tasks were cancelled
			if i.balance <= 0 {
				open = "cancelled"
			}
			switch st.node {
			case "call":
				status, out, done := open, "{}", any(nil)
				if r, day := rnd.IntN(100), entered.AddDays(1+rnd.IntN(2)); r < 40 && !day.After(today) {
					status, done = "done", at(day).Add(time.Hour)
					if r < 20 {
						m := map[string]any{"outcome": "promised", "promised_date": day.AddDays(1 + rnd.IntN(14)).String()}
						if rnd.IntN(3) == 0 {
							m["promised_amount"] = money.FormatMinor(i.amount/2, i.currency) + " " + i.currency
						}
						out = outcome(m)
					} else {
						out = outcome(map[string]any{"outcome": "unreachable"})
					}
				}
				tasks.add(prefix+"call/1/task#0", "task", "Call", "call-outcome", "", status, out, at(entered.AddDays(2)), i.id,
					"call", source, created, created, done)
			case "review":
				for _, role := range []string{"sales_manager", "finance"} {
					tasks.add(prefix+"review/1#"+role, "task", "Review", "", role, open, "{}", at(entered.AddDays(2)), i.id,
						"review", source, created, created, nil)
				}
			case "decision":
				status, out, done := open, "{}", any(nil)
				if day := entered.AddDays(2); rnd.IntN(4) == 0 && !day.After(today) {
					status, done = "done", at(day).Add(time.Hour)
					out = outcome(map[string]any{"decision": "payment_plan", "installments": 3 + rnd.IntN(10),
						"first_installment_date": day.AddDays(7).String()})
				}
				tasks.add(prefix+"decision/1/approval#0", "approval", "Decide", "escalation-decision", "finance_director", status, out,
					at(entered.AddDays(3)), i.id, "decision", source, created, created, done)
			}
		}
	}
	effects.write()
	tasks.write()
	w.commit()
}

// bulk inserts rows into a table in multi-row statements, in the
// transaction it shares with the other bulks of a seedTx (committed every
// 50,000 rows).
type bulk struct {
	w     *seedTx
	table string
	cols  []string
	rows  [][]any
}

type seedTx struct {
	t  testing.TB
	s  *store.Store
	tx *sql.Tx
	n  int
}

func (w *seedTx) bulk(table string, cols ...string) *bulk {
	return &bulk{w: w, table: table, cols: cols}
}

func (b *bulk) add(vals ...any) {
	b.rows = append(b.rows, vals)
	if len(b.rows) == 500 {
		b.write()
	}
}

func (b *bulk) write() {
	w := b.w
	if len(b.rows) == 0 {
		return
	}
	var err error
	if w.tx == nil {
		if w.tx, err = storetest.SQL(w.s).Begin(); err != nil {
			w.t.Fatal(err)
		}
	}
	one := "(" + strings.TrimSuffix(strings.Repeat("?, ", len(b.cols)), ", ") + ")"
	q := "INSERT INTO " + b.table + " (" + strings.Join(b.cols, ", ") + ") VALUES " +
		strings.TrimSuffix(strings.Repeat(one+", ", len(b.rows)), ", ")
	args := make([]any, 0, len(b.rows)*len(b.cols))
	for _, r := range b.rows {
		args = append(args, r...)
	}
	if _, err := w.tx.Exec(storetest.Rebind(w.s, q), args...); err != nil {
		w.t.Fatalf("insert into %s: %v", b.table, err)
	}
	w.n += len(b.rows)
	b.rows = b.rows[:0]
	if w.n >= 50_000 {
		w.commit()
	}
}

func (w *seedTx) commit() {
	if w.tx != nil {
		if err := w.tx.Commit(); err != nil {
			w.t.Fatal(err)
		}
		w.tx, w.n = nil, 0
	}
}
