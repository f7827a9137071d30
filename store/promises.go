package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/recoup/recoup/calendar"
	"github.com/recoup/recoup/engine"
)

// Promise is a promise to pay (part of) an invoice by a date.
type Promise struct {
	ID            int64         `json:"id"`
	Invoice       string        `json:"invoice"`
	PromisedDate  calendar.Date `json:"promised_date"`
	PromisedMinor int64         `json:"promised_minor"`
	Currency      string        `json:"currency"`
	Source        string        `json:"source"` // "task" (a call outcome) or "direct"
	SourceTaskID  int64         `json:"source_task_id,omitempty"`
	Status        string        `json:"status"`
	Note          string        `json:"note"`
	CreatedBy     string        `json:"created_by"`
	CreatedAt     time.Time     `json:"created_at"`
	SettledAt     *time.Time    `json:"settled_at,omitempty"`
	PaidMinor     int64         `json:"paid_minor"`
	BrokenTask    string        `json:"broken_task,omitempty"`
}

// PromiseIn is a promise to record.
type PromiseIn struct {
	Invoice       string
	PromisedDate  calendar.Date
	PromisedMinor int64
	Currency      string // "": the invoice's
	WholeBalance  bool   // the whole balance (a call outcome with no amount)
	Note          string
	SourceTaskID  int64 // the call task it came from (0: entered directly)
	Actor         string
	RequestID     string
}

// RecordPromise records a promise to pay on an invoice v may see, with its
// audit entry. engine.CheckPromise's refusals are an engine.FormErrors and
// nothing is written. A promise from a task already recorded is returned
// as it is. A call outcome may promise today (its form allows it); a promise
// entered directly must be for a later day.
func (s *Store) RecordPromise(ctx context.Context, v Viewer, in PromiseIn, c engine.Clock) (Promise, error) {
	now := c.Now.UTC()
	tx, err := s.sqlDB.BeginTx(ctx, nil)
	if err != nil {
		return Promise{}, err
	}
	defer tx.Rollback()
	inv, err := s.lockCaseInvoice(ctx, tx, v, in.Invoice, 0)
	if err != nil {
		return Promise{}, err
	}
	if in.SourceTaskID != 0 {
		if p, err := s.promiseWhere(ctx, tx, "p.source_task_id = ?", in.SourceTaskID); err == nil {
			return p, nil
		} else if !errors.Is(err, ErrNotFound) {
			return Promise{}, err
		}
	}
	if in.WholeBalance {
		in.PromisedMinor = inv.balance
	}
	today := c.Today()
	if in.SourceTaskID != 0 {
		today = today.AddDays(-1)
	}
	if err := engine.CheckPromise(engine.PromiseCheck{Date: in.PromisedDate, Today: today,
		Amount: engine.Amount{Minor: in.PromisedMinor, BalanceMinor: inv.balance, Currency: in.Currency, InvoiceCurrency: inv.currency}}); err != nil {
		return Promise{}, err
	}
	var id int64
	if err := tx.QueryRowContext(ctx, s.rebind(`INSERT INTO promises (invoice_id, promised_date, promised_minor, currency, source_task_id, status,
		note, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`),
		inv.id, in.PromisedDate, in.PromisedMinor, inv.currency, nullID(in.SourceTaskID), engine.PromisePending,
		strings.TrimSpace(in.Note), in.Actor, now).Scan(&id); err != nil {
		return Promise{}, err
	}
	if err := s.appendAudit(ctx, tx, AuditRecord{At: now, Actor: in.Actor, Action: ActionPromiseRecorded, Entity: "promise", EntityID: id,
		InvoiceID: inv.id, RequestID: in.RequestID,
		Detail: map[string]any{"promised_date": in.PromisedDate, "promised_minor": in.PromisedMinor, "currency": inv.currency,
			"source_task_id": in.SourceTaskID, "note": in.Note}}); err != nil {
		return Promise{}, err
	}
	p, err := s.promiseWhere(ctx, tx, "p.id = ?", id)
	if err != nil {
		return Promise{}, err
	}
	return p, tx.Commit()
}

// CancelPromise cancels pending promise id of an invoice v may see; a
// promise no longer pending is ErrConflict.
func (s *Store) CancelPromise(ctx context.Context, v Viewer, id int64, note, actor, requestID string, now time.Time) (Promise, error) {
	now = now.UTC()
	tx, err := s.sqlDB.BeginTx(ctx, nil)
	if err != nil {
		return Promise{}, err
	}
	defer tx.Rollback()
	p, err := s.promiseWhere(ctx, tx, "p.id = ?", id)
	if err != nil {
		return Promise{}, err
	}
	inv, err := s.lockCaseInvoice(ctx, tx, v, p.Invoice, 0)
	if err != nil {
		return Promise{}, err
	}
	n, err := s.execCount(ctx, tx, "UPDATE promises SET status = ?, settled_at = ? WHERE id = ? AND status = ?",
		engine.PromiseCancelled, now, id, engine.PromisePending)
	if err != nil {
		return Promise{}, err
	}
	if n == 0 {
		return Promise{}, fmt.Errorf("promise %d is %s, not pending: %w", id, p.Status, ErrConflict)
	}
	if err := s.appendAudit(ctx, tx, AuditRecord{At: now, Actor: actor, Action: ActionPromiseCancelled, Entity: "promise", EntityID: id,
		InvoiceID: inv.id, RequestID: requestID, Detail: map[string]any{"note": note},
		Before: map[string]any{"status": p.Status}, After: map[string]any{"status": engine.PromiseCancelled}}); err != nil {
		return Promise{}, err
	}
	if p, err = s.promiseWhere(ctx, tx, "p.id = ?", id); err != nil {
		return Promise{}, err
	}
	return p, tx.Commit()
}

// PromiseBrokenKey is the effects-ledger key (and task key) of the task a
// broken promise gives the invoice's owner: one per promise, whatever
// replays the tick.
func PromiseBrokenKey(id int64) string { return fmt.Sprintf("promise/%d/broken", id) }

// settlePromises settles, in the tick's opening transaction tx, the pending
// promises whose date is before today (in loc): kept when the payments
// since each was made, paid by the end of its date, cover it; else broken,
// which opens a task for the invoice's owner, keyed in the effects ledger
// (PromiseBrokenKey). It reads only the pending promises due (an index) and
// their invoices, so a tick with none costs one indexed query.
func (s *Store) settlePromises(ctx context.Context, tx *sql.Tx, tickID int64, at time.Time, loc *time.Location) error {
	if loc == nil {
		loc = time.UTC
	}
	today := calendar.In(at, loc)
	rows, err := tx.QueryContext(ctx, s.rebind(`SELECT p.id, p.invoice_id, i.customer_id, i.number, p.promised_date, p.promised_minor, p.currency,
		p.created_at, COALESCE(i.owner_id, c.owner_id, 0)
		FROM promises p JOIN invoices i ON i.id = p.invoice_id JOIN customers c ON c.id = i.customer_id
		WHERE p.status = ? AND p.promised_date < ? ORDER BY p.id`), engine.PromisePending, today)
	if err != nil {
		return fmt.Errorf("reading promises due: %w", err)
	}
	type due struct {
		id, invoice, customer, owner int64
		number, currency             string
		date                         calendar.Date
		minor                        int64
		created                      dbTime
	}
	var all []due
	for rows.Next() {
		var d due
		if err := rows.Scan(&d.id, &d.invoice, &d.customer, &d.number, &d.date, &d.minor, &d.currency, &d.created, &d.owner); err != nil {
			rows.Close()
			return err
		}
		all = append(all, d)
	}
	if err := rows.Close(); err != nil {
		return err
	}
	for _, d := range all {
		var paid int64
		if err := tx.QueryRowContext(ctx, s.rebind(`SELECT CAST(COALESCE(SUM(amount_minor), 0) AS BIGINT) FROM payments
			WHERE invoice_id = ? AND paid_at >= ? AND paid_at < ?`), d.invoice, d.created.Time.UTC(), d.date.AddDays(1).Time(loc).UTC()).Scan(&paid); err != nil {
			return fmt.Errorf("promise %d: %w", d.id, err)
		}
		status, taskKey := engine.PromiseOutcome(d.minor, paid), ""
		if status == engine.PromiseBroken {
			taskKey = PromiseBrokenKey(d.id)
		}
		n, err := s.execCount(ctx, tx, "UPDATE promises SET status = ?, settled_at = ?, paid_minor = ?, broken_task_key = ? WHERE id = ? AND status = ?",
			status, at, paid, taskKey, d.id, engine.PromisePending)
		if err != nil || n == 0 {
			return err
		}
		if err := s.appendAudit(ctx, tx, AuditRecord{At: at, Actor: "tick", Action: ActionPromiseSettled, Entity: "promise", EntityID: d.id,
			InvoiceID: d.invoice, Detail: map[string]any{"status": status, "paid_minor": paid, "promised_minor": d.minor, "promised_date": d.date}}); err != nil {
			return err
		}
		if status == engine.PromiseBroken {
			if err := s.openBrokenPromiseTask(ctx, tx, tickID, at, d.id, d.invoice, d.customer, d.owner, d.number, d.minor, d.currency, d.date); err != nil {
				return fmt.Errorf("promise %d: %w", d.id, err)
			}
		}
	}
	return nil
}

// openBrokenPromiseTask records the broken promise in the effects ledger
// and, when its key is new there, opens the owner's task.
func (s *Store) openBrokenPromiseTask(ctx context.Context, tx *sql.Tx, tickID int64, at time.Time, id, invoice, customer, owner int64,
	number string, minor int64, currency string, date calendar.Date) error {
	key := PromiseBrokenKey(id)
	amount := engine.FormatMoney(minor, currency, "en")
	title := fmt.Sprintf("Promise to pay broken: %s", number)
	desc := fmt.Sprintf("The customer promised to pay %s on invoice %s by %s and did not. Call them again.", amount, number, date)
	texts, _ := json.Marshal(map[string]engine.Text{"zh-CN": {
		Title: fmt.Sprintf("付款承诺未兑现：%s", number),
		Body:  fmt.Sprintf("客户承诺在 %s 前支付发票 %s 的 %s，但未付款。请再次联系客户。", date, number, engine.FormatMoney(minor, currency, "zh-CN")),
	}})
	r, err := tx.ExecContext(ctx, s.rebind(`INSERT INTO effects (key, tick_id, at, kind, source, version, invoice_id, customer_id, field, value, old_value, detail, trace)
		VALUES (?, ?, ?, ?, ?, 0, ?, ?, '', ?, '', ?, '[]') ON CONFLICT (key) DO NOTHING`),
		key, nullID(tickID), at, string(engine.ActionTask), "promise", invoice, nullID(customer), engine.PromiseBroken,
		fmt.Sprintf(`{"promise":%d}`, id))
	if err != nil {
		return err
	}
	if n, err := r.RowsAffected(); err != nil || n == 0 {
		return err
	}
	_, err = tx.ExecContext(ctx, s.rebind(insertTaskSQL), NewTask{Key: key, Kind: "task", Title: title, Description: desc, Texts: string(texts),
		AssigneeID: owner, Role: RoleSalesRep, Priority: "high", DueAt: at.Add(48 * time.Hour), InvoiceID: invoice, CustomerID: customer,
		Source: "promise", At: at}.args()...)
	return err
}

const promiseColumns = `p.id, i.number, p.promised_date, p.promised_minor, p.currency, COALESCE(p.source_task_id, 0), p.status, p.note,
	p.created_by, p.created_at, p.settled_at, p.paid_minor, p.broken_task_key
	FROM promises p JOIN invoices i ON i.id = p.invoice_id`

func scanPromise(r rowScanner) (Promise, error) {
	var (
		p                Promise
		created, settled dbTime
	)
	err := r.Scan(&p.ID, &p.Invoice, &p.PromisedDate, &p.PromisedMinor, &p.Currency, &p.SourceTaskID, &p.Status, &p.Note,
		&p.CreatedBy, &created, &settled, &p.PaidMinor, &p.BrokenTask)
	p.CreatedAt = created.Time.UTC()
	if settled.Valid {
		t := settled.Time.UTC()
		p.SettledAt = &t
	}
	p.Source = "direct"
	if p.SourceTaskID != 0 {
		p.Source = "task"
	}
	return p, err
}

func (s *Store) promiseWhere(ctx context.Context, tx *sql.Tx, cond string, args ...any) (Promise, error) {
	return caseRow(ctx, s, tx, "promise", "SELECT "+promiseColumns+" WHERE "+cond, scanPromise, args...)
}

// invoicePromises lists the promises of invoice id, oldest first.
func (s *Store) invoicePromises(ctx context.Context, id int64) ([]Promise, error) {
	return caseRows(ctx, s, "SELECT "+promiseColumns+" WHERE p.invoice_id = ? ORDER BY p.id", scanPromise, id)
}
