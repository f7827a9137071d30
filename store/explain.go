package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/recoup/recoup/engine"
)

// HistoryEntry is one recorded effect on an invoice, with why it happened.
type HistoryEntry struct {
	At      time.Time `json:"at"`
	Key     string    `json:"key"`
	Kind    string    `json:"kind"`
	Source  string    `json:"source"`
	Version int       `json:"version"`
	// DefinitionKind and Definition name what caused the effect (a Rule,
	// or a Workflow and its Node), read from Source.
	DefinitionKind string          `json:"definition_kind,omitempty"`
	Definition     string          `json:"definition,omitempty"`
	Node           string          `json:"node,omitempty"`
	Invoice        string          `json:"invoice,omitempty"` // the invoice's number, in a customer's history
	Field          string          `json:"field,omitempty"`
	Value          string          `json:"value,omitempty"`
	OldValue       string          `json:"old_value,omitempty"`
	Detail         json.RawMessage `json:"detail"`
	Trace          []TraceEntry    `json:"trace"`
}

// TraceEntry is one value a condition read.
type TraceEntry struct {
	Name  string `json:"name"`
	Value any    `json:"value"`
}

// InvoiceHistory is everything recorded about one invoice, oldest first.
type InvoiceHistory struct {
	Invoice  engine.Invoice   `json:"invoice"`
	Customer string           `json:"customer"`
	Payments []engine.Payment `json:"payments"`
	Effects  []HistoryEntry   `json:"effects"`
}

// InvoiceHistory returns the invoice numbered number with its payments and
// every effect recorded on it, or ErrNotFound.
func (s *Store) InvoiceHistory(ctx context.Context, number string) (InvoiceHistory, error) {
	var h InvoiceHistory
	inv := &h.Invoice
	err := s.sqlDB.QueryRowContext(ctx, s.rebind(`SELECT i.id, i.number, i.customer_id, c.external_id, i.currency, i.amount_minor,
		i.balance_minor, i.issue_date, i.due_date, i.status, i.disputed FROM invoices i JOIN customers c ON c.id = i.customer_id
		WHERE i.number = ?`), number).Scan(&inv.ID, &inv.Number, &inv.CustomerID, &h.Customer, &inv.Currency, &inv.AmountMinor,
		&inv.BalanceMinor, &inv.IssueDate, &inv.DueDate, &inv.Status, &inv.Disputed)
	if errors.Is(err, sql.ErrNoRows) {
		return h, fmt.Errorf("invoice %q: %w", number, ErrNotFound)
	}
	if err != nil {
		return h, err
	}
	rows, err := s.sqlDB.QueryContext(ctx, s.rebind("SELECT id, amount_minor, currency, paid_at, reference FROM payments WHERE invoice_id = ? ORDER BY paid_at, id"), inv.ID)
	if err != nil {
		return h, err
	}
	for rows.Next() {
		p := engine.Payment{InvoiceID: inv.ID}
		if err := rows.Scan(&p.ID, &p.AmountMinor, &p.Currency, &p.PaidAt, &p.Reference); err != nil {
			rows.Close()
			return h, err
		}
		h.Payments = append(h.Payments, p)
	}
	if err := rows.Close(); err != nil {
		return h, err
	}
	rows, err = s.sqlDB.QueryContext(ctx, s.rebind(`SELECT at, key, kind, source, version, field, value, old_value, detail, trace
		FROM effects WHERE invoice_id = ? ORDER BY at, id`), inv.ID)
	if err != nil {
		return h, err
	}
	defer rows.Close()
	for rows.Next() {
		var e HistoryEntry
		var detail, trace string
		if err := rows.Scan(&e.At, &e.Key, &e.Kind, &e.Source, &e.Version, &e.Field, &e.Value, &e.OldValue, &detail, &trace); err != nil {
			return h, err
		}
		e.Detail = json.RawMessage(detail)
		if err := json.Unmarshal([]byte(trace), &e.Trace); err != nil {
			return h, fmt.Errorf("effect %s: trace: %w", e.Key, err)
		}
		h.Effects = append(h.Effects, e)
	}
	return h, rows.Err()
}
