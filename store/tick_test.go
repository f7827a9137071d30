package store_test

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/recoup/recoup/calendar"
	"github.com/recoup/recoup/demo"
	"github.com/recoup/recoup/engine"
	"github.com/recoup/recoup/store"
	"github.com/recoup/recoup/store/storetest"
)

var shanghai, _ = time.LoadLocation("Asia/Shanghai")

// seedDemo imports generated demo data as of today into s.
func seedDemo(t testing.TB, s *store.Store, customers, invoices int, today string) {
	t.Helper()
	storetest.SeedDemo(t, s, demo.Options{Customers: customers, Invoices: invoices, Seed: 5, Today: calendar.MustParse(today), Zone: shanghai},
		engine.Company{Name: "T", TimeZone: "Asia/Shanghai", Currency: "CNY", TickTime: "09:00"})
}

func examples(t testing.TB) *engine.Bundle {
	t.Helper()
	b, err := engine.LoadPaths("../rules-examples")
	if err != nil {
		t.Fatalf("loading rules-examples: %v", err)
	}
	return b
}

// payInFull records a payment of an invoice's whole balance at paidAt.
func payInFull(t testing.TB, s *store.Store, number string, balance int64, currency string, paidAt time.Time, ref string) {
	t.Helper()
	if _, err := s.RecordPayment(context.Background(), store.PaymentIn{Reference: ref, Invoice: number, AmountMinor: balance,
		Currency: currency, PaidAt: paidAt}, paidAt); err != nil {
		t.Fatalf("paying %s: %v", number, err)
	}
}

// tableCounts counts the rows of every table a tick writes.
func tableCounts(t testing.TB, s *store.Store) map[string]int {
	t.Helper()
	out := map[string]int{}
	for _, table := range []string{"effects", "rule_fires", "rule_conditions", "tasks", "outbox", "fees"} {
		var n int
		if err := storetest.SQL(s).QueryRow("SELECT COUNT(*) FROM " + table).Scan(&n); err != nil {
			t.Fatal(err)
		}
		out[table] = n
	}
	return out
}

func TestTickReplayWritesNothing(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		seedDemo(t, s, 40, 400, "2026-11-29")
		b := examples(t)
		at := time.Date(2026, 11, 29, 9, 0, 0, 0, shanghai)
		// Nothing is open yet: the tick evaluates the owed invoices.
		var owed int
		storetest.SQL(s).QueryRow("SELECT COUNT(*) FROM invoices WHERE balance_minor > 0").Scan(&owed)
		first, err := engine.RunTick(ctx, b, s, engine.TickOptions{At: at, Location: shanghai, BatchSize: 7})
		if err != nil {
			t.Fatal(err)
		}
		if first.Invoices != owed || owed == 400 || first.Effects == 0 || first.States == 0 || first.Tasks == 0 {
			t.Fatalf("first tick: %+v (%d of the 400 invoices owed)", first.BatchStats, owed)
		}
		before := tableCounts(t, s)
		if before["effects"] != first.Effects {
			t.Fatalf("ledger has %d effects, tick reported %d", before["effects"], first.Effects)
		}
		again, err := engine.RunTick(ctx, b, s, engine.TickOptions{At: at, Location: shanghai, BatchSize: 13})
		if err != nil {
			t.Fatal(err)
		}
		if first.Rows < first.Effects {
			t.Fatalf("first tick counted %d rows written for %d effects", first.Rows, first.Effects)
		}
		if again.Effects != 0 || again.States != 0 || again.Tasks != 0 || again.Outbox != 0 || again.Rows != 0 {
			t.Fatalf("replayed tick wrote %+v", again.BatchStats)
		}
		if after := tableCounts(t, s); !equalCounts(before, after) {
			t.Fatalf("replay changed rows: %v → %v", before, after)
		}
		// Overdue invoices were marked, each state change recorded once.
		var overdue, marked int
		storetest.SQL(s).QueryRow("SELECT COUNT(*) FROM invoices WHERE status = 'overdue'").Scan(&overdue)
		storetest.SQL(s).QueryRow("SELECT COUNT(*) FROM effects WHERE kind = 'set' AND field = 'invoice.status' AND value = 'overdue'").Scan(&marked)
		if overdue == 0 || overdue != marked {
			t.Fatalf("%d overdue invoices, %d overdue effects", overdue, marked)
		}
	})
}

// TestTickDryRunWritesNothing checks that a dry run reports what a real
// tick then does, and writes nothing itself.
func TestTickDryRunMatchesRealRun(t *testing.T) {
	t.Parallel()
	s := storetest.SQLite(t)
	ctx := context.Background()
	seedDemo(t, s, 30, 200, "2026-11-29")
	b := examples(t)
	at := time.Date(2026, 11, 29, 9, 0, 0, 0, shanghai)
	var dry, real []string
	_, err := engine.RunTick(ctx, b, s, engine.TickOptions{At: at, Location: shanghai, DryRun: true,
		OnEffect: func(e engine.TickEffect) { dry = append(dry, store.LedgerKey(e.Effect)) }})
	if err != nil {
		t.Fatal(err)
	}
	if n := tableCounts(t, s)["effects"]; n != 0 {
		t.Fatalf("dry run wrote %d effects", n)
	}
	_, err = engine.RunTick(ctx, b, s, engine.TickOptions{At: at, Location: shanghai,
		OnEffect: func(e engine.TickEffect) {
			if e.New {
				real = append(real, store.LedgerKey(e.Effect))
			}
		}})
	if err != nil {
		t.Fatal(err)
	}
	if len(dry) == 0 || len(dry) != len(real) {
		t.Fatalf("dry run %d effects, real run %d", len(dry), len(real))
	}
	for i := range dry {
		if dry[i] != real[i] {
			t.Fatalf("effect %d: dry %s, real %s", i, dry[i], real[i])
		}
	}
}

func equalCounts(a, b map[string]int) bool {
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return len(a) == len(b)
}

// TestTickReplicasOnPostgres runs three replicas of the same scheduled ticks
// at once, day after day: they share the batches and record exactly what one
// process alone records.
func TestTickReplicasOnPostgres(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	url := storetest.PostgresURL(t)
	refURL := storetest.PostgresURL(t)
	var replicas []*store.Store
	for i := 0; i < 3; i++ {
		s, err := store.Open(ctx, url)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		replicas = append(replicas, s)
	}
	if _, err := replicas[0].Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	ref, err := store.Open(ctx, refURL)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ref.Close() })
	if _, err := ref.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	seedDemo(t, replicas[0], 60, 600, "2026-11-20")
	seedDemo(t, ref, 60, 600, "2026-11-20")
	b := examples(t)
	for day := 20; day <= 29; day++ {
		at := time.Date(2026, 11, day, 9, 0, 0, 0, shanghai)
		slot := "daily/" + at.Format("2006-01-02")
		if _, err := engine.RunTick(ctx, b, ref, engine.TickOptions{At: at, Location: shanghai, Slot: slot, BatchSize: 2}); err != nil {
			t.Fatal(err)
		}
		errs := make(chan error, len(replicas))
		for i, s := range replicas {
			go func() {
				_, err := engine.RunTick(ctx, b, s, engine.TickOptions{At: at, Location: shanghai, Slot: slot, BatchSize: 2, Worker: fmt.Sprintf("replica-%d", i)})
				errs <- err
			}()
		}
		for range replicas {
			if err := <-errs; err != nil {
				t.Fatalf("%s: %v", slot, err)
			}
		}
	}
	if got, want := storetest.Ledger(t, replicas[0]), storetest.Ledger(t, ref); got != want {
		t.Fatalf("replicas recorded something else than one process:\n%s", storetest.DiffLines(want, got))
	}
	var ticks, workers, pending int
	storetest.SQL(replicas[0]).QueryRow("SELECT COUNT(*) FROM ticks WHERE status = 'done'").Scan(&ticks)
	storetest.SQL(replicas[0]).QueryRow("SELECT COUNT(DISTINCT worker) FROM tick_batches").Scan(&workers)
	storetest.SQL(replicas[0]).QueryRow("SELECT COUNT(*) FROM tick_batches WHERE status <> 'done'").Scan(&pending)
	if ticks != 10 || pending != 0 {
		t.Fatalf("%d ticks done (want 10, one per slot), %d batches not done", ticks, pending)
	}
	if workers < 2 {
		t.Fatalf("only %d replica(s) claimed batches: the work was not shared", workers)
	}
	// Each tick's stats count what every replica recorded for it, and
	// as many invoices evaluated as by the single process.
	tickStats := func(s *store.Store) map[string]engine.TickStats {
		rows, err := storetest.SQL(s).Query(`SELECT t.slot, t.stats, (SELECT COUNT(*) FROM effects e WHERE e.tick_id = t.id) FROM ticks t`)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		out := map[string]engine.TickStats{}
		for rows.Next() {
			var slot, raw string
			var recorded int
			if err := rows.Scan(&slot, &raw, &recorded); err != nil {
				t.Fatal(err)
			}
			var st engine.TickStats
			if err := json.Unmarshal([]byte(raw), &st); err != nil {
				t.Fatal(err)
			}
			if st.Effects != recorded {
				t.Errorf("tick %s: stats say %d effects; the ledger has %d", slot, st.Effects, recorded)
			}
			out[slot] = st
		}
		return out
	}
	want := tickStats(ref)
	for slot, st := range tickStats(replicas[0]) {
		if w := want[slot]; st.Invoices != w.Invoices || st.Invoices == 0 {
			t.Errorf("tick %s: the replicas evaluated %d invoices, one process %d", slot, st.Invoices, w.Invoices)
		}
	}
}

// TestPaymentStopsWorkflow: the escalation runs, then a payment in full
// stops it at the next tick and cancels its open tasks at once.
func TestPaymentStopsWorkflow(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		seedDemo(t, s, 30, 200, "2026-11-01")
		b := examples(t)
		tick := func(day int) engine.TickStats {
			st, err := engine.RunTick(ctx, b, s, engine.TickOptions{At: time.Date(2026, 11, day, 9, 0, 0, 0, shanghai), Location: shanghai})
			if err != nil {
				t.Fatal(err)
			}
			return st
		}
		for day := 1; day <= 20; day++ {
			tick(day)
		}
		// An invoice whose escalation has open tasks, one of them already
		// escalated: a tick reads such a task only once its instance ends.
		var number string
		var id, balance int64
		var currency string
		err := storetest.SQL(s).QueryRow(`SELECT i.number, i.id, i.balance_minor, i.currency FROM invoices i
			JOIN workflow_instances w ON w.invoice_id = i.id AND w.status = 'running'
			WHERE EXISTS (SELECT 1 FROM tasks t WHERE t.invoice_id = i.id AND t.status = 'open' AND t.instance_id IS NOT NULL AND t.escalated_at IS NOT NULL)
			ORDER BY i.id LIMIT 1`).Scan(&number, &id, &balance, &currency)
		if err != nil {
			t.Fatalf("no running escalation with open tasks: %v", err)
		}
		payInFull(t, s, number, balance, currency, time.Date(2026, 11, 20, 12, 0, 0, 0, shanghai), "STOP-1")
		tick(21)
		var status string
		var open, cancelled int
		storetest.SQL(s).QueryRow(storetest.Rebind(s, "SELECT status FROM workflow_instances WHERE invoice_id = ?"), id).Scan(&status)
		storetest.SQL(s).QueryRow(storetest.Rebind(s, "SELECT COUNT(*) FROM tasks WHERE invoice_id = ? AND instance_id IS NOT NULL AND status = 'open'"), id).Scan(&open)
		storetest.SQL(s).QueryRow(storetest.Rebind(s, "SELECT COUNT(*) FROM tasks WHERE invoice_id = ? AND status = 'cancelled'"), id).Scan(&cancelled)
		if status != "stopped" || open != 0 || cancelled == 0 {
			t.Fatalf("after payment: instance %q, %d open tasks, %d cancelled; want stopped, 0, >0", status, open, cancelled)
		}
		// Nothing more happens to it: no notification after payment.
		var after int
		tick(25)
		storetest.SQL(s).QueryRow(storetest.Rebind(s, "SELECT COUNT(*) FROM outbox WHERE invoice_id = ? AND created_at > ?"), id, time.Date(2026, 11, 20, 4, 0, 0, 0, time.UTC)).Scan(&after)
		if after != 0 {
			t.Fatalf("%d notifications after the payment", after)
		}
	})
}

// TestCatchUpAfterMissedDays: a server down for days moves each escalation
// to the node it should be in now, like one that never stopped, and sends
// no stale reminder (the reminder node is catch_up: skip).
func TestCatchUpAfterMissedDays(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		b := examples(t)
		tick := func(s *store.Store, day int) {
			if _, err := engine.RunTick(ctx, b, s, engine.TickOptions{At: time.Date(2026, 11, day, 9, 0, 0, 0, shanghai), Location: shanghai}); err != nil {
				t.Fatal(err)
			}
		}
		nodes := func(s *store.Store) map[int64]string {
			rows, err := storetest.SQL(s).Query("SELECT invoice_id, node || ' ' || status FROM workflow_instances")
			if err != nil {
				t.Fatal(err)
			}
			defer rows.Close()
			out := map[int64]string{}
			for rows.Next() {
				var id int64
				var n string
				rows.Scan(&id, &n)
				out[id] = n
			}
			return out
		}
		// The same data ticked every day, in a database of its own.
		ref := storetest.SQLite(t)
		seedDemo(t, ref, 30, 200, "2026-11-01")
		seedDemo(t, s, 30, 200, "2026-11-01")
		for day := 1; day <= 25; day++ {
			tick(ref, day)
		}
		tick(s, 1)
		tick(s, 25) // down from the 2nd to the 24th
		want, got := nodes(ref), nodes(s)
		if len(want) == 0 || len(got) != len(want) {
			t.Fatalf("%d instances after the gap, %d ticking daily", len(got), len(want))
		}
		for id, n := range want {
			if got[id] != n {
				t.Errorf("invoice %d: %q after the gap, %q ticking daily", id, got[id], n)
			}
		}
		// Reminders are for 1-7 days overdue: none after the gap to an
		// invoice more than 7 days overdue by then (due before the 18th).
		var stale, skipped int
		storetest.SQL(s).QueryRow(storetest.Rebind(s, `SELECT COUNT(*) FROM outbox o JOIN invoices i ON i.id = o.invoice_id
			WHERE o.template LIKE 'reminder%' AND o.created_at > ? AND i.due_date < ?`), time.Date(2026, 11, 2, 0, 0, 0, 0, time.UTC), "2026-11-18").Scan(&stale)
		storetest.SQL(s).QueryRow("SELECT COUNT(*) FROM effects WHERE kind = 'node' AND key LIKE '%/reminder/%/skipped#0'").Scan(&skipped)
		if stale != 0 {
			t.Errorf("%d stale reminders sent after the gap", stale)
		}
		if skipped == 0 {
			t.Error("no reminder node recorded as skipped")
		}
	})
}

// TestTickTakesOverDeadWorkersBatch: a replica claims a batch of a shared
// tick and dies; another replica of the same tick waits for the lease to
// run out, takes the batch over and finishes the tick, recording exactly
// what an undisturbed tick records. (PostgreSQL: shared ticks are for
// replicas; there batches are by customer, so their order does not matter.)
func TestTickTakesOverDeadWorkersBatch(t *testing.T) {
	defer store.SetBatchLease(time.Second)()
	func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		seedDemo(t, s, 20, 100, "2026-11-29")
		ref := storetest.Postgres(t)
		seedDemo(t, ref, 20, 100, "2026-11-29")
		b := examples(t)
		at := time.Date(2026, 11, 29, 9, 0, 0, 0, shanghai)
		opts := engine.TickOptions{At: at, Location: shanghai, Slot: "cron/test", BatchSize: 3, Worker: "live"}
		if _, err := engine.RunTick(ctx, b, ref, opts); err != nil {
			t.Fatal(err)
		}
		run, err := s.BeginTick(ctx, opts)
		if err != nil {
			t.Fatal(err)
		}
		if dead, err := s.ClaimBatch(ctx, run, "dead"); err != nil || dead == nil {
			t.Fatalf("claim: %v %v", dead, err)
		}
		start := time.Now()
		if _, err := engine.RunTick(ctx, b, s, opts); err != nil {
			t.Fatal(err)
		}
		if waited := time.Since(start); waited < time.Second {
			t.Fatalf("finished in %s without waiting for the dead worker's lease", waited)
		}
		var status string
		storetest.SQL(s).QueryRow("SELECT status FROM ticks WHERE slot = 'cron/test'").Scan(&status)
		if status != "done" {
			t.Fatalf("tick %s, want done", status)
		}
		if got, want := storetest.Ledger(t, s), storetest.Ledger(t, ref); got != want {
			t.Fatalf("after the takeover:\n%s", storetest.DiffLines(want, got))
		}
	}(t, storetest.Postgres(t))
}

// TestDryRunCompare: a dry run that evaluates a second bundle on the same
// reads (a draft's preview) reports for it exactly what a dry run of that
// bundle alone reports, customer changes across batches included.
func TestDryRunCompare(t *testing.T) {
	t.Parallel()
	// A draft that raises risk further than the published rule (both
	// change the customer), and one that changes no customer at all (the
	// risk rules disabled or left out: only the published bundle changes
	// customers, and the draft must still see them as loaded).
	for name, edit := range map[string][3]string{
		"higher":   {"set: {customer.risk: medium}", "set: {customer.risk: high}", ""},
		"disabled": {"priority: 90\n  refire: rising_edge", "priority: 90\n  enabled: false\n  refire: rising_edge", "risk-tiers.yaml"},
	} {
		t.Run(name, func(t *testing.T) { testDryRunCompare(t, edit[0], edit[1], edit[2]) })
	}
}

func testDryRunCompare(t *testing.T, from, to, drop string) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		seedDemo(t, s, 40, 400, "2026-11-29")
		srcs, err := engine.ReadPaths("../rules-examples")
		if err != nil {
			t.Fatal(err)
		}
		changed := 0
		kept := srcs[:0]
		for _, src := range srcs {
			if filepath.Base(src.Name) == "source-rules.yaml" && strings.Count(string(src.Data), from) == 1 {
				src.Data = []byte(strings.Replace(string(src.Data), from, to, 1))
				changed++
			}
			if filepath.Base(src.Name) != drop {
				kept = append(kept, src)
			}
		}
		srcs = kept
		if changed != 1 {
			t.Fatalf("source-rules.yaml has no %q: update the test", from)
		}
		// The draft also shows which customers it sees at medium risk.
		srcs = append(srcs, engine.Source{Name: "risk-seen.yaml", Data: []byte(`apiVersion: recoup/v1
kind: Rule
metadata: {name: risk-seen}
spec:
  on: invoice
  priority: 10
  when: customer.risk == "medium" && invoice.balance > 0
  then:
    - set: {invoice.custom.risk_seen: medium}
`)})
		draft, err := engine.LoadSources(srcs...)
		if err != nil {
			t.Fatal(err)
		}
		published := examples(t)
		at := time.Date(2026, 11, 29, 9, 0, 0, 0, shanghai)
		collect := func(into map[string]string) func(engine.TickEffect) {
			return func(e engine.TickEffect) {
				into[store.LedgerKey(e.Effect)] = e.Field + "=" + e.Value + " " + e.Title + " " + e.To
			}
		}
		alone, mine, compared := map[string]string{}, map[string]string{}, map[string]string{}
		opts := engine.TickOptions{At: at, Location: shanghai, DryRun: true, BatchSize: 37}
		o := opts
		o.OnEffect = collect(alone)
		if _, err := engine.RunTick(ctx, draft, s, o); err != nil {
			t.Fatal(err)
		}
		o = opts
		o.OnEffect, o.Compare, o.OnCompareEffect = collect(mine), draft, collect(compared)
		if _, err := engine.RunTick(ctx, published, s, o); err != nil {
			t.Fatal(err)
		}
		if fmt.Sprint(alone) != fmt.Sprint(compared) {
			n := 0
			for k, v := range alone {
				if compared[k] != v && n < 5 {
					n++
					t.Errorf("alone %s: %q, compared: %q", k, v, compared[k])
				}
			}
			for k, v := range compared {
				if alone[k] != v && n < 10 {
					n++
					t.Errorf("compared %s: %q, alone: %q", k, v, alone[k])
				}
			}
			t.Fatalf("compared bundle: %d effects, alone: %d", len(compared), len(alone))
		}
		if fmt.Sprint(mine) == fmt.Sprint(compared) {
			t.Fatal("the two bundles produced the same effects: the test proves nothing")
		}
	})
}
