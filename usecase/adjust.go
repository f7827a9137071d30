package usecase

import (
	"context"
	"fmt"

	"github.com/recoup/recoup/engine"
	"github.com/recoup/recoup/store"
)

// AdjustmentResult is a recorded adjustment, with what the invoice's
// workflows did at once.
type AdjustmentResult struct {
	store.AdjustmentOut
	Effects *int `json:"effects,omitempty"`
}

// RecordAdjustment records a write-off, credit note or settlement on an
// invoice (idempotent by its key) and lets the invoice's workflows see the
// new balance at once. Finance records credit notes and settlements; a
// write-off is a finance director's (or an admin's) decision, asked of the
// same approver check as an approval for the director (approver.go): a
// workflow's approval routes may give small write-offs to finance, and
// this is the direct way for the director.
func (s *Service) RecordAdjustment(ctx context.Context, by Actor, in store.AdjustmentIn) (AdjustmentResult, error) {
	if err := by.Authorize(AdjustmentsWrite); err != nil {
		return AdjustmentResult{}, err
	}
	if in.Kind == store.AdjustWriteOff && by.Via != ViaSystem && !engine.Role(by.User.Role).Decides(engine.RoleFinanceDirector) {
		return AdjustmentResult{}, fmt.Errorf("%s (%s) may not write off: a write-off is the finance director's decision: %w", by.User.Email, by.User.Role, ErrForbidden)
	}
	clk, err := s.Clock(ctx)
	if err != nil {
		return AdjustmentResult{}, err
	}
	in.Actor, in.RequestID = by.Name(), by.RequestID
	if in.ApprovedBy == "" {
		in.ApprovedBy = by.Name()
	}
	out, err := s.store.RecordAdjustment(ctx, in, clk.Now)
	if err != nil {
		return AdjustmentResult{}, err
	}
	res := AdjustmentResult{AdjustmentOut: out}
	if out.Duplicate {
		return res, nil
	}
	res.Effects, err = s.advance(ctx, by, clk, out.InvoiceID, out.CustomerID, &res.BalanceMinor, &res.Status, "adjustment "+in.Key)
	return res, err
}

// ReversePayment reverses a recorded payment (a bounced transfer): what it
// settled reopens and the invoice's escalation resumes where the invoice
// now stands.
func (s *Service) ReversePayment(ctx context.Context, by Actor, reference, reason string) (PaymentResult, error) {
	if err := by.Authorize(PaymentsWrite); err != nil {
		return PaymentResult{}, err
	}
	clk, err := s.Clock(ctx)
	if err != nil {
		return PaymentResult{}, err
	}
	out, err := s.store.ReversePayment(ctx, store.PaymentReversal{Reference: reference, Reason: reason, Actor: by.Name(), RequestID: by.RequestID}, clk.Now)
	if err != nil {
		return PaymentResult{}, err
	}
	res := PaymentResult{PaymentOut: out}
	if out.Duplicate {
		return res, nil
	}
	res.Effects, err = s.advance(ctx, by, clk, out.InvoiceID, out.CustomerID, &res.BalanceMinor, &res.Status, "reversal of "+reference)
	return res, err
}
