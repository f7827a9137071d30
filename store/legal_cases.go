package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/recoup/recoup/calendar"
	"github.com/recoup/recoup/engine"
)

// LegalCase is legal action about an invoice. While it is open the invoice
// is on hold (engine.HoldLegal): no customer contact.
type LegalCase struct {
	ID              int64         `json:"id"`
	Invoice         string        `json:"invoice"`
	OpenedOn        calendar.Date `json:"opened_on"`
	Owner           string        `json:"owner"`
	Status          string        `json:"status"`
	Notes           string        `json:"notes"`
	Documents       []string      `json:"documents"`
	SourceTaskID    int64         `json:"source_task_id,omitempty"`
	SettlementMinor int64         `json:"settlement_minor"`
	ResolvedMinor   int64         `json:"resolved_minor"` // taken off the balance by a settlement
	Currency        string        `json:"currency"`
	OpenedBy        string        `json:"opened_by"`
	OpenedAt        time.Time     `json:"opened_at"`
	ClosedBy        string        `json:"closed_by,omitempty"`
	ClosedAt        *time.Time    `json:"closed_at,omitempty"`
}

// LegalCaseIn is a legal case to open.
type LegalCaseIn struct {
	Invoice      string
	OpenedOn     calendar.Date // zero: today
	Owner        string        // a user's email; "": the actor when a user, else none
	Notes        string
	Documents    []string // names or URLs
	SourceTaskID int64    // the director's decision it came from
	Actor        string
	RequestID    string
}

// OpenLegalCase opens a legal case on an invoice v may see and places the
// legal hold, in one transaction with its audit entry. A second open case
// on the invoice is ErrConflict; a case from a decision already recorded is
// returned as it is.
func (s *Store) OpenLegalCase(ctx context.Context, v Viewer, in LegalCaseIn, c engine.Clock) (LegalCase, error) {
	now := c.Now.UTC()
	tx, err := s.sqlDB.BeginTx(ctx, nil)
	if err != nil {
		return LegalCase{}, err
	}
	defer tx.Rollback()
	inv, err := s.lockCaseInvoice(ctx, tx, v, in.Invoice, 0)
	if err != nil {
		return LegalCase{}, err
	}
	if in.SourceTaskID != 0 {
		if lc, err := s.legalCaseWhere(ctx, tx, "l.source_task_id = ?", in.SourceTaskID); err == nil {
			return lc, nil
		} else if !errors.Is(err, ErrNotFound) {
			return LegalCase{}, err
		}
	}
	var errs engine.FormErrors
	if in.OpenedOn.IsZero() {
		in.OpenedOn = c.Today()
	} else if in.OpenedOn.After(c.Today()) {
		errs = append(errs, engine.FieldError{Field: "/opened_on", Message: fmt.Sprintf("cannot be after today, %s", c.Today())})
	}
	docs := []string{}
	for i, d := range in.Documents {
		if d = strings.TrimSpace(d); d == "" {
			errs = append(errs, engine.FieldError{Field: fmt.Sprintf("/documents/%d", i), Message: "is empty"})
		} else {
			docs = append(docs, d)
		}
	}
	owner, err := s.userByEmail(ctx, tx, in.Owner, "/owner")
	var fe engine.FormErrors
	if errors.As(err, &fe) {
		errs = append(errs, fe...)
	} else if err != nil {
		return LegalCase{}, err
	}
	if len(errs) > 0 {
		return LegalCase{}, errs
	}
	var open int
	if err := tx.QueryRowContext(ctx, s.rebind("SELECT COUNT(*) FROM legal_cases WHERE invoice_id = ? AND status = ?"), inv.id, engine.CaseOpen).Scan(&open); err != nil {
		return LegalCase{}, err
	}
	if open > 0 {
		return LegalCase{}, fmt.Errorf("invoice %s already has an open legal case: %w", inv.number, ErrConflict)
	}
	docJSON, _ := json.Marshal(docs)
	var id int64
	if err := tx.QueryRowContext(ctx, s.rebind(`INSERT INTO legal_cases (invoice_id, opened_on, owner_id, status, notes, documents, source_task_id,
		opened_by, opened_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`),
		inv.id, in.OpenedOn, nullID(owner), engine.CaseOpen, strings.TrimSpace(in.Notes), string(docJSON), nullID(in.SourceTaskID),
		in.Actor, now).Scan(&id); err != nil {
		return LegalCase{}, err
	}
	if err := s.setHold(ctx, tx, inv, engine.HoldLegal, in.Actor, in.RequestID, now); err != nil {
		return LegalCase{}, err
	}
	if err := s.appendAudit(ctx, tx, AuditRecord{At: now, Actor: in.Actor, Action: ActionLegalCaseOpened, Entity: "legal_case", EntityID: id,
		InvoiceID: inv.id, RequestID: in.RequestID,
		Detail: map[string]any{"opened_on": in.OpenedOn, "owner": in.Owner, "notes": in.Notes, "documents": docs, "source_task_id": in.SourceTaskID}}); err != nil {
		return LegalCase{}, err
	}
	lc, err := s.legalCaseWhere(ctx, tx, "l.id = ?", id)
	if err != nil {
		return LegalCase{}, err
	}
	return lc, tx.Commit()
}

// LegalCaseClosing closes an open legal case.
type LegalCaseClosing struct {
	ID     int64
	Status string // engine.CaseRecovered, CaseSettled or CaseLost
	// SettlementMinor is what the customer pays under a settlement; the
	// rest of the balance is forgiven.
	SettlementMinor int64
	Notes           string
	Actor           string
	RequestID       string
}

// CloseLegalCase closes open legal case cl.ID of an invoice v may see and
// releases the legal hold, in one transaction: recovered changes nothing
// else; settled takes the balance beyond the settlement off it as a
// settlement adjustment; lost writes the rest off (creditInvoice, the spot
// an upheld dispute uses).
func (s *Store) CloseLegalCase(ctx context.Context, v Viewer, cl LegalCaseClosing, now time.Time) (LegalCase, error) {
	now = now.UTC()
	tx, err := s.sqlDB.BeginTx(ctx, nil)
	if err != nil {
		return LegalCase{}, err
	}
	defer tx.Rollback()
	lc, err := s.legalCaseWhere(ctx, tx, "l.id = ?", cl.ID)
	if err != nil {
		return LegalCase{}, err
	}
	inv, err := s.lockCaseInvoice(ctx, tx, v, lc.Invoice, 0)
	if err != nil {
		return LegalCase{}, err
	}
	if err := engine.CheckCaseClose(engine.CaseClose{Status: cl.Status,
		Settlement: engine.Amount{Minor: cl.SettlementMinor, BalanceMinor: inv.balance, InvoiceCurrency: inv.currency}}); err != nil {
		return LegalCase{}, err
	}
	if lc.Status != engine.CaseOpen {
		return LegalCase{}, fmt.Errorf("legal case %d is already %s: %w", lc.ID, lc.Status, ErrConflict)
	}
	var resolved int64
	status := inv.status
	switch cl.Status {
	case engine.CaseSettled:
		resolved = inv.balance - cl.SettlementMinor
		if err := s.creditInvoice(ctx, tx, inv.id, resolved, AdjustSettlement, fmt.Sprintf("legal/%d/settled", lc.ID),
			"legal case settled: "+strings.TrimSpace(cl.Notes), cl.Actor, now); err != nil {
			return LegalCase{}, err
		}
	case engine.CaseLost:
		// The rest is written off: it leaves aging and DSO and counts as
		// bad debt; a later payment is a recovery.
		status, resolved = engine.StatusWrittenOff, inv.balance
		if err := s.creditInvoice(ctx, tx, inv.id, 0, AdjustWriteOff, fmt.Sprintf("legal/%d/lost", lc.ID),
			"legal case lost: "+strings.TrimSpace(cl.Notes), cl.Actor, now); err != nil {
			return LegalCase{}, err
		}
	}
	notes := lc.Notes
	if n := strings.TrimSpace(cl.Notes); n != "" {
		notes = strings.TrimSpace(notes + "\n" + n)
	}
	n, err := s.execCount(ctx, tx, `UPDATE legal_cases SET status = ?, settlement_minor = ?, resolved_minor = ?, notes = ?, closed_by = ?, closed_at = ?
		WHERE id = ? AND status = ?`, cl.Status, cl.SettlementMinor, resolved, notes, cl.Actor, now, lc.ID, engine.CaseOpen)
	if err != nil {
		return LegalCase{}, err
	}
	if n == 0 {
		return LegalCase{}, fmt.Errorf("legal case %d is no longer open: %w", lc.ID, ErrConflict)
	}
	if inv.hold == engine.HoldLegal {
		if err := s.setHold(ctx, tx, inv, "", cl.Actor, cl.RequestID, now); err != nil {
			return LegalCase{}, err
		}
	}
	if err := s.appendAudit(ctx, tx, AuditRecord{At: now, Actor: cl.Actor, Action: ActionLegalCaseClosed, Entity: "legal_case", EntityID: lc.ID,
		InvoiceID: inv.id, RequestID: cl.RequestID,
		Detail: map[string]any{"status": cl.Status, "settlement_minor": cl.SettlementMinor, "resolved_minor": resolved, "notes": cl.Notes},
		Before: map[string]any{"balance_minor": inv.balance, "status": inv.status, "hold": inv.hold},
		After:  map[string]any{"balance_minor": inv.balance - resolved, "status": status, "hold": ""}}); err != nil {
		return LegalCase{}, err
	}
	if lc, err = s.legalCaseWhere(ctx, tx, "l.id = ?", lc.ID); err != nil {
		return LegalCase{}, err
	}
	return lc, tx.Commit()
}

const legalCaseColumns = `l.id, i.number, l.opened_on, COALESCE(u.email, ''), l.status, l.notes, l.documents, COALESCE(l.source_task_id, 0),
	l.settlement_minor, l.resolved_minor, i.currency, l.opened_by, l.opened_at, l.closed_by, l.closed_at
	FROM legal_cases l JOIN invoices i ON i.id = l.invoice_id LEFT JOIN users u ON u.id = l.owner_id`

func scanLegalCase(r rowScanner) (LegalCase, error) {
	var (
		lc             LegalCase
		docs           string
		opened, closed dbTime
	)
	err := r.Scan(&lc.ID, &lc.Invoice, &lc.OpenedOn, &lc.Owner, &lc.Status, &lc.Notes, &docs, &lc.SourceTaskID,
		&lc.SettlementMinor, &lc.ResolvedMinor, &lc.Currency, &lc.OpenedBy, &opened, &lc.ClosedBy, &closed)
	if err != nil {
		return lc, err
	}
	lc.OpenedAt = opened.Time.UTC()
	if closed.Valid {
		t := closed.Time.UTC()
		lc.ClosedAt = &t
	}
	lc.Documents = []string{}
	if docs != "" {
		if err := json.Unmarshal([]byte(docs), &lc.Documents); err != nil {
			return lc, fmt.Errorf("legal case %d: documents: %w", lc.ID, err)
		}
	}
	return lc, nil
}

func (s *Store) legalCaseWhere(ctx context.Context, tx *sql.Tx, cond string, args ...any) (LegalCase, error) {
	return caseRow(ctx, s, tx, "legal case", "SELECT "+legalCaseColumns+" WHERE "+cond, scanLegalCase, args...)
}

// invoiceLegalCases lists the legal cases of invoice id, oldest first.
func (s *Store) invoiceLegalCases(ctx context.Context, id int64) ([]LegalCase, error) {
	return caseRows(ctx, s, "SELECT "+legalCaseColumns+" WHERE l.invoice_id = ? ORDER BY l.id", scanLegalCase, id)
}
