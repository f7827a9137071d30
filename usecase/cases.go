package usecase

import (
	"context"

	"github.com/recoup/recoup/store"
)

// The use cases of what follows escalation (issue 16 §3–5, §7): disputes,
// promises to pay, legal cases and holds. A rep opens disputes and records
// promises on the invoices it may see (its own); finance and the director
// resolve disputes, handle legal cases and holds. Each is audited by the
// store in the transaction that writes it.

// OpenDispute opens a dispute on an invoice the actor may see; the
// invoice's escalation pauses while it is open.
func (s *Service) OpenDispute(ctx context.Context, by Actor, in store.DisputeIn) (store.Dispute, error) {
	if err := by.Authorize(CasesWrite); err != nil {
		return store.Dispute{}, err
	}
	clk, err := s.Clock(ctx)
	if err != nil {
		return store.Dispute{}, err
	}
	in.Actor, in.RequestID = by.Name(), by.RequestID
	return s.store.OpenDispute(ctx, by.Viewer(), in, clk)
}

// ResolveDispute upholds (the disputed part comes off the balance) or
// rejects (the escalation resumes where it stands) an open dispute.
func (s *Service) ResolveDispute(ctx context.Context, by Actor, r store.DisputeResolution) (store.Dispute, error) {
	if err := by.Authorize(CasesDecide); err != nil {
		return store.Dispute{}, err
	}
	r.Actor, r.RequestID = by.Name(), by.RequestID
	return s.store.ResolveDispute(ctx, by.Viewer(), r, s.now())
}

// RecordPromise records a promise to pay on an invoice the actor may see.
func (s *Service) RecordPromise(ctx context.Context, by Actor, in store.PromiseIn) (store.Promise, error) {
	if err := by.Authorize(CasesWrite); err != nil {
		return store.Promise{}, err
	}
	clk, err := s.Clock(ctx)
	if err != nil {
		return store.Promise{}, err
	}
	in.Actor, in.RequestID = by.Name(), by.RequestID
	return s.store.RecordPromise(ctx, by.Viewer(), in, clk)
}

// CancelPromise cancels a pending promise on an invoice the actor may see.
func (s *Service) CancelPromise(ctx context.Context, by Actor, id int64, note string) (store.Promise, error) {
	if err := by.Authorize(CasesWrite); err != nil {
		return store.Promise{}, err
	}
	return s.store.CancelPromise(ctx, by.Viewer(), id, note, by.Name(), by.RequestID, s.now())
}

// OpenLegalCase opens a legal case and places the legal hold.
func (s *Service) OpenLegalCase(ctx context.Context, by Actor, in store.LegalCaseIn) (store.LegalCase, error) {
	if err := by.Authorize(CasesDecide); err != nil {
		return store.LegalCase{}, err
	}
	clk, err := s.Clock(ctx)
	if err != nil {
		return store.LegalCase{}, err
	}
	if in.Owner == "" && by.Via != ViaSystem {
		in.Owner = by.User.Email
	}
	in.Actor, in.RequestID = by.Name(), by.RequestID
	return s.store.OpenLegalCase(ctx, by.Viewer(), in, clk)
}

// CloseLegalCase closes a legal case as recovered, settled or lost and
// releases the legal hold.
func (s *Service) CloseLegalCase(ctx context.Context, by Actor, cl store.LegalCaseClosing) (store.LegalCase, error) {
	if err := by.Authorize(CasesDecide); err != nil {
		return store.LegalCase{}, err
	}
	cl.Actor, cl.RequestID = by.Name(), by.RequestID
	return s.store.CloseLegalCase(ctx, by.Viewer(), cl, s.now())
}

// PlaceHold puts an invoice on hold for a reason: no customer contact, and
// the workflows that pause on invoice.on_hold wait.
func (s *Service) PlaceHold(ctx context.Context, by Actor, invoice, reason string) (store.InvoiceHold, error) {
	if err := by.Authorize(CasesDecide); err != nil {
		return store.InvoiceHold{}, err
	}
	return s.store.PlaceHold(ctx, by.Viewer(), invoice, reason, by.Name(), by.RequestID, s.now())
}

// ReleaseHold lifts a person's hold on an invoice.
func (s *Service) ReleaseHold(ctx context.Context, by Actor, invoice string) (store.InvoiceHold, error) {
	if err := by.Authorize(CasesDecide); err != nil {
		return store.InvoiceHold{}, err
	}
	return s.store.ReleaseHold(ctx, by.Viewer(), invoice, by.Name(), by.RequestID, s.now())
}
