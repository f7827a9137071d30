package store

import (
	"context"
	"time"
)

// AuditRecord is one action to record in the audit log: who did what to
// which record. Entity and EntityID name the record; Invoice, when set, is
// the number of the invoice it concerns (or InvoiceID its id). Before and
// After are the values a change replaced and set (e.g. {"role": "rep"} and
// {"role": "finance"}), nil when there is none.
type AuditRecord struct {
	At        time.Time
	Actor     string // a user's email, a token's name, or tick / import with its run
	Action    string // e.g. auth.login, user.created, definition.published
	Entity    string
	EntityID  int64
	Invoice   string
	InvoiceID int64
	Detail    any // marshalled as JSON
	Before    any // marshalled as JSON; nil for none
	After     any // marshalled as JSON; nil for none
	RequestID string
}

// AppendAudit records one action in the audit log, in a transaction of its
// own, at the end of the audit chain (see audit_chain.go).
func (s *Store) AppendAudit(ctx context.Context, r AuditRecord) error {
	tx, err := s.sqlDB.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if err := s.appendAudit(ctx, tx, r); err != nil {
		return err
	}
	return tx.Commit()
}
