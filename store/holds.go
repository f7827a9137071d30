package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"github.com/recoup/recoup/engine"
)

// InvoiceHold is an invoice's hold after a change.
type InvoiceHold struct {
	Invoice string `json:"invoice"`
	OnHold  bool   `json:"on_hold"`
	Reason  string `json:"reason"` // "legal" for a legal case, else a person's reason
}

// maxHoldReason is the longest hold reason kept.
const maxHoldReason = 500

// PlaceHold puts an invoice v may see on hold for reason (a person's; the
// legal hold comes with a legal case), stopping customer contact and the
// workflows that pause on invoice.on_hold. An invoice already on hold is
// ErrConflict.
func (s *Store) PlaceHold(ctx context.Context, v Viewer, invoice, reason, actor, requestID string, now time.Time) (InvoiceHold, error) {
	reason = strings.TrimSpace(reason)
	switch {
	case reason == "":
		return InvoiceHold{}, engine.FormErrors{{Field: "/reason", Message: "is required: say why the invoice is held"}}
	case reason == engine.HoldLegal:
		return InvoiceHold{}, engine.FormErrors{{Field: "/reason", Message: `"legal" is the hold of a legal case: open a legal case instead`}}
	case len(reason) > maxHoldReason:
		return InvoiceHold{}, engine.FormErrors{{Field: "/reason", Message: fmt.Sprintf("must be at most %d characters", maxHoldReason)}}
	}
	return s.changeHold(ctx, v, invoice, func(inv caseInvoice) (string, error) {
		if inv.hold != "" {
			return "", fmt.Errorf("invoice %s is already on hold (%s): %w", inv.number, inv.hold, ErrConflict)
		}
		return reason, nil
	}, actor, requestID, now)
}

// ReleaseHold lifts a person's hold on an invoice v may see. The legal
// hold is lifted only by closing its legal case (ErrConflict), and an
// invoice not on hold is ErrConflict.
func (s *Store) ReleaseHold(ctx context.Context, v Viewer, invoice, actor, requestID string, now time.Time) (InvoiceHold, error) {
	return s.changeHold(ctx, v, invoice, func(inv caseInvoice) (string, error) {
		switch inv.hold {
		case "":
			return "", fmt.Errorf("invoice %s is not on hold: %w", inv.number, ErrConflict)
		case engine.HoldLegal:
			return "", fmt.Errorf("invoice %s is held by its legal case: close the case to release it: %w", inv.number, ErrConflict)
		}
		return "", nil
	}, actor, requestID, now)
}

// changeHold sets the hold decide returns on an invoice v may see, in one
// transaction with its audit entry.
func (s *Store) changeHold(ctx context.Context, v Viewer, invoice string, decide func(caseInvoice) (string, error), actor, requestID string, now time.Time) (InvoiceHold, error) {
	now = now.UTC()
	tx, err := s.sqlDB.BeginTx(ctx, nil)
	if err != nil {
		return InvoiceHold{}, err
	}
	defer tx.Rollback()
	inv, err := s.lockCaseInvoice(ctx, tx, v, invoice, 0)
	if err != nil {
		return InvoiceHold{}, err
	}
	hold, err := decide(inv)
	if err != nil {
		return InvoiceHold{}, err
	}
	if err := s.setHold(ctx, tx, inv, hold, actor, requestID, now); err != nil {
		return InvoiceHold{}, err
	}
	return InvoiceHold{Invoice: inv.number, OnHold: hold != "", Reason: hold}, tx.Commit()
}

// setHold writes invoice inv's hold in tx and audits the change.
func (s *Store) setHold(ctx context.Context, tx *sql.Tx, inv caseInvoice, hold, actor, requestID string, now time.Time) error {
	if _, err := tx.ExecContext(ctx, s.rebind("UPDATE invoices SET hold = ?, updated_at = ? WHERE id = ?"), hold, now, inv.id); err != nil {
		return err
	}
	action, reason := ActionInvoiceHoldPlaced, hold
	if hold == "" {
		action, reason = ActionInvoiceHoldLifted, inv.hold
	}
	return s.appendAudit(ctx, tx, AuditRecord{At: now, Actor: actor, Action: action, Entity: "invoice", EntityID: inv.id, InvoiceID: inv.id,
		RequestID: requestID, Detail: map[string]any{"reason": reason},
		Before: map[string]any{"hold": inv.hold}, After: map[string]any{"hold": hold}})
}
