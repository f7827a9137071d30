package usecase

import (
	"context"
	"fmt"

	"github.com/recoup/recoup/calendar"
	"github.com/recoup/recoup/engine"
	"github.com/recoup/recoup/store"
)

// CreatePlan puts invoices of one customer on a payment plan agreed
// directly (finance or the director; the director's escalation decision
// creates one through the workflow's payment_plan action). The invoices'
// escalation pauses while the plan is on track.
func (s *Service) CreatePlan(ctx context.Context, by Actor, in store.PlanIn) (store.PlanView, error) {
	if err := by.Authorize(PlansWrite); err != nil {
		return store.PlanView{}, err
	}
	in.Actor, in.RequestID = by.Name(), by.RequestID
	if in.GraceDays == 0 && len(in.Installments) == 0 && in.Count > 0 {
		in.GraceDays = engine.DefaultGraceDays
	}
	return s.store.CreatePlan(ctx, in, s.now())
}

// CancelPlan cancels an active plan: its invoices' escalation resumes.
func (s *Service) CancelPlan(ctx context.Context, by Actor, id int64, reason string) (store.PlanView, error) {
	if err := by.Authorize(PlansWrite); err != nil {
		return store.PlanView{}, err
	}
	return s.store.CancelPlan(ctx, id, reason, by.Name(), by.RequestID, s.now())
}

// Plan reads one plan.
func (s *Service) Plan(ctx context.Context, by Actor, id int64) (store.PlanView, error) {
	if err := by.Authorize(InvoicesRead); err != nil {
		return store.PlanView{}, err
	}
	p, err := s.store.Plan(ctx, id, s.now())
	if err != nil {
		return p, err
	}
	// The caller sees a plan when it sees its invoices (its first: a plan
	// covers one customer's).
	if len(p.Invoices) > 0 {
		if _, _, err := s.store.InvoiceOwed(ctx, by.Viewer(), p.Invoices[0]); err != nil {
			return store.PlanView{}, err
		}
	}
	return p, nil
}

// PlanPreview is the schedule a plan would have: what a director sees
// before deciding.
type PlanPreview struct {
	Currency     string               `json:"currency"`
	PlannedMinor int64                `json:"planned_minor"`
	Installments []engine.Installment `json:"installments"`
}

// PreviewPlan splits the invoices' balances now into count installments
// from first (engine.SplitInstallments, as the plan will be written).
func (s *Service) PreviewPlan(ctx context.Context, by Actor, invoices []string, count int, first calendar.Date, everyMonths int) (PlanPreview, error) {
	if err := by.Authorize(InvoicesRead); err != nil {
		return PlanPreview{}, err
	}
	var p PlanPreview
	for i, number := range invoices {
		currency, balance, err := s.store.InvoiceOwed(ctx, by.Viewer(), number)
		if err != nil {
			return p, err
		}
		if i > 0 && currency != p.Currency {
			return p, &store.PlanError{Field: fmt.Sprintf("invoices[%d]", i), Message: "invoices in more than one currency"}
		}
		p.Currency = currency
		p.PlannedMinor += balance
	}
	var err error
	if p.Installments, err = engine.SplitInstallments(p.PlannedMinor, count, first, everyMonths); err != nil {
		return p, &store.PlanError{Field: "installments", Message: err.Error()}
	}
	return p, nil
}
