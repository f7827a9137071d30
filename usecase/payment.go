package usecase

import (
	"context"

	"github.com/recoup/recoup/engine"
	"github.com/recoup/recoup/store"
)

// PaymentResult is a recorded payment, with what its invoice's workflows did
// at once.
type PaymentResult struct {
	store.PaymentOut
	// Effects is how many effects the invoice's workflows recorded right
	// after the payment (nil for a duplicate, or when they could not run:
	// the next tick evaluates the invoice).
	Effects *int
}

// RecordPayment records a payment (idempotent by reference) and lets the
// invoice's workflows see it at once: a paid invoice stops them. The answer's
// status and balance are the invoice's after the rules ran.
func (s *Service) RecordPayment(ctx context.Context, by Actor, p store.PaymentIn) (PaymentResult, error) {
	if err := by.Authorize(PaymentsWrite); err != nil {
		return PaymentResult{}, err
	}
	clk, err := s.Clock(ctx)
	if err != nil {
		return PaymentResult{}, err
	}
	p.Actor, p.RequestID = by.Name(), by.RequestID
	out, err := s.store.RecordPayment(ctx, p, clk.Now)
	if err != nil {
		return PaymentResult{}, err
	}
	res := PaymentResult{PaymentOut: out}
	if out.Duplicate {
		return res, nil
	}
	res.Effects, err = s.advance(ctx, by, clk, out.InvoiceID, out.CustomerID, &res.BalanceMinor, &res.Status, "payment "+out.Reference)
	return res, err
}

// advance lets an invoice's workflows see a change to its money at once (a
// paid invoice stops them, a reopened one resumes) and returns how many
// effects they recorded: nil when they could not run (the change is
// recorded; the next tick evaluates the invoice). balance and status are
// refreshed when a rule changed the invoice's state.
func (s *Service) advance(ctx context.Context, by Actor, clk engine.Clock, invoiceID, customerID int64, balance *int64, status *string, what string) (*int, error) {
	b, err := s.Bundle(ctx)
	if err != nil {
		return nil, err
	}
	ref := engine.TaskRef{InvoiceID: invoiceID, CustomerID: customerID}
	st, err := engine.RunBatch(ctx, b, s.store, engine.TickOptions{At: clk.Now, Location: clk.Location}, s.store.SubjectBatch(ref), customerID)
	if err != nil {
		s.log.Error(what+" recorded but the invoice's workflows did not advance", "request_id", by.RequestID, "error", err)
		return nil, nil
	}
	if st.States > 0 {
		if *balance, *status, err = s.store.InvoiceBalance(ctx, invoiceID); err != nil {
			return &st.Effects, err
		}
	}
	return &st.Effects, nil
}
