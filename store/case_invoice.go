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

// creditInvoice takes minor off invoice id's balance as an adjustment of
// kind (credit_note for an upheld dispute, settlement for a settled legal
// case, write_off for a lost one: 0 writes off the whole balance), keyed
// by key, in tx: the one adjustment function (RecordAdjustment), so that
// the reduction survives later payments and re-imports and shows in the
// invoice's lines, aging, DSO and bad debt.
func (s *Store) creditInvoice(ctx context.Context, tx *sql.Tx, id, minor int64, kind, key, reason, actor string, now time.Time) error {
	if minor <= 0 && kind != AdjustWriteOff {
		return nil
	}
	b := &BulkTx{s: s, tx: tx, now: now.UTC()}
	defer b.closeStmts()
	_, err := b.recordAdjustment(ctx, AdjustmentIn{Key: key, InvoiceID: id, Kind: kind, AmountMinor: minor, Reason: reason, ApprovedBy: actor, Actor: actor})
	var ae *AdjustmentError
	if errors.As(err, &ae) && kind == AdjustWriteOff && ae.Field == "amount" {
		return nil // nothing left to write off
	}
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

// caseRow reads the one record of query (a record's columns and its WHERE)
// with scan, or ErrNotFound naming what.
func caseRow[T any](ctx context.Context, s *Store, tx *sql.Tx, what, query string, scan func(rowScanner) (T, error), args ...any) (T, error) {
	v, err := scan(tx.QueryRowContext(ctx, s.rebind(query), args...))
	if errors.Is(err, sql.ErrNoRows) {
		return v, fmt.Errorf("%s: %w", what, ErrNotFound)
	}
	return v, err
}

// caseRows lists the records of query with scan (never nil).
func caseRows[T any](ctx context.Context, s *Store, query string, scan func(rowScanner) (T, error), args ...any) ([]T, error) {
	rows, err := s.sqlDB.QueryContext(ctx, s.rebind(query), args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []T{}
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}
