package casetest

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/recoup/recoup/calendar"
	"github.com/recoup/recoup/engine"
)

// World is an in-memory tick for workflow tests: rules then workflows
// evaluated on every invoice, effects deduplicated by key, sets applied,
// tasks kept with their key and instances saved between ticks, as the store
// does it. Scenarios run on one; the engine's workflow tests drive one
// directly.
type World struct {
	Bundle    *engine.Bundle
	Loc       *time.Location
	State     *engine.MemoryState
	Subjects  []*engine.Subject
	Instances map[int64][]engine.Instance  // by invoice id
	Tasks     map[int64][]engine.TaskState // by invoice id
	Now       time.Time                    // the last tick's
	ledger    map[string]bool
}

// NewWorld returns an empty world ticking b in loc.
func NewWorld(b *engine.Bundle, loc *time.Location) *World {
	return &World{Bundle: b, Loc: loc, State: engine.NewMemoryState(), Instances: map[int64][]engine.Instance{},
		Tasks: map[int64][]engine.TaskState{}, ledger: map[string]bool{}}
}

// Invoice adds an open invoice of 12,000.00 CNY due on due, owned by
// rep@example.com, of customer id (apID@example.com, financeID@example.com,
// +86 21 5555 0000, low risk, English).
func (w *World) Invoice(id int64, due calendar.Date) *engine.Subject {
	s := &engine.Subject{
		Invoice: engine.Invoice{ID: id, Number: fmt.Sprintf("INV-%04d", id), CustomerID: id, Currency: "CNY",
			AmountMinor: 1_200_000, BalanceMinor: 1_200_000, IssueDate: due.AddDays(-30),
			DueDate: due, Status: engine.StatusOpen, OwnerEmail: "rep@example.com"},
		Customer: engine.Customer{ID: id, Name: fmt.Sprintf("Customer %d", id), Email: fmt.Sprintf("ap%d@example.com", id),
			Phone: "+86 21 5555 0000", FinanceEmail: fmt.Sprintf("finance%d@example.com", id), OwnerEmail: "rep@example.com",
			Risk: engine.RiskLow, Locale: "en"},
	}
	w.Subjects = append(w.Subjects, s)
	return s
}

// Subject returns invoice id, or nil.
func (w *World) Subject(id int64) *engine.Subject {
	for _, s := range w.Subjects {
		if s.Invoice.ID == id {
			return s
		}
	}
	return nil
}

// Tick evaluates rules then workflows on every invoice at now, applies the
// new effects and returns them, in order. An evaluation error stops it.
func (w *World) Tick(now time.Time) ([]engine.Effect, error) {
	w.Now = now
	ev := w.Bundle.NewEvaluator(engine.Clock{Now: now, Location: w.Loc})
	var fresh []engine.Effect
	for _, s := range w.Subjects {
		var res engine.Result
		id := s.Invoice.ID
		insts := ev.Step(s, w.State, engine.WorkflowInput{Instances: w.Instances[id], Tasks: w.Tasks[id]}, &res)
		if len(res.Errors) > 0 {
			return fresh, fmt.Errorf("invoice %s: %v", s.Invoice.Number, res.Errors[0])
		}
		w.State.Record(&res)
		persisted, err := w.persist(insts)
		if err != nil {
			return fresh, err
		}
		w.Instances[id] = persisted
		for _, ef := range res.Effects {
			k := ef.Key.String()
			if w.ledger[k] {
				continue
			}
			w.ledger[k] = true
			if err := w.apply(s, ef); err != nil {
				return fresh, err
			}
			fresh = append(fresh, ef)
		}
	}
	return fresh, nil
}

// persist round-trips instances through JSON, as the store keeps them,
// with times coming back in another zone, as a database may return them.
func (w *World) persist(insts []engine.Instance) ([]engine.Instance, error) {
	data, err := json.Marshal(insts)
	if err != nil {
		return nil, err
	}
	var out []engine.Instance
	if err := json.Unmarshal(data, &out); err != nil {
		return nil, err
	}
	for i := range out {
		out[i].WaitUntil = out[i].WaitUntil.In(w.Loc)
		out[i].Base = out[i].Base.In(w.Loc)
	}
	return out, nil
}

func (w *World) apply(s *engine.Subject, ef engine.Effect) error {
	id := s.Invoice.ID
	switch ef.Kind {
	case engine.ActionSet:
		switch f := ef.Field; {
		case f == "invoice.status":
			s.Invoice.Status = ef.Value
		case f == "invoice.disputed":
			s.Invoice.Disputed = ef.Value == "true"
		case f == "customer.risk":
			s.Customer.Risk = engine.RiskTier(ef.Value)
		case f == "customer.do_not_contact":
			s.Customer.DoNotContact = ef.Value == "true"
		case strings.HasPrefix(f, "invoice.custom."):
			m := map[string]string{}
			for k, v := range s.Invoice.Custom {
				m[k] = v
			}
			m[strings.TrimPrefix(f, "invoice.custom.")] = ef.Value
			s.Invoice.Custom = m
		}
	case engine.ActionTask, engine.EffectApproval:
		if ef.Workflow == "" {
			return nil
		}
		kind := "task"
		if ef.Kind == engine.EffectApproval {
			kind = "approval"
		}
		w.Tasks[id] = append(w.Tasks[id], engine.TaskState{Key: ef.Key.String(), Kind: kind, Status: engine.TaskOpen,
			DueAt: ef.DueAt, Assignee: ef.Assignee, Role: ef.Role})
	case engine.EffectTaskCancelled, engine.EffectEscalation:
		t := w.task(id, ef.Task)
		if t == nil {
			return fmt.Errorf("%s: invoice %s has no task %s", ef.Key, s.Invoice.Number, ef.Task)
		}
		if ef.Kind == engine.EffectTaskCancelled {
			t.Status = engine.TaskCancelled
		} else {
			t.EscalatedAt, t.Role = w.Now, ef.Role
		}
	}
	return nil
}

func (w *World) task(id int64, key string) *engine.TaskState {
	for i := range w.Tasks[id] {
		if w.Tasks[id][i].Key == key {
			return &w.Tasks[id][i]
		}
	}
	return nil
}

// Complete records outcome on invoice id's open task or approval at node
// at time at, and returns its key. part is "task" or "approval"; "" takes
// the open approval when there is one, else the open task.
func (w *World) Complete(id int64, node, part string, at time.Time, outcome map[string]any) (string, error) {
	var open *engine.TaskState
	for i := range w.Tasks[id] {
		t := &w.Tasks[id][i]
		k, ok := engine.ParseWorkflowKey(t.Key)
		if !ok || k.Node != node || t.Status != engine.TaskOpen || part != "" && k.Part != part {
			continue
		}
		if part == "" && k.Part == "approval" {
			open = t
			break
		}
		if open == nil {
			open = t
		}
	}
	if open == nil {
		what := part
		if what == "" {
			what = "task or approval"
		}
		return "", fmt.Errorf("invoice %d has no open %s at node %q to complete", id, what, node)
	}
	open.Status, open.CompletedAt, open.Outcome = engine.TaskDone, at, outcome
	return open.Key, nil
}

// MayDecide is the use case's approver check on invoice id's open approval
// at node, decided at at with values by a user of role as: "" when it may,
// else why not ([engine.MayDecide] on the role the approval is for and the
// role its routes choose for values).
func (w *World) MayDecide(id int64, node string, as engine.Role, at time.Time, values map[string]any) (string, error) {
	var open *engine.TaskState
	for i := range w.Tasks[id] {
		t := &w.Tasks[id][i]
		if k, ok := engine.ParseWorkflowKey(t.Key); ok && k.Node == node && k.Part == "approval" && t.Status == engine.TaskOpen {
			open = t
		}
	}
	if open == nil {
		return "", fmt.Errorf("invoice %d has no open approval at node %q to decide", id, node)
	}
	env := engine.NewEnv(w.Subject(id), engine.Clock{Now: at, Location: w.Loc})
	routing, _, err := w.Bundle.ApprovalRole(open.Key, env, values)
	if err != nil {
		return "", err
	}
	if err := engine.MayDecide(as, open.Role, routing); err != nil {
		return err.Error(), nil
	}
	return "", nil
}

// Pay pays invoice id in full at at.
func (w *World) Pay(id int64, at time.Time) {
	s := w.Subject(id)
	s.Payments.Count++
	s.Payments.TotalMinor += s.Invoice.BalanceMinor
	s.Payments.LastPaidAt = at
	s.Invoice.BalanceMinor = 0
}
