package usecase

import (
	"context"

	"github.com/recoup/recoup/engine"
	"github.com/recoup/recoup/store"
)

// The company's dispute reasons (issue 16 §4): anyone who reads invoices
// reads the list (to open a dispute, to label one); an admin adds a
// reason, renames its labels or retires it. Each change is audited by the
// store in the transaction that writes it.

// DisputeReasons lists the reasons a new dispute may give, in the order a
// form offers them; with retired, the retired ones too (marked), which
// label the disputes that gave them.
func (s *Service) DisputeReasons(ctx context.Context, by Actor, retired bool) ([]engine.DisputeReason, error) {
	if err := by.Authorize(InvoicesRead); err != nil {
		return nil, err
	}
	list, err := s.store.DisputeReasons(ctx)
	if err != nil || retired {
		return list, err
	}
	return engine.ActiveDisputeReasons(list), nil
}

// AddDisputeReason adds a reason, with its code and both labels, offered
// for new disputes from then on.
func (s *Service) AddDisputeReason(ctx context.Context, by Actor, r engine.DisputeReason) (engine.DisputeReason, error) {
	if err := by.Authorize(SettingsAdmin); err != nil {
		return engine.DisputeReason{}, err
	}
	return s.store.AddDisputeReason(ctx, r, by.Name(), by.RequestID, s.now())
}

// UpdateDisputeReason renames a reason's labels (its code stays: disputes
// carry it).
func (s *Service) UpdateDisputeReason(ctx context.Context, by Actor, code string, l store.DisputeReasonLabels) (engine.DisputeReason, error) {
	if err := by.Authorize(SettingsAdmin); err != nil {
		return engine.DisputeReason{}, err
	}
	return s.store.UpdateDisputeReason(ctx, code, l, by.Name(), by.RequestID, s.now())
}

// RetireDisputeReason stops offering a reason for new disputes; the
// disputes that gave it keep it. "other" cannot be retired.
func (s *Service) RetireDisputeReason(ctx context.Context, by Actor, code string) (engine.DisputeReason, error) {
	if err := by.Authorize(SettingsAdmin); err != nil {
		return engine.DisputeReason{}, err
	}
	return s.store.RetireDisputeReason(ctx, code, by.Name(), by.RequestID, s.now())
}
