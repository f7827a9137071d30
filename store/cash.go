package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/recoup/recoup/calendar"
	"github.com/recoup/recoup/engine"
)

// Cash application (issue 16 §6): a customer's unapplied credit (the
// excess of its payments, customer_credits) is applied to its open
// invoices in the credit's currency by the company's policy, oldest first;
// each application is a credit_applied adjustment naming the payment whose
// credit it is, so the invoice's timeline shows where the money came from.
// When credit shrinks (a payment reversed, an invoice re-imported higher),
// the newest applications are undone first.

// cashPolicy is the company's cash application policy, read once per
// transaction.
func (b *BulkTx) cashPolicy(ctx context.Context) (string, error) {
	if b.policy != "" {
		return b.policy, nil
	}
	err := b.tx.QueryRowContext(ctx, "SELECT cash_application FROM companies ORDER BY id LIMIT 1").Scan(&b.policy)
	if errors.Is(err, sql.ErrNoRows) {
		b.policy, err = CashOldestDue, nil
	}
	return b.policy, err
}

// applyCredits applies the unapplied credit of the customers of invoices ids
// (those that have credit or applications).
func (b *BulkTx) applyCredits(ctx context.Context, ids []any) error {
	const chunk = 200
	seen := map[int64]bool{}
	var customers []int64
	for start := 0; start < len(ids); start += chunk {
		part := ids[start:min(start+chunk, len(ids))]
		rows, err := b.tx.QueryContext(ctx, b.s.rebind(`SELECT DISTINCT i.customer_id FROM invoices i WHERE i.id IN (`+placeholders(len(part))+`)
			AND (EXISTS (SELECT 1 FROM customer_credits cc WHERE cc.customer_id = i.customer_id)
			  OR EXISTS (SELECT 1 FROM adjustments a WHERE a.customer_id = i.customer_id AND a.kind = 'credit_applied'))`), part...)
		if err != nil {
			return fmt.Errorf("finding customers with credit: %w", err)
		}
		for rows.Next() {
			var id int64
			if err := rows.Scan(&id); err != nil {
				rows.Close()
				return err
			}
			if !seen[id] {
				seen[id] = true
				customers = append(customers, id)
			}
		}
		if err := rows.Close(); err != nil {
			return err
		}
	}
	sort.Slice(customers, func(i, j int) bool { return customers[i] < customers[j] })
	for _, c := range customers {
		if err := b.applyCustomerCredit(ctx, c); err != nil {
			return err
		}
	}
	return nil
}

type creditApplication struct {
	id, payment, invoice, amount int64
}

// applyCustomerCredit brings one customer's credit applications in line
// with its credit: undoes what no longer has credit behind it, then (unless
// the policy is manual) applies what is left to its open invoices.
func (b *BulkTx) applyCustomerCredit(ctx context.Context, customer int64) error {
	credit := map[int64]int64{} // payment → credit
	currency := map[int64]string{}
	var payments []int64
	named := map[int64]string{} // payment → the invoices it names
	rows, err := b.tx.QueryContext(ctx, b.s.rebind(`SELECT cc.payment_id, cc.amount_minor, cc.currency, p.apply_to FROM customer_credits cc
		JOIN payments p ON p.id = cc.payment_id WHERE cc.customer_id = ? ORDER BY cc.payment_id`), customer)
	if err != nil {
		return fmt.Errorf("reading credit: %w", err)
	}
	for rows.Next() {
		var p, amount int64
		var cur, applyTo string
		if err := rows.Scan(&p, &amount, &cur, &applyTo); err != nil {
			rows.Close()
			return err
		}
		credit[p], currency[p], named[p] = amount, cur, applyTo
		payments = append(payments, p)
	}
	if err := rows.Close(); err != nil {
		return err
	}
	var apps []creditApplication
	rows, err = b.tx.QueryContext(ctx, b.s.rebind(`SELECT id, payment_id, invoice_id, amount_minor FROM adjustments
		WHERE customer_id = ? AND kind = 'credit_applied' ORDER BY id`), customer)
	if err != nil {
		return fmt.Errorf("reading credit applications: %w", err)
	}
	for rows.Next() {
		var a creditApplication
		if err := rows.Scan(&a.id, &a.payment, &a.invoice, &a.amount); err != nil {
			rows.Close()
			return err
		}
		apps = append(apps, a)
	}
	if err := rows.Close(); err != nil {
		return err
	}
	used := map[int64]int64{}
	for _, a := range apps {
		used[a.payment] += a.amount
	}
	touched := map[int64]bool{}
	// Undo, newest first, what exceeds each payment's credit.
	for i := len(apps) - 1; i >= 0; i-- {
		a := apps[i]
		over := used[a.payment] - credit[a.payment]
		if over <= 0 {
			continue
		}
		take := min(over, a.amount)
		if take == a.amount {
			_, err = b.tx.ExecContext(ctx, b.s.rebind("DELETE FROM adjustments WHERE id = ?"), a.id)
		} else {
			_, err = b.tx.ExecContext(ctx, b.s.rebind("UPDATE adjustments SET amount_minor = amount_minor - ? WHERE id = ?"), take, a.id)
		}
		if err != nil {
			return fmt.Errorf("undoing a credit application: %w", err)
		}
		used[a.payment] -= take
		touched[a.invoice] = true
	}
	policy, err := b.cashPolicy(ctx)
	if err != nil {
		return err
	}
	if policy != CashManual {
		if err := b.applyOpenCredit(ctx, customer, policy, payments, credit, used, currency, named, touched); err != nil {
			return err
		}
	}
	if len(touched) == 0 {
		return nil
	}
	ids := make([]int64, 0, len(touched))
	for id := range touched {
		ids = append(ids, id)
	}
	sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
	args := make([]any, len(ids))
	for i, id := range ids {
		if err := b.reconcile(ctx, id); err != nil {
			return err
		}
		args[i] = id
	}
	return b.recomputeBalances(ctx, args)
}

// applyOpenCredit applies each payment's credit left to the customer's open
// invoices in its currency, oldest first by the policy.
func (b *BulkTx) applyOpenCredit(ctx context.Context, customer int64, policy string, payments []int64, credit, used map[int64]int64,
	currency, named map[int64]string, touched map[int64]bool) error {
	order := "due_date, id"
	if policy == CashOldestIssue {
		order = "issue_date, id"
	}
	loc, err := b.location(ctx)
	if err != nil {
		return err
	}
	today := calendar.Of(b.now.In(loc))
	taken := map[int64]int64{} // invoice → applied in this call
	for _, p := range payments {
		left := credit[p] - used[p]
		if left <= 0 {
			continue
		}
		rows, err := b.tx.QueryContext(ctx, b.s.rebind(`SELECT id, balance_minor FROM invoices WHERE customer_id = ? AND currency = ? AND balance_minor > 0
			AND id <> (SELECT invoice_id FROM payments WHERE id = ?) ORDER BY `+order), customer, currency[p], p)
		if err != nil {
			return fmt.Errorf("finding invoices to apply credit to: %w", err)
		}
		type open struct{ id, balance int64 }
		var opens []open
		for rows.Next() {
			var o open
			if err := rows.Scan(&o.id, &o.balance); err != nil {
				rows.Close()
				return err
			}
			opens = append(opens, o)
		}
		if err := rows.Close(); err != nil {
			return err
		}
		// The invoices the payment names come first, in the order named.
		if list := named[p]; list != "" {
			rank := map[int64]int{}
			for i, f := range strings.Split(list, ",") {
				if id, err := strconv.ParseInt(f, 10, 64); err == nil {
					rank[id] = i + 1
				}
			}
			sort.SliceStable(opens, func(i, j int) bool {
				ri, rj := rank[opens[i].id], rank[opens[j].id]
				return ri != 0 && (rj == 0 || ri < rj)
			})
		}
		for _, o := range opens {
			x := min(left, o.balance-taken[o.id])
			if x <= 0 {
				continue
			}
			key := "credit/" + strconv.FormatInt(p, 10) + "/" + strconv.FormatInt(o.id, 10)
			if _, err := b.tx.ExecContext(ctx, b.s.rebind(`INSERT INTO adjustments (key, invoice_id, customer_id, kind, amount_minor, currency, reason, effective_date, payment_id, created_at)
				VALUES (?, ?, ?, 'credit_applied', ?, ?, 'unapplied credit', ?, ?, ?)
				ON CONFLICT (key) DO UPDATE SET amount_minor = adjustments.amount_minor + excluded.amount_minor`),
				key, o.id, customer, x, currency[p], today, p, b.now); err != nil {
				return fmt.Errorf("applying credit: %w", err)
			}
			taken[o.id] += x
			touched[o.id] = true
			left -= x
			if left == 0 {
				break
			}
		}
	}
	return nil
}

// PaymentReversal reverses a recorded payment (a bounced transfer).
type PaymentReversal struct {
	Reference string
	Reason    string
	Actor     string
	RequestID string
}

// ActionPaymentReversed is the audit action of a reversed payment.
const ActionPaymentReversed = "payment.reversed"

// ReversePayment marks a payment reversed: it stays on record and applies
// nothing, so what it settled reopens (its invoice's balance rises again,
// credit it gave is withdrawn and its applications undone) and the
// invoice's escalation resumes at the next evaluation. Reversing a
// reversed payment again is a duplicate.
func (s *Store) ReversePayment(ctx context.Context, in PaymentReversal, now time.Time) (PaymentOut, error) {
	if len(strings.TrimSpace(in.Reason)) < 3 {
		return PaymentOut{}, &AdjustmentError{"reason", "say why the payment is reversed (e.g. \"transfer bounced\")"}
	}
	b, err := s.BeginBulk(ctx, now)
	if err != nil {
		return PaymentOut{}, err
	}
	defer b.Rollback()
	var out PaymentOut
	var id int64
	var reversed sql.NullTime
	var before struct {
		balance int64
		status  string
	}
	err = b.tx.QueryRowContext(ctx, s.rebind(`SELECT p.id, p.reference, i.number, i.id, i.customer_id, p.amount_minor, p.currency, p.paid_at, p.reversed_at,
		i.balance_minor, i.status FROM payments p JOIN invoices i ON i.id = p.invoice_id WHERE p.reference_key = ?`), engine.PaymentKey(in.Reference)).
		Scan(&id, &out.Reference, &out.Invoice, &out.InvoiceID, &out.CustomerID, &out.AmountMinor, &out.Currency, &out.PaidAt, &reversed,
			&before.balance, &before.status)
	if errors.Is(err, sql.ErrNoRows) {
		return out, fmt.Errorf("payment %q: %w", in.Reference, ErrNotFound)
	}
	if err != nil {
		return out, err
	}
	if reversed.Valid {
		out.Duplicate, out.BalanceMinor, out.Status = true, before.balance, before.status
		return out, nil
	}
	if _, err := b.tx.ExecContext(ctx, s.rebind("UPDATE payments SET reversed_at = ?, reversal_reason = ? WHERE id = ?"), b.now, in.Reason, id); err != nil {
		return out, err
	}
	if err := b.settle(ctx, []int64{out.InvoiceID}); err != nil {
		return out, err
	}
	if err := b.tx.QueryRowContext(ctx, s.rebind("SELECT balance_minor, status FROM invoices WHERE id = ?"), out.InvoiceID).Scan(&out.BalanceMinor, &out.Status); err != nil {
		return out, err
	}
	actor := in.Actor
	if actor == "" {
		actor = "api"
	}
	if err := s.appendAudit(ctx, b.tx, AuditRecord{At: b.now, Actor: actor, Action: ActionPaymentReversed, Entity: "payment", EntityID: id,
		Invoice: out.Invoice, InvoiceID: out.InvoiceID, RequestID: in.RequestID,
		Detail: map[string]any{"reference": out.Reference, "amount_minor": out.AmountMinor, "currency": out.Currency, "reason": in.Reason},
		Before: map[string]any{"balance_minor": before.balance, "status": before.status},
		After:  map[string]any{"balance_minor": out.BalanceMinor, "status": out.Status}}); err != nil {
		return out, err
	}
	return out, b.Commit()
}

// paymentTargets resolves what a payment names: several invoices (it is
// recorded on the first; the ids of all, in order, are returned for
// apply_to) or only a customer (it is recorded on the customer's invoice
// in its currency that the cash application policy takes first, or, when
// none is open, the latest, so that it all becomes credit). p.Invoice is
// set.
func (b *BulkTx) paymentTargets(ctx context.Context, p *PaymentIn) (string, error) {
	switch {
	case len(p.Invoices) > 0:
		if p.Invoice != "" && p.Invoice != p.Invoices[0] {
			return "", &AdjustmentError{"invoice", "give invoice or invoices, not both"}
		}
		ids := make([]string, len(p.Invoices))
		var customer int64
		for i, number := range p.Invoices {
			var id, cust int64
			var cur string
			err := b.tx.QueryRowContext(ctx, b.s.rebind("SELECT id, customer_id, currency FROM invoices WHERE number = ?"), number).Scan(&id, &cust, &cur)
			if errors.Is(err, sql.ErrNoRows) {
				return "", &AdjustmentError{fmt.Sprintf("invoices[%d]", i), fmt.Sprintf("no invoice %q", number)}
			}
			if err != nil {
				return "", err
			}
			switch {
			case i > 0 && cust != customer:
				return "", &AdjustmentError{fmt.Sprintf("invoices[%d]", i), fmt.Sprintf("invoice %s is another customer's: a payment settles one customer's invoices", number)}
			case cur != p.Currency:
				return "", &AdjustmentError{fmt.Sprintf("invoices[%d]", i), fmt.Sprintf("invoice %s is in %s, the payment in %s", number, cur, p.Currency)}
			}
			customer, ids[i] = cust, strconv.FormatInt(id, 10)
		}
		p.Invoice = p.Invoices[0]
		return strings.Join(ids, ","), nil
	case p.Invoice == "" && p.Customer != "":
		policy, err := b.cashPolicy(ctx)
		if err != nil {
			return "", err
		}
		order := "CASE WHEN i.balance_minor > 0 THEN 0 ELSE 1 END, i.due_date, i.id"
		if policy == CashOldestIssue {
			order = "CASE WHEN i.balance_minor > 0 THEN 0 ELSE 1 END, i.issue_date, i.id"
		}
		if policy == CashManual {
			order = "i.due_date DESC, i.id DESC" // kept as credit on the latest invoice's customer
		}
		err = b.tx.QueryRowContext(ctx, b.s.rebind(`SELECT i.number FROM invoices i JOIN customers c ON c.id = i.customer_id
			WHERE c.external_id = ? AND i.currency = ? ORDER BY `+order+` LIMIT 1`), p.Customer, p.Currency).Scan(&p.Invoice)
		if errors.Is(err, sql.ErrNoRows) {
			return "", &AdjustmentError{"customer", fmt.Sprintf("customer %q has no invoice in %s to apply the payment to", p.Customer, p.Currency)}
		}
		return "", err
	case p.Invoice == "":
		return "", &AdjustmentError{"invoice", "name the invoice, the invoices or the customer the payment is for"}
	}
	return "", nil
}
