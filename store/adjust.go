package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/recoup/recoup/calendar"
	"github.com/recoup/recoup/engine"
	"github.com/recoup/recoup/money"
)

// Adjustment kinds (issue 16 §2, §6). Each reduces what an invoice owes
// without money arriving on it; a recovery gives back part of a write-off
// when money arrives later.
const (
	AdjustWriteOff      = "write_off"
	AdjustRecovery      = "recovery"
	AdjustCreditNote    = "credit_note"
	AdjustSettlement    = "settlement"
	AdjustCreditApplied = "credit_applied"
)

// ManualAdjustKinds are the kinds a person (or the tick's write_off action)
// records; recoveries and credit applications follow from payments.
var ManualAdjustKinds = []string{AdjustWriteOff, AdjustCreditNote, AdjustSettlement}

// Cash application policies (companies.cash_application): how a customer's
// unapplied credit is applied to its open invoices.
const (
	CashOldestDue   = "oldest_due"
	CashOldestIssue = "oldest_issue"
	CashManual      = "manual"
)

// AdjustmentIn is an adjustment to record on one invoice.
type AdjustmentIn struct {
	Key         string // idempotency key: the same key again is a duplicate, not a second adjustment
	Invoice     string // invoice number (or InvoiceID)
	InvoiceID   int64
	Kind        string // one of ManualAdjustKinds
	AmountMinor int64  // 0: the whole balance (write-off only)
	Currency    string // must be the invoice's; empty: the invoice's
	Reason      string
	ApprovedBy  string
	Date        calendar.Date // effective date; zero: today in the company's zone
	Actor       string
	RequestID   string
}

// AdjustmentOut is what recording an adjustment did.
type AdjustmentOut struct {
	ID           int64         `json:"id"`
	Invoice      string        `json:"invoice"`
	Kind         string        `json:"kind"`
	AmountMinor  int64         `json:"amount_minor"`
	Currency     string        `json:"currency"`
	Date         calendar.Date `json:"effective_date"`
	BalanceMinor int64         `json:"balance_minor"`
	Status       string        `json:"invoice_status"`
	Duplicate    bool          `json:"duplicate"`
	InvoiceID    int64         `json:"-"`
	CustomerID   int64         `json:"-"`
}

// AdjustmentError is an adjustment refused for what it says, by field. It
// matches ErrInvalid.
type AdjustmentError struct {
	Field, Message string
}

func (e *AdjustmentError) Error() string { return e.Field + ": " + e.Message }

// Is makes an AdjustmentError an ErrInvalid.
func (e *AdjustmentError) Is(target error) bool { return target == ErrInvalid }

// ActionAdjustmentRecorded is the audit action of an adjustment.
const ActionAdjustmentRecorded = "invoice.adjusted"

// RecordAdjustment records a write-off, credit note or settlement on an
// invoice, at most its balance and in its currency, in one transaction with
// its audit record; the balance falls at once (a whole write-off marks the
// invoice written_off). A key already recorded answers Duplicate.
func (s *Store) RecordAdjustment(ctx context.Context, in AdjustmentIn, now time.Time) (AdjustmentOut, error) {
	b, err := s.BeginBulk(ctx, now)
	if err != nil {
		return AdjustmentOut{}, err
	}
	defer b.Rollback()
	out, err := b.recordAdjustment(ctx, in)
	if err != nil || out.Duplicate {
		return out, err
	}
	return out, b.Commit()
}

func (b *BulkTx) recordAdjustment(ctx context.Context, in AdjustmentIn) (AdjustmentOut, error) {
	out := AdjustmentOut{Kind: in.Kind}
	if !containsString(ManualAdjustKinds, in.Kind) {
		return out, &AdjustmentError{"kind", fmt.Sprintf("want one of write_off, credit_note, settlement, got %q", in.Kind)}
	}
	if in.Key == "" {
		return out, &AdjustmentError{"key", "an adjustment needs a reference, so that sending it twice records it once"}
	}
	lock := ""
	if b.s.dialect == Postgres {
		lock = " FOR UPDATE"
	}
	q, arg := "SELECT id, number, customer_id, currency, balance_minor, status FROM invoices WHERE number = ?"+lock, any(in.Invoice)
	if in.InvoiceID != 0 {
		q, arg = "SELECT id, number, customer_id, currency, balance_minor, status FROM invoices WHERE id = ?"+lock, in.InvoiceID
	}
	var balance int64
	var status string
	err := b.tx.QueryRowContext(ctx, b.s.rebind(q), arg).Scan(&out.InvoiceID, &out.Invoice, &out.CustomerID, &out.Currency, &balance, &status)
	if errors.Is(err, sql.ErrNoRows) {
		return out, fmt.Errorf("invoice %q: %w", in.Invoice, ErrNotFound)
	}
	if err != nil {
		return out, err
	}
	var exID, exInvoice, exAmount int64
	var exKind string
	var exDate calendar.Date
	err = b.tx.QueryRowContext(ctx, b.s.rebind("SELECT id, invoice_id, kind, amount_minor, effective_date FROM adjustments WHERE key = ?"), in.Key).
		Scan(&exID, &exInvoice, &exKind, &exAmount, &exDate)
	switch {
	case err == nil:
		if exInvoice != out.InvoiceID || exKind != in.Kind || in.AmountMinor != 0 && exAmount != in.AmountMinor {
			return out, fmt.Errorf("adjustment %q is already recorded with another invoice, kind or amount: %w", in.Key, ErrConflict)
		}
		out.ID, out.AmountMinor, out.Date, out.BalanceMinor, out.Status, out.Duplicate = exID, exAmount, exDate, balance, status, true
		return out, nil
	case !errors.Is(err, sql.ErrNoRows):
		return out, err
	}
	if in.Currency != "" && in.Currency != out.Currency {
		return out, &AdjustmentError{"currency", fmt.Sprintf("the invoice is in %s, not %s", out.Currency, in.Currency)}
	}
	amount := in.AmountMinor
	switch {
	case amount < 0:
		return out, &AdjustmentError{"amount", "must be positive"}
	case amount == 0 && in.Kind != AdjustWriteOff:
		return out, &AdjustmentError{"amount", "is required"}
	case amount == 0:
		amount = balance
	}
	if balance <= 0 {
		return out, &AdjustmentError{"amount", fmt.Sprintf("invoice %s has nothing left to %s (balance %s)", out.Invoice, adjustVerb(in.Kind), money.New(balance, out.Currency))}
	}
	if amount > balance {
		return out, &AdjustmentError{"amount", fmt.Sprintf("%s is more than the balance %s", money.New(amount, out.Currency), money.New(balance, out.Currency))}
	}
	if in.Kind == AdjustWriteOff && len(in.Reason) < 3 {
		return out, &AdjustmentError{"reason", "a write-off needs a reason"}
	}
	loc, err := b.location(ctx)
	if err != nil {
		return out, err
	}
	out.Date = in.Date
	if out.Date.IsZero() {
		out.Date = calendar.Of(b.now.In(loc))
	}
	out.AmountMinor = amount
	if err := b.tx.QueryRowContext(ctx, b.s.rebind(`INSERT INTO adjustments (key, invoice_id, customer_id, kind, amount_minor, currency, reason, approved_by, effective_date, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`),
		in.Key, out.InvoiceID, out.CustomerID, in.Kind, amount, out.Currency, in.Reason, in.ApprovedBy, out.Date, b.now).Scan(&out.ID); err != nil {
		return out, fmt.Errorf("recording the adjustment: %w", err)
	}
	if err := b.settle(ctx, []int64{out.InvoiceID}); err != nil {
		return out, err
	}
	if err := b.tx.QueryRowContext(ctx, b.s.rebind("SELECT balance_minor, status FROM invoices WHERE id = ?"), out.InvoiceID).Scan(&out.BalanceMinor, &out.Status); err != nil {
		return out, err
	}
	actor := in.Actor
	if actor == "" {
		actor = "api"
	}
	return out, b.s.appendAudit(ctx, b.tx, AuditRecord{At: b.now, Actor: actor, Action: ActionAdjustmentRecorded, Entity: "adjustment", EntityID: out.ID,
		Invoice: out.Invoice, InvoiceID: out.InvoiceID, RequestID: in.RequestID,
		Detail: map[string]any{"kind": in.Kind, "key": in.Key, "amount_minor": amount, "currency": out.Currency, "reason": in.Reason,
			"approved_by": in.ApprovedBy, "effective_date": out.Date.String()},
		Before: map[string]any{"balance_minor": balance, "status": status},
		After:  map[string]any{"balance_minor": out.BalanceMinor, "status": out.Status}})
}

func adjustVerb(kind string) string {
	switch kind {
	case AdjustWriteOff:
		return "write off"
	case AdjustCreditNote:
		return "credit"
	}
	return "settle"
}

func containsString(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// location is the company's time zone, read in the transaction once.
func (b *BulkTx) location(ctx context.Context) (*time.Location, error) {
	if b.loc != nil {
		return b.loc, nil
	}
	var zone string
	err := b.tx.QueryRowContext(ctx, "SELECT time_zone FROM companies ORDER BY id LIMIT 1").Scan(&zone)
	if errors.Is(err, sql.ErrNoRows) {
		zone, err = "UTC", nil
	}
	if err != nil {
		return nil, err
	}
	loc, err := time.LoadLocation(zone)
	if err != nil {
		loc = time.UTC
	}
	b.loc = loc
	return loc, nil
}

// settle brings invoices ids in line with their payments and adjustments
// (reconcile), applies their customers' unapplied credit (applyCredits),
// and recomputes their balances and statuses.
func (b *BulkTx) settle(ctx context.Context, ids []int64) error {
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = id
	}
	for _, id := range ids {
		if err := b.reconcile(ctx, id); err != nil {
			return err
		}
	}
	if err := b.recomputeBalances(ctx, args); err != nil {
		return err
	}
	return b.applyCredits(ctx, args)
}

// reconcile applies the payments of one invoice to what it owes and keeps
// its adjustments' totals: what it owes for payments is amount + fees less
// credit notes, settlements and applied credit (a write-off does not count:
// money arriving later recovers it); payments apply in the order paid
// (money.Allocate), a reversed one applies nothing, the excess of each is
// credit on the customer; the write-off a payment recovers is a recovery
// row dated the payment's day.
func (b *BulkTx) reconcile(ctx context.Context, invoiceID int64) error {
	var customer, gross int64
	if err := b.tx.QueryRowContext(ctx, b.s.rebind("SELECT customer_id, amount_minor + fees_minor FROM invoices WHERE id = ?"), invoiceID).Scan(&customer, &gross); err != nil {
		return fmt.Errorf("reconciling invoice %d: %w", invoiceID, err)
	}
	rows, err := b.tx.QueryContext(ctx, b.s.rebind(`SELECT kind, CAST(SUM(amount_minor) AS BIGINT) FROM adjustments
		WHERE invoice_id = ? AND kind <> 'recovery' GROUP BY kind`), invoiceID)
	if err != nil {
		return fmt.Errorf("reconciling invoice %d: %w", invoiceID, err)
	}
	var other, writtenOff int64
	for rows.Next() {
		var kind string
		var sum int64
		if err := rows.Scan(&kind, &sum); err != nil {
			rows.Close()
			return err
		}
		if kind == AdjustWriteOff {
			writtenOff += sum
		} else {
			other += sum
		}
	}
	if err := rows.Close(); err != nil {
		return err
	}
	owed := max(gross-other, 0)

	rows, err = b.tx.QueryContext(ctx, b.s.rebind(`SELECT id, amount_minor, applied_minor, currency, paid_at, reversed_at IS NOT NULL FROM payments
		WHERE invoice_id = ? ORDER BY paid_at, id`), invoiceID)
	if err != nil {
		return fmt.Errorf("allocating payments: %w", err)
	}
	var ps []allocPayment
	var amounts []int64
	for rows.Next() {
		var p allocPayment
		if err := rows.Scan(&p.id, &p.amount, &p.applied, &p.currency, &p.paidAt, &p.reversed); err != nil {
			rows.Close()
			return err
		}
		ps = append(ps, p)
		if p.reversed {
			amounts = append(amounts, 0)
		} else {
			amounts = append(amounts, p.amount)
		}
	}
	if err := rows.Close(); err != nil {
		return err
	}
	applied := money.Allocate(owed, amounts)
	recovered, cum := int64(0), int64(0)
	recoveries := map[int64]int64{}
	for i, p := range ps {
		if applied[i] != p.applied {
			if _, err := b.tx.ExecContext(ctx, b.s.rebind("UPDATE payments SET applied_minor = ? WHERE id = ?"), applied[i], p.id); err != nil {
				return fmt.Errorf("allocating payments: %w", err)
			}
		}
		if credit := amounts[i] - applied[i]; credit > 0 {
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
		// What this payment recovers: the write-off beyond what is still
		// owed after it.
		cum += applied[i]
		through := min(max(writtenOff-(owed-cum), 0), writtenOff)
		if r := through - recovered; r > 0 {
			recoveries[p.id] = r
		}
		recovered = through
	}
	if err := b.syncRecoveries(ctx, invoiceID, customer, ps, recoveries); err != nil {
		return err
	}
	_, err = b.tx.ExecContext(ctx, b.s.rebind("UPDATE invoices SET adjusted_minor = ?, written_off_minor = ? WHERE id = ?"),
		other+writtenOff-recovered, writtenOff-recovered, invoiceID)
	return err
}

// allocPayment is one payment of an invoice as reconcile applies it.
type allocPayment struct {
	id, amount, applied int64
	currency            string
	paidAt              time.Time
	reversed            bool
}

// syncRecoveries makes the invoice's recovery rows say want (payment id →
// amount recovered), dated each payment's day in the company's zone.
func (b *BulkTx) syncRecoveries(ctx context.Context, invoiceID, customer int64, ps []allocPayment, want map[int64]int64) error {
	have := map[int64]int64{}
	rows, err := b.tx.QueryContext(ctx, b.s.rebind("SELECT payment_id, amount_minor FROM adjustments WHERE invoice_id = ? AND kind = 'recovery'"), invoiceID)
	if err != nil {
		return err
	}
	for rows.Next() {
		var id, amount int64
		if err := rows.Scan(&id, &amount); err != nil {
			rows.Close()
			return err
		}
		have[id] = -amount
	}
	if err := rows.Close(); err != nil {
		return err
	}
	for id, amount := range have {
		if want[id] != amount {
			if _, err := b.tx.ExecContext(ctx, b.s.rebind("DELETE FROM adjustments WHERE invoice_id = ? AND kind = 'recovery' AND payment_id = ?"), invoiceID, id); err != nil {
				return err
			}
		}
	}
	if len(want) == 0 {
		return nil
	}
	loc, err := b.location(ctx)
	if err != nil {
		return err
	}
	for _, p := range ps {
		if amount, ok := want[p.id]; ok && have[p.id] != amount {
			if _, err := b.tx.ExecContext(ctx, b.s.rebind(`INSERT INTO adjustments (key, invoice_id, customer_id, kind, amount_minor, currency, reason, effective_date, payment_id, created_at)
				VALUES (?, ?, ?, 'recovery', ?, ?, 'payment after write-off', ?, ?, ?)`),
				"recovery/"+strconv.FormatInt(p.id, 10), invoiceID, customer, -amount, p.currency, calendar.Of(p.paidAt.In(loc)), p.id, b.now); err != nil {
				return fmt.Errorf("recording a recovery: %w", err)
			}
		}
	}
	return nil
}

// writeOff applies a workflow's write_off effect in the tick's transaction:
// a write-off adjustment keyed by the effect (so a replayed tick records it
// once), at most the balance at this moment (a payment may have arrived
// since the evaluation), nothing when nothing is owed.
func (w *effectWriter) writeOff(ctx context.Context, key string, e *engine.Effect) error {
	if e.WriteOff == nil || e.WriteOff.Minor <= 0 {
		return nil
	}
	b := &BulkTx{s: w.s, tx: w.tx, now: w.run.At.UTC()}
	defer b.closeStmts()
	var balance int64
	if err := w.tx.QueryRowContext(ctx, w.s.rebind("SELECT balance_minor FROM invoices WHERE id = ?"), e.Key.Subject).Scan(&balance); err != nil {
		return err
	}
	if balance <= 0 {
		return nil
	}
	reason := e.Reason
	if len(reason) < 3 {
		reason = "workflow " + e.Workflow + " " + e.Node
	}
	approver, err := w.decider(ctx, e)
	if err != nil {
		return err
	}
	_, err = b.recordAdjustment(ctx, AdjustmentIn{Key: key, InvoiceID: e.Key.Subject, Kind: AdjustWriteOff,
		AmountMinor: min(e.WriteOff.Minor, balance), Currency: e.WriteOff.Currency, Reason: reason, ApprovedBy: approver,
		Actor: "tick"})
	return err
}

// chargeInterest applies an accrue_interest effect: a fee line of kind
// interest for the days it covers, in the balance, and the day interest is
// now charged through (a compare-and-set on the day the evaluation saw, so
// that a concurrent charge is never doubled).
func (w *effectWriter) chargeInterest(ctx context.Context, key string, e *engine.Effect) error {
	now := w.run.At
	if _, err := w.exec(ctx, `INSERT INTO fees (key, invoice_id, amount_minor, currency, reason, kind, days, created_at) VALUES (?, ?, ?, ?, ?, 'interest', ?, ?)`,
		key, e.Key.Subject, e.Fee.Minor, e.Fee.Currency, e.Reason, e.Interest.Days, now); err != nil {
		return err
	}
	n, err := w.exec(ctx, `UPDATE invoices SET fees_minor = fees_minor + ?, balance_minor = balance_minor + ?, interest_minor = interest_minor + ?,
		interest_through = ?, updated_at = ? WHERE id = ? AND COALESCE(interest_through, due_date) = ?`,
		e.Fee.Minor, e.Fee.Minor, e.Fee.Minor, e.Interest.Through, now, e.Key.Subject, e.Interest.From.AddDays(-1))
	if err == nil && n == 0 {
		err = fmt.Errorf("interest of invoice %d is no longer charged through %s: %w", e.Key.Subject, e.Interest.From.AddDays(-1), errStale)
	}
	return err
}

// decider is who completed the decision whose outcome made effect e (a
// write-off's approver, a plan's author): e.Task's completer, else the
// user it was for.
func (w *effectWriter) decider(ctx context.Context, e *engine.Effect) (string, error) {
	who := e.Assignee
	if e.Task == "" {
		return who, nil
	}
	err := w.tx.QueryRowContext(ctx, w.s.rebind(`SELECT u.email FROM tasks t JOIN users u ON u.id = t.completed_by WHERE t.key = ?`), e.Task).Scan(&who)
	if errors.Is(err, sql.ErrNoRows) {
		return e.Assignee, nil
	}
	return who, err
}
