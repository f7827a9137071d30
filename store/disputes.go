package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/recoup/recoup/calendar"
	"github.com/recoup/recoup/engine"
)

// Dispute is a dispute of an invoice (or part of it).
type Dispute struct {
	ID             int64         `json:"id"`
	Invoice        string        `json:"invoice"`
	Reason         string        `json:"reason"`
	Description    string        `json:"description"`
	DisputedMinor  int64         `json:"disputed_minor"`
	Currency       string        `json:"currency"`
	Owner          string        `json:"owner"`
	SLADue         calendar.Date `json:"sla_due"`
	Status         string        `json:"status"`
	ResolutionNote string        `json:"resolution_note"`
	ResolvedMinor  int64         `json:"resolved_minor"`
	SourceTaskID   int64         `json:"source_task_id,omitempty"`
	OpenedBy       string        `json:"opened_by"`
	OpenedAt       time.Time     `json:"opened_at"`
	ResolvedBy     string        `json:"resolved_by,omitempty"`
	ResolvedAt     *time.Time    `json:"resolved_at,omitempty"`
}

// DisputeIn is a dispute to open.
type DisputeIn struct {
	Invoice     string
	Reason      string // an active code of the company's list (DisputeReasons)
	Description string
	// DisputedMinor is the amount disputed, in Currency (the invoice's;
	// "" means the invoice's). WholeBalance disputes the whole balance
	// instead (a call outcome names no amount).
	DisputedMinor int64
	Currency      string
	WholeBalance  bool
	Owner         string        // a user's email; "": the invoice's owner
	SLADue        calendar.Date // zero: engine.DisputeSLADays from today
	SourceTaskID  int64         // the call task it came from (0: entered directly)
	Actor         string
	RequestID     string
}

// OpenDispute opens a dispute on an invoice v may see and marks the
// invoice disputed (its escalation pauses), in one transaction with its
// audit entry. Its reason must be an active one of the company's list,
// read in that transaction. A dispute that engine.CheckDispute refuses is an
// engine.FormErrors and nothing is written; a second open dispute on the
// invoice is ErrConflict. A dispute from a task already recorded is
// returned as it is.
func (s *Store) OpenDispute(ctx context.Context, v Viewer, in DisputeIn, c engine.Clock) (Dispute, error) {
	now := c.Now.UTC()
	tx, err := s.sqlDB.BeginTx(ctx, nil)
	if err != nil {
		return Dispute{}, err
	}
	defer tx.Rollback()
	inv, err := s.lockCaseInvoice(ctx, tx, v, in.Invoice, 0)
	if err != nil {
		return Dispute{}, err
	}
	if in.SourceTaskID != 0 {
		if d, err := s.disputeWhere(ctx, tx, "d.source_task_id = ?", in.SourceTaskID); err == nil {
			return d, nil
		} else if !errors.Is(err, ErrNotFound) {
			return Dispute{}, err
		}
	}
	if in.WholeBalance {
		in.DisputedMinor = inv.balance
	}
	reasons, _, err := s.disputeReasons(ctx, tx)
	if err != nil {
		return Dispute{}, err
	}
	today := c.Today()
	if err := engine.CheckDispute(engine.DisputeCheck{Reason: in.Reason, Reasons: reasons, SLADue: in.SLADue, Today: today,
		Amount: engine.Amount{Minor: in.DisputedMinor, BalanceMinor: inv.balance, Currency: in.Currency, InvoiceCurrency: inv.currency}}); err != nil {
		return Dispute{}, err
	}
	owner := inv.ownerID
	if in.Owner != "" {
		if owner, err = s.userByEmail(ctx, tx, in.Owner, "/owner"); err != nil {
			return Dispute{}, err
		}
	}
	if in.SLADue.IsZero() {
		in.SLADue = today.AddDays(engine.DisputeSLADays)
	}
	var open int
	if err := tx.QueryRowContext(ctx, s.rebind("SELECT COUNT(*) FROM disputes WHERE invoice_id = ? AND status = ?"), inv.id, engine.DisputeOpen).Scan(&open); err != nil {
		return Dispute{}, err
	}
	if open > 0 {
		return Dispute{}, fmt.Errorf("invoice %s already has an open dispute: resolve it first: %w", inv.number, ErrConflict)
	}
	var id int64
	if err := tx.QueryRowContext(ctx, s.rebind(`INSERT INTO disputes (invoice_id, reason, description, disputed_minor, currency, owner_id, sla_due,
		status, source_task_id, opened_by, opened_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`),
		inv.id, in.Reason, strings.TrimSpace(in.Description), in.DisputedMinor, inv.currency, nullID(owner), in.SLADue,
		engine.DisputeOpen, nullID(in.SourceTaskID), in.Actor, now).Scan(&id); err != nil {
		return Dispute{}, err
	}
	if _, err := tx.ExecContext(ctx, s.rebind("UPDATE invoices SET disputed = ?, updated_at = ? WHERE id = ?"), true, now, inv.id); err != nil {
		return Dispute{}, err
	}
	if err := s.appendAudit(ctx, tx, AuditRecord{At: now, Actor: in.Actor, Action: ActionDisputeOpened, Entity: "dispute", EntityID: id,
		InvoiceID: inv.id, RequestID: in.RequestID,
		Detail: map[string]any{"reason": in.Reason, "description": in.Description, "disputed_minor": in.DisputedMinor, "currency": inv.currency,
			"sla_due": in.SLADue, "source_task_id": in.SourceTaskID},
		Before: map[string]any{"disputed": inv.disputed}, After: map[string]any{"disputed": true}}); err != nil {
		return Dispute{}, err
	}
	d, err := s.disputeWhere(ctx, tx, "d.id = ?", id)
	if err != nil {
		return Dispute{}, err
	}
	return d, tx.Commit()
}

// DisputeResolution resolves an open dispute.
type DisputeResolution struct {
	ID        int64
	Status    string // engine.DisputeUpheld or engine.DisputeRejected
	Note      string
	Actor     string
	RequestID string
}

// ResolveDispute resolves open dispute r.ID of an invoice v may see, in one
// transaction: rejected clears the invoice's disputed flag (its escalation
// resumes where it stands); upheld also takes the disputed amount (at most
// the balance now) off the balance (creditInvoice) and records it as the
// dispute's resolved_minor. A dispute not open is ErrConflict.
func (s *Store) ResolveDispute(ctx context.Context, v Viewer, r DisputeResolution, now time.Time) (Dispute, error) {
	now = now.UTC()
	var errs engine.FormErrors
	if r.Status != engine.DisputeUpheld && r.Status != engine.DisputeRejected {
		errs = append(errs, engine.FieldError{Field: "/status", Message: "must be upheld or rejected"})
	}
	if strings.TrimSpace(r.Note) == "" {
		errs = append(errs, engine.FieldError{Field: "/note", Message: "is required: say why"})
	}
	if len(errs) > 0 {
		return Dispute{}, errs
	}
	tx, err := s.sqlDB.BeginTx(ctx, nil)
	if err != nil {
		return Dispute{}, err
	}
	defer tx.Rollback()
	d, err := s.disputeWhere(ctx, tx, "d.id = ?", r.ID)
	if err != nil {
		return Dispute{}, err
	}
	inv, err := s.lockCaseInvoice(ctx, tx, v, d.Invoice, 0)
	if err != nil {
		return Dispute{}, err
	}
	if d.Status != engine.DisputeOpen {
		return Dispute{}, fmt.Errorf("dispute %d is already %s: %w", d.ID, d.Status, ErrConflict)
	}
	var resolved int64
	if r.Status == engine.DisputeUpheld {
		resolved = min(d.DisputedMinor, inv.balance)
		if err := s.creditInvoice(ctx, tx, inv.id, resolved, AdjustCreditNote, fmt.Sprintf("dispute/%d", d.ID),
			"dispute upheld: "+strings.TrimSpace(r.Note), r.Actor, now); err != nil {
			return Dispute{}, err
		}
	}
	n, err := s.execCount(ctx, tx, `UPDATE disputes SET status = ?, resolution_note = ?, resolved_minor = ?, resolved_by = ?, resolved_at = ?
		WHERE id = ? AND status = ?`, r.Status, strings.TrimSpace(r.Note), resolved, r.Actor, now, d.ID, engine.DisputeOpen)
	if err != nil {
		return Dispute{}, err
	}
	if n == 0 {
		return Dispute{}, fmt.Errorf("dispute %d is no longer open: %w", d.ID, ErrConflict)
	}
	if _, err := tx.ExecContext(ctx, s.rebind("UPDATE invoices SET disputed = ?, updated_at = ? WHERE id = ?"), false, now, inv.id); err != nil {
		return Dispute{}, err
	}
	if err := s.appendAudit(ctx, tx, AuditRecord{At: now, Actor: r.Actor, Action: ActionDisputeResolved, Entity: "dispute", EntityID: d.ID,
		InvoiceID: inv.id, RequestID: r.RequestID,
		Detail: map[string]any{"status": r.Status, "note": r.Note, "resolved_minor": resolved, "currency": inv.currency},
		Before: map[string]any{"disputed": inv.disputed, "balance_minor": inv.balance},
		After:  map[string]any{"disputed": false, "balance_minor": inv.balance - resolved}}); err != nil {
		return Dispute{}, err
	}
	if d, err = s.disputeWhere(ctx, tx, "d.id = ?", d.ID); err != nil {
		return Dispute{}, err
	}
	return d, tx.Commit()
}

// execCount runs q in tx and returns how many rows it changed.
func (s *Store) execCount(ctx context.Context, tx *sql.Tx, q string, args ...any) (int64, error) {
	r, err := tx.ExecContext(ctx, s.rebind(q), args...)
	if err != nil {
		return 0, err
	}
	return r.RowsAffected()
}

const disputeColumns = `d.id, i.number, d.reason, d.description, d.disputed_minor, d.currency, COALESCE(u.email, ''), d.sla_due, d.status,
	d.resolution_note, d.resolved_minor, COALESCE(d.source_task_id, 0), d.opened_by, d.opened_at, d.resolved_by, d.resolved_at
	FROM disputes d JOIN invoices i ON i.id = d.invoice_id LEFT JOIN users u ON u.id = d.owner_id`

type rowScanner interface{ Scan(...any) error }

func scanDispute(r rowScanner) (Dispute, error) {
	var (
		d        Dispute
		opened   dbTime
		resolved dbTime
	)
	err := r.Scan(&d.ID, &d.Invoice, &d.Reason, &d.Description, &d.DisputedMinor, &d.Currency, &d.Owner, &d.SLADue, &d.Status,
		&d.ResolutionNote, &d.ResolvedMinor, &d.SourceTaskID, &d.OpenedBy, &opened, &d.ResolvedBy, &resolved)
	d.OpenedAt = opened.Time.UTC()
	if resolved.Valid {
		t := resolved.Time.UTC()
		d.ResolvedAt = &t
	}
	return d, err
}

// disputeWhere reads the one dispute matching cond, or ErrNotFound.
func (s *Store) disputeWhere(ctx context.Context, tx *sql.Tx, cond string, args ...any) (Dispute, error) {
	return caseRow(ctx, s, tx, "dispute", "SELECT "+disputeColumns+" WHERE "+cond, scanDispute, args...)
}

// invoiceDisputes lists the disputes of invoice id, oldest first.
func (s *Store) invoiceDisputes(ctx context.Context, id int64) ([]Dispute, error) {
	return caseRows(ctx, s, "SELECT "+disputeColumns+" WHERE d.invoice_id = ? ORDER BY d.id", scanDispute, id)
}
