package store

import (
	"context"
	"fmt"

	"github.com/recoup/recoup/money"
)

// allocate splits the payments of the invoices ids that need it into the
// part that settles the invoice and unapplied credit on its customer
// (money.Allocate decides; this applies): an invoice whose payments exceed
// what it owes, one with a payment not wholly applied, or one with credit
// already recorded (what it owes or its payments changed). Payments apply in
// the order they were paid, so the latest is the one that overpays. Other
// invoices, nearly all, are left alone: their payments are wholly applied.
func (b *BulkTx) allocate(ctx context.Context, ids []any) error {
	const chunk = 200
	type invoice struct {
		id, customer, due int64
	}
	for start := 0; start < len(ids); start += chunk {
		part := ids[start:min(start+chunk, len(ids))]
		rows, err := b.tx.QueryContext(ctx, b.s.rebind(`SELECT i.id, i.customer_id, i.amount_minor + i.fees_minor
			FROM invoices i JOIN payments p ON p.invoice_id = i.id LEFT JOIN customer_credits cc ON cc.payment_id = p.id
			WHERE i.id IN (`+placeholders(len(part))+`)
			GROUP BY i.id, i.customer_id, i.amount_minor, i.fees_minor
			HAVING SUM(p.amount_minor) > i.amount_minor + i.fees_minor OR SUM(p.applied_minor) <> SUM(p.amount_minor) OR COUNT(cc.id) > 0`), part...)
		if err != nil {
			return fmt.Errorf("finding overpaid invoices: %w", err)
		}
		var todo []invoice
		for rows.Next() {
			var in invoice
			if err := rows.Scan(&in.id, &in.customer, &in.due); err != nil {
				rows.Close()
				return err
			}
			todo = append(todo, in)
		}
		if err := rows.Close(); err != nil {
			return err
		}
		for _, in := range todo {
			if err := b.allocateInvoice(ctx, in.id, in.customer, in.due); err != nil {
				return err
			}
		}
	}
	return nil
}

// allocateInvoice applies the payments of one invoice to what it owes and
// records each payment's excess as credit on customer.
func (b *BulkTx) allocateInvoice(ctx context.Context, invoiceID, customer, due int64) error {
	rows, err := b.tx.QueryContext(ctx, b.s.rebind(`SELECT id, amount_minor, applied_minor, currency FROM payments
		WHERE invoice_id = ? ORDER BY paid_at, id`), invoiceID)
	if err != nil {
		return fmt.Errorf("allocating payments: %w", err)
	}
	type payment struct {
		id, amount, applied int64
		currency            string
	}
	var ps []payment
	var amounts []int64
	for rows.Next() {
		var p payment
		if err := rows.Scan(&p.id, &p.amount, &p.applied, &p.currency); err != nil {
			rows.Close()
			return err
		}
		ps = append(ps, p)
		amounts = append(amounts, p.amount)
	}
	if err := rows.Close(); err != nil {
		return err
	}
	applied := money.Allocate(due, amounts)
	for i, p := range ps {
		if applied[i] != p.applied {
			if _, err := b.tx.ExecContext(ctx, b.s.rebind("UPDATE payments SET applied_minor = ? WHERE id = ?"), applied[i], p.id); err != nil {
				return fmt.Errorf("allocating payments: %w", err)
			}
		}
		if credit := p.amount - applied[i]; credit > 0 {
			_, err = b.tx.ExecContext(ctx, b.s.rebind(`INSERT INTO customer_credits (customer_id, payment_id, amount_minor, currency, created_at, updated_at)
				VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (payment_id) DO UPDATE SET customer_id = excluded.customer_id,
				amount_minor = excluded.amount_minor, currency = excluded.currency, updated_at = excluded.updated_at`),
				customer, p.id, credit, p.currency, b.now, b.now)
		} else {
			_, err = b.tx.ExecContext(ctx, b.s.rebind("DELETE FROM customer_credits WHERE payment_id = ?"), p.id)
		}
		if err != nil {
			return fmt.Errorf("recording unapplied credit: %w", err)
		}
	}
	return nil
}

// CustomerCredit is a customer's unapplied credit in one currency: what its
// payments paid beyond what their invoices owed.
type CustomerCredit struct {
	Currency    string `json:"currency"`
	AmountMinor int64  `json:"amount_minor"`
}

// customerCredits sums customer id's unapplied credit per currency.
func (s *Store) customerCredits(ctx context.Context, id int64) ([]CustomerCredit, error) {
	rows, err := s.sqlDB.QueryContext(ctx, s.rebind(`SELECT currency, CAST(SUM(amount_minor) AS BIGINT) FROM customer_credits
		WHERE customer_id = ? GROUP BY currency ORDER BY currency`), id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []CustomerCredit{}
	for rows.Next() {
		var c CustomerCredit
		if err := rows.Scan(&c.Currency, &c.AmountMinor); err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}
