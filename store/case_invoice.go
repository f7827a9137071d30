package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/recoup/recoup/engine"
)

// Audit actions of disputes, promises, legal cases and holds (issue 16).
const (
	ActionDisputeOpened     = "dispute.opened"
	ActionDisputeResolved   = "dispute.resolved"
	ActionPromiseRecorded   = "promise.recorded"
	ActionPromiseCancelled  = "promise.cancelled"
	ActionPromiseSettled    = "promise.settled"
	ActionLegalCaseOpened   = "legal_case.opened"
	ActionLegalCaseClosed   = "legal_case.closed"
	ActionInvoiceHoldPlaced = "invoice.hold_placed"
	ActionInvoiceHoldLifted = "invoice.hold_released"
)

// caseInvoice is the invoice a dispute, promise, legal case or hold is
// about, read (and on PostgreSQL locked) inside the writing transaction.
type caseInvoice struct {
	id, customerID, ownerID int64
	number, currency        string
	status, hold            string
	balance                 int64
	disputed                bool
}

// lockCaseInvoice reads invoice number (or, with number "", invoice id) in
// tx if v may see it: ErrNotFound when there is none, ErrHidden when v may
// not see it.
func (s *Store) lockCaseInvoice(ctx context.Context, tx *sql.Tx, v Viewer, number string, id int64) (caseInvoice, error) {
	scope, args := v.invoiceScope()
	where, key := "i.number = ?", any(number)
	if number == "" {
		where, key = "i.id = ?", id
	}
	lock := ""
	if s.dialect == Postgres {
		lock = " FOR UPDATE OF i"
	}
	var (
		in      caseInvoice
		visible bool
		owner   sql.NullInt64
	)
	err := tx.QueryRowContext(ctx, s.rebind(`SELECT i.id, i.customer_id, i.owner_id, i.number, i.currency, i.status, i.hold, i.balance_minor, i.disputed,
		CASE WHEN `+scope+` THEN 1 ELSE 0 END = 1
		FROM invoices i JOIN customers c ON c.id = i.customer_id WHERE `+where+lock), append(args, key)...).
		Scan(&in.id, &in.customerID, &owner, &in.number, &in.currency, &in.status, &in.hold, &in.balance, &in.disputed, &visible)
	if errors.Is(err, sql.ErrNoRows) {
		if number == "" {
			return in, fmt.Errorf("invoice %d: %w", id, ErrNotFound)
		}
		return in, fmt.Errorf("invoice %q: %w", number, ErrNotFound)
	}
	if err != nil {
		return in, err
	}
	if !visible {
		return in, fmt.Errorf("invoice %q: %w", in.number, ErrHidden)
	}
	in.ownerID = owner.Int64
	return in, nil
}

// creditInvoice takes minor off invoice id's balance, in tx: what an upheld
// dispute or a legal settlement forgives. It is the one place that does so;
// the balance reaching zero makes the invoice paid, which stops its
// escalation.
//
// TODO(issue 16 §2/§6): record this as an adjustment with the shared
// adjustment function when it lands. Until then the reduction lives only in
// balance_minor (and in the dispute's or case's resolved_minor), and a later
// recomputation of the balance from its payments (store/bulk.go
// recomputeBalances: amount + fees − paid) does not know it.
func (s *Store) creditInvoice(ctx context.Context, tx *sql.Tx, id, minor int64, now time.Time) error {
	if minor <= 0 {
		return nil
	}
	_, err := tx.ExecContext(ctx, s.rebind(`UPDATE invoices SET balance_minor = balance_minor - ?,
		status = CASE WHEN balance_minor - ? <= 0 THEN ? ELSE status END, updated_at = ? WHERE id = ?`),
		minor, minor, engine.StatusPaid, now, id)
	return err
}

// userByEmail is the id of the active user email (0 for ""), or a field
// error on field.
func (s *Store) userByEmail(ctx context.Context, tx *sql.Tx, email, field string) (int64, error) {
	if email == "" {
		return 0, nil
	}
	var id int64
	err := tx.QueryRowContext(ctx, s.rebind("SELECT id FROM users WHERE lower(email) = lower(?) AND active = ?"), email, true).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, engine.FormErrors{{Field: field, Message: fmt.Sprintf("no active user %q", email)}}
	}
	return id, err
}

// userEmail is the email of user id ("" for 0).
func (s *Store) userEmail(ctx context.Context, q interface {
	QueryRowContext(context.Context, string, ...any) *sql.Row
}, id int64) (string, error) {
	if id == 0 {
		return "", nil
	}
	var email string
	err := q.QueryRowContext(ctx, s.rebind("SELECT email FROM users WHERE id = ?"), id).Scan(&email)
	return email, err
}
