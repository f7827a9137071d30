package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/recoup/recoup/engine"
	"github.com/recoup/recoup/store"
	"github.com/recoup/recoup/store/storetest"
)

// TestDueTasksReadEitherWay: a tick finds the workflow tasks an SLA may
// escalate by due time when few are due, and among the batch's open tasks
// otherwise. Over a month of daily ticks, with SLAs running out on many
// tasks, both ways record exactly the same.
func TestDueTasksReadEitherWay(t *testing.T) {
	storetest.EachDialect(t, func(t *testing.T, fresh func(testing.TB) string) {
		ctx := context.Background()
		open := func() *store.Store {
			s := storetest.Open(t, fresh(t))
			seedDemo(t, s, 30, 240, "2026-11-01")
			return s
		}
		byDue, byRange := open(), open()
		byDue.SetFewDueTasks(1 << 30)
		byRange.SetFewDueTasks(-1)
		pack := storetest.PublishExamples(t, byDue, "../rules-examples")
		storetest.PublishExamples(t, byRange, "../rules-examples")
		for day := 1; day <= 30; day++ {
			o := engine.TickOptions{At: time.Date(2026, 11, day, 9, 0, 0, 0, shanghai), Location: shanghai, BatchSize: 40}
			for _, s := range []*store.Store{byDue, byRange} {
				if _, err := engine.RunTick(ctx, pack, s, o); err != nil {
					t.Fatalf("day %d: %v", day, err)
				}
			}
		}
		var escalated int
		if err := storetest.SQL(byDue).QueryRow(`SELECT COUNT(*) FROM tasks WHERE escalated_at IS NOT NULL`).Scan(&escalated); err != nil {
			t.Fatal(err)
		}
		if escalated < 10 {
			t.Fatalf("only %d tasks escalated: the test does not exercise what it is for", escalated)
		}
		if got, want := ledger(t, byDue), ledger(t, byRange); got != want {
			t.Fatalf("reading due tasks by due time changed what was recorded:\n%s", storetest.DiffLines(want, got))
		}
	})
}
