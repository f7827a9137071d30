package casetest

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/recoup/recoup/calendar"
	"github.com/recoup/recoup/engine"
)

// scenarioCase drives one invoice through the workflows day by day. The
// invoice is 12,000.00 CNY due on 2026-01-05, owned by rep@example.com, its
// customer ap1@example.com (finance1@example.com, +86 21 5555 0000); it is
// ticked at 09:00 every day from `from` to `to` except the days the server
// is `down`. Before a day's tick its actions happen. expect lists the
// workflows' effects, one per line: the day, then the node event or the
// effect with its node.
type scenarioCase struct {
	Name string `yaml:"name"`
	From string `yaml:"from"`
	To   string `yaml:"to"`
	Down *struct {
		From string `yaml:"from"`
		To   string `yaml:"to"`
	} `yaml:"down"`
	Actions []scenarioAction `yaml:"actions"`
	Expect  string           `yaml:"expect"`
}

// scenarioAction is what happens on a day before its tick: exactly one of
// a payment in full, a task or approval at a node completed with values, or
// the invoice's dispute flag set.
type scenarioAction struct {
	Day      string         `yaml:"day"`
	Pay      bool           `yaml:"pay"`
	Complete string         `yaml:"complete"`
	Values   map[string]any `yaml:"values"`
	Disputed *bool          `yaml:"disputed"`
}

// scenarioDue is the scenarios' invoice's due date.
const scenarioDue = "2026-01-05"

func (c *scenarioCase) check() []string {
	var cv conv
	if c.From == "" || c.To == "" {
		cv.add("from and to are required (dates)")
	}
	from, to := cv.date("from", c.From), cv.date("to", c.To)
	if len(cv.problems) == 0 && to.Before(from) {
		cv.add("to (%s) is before from (%s)", c.To, c.From)
	}
	if c.Down != nil {
		cv.date("down.from", c.Down.From)
		cv.date("down.to", c.Down.To)
	}
	for i, a := range c.Actions {
		field := fmt.Sprintf("actions[%d]", i)
		if a.Day == "" {
			cv.add("%s: day is required", field)
		}
		cv.date(field+".day", a.Day)
		n := 0
		for _, set := range []bool{a.Pay, a.Complete != "", a.Disputed != nil} {
			if set {
				n++
			}
		}
		if n != 1 {
			cv.add("%s: want exactly one of pay, complete, disputed", field)
		}
	}
	if strings.TrimSpace(c.Expect) == "" {
		cv.add("expect is required: the workflows' effects, one per line")
	}
	return named(c.Name, cv.problems)
}

func (c *scenarioCase) run(b *engine.Bundle, loc *time.Location) string {
	var cv conv
	from, to := cv.date("from", c.From), cv.date("to", c.To)
	var downFrom, downTo calendar.Date
	if c.Down != nil {
		downFrom, downTo = cv.date("down.from", c.Down.From), cv.date("down.to", c.Down.To)
	}
	if len(cv.problems) > 0 {
		return strings.Join(cv.problems, "; ")
	}
	w := newWorld(b, loc)
	w.invoice(1, calendar.MustParse(scenarioDue))
	var got []string
	for d := from; !d.After(to); d = d.AddDays(1) {
		if c.Down != nil && !d.Before(downFrom) && !d.After(downTo) {
			continue
		}
		at := d.Time(loc).Add(9 * time.Hour)
		for _, a := range c.Actions {
			if a.Day != d.String() {
				continue
			}
			switch {
			case a.Pay:
				w.pay(1, at.Add(-time.Hour))
			case a.Complete != "":
				if err := w.complete(1, a.Complete, at.Add(-time.Hour), a.Values); err != nil {
					return fmt.Sprintf("%s: %v\neffects so far:\n%s", d, err, strings.Join(got, "\n"))
				}
			case a.Disputed != nil:
				w.subjects[0].Invoice.Disputed = *a.Disputed
			}
		}
		fresh, err := w.tick(at)
		if err != nil {
			return fmt.Sprintf("%s: %v", d, err)
		}
		for _, ef := range fresh {
			if ef.Workflow != "" {
				got = append(got, d.String()+" "+scenarioLine(ef))
			}
		}
	}
	want := strings.Split(strings.TrimRight(c.Expect, "\n"), "\n")
	if d := diffLines(want, got); d != "" {
		return "workflow effects differ (- expected, + got):\n" + d
	}
	return ""
}

// world is an in-memory tick: effects deduplicated by key, sets applied,
// tasks kept with their key, instances saved between ticks, as the store
// does it.
type world struct {
	b         *engine.Bundle
	loc       *time.Location
	state     *engine.MemoryState
	subjects  []*engine.Subject
	instances map[int64][]engine.Instance
	tasks     map[int64][]engine.TaskState
	ledger    map[string]bool
	now       time.Time
}

func newWorld(b *engine.Bundle, loc *time.Location) *world {
	return &world{b: b, loc: loc, state: engine.NewMemoryState(), instances: map[int64][]engine.Instance{},
		tasks: map[int64][]engine.TaskState{}, ledger: map[string]bool{}}
}

// invoice adds an open invoice of 12,000.00 CNY due on due.
func (w *world) invoice(id int64, due calendar.Date) *engine.Subject {
	s := &engine.Subject{
		Invoice: engine.Invoice{ID: id, Number: fmt.Sprintf("INV-%04d", id), CustomerID: id, Currency: "CNY",
			AmountMinor: 1_200_000, BalanceMinor: 1_200_000, IssueDate: due.AddDays(-30),
			DueDate: due, Status: engine.StatusOpen, OwnerEmail: "rep@example.com"},
		Customer: engine.Customer{ID: id, Name: fmt.Sprintf("Customer %d", id), Email: fmt.Sprintf("ap%d@example.com", id),
			Phone: "+86 21 5555 0000", FinanceEmail: fmt.Sprintf("finance%d@example.com", id), OwnerEmail: "rep@example.com",
			Risk: engine.RiskLow, Locale: "en"},
	}
	w.subjects = append(w.subjects, s)
	return s
}

func (w *world) subject(id int64) *engine.Subject {
	for _, s := range w.subjects {
		if s.Invoice.ID == id {
			return s
		}
	}
	return nil
}

// tick evaluates rules then workflows on every invoice at now, applies the
// new effects and returns them.
func (w *world) tick(now time.Time) ([]engine.Effect, error) {
	w.now = now
	ev := w.b.NewEvaluator(engine.Clock{Now: now, Location: w.loc})
	var fresh []engine.Effect
	for _, s := range w.subjects {
		var res engine.Result
		id := s.Invoice.ID
		insts := ev.Step(s, w.state, engine.WorkflowInput{Instances: w.instances[id], Tasks: w.tasks[id]}, &res)
		if len(res.Errors) > 0 {
			return fresh, fmt.Errorf("invoice %s: %v", s.Invoice.Number, res.Errors[0])
		}
		w.state.Record(&res)
		persisted, err := w.persist(insts)
		if err != nil {
			return fresh, err
		}
		w.instances[id] = persisted
		for _, ef := range res.Effects {
			k := ef.Key.String()
			if w.ledger[k] {
				continue
			}
			w.ledger[k] = true
			w.apply(s, ef)
			fresh = append(fresh, ef)
		}
	}
	return fresh, nil
}

// persist round-trips instances through JSON, as the store keeps them,
// with times coming back in the company's zone.
func (w *world) persist(insts []engine.Instance) ([]engine.Instance, error) {
	data, err := json.Marshal(insts)
	if err != nil {
		return nil, err
	}
	var out []engine.Instance
	if err := json.Unmarshal(data, &out); err != nil {
		return nil, err
	}
	for i := range out {
		out[i].WaitUntil = out[i].WaitUntil.In(w.loc)
		out[i].Base = out[i].Base.In(w.loc)
	}
	return out, nil
}

func (w *world) apply(s *engine.Subject, ef engine.Effect) {
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
			return
		}
		kind := "task"
		if ef.Kind == engine.EffectApproval {
			kind = "approval"
		}
		w.tasks[id] = append(w.tasks[id], engine.TaskState{Key: ef.Key.String(), Kind: kind, Status: engine.TaskOpen,
			DueAt: ef.DueAt, Assignee: ef.Assignee, Role: ef.Role})
	case engine.EffectTaskCancelled:
		if t := w.task(id, ef.Task); t != nil {
			t.Status = engine.TaskCancelled
		}
	case engine.EffectEscalation:
		if t := w.task(id, ef.Task); t != nil {
			t.EscalatedAt, t.Role = w.now, ef.Role
		}
	}
}

func (w *world) task(id int64, key string) *engine.TaskState {
	for i := range w.tasks[id] {
		if w.tasks[id][i].Key == key {
			return &w.tasks[id][i]
		}
	}
	return nil
}

// complete records the outcome of invoice id's open approval, or else its
// open task, at node.
func (w *world) complete(id int64, node string, at time.Time, outcome map[string]any) error {
	var open *engine.TaskState
	approval := false
	for i := range w.tasks[id] {
		t := &w.tasks[id][i]
		k, ok := engine.ParseWorkflowKey(t.Key)
		if !ok || k.Node != node || t.Status != engine.TaskOpen || approval {
			continue
		}
		if open == nil || k.Part == "approval" {
			open, approval = t, k.Part == "approval"
		}
	}
	if open == nil {
		return fmt.Errorf("no open task or approval at node %q to complete", node)
	}
	open.Status, open.CompletedAt, open.Outcome = engine.TaskDone, at, outcome
	return nil
}

// pay pays invoice id in full at at.
func (w *world) pay(id int64, at time.Time) {
	s := w.subject(id)
	s.Payments.Count++
	s.Payments.TotalMinor += s.Invoice.BalanceMinor
	s.Payments.LastPaidAt = at
	s.Invoice.BalanceMinor = 0
}

// scenarioLine renders a workflow effect the way scenarios list them.
func scenarioLine(ef engine.Effect) string {
	join := func(parts ...string) string {
		var out []string
		for _, p := range parts {
			if p != "" {
				out = append(out, p)
			}
		}
		return strings.Join(out, " ")
	}
	switch ef.Kind {
	case engine.EffectNode:
		return join(ef.Event, ef.Node, ef.Reason)
	case engine.EffectTaskCancelled:
		return join("  "+string(ef.Kind), ef.Node, ef.Reason)
	case engine.ActionTask, engine.EffectApproval:
		who := ef.Assignee
		if who == "" {
			who = "role " + string(ef.Role)
		}
		form := ""
		if ef.Form != "" {
			form = "form " + ef.Form
		}
		return join("  "+string(ef.Kind), ef.Node, "for", who, form)
	case engine.ActionNotify:
		to := ef.To
		if to == "" {
			to = "role " + string(ef.ToRole)
		}
		cc := ""
		if len(ef.Cc) > 0 {
			cc = "cc " + strings.Join(ef.Cc, ",")
		}
		return join("  notify", ef.Node, ef.Channel, "to", to, cc)
	case engine.ActionSet:
		return join("  set", ef.Node, ef.Field+"="+ef.Value)
	case engine.EffectEscalation:
		return join("  escalation", ef.Node, "to", string(ef.Role))
	case engine.ActionWriteOff:
		by := ""
		if ef.Assignee != "" {
			by = "by " + ef.Assignee
		}
		return join("  write_off", ef.Node, ef.WriteOff.String(), by, "reason", strconv.Quote(ef.Reason))
	}
	return join("  "+string(ef.Kind), ef.Node)
}
