package engine

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"
	"unsafe"

	"github.com/expr-lang/expr/vm"

	"github.com/recoup/recoup/calendar"
)

// Workflow execution is a pure state machine: the tick loads an invoice's
// instances and tasks, calls [Evaluator.Advance], writes the effects it
// appended (deduplicated by key) and saves the instances it returned, in
// one transaction. docs/workflows.md describes the semantics.

// Instance statuses.
const (
	InstanceRunning   = "running"   // at a node, moving on when the next one is due
	InstanceWaiting   = "waiting"   // until WaitUntil (a promise to pay), then re-checked
	InstancePaused    = "paused"    // while a pause_when holds, or after a pause route
	InstanceCompleted = "completed" // by a complete route, or next on the last node
	InstanceStopped   = "stopped"   // stop_when held
)

// Node events, the Event of a node effect.
const (
	EventStarted   = "started"
	EventEntered   = "entered"
	EventSkipped   = "skipped"
	EventCompleted = "completed"
	EventStopped   = "stopped"
	EventPaused    = "paused"
	EventResumed   = "resumed"
	EventWaiting   = "waiting"
)

// The effect kinds workflows add to the action kinds.
const (
	EffectNode          ActionKind = "node"
	EffectApproval      ActionKind = "approval"
	EffectTaskCancelled ActionKind = "task_cancelled"
	EffectEscalation    ActionKind = "escalation"
)

// Task statuses, as the store keeps them.
const (
	TaskOpen      = "open"
	TaskDone      = "done"
	TaskCancelled = "cancelled"
	TaskExpired   = "expired"
)

// Instance is the persisted state of one run of a workflow on one invoice.
// The tick keeps one per (workflow, invoice): when a stopped instance
// starts again, Run goes up and the same row is reused.
type Instance struct {
	ID       int64  `json:"id,omitempty"`
	Workflow string `json:"workflow"`
	// Version is the workflow version the instance last ran on.
	Version   int   `json:"version"`
	InvoiceID int64 `json:"invoice_id"`
	// Run numbers the runs on this invoice from 1; it is part of every key.
	Run    int    `json:"run"`
	Status string `json:"status"`
	// Node is the current node ("" before the first) and NodeIndex its
	// position (-1 before the first).
	Node      string `json:"node,omitempty"`
	NodeIndex int    `json:"node_index"`
	// Visits counts the visits of each node in this run; a node entered
	// again (after a wait, or by goto) gets new effect keys.
	Visits    map[string]int `json:"visits,omitempty"`
	StartedAt time.Time      `json:"started_at,omitzero"`
	EnteredAt time.Time      `json:"entered_at,omitzero"`
	// Base is the current node's place in the schedule: the start plus
	// the afters of the nodes up to it (reset by a goto). The next node's
	// after counts from it, so missed ticks catch up exactly.
	Base time.Time `json:"base,omitzero"`
	// WaitUntil is the end of a wait. When the route gave a date, WaitDay
	// is that date and the wait lasts through the whole day in the
	// company's zone (WaitUntil is then its midnight UTC).
	WaitUntil    time.Time     `json:"wait_until,omitzero"`
	WaitDay      calendar.Date `json:"wait_day,omitzero"`
	PausedReason string        `json:"paused_reason,omitempty"`
	PausedAt     time.Time     `json:"paused_at,omitzero"`
	// RoutePause marks a pause asked for by an outcome route rather than by
	// a pause_when condition.
	RoutePause bool `json:"route_pause,omitempty"`
	// Pauses counts pauses in this run, for their keys.
	Pauses int `json:"pauses,omitempty"`
	// Handled lists the tasks and approvals whose outcome was applied.
	Handled   []string  `json:"handled,omitempty"`
	EndedAt   time.Time `json:"ended_at,omitzero"`
	EndReason string    `json:"end_reason,omitempty"`

	// Changed is set on instances Advance returns when they must be saved.
	Changed bool `json:"-"`
}

// Active reports whether the instance is still running, waiting or paused.
func (in *Instance) Active() bool {
	switch in.Status {
	case InstanceRunning, InstanceWaiting, InstancePaused:
		return true
	}
	return false
}

func (in Instance) clone() Instance {
	in.Visits = maps.Clone(in.Visits)
	in.Handled = slices.Clone(in.Handled)
	return in
}

// TaskState is a task or approval as the store knows it, fed back to
// [Evaluator.Advance]: Key is the key of the effect that created it. A
// done one carries the submitted form values in Outcome (as validated by
// [Form.Validate], or as decoded from JSON).
type TaskState struct {
	Key         string         `json:"key"`
	Kind        string         `json:"kind"` // task or approval
	Status      string         `json:"status"`
	Outcome     map[string]any `json:"outcome,omitempty"`
	DueAt       time.Time      `json:"due_at,omitzero"`
	CompletedAt time.Time      `json:"completed_at,omitzero"`
	Assignee    string         `json:"assignee,omitempty"`
	Role        Role           `json:"role,omitempty"`
	// EscalatedAt is set by the store when it applied an escalation.
	EscalatedAt time.Time `json:"escalated_at,omitzero"`
}

// WorkflowInput is what the tick knows about one invoice's workflows.
type WorkflowInput struct {
	// Instances of this invoice, any workflow (the latest run of each).
	Instances []Instance
	// Tasks of this invoice's instances; others are ignored.
	Tasks []TaskState
	// Start names workflows that rules asked to start this tick (see
	// [StartRequests]).
	Start []string
	// KeepEnv evaluates on the environment the Evaluator's last Evaluate
	// of this same subject left, so that the rules' set actions are
	// visible; otherwise Advance fills it from the subject.
	KeepEnv bool
}

// StartRequests returns the workflows the start_workflow effects in
// effects ask to start on invoice.
func StartRequests(effects []Effect, invoice int64) []string {
	var out []string
	for i := range effects {
		ef := &effects[i]
		if ef.Kind == ActionStartWorkflow && ef.Key.Subject == invoice && !slices.Contains(out, ef.Workflow) {
			out = append(out, ef.Workflow)
		}
	}
	return out
}

// WorkflowKey is a parsed workflow effect key:
// workflow/NAME/invoice/ID/RUN[/NODE/VISIT][/PART...]#ACTION.
type WorkflowKey struct {
	Workflow string
	Invoice  int64
	Run      int
	Node     string
	Visit    int
	// Part is what follows the node visit: "" for an entry action,
	// "task", "approval", "entered", "task/outcome" and so on.
	Part   string
	Action int
}

// ParseWorkflowKey parses a workflow effect key (a task's key, for
// instance); ok is false for other keys.
func ParseWorkflowKey(key string) (k WorkflowKey, ok bool) {
	rest, found := strings.CutPrefix(key, "workflow/")
	if !found {
		return k, false
	}
	path, act, found := strings.Cut(rest, "#")
	if !found {
		return k, false
	}
	var err error
	if k.Action, err = strconv.Atoi(act); err != nil {
		return k, false
	}
	var inv, run string
	k.Workflow, path, _ = strings.Cut(path, "/")
	if path, found = strings.CutPrefix(path, "invoice/"); !found {
		return k, false
	}
	inv, path, _ = strings.Cut(path, "/")
	run, path, _ = strings.Cut(path, "/")
	if k.Invoice, err = strconv.ParseInt(inv, 10, 64); err != nil || k.Workflow == "" {
		return k, false
	}
	if k.Run, err = strconv.Atoi(run); err != nil {
		return k, false
	}
	node, rest, _ := strings.Cut(path, "/")
	visit, after, _ := strings.Cut(rest, "/")
	if v, err := strconv.Atoi(visit); err == nil && node != "" {
		k.Node, k.Visit, path = node, v, after
	}
	k.Part = path
	return k, true
}

// Advance moves s's workflow instances on at the evaluator's clock and
// appends what that does to out.Effects (runtime failures to out.Errors).
// It returns the invoice's instances, one per workflow that has one,
// updated (and, unchanged, those of workflows no longer in the bundle);
// those with Changed set must be saved. For each workflow, in
// name order, it is all or nothing: an expression or template failure
// leaves the instance as it was and records the error, and the next tick
// tries again. The same subject, input and clock give the same effects and
// keys.
func (e *Evaluator) Advance(s *Subject, in WorkflowInput, out *Result) []Instance {
	return e.advance(s, in, out, nil)
}

// advance is Advance appending the instances to result.
func (e *Evaluator) advance(s *Subject, in WorkflowInput, out *Result, result []Instance) []Instance {
	bp := plansFor(e.b)
	if !in.KeepEnv || e.env.Invoice.ID != int(s.Invoice.ID) {
		e.env.fill(s, e.clock, e.today)
		e.invOwn, e.custOwn = false, false
	}
	tasks := in.Tasks
	if len(tasks) > 1 && !slices.IsSortedFunc(tasks, compareTasks) {
		tasks = slices.Clone(tasks)
		slices.SortFunc(tasks, compareTasks)
	}
	for _, name := range bp.names {
		p := bp.plans[name]
		var prev *Instance
		for i := range in.Instances {
			x := &in.Instances[i]
			if x.Workflow == name && x.InvoiceID == s.Invoice.ID && (prev == nil || x.Run > prev.Run) {
				prev = x
			}
		}
		r := &run{e: e, p: p, out: out, id: s.Invoice.ID, now: e.clock.Now, tasks: tasks,
			effects: len(out.Effects), trace: len(out.trace), fired: len(out.Fired)}
		var inst Instance
		if prev != nil {
			inst = *prev // its Visits are copied on write (run.visit), its Handled on append
		}
		// custom maps are copied on their next write, so that saved stays intact
		e.invOwn, e.custOwn = false, false
		saved := e.env
		err := r.step(&inst, prev != nil, slices.Contains(in.Start, name))
		if err != nil {
			clear(out.Effects[r.effects:])
			out.Effects = out.Effects[:r.effects]
			out.trace = out.trace[:r.trace]
			out.Fired = out.Fired[:r.fired]
			out.Errors = append(out.Errors, EvalError{Rule: "workflow/" + name, Subject: s.Invoice.ID, Err: err})
			e.env, e.invOwn, e.custOwn = saved, false, false
			if prev != nil {
				c := prev.clone()
				c.Changed = false
				result = append(result, c)
			}
			continue
		}
		out.Fired = out.Fired[:r.fired]
		if prev == nil && inst.Run == 0 {
			continue
		}
		inst.Changed = prev == nil || !sameInstance(*prev, inst)
		result = append(result, inst)
	}
	// instances of workflows no longer in the bundle stay as they are
	for i := range in.Instances {
		x := &in.Instances[i]
		if _, ok := bp.plans[x.Workflow]; !ok && x.InvoiceID == s.Invoice.ID {
			c := x.clone()
			c.Changed = false
			result = append(result, c)
		}
	}
	return result
}

// Step evaluates s's rules, then advances its workflows with the rules'
// start_workflow requests and set actions visible: what the tick does for
// each invoice. It returns the instances as [Evaluator.Advance] does.
func (e *Evaluator) Step(s *Subject, st FireState, in WorkflowInput, out *Result) []Instance {
	return e.step(s, st, in, out, nil)
}

// step is Step appending the instances to result.
func (e *Evaluator) step(s *Subject, st FireState, in WorkflowInput, out *Result, result []Instance) []Instance {
	from := len(out.Effects)
	e.Evaluate(s, st, out)
	for _, name := range StartRequests(out.Effects[from:], s.Invoice.ID) {
		if !slices.Contains(in.Start, name) {
			in.Start = append(in.Start[:len(in.Start):len(in.Start)], name)
		}
	}
	in.KeepEnv = true
	return e.advance(s, in, out, result)
}

// compareTasks orders tasks by completion, then key: the order outcomes
// are routed in.
func compareTasks(a, b TaskState) int {
	if c := a.CompletedAt.Compare(b.CompletedAt); c != 0 {
		return c
	}
	return strings.Compare(a.Key, b.Key)
}

func sameInstance(a, b Instance) bool {
	a.Changed, b.Changed = false, false
	return a.ID == b.ID && a.Workflow == b.Workflow && a.Version == b.Version && a.InvoiceID == b.InvoiceID &&
		a.Run == b.Run && a.Status == b.Status && a.Node == b.Node && a.NodeIndex == b.NodeIndex &&
		maps.Equal(a.Visits, b.Visits) && a.StartedAt.Equal(b.StartedAt) && a.EnteredAt.Equal(b.EnteredAt) &&
		a.Base.Equal(b.Base) && a.WaitUntil.Equal(b.WaitUntil) && a.WaitDay == b.WaitDay && a.PausedReason == b.PausedReason &&
		a.PausedAt.Equal(b.PausedAt) && a.RoutePause == b.RoutePause && a.Pauses == b.Pauses &&
		slices.Equal(a.Handled, b.Handled) && a.EndedAt.Equal(b.EndedAt) && a.EndReason == b.EndReason
}

// run is one workflow's step on one invoice.
type run struct {
	e     *Evaluator
	p     *wfPlan
	out   *Result
	id    int64
	now   time.Time
	tasks []TaskState
	// marks to roll back to
	effects, trace, fired int
	// moved is set when an outcome route moved the instance this tick.
	moved bool
	// placed is set when the instance started this step: its first
	// placement fires only the node it is placed in.
	placed bool
	// superseded lists the tasks cancelled as superseded this step.
	superseded []string
	// ownVisits is set once the instance's Visits map is this run's own:
	// the instance starts as a shallow copy of the one loaded, which must
	// stay as it was (Advance compares the two).
	ownVisits bool
}

// visit counts a visit of node name, copying the Visits map on the run's
// first write.
func (r *run) visit(inst *Instance, name string) {
	if !r.ownVisits {
		v := make(map[string]int, len(inst.Visits)+1)
		maps.Copy(v, inst.Visits)
		inst.Visits, r.ownVisits = v, true
	}
	inst.Visits[name]++
}

func (r *run) name() string { return r.p.w.Name }

func (r *run) ptr() unsafe.Pointer { return unsafe.Pointer(&r.e.env) }

func (r *run) cond(x *Expr) (bool, error) {
	if x == nil || x.prog == nil {
		return true, nil
	}
	return x.prog.evalBool(r.ptr(), &r.e.env, &r.e.vm)
}

// key returns the workflow key PATH#action of the instance's run.
func (r *run) key(inst *Instance, path string, action int) EffectKey {
	p := strconv.Itoa(inst.Run)
	if path != "" {
		p += "/" + path
	}
	return EffectKey{FireKey: FireKey{Rule: r.name(), Subject: r.id, Period: p, Workflow: true}, Action: action}
}

func visitPath(node string, visit int) string { return node + "/" + strconv.Itoa(visit) }

// traceOf records the values x read, as fire does for a rule.
func (r *run) traceOf(xs ...*Expr) []TraceValue {
	start := len(r.out.trace)
	for _, x := range xs {
		if x == nil || x.prog == nil {
			continue
		}
		for _, rd := range x.prog.reads {
			r.out.trace = append(r.out.trace, readTrace(rd, r.ptr()))
		}
	}
	return r.out.trace[start:len(r.out.trace):len(r.out.trace)]
}

func (r *run) source(node string) string {
	if node == "" {
		return r.name()
	}
	return r.name() + "/" + node
}

// event appends a node effect.
func (r *run) event(inst *Instance, path, node, event, reason string, trace []TraceValue) {
	r.out.Effects = append(r.out.Effects, Effect{
		Key: r.key(inst, path, 0), Kind: EffectNode, Rule: r.source(node), Version: r.p.w.Version,
		Workflow: r.name(), Node: node, Event: event, Reason: reason, Trace: trace,
	})
}

// fire runs compiled actions under the instance key path, through the rule
// machinery; kind overrides the kind of task effects (approvals).
func (r *run) fire(inst *Instance, path, node string, acts []*action, trace *Expr, kind ActionKind) error {
	if len(acts) == 0 {
		return nil
	}
	rule := &Rule{Name: r.source(node), Version: r.p.w.Version, actions: acts, when: &program{}}
	if trace != nil && trace.prog != nil {
		rule.when = trace.prog
	}
	first, errs := len(r.out.Effects), len(r.out.Errors)
	r.e.fire(rule, r.key(inst, path, 0).FireKey, r.out)
	if len(r.out.Errors) > errs {
		err := r.out.Errors[len(r.out.Errors)-1].Err
		r.out.Errors = r.out.Errors[:errs]
		return fmt.Errorf("%s: %w", r.source(node), err)
	}
	for i := first; i < len(r.out.Effects); i++ {
		ef := &r.out.Effects[i]
		ef.Workflow, ef.Node = r.name(), node
		if kind != "" && ef.Kind == ActionTask {
			ef.Kind = kind
		}
	}
	return nil
}

// myTask parses a task key and reports whether it belongs to inst's run.
func (r *run) myTask(inst *Instance, t *TaskState) (WorkflowKey, bool) {
	k, ok := ParseWorkflowKey(t.Key)
	return k, ok && k.Workflow == r.name() && k.Invoice == r.id && k.Run == inst.Run
}

// step advances one instance; exists is false for a workflow without one
// on this invoice (inst is then zero).
func (r *run) step(inst *Instance, exists, requested bool) error {
	w := r.p.w
	stop := false
	if w.Spec.StopWhen != nil {
		var err error
		if stop, err = r.cond(w.Spec.StopWhen); err != nil {
			return fmt.Errorf("stop_when: %w", err)
		}
	}
	if !exists || !inst.Active() {
		start := requested
		if !start && (!exists || inst.Status == InstanceStopped) {
			var err error
			if start, err = r.cond(&w.Spec.StartWhen); err != nil {
				return fmt.Errorf("start_when: %w", err)
			}
		}
		if !start || stop || exists && !inst.EndedAt.Before(r.now) {
			return nil
		}
		*inst = Instance{ID: inst.ID, Workflow: w.Name, Version: w.Version, InvoiceID: r.id, Run: inst.Run + 1,
			Status: InstanceRunning, NodeIndex: -1, Visits: map[string]int{}, StartedAt: r.now, Base: r.now}
		r.ownVisits, r.placed = true, true
		reason := ""
		var trace []TraceValue
		if requested {
			reason = "start_workflow"
		} else {
			trace = r.traceOf(&w.Spec.StartWhen)
		}
		r.event(inst, EventStarted, "", EventStarted, reason, trace)
	} else if stop {
		r.event(inst, EventStopped, inst.Node, EventStopped, "stop_when", r.traceOf(w.Spec.StopWhen))
		r.end(inst, InstanceStopped, "stop_when")
		return nil
	}
	inst.Version = w.Version // an instance runs on the published version
	if inst.Node == "" {
		inst.NodeIndex = -1
	} else if idx, ok := w.NodeIndex[inst.Node]; !ok || idx != inst.NodeIndex {
		// a new version moved or removed the node: follow it by name
		if !ok {
			r.event(inst, EventStopped, inst.Node, EventStopped, "node removed", r.traceOf())
			r.end(inst, InstanceStopped, "node removed")
			return nil
		}
		inst.NodeIndex = idx
	}

	// pause_when
	for i := range w.Spec.PauseWhen {
		pc := &w.Spec.PauseWhen[i]
		on, err := r.cond(&pc.When)
		if err != nil {
			return fmt.Errorf("pause_when %s: %w", pc.Reason.Value, err)
		}
		if on && pc.Until != nil {
			until, err := evalTime(pc.Until.prog, r.ptr(), &r.e.env, &r.e.vm)
			if err != nil {
				return fmt.Errorf("pause_when %s until: %w", pc.Reason.Value, err)
			}
			on = !r.over(until)
		}
		if !on {
			continue
		}
		if inst.Status != InstancePaused {
			r.pause(inst, pc.Reason.Value, false, r.traceOf(&pc.When, pc.Until))
		} else {
			inst.PausedReason, inst.RoutePause = pc.Reason.Value, false
		}
		return nil
	}
	if inst.Status == InstancePaused {
		if inst.RoutePause && !r.hasPauseWhen(inst.PausedReason) {
			return nil // only stop_when ends it
		}
		r.event(inst, EventResumed+"-"+strconv.Itoa(inst.Pauses), inst.Node, EventResumed, inst.PausedReason, nil)
		inst.Status = InstanceRunning
		if !inst.WaitUntil.IsZero() {
			inst.Status = InstanceWaiting
		}
		inst.PausedReason, inst.PausedAt, inst.RoutePause = "", time.Time{}, false
	}

	if err := r.outcomes(inst); err != nil {
		return err
	}
	if !inst.Active() || inst.Status == InstancePaused {
		return nil
	}
	if err := r.escalate(inst); err != nil {
		return err
	}
	if r.moved {
		return nil
	}
	revisit := false
	if inst.Status == InstanceWaiting {
		if !inst.WaitDay.IsZero() && !r.e.today.After(inst.WaitDay) || inst.WaitDay.IsZero() && r.now.Before(inst.WaitUntil) {
			return nil
		}
		inst.Status, inst.WaitUntil, inst.WaitDay, revisit = InstanceRunning, time.Time{}, calendar.Date{}, inst.NodeIndex >= 0
	}
	return r.move(inst, revisit)
}

func (r *run) hasPauseWhen(reason string) bool {
	for _, pc := range r.p.w.Spec.PauseWhen {
		if pc.Reason.Value == reason {
			return true
		}
	}
	return false
}

// over reports whether t has passed: a date (midnight UTC, as dates are in
// the environment) lasts through that day in the company's zone.
func (r *run) over(t time.Time) bool {
	if t.IsZero() {
		return true
	}
	if isDate(t) {
		return r.e.today.After(calendar.Of(t))
	}
	return !r.now.Before(t)
}

// isDate reports whether t is a date as the environment represents them.
func isDate(t time.Time) bool {
	return t.Location() == time.UTC && t.Hour() == 0 && t.Minute() == 0 && t.Second() == 0 && t.Nanosecond() == 0
}

func (r *run) pause(inst *Instance, reason string, byRoute bool, trace []TraceValue) {
	inst.Pauses++
	inst.Status, inst.PausedReason, inst.PausedAt, inst.RoutePause = InstancePaused, reason, r.now, byRoute
	if byRoute && inst.WaitUntil.IsZero() {
		// A pause an outcome asked for ends like a wait: once resumed, its
		// node is visited again (the director decides again after a broken
		// plan, the rep calls again after a rejected dispute).
		inst.WaitUntil = r.now
	}
	r.event(inst, EventPaused+"-"+strconv.Itoa(inst.Pauses), inst.Node, EventPaused, reason, trace)
}

// end stops or completes the instance and cancels its open tasks.
func (r *run) end(inst *Instance, status, reason string) {
	inst.Status, inst.EndedAt, inst.EndReason = status, r.now, reason
	inst.WaitUntil, inst.WaitDay, inst.PausedReason, inst.PausedAt, inst.RoutePause = time.Time{}, calendar.Date{}, "", time.Time{}, false
	for i := range r.tasks {
		t := &r.tasks[i]
		k, ok := r.myTask(inst, t)
		if !ok || t.Status != TaskOpen || slices.Contains(r.superseded, t.Key) {
			continue
		}
		r.cancel(inst, t, k, "cancelled", reason)
	}
}

// outcomes applies the routes of tasks and approvals done since the last
// step, in order of completion.
func (r *run) outcomes(inst *Instance) error {
	for i := range r.tasks {
		t := &r.tasks[i]
		if t.Status != TaskDone || slices.Contains(inst.Handled, t.Key) {
			continue
		}
		k, ok := r.myTask(inst, t)
		if !ok || k.Part != "task" && k.Part != "approval" {
			continue
		}
		ni, ok := r.p.w.NodeIndex[k.Node]
		if !ok {
			continue
		}
		step := r.p.nodes[ni].task
		if k.Part == "approval" {
			step = r.p.nodes[ni].approval
		}
		if step == nil {
			continue
		}
		inst.Handled = append(slices.Clip(inst.Handled), t.Key) // never into the loaded instance's array
		if err := r.route(inst, t, k, step); err != nil {
			return err
		}
		if !inst.Active() || inst.Status == InstancePaused {
			return nil
		}
	}
	return nil
}

func (r *run) route(inst *Instance, t *TaskState, k WorkflowKey, step *stepPlan) error {
	value := ""
	if step.form != nil && step.form.OutcomeField != "" {
		value, _ = t.Outcome[step.form.OutcomeField].(string)
	}
	rp := step.route(value)
	path := visitPath(k.Node, k.Visit) + "/" + k.Part
	if rp == nil {
		return r.next(inst, k, value)
	}
	if step.form != nil && rp.readsForm {
		v, err := outcomeValue(step.form, &r.e.env, t.Outcome)
		if err != nil {
			return fmt.Errorf("%s outcome: %w", t.Key, err)
		}
		r.e.outcome = v.Addr().Interface()
	}
	first := len(r.out.Effects)
	err := r.fire(inst, path+"/outcome", k.Node, rp.then, nil, "")
	r.e.outcome = nil
	if err != nil {
		return err
	}
	for i := first; i < len(r.out.Effects); i++ {
		if ef := &r.out.Effects[i]; ef.Kind == ActionWriteOff || ef.Kind == ActionPaymentPlan {
			ef.Task, ef.Assignee = t.Key, t.Assignee // the decision, and who it was for
		}
	}
	rt := rp.r
	switch {
	case rt.Goto != nil:
		r.leave(inst)
		inst.WaitUntil, inst.WaitDay, inst.Status = time.Time{}, calendar.Date{}, InstanceRunning
		r.moved = true
		return r.enter(inst, r.p.w.NodeIndex[rt.Goto.Value], r.now, false)
	case rt.WaitUntil != nil:
		var until time.Time
		var err error
		if step.form != nil {
			var env any
			v, ferr := outcomeValue(step.form, &r.e.env, t.Outcome)
			if ferr != nil {
				return fmt.Errorf("%s outcome: %w", t.Key, ferr)
			}
			env = v.Addr().Interface()
			until, err = evalTime(rt.WaitUntil.prog, v.Addr().UnsafePointer(), env, &r.e.vm)
		} else {
			until, err = evalTime(rt.WaitUntil.prog, r.ptr(), &r.e.env, &r.e.vm)
		}
		if err != nil {
			return fmt.Errorf("%s outcome %s: wait_until: %w", t.Key, value, err)
		}
		if until.IsZero() || r.over(until) {
			return r.next(inst, k, value) // nothing to wait for
		}
		inst.WaitUntil, inst.WaitDay, inst.Status = until, calendar.Date{}, InstanceWaiting
		if isDate(until) {
			inst.WaitDay = calendar.Of(until)
		}
		r.event(inst, path+"/"+EventWaiting, k.Node, EventWaiting, value+" until "+formatTraceTime(until), nil)
		r.moved = true
	case rt.Pause != nil:
		r.pause(inst, rt.Pause.Value, true, nil)
	case rt.Complete:
		r.leave(inst)
		r.event(inst, EventCompleted, inst.Node, EventCompleted, "outcome "+value, nil)
		r.end(inst, InstanceCompleted, "outcome "+value)
	default:
		return r.next(inst, k, value)
	}
	return nil
}

// next continues after an outcome: on the last node's current visit it
// completes the instance; otherwise the schedule goes on.
func (r *run) next(inst *Instance, k WorkflowKey, value string) error {
	last := len(r.p.nodes) - 1
	if inst.NodeIndex == last && k.Node == inst.Node && k.Visit == inst.Visits[inst.Node] {
		r.leave(inst)
		r.event(inst, EventCompleted, inst.Node, EventCompleted, "outcome "+value, nil)
		r.end(inst, InstanceCompleted, "outcome "+value)
	}
	return nil
}

// escalate raises open tasks past their due time whose step has an SLA.
func (r *run) escalate(inst *Instance) error {
	for i := range r.tasks {
		t := &r.tasks[i]
		if t.Status != TaskOpen || t.DueAt.IsZero() || r.now.Before(t.DueAt) || !t.EscalatedAt.IsZero() {
			continue
		}
		k, ok := r.myTask(inst, t)
		if !ok || k.Part != "task" && k.Part != "approval" {
			continue
		}
		ni, ok := r.p.w.NodeIndex[k.Node]
		if !ok {
			continue
		}
		step := r.p.nodes[ni].task
		if k.Part == "approval" {
			step = r.p.nodes[ni].approval
		}
		if step == nil || step.sla == nil {
			continue
		}
		path := visitPath(k.Node, k.Visit) + "/" + k.Part + "/escalated"
		to := step.sla.to
		if to == "" {
			to = RoleSalesManager
		}
		r.out.Effects = append(r.out.Effects, Effect{
			Key: r.key(inst, path, 0), Kind: EffectEscalation, Rule: r.source(k.Node), Version: r.p.w.Version,
			Workflow: r.name(), Node: k.Node, Task: t.Key, Role: to, Assignee: t.Assignee, DueAt: t.DueAt,
			Reason: "not done by " + formatTraceTime(t.DueAt),
		})
		if step.sla.notify != nil {
			n := len(r.out.Effects)
			if err := r.fire(inst, path+"/notify", k.Node, []*action{step.sla.notify}, nil, ""); err != nil {
				return err
			}
			for j := n; j < len(r.out.Effects); j++ {
				r.out.Effects[j].Task = t.Key
			}
		}
	}
	return nil
}

// move enters the furthest node due now, passing over the ones before it
// (skipped, or fired with catch_up: fire). A node is due when its when
// holds and its after has passed since the previous node's schedule base;
// a node's base is the previous one's plus its after (the start for the
// first, the time of a goto for a goto's target), not the time it was
// entered, so a late tick catches up exactly. With revisit, the current
// node is a candidate too (after a wait).
func (r *run) move(inst *Instance, revisit bool) error {
	from := inst.NodeIndex + 1
	if revisit {
		from = inst.NodeIndex
	}
	target := -1
	reach := inst.Base
	bases := make([]time.Time, len(r.p.nodes))
	for i := from; i < len(r.p.nodes); i++ {
		n := r.p.nodes[i].n
		due, err := r.cond(n.When)
		if err != nil {
			return fmt.Errorf("node %s when: %w", n.Name.Value, err)
		}
		if i != inst.NodeIndex { // a revisit keeps the node's schedule
			reach = reach.Add(n.After.D)
			due = due && !r.now.Before(reach)
		}
		bases[i] = reach
		if due {
			target = i
		}
	}
	if target < 0 {
		return nil
	}
	if inst.NodeIndex >= 0 && (target > inst.NodeIndex || revisit) {
		r.leave(inst)
	}
	for i := from; i < target; i++ {
		if i == inst.NodeIndex {
			continue
		}
		np := &r.p.nodes[i]
		name := np.n.Name.Value
		if np.n.CatchUp == "fire" && !r.placed {
			if err := r.enter(inst, i, bases[i], true); err != nil {
				return err
			}
			r.leave(inst)
			continue
		}
		reason := "catch-up"
		if r.placed {
			reason = ReasonPlaced
		}
		r.visit(inst, name)
		r.event(inst, visitPath(name, inst.Visits[name])+"/"+EventSkipped, name, EventSkipped, reason, r.traceOf(np.n.When))
	}
	return r.enter(inst, target, bases[target], false)
}

// leave records the end of the current node's visit.
func (r *run) leave(inst *Instance) {
	if inst.NodeIndex < 0 || inst.Node == "" {
		return
	}
	r.event(inst, visitPath(inst.Node, inst.Visits[inst.Node])+"/"+EventCompleted, inst.Node, EventCompleted, "", nil)
}

// enter makes node i current: a new visit, its entry actions, its task and
// approval.
func (r *run) enter(inst *Instance, i int, base time.Time, catchUp bool) error {
	np := &r.p.nodes[i]
	name := np.n.Name.Value
	if !catchUp {
		r.supersede(inst)
	}
	r.visit(inst, name)
	inst.Node, inst.NodeIndex, inst.EnteredAt, inst.Base = name, i, r.now, base
	vp := visitPath(name, inst.Visits[name])
	reason := ""
	if catchUp {
		reason = "catch-up"
	}
	r.event(inst, vp+"/"+EventEntered, name, EventEntered, reason, r.traceOf(np.n.When))
	from := len(r.out.Effects)
	if err := r.fire(inst, vp, name, np.actions, np.n.When, ""); err != nil {
		return err
	}
	if catchUp && !np.n.KeepOpen {
		r.dropTasks(from) // its work would be superseded at once
		return nil
	}
	if np.task != nil {
		if err := r.fire(inst, vp+"/task", name, []*action{np.task.act}, np.n.When, ""); err != nil {
			return err
		}
	}
	if np.approval != nil {
		act, routing, err := r.routedApproval(np.approval)
		if err != nil {
			return fmt.Errorf("node %s: %w", name, err)
		}
		first := len(r.out.Effects)
		if err := r.fire(inst, vp+"/approval", name, []*action{act}, np.n.When, EffectApproval); err != nil {
			return err
		}
		if routing.Route > 0 {
			for i := first; i < len(r.out.Effects); i++ {
				r.out.Effects[i].Reason = "route " + strconv.Itoa(routing.Route)
			}
		}
	}
	return nil
}

// evalTime runs a program giving a date or time.
func evalTime(p *program, ptr unsafe.Pointer, env any, m *vm.VM) (time.Time, error) {
	if p == nil {
		return time.Time{}, errors.New("not compiled")
	}
	if p.fast.t != nil {
		return p.fast.t(ptr), nil
	}
	out, err := m.Run(p.vm, env)
	if err != nil {
		return time.Time{}, err
	}
	t, ok := out.(time.Time)
	if !ok {
		return time.Time{}, fmt.Errorf("%w: want a date or time, got %T", ErrExprType, out)
	}
	return t, nil
}

// TaskForm returns the form that completes the workflow task or approval
// with key (the key of the effect that created it), or nil when it has
// none or the key is not a workflow task of b. The API validates a
// submission with it ([Form.Validate]) before storing the task as done.
func (b *Bundle) TaskForm(key string) *Form {
	k, ok := ParseWorkflowKey(key)
	if !ok {
		return nil
	}
	p := plansFor(b).plans[k.Workflow]
	if p == nil {
		return nil
	}
	i, ok := p.w.NodeIndex[k.Node]
	if !ok {
		return nil
	}
	np := &p.nodes[i]
	var act *action
	switch k.Part {
	case "task":
		if np.task != nil {
			return np.task.form
		}
	case "approval":
		if np.approval != nil {
			return np.approval.form
		}
	case "":
		if k.Action < len(np.actions) {
			act = np.actions[k.Action]
		}
	}
	if act == nil || act.form == "" {
		return nil
	}
	return b.Forms[act.form]
}
