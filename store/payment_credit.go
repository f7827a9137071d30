package store

import (
	"context"
	"fmt"
)

// allocate brings the invoices ids that need it in line with their
// payments and adjustments (reconcile): an invoice whose payments exceed
// what it owes, one with a payment not wholly applied or reversed, one with
// credit already recorded, or one with adjustments. Other invoices, nearly
// all, are left alone: their payments are wholly applied.
func (b *BulkTx) allocate(ctx context.Context, ids []any) error {
	const chunk = 200
	for start := 0; start < len(ids); start += chunk {
		part := ids[start:min(start+chunk, len(ids))]
		rows, err := b.tx.QueryContext(ctx, b.s.rebind(`SELECT i.id
			FROM invoices i JOIN payments p ON p.invoice_id = i.id LEFT JOIN customer_credits cc ON cc.payment_id = p.id
			WHERE i.id IN (`+placeholders(len(part))+`)
			GROUP BY i.id, i.amount_minor, i.fees_minor, i.adjusted_minor
			HAVING SUM(p.amount_minor) > i.amount_minor + i.fees_minor OR SUM(p.applied_minor) <> SUM(p.amount_minor)
				OR COUNT(cc.id) > 0 OR COUNT(p.reversed_at) > 0 OR i.adjusted_minor <> 0`), part...)
		if err != nil {
			return fmt.Errorf("finding overpaid invoices: %w", err)
		}
		var todo []int64
		for rows.Next() {
			var id int64
			if err := rows.Scan(&id); err != nil {
				rows.Close()
				return err
			}
			todo = append(todo, id)
		}
		if err := rows.Close(); err != nil {
			return err
		}
		for _, id := range todo {
			if err := b.reconcile(ctx, id); err != nil {
				return err
			}
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
