package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/recoup/recoup/engine"
	"github.com/recoup/recoup/store"
	"github.com/recoup/recoup/store/storetest"
)

// TestTickSupersede: ticked daily, no invoice ever holds open work of a
// stage its escalation has left (issue 16 §9); each superseded task is
// closed once, by a ledger entry, and a replayed tick closes nothing again.
// The first tick creates only the current stage's work.
func TestTickSupersede(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		b := examples(t)
		seedDemo(t, s, 30, 300, "2026-11-01")
		count := func(q string) int {
			t.Helper()
			var n int
			if err := storetest.SQL(s).QueryRow(q).Scan(&n); err != nil {
				t.Fatal(err)
			}
			return n
		}
		const stale = `SELECT COUNT(*) FROM tasks t JOIN workflow_instances w ON w.id = t.instance_id
			WHERE t.status = 'open' AND t.node <> w.node`
		for day := 1; day <= 40; day++ {
			at := time.Date(2026, 11, 1, 9, 0, 0, 0, shanghai).AddDate(0, 0, day-1)
			opts := engine.TickOptions{At: at, Location: shanghai, BatchSize: 11}
			if _, err := engine.RunTick(ctx, b, s, opts); err != nil {
				t.Fatal(err)
			}
			if day == 1 {
				// one stage per invoice: at most the two review tasks
				if n := count(`SELECT COUNT(*) FROM (SELECT invoice_id FROM tasks GROUP BY invoice_id HAVING COUNT(*) > 2) x`); n != 0 {
					t.Errorf("first tick: %d invoices with more than one stage's work", n)
				}
				if n := count(`SELECT COUNT(*) FROM effects WHERE kind = 'node' AND key LIKE '%/skipped#0' AND detail ->> 'reason' = 'placed'`); n == 0 {
					t.Error("first tick: no stage skipped at placement")
				}
			}
			if n := count(stale); n != 0 {
				t.Fatalf("day %d: %d open tasks of a stage left behind", day, n)
			}
			again, err := engine.RunTick(ctx, b, s, opts)
			if err != nil {
				t.Fatal(err)
			}
			if again.Effects != 0 {
				t.Fatalf("day %d replayed: %d effects", day, again.Effects)
			}
		}
		superseded := count(`SELECT COUNT(*) FROM effects WHERE kind = 'task_cancelled' AND key LIKE '%/superseded#%'`)
		if superseded == 0 {
			t.Fatal("no task superseded in 40 days")
		}
		// every superseded task is cancelled, and one ledger entry each
		if n := count(`SELECT COUNT(*) FROM tasks t WHERE t.status = 'cancelled' AND EXISTS (SELECT 1 FROM effects e
			WHERE e.kind = 'task_cancelled' AND e.key LIKE '%/superseded#%' AND e.detail ->> 'task' = t.key)`); n != superseded {
			t.Errorf("%d superseded effects, %d tasks cancelled by them", superseded, n)
		}
	})
}
