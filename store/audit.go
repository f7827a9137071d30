package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"time"
)

// AuditEntry is one line of the audit log.
type AuditEntry struct {
	ID       int64           `json:"id"`
	At       time.Time       `json:"at"`
	Actor    string          `json:"actor"`
	Action   string          `json:"action"`
	Entity   string          `json:"entity"`
	EntityID int64           `json:"entity_id,omitempty"`
	Invoice  string          `json:"invoice,omitempty"`
	Detail   json.RawMessage `json:"detail,omitempty"`
	// Before and After are the values a change replaced and set.
	Before    json.RawMessage `json:"before,omitempty"`
	After     json.RawMessage `json:"after,omitempty"`
	RequestID string          `json:"request_id,omitempty"`
	Hash      string          `json:"hash,omitempty"` // the row's link in the audit chain
}

// AuditFilter selects audit entries; zero fields do not filter.
type AuditFilter struct {
	Action, Actor, Entity, Invoice string
	From, To                       time.Time // at or after From, before To
	Cursor                         string    // the previous page's NextCursor
	BeforeID                       int64     // entries older than this id (the older form of Cursor)
	Limit                          int       // default 100, at most 500
}

// AuditPage is one page of the audit log, newest first.
type AuditPage struct {
	Items      []AuditEntry `json:"items"`
	NextCursor string       `json:"next_cursor,omitempty"`
}

// Audit searches the audit log, newest first, one page at a time.
func (s *Store) Audit(ctx context.Context, f AuditFilter) (AuditPage, error) {
	page := AuditPage{Items: []AuditEntry{}}
	q := `SELECT a.id, a.at, a.actor, a.action, a.entity, COALESCE(a.entity_id, 0), COALESCE(i.number, ''), a.detail, a."before", a."after", a.request_id, COALESCE(a.hash, '')
		FROM audit_log a LEFT JOIN invoices i ON i.id = a.invoice_id WHERE 1 = 1`
	var args []any
	add := conds{&q, &args}.and
	for _, c := range []struct{ cond, v string }{{"a.action = ?", f.Action}, {"a.actor = ?", f.Actor}, {"a.entity = ?", f.Entity}} {
		if c.v != "" {
			add(c.cond, c.v)
		}
	}
	if f.Invoice != "" {
		// By the invoice's id: the audit log's index on invoice_id serves it.
		add("a.invoice_id IN (SELECT fi.id FROM invoices fi WHERE fi.number = ?)", f.Invoice)
	}
	if !f.From.IsZero() {
		add("a.at >= ?", f.From.UTC())
	}
	if !f.To.IsZero() {
		add("a.at < ?", f.To.UTC())
	}
	if f.Cursor != "" {
		before, err := decodeCursor(f.Cursor)
		if err != nil {
			return page, err
		}
		add("a.id < ?", before)
	}
	if f.BeforeID > 0 {
		add("a.id < ?", f.BeforeID)
	}
	if f.Limit <= 0 {
		f.Limit = 100
	}
	f.Limit = min(f.Limit, 500)
	q += " ORDER BY a.id DESC LIMIT ?"
	args = append(args, f.Limit+1)
	err := s.queryRows(ctx, q, args, func(rows *sql.Rows) error {
		var e AuditEntry
		var detail, before, after []byte
		if err := rows.Scan(&e.ID, &e.At, &e.Actor, &e.Action, &e.Entity, &e.EntityID, &e.Invoice, &detail, &before, &after, &e.RequestID, &e.Hash); err != nil {
			return err
		}
		e.Detail = json.RawMessage(detail)
		if before != nil {
			e.Before = json.RawMessage(before)
		}
		if after != nil {
			e.After = json.RawMessage(after)
		}
		page.Items = append(page.Items, e)
		return nil
	})
	if len(page.Items) > f.Limit {
		page.Items = page.Items[:f.Limit]
		page.NextCursor = encodeCursor(page.Items[f.Limit-1].ID)
	}
	return page, err
}
