package store

import (
	"context"
	"fmt"

	"github.com/recoup/recoup/calendar"
	"github.com/recoup/recoup/engine"
)

// A tick that is run again at the same instant (killed midway, or
// replayed) reads invoices its first run already charged: a fee or a day's
// interest raised their balance. Read so, a rule on the balance could
// decide otherwise than the first run did (a balance over a threshold
// only by today's interest holds from tomorrow, not today), and the rerun
// would record what no undisturbed tick records. So the tick reads each
// invoice as it was before the fee and interest lines of its own instant
// (fees.created_at is the charging tick's instant), as its first run read
// it. Nothing is charged twice: those lines' rules have fired.
// TestTickReplayReadsInvoicesBeforeItsOwnCharges and
// TestTickKilledPlansInterestPromises prove it.

// ownChargesSQL lists the fee and interest lines charged at a tick's
// instant to the invoices of a batch (its WHERE, %s).
const ownChargesSQL = `SELECT invoice_id, kind, amount_minor, days FROM fees
	WHERE created_at = ? AND invoice_id IN (SELECT id FROM invoices WHERE %s)`

// uncharge takes off subjects (the invoices where, with args, selects) the
// fee and interest lines charged at the instant of run. Without a fee on
// any of them it reads nothing.
func (s *Store) uncharge(ctx context.Context, q querier, run engine.TickRun, c engine.Clock, subjects []engine.Subject, where string, args []any) error {
	byID := map[int64]*engine.Invoice{}
	for i := range subjects {
		if inv := &subjects[i].Invoice; inv.FeesMinor > 0 {
			byID[inv.ID] = inv
		}
	}
	if len(byID) == 0 {
		return nil
	}
	rows, err := q.QueryContext(ctx, s.rebind(fmt.Sprintf(ownChargesSQL, where)), append([]any{run.At.UTC()}, args...)...)
	if err != nil {
		return fmt.Errorf("reading the tick's own charges: %w", err)
	}
	defer rows.Close()
	today := c.Today()
	for rows.Next() {
		var (
			id, amount int64
			kind       string
			days       int
		)
		if err := rows.Scan(&id, &kind, &amount, &days); err != nil {
			return err
		}
		inv := byID[id]
		if inv == nil {
			continue
		}
		inv.BalanceMinor -= amount
		inv.FeesMinor -= amount
		if kind != "interest" {
			continue
		}
		// The line covered days days through today: before it, interest
		// ran through today − days (the due date: none charged yet).
		inv.InterestMinor -= amount
		through := today.AddDays(-days)
		if through == inv.DueDate {
			through = calendar.Date{}
		}
		inv.InterestThrough = through
	}
	return rows.Err()
}
