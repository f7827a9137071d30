package engine

import (
	"fmt"
	"strconv"
	"time"

	"github.com/recoup/recoup/calendar"
)

// Payment plans (issue 16 §1): a schedule of installments agreed with a
// customer in temporary difficulty for one or several of its invoices in
// one currency. What the customer has paid toward the plan (what its
// invoices' balances fell since the plan began) covers the installments
// oldest first; an installment still not covered more than the plan's
// grace days after its due date breaks the plan.

// Plan statuses as stored.
const (
	PlanActive    = "active"
	PlanCompleted = "completed"
	PlanBroken    = "broken"
	PlanCancelled = "cancelled"
)

// Plan states as expressions see them (invoice.plan.status): an active plan
// is on_track or late (an installment past due, within the grace).
const (
	PlanOnTrack = "on_track"
	PlanLate    = "late"
)

// Plan is one payment plan as the tick sees it.
type Plan struct {
	ID           int64
	Status       string // PlanActive, PlanCompleted, PlanBroken, PlanCancelled
	Currency     string
	PlannedMinor int64
	PaidMinor    int64 // paid toward the plan since it began
	GraceDays    int
	Lead         bool // this invoice is the plan's first (reminders go once per plan)
	Installments []Installment
}

// Installment is one dated amount of a plan.
type Installment struct {
	Seq         int           `json:"seq"`
	DueDate     calendar.Date `json:"due_date"`
	AmountMinor int64         `json:"amount_minor"`
}

// PlanState is what a plan's installments say on a day.
type PlanState struct {
	Status           string        // on_track, late, broken, completed, cancelled
	Broken           bool          // an active plan whose installment is late beyond the grace: to be marked broken
	Completed        bool          // an active plan paid in full: to be marked completed
	NextDue          calendar.Date // the first installment not fully covered (zero when none)
	NextAmountMinor  int64         // what is left of it
	ArrearsMinor     int64         // what fell due by today and is not covered
	DaysLate         int           // days since the oldest uncovered installment fell due
	InstallmentsLeft int           // installments not fully covered
	Covered          []int64       // per installment, the part covered
}

// State evaluates p on today.
func (p *Plan) State(today calendar.Date) PlanState {
	st := PlanState{Covered: make([]int64, len(p.Installments))}
	left := max(p.PaidMinor, 0)
	var due int64
	for i, in := range p.Installments {
		c := min(left, in.AmountMinor)
		st.Covered[i] = c
		left -= c
		if c < in.AmountMinor {
			st.InstallmentsLeft++
			if st.NextDue.IsZero() {
				st.NextDue, st.NextAmountMinor = in.DueDate, in.AmountMinor-c
				if d := today.DaysSince(in.DueDate); d > 0 {
					st.DaysLate = d
				}
			}
			if !in.DueDate.After(today) {
				due += in.AmountMinor - c
			}
		}
	}
	st.ArrearsMinor = due
	switch p.Status {
	case PlanActive:
		switch {
		case st.InstallmentsLeft == 0:
			st.Status, st.Completed = PlanCompleted, true
		case st.DaysLate > p.GraceDays:
			st.Status, st.Broken = PlanBroken, true
		case st.DaysLate > 0:
			st.Status = PlanLate
		default:
			st.Status = PlanOnTrack
		}
	default:
		st.Status = p.Status
	}
	return st
}

// SplitInstallments schedules total in n installments, the first on first
// and each next everyMonths months later (the same day of the month, or
// the month's last day when it has none): equal amounts in minor units,
// the remainder on the last so that they sum to total exactly.
func SplitInstallments(total int64, n int, first calendar.Date, everyMonths int) ([]Installment, error) {
	switch {
	case n < 1 || n > 120:
		return nil, fmt.Errorf("installments: want 1 to 120, got %d", n)
	case total <= 0:
		return nil, fmt.Errorf("nothing to plan: the amount is %d", total)
	case int64(n) > total:
		return nil, fmt.Errorf("installments: %d installments of less than one minor unit each", n)
	case first.IsZero():
		return nil, fmt.Errorf("first_due: a date is required")
	}
	if everyMonths < 1 {
		everyMonths = 1
	}
	each := total / int64(n)
	out := make([]Installment, n)
	for i := range out {
		out[i] = Installment{Seq: i + 1, DueDate: addMonths(first, i*everyMonths), AmountMinor: each}
	}
	out[n-1].AmountMinor = total - each*int64(n-1)
	return out, nil
}

// addMonths adds n months to d, clamped to the end of the month (Jan 31 + 1
// month is Feb 28 or 29).
func addMonths(d calendar.Date, n int) calendar.Date {
	t := d.Time(time.UTC)
	y, m, day := t.Date()
	firstOf := time.Date(y, m+time.Month(n), 1, 0, 0, 0, 0, time.UTC)
	last := firstOf.AddDate(0, 1, -1).Day()
	return calendar.Of(time.Date(firstOf.Year(), firstOf.Month(), min(day, last), 0, 0, 0, 0, time.UTC))
}

// Effect kinds of plans: the tick marks a plan broken or completed.
const (
	EffectPlanBroken    ActionKind = "plan_broken"
	EffectPlanCompleted ActionKind = "plan_completed"
)

// PlanRequest is what a payment_plan action asks for; the store schedules
// the invoice's balance at the time it writes the plan (SplitInstallments).
type PlanRequest struct {
	Installments int           `json:"installments"`
	FirstDue     calendar.Date `json:"first_due"`
	EveryMonths  int           `json:"every_months"`
	GraceDays    int           `json:"grace_days"`
}

// DefaultGraceDays is how late an installment may be before its plan
// breaks, when the plan does not say.
const DefaultGraceDays = 5

// paymentPlan evaluates a payment_plan action. No effect (Plan nil) when
// nothing is owed.
func (e *Evaluator) paymentPlan(ef Effect, a *action) (Effect, error) {
	if e.env.Invoice.Balance <= 0 {
		return ef, nil
	}
	env := e.outcome
	if env == nil {
		env = &e.env
	}
	v, err := e.vm.Run(a.planCount.vm, env)
	if err != nil {
		return ef, fmt.Errorf("payment_plan installments: %w", err)
	}
	n, ok := v.(int)
	if !ok || n < 1 || n > 120 {
		return ef, fmt.Errorf("payment_plan installments: want 1 to 120, got %v", v)
	}
	v, err = e.vm.Run(a.planFirst.vm, env)
	if err != nil {
		return ef, fmt.Errorf("payment_plan first_due: %w", err)
	}
	first, ok := v.(time.Time)
	if !ok || first.IsZero() {
		return ef, fmt.Errorf("payment_plan first_due: want a date, got %v", v)
	}
	pa := a.def.PaymentPlan
	req := PlanRequest{Installments: n, FirstDue: calendar.Of(first), EveryMonths: max(pa.EveryMonths, 1), GraceDays: DefaultGraceDays}
	if pa.GraceDays != nil {
		req.GraceDays = *pa.GraceDays
	}
	ef.Plan = &req
	return ef, nil
}

// planEffects marks the subject's active plan broken (an installment late
// beyond the grace) or completed (paid in full), once per plan: by its lead
// invoice, keyed by the plan.
func (e *Evaluator) planEffects(s *Subject, out *Result) {
	p := s.Invoice.Plan
	if p == nil || p.Status != PlanActive || !p.Lead {
		return
	}
	st := p.State(e.today)
	kind, period := EffectPlanBroken, "broken"
	switch {
	case st.Broken:
	case st.Completed:
		kind, period = EffectPlanCompleted, "completed"
	default:
		return
	}
	key := FireKey{Rule: "plan." + strconv.FormatInt(p.ID, 10), Subject: s.Invoice.ID, Period: period}
	out.Effects = append(out.Effects, Effect{Key: EffectKey{FireKey: key}, Kind: kind, Rule: key.Rule, PlanID: p.ID,
		Reason: fmt.Sprintf("installment due %s: %d days late", st.NextDue, st.DaysLate)})
}
