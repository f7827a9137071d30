package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/recoup/recoup/calendar"
)

// SimPayment is a payment a simulation applies on the day it was paid.
type SimPayment struct {
	Reference   string
	Invoice     string
	AmountMinor int64
	Currency    string
	PaidAt      time.Time
}

// CopyForSimulation copies into dst (a fresh, migrated store) the company,
// every user, and the invoices numbered numbers with their customers, as
// they stand now but without payments: a simulation replays the payments
// (returned, oldest first) day by day with ApplySimPayments. Rules and
// workflows start from nothing in dst, as in `recoup simulate`.
func (s *Store) CopyForSimulation(ctx context.Context, dst *Store, numbers []string, now time.Time) ([]SimPayment, error) {
	company, err := s.Company(ctx)
	if err != nil {
		return nil, err
	}
	if _, err := dst.EnsureCompany(ctx, company); err != nil {
		return nil, err
	}
	b, err := dst.BeginBulk(ctx, now)
	if err != nil {
		return nil, err
	}
	defer b.Rollback()

	var users []UserRow
	rows, err := s.sqlDB.QueryContext(ctx, "SELECT email, name, role, team FROM users ORDER BY id")
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var u UserRow
		if err := rows.Scan(&u.Email, &u.Name, &u.Role, &u.Team); err != nil {
			rows.Close()
			return nil, err
		}
		users = append(users, u)
	}
	if err := rows.Close(); err != nil {
		return nil, err
	}
	if err := b.UpsertUsers(ctx, users); err != nil {
		return nil, err
	}
	userIDs, err := b.AllUsers(ctx)
	if err != nil {
		return nil, err
	}
	ownerID := func(email sql.NullString) int64 { return userIDs[email.String].ID }

	in := placeholders(len(numbers))
	args := make([]any, len(numbers))
	for i, n := range numbers {
		args[i] = n
	}
	var customers []CustomerRow
	rows, err = s.sqlDB.QueryContext(ctx, s.rebind(`SELECT c.external_id, c.name, c.email, c.phone, c.finance_email, u.email, c.region, c.industry,
		c.credit_limit_minor, c.credit_currency, c.credit_rating, c.risk, c.locale, c.time_zone
		FROM customers c LEFT JOIN users u ON u.id = c.owner_id
		WHERE c.id IN (SELECT customer_id FROM invoices WHERE number IN (`+in+`)) ORDER BY c.id`), args...)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var c CustomerRow
		var owner sql.NullString
		if err := rows.Scan(&c.ExternalID, &c.Name, &c.Email, &c.Phone, &c.FinanceEmail, &owner, &c.Region, &c.Industry,
			&c.CreditLimitMinor, &c.CreditCurrency, &c.CreditRating, &c.Risk, &c.Locale, &c.TimeZone); err != nil {
			rows.Close()
			return nil, err
		}
		c.OwnerID = ownerID(owner)
		customers = append(customers, c)
	}
	if err := rows.Close(); err != nil {
		return nil, err
	}
	if err := b.UpsertCustomers(ctx, customers); err != nil {
		return nil, err
	}
	ext := make([]string, len(customers))
	for i, c := range customers {
		ext[i] = c.ExternalID
	}
	custIDs, err := b.Customers(ctx, ext)
	if err != nil {
		return nil, err
	}

	var invoices []InvoiceRow
	rows, err = s.sqlDB.QueryContext(ctx, s.rebind(`SELECT i.number, c.external_id, i.currency, i.amount_minor, i.issue_date, i.due_date, u.email, i.custom
		FROM invoices i JOIN customers c ON c.id = i.customer_id LEFT JOIN users u ON u.id = i.owner_id
		WHERE i.number IN (`+in+`) ORDER BY i.id`), args...)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var r InvoiceRow
		var customer string
		var issue, due calendar.Date
		var owner sql.NullString
		if err := rows.Scan(&r.Number, &customer, &r.Currency, &r.AmountMinor, &issue, &due, &owner, &r.CustomJSON); err != nil {
			rows.Close()
			return nil, err
		}
		r.CustomerID, r.IssueDate, r.DueDate, r.OwnerID = custIDs[customer].ID, issue, due, ownerID(owner)
		invoices = append(invoices, r)
	}
	if err := rows.Close(); err != nil {
		return nil, err
	}
	if len(invoices) != len(numbers) {
		return nil, fmt.Errorf("%d of %d invoices: %w", len(numbers)-len(invoices), len(numbers), ErrNotFound)
	}
	if err := b.UpsertInvoices(ctx, invoices); err != nil {
		return nil, err
	}

	var pays []SimPayment
	rows, err = s.sqlDB.QueryContext(ctx, s.rebind(`SELECT p.reference, i.number, p.amount_minor, p.currency, p.paid_at
		FROM payments p JOIN invoices i ON i.id = p.invoice_id WHERE i.number IN (`+in+`) ORDER BY p.paid_at, p.id`), args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var p SimPayment
		if err := rows.Scan(&p.Reference, &p.Invoice, &p.AmountMinor, &p.Currency, &p.PaidAt); err != nil {
			return nil, err
		}
		pays = append(pays, p)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	return pays, b.Commit()
}

// ApplySimPayments records payments (of invoices copied by
// CopyForSimulation) and recomputes their invoices' balances.
func (s *Store) ApplySimPayments(ctx context.Context, pays []SimPayment, now time.Time) error {
	if len(pays) == 0 {
		return nil
	}
	b, err := s.BeginBulk(ctx, now)
	if err != nil {
		return err
	}
	defer b.Rollback()
	numbers := make([]string, len(pays))
	for i, p := range pays {
		numbers[i] = p.Invoice
	}
	ids, err := b.Invoices(ctx, numbers)
	if err != nil {
		return err
	}
	rows := make([]PaymentRow, len(pays))
	for i, p := range pays {
		rows[i] = PaymentRow{Reference: p.Reference, InvoiceID: ids[p.Invoice].ID, AmountMinor: p.AmountMinor, Currency: p.Currency, PaidAt: p.PaidAt}
	}
	if err := b.UpsertPayments(ctx, rows, nil); err != nil {
		return err
	}
	return b.Commit()
}
