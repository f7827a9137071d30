package store

import (
	"context"
	"encoding/json"
	"time"
)

// AuditRecord is one action to record in the audit log: who did what to
// which record. Entity and EntityID name the record; Invoice, when set, is
// the number of the invoice it concerns.
type AuditRecord struct {
	At        time.Time
	Actor     string // a user's email, a token's name, or tick / import with its run
	Action    string // e.g. auth.login, user.created, definition.published
	Entity    string
	EntityID  int64
	Invoice   string
	Detail    any // marshalled as JSON
	RequestID string
}

// AppendAudit records one action in the audit log, on its own.
func (s *Store) AppendAudit(ctx context.Context, r AuditRecord) error {
	data, err := json.Marshal(r.Detail)
	if err != nil {
		return err
	}
	if r.At.IsZero() {
		r.At = time.Now()
	}
	var entityID any
	if r.EntityID != 0 {
		entityID = r.EntityID
	}
	_, err = s.sqlDB.ExecContext(ctx, s.rebind(`INSERT INTO audit_log (at, actor, action, entity, entity_id, invoice_id, detail)
		VALUES (?, ?, ?, ?, ?, (SELECT id FROM invoices WHERE number = ?), ?)`), r.At.UTC(), r.Actor, r.Action, r.Entity, entityID, r.Invoice, string(data))
	return err
}
