package store_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/recoup/recoup/engine"
	"github.com/recoup/recoup/store"
	"github.com/recoup/recoup/store/storetest"
)

// TestCompleteCallTask: a call outcome is validated with every field error
// at once, recorded with an audit entry, and routes the workflow at once:
// a promise makes the instance wait until the promised date.
func TestCompleteCallTask(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		seedDemo(t, s, 30, 200, "2026-11-01")
		b := examples(t)
		at := time.Date(2026, 11, 1, 9, 0, 0, 0, shanghai)
		if _, err := engine.RunTick(ctx, b, s, engine.TickOptions{At: at, Location: shanghai}); err != nil {
			t.Fatal(err)
		}
		tasks, err := s.Tasks(ctx, store.TaskFilter{Status: "open", Limit: 1000})
		if err != nil {
			t.Fatal(err)
		}
		var call store.TaskSummary
		for _, task := range tasks {
			if strings.Contains(task.Key, "/call/") && strings.HasSuffix(task.Key, "/task#0") {
				call = task
				break
			}
		}
		if call.Key == "" {
			t.Fatal("no open call task after the first tick")
		}
		clock := engine.Clock{Now: at.Add(2 * time.Hour), Location: shanghai}

		for _, c := range []struct {
			values map[string]any
			want   string
		}{
			{map[string]any{"outcome": "promised", "colour": "red"}, "invalid submission: colour: unknown field; promised_date: is required"},
			{map[string]any{"outcome": "promised", "promised_date": "2026-10-01"}, "invalid submission: promised_date: The promised date cannot be in the past"},
		} {
			_, err = engine.CompleteTask(ctx, b, s, call.Key, c.values, call.Assignee, clock, "en")
			var fe engine.FormErrors
			if !errors.As(err, &fe) || fe.Error() != c.want {
				t.Fatalf("submission %v:\n got %v\nwant %s", c.values, err, c.want)
			}
		}

		st, err := engine.CompleteTask(ctx, b, s, call.Key, map[string]any{"outcome": "promised", "promised_date": "2026-11-10", "notes": "pays next week"}, call.Assignee, clock, "en")
		if err != nil {
			t.Fatal(err)
		}
		if st.Effects == 0 || st.Errors != 0 {
			var msg string
			storetest.SQL(s).QueryRow("SELECT source || ': ' || value FROM effects WHERE kind = 'error'").Scan(&msg)
			t.Fatalf("completing the call routed nothing: %+v %s", st, msg)
		}
		var status, state string
		storetest.SQL(s).QueryRow(storetest.Rebind(s, `SELECT w.status, w.state FROM workflow_instances w JOIN tasks t ON t.instance_id = w.id WHERE t.key = ?`), call.Key).Scan(&status, &state)
		if status != "waiting" || !strings.Contains(strings.ReplaceAll(state, " ", ""), `"wait_day":"2026-11-10"`) {
			t.Fatalf("after the promise the instance is %s: %s", status, state)
		}
		var audits int
		storetest.SQL(s).QueryRow("SELECT COUNT(*) FROM audit_log WHERE action = 'task.completed'").Scan(&audits)
		if audits != 1 {
			t.Fatalf("%d audit entries, want 1", audits)
		}
		if _, err := engine.CompleteTask(ctx, b, s, call.Key, map[string]any{"outcome": "refused"}, call.Assignee, clock, "en"); !errors.Is(err, engine.ErrTaskNotOpen) {
			t.Fatalf("completing twice: %v, want ErrTaskNotOpen", err)
		}
		if _, err := engine.CompleteTask(ctx, b, s, "no/such/task", nil, call.Assignee, clock, "en"); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("unknown task: %v, want ErrNotFound", err)
		}
	})
}
