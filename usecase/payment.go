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
	b, err := s.Bundle(ctx)
	if err != nil {
		return res, err
	}
	ref := engine.TaskRef{InvoiceID: out.InvoiceID, CustomerID: out.CustomerID}
	st, err := engine.RunBatch(ctx, b, s.store, engine.TickOptions{At: clk.Now, Location: clk.Location}, s.store.SubjectBatch(ref), out.CustomerID)
	if err != nil {
		// The payment is recorded; the next tick evaluates the invoice.
		s.log.Error("payment recorded but its workflows did not advance", "request_id", by.RequestID,
			"reference", out.Reference, "error", err)
		return res, nil
	}
	res.Effects = &st.Effects
	if st.States > 0 {
		if res.BalanceMinor, res.Status, err = s.store.InvoiceBalance(ctx, out.InvoiceID); err != nil {
			return res, err
		}
	}
	return res, nil
}
