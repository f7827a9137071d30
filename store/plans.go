package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/recoup/recoup/calendar"
	"github.com/recoup/recoup/engine"
	"github.com/recoup/recoup/money"
)

// Payment plans (issue 16 §1): payment_plans, their invoices with the
// balance and fees each had when the plan began, and their installments.
// What was paid toward a plan is what its invoices' balances fell since it
// began, not counting the fees and interest charged since: a charge is not
// a missed payment (and a tick that charged interest and is run again reads
// the plan as it did the first time: TestTickKilledPlansInterestPromises).

// planPaidSQL is what was paid toward plan p.id: how far its invoices'
// balances fell since it began, the fees and interest charged since put
// back.
const planPaidSQL = `(SELECT CAST(COALESCE(SUM(pi.start_balance_minor - i.balance_minor + i.fees_minor - pi.start_fees_minor), 0) AS BIGINT)
	FROM payment_plan_invoices pi JOIN invoices i ON i.id = pi.invoice_id WHERE pi.plan_id = p.id)`

// loadPlans reads the plans named by plans (subject index → plan id) into
// their subjects: one query for the plans, one for their installments.
// Only invoices that have a plan pay for this.
func (s *Store) loadPlans(ctx context.Context, q querier, subs []engine.Subject, plans map[int]int64) error {
	if len(plans) == 0 {
		return nil
	}
	ids := make([]any, 0, len(plans))
	seen := map[int64]bool{}
	for _, id := range plans {
		if !seen[id] {
			seen[id] = true
			ids = append(ids, id)
		}
	}
	byID := make(map[int64]*engine.Plan, len(ids))
	lead := map[int64]int64{}
	in := placeholders(len(ids))
	rows, err := q.QueryContext(ctx, s.rebind(`SELECT p.id, p.status, p.currency, p.planned_minor, p.grace_days, `+planPaidSQL+`,
		(SELECT MIN(pi.invoice_id) FROM payment_plan_invoices pi WHERE pi.plan_id = p.id)
		FROM payment_plans p WHERE p.id IN (`+in+`)`), ids...)
	if err != nil {
		return fmt.Errorf("reading payment plans: %w", err)
	}
	for rows.Next() {
		p := &engine.Plan{}
		var first int64
		if err := rows.Scan(&p.ID, &p.Status, &p.Currency, &p.PlannedMinor, &p.GraceDays, &p.PaidMinor, &first); err != nil {
			rows.Close()
			return err
		}
		byID[p.ID], lead[p.ID] = p, first
	}
	if err := rows.Close(); err != nil {
		return err
	}
	rows, err = q.QueryContext(ctx, s.rebind(`SELECT plan_id, seq, due_date, amount_minor FROM installments WHERE plan_id IN (`+in+`) ORDER BY plan_id, seq`), ids...)
	if err != nil {
		return fmt.Errorf("reading installments: %w", err)
	}
	for rows.Next() {
		var id int64
		var in engine.Installment
		if err := rows.Scan(&id, &in.Seq, &in.DueDate, &in.AmountMinor); err != nil {
			rows.Close()
			return err
		}
		if p := byID[id]; p != nil {
			p.Installments = append(p.Installments, in)
		}
	}
	if err := rows.Close(); err != nil {
		return err
	}
	for i, id := range plans {
		p := byID[id]
		if p == nil {
			continue
		}
		cp := *p // each invoice its own copy: Lead differs
		cp.Lead = lead[id] == subs[i].Invoice.ID
		subs[i].Invoice.Plan = &cp
	}
	return nil
}

// PlanIn is a payment plan to create directly (finance), over invoices of
// one customer in one currency.
type PlanIn struct {
	Key          string   // idempotency key
	Invoices     []string // invoice numbers; the plan covers their balances
	Installments []engine.Installment
	// Or a count, first date and interval: the planned amount split evenly.
	Count       int
	FirstDue    calendar.Date
	EveryMonths int
	GraceDays   int
	Note        string
	Actor       string
	RequestID   string
}

// PlanView is a plan as the invoice page shows it.
type PlanView struct {
	ID           int64                `json:"id"`
	Status       string               `json:"status"`
	State        string               `json:"state"` // on_track, late, broken, completed, cancelled
	Currency     string               `json:"currency"`
	PlannedMinor int64                `json:"planned_minor"`
	PaidMinor    int64                `json:"paid_minor"`
	ArrearsMinor int64                `json:"arrears_minor"`
	GraceDays    int                  `json:"grace_days"`
	Invoices     []string             `json:"invoices"`
	Installments []InstallmentView    `json:"installments"`
	CreatedBy    string               `json:"created_by"`
	Note         string               `json:"note"`
	CreatedAt    time.Time            `json:"created_at"`
	EndedAt      *time.Time           `json:"ended_at,omitempty"`
	Schedule     []engine.Installment `json:"-"`
}

// InstallmentView is one installment with what covers it.
type InstallmentView struct {
	Seq          int           `json:"seq"`
	DueDate      calendar.Date `json:"due_date"`
	AmountMinor  int64         `json:"amount_minor"`
	CoveredMinor int64         `json:"covered_minor"`
	Status       string        `json:"status"` // paid, partly_paid, due, late
}

// PlanError is a plan refused for what it says, by field. It matches
// ErrInvalid.
type PlanError = AdjustmentError

// ActionPlanCreated is the audit action of a payment plan created.
const ActionPlanCreated = "plan.created"

// ActionPlanCancelled is the audit action of a payment plan cancelled.
const ActionPlanCancelled = "plan.cancelled"

// CreatePlan creates a payment plan over invoices of one customer in one
// currency, at their balances now: installments given must sum to that
// exactly; else Count installments from FirstDue, split evenly with the
// remainder on the last. Idempotent by Key.
func (s *Store) CreatePlan(ctx context.Context, in PlanIn, now time.Time) (PlanView, error) {
	if in.Key == "" {
		return PlanView{}, &PlanError{"key", "a plan needs a reference, so that sending it twice creates it once"}
	}
	if len(in.Invoices) == 0 {
		return PlanView{}, &PlanError{"invoices", "name at least one invoice"}
	}
	b, err := s.BeginBulk(ctx, now)
	if err != nil {
		return PlanView{}, err
	}
	defer b.Rollback()
	var existing int64
	err = b.tx.QueryRowContext(ctx, s.rebind("SELECT id FROM payment_plans WHERE key = ?"), in.Key).Scan(&existing)
	if err == nil {
		b.Rollback()
		return s.Plan(ctx, existing, now)
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return PlanView{}, err
	}
	var ids []int64
	var customer int64
	var currency string
	var total int64
	for i, number := range in.Invoices {
		var id, cust, balance int64
		var cur string
		err := b.tx.QueryRowContext(ctx, s.rebind("SELECT id, customer_id, currency, balance_minor FROM invoices WHERE number = ?"), number).Scan(&id, &cust, &cur, &balance)
		if errors.Is(err, sql.ErrNoRows) {
			return PlanView{}, &PlanError{fmt.Sprintf("invoices[%d]", i), fmt.Sprintf("no invoice %q", number)}
		}
		if err != nil {
			return PlanView{}, err
		}
		switch {
		case i > 0 && cust != customer:
			return PlanView{}, &PlanError{fmt.Sprintf("invoices[%d]", i), fmt.Sprintf("invoice %s is another customer's: a plan covers one customer's invoices", number)}
		case i > 0 && cur != currency:
			return PlanView{}, &PlanError{fmt.Sprintf("invoices[%d]", i), fmt.Sprintf("invoice %s is in %s, the plan in %s", number, cur, currency)}
		case balance <= 0:
			return PlanView{}, &PlanError{fmt.Sprintf("invoices[%d]", i), fmt.Sprintf("invoice %s has nothing owed", number)}
		}
		customer, currency = cust, cur
		total += balance
		ids = append(ids, id)
	}
	sched := in.Installments
	if len(sched) == 0 {
		if sched, err = engine.SplitInstallments(total, in.Count, in.FirstDue, in.EveryMonths); err != nil {
			return PlanView{}, &PlanError{"installments", err.Error()}
		}
	} else {
		var sum int64
		for i, x := range sched {
			if x.AmountMinor <= 0 {
				return PlanView{}, &PlanError{fmt.Sprintf("installments[%d].amount_minor", i), "must be positive"}
			}
			if i > 0 && !x.DueDate.After(sched[i-1].DueDate) {
				return PlanView{}, &PlanError{fmt.Sprintf("installments[%d].due_date", i), "installments must be in date order, one per day at most"}
			}
			sched[i].Seq = i + 1
			sum += x.AmountMinor
		}
		if sum != total {
			return PlanView{}, &PlanError{"installments", fmt.Sprintf("they sum to %s, the invoices owe %s", money.New(sum, currency), money.New(total, currency))}
		}
	}
	loc, err := b.location(ctx)
	if err != nil {
		return PlanView{}, err
	}
	if today := calendar.Of(now.In(loc)); sched[0].DueDate.Before(today) {
		return PlanView{}, &PlanError{"installments[0].due_date", fmt.Sprintf("the first installment is due %s, before today (%s)", sched[0].DueDate, today)}
	}
	grace := in.GraceDays
	if grace < 0 || grace > 90 {
		return PlanView{}, &PlanError{"grace_days", "want 0 to 90"}
	}
	id, err := b.insertPlan(ctx, in.Key, customer, currency, ids, sched, grace, in.Actor, in.Note)
	if err != nil {
		return PlanView{}, err
	}
	if err := s.appendAudit(ctx, b.tx, AuditRecord{At: b.now, Actor: orAPI(in.Actor), Action: ActionPlanCreated, Entity: "payment_plan", EntityID: id,
		Invoice: in.Invoices[0], InvoiceID: ids[0], RequestID: in.RequestID,
		Detail: map[string]any{"key": in.Key, "invoices": in.Invoices, "planned_minor": total, "currency": currency, "installments": sched, "grace_days": grace}}); err != nil {
		return PlanView{}, err
	}
	if err := b.Commit(); err != nil {
		return PlanView{}, err
	}
	return s.Plan(ctx, id, now)
}

func orAPI(actor string) string {
	if actor == "" {
		return "api"
	}
	return actor
}

// insertPlan writes a plan, its invoices at their balances and fees now and its
// installments, and makes it the invoices' plan.
func (b *BulkTx) insertPlan(ctx context.Context, key string, customer int64, currency string, invoices []int64, sched []engine.Installment, grace int, by, note string) (int64, error) {
	var total int64
	for _, x := range sched {
		total += x.AmountMinor
	}
	var id int64
	if err := b.tx.QueryRowContext(ctx, b.s.rebind(`INSERT INTO payment_plans (key, customer_id, currency, planned_minor, status, grace_days, created_by, note, created_at)
		VALUES (?, ?, ?, ?, 'active', ?, ?, ?, ?) RETURNING id`), key, customer, currency, total, grace, by, note, b.now).Scan(&id); err != nil {
		return 0, fmt.Errorf("creating the payment plan: %w", err)
	}
	for _, inv := range invoices {
		if _, err := b.tx.ExecContext(ctx, b.s.rebind(`INSERT INTO payment_plan_invoices (plan_id, invoice_id, start_balance_minor, start_fees_minor)
			SELECT ?, id, balance_minor, fees_minor FROM invoices WHERE id = ?`), id, inv); err != nil {
			return 0, fmt.Errorf("creating the payment plan: %w", err)
		}
		if _, err := b.tx.ExecContext(ctx, b.s.rebind(`UPDATE invoices SET plan_id = ?, updated_at = ? WHERE id = ?`), id, b.now, inv); err != nil {
			return 0, err
		}
	}
	for _, x := range sched {
		if _, err := b.tx.ExecContext(ctx, b.s.rebind(`INSERT INTO installments (plan_id, seq, due_date, amount_minor) VALUES (?, ?, ?, ?)`),
			id, x.Seq, x.DueDate, x.AmountMinor); err != nil {
			return 0, fmt.Errorf("creating the payment plan: %w", err)
		}
	}
	// Plans still active on these invoices are replaced.
	_, err := b.tx.ExecContext(ctx, b.s.rebind(`UPDATE payment_plans SET status = 'cancelled', ended_at = ? WHERE status = 'active' AND id <> ?
		AND id IN (SELECT plan_id FROM payment_plan_invoices WHERE invoice_id IN (SELECT invoice_id FROM payment_plan_invoices WHERE plan_id = ?))`), b.now, id, id)
	return id, err
}

// CancelPlan cancels an active plan: its invoices' escalation resumes.
func (s *Store) CancelPlan(ctx context.Context, id int64, reason, actor, requestID string, now time.Time) (PlanView, error) {
	if len(strings.TrimSpace(reason)) < 3 {
		return PlanView{}, &PlanError{"reason", "say why the plan is cancelled"}
	}
	tx, err := s.sqlDB.BeginTx(ctx, nil)
	if err != nil {
		return PlanView{}, err
	}
	defer tx.Rollback()
	res, err := tx.ExecContext(ctx, s.rebind(`UPDATE payment_plans SET status = 'cancelled', ended_at = ? WHERE id = ? AND status = 'active'`), now.UTC(), id)
	if err != nil {
		return PlanView{}, err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		var status string
		if err := tx.QueryRowContext(ctx, s.rebind("SELECT status FROM payment_plans WHERE id = ?"), id).Scan(&status); errors.Is(err, sql.ErrNoRows) {
			return PlanView{}, fmt.Errorf("payment plan %d: %w", id, ErrNotFound)
		} else if err != nil {
			return PlanView{}, err
		}
		return PlanView{}, fmt.Errorf("payment plan %d is %s, not active: %w", id, status, ErrConflict)
	}
	var first int64
	if err := tx.QueryRowContext(ctx, s.rebind("SELECT MIN(invoice_id) FROM payment_plan_invoices WHERE plan_id = ?"), id).Scan(&first); err != nil {
		return PlanView{}, err
	}
	if err := s.appendAudit(ctx, tx, AuditRecord{At: now.UTC(), Actor: orAPI(actor), Action: ActionPlanCancelled, Entity: "payment_plan", EntityID: id,
		InvoiceID: first, RequestID: requestID, Detail: map[string]any{"reason": reason}}); err != nil {
		return PlanView{}, err
	}
	if err := tx.Commit(); err != nil {
		return PlanView{}, err
	}
	return s.Plan(ctx, id, now)
}

// Plan reads one plan with its installments' state at now.
func (s *Store) Plan(ctx context.Context, id int64, now time.Time) (PlanView, error) {
	var v PlanView
	var ended sql.NullTime
	err := s.sqlDB.QueryRowContext(ctx, s.rebind(`SELECT p.id, p.status, p.currency, p.planned_minor, p.grace_days, `+planPaidSQL+`,
		p.created_by, p.note, p.created_at, p.ended_at FROM payment_plans p WHERE p.id = ?`), id).
		Scan(&v.ID, &v.Status, &v.Currency, &v.PlannedMinor, &v.GraceDays, &v.PaidMinor, &v.CreatedBy, &v.Note, &v.CreatedAt, &ended)
	if errors.Is(err, sql.ErrNoRows) {
		return v, fmt.Errorf("payment plan %d: %w", id, ErrNotFound)
	}
	if err != nil {
		return v, err
	}
	if ended.Valid {
		t := ended.Time.UTC()
		v.EndedAt = &t
	}
	v.PaidMinor = max(v.PaidMinor, 0)
	rows, err := s.sqlDB.QueryContext(ctx, s.rebind(`SELECT i.number FROM payment_plan_invoices pi JOIN invoices i ON i.id = pi.invoice_id WHERE pi.plan_id = ? ORDER BY i.id`), id)
	if err != nil {
		return v, err
	}
	v.Invoices = []string{}
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			rows.Close()
			return v, err
		}
		v.Invoices = append(v.Invoices, n)
	}
	if err := rows.Close(); err != nil {
		return v, err
	}
	rows, err = s.sqlDB.QueryContext(ctx, s.rebind(`SELECT seq, due_date, amount_minor FROM installments WHERE plan_id = ? ORDER BY seq`), id)
	if err != nil {
		return v, err
	}
	for rows.Next() {
		var x engine.Installment
		if err := rows.Scan(&x.Seq, &x.DueDate, &x.AmountMinor); err != nil {
			rows.Close()
			return v, err
		}
		v.Schedule = append(v.Schedule, x)
	}
	if err := rows.Close(); err != nil {
		return v, err
	}
	company, err := s.Company(ctx)
	if err != nil && !errors.Is(err, ErrNotFound) {
		return v, err
	}
	loc, err := company.Location()
	if err != nil {
		loc = time.UTC
	}
	today := calendar.Of(now.In(loc))
	p := engine.Plan{ID: v.ID, Status: v.Status, Currency: v.Currency, PlannedMinor: v.PlannedMinor, PaidMinor: v.PaidMinor, GraceDays: v.GraceDays, Installments: v.Schedule}
	st := p.State(today)
	v.State, v.ArrearsMinor = st.Status, st.ArrearsMinor
	v.Installments = make([]InstallmentView, len(v.Schedule))
	for i, x := range v.Schedule {
		iv := InstallmentView{Seq: x.Seq, DueDate: x.DueDate, AmountMinor: x.AmountMinor, CoveredMinor: st.Covered[i]}
		switch {
		case iv.CoveredMinor >= x.AmountMinor:
			iv.Status = "paid"
		case x.DueDate.Before(today):
			iv.Status = "late"
		case iv.CoveredMinor > 0:
			iv.Status = "partly_paid"
		default:
			iv.Status = "due"
		}
		v.Installments[i] = iv
	}
	return v, nil
}

// PlanIDs lists the ids of the payment plans created after plan after (0:
// all), oldest first.
func (s *Store) PlanIDs(ctx context.Context, after int64) ([]int64, error) {
	var ids []int64
	err := s.queryRows(ctx, "SELECT id FROM payment_plans WHERE id > ? ORDER BY id", []any{after}, func(rows *sql.Rows) error {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return err
		}
		ids = append(ids, id)
		return nil
	})
	return ids, err
}

// invoicePlan is the invoice's latest plan, nil when it has none.
func (s *Store) invoicePlan(ctx context.Context, invoiceID int64, now time.Time) (*PlanView, error) {
	var id sql.NullInt64
	if err := s.sqlDB.QueryRowContext(ctx, s.rebind("SELECT plan_id FROM invoices WHERE id = ?"), invoiceID).Scan(&id); err != nil || !id.Valid {
		return nil, err
	}
	v, err := s.Plan(ctx, id.Int64, now)
	return &v, err
}

// writePlan applies a workflow's payment_plan effect in the tick's
// transaction: the invoice's balance at this moment on a plan keyed by the
// effect (a replayed tick creates it once).
func (w *effectWriter) writePlan(ctx context.Context, key string, e *engine.Effect) error {
	if e.Plan == nil {
		return nil
	}
	b := &BulkTx{s: w.s, tx: w.tx, now: w.run.At.UTC()}
	defer b.closeStmts()
	var customer, balance int64
	var currency string
	if err := w.tx.QueryRowContext(ctx, w.s.rebind("SELECT customer_id, currency, balance_minor FROM invoices WHERE id = ?"), e.Key.Subject).Scan(&customer, &currency, &balance); err != nil {
		return err
	}
	if balance <= 0 {
		return nil
	}
	sched, err := engine.SplitInstallments(balance, e.Plan.Installments, e.Plan.FirstDue, e.Plan.EveryMonths)
	if err != nil {
		return nil // the decision's values cannot make a plan: the effect stays in the ledger, with no plan
	}
	approver, err := w.decider(ctx, e)
	if err != nil {
		return err
	}
	id, err := b.insertPlan(ctx, key, customer, currency, []int64{e.Key.Subject}, sched, e.Plan.GraceDays, approver, "workflow "+e.Workflow+" "+e.Node)
	if err != nil {
		return err
	}
	return w.s.appendAudit(ctx, w.tx, AuditRecord{At: b.now, Actor: "tick", Action: ActionPlanCreated, Entity: "payment_plan", EntityID: id,
		InvoiceID: e.Key.Subject, Detail: map[string]any{"key": key, "planned_minor": balance, "currency": currency, "installments": sched,
			"grace_days": e.Plan.GraceDays, "decided_by": approver}})
}

// endPlan applies a plan_broken or plan_completed effect.
func (w *effectWriter) endPlan(ctx context.Context, e *engine.Effect, status string) error {
	_, err := w.exec(ctx, `UPDATE payment_plans SET status = ?, ended_at = ? WHERE id = ? AND status = 'active'`, status, w.run.At.UTC(), e.PlanID)
	return err
}

// InvoiceOwed is an invoice's currency and balance, if v may see it.
func (s *Store) InvoiceOwed(ctx context.Context, v Viewer, number string) (string, int64, error) {
	scope, args := v.invoiceScope()
	var currency string
	var balance int64
	var visible bool
	err := s.sqlDB.QueryRowContext(ctx, s.rebind(`SELECT i.currency, i.balance_minor, CASE WHEN `+scope+` THEN 1 ELSE 0 END = 1
		FROM invoices i JOIN customers c ON c.id = i.customer_id WHERE i.number = ?`), append(args, number)...).Scan(&currency, &balance, &visible)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return "", 0, fmt.Errorf("invoice %q: %w", number, ErrNotFound)
	case err != nil:
		return "", 0, err
	case !visible:
		return "", 0, fmt.Errorf("invoice %q: %w", number, ErrHidden)
	}
	return currency, balance, nil
}
