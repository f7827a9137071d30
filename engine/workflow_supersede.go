package engine

import "slices"

// An escalation that moves on leaves no stale work behind: when an
// instance enters a node, the open tasks and approvals of the nodes it
// stood in before (earlier visits included) are cancelled as superseded,
// unless their node says keep_open. A node passed over by catch-up would
// have its work superseded the moment it was created, so catch-up creates
// none (see enter). docs/workflows.md ("Superseded work") states it;
// TestWorkflowSupersede and store's TestTickSupersede prove it.

// ReasonSuperseded is the Reason of a task_cancelled effect that closes a
// task because its instance moved on.
const ReasonSuperseded = "superseded"

// ReasonPlaced is the Reason of the skipped events of an instance's first
// placement: the nodes before the one it is placed in fire nothing,
// whatever their catch_up.
const ReasonPlaced = "placed"

// NeedsOpenTasks reports whether the step that turned was into now may
// have cancelled open tasks of was's run: it ended, or it entered a node.
// The tick reads an invoice's open tasks only then (they are many).
func NeedsOpenTasks(was, now *Instance) bool {
	if was.Workflow != now.Workflow || was.Run != now.Run || !was.Active() {
		return false
	}
	return !now.Active() || was.Node != now.Node || was.Visits[was.Node] != now.Visits[now.Node]
}

// keepOpen reports whether node's open work survives the instance moving
// on; a node the workflow no longer has keeps nothing.
func (r *run) keepOpen(node string) bool {
	i, ok := r.p.w.NodeIndex[node]
	return ok && r.p.nodes[i].n.KeepOpen
}

// supersede cancels the run's open tasks and approvals, but those of
// keep_open nodes; once each in a step.
func (r *run) supersede(inst *Instance) {
	for i := range r.tasks {
		t := &r.tasks[i]
		if t.Status != TaskOpen || slices.Contains(r.superseded, t.Key) {
			continue
		}
		k, ok := r.myTask(inst, t)
		if !ok || r.keepOpen(k.Node) {
			continue
		}
		r.superseded = append(r.superseded, t.Key)
		r.dropEscalation(t.Key)
		r.cancel(inst, t, k, ReasonSuperseded, ReasonSuperseded)
	}
}

// dropEscalation removes the escalation of task key appended in this step
// (and its notification): a task superseded in the tick it fell due is
// closed, not raised to a manager first.
func (r *run) dropEscalation(key string) {
	kept := r.out.Effects[:r.effects]
	for _, ef := range r.out.Effects[r.effects:] {
		if ef.Task != key || ef.Kind != EffectEscalation && ef.Kind != ActionNotify {
			kept = append(kept, ef)
		}
	}
	clear(r.out.Effects[len(kept):])
	r.out.Effects = kept
}

// cancel appends the task_cancelled effect of t (parsed as k), keyed by
// the task's path and suffix.
func (r *run) cancel(inst *Instance, t *TaskState, k WorkflowKey, suffix, reason string) {
	path := visitPath(k.Node, k.Visit)
	if k.Part != "" {
		path += "/" + k.Part
	}
	r.out.Effects = append(r.out.Effects, Effect{
		Key: r.key(inst, path+"/"+suffix, k.Action), Kind: EffectTaskCancelled, Rule: r.source(k.Node),
		Version: r.p.w.Version, Workflow: r.name(), Node: k.Node, Task: t.Key, Reason: reason,
		Assignee: t.Assignee, Role: t.Role,
	})
}

// dropTasks removes the task and approval effects appended since from: a
// node passed over by catch-up creates no work (unless keep_open).
func (r *run) dropTasks(from int) {
	kept := r.out.Effects[:from]
	for _, ef := range r.out.Effects[from:] {
		if ef.Kind != ActionTask && ef.Kind != EffectApproval {
			kept = append(kept, ef)
		}
	}
	clear(r.out.Effects[len(kept):])
	r.out.Effects = kept
}
