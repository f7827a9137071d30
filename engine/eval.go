package engine

import (
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"strconv"
	"time"
	"unsafe"

	"github.com/expr-lang/expr/vm"

	"github.com/recoup/recoup/calendar"
	"github.com/recoup/recoup/money"
)

// FireState is what the evaluator needs to know about earlier ticks. The
// tick implements it over its effect and condition tables; tests use
// [MemoryState]. A nil FireState means nothing has fired yet.
type FireState interface {
	// Fired reports whether the firing k was already recorded.
	Fired(k FireKey) bool
	// LastCondition returns the rule's condition on subject at its last
	// recorded evaluation (rising_edge rules only).
	LastCondition(rule string, subject int64) (value, known bool)
}

// FireKey identifies one firing of a rule on a subject: Period is "" for
// refire once, the day ("2026-11-29"), ISO week ("2026-W48") or month
// ("2026-11") for once_per_period, and the day the condition became true
// for rising_edge. The definition version is deliberately not part of it,
// so publishing a new version of a rule does not fire it again; effects
// record the version separately.
type FireKey struct {
	Rule    string `json:"rule"`
	Subject int64  `json:"subject"`
	Period  string `json:"period,omitempty"`
	// Workflow marks a workflow's key: Rule is then the workflow's name
	// and Period the path inside its instance (see workflow_run.go).
	Workflow bool `json:"workflow,omitempty"`
}

// String renders rule/NAME/invoice/ID[/PERIOD], or workflow/NAME/... for
// a workflow's key.
func (k FireKey) String() string {
	s := "rule/"
	if k.Workflow {
		s = "workflow/"
	}
	s += k.Rule + "/invoice/" + strconv.FormatInt(k.Subject, 10)
	if k.Period != "" {
		s += "/" + k.Period
	}
	return s
}

// EffectKey is an effect's idempotency key: its firing and the position of
// the action in the rule's then list.
type EffectKey struct {
	FireKey
	Action int `json:"action"`
}

// String renders FIREKEY#ACTION, e.g. rule/mark-overdue/invoice/42#0.
func (k EffectKey) String() string { return k.FireKey.String() + "#" + strconv.Itoa(k.Action) }

// Effect is one thing a rule asks the platform to do. Which fields are set
// depends on Kind.
type Effect struct {
	Key     EffectKey  `json:"key"`
	Kind    ActionKind `json:"kind"`
	Rule    string     `json:"rule"`
	Version int        `json:"version"`

	// set
	Field    string `json:"field,omitempty"`
	Value    string `json:"value,omitempty"`
	OldValue string `json:"old_value,omitempty"`

	// task
	Title       string    `json:"title,omitempty"`
	Description string    `json:"description,omitempty"`
	Assignee    string    `json:"assignee,omitempty"`
	Role        Role      `json:"role,omitempty"`
	Form        string    `json:"form,omitempty"`
	DueAt       time.Time `json:"due_at,omitzero"`
	Priority    string    `json:"priority,omitempty"`
	// Texts are a task's title and description, or a staff notification's
	// subject and body, in the other locales its template has (zh-CN when
	// the effect's are English): each user reads it in their own language.
	Texts map[string]Text `json:"texts,omitempty"`

	// notify
	Channel  string   `json:"channel,omitempty"`
	To       string   `json:"to,omitempty"`
	ToRole   Role     `json:"to_role,omitempty"`
	Cc       []string `json:"cc,omitempty"`
	Template string   `json:"template,omitempty"`
	Locale   string   `json:"locale,omitempty"`
	Subject  string   `json:"subject,omitempty"`
	Body     string   `json:"body,omitempty"`

	// start_workflow
	Workflow string `json:"workflow,omitempty"`

	// add_fee
	Fee *money.Money `json:"fee,omitempty"`
	// WriteOff is a write_off action's amount (the whole balance when the
	// action named none); Task is then the decision's key (the store
	// records who completed it as the approver) and Assignee who it was for.
	WriteOff *money.Money `json:"write_off,omitempty"`
	// Plan is a payment_plan action's request; PlanID names the plan of a
	// plan_broken or plan_completed effect.
	Plan *PlanRequest `json:"plan,omitempty"`
	// Interest is what an accrue_interest effect (its amount in Fee) covers.
	Interest *InterestCharge `json:"interest,omitempty"`
	PlanID   int64           `json:"plan_id,omitempty"`
	Reason   string          `json:"reason,omitempty"`

	// workflow effects (workflow_run.go): the node, the node event
	// (entered, skipped, completed, stopped, paused, resumed, waiting) and
	// the key of the task a task_cancelled or escalation effect is about.
	Node  string `json:"node,omitempty"`
	Event string `json:"event,omitempty"`
	Task  string `json:"task,omitempty"`

	// Trace holds the values the rule's condition read when it fired.
	Trace []TraceValue `json:"trace"`
}

// Text is a task's title and description, or a notification's subject and
// body, in one locale.
type Text struct {
	Title string `json:"title"`
	Body  string `json:"body,omitempty"`
}

// TraceValue is one value an expression read, kept unboxed so that
// recording it does not allocate.
type TraceValue struct {
	Name string
	k    vkind
	i    int
	f    float64
	s    string
	t    time.Time
}

// Value returns the value as bool, int, float64, string or time.Time.
func (v TraceValue) Value() any {
	switch v.k {
	case kBool:
		return v.i != 0
	case kInt:
		return v.i
	case kFloat:
		return v.f
	case kString:
		return v.s
	case kTime:
		return v.t
	}
	return nil
}

// String renders the value as it would read in an explanation; dates
// (midnight UTC) as YYYY-MM-DD.
func (v TraceValue) String() string {
	switch v.k {
	case kTime:
		return formatTraceTime(v.t)
	case kFloat:
		return strconv.FormatFloat(v.f, 'f', -1, 64) // exact, never 1.1e+06
	}
	return fmt.Sprint(v.Value())
}

func formatTraceTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	if t.Location() == time.UTC && t.Hour() == 0 && t.Minute() == 0 && t.Second() == 0 && t.Nanosecond() == 0 {
		return t.Format(calendar.Layout)
	}
	return t.Format(time.RFC3339)
}

// MarshalJSON renders {"name": ..., "value": ...}.
func (v TraceValue) MarshalJSON() ([]byte, error) {
	var val any = v.Value()
	if v.k == kTime {
		val = formatTraceTime(v.t)
	}
	return json.Marshal(struct {
		Name  string `json:"name"`
		Value any    `json:"value"`
	}{v.Name, val})
}

// ConditionState is a rising_edge rule's new condition value, for the tick
// to record.
type ConditionState struct {
	Rule    string `json:"rule"`
	Subject int64  `json:"subject"`
	Value   bool   `json:"value"`
}

// EvalError is a runtime failure of one rule on one subject. It never stops
// the other rules or subjects.
type EvalError struct {
	Rule    string
	Subject int64
	Err     error
}

func (e EvalError) Error() string {
	return fmt.Sprintf("rule %q on invoice %d: %v", e.Rule, e.Subject, e.Err)
}

// Result collects what evaluating subjects produced. Reuse one Result
// across subjects (Reset between them, or not, to accumulate a batch):
// its slices are recycled, which keeps evaluation allocation-free when no
// rule fires.
type Result struct {
	Effects    []Effect
	Fired      []FireKey
	Conditions []ConditionState
	Errors     []EvalError

	trace []TraceValue
}

// Reset empties r, keeping its capacity. Effects returned before Reset
// must not be used after it.
func (r *Result) Reset() {
	clear(r.Effects)
	r.Effects = r.Effects[:0]
	r.Fired = r.Fired[:0]
	r.Conditions = r.Conditions[:0]
	r.Errors = r.Errors[:0]
	r.trace = r.trace[:0]
}

// Evaluator runs a bundle's rules. It is not safe for concurrent use:
// create one per goroutine (cheap; the compiled bundle is shared).
type Evaluator struct {
	b     *Bundle
	clock Clock
	today calendar.Date
	// period keys of the tick
	day, week, month string
	// Locale of staff-facing texts (task titles); "en" by default.
	Locale string

	env     Env
	vm      vm.VM
	tdata   any  // template data of env, built on first use, dropped on set
	invOwn  bool // env.Invoice.Custom is our copy
	custOwn bool
	scratch []Instance // evaluateBatch's instances of one invoice
	// outcome is the environment of the outcome route being fired (Env
	// plus the submitted form), read by write_off; nil elsewhere.
	outcome any
}

// NewEvaluator prepares evaluation at clock c: one tick, one instant.
func (b *Bundle) NewEvaluator(c Clock) *Evaluator {
	if c.Location == nil {
		c.Location = time.UTC
	}
	e := &Evaluator{b: b, clock: c, today: c.Today(), Locale: "en"}
	e.day = e.today.String()
	y, w := e.today.Time(time.UTC).ISOWeek()
	e.week = fmt.Sprintf("%04d-W%02d", y, w)
	e.month = e.day[:7]
	return e
}

// Env returns the environment of the last evaluated subject, including the
// changes its set actions made.
func (e *Evaluator) Env() *Env { return &e.env }

func (e *Evaluator) period(r *Rule) string {
	switch r.Refire {
	case RefireOncePerPeriod:
		switch r.Period {
		case "day":
			return e.day
		case "week":
			return e.week
		}
		return e.month
	case RefireRisingEdge:
		return e.day
	}
	return ""
}

// Evaluate runs every enabled rule, in order, on s and appends what they
// produce to out. A set action is visible to the rules after it; each rule
// runs at most once per call, so there are no loops.
func (e *Evaluator) Evaluate(s *Subject, st FireState, out *Result) {
	e.env.fill(s, e.clock, e.today)
	e.invOwn, e.custOwn = false, false
	e.tdata = nil
	id := s.Invoice.ID
	ptr := unsafe.Pointer(&e.env)
	for _, r := range e.b.Rules {
		cond, err := r.when.evalBool(ptr, &e.env, &e.vm)
		if err != nil {
			out.Errors = append(out.Errors, EvalError{Rule: r.Name, Subject: id, Err: err})
			continue
		}
		if r.Refire == RefireRisingEdge {
			last, known := false, false
			if st != nil {
				last, known = st.LastCondition(r.Name, id)
			}
			record := cond
			if cond && !(known && last) {
				key := FireKey{Rule: r.Name, Subject: id, Period: e.period(r)}
				if st == nil || !st.Fired(key) {
					errs := len(out.Errors)
					e.fire(r, key, out)
					// The condition is recorded as the rule's own actions
					// left it: a rule that clears its condition (raise a
					// low risk) is false again at once, so it fires again
					// when the condition next rises, and the next tick has
					// nothing to record.
					if after, err := r.when.evalBool(ptr, &e.env, &e.vm); err == nil && len(out.Errors) == errs {
						record = after
					}
				}
			}
			if !known || last != record {
				out.Conditions = append(out.Conditions, ConditionState{Rule: r.Name, Subject: id, Value: record})
			}
			continue
		}
		if !cond {
			continue
		}
		key := FireKey{Rule: r.Name, Subject: id, Period: e.period(r)}
		if st != nil && st.Fired(key) {
			continue
		}
		e.fire(r, key, out)
	}
	e.planEffects(s, out)
}

// fire produces the effects of one firing, all or nothing.
func (e *Evaluator) fire(r *Rule, key FireKey, out *Result) {
	ptr := unsafe.Pointer(&e.env)
	start := len(out.trace)
	for _, rd := range r.when.reads {
		out.trace = append(out.trace, readTrace(rd, ptr))
	}
	trace := out.trace[start:len(out.trace):len(out.trace)]
	first := len(out.Effects)
	tdata := func() any {
		if e.tdata == nil {
			e.tdata = templateData(reflectValueOf(&e.env))
		}
		return e.tdata
	}
	fail := func(err error) {
		clear(out.Effects[first:])
		out.Effects = out.Effects[:first]
		out.trace = out.trace[:start]
		out.Errors = append(out.Errors, EvalError{Rule: r.Name, Subject: key.Subject, Err: err})
	}
	for i, a := range r.actions {
		base := Effect{Key: EffectKey{FireKey: key, Action: i}, Kind: a.kind, Rule: r.Name, Version: r.Version, Trace: trace}
		switch a.kind {
		case ActionSet:
			// sets are applied after every action evaluated without error
			for _, op := range a.sets {
				old := e.current(op)
				if old == op.value() {
					continue
				}
				ef := base
				ef.Field, ef.Value, ef.OldValue = op.path, op.value(), old
				out.Effects = append(out.Effects, ef)
			}
		case ActionTask:
			ef := base
			ef.Role, ef.Form, ef.Priority = a.role, a.form, a.priority
			if a.assignee != nil {
				v, err := a.assignee.evalString(ptr, &e.env, &e.vm)
				if err != nil {
					fail(fmt.Errorf("assignee: %w", err))
					return
				}
				if v == "" && a.role == "" {
					fail(errors.New("assignee: the expression gave an empty address"))
					return
				}
				ef.Assignee = v
			}
			if a.dueIn > 0 {
				ef.DueAt = e.env.Now.Add(a.dueIn)
			}
			var err error
			if ef.Title, err = a.title.get(e.Locale).render(tdata()); err != nil {
				fail(fmt.Errorf("title: %w", err))
				return
			}
			if a.desc != nil {
				if ef.Description, err = a.desc.get(e.Locale).render(tdata()); err != nil {
					fail(fmt.Errorf("description: %w", err))
					return
				}
			}
			if ef.Texts, err = otherTexts(e.Locale, a.title, a.desc, tdata); err != nil {
				fail(err)
				return
			}
			out.Effects = append(out.Effects, ef)
		case ActionNotify:
			ef := base
			ef.Channel, ef.ToRole, ef.Template = a.channel, a.toRole, a.template.Name
			ef.Locale = "en"
			if e.env.Customer.Locale == "zh-CN" {
				ef.Locale = "zh-CN"
			}
			if a.to != nil {
				v, err := a.to.evalString(ptr, &e.env, &e.vm)
				if err != nil {
					fail(fmt.Errorf("to: %w", err))
					return
				}
				// An empty address is not an error: the notification is
				// still recorded, and delivery falls back to another
				// channel (no email → SMS → a task for the owner).
				ef.To = v
			}
			for _, c := range a.cc {
				v, err := c.evalString(ptr, &e.env, &e.vm)
				if err != nil {
					fail(fmt.Errorf("cc: %w", err))
					return
				}
				if v != "" {
					ef.Cc = append(ef.Cc, v)
				}
			}
			var err error
			if ef.Subject, err = a.template.Spec.Subject.get(ef.Locale).render(tdata()); err != nil {
				fail(fmt.Errorf("template %s: %w", a.template.Name, err))
				return
			}
			if ef.Body, err = a.template.Spec.Body.get(ef.Locale).render(tdata()); err != nil {
				fail(fmt.Errorf("template %s: %w", a.template.Name, err))
				return
			}
			// A notice to staff is read in each staff member's language,
			// not the customer's: delivery picks from these.
			if a.toRole != "" || a.channel == "in_app" {
				if ef.Texts, err = otherTexts(ef.Locale, &a.template.Spec.Subject, &a.template.Spec.Body, tdata); err != nil {
					fail(fmt.Errorf("template %s: %w", a.template.Name, err))
					return
				}
			}
			out.Effects = append(out.Effects, ef)
		case ActionStartWorkflow:
			ef := base
			ef.Workflow = a.workflow
			out.Effects = append(out.Effects, ef)
		case ActionAddFee:
			ef := base
			fee := a.feeFlat
			if a.feeBP > 0 {
				fee = money.New(int64(e.env.Invoice.Balance), e.env.Invoice.Currency).Percent(a.feeBP)
			} else if fee.Currency != e.env.Invoice.Currency {
				fail(fmt.Errorf("add_fee: fee in %s on an invoice in %s", fee.Currency, e.env.Invoice.Currency))
				return
			}
			if fee.Minor <= 0 {
				continue
			}
			ef.Fee = &fee
			ef.Reason = a.reason.Get(e.Locale)
			out.Effects = append(out.Effects, ef)
		case ActionInterest:
			if ef := e.interest(base, a.interest, a.reason.Get(e.Locale)); ef.Fee != nil {
				out.Effects = append(out.Effects, ef)
			}
		case ActionPaymentPlan:
			ef, err := e.paymentPlan(base, a)
			if err != nil {
				fail(err)
				return
			}
			if ef.Plan != nil {
				out.Effects = append(out.Effects, ef)
			}
		case ActionWriteOff:
			ef, err := e.writeOff(base, a)
			if err != nil {
				fail(err)
				return
			}
			if ef.WriteOff != nil {
				out.Effects = append(out.Effects, ef)
			}
		}
	}
	for _, a := range r.actions {
		for _, op := range a.sets {
			e.apply(op)
		}
	}
	out.Fired = append(out.Fired, key)
}

func readTrace(rd reader, p unsafe.Pointer) TraceValue {
	v := TraceValue{Name: rd.name, k: rd.get.k}
	switch rd.get.k {
	case kBool:
		if rd.get.b(p) {
			v.i = 1
		}
	case kInt:
		v.i = rd.get.i(p)
	case kFloat:
		v.f = rd.get.f(p)
	case kString:
		v.s = rd.get.s(p)
	case kTime:
		v.t = rd.get.t(p)
	}
	return v
}

func (op setOp) value() string {
	switch op.field {
	case setInvoiceDisputed, setCustomerDoNotContact:
		return strconv.FormatBool(op.b)
	}
	return op.str
}

func (e *Evaluator) current(op setOp) string {
	switch op.field {
	case setInvoiceStatus:
		return e.env.Invoice.Status
	case setInvoiceDisputed:
		return strconv.FormatBool(e.env.Invoice.Disputed)
	case setInvoiceCustom:
		return e.env.Invoice.Custom[op.key]
	case setCustomerRisk:
		return e.env.Customer.Risk
	case setCustomerDoNotContact:
		return strconv.FormatBool(e.env.Customer.DoNotContact)
	case setCustomerCustom:
		return e.env.Customer.Custom[op.key]
	}
	return ""
}

func (e *Evaluator) apply(op setOp) {
	e.tdata = nil
	switch op.field {
	case setInvoiceStatus:
		e.env.Invoice.Status = op.str
	case setInvoiceDisputed:
		e.env.Invoice.Disputed = op.b
	case setInvoiceCustom:
		if !e.invOwn {
			e.env.Invoice.Custom, e.invOwn = maps.Clone(e.env.Invoice.Custom), true
			if e.env.Invoice.Custom == nil {
				e.env.Invoice.Custom = map[string]string{}
			}
		}
		e.env.Invoice.Custom[op.key] = op.str
	case setCustomerRisk:
		e.env.Customer.Risk = op.str
	case setCustomerDoNotContact:
		e.env.Customer.DoNotContact = op.b
	case setCustomerCustom:
		if !e.custOwn {
			e.env.Customer.Custom, e.custOwn = maps.Clone(e.env.Customer.Custom), true
			if e.env.Customer.Custom == nil {
				e.env.Customer.Custom = map[string]string{}
			}
		}
		e.env.Customer.Custom[op.key] = op.str
	}
}

// MemoryState is an in-memory [FireState] for tests, previews and
// simulations. Record a Result into it to make the next tick see it.
type MemoryState struct {
	fired map[FireKey]bool
	conds map[condKey]bool
}

type condKey struct {
	rule    string
	subject int64
}

// NewMemoryState returns an empty state.
func NewMemoryState() *MemoryState {
	return &MemoryState{fired: map[FireKey]bool{}, conds: map[condKey]bool{}}
}

// Fired implements FireState.
func (m *MemoryState) Fired(k FireKey) bool { return m.fired[k] }

// LastCondition implements FireState.
func (m *MemoryState) LastCondition(rule string, subject int64) (bool, bool) {
	v, ok := m.conds[condKey{rule, subject}]
	return v, ok
}

// Record remembers the firings and condition states of r.
func (m *MemoryState) Record(r *Result) {
	for _, k := range r.Fired {
		m.fired[k] = true
	}
	for _, c := range r.Conditions {
		m.conds[condKey{c.Rule, c.Subject}] = c.Value
	}
}

// otherTexts renders title and body (body may be nil) in every locale but
// locale that title has a text of its own for; nil when there is none.
func otherTexts(locale string, title, body *LocalizedTemplate, data func() any) (map[string]Text, error) {
	var out map[string]Text
	for _, l := range Locales {
		if l == locale || !title.has(l) {
			continue
		}
		var t Text
		var err error
		if t.Title, err = title.get(l).render(data()); err != nil {
			return nil, fmt.Errorf("title (%s): %w", l, err)
		}
		if body != nil {
			if t.Body, err = body.get(l).render(data()); err != nil {
				return nil, fmt.Errorf("body (%s): %w", l, err)
			}
		}
		if out == nil {
			out = map[string]Text{}
		}
		out[l] = t
	}
	return out, nil
}

// writeOff evaluates a write_off action: its amount, at most the balance
// (none, or not above zero: the whole balance), and its reason. No effect
// (WriteOff nil) when nothing is owed.
func (e *Evaluator) writeOff(ef Effect, a *action) (Effect, error) {
	env := e.outcome
	if env == nil {
		env = &e.env
	}
	balance := int64(e.env.Invoice.Balance)
	if balance <= 0 {
		return ef, nil
	}
	amount := balance
	if a.woAmount != nil {
		v, err := e.vm.Run(a.woAmount.vm, env)
		if err != nil {
			return ef, fmt.Errorf("write_off amount: %w", err)
		}
		n, ok := v.(int)
		if !ok {
			return ef, fmt.Errorf("write_off amount: %w: want an amount, got %T", ErrExprType, v)
		}
		if n > 0 && int64(n) < balance {
			amount = int64(n)
		}
	}
	if a.woReason != nil {
		v, err := e.vm.Run(a.woReason.vm, env)
		if err != nil {
			return ef, fmt.Errorf("write_off reason: %w", err)
		}
		ef.Reason, _ = v.(string)
	}
	m := money.New(amount, e.env.Invoice.Currency)
	ef.WriteOff = &m
	return ef, nil
}
