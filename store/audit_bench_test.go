package store_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/recoup/recoup/engine"
	"github.com/recoup/recoup/store"
	"github.com/recoup/recoup/store/storetest"
)

// BenchmarkTaskActions measures the task actions that write the audit log
// (a comment; a completion) one at a time, as the API does them, on
// SQLite: what the audit chain adds to each.
func BenchmarkTaskActions(b *testing.B) {
	benchTaskActions(b, storetest.SQLite)
}

// BenchmarkTaskActionsPostgres is BenchmarkTaskActions on PostgreSQL.
func BenchmarkTaskActionsPostgres(b *testing.B) {
	benchTaskActions(b, storetest.Postgres)
}

func benchTaskActions(b *testing.B, open func(testing.TB) *store.Store) {
	ctx := context.Background()
	s := open(b)
	seedDemo(b, s, 100, 1000, "2026-11-01")
	at := time.Date(2026, 11, 1, 9, 0, 0, 0, shanghai)
	if _, err := engine.RunTick(ctx, examples(b), s, engine.TickOptions{At: at, Location: shanghai}); err != nil {
		b.Fatal(err)
	}
	type task struct {
		id       int64
		key, who string
	}
	var tasks []task
	rows, err := storetest.SQL(s).Query(`SELECT t.id, t.key, u.email FROM tasks t JOIN users u ON u.id = t.assignee_id WHERE t.status = 'open' ORDER BY t.id`)
	if err != nil {
		b.Fatal(err)
	}
	for rows.Next() {
		var t task
		rows.Scan(&t.id, &t.key, &t.who)
		tasks = append(tasks, t)
	}
	rows.Close()
	if len(tasks) < 10 {
		b.Fatalf("%d open tasks", len(tasks))
	}
	now := at.Add(time.Hour)
	b.Run("comment", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			t := tasks[i%len(tasks)]
			if _, err := s.CommentTask(ctx, t.id, t.who, fmt.Sprintf("note %d", i), now); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("complete", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			t := tasks[i%len(tasks)]
			if i%len(tasks) == 0 {
				b.StopTimer()
				if _, err := storetest.SQL(s).Exec("UPDATE tasks SET status = 'open', completed_at = NULL, completed_by = NULL, outcome = '{}' WHERE status = 'done'"); err != nil {
					b.Fatal(err)
				}
				b.StartTimer()
			}
			n, err := s.CompleteTasks(ctx, []store.TaskCompletion{{Key: t.key, Outcome: map[string]any{"outcome": "done", "i": i}, By: t.who, At: now}})
			if err != nil || n != 1 {
				b.Fatalf("completing %s: %d %v", t.key, n, err)
			}
		}
	})
}
