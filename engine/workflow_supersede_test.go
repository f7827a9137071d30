package engine_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/recoup/recoup/engine"
)

// stagesWorkflow has a task stage, an approval stage and a last task
// stage, a day apart; KEEP is replaced by the test.
const stagesWorkflow = `apiVersion: recoup/v1
kind: Workflow
metadata: {name: timers}
spec:
  on: invoice
  start_when: invoice.custom.go == "yes"
  nodes:
    - name: a
      KEEP_A
      task: {role: finance, title: {en: A}, form: ok}
    - name: b
      after: 1d
      CATCH_B
      approval: {role: finance_director, title: {en: B}, form: ok}
    - name: c
      after: 1d
      task: {role: finance, title: {en: C}, form: ok}
---
apiVersion: recoup/v1
kind: Form
metadata: {name: ok}
spec:
  fields:
    - {name: outcome, type: enum, required: true, options: [{value: fine}]}
`

func stagesWorld(t *testing.T, keepA, catchB string) *timerWorld {
	src := strings.NewReplacer("KEEP_A", keepA, "CATCH_B", catchB).Replace(stagesWorkflow)
	w := newTimerWorld(t, src)
	w.s.Invoice.Custom["go"] = "yes"
	return w
}

func TestWorkflowSupersede(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name          string
		keepA, catchB string
		days          []int
		want          []string // the last day's task effects
	}{
		{
			name: "moving on supersedes the stage's task",
			days: []int{1, 2},
			want: []string{"task_cancelled a  1/a/1/task/superseded#0", "approval b  1/b/1/approval#0"},
		},
		{
			name: "and the next stage supersedes the approval",
			days: []int{1, 2, 3},
			want: []string{"task_cancelled b  1/b/1/approval/superseded#0", "task c  1/c/1/task#0"},
		},
		{
			name:  "keep_open keeps it",
			keepA: "keep_open: true",
			days:  []int{1, 2, 3},
			want:  []string{"task_cancelled b  1/b/1/approval/superseded#0", "task c  1/c/1/task#0"},
		},
		{
			name:   "catch-up fires a passed stage without its approval",
			catchB: "catch_up: fire",
			days:   []int{1, 3},
			want:   []string{"task_cancelled a  1/a/1/task/superseded#0", "task c  1/c/1/task#0"},
		},
		{
			name:   "unless it keeps its work open",
			catchB: "catch_up: fire\n      keep_open: true",
			days:   []int{1, 3},
			want:   []string{"approval b  1/b/1/approval#0", "task_cancelled a  1/a/1/task/superseded#0", "task c  1/c/1/task#0"},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			w := stagesWorld(t, tc.keepA, tc.catchB)
			var got []string
			for _, d := range tc.days {
				got = got[:0]
				for _, line := range w.tick(d) {
					if !strings.HasPrefix(line, "node") {
						got = append(got, line)
					}
				}
				w.cancelled()
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("day %d:\n got %q\nwant %q", tc.days[len(tc.days)-1], got, tc.want)
			}
			// the same tick again adds nothing (its keys are in the ledger)
			if again := w.tick(tc.days[len(tc.days)-1]); len(again) != 0 {
				t.Errorf("replayed: %q", again)
			}
		})
	}
}

// cancelled applies the task_cancelled effects of the tick just run: the
// timer world keeps tasks, not their cancellations.
func (w *timerWorld) cancelled() {
	for i := range w.in.Tasks {
		if w.keys["workflow/timers/invoice/9/"+strings.TrimPrefix(strings.Replace(w.in.Tasks[i].Key, "#", "/superseded#", 1), "workflow/timers/invoice/9/")] {
			w.in.Tasks[i].Status = engine.TaskCancelled
		}
	}
}

func TestNeedsOpenTasks(t *testing.T) {
	t.Parallel()
	at := func(node string, visit int, status string) *engine.Instance {
		return &engine.Instance{Workflow: "w", Run: 1, Node: node, Status: status, Visits: map[string]int{node: visit}}
	}
	for _, tc := range []struct {
		name     string
		was, now *engine.Instance
		want     bool
	}{
		{"same node", at("a", 1, engine.InstanceRunning), at("a", 1, engine.InstanceRunning), false},
		{"next node", at("a", 1, engine.InstanceRunning), at("b", 1, engine.InstanceRunning), true},
		{"revisit", at("a", 1, engine.InstanceWaiting), at("a", 2, engine.InstanceRunning), true},
		{"ended", at("a", 1, engine.InstanceRunning), at("a", 1, engine.InstanceStopped), true},
		{"paused", at("a", 1, engine.InstanceRunning), at("a", 1, engine.InstancePaused), false},
		{"was ended", at("a", 1, engine.InstanceStopped), at("b", 1, engine.InstanceStopped), false},
	} {
		if got := engine.NeedsOpenTasks(tc.was, tc.now); got != tc.want {
			t.Errorf("%s: %v, want %v", tc.name, got, tc.want)
		}
	}
}
