package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"

	"github.com/recoup/recoup/calendar"
	"github.com/recoup/recoup/engine"
)

// InvoiceSubject reads the invoice ref (its number, or its id), its customer
// and the payment aggregates at clock c: what a template preview renders
// against.
func (s *Store) InvoiceSubject(ctx context.Context, ref string, c engine.Clock) (*engine.Subject, error) {
	q := s.sqlDB
	var (
		subj              engine.Subject
		inv               = &subj.Invoice
		cu                = &subj.Customer
		invOwner, cuOwner sql.NullInt64
		invCustom, cuCust string
	)
	where, args := "i.number = ?", []any{ref}
	if id, err := strconv.ParseInt(ref, 10, 64); err == nil {
		where, args = "(i.number = ? OR i.id = ?)", []any{ref, id}
	}
	err := q.QueryRowContext(ctx, s.rebind(`SELECT i.id, i.number, i.customer_id, i.currency, i.amount_minor, i.balance_minor, i.issue_date, i.due_date,
		i.status, i.owner_id, i.disputed, i.hold, i.custom,
		c.external_id, c.name, c.email, c.phone, c.finance_email, c.owner_id, c.region, c.industry, c.credit_limit_minor, c.credit_currency,
		c.credit_rating, c.risk, c.locale, c.time_zone, c.do_not_contact, c.custom
		FROM invoices i JOIN customers c ON c.id = i.customer_id WHERE `+where), args...).Scan(
		&inv.ID, &inv.Number, &inv.CustomerID, &inv.Currency, &inv.AmountMinor, &inv.BalanceMinor, &inv.IssueDate, &inv.DueDate,
		&inv.Status, &invOwner, &inv.Disputed, &inv.Hold, &invCustom,
		&cu.ExternalID, &cu.Name, &cu.Email, &cu.Phone, &cu.FinanceEmail, &cuOwner, &cu.Region, &cu.Industry, &cu.CreditLimitMinor, &cu.CreditCurrency,
		&cu.CreditRating, &cu.Risk, &cu.Locale, &cu.TimeZone, &cu.DoNotContact, &cuCust)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("invoice %q: %w", ref, ErrNotFound)
	}
	if err != nil {
		return nil, err
	}
	cu.ID = inv.CustomerID
	if invCustom != "" && invCustom != "{}" {
		if err := json.Unmarshal([]byte(invCustom), &inv.Custom); err != nil {
			return nil, fmt.Errorf("invoice %s: custom fields: %w", inv.Number, err)
		}
	}
	if cuCust != "" && cuCust != "{}" {
		if err := json.Unmarshal([]byte(cuCust), &subj.CustomerCustom); err != nil {
			return nil, fmt.Errorf("customer %s: custom fields: %w", cu.ExternalID, err)
		}
	}
	for _, o := range []struct {
		id  sql.NullInt64
		dst *string
	}{{invOwner, &inv.OwnerEmail}, {cuOwner, &cu.OwnerEmail}} {
		if o.id.Valid {
			if err := q.QueryRowContext(ctx, s.rebind(`SELECT email FROM users WHERE id = ?`), o.id.Int64).Scan(o.dst); err != nil {
				return nil, err
			}
		}
	}
	// Payment aggregates over the customer's invoices, as the tick sees them.
	rows, err := q.QueryContext(ctx, s.rebind(`SELECT id, balance_minor, due_date FROM invoices WHERE customer_id = ?`), inv.CustomerID)
	if err != nil {
		return nil, err
	}
	var all []engine.Invoice
	for rows.Next() {
		var iv engine.Invoice
		var due calendar.Date
		if err := rows.Scan(&iv.ID, &iv.BalanceMinor, &due); err != nil {
			rows.Close()
			return nil, err
		}
		iv.CustomerID, iv.DueDate = inv.CustomerID, due
		all = append(all, iv)
	}
	if err := rows.Close(); err != nil {
		return nil, err
	}
	rows, err = q.QueryContext(ctx, s.rebind(`SELECT p.invoice_id, p.amount_minor, p.currency, p.paid_at FROM payments p
		JOIN invoices i ON i.id = p.invoice_id WHERE i.customer_id = ?`), inv.CustomerID)
	if err != nil {
		return nil, err
	}
	var pays []engine.Payment
	for rows.Next() {
		var p engine.Payment
		if err := rows.Scan(&p.InvoiceID, &p.AmountMinor, &p.Currency, &p.PaidAt); err != nil {
			rows.Close()
			return nil, err
		}
		pays = append(pays, p)
	}
	if err := rows.Close(); err != nil {
		return nil, err
	}
	subj.Payments = engine.ComputePaymentStats(*inv, all, pays, c)
	return &subj, nil
}
