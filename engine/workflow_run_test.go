package engine_test

import (
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/recoup/recoup/calendar"
	"github.com/recoup/recoup/engine"
	"github.com/recoup/recoup/engine/casetest"
)

// Workflow tests run the example pack's escalation day by day on an
// in-memory world: the tick is simulated here the way the store does it
// (effects deduplicated by key, sets applied, tasks kept with their key).

// updateGolden reports whether -update was given; the flag belongs to the
// package's internal tests, which share this binary.
func updateGolden() bool {
	f := flag.Lookup("update")
	if f == nil {
		return false
	}
	g, ok := f.Value.(flag.Getter)
	if !ok {
		return false
	}
	b, _ := g.Get().(bool)
	return b
}

// world is casetest.World, the in-memory tick the example pack's workflow
// scenarios run on, with a timeline of what happened for golden files.
type world struct {
	*casetest.World
	t   *testing.T
	b   *engine.Bundle
	loc *time.Location
	log []string
}

func newWorld(t *testing.T) *world {
	t.Helper()
	b, err := engine.LoadPaths("../rules-examples")
	if err != nil {
		t.Fatalf("rules-examples do not load:\n%v", err)
	}
	loc, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		t.Fatal(err)
	}
	return &world{World: casetest.NewWorld(b, loc), t: t, b: b, loc: loc}
}

// invoice adds an open invoice of 12,000.00 CNY due on due.
func (w *world) invoice(id int64, due string) *engine.Subject {
	return w.Invoice(id, calendar.MustParse(due))
}

func (w *world) subject(id int64) *engine.Subject {
	s := w.Subject(id)
	if s == nil {
		w.t.Fatalf("no invoice %d", id)
	}
	return s
}

// at returns 09:00 in Shanghai on day.
func (w *world) at(day string) time.Time {
	return calendar.MustParse(day).Time(w.loc).Add(9 * time.Hour)
}

// tick evaluates rules then workflows on every invoice at now and applies
// the new effects; it returns them.
func (w *world) tick(now time.Time) []engine.Effect {
	w.t.Helper()
	fresh, err := w.Tick(now)
	if err != nil {
		w.t.Fatalf("%s: %v", now, err)
	}
	for _, ef := range fresh {
		w.log = append(w.log, w.line(w.subject(ef.Key.Subject), ef))
	}
	return fresh
}

// complete records the outcome of invoice id's open task or approval at
// node (part "task" or "approval") at time at.
func (w *world) complete(id int64, node, part string, at time.Time, outcome map[string]any) string {
	w.t.Helper()
	key, err := w.Complete(id, node, part, at, outcome)
	if err != nil {
		w.t.Fatal(err)
	}
	w.log = append(w.log, fmt.Sprintf("%s %s  human        %s %v", calendar.In(at, w.loc), w.subject(id).Invoice.Number, key, outcome))
	return key
}

func (w *world) pay(id int64, at time.Time) {
	w.Pay(id, at)
	w.log = append(w.log, fmt.Sprintf("%s %s  payment      paid in full", calendar.In(at, w.loc), w.subject(id).Invoice.Number))
}

func (w *world) instance(id int64) engine.Instance {
	for _, in := range w.Instances[id] {
		if in.Workflow == "overdue-escalation" {
			return in
		}
	}
	return engine.Instance{}
}

// line renders an effect for the timeline.
func (w *world) line(s *engine.Subject, ef engine.Effect) string {
	var d string
	switch ef.Kind {
	case engine.EffectNode:
		d = ef.Event + " " + ef.Rule
		if ef.Reason != "" {
			d += " (" + ef.Reason + ")"
		}
	case engine.ActionSet:
		d = ef.Field + "=" + ef.Value + " by " + ef.Rule
	case engine.ActionTask, engine.EffectApproval:
		who := ef.Assignee
		if who == "" {
			who = "role " + string(ef.Role)
		}
		d = fmt.Sprintf("%q for %s", ef.Title, who)
		if ef.Form != "" {
			d += " form " + ef.Form
		}
		if !ef.DueAt.IsZero() {
			d += " due " + ef.DueAt.In(w.loc).Format("2006-01-02 15:04")
		}
	case engine.ActionNotify:
		to := ef.To
		if to == "" {
			to = "role " + string(ef.ToRole)
		}
		d = fmt.Sprintf("%s to %s", ef.Channel, to)
		if len(ef.Cc) > 0 {
			d += " cc " + strings.Join(ef.Cc, ",")
		}
		d += " template " + ef.Template
		if ef.Subject != "" {
			d += fmt.Sprintf(" %q", ef.Subject)
		}
	case engine.EffectTaskCancelled, engine.EffectEscalation:
		d = ef.Task
		if ef.Role != "" && ef.Kind == engine.EffectEscalation {
			d += " to role " + string(ef.Role)
		}
	default:
		d = ef.Rule
	}
	return fmt.Sprintf("%s %s  %-12s %s  [%s]", calendar.In(w.Now, w.loc), s.Invoice.Number, ef.Kind, d, ef.Key)
}

// days runs one tick a day from first to last inclusive, calling before
// (when not nil) ahead of each tick.
func (w *world) days(first, last string, before func(day calendar.Date, at time.Time)) {
	for d := calendar.MustParse(first); !d.After(calendar.MustParse(last)); d = d.AddDays(1) {
		at := d.Time(w.loc).Add(9 * time.Hour)
		if before != nil {
			before(d, at)
		}
		w.tick(at)
	}
}

func checkGolden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", "workflows", name)
	if updateGolden() {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -run %s -update)", err, t.Name())
	}
	if got != string(want) {
		gl, wl := strings.Split(got, "\n"), strings.Split(string(want), "\n")
		for i := 0; i < max(len(gl), len(wl)); i++ {
			var g, w string
			if i < len(gl) {
				g = gl[i]
			}
			if i < len(wl) {
				w = wl[i]
			}
			if g != w {
				t.Fatalf("%s differs at line %d:\n got %s\nwant %s\n(run go test -run %s -update to accept)", path, i+1, g, w, t.Name())
			}
		}
	}
}

// TestWorkflowSimulation60Days is the source documents' escalation over 60
// days for four invoices due 2026-01-05: one never answered nor paid; one
// paid on day 12; one whose customer promises, breaks the promise, then
// disputes until day 25; one whose director sends it back to the calls.
func TestWorkflowSimulation60Days(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	for id := int64(1); id <= 4; id++ {
		w.invoice(id, "2026-01-05")
	}
	w.days("2026-01-01", "2026-03-01", func(d calendar.Date, at time.Time) {
		early := at.Add(-time.Hour)
		switch d.String() {
		case "2026-01-17": // 12 days overdue
			w.pay(2, early)
		case "2026-01-14": // day 9: promise to pay on day 12
			w.complete(3, "call", "task", early, map[string]any{"outcome": "promised", "promised_date": "2026-01-17"})
		case "2026-01-19": // the promise was broken; a second call: dispute
			w.complete(3, "call", "task", early, map[string]any{"outcome": "disputed", "dispute_reason": "wrong quantity"})
		case "2026-01-30": // the dispute is resolved
			w.subject(3).Invoice.Disputed = false
			w.log = append(w.log, fmt.Sprintf("%s %s  human        dispute resolved", d, w.subject(3).Invoice.Number))
		case "2026-02-06": // day 32: the director says continue
			w.complete(4, "decision", "approval", early, map[string]any{"decision": "continue"})
		}
	})
	checkGolden(t, "escalation-60days.golden", strings.Join(w.log, "\n")+"\n")

	if got := w.instance(1); got.Status != engine.InstanceRunning || got.Node != "decision" {
		t.Errorf("invoice 1: %s at %s, want running at decision", got.Status, got.Node)
	}
	if got := w.instance(2); got.Status != engine.InstanceStopped {
		t.Errorf("invoice 2: %s, want stopped", got.Status)
	}
}

// stageDays returns, per node, the days overdue on which it was entered.
func stageDays(w *world, id int64, due string) map[string][]int {
	out := map[string][]int{}
	for _, l := range w.log {
		f := strings.Fields(l)
		if len(f) < 4 || f[1] != w.subject(id).Invoice.Number || f[2] != "node" || f[3] != "entered" {
			continue
		}
		node := f[4][strings.Index(f[4], "/")+1:]
		out[node] = append(out[node], calendar.MustParse(f[0]).DaysSince(calendar.MustParse(due)))
	}
	return out
}

func TestWorkflowStagesOnTheRightDays(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	w.invoice(1, "2026-01-05")
	w.days("2026-01-01", "2026-03-01", nil)
	got := stageDays(w, 1, "2026-01-05")
	want := map[string][]int{"reminder": {1}, "call": {8}, "review": {16}, "decision": {31}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("stages entered on days overdue %v, want %v", got, want)
	}
}

func TestWorkflowStopOnPaymentCancelsTasks(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	w.invoice(1, "2026-01-05")
	w.days("2026-01-06", "2026-01-22", nil) // day 17: two review tasks open (the call superseded)
	open := 0
	for _, tk := range w.Tasks[1] {
		if tk.Status == engine.TaskOpen {
			open++
		}
	}
	if open != 2 {
		t.Fatalf("%d open tasks, want 2", open)
	}
	w.pay(1, w.at("2026-01-23").Add(-time.Hour))
	fx := w.tick(w.at("2026-01-23"))
	var cancelled []string
	for _, ef := range fx {
		switch ef.Kind {
		case engine.EffectTaskCancelled:
			cancelled = append(cancelled, ef.Task)
		case engine.ActionNotify, engine.ActionTask, engine.EffectApproval:
			t.Errorf("a %s after payment: %s", ef.Kind, ef.Key)
		}
	}
	if len(cancelled) != 2 {
		t.Errorf("cancelled %v, want the 2 open tasks", cancelled)
	}
	if in := w.instance(1); in.Status != engine.InstanceStopped || in.EndReason != "stop_when" {
		t.Errorf("instance %s (%s), want stopped by stop_when", in.Status, in.EndReason)
	}
	for _, tk := range w.Tasks[1] {
		if tk.Status == engine.TaskOpen {
			t.Errorf("task %s still open", tk.Key)
		}
	}
	// nothing more, ever
	before := len(w.log)
	w.days("2026-01-24", "2026-02-28", nil)
	if len(w.log) != before {
		t.Errorf("effects after the stop:\n%s", strings.Join(w.log[before:], "\n"))
	}
}

func TestWorkflowPromiseWaitsThenRechecks(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	w.invoice(1, "2026-01-05")
	w.days("2026-01-06", "2026-01-13", nil) // call entered on day 8
	first := w.complete(1, "call", "task", w.at("2026-01-14").Add(-time.Hour), map[string]any{"outcome": "promised", "promised_date": "2026-01-18"})
	w.tick(w.at("2026-01-14"))
	in := w.instance(1)
	if in.Status != engine.InstanceWaiting || !in.WaitUntil.Equal(time.Date(2026, 1, 18, 0, 0, 0, 0, time.UTC)) {
		t.Fatalf("instance %s until %s, want waiting until 2026-01-18", in.Status, in.WaitUntil)
	}
	before := len(w.log)
	w.days("2026-01-15", "2026-01-18", nil) // through the promised day: silence
	if len(w.log) != before {
		t.Fatalf("effects while waiting:\n%s", strings.Join(w.log[before:], "\n"))
	}
	fx := w.tick(w.at("2026-01-19")) // day 14, unpaid: call again
	var second string
	for _, ef := range fx {
		if ef.Kind == engine.ActionTask {
			second = ef.Key.String()
		}
	}
	if want := "workflow/overdue-escalation/invoice/1/1/call/2/task#0"; second != want || first == second {
		t.Errorf("second call task %q (first %q), want %q", second, first, want)
	}
	// the schedule is kept: review on day 16 all the same
	w.days("2026-01-20", "2026-01-21", nil)
	if got := w.instance(1).Node; got != "review" {
		t.Errorf("on day 16 at %s, want review", got)
	}
}

func TestWorkflowPromiseKeptStopsWhilePaused(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	w.invoice(1, "2026-01-05")
	w.days("2026-01-06", "2026-01-13", nil)
	w.complete(1, "call", "task", w.at("2026-01-14").Add(-time.Hour), map[string]any{"outcome": "promised", "promised_date": "2026-01-18"})
	w.tick(w.at("2026-01-14"))
	w.pay(1, w.at("2026-01-17"))
	w.tick(w.at("2026-01-18"))
	if in := w.instance(1); in.Status != engine.InstanceStopped {
		t.Errorf("instance %s, want stopped", in.Status)
	}
}

func TestWorkflowDisputePauses(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	w.invoice(1, "2026-01-05")
	w.days("2026-01-06", "2026-01-13", nil)
	w.complete(1, "call", "task", w.at("2026-01-14").Add(-time.Hour), map[string]any{"outcome": "disputed", "dispute_reason": "not delivered"})
	fx := w.tick(w.at("2026-01-14"))
	var set, paused bool
	for _, ef := range fx {
		set = set || ef.Kind == engine.ActionSet && ef.Field == "invoice.disputed" && ef.Value == "true"
		paused = paused || ef.Kind == engine.EffectNode && ef.Event == engine.EventPaused && ef.Reason == "dispute"
	}
	if !set || !paused {
		t.Fatalf("set disputed %v, paused %v; effects %v", set, paused, fx)
	}
	before := len(w.log)
	w.days("2026-01-15", "2026-01-30", nil) // through day 25: nothing while disputed
	if len(w.log) != before {
		t.Fatalf("effects while disputed:\n%s", strings.Join(w.log[before:], "\n"))
	}
	if in := w.instance(1); in.Status != engine.InstancePaused || in.PausedReason != "dispute" {
		t.Fatalf("instance %s (%s), want paused by dispute", in.Status, in.PausedReason)
	}
	w.subject(1).Invoice.Disputed = false
	fx = w.tick(w.at("2026-01-31")) // day 26: resumes and catches up to review
	var events []string
	for _, ef := range fx {
		if ef.Kind == engine.EffectNode {
			events = append(events, ef.Event+" "+ef.Node)
		}
	}
	want := []string{"resumed call", "completed call", "entered review"}
	if !slices.Equal(events, want) {
		t.Errorf("events %q, want %q", events, want)
	}
}

func TestWorkflowCatchUp(t *testing.T) {
	t.Parallel()
	// The server is down from day 2 to day 20 (inclusive: the next tick is
	// on day 21): the instance moves to where it should be now.
	w := newWorld(t)
	w.invoice(1, "2026-01-05")
	w.tick(w.at("2026-01-06")) // day 1: reminder
	fx := w.tick(w.at("2026-01-26"))
	var got []string
	for _, ef := range fx {
		got = append(got, fmt.Sprintf("%s %s %s", ef.Kind, ef.Node, ef.Event))
	}
	// call has catch_up: skip (a call for a stage already past is noise),
	// review is entered.
	want := []string{
		"node reminder completed",
		"node call skipped",
		"node review entered", "task review ", "task review ", "notify review ",
	}
	if !slices.Equal(got, want) {
		t.Errorf("catch-up effects:\n got %q\nwant %q", got, want)
	}

	// catch_up: skip (the reminder's) records the node as skipped and
	// fires nothing: an instance started on day 10 never sends the day-1
	// reminder.
	w = newWorld(t)
	w.invoice(1, "2026-01-05")
	fx = w.tick(w.at("2026-01-15"))
	got = got[:0]
	for _, ef := range fx {
		if ef.Workflow == "" {
			continue // the rules' effects
		}
		got = append(got, fmt.Sprintf("%s %s %s", ef.Kind, ef.Node, ef.Event))
	}
	want = []string{"node  started", "node reminder skipped", "node call entered", "task call "}
	if !slices.Equal(got, want) {
		t.Errorf("late start:\n got %q\nwant %q", got, want)
	}
}

func TestWorkflowSLAEscalation(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	w.invoice(1, "2026-01-05")
	w.days("2026-01-06", "2026-01-15", nil) // call task due 2 days after day 8's tick
	var esc []engine.TaskState
	for _, tk := range w.Tasks[1] {
		if !tk.EscalatedAt.IsZero() {
			esc = append(esc, tk)
		}
	}
	if len(esc) != 1 || esc[0].Role != engine.RoleSalesManager || !esc[0].EscalatedAt.Equal(w.at("2026-01-15")) {
		t.Fatalf("escalated %+v, want the call task to sales_manager on day 10", esc)
	}
	var lines []string
	for _, l := range w.log {
		if strings.Contains(l, "/escalated") {
			lines = append(lines, l)
		}
	}
	if len(lines) != 2 || !strings.Contains(lines[1], "in_app to role sales_manager") {
		t.Errorf("escalation effects:\n%s", strings.Join(lines, "\n"))
	}
	// a task done in time is not escalated
	w = newWorld(t)
	w.invoice(1, "2026-01-05")
	w.days("2026-01-06", "2026-01-13", nil)
	w.complete(1, "call", "task", w.at("2026-01-14"), map[string]any{"outcome": "unreachable"})
	w.days("2026-01-14", "2026-01-20", nil)
	for _, l := range w.log {
		if strings.Contains(l, "/escalated") {
			t.Errorf("escalated a done task: %s", l)
		}
	}
}

func TestWorkflowApprovalRoutes(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		decision string
		status   string
		field    string
		value    string
	}{
		{"write_off", engine.InstanceCompleted, "write_off", "12000.00 CNY"},
		{"payment_plan", engine.InstancePaused, "payment_plan", "3 from 2026-02-20"},
	} {
		t.Run(tc.decision, func(t *testing.T) {
			t.Parallel()
			w := newWorld(t)
			w.invoice(1, "2026-01-05")
			w.days("2026-01-06", "2026-02-05", nil) // decision on day 31
			w.complete(1, "decision", "approval", w.at("2026-02-06").Add(-time.Hour), map[string]any{"decision": tc.decision,
				"installments": 3, "first_installment_date": "2026-02-20"})
			fx := w.tick(w.at("2026-02-06"))
			found, cancelled := false, 0
			for _, ef := range fx {
				found = found || ef.Kind == engine.ActionSet && ef.Field == tc.field && ef.Value == tc.value ||
					ef.Kind == engine.ActionWriteOff && tc.field == "write_off" && ef.WriteOff.String() == tc.value ||
					ef.Kind == engine.ActionPaymentPlan && tc.field == "payment_plan" && fmt.Sprintf("%d from %s", ef.Plan.Installments, ef.Plan.FirstDue) == tc.value
				if ef.Kind == engine.EffectTaskCancelled {
					cancelled++
				}
			}
			if !found {
				t.Errorf("no set %s=%s in %v", tc.field, tc.value, fx)
			}
			if cancelled != 0 { // the call and the reviews were superseded on day 31
				t.Errorf("%d tasks cancelled, want 0", cancelled)
			}
			if in := w.instance(1); in.Status != tc.status {
				t.Errorf("instance %s, want %s", in.Status, tc.status)
			}
			if tc.status == engine.InstancePaused {
				return // a plan pauses the escalation (this world writes no plan: it resumes at once)
			}
			// a completed instance does not start again
			before := len(w.log)
			w.days("2026-02-07", "2026-02-10", nil)
			for _, l := range w.log[before:] {
				if strings.Contains(l, "overdue-escalation") {
					t.Errorf("after completion: %s", l)
				}
			}
		})
	}
}

func TestWorkflowDeterministic(t *testing.T) {
	t.Parallel()
	run := func() []engine.Effect {
		w := newWorld(t)
		for id := int64(1); id <= 3; id++ {
			w.invoice(id, "2026-01-05")
		}
		w.days("2026-01-01", "2026-01-13", nil)
		w.complete(2, "call", "task", w.at("2026-01-14").Add(-time.Hour), map[string]any{"outcome": "promised", "promised_date": "2026-01-16"})
		// the same state evaluated twice at the same now gives the same
		// effects, keys and instances
		ev := w.b.NewEvaluator(engine.Clock{Now: w.at("2026-01-14"), Location: w.loc})
		var all []engine.Effect
		for _, s := range w.Subjects {
			var r1, r2 engine.Result
			in := engine.WorkflowInput{Instances: w.Instances[s.Invoice.ID], Tasks: w.Tasks[s.Invoice.ID]}
			i1 := ev.Advance(s, in, &r1)
			i2 := ev.Advance(s, in, &r2)
			if !reflect.DeepEqual(r1.Effects, r2.Effects) || !reflect.DeepEqual(i1, i2) {
				t.Fatalf("invoice %d: two runs differ", s.Invoice.ID)
			}
			all = append(all, r1.Effects...)
		}
		return all
	}
	a, b := run(), run()
	if len(a) == 0 || !reflect.DeepEqual(a, b) {
		t.Errorf("two worlds differ:\n%v\n%v", a, b)
	}
	// a replayed tick adds nothing new
	w := newWorld(t)
	w.invoice(1, "2026-01-05")
	w.days("2026-01-06", "2026-01-20", nil)
	if fx := w.tick(w.at("2026-01-20")); len(fx) != 0 {
		t.Errorf("a replayed tick made new effects: %v", fx)
	}
}

func TestParseWorkflowKey(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		key  string
		want engine.WorkflowKey
		ok   bool
	}{
		{"workflow/esc/invoice/42/1/call/2/task#0", engine.WorkflowKey{Workflow: "esc", Invoice: 42, Run: 1, Node: "call", Visit: 2, Part: "task"}, true},
		{"workflow/esc/invoice/42/3/review/1#1", engine.WorkflowKey{Workflow: "esc", Invoice: 42, Run: 3, Node: "review", Visit: 1, Action: 1}, true},
		{"workflow/esc/invoice/42/1/stopped#0", engine.WorkflowKey{Workflow: "esc", Invoice: 42, Run: 1, Part: "stopped"}, true},
		{"rule/mark-overdue/invoice/42#0", engine.WorkflowKey{}, false},
		{"workflow/esc/invoice/x/1#0", engine.WorkflowKey{}, false},
	} {
		got, ok := engine.ParseWorkflowKey(tc.key)
		if ok != tc.ok || ok && got != tc.want {
			t.Errorf("%s: got %+v %v, want %+v %v", tc.key, got, ok, tc.want, tc.ok)
		}
	}
}

const exampleWorkflow = `apiVersion: recoup/v1
kind: Workflow
metadata: {name: nudge}
spec:
  on: invoice
  start_when: invoice.days_overdue >= 1
  stop_when: invoice.balance <= 0
  nodes:
    - name: first
      actions:
        - set: {invoice.status: overdue}
    - name: second
      after: 3d
      task: {role: finance, title: "Chase {{.invoice.number}}", due_in: 1d}
`

// Advance a workflow day by day: the tick saves the instances Advance
// returns and feeds them back, with the tasks it created.
func ExampleEvaluator_Advance() {
	b, err := engine.LoadSources(engine.Source{Name: "nudge.yaml", Data: []byte(exampleWorkflow)})
	if err != nil {
		fmt.Println(err)
		return
	}
	s := engine.Subject{Invoice: engine.Invoice{ID: 7, Number: "INV-7", Currency: "CNY", AmountMinor: 100000,
		BalanceMinor: 100000, DueDate: calendar.MustParse("2026-03-01"), Status: "open"}}
	var in engine.WorkflowInput
	for day := 2; day <= 6; day++ {
		ev := b.NewEvaluator(engine.Clock{Now: time.Date(2026, 3, day, 9, 0, 0, 0, time.UTC)})
		var res engine.Result
		in.Instances = ev.Advance(&s, in, &res)
		for _, e := range res.Effects {
			fmt.Println(day, e.Key, e.Kind, e.Event+e.Title+e.Value)
			if e.Kind == engine.ActionTask {
				in.Tasks = append(in.Tasks, engine.TaskState{Key: e.Key.String(), Status: engine.TaskOpen, DueAt: e.DueAt})
			}
		}
		if day == 5 {
			s.Invoice.BalanceMinor = 0 // paid
		}
	}
	// Output:
	// 2 workflow/nudge/invoice/7/1/started#0 node started
	// 2 workflow/nudge/invoice/7/1/first/1/entered#0 node entered
	// 2 workflow/nudge/invoice/7/1/first/1#0 set overdue
	// 5 workflow/nudge/invoice/7/1/first/1/completed#0 node completed
	// 5 workflow/nudge/invoice/7/1/second/1/entered#0 node entered
	// 5 workflow/nudge/invoice/7/1/second/1/task#0 task Chase INV-7
	// 6 workflow/nudge/invoice/7/1/stopped#0 node stopped
	// 6 workflow/nudge/invoice/7/1/second/1/task/cancelled#0 task_cancelled
}

// BenchmarkAdvance measures one invoice's workflow step on the example
// pack: an invoice not yet overdue (the common case of a tick) and one in
// the middle of its escalation with nothing to do.
func BenchmarkAdvance(b *testing.B) {
	t := &testing.T{}
	w := newWorld(t)
	s := w.invoice(1, "2026-01-05")
	w.days("2026-01-06", "2026-01-22", nil)
	in := engine.WorkflowInput{Instances: w.Instances[1], Tasks: w.Tasks[1]}
	ev := w.b.NewEvaluator(engine.Clock{Now: w.at("2026-01-23"), Location: w.loc})
	var res engine.Result
	b.Run("not-overdue", func(b *testing.B) {
		fresh := *s
		fresh.Invoice.DueDate = calendar.MustParse("2026-02-01")
		b.ReportAllocs()
		for b.Loop() {
			res.Reset()
			ev.Advance(&fresh, engine.WorkflowInput{}, &res)
		}
	})
	b.Run("in-progress", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			res.Reset()
			ev.Advance(s, in, &res)
		}
	})
}

const timerWorkflow = `apiVersion: recoup/v1
kind: Workflow
metadata: {name: timers}
spec:
  on: invoice
  start_when: invoice.custom.go == "yes"
  stop_when: invoice.balance <= 0
  pause_when:
    - {when: invoice.custom.snooze != "", until: 'date(invoice.custom.snooze)', reason: snooze}
  nodes:
    - name: a
      actions: [{set: {invoice.custom.stage: a}}]
    - name: b
      after: 2d
      catch_up: fire
      actions: [{set: {invoice.custom.stage: b}}]
    - name: c
      after: 3d
      task:
        role: finance
        title: {en: "Check {{.invoice.number}}", zh-CN: "检查 {{.invoice.number}}"}
        form: ok
        outcomes:
          default: {next: true}
    - name: d
      after: 1d
      title: {en: Last word}
      approval: {role: finance_director, form: ok}
---
apiVersion: recoup/v1
kind: Form
metadata: {name: ok}
spec:
  fields:
    - {name: outcome, type: enum, required: true, options: [{value: fine}, {value: bad}]}
---
apiVersion: recoup/v1
kind: Rule
metadata: {name: kick}
spec:
  on: invoice
  when: invoice.custom.kick == "yes"
  then: [{start_workflow: timers}]
`

type timerWorld struct {
	t    *testing.T
	b    *engine.Bundle
	s    engine.Subject
	in   engine.WorkflowInput
	keys map[string]bool
}

func newTimerWorld(t *testing.T, src string) *timerWorld {
	t.Helper()
	b, err := engine.LoadSources(engine.Source{Name: "timers.yaml", Data: []byte(src)})
	if err != nil {
		t.Fatal(err)
	}
	return &timerWorld{t: t, b: b, keys: map[string]bool{}, s: engine.Subject{Invoice: engine.Invoice{ID: 9, Number: "INV-9",
		Currency: "CNY", AmountMinor: 100, BalanceMinor: 100, DueDate: calendar.MustParse("2026-01-01"),
		Custom: map[string]string{}}}}
}

// tick runs rules and workflows on 2026-01-DAY 09:00 UTC and returns the
// new workflow effects as "kind node event key".
func (w *timerWorld) tick(day int) []string {
	w.t.Helper()
	ev := w.b.NewEvaluator(engine.Clock{Now: time.Date(2026, 1, day, 9, 0, 0, 0, time.UTC)})
	var res engine.Result
	ev.Evaluate(&w.s, nil, &res)
	w.in.Start = engine.StartRequests(res.Effects, w.s.Invoice.ID)
	w.in.KeepEnv = true
	w.in.Instances = ev.Advance(&w.s, w.in, &res)
	if len(res.Errors) > 0 {
		w.t.Fatalf("day %d: %v", day, res.Errors)
	}
	var out []string
	for _, ef := range res.Effects {
		if !ef.Key.Workflow || w.keys[ef.Key.String()] {
			continue
		}
		w.keys[ef.Key.String()] = true
		if ef.Kind == engine.ActionSet {
			w.s.Invoice.Custom[strings.TrimPrefix(ef.Field, "invoice.custom.")] = ef.Value
		}
		if ef.Kind == engine.ActionTask || ef.Kind == engine.EffectApproval {
			w.in.Tasks = append(w.in.Tasks, engine.TaskState{Key: ef.Key.String(), Status: engine.TaskOpen})
		}
		out = append(out, strings.TrimSpace(fmt.Sprintf("%s %s %s %s", ef.Kind, ef.Node, ef.Event, strings.TrimPrefix(ef.Key.String(), "workflow/timers/invoice/9/"))))
	}
	return out
}

func TestWorkflowTimersCatchUpExactly(t *testing.T) {
	t.Parallel()
	w := newTimerWorld(t, timerWorkflow)
	if got := w.tick(1); len(got) != 0 {
		t.Fatalf("started without start_when: %q", got)
	}
	w.s.Invoice.Custom["go"] = "yes"
	w.tick(1) // a entered on day 1: b due day 3, c day 6, d day 7
	// down until day 6: b fires (catch_up: fire), c is entered
	got := w.tick(6)
	want := []string{
		"node a completed 1/a/1/completed#0",
		"node b entered 1/b/1/entered#0", "set b  1/b/1#0", "node b completed 1/b/1/completed#0",
		"node c entered 1/c/1/entered#0", "task c  1/c/1/task#0",
	}
	if !slices.Equal(got, want) {
		t.Errorf("day 6:\n got %q\nwant %q", got, want)
	}
	// the task is done: next keeps the schedule; d on day 7 with an
	// approval titled by the node
	w.in.Tasks[0].Status, w.in.Tasks[0].Outcome = engine.TaskDone, map[string]any{"outcome": "bad"}
	if got := w.tick(7); !slices.Contains(got, "approval d  1/d/1/approval#0") {
		t.Errorf("day 7: %q", got)
	}
	// next on the last node completes the instance
	w.in.Tasks[1].Status, w.in.Tasks[1].Outcome = engine.TaskDone, map[string]any{"outcome": "fine"}
	got = w.tick(8)
	want = []string{"node d completed 1/d/1/completed#0", "node d completed 1/completed#0"}
	if !slices.Equal(got, want) || w.in.Instances[0].Status != engine.InstanceCompleted {
		t.Errorf("day 8: %q, %s", got, w.in.Instances[0].Status)
	}
	// a completed instance starts again only when a rule asks: run 2
	if got := w.tick(9); len(got) != 0 {
		t.Errorf("restarted by start_when: %q", got)
	}
	w.s.Invoice.Custom["kick"] = "yes"
	got = w.tick(10)
	if len(got) < 2 || got[0] != "node  started 2/started#0" || got[1] != "node a entered 2/a/1/entered#0" {
		t.Errorf("requested start: %q", got)
	}
}

func TestWorkflowPauseUntilAndStopRestart(t *testing.T) {
	t.Parallel()
	w := newTimerWorld(t, timerWorkflow)
	w.s.Invoice.Custom["go"] = "yes"
	w.tick(1)
	w.s.Invoice.Custom["snooze"] = "2026-01-04"
	if got := w.tick(2); !slices.Equal(got, []string{"node a paused 1/paused-1#0"}) {
		t.Errorf("day 2: %q", got)
	}
	if got := w.tick(4); len(got) != 0 { // snoozed through the 4th
		t.Errorf("day 4: %q", got)
	}
	got := w.tick(5)
	if len(got) < 2 || got[0] != "node a resumed 1/resumed-1#0" || got[2] != "node b entered 1/b/1/entered#0" {
		t.Errorf("day 5: %q", got)
	}
	// paid: stopped; owing again: a new run with new keys
	w.s.Invoice.BalanceMinor = 0
	if got := w.tick(6); !slices.Equal(got, []string{"node b stopped 1/stopped#0"}) {
		t.Errorf("day 6: %q", got)
	}
	w.s.Invoice.BalanceMinor = 100
	got = w.tick(7)
	if len(got) < 1 || got[0] != "node  started 2/started#0" || w.in.Instances[0].Run != 2 {
		t.Errorf("day 7: %q", got)
	}
}

func TestWorkflowNewVersionRemovesNode(t *testing.T) {
	t.Parallel()
	w := newTimerWorld(t, timerWorkflow)
	w.s.Invoice.Custom["go"] = "yes"
	w.tick(1)
	w.tick(3) // at b
	// publish a version without b, and with a moved first
	next := strings.Replace(timerWorkflow, "    - name: b\n", "    - name: bb\n", 1)
	w2 := newTimerWorld(t, next)
	w2.s, w2.in, w2.keys = w.s, w.in, w.keys
	got := w2.tick(4)
	if !slices.Equal(got, []string{"node b stopped 1/stopped#0"}) || w2.in.Instances[0].EndReason != "node removed" {
		t.Errorf("%q %+v", got, w2.in.Instances)
	}
}

func TestWorkflowRuntimeErrorLeavesInstance(t *testing.T) {
	t.Parallel()
	w := newTimerWorld(t, timerWorkflow)
	w.s.Invoice.Custom["go"] = "yes"
	w.tick(1)
	before := w.in.Instances[0]
	w.s.Invoice.Custom["snooze"] = "not a date"
	ev := w.b.NewEvaluator(engine.Clock{Now: time.Date(2026, 1, 2, 9, 0, 0, 0, time.UTC)})
	var res engine.Result
	insts := ev.Advance(&w.s, w.in, &res)
	if len(res.Errors) != 1 || len(res.Effects) != 0 {
		t.Fatalf("errors %v, effects %v", res.Errors, res.Effects)
	}
	if !strings.Contains(res.Errors[0].Error(), "pause_when snooze") || insts[0].Changed || insts[0].Status != before.Status {
		t.Errorf("error %v; instance %+v", res.Errors[0], insts[0])
	}
}

func TestTaskForm(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	for key, want := range map[string]string{
		"workflow/overdue-escalation/invoice/1/1/call/2/task#0":         "call-outcome",
		"workflow/overdue-escalation/invoice/1/1/decision/1/approval#0": "escalation-decision",
		"workflow/overdue-escalation/invoice/1/1/review/1#0":            "",
		"workflow/nope/invoice/1/1/call/1/task#0":                       "",
		"rule/due-soon-todo/invoice/1#0":                                "",
	} {
		got := ""
		if f := w.b.TaskForm(key); f != nil {
			got = f.Name
		}
		if got != want {
			t.Errorf("TaskForm(%s) = %q, want %q", key, got, want)
		}
	}
}

// TestWorkflowRandomHistories drives invoices through random histories
// (answers, promises, disputes, payments, missed ticks) and checks the
// invariants the tick relies on: no panic, unique keys within a tick, the
// same output for the same input, and no reminder or task after payment.
func TestWorkflowRandomHistories(t *testing.T) {
	t.Parallel()
	outcomes := []map[string]any{
		{"outcome": "promised", "promised_date": "2026-01-20"},
		{"outcome": "promised", "promised_date": "2026-02-10"},
		{"outcome": "refused"},
		{"outcome": "unreachable"},
		{"outcome": "disputed", "dispute_reason": "price"},
	}
	decisions := []string{"legal_action", "payment_plan", "write_off", "continue"}
	for seed := uint64(1); seed <= 12; seed++ {
		rng := rand.New(rand.NewPCG(seed, 7))
		w := newWorld(t)
		for id := int64(1); id <= 3; id++ {
			w.invoice(id, "2026-01-05")
		}
		paid := map[int64]bool{}
		for d := calendar.MustParse("2026-01-01"); !d.After(calendar.MustParse("2026-03-15")); d = d.AddDays(1) {
			if rng.IntN(6) == 0 {
				continue // a missed tick
			}
			at := w.at(d.String())
			for id := int64(1); id <= 3; id++ {
				for _, tk := range w.Tasks[id] {
					k, _ := engine.ParseWorkflowKey(tk.Key)
					if tk.Status != engine.TaskOpen || rng.IntN(3) != 0 {
						continue
					}
					switch k.Part {
					case "task":
						w.complete(id, k.Node, "task", at.Add(-time.Hour), outcomes[rng.IntN(len(outcomes))])
					case "approval":
						w.complete(id, k.Node, "approval", at.Add(-time.Hour), map[string]any{"decision": decisions[rng.IntN(len(decisions))],
							"installments": 3, "first_installment_date": at.AddDate(0, 0, 7).Format("2006-01-02")})
					}
				}
				s := w.subject(id)
				if s.Invoice.Disputed && rng.IntN(5) == 0 {
					s.Invoice.Disputed = false
				}
				if !paid[id] && rng.IntN(40) == 0 {
					w.pay(id, at.Add(-time.Hour))
					paid[id] = true
				}
			}
			// the same input twice gives the same output
			ev := w.b.NewEvaluator(engine.Clock{Now: at, Location: w.loc})
			for _, s := range w.Subjects {
				in := engine.WorkflowInput{Instances: w.Instances[s.Invoice.ID], Tasks: w.Tasks[s.Invoice.ID]}
				var r1, r2 engine.Result
				i1, i2 := ev.Advance(s, in, &r1), ev.Advance(s, in, &r2)
				if !reflect.DeepEqual(r1.Effects, r2.Effects) || !reflect.DeepEqual(i1, i2) {
					t.Fatalf("seed %d %s invoice %d: not deterministic", seed, d, s.Invoice.ID)
				}
				seen := map[string]bool{}
				for _, ef := range r1.Effects {
					if seen[ef.Key.String()] {
						t.Fatalf("seed %d %s: duplicate key %s", seed, d, ef.Key)
					}
					seen[ef.Key.String()] = true
				}
			}
			for _, ef := range w.tick(at) {
				id := ef.Key.Subject
				if paid[id] && ef.Workflow != "" && (ef.Kind == engine.ActionNotify || ef.Kind == engine.ActionTask || ef.Kind == engine.EffectApproval) {
					t.Fatalf("seed %d %s: %s after payment: %s", seed, d, ef.Kind, ef.Key)
				}
			}
		}
		for id := int64(1); id <= 3; id++ {
			if in := w.instance(id); paid[id] && in.Active() {
				t.Errorf("seed %d invoice %d: paid but %s", seed, id, in.Status)
			}
		}
	}
}
