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

// InvoiceView is one invoice as its page shows it.
type InvoiceView struct {
	Number       string `json:"number"`
	Customer     string `json:"customer"`
	CustomerName string `json:"customer_name"`
	Currency     string `json:"currency"`
	AmountMinor  int64  `json:"amount_minor"`
	PaidMinor    int64  `json:"paid_minor"`
	BalanceMinor int64  `json:"balance_minor"`
	FeesMinor    int64  `json:"fees_minor"`
	// AdjustedMinor is what adjustments took off the balance (write-offs
	// less recoveries, credit notes, settlements, applied credit);
	// WrittenOffMinor the net write-off among it.
	AdjustedMinor   int64             `json:"adjusted_minor"`
	WrittenOffMinor int64             `json:"written_off_minor"`
	IssueDate       calendar.Date     `json:"issue_date"`
	DueDate         calendar.Date     `json:"due_date"`
	DaysOverdue     int               `json:"days_overdue"`
	Aging           string            `json:"aging"`
	Status          string            `json:"status"`
	Risk            string            `json:"risk"`
	Owner           string            `json:"owner"`
	OwnerName       string            `json:"owner_name"`
	Disputed        bool              `json:"disputed"`
	OnHold          bool              `json:"on_hold"`
	HoldReason      string            `json:"hold_reason"` // "legal" for a legal case, else a person's reason
	Custom          map[string]string `json:"custom"`
}

// InvoicePayment is one payment of an invoice: the part applied to it and
// the rest (credit on the customer); a reversed one applies nothing.
type InvoicePayment struct {
	Reference      string     `json:"reference"`
	AmountMinor    int64      `json:"amount_minor"`
	AppliedMinor   int64      `json:"applied_minor"`
	Currency       string     `json:"currency"`
	PaidAt         time.Time  `json:"paid_at"`
	ReversedAt     *time.Time `json:"reversed_at,omitempty"`
	ReversalReason string     `json:"reversal_reason,omitempty"`
}

// InvoiceAdjustment is one adjustment of an invoice's balance: a write-off,
// a recovery of one (negative), a credit note, a settlement, or a
// customer's credit applied to it (Payment names the payment whose credit
// it is; for a recovery, the payment that recovered).
type InvoiceAdjustment struct {
	Kind          string        `json:"kind"`
	AmountMinor   int64         `json:"amount_minor"`
	Currency      string        `json:"currency"`
	Reason        string        `json:"reason"`
	ApprovedBy    string        `json:"approved_by"`
	EffectiveDate calendar.Date `json:"effective_date"`
	Payment       string        `json:"payment,omitempty"`
	PaymentOf     string        `json:"payment_invoice,omitempty"`
	CreatedAt     time.Time     `json:"created_at"`
}

// InvoiceMessage is a notification queued for an invoice, as sent (or
// why not).
type InvoiceMessage struct {
	ID        int64      `json:"id"`
	Channel   string     `json:"channel"`
	Recipient string     `json:"recipient"`
	Template  string     `json:"template"`
	Locale    string     `json:"locale,omitempty"`
	Subject   string     `json:"subject"`
	Body      string     `json:"body"`
	Status    string     `json:"status"`
	Reason    string     `json:"reason,omitempty"`
	CreatedAt time.Time  `json:"created_at"`
	SentAt    *time.Time `json:"sent_at,omitempty"`
}

// ActionEntry is one thing a person (or the payment webhook) did on an
// invoice, from the audit log.
type ActionEntry struct {
	At        time.Time       `json:"at"`
	Actor     string          `json:"actor"`
	ActorName string          `json:"actor_name,omitempty"`
	Action    string          `json:"action"`
	Entity    string          `json:"entity"`
	TaskID    int64           `json:"task_id,omitempty"`
	TaskTitle string          `json:"task_title,omitempty"`
	Invoice   string          `json:"invoice,omitempty"`
	Detail    json.RawMessage `json:"detail,omitempty"`
	// Fields names, for a completed task, each field of its form and each
	// option of its enum fields in both languages (set by the API from the
	// published definitions, so the values read as people wrote them).
	Fields map[string]FieldLabel `json:"fields,omitempty"`
}

// FieldLabel is a form field's label and its options' labels.
type FieldLabel struct {
	Label   *LocalizedText            `json:"label,omitempty"`
	Type    string                    `json:"type"`
	Options map[string]*LocalizedText `json:"options,omitempty"`
}

// InvoiceDetail is one invoice and everything recorded about it, each list
// oldest first.
type InvoiceDetail struct {
	Invoice  InvoiceView      `json:"invoice"`
	Payments []InvoicePayment `json:"payments"`
	// Adjustments are the invoice's adjustments, oldest first.
	Adjustments []InvoiceAdjustment `json:"adjustments"`
	// Plan is the invoice's latest payment plan, nil when it has none.
	Plan *PlanView `json:"plan,omitempty"`
	// Fees are the fee and interest lines charged, oldest first.
	Fees      []InvoiceFee     `json:"fees"`
	Effects   []HistoryEntry   `json:"effects"`
	Tasks     []InboxTask      `json:"tasks"`
	Approvals []InboxTask      `json:"approvals"`
	Messages  []InvoiceMessage `json:"messages"`
	Activity  []ActionEntry    `json:"activity"`
	// Disputes, promises to pay and legal cases (issue 16), oldest first.
	Disputes   []Dispute   `json:"disputes"`
	Promises   []Promise   `json:"promises"`
	LegalCases []LegalCase `json:"legal_cases"`
}

// InvoiceDetail returns the invoice numbered number with its history, if
// v may see it (ErrNotFound or ErrHidden otherwise). Whoever sees the
// invoice sees all its tasks and approvals, as the customer's page lists
// all its invoices. today is the company's date (days overdue), now the
// instant (overdue tasks).
func (s *Store) InvoiceDetail(ctx context.Context, v Viewer, number string, today calendar.Date, now time.Time) (InvoiceDetail, error) {
	scope, args := v.invoiceScope()
	var (
		d       InvoiceDetail
		id      int64
		custom  []byte
		visible bool
		in      = &d.Invoice
	)
	err := s.sqlDB.QueryRowContext(ctx, s.rebind(`SELECT i.id, i.number, c.external_id, c.name, i.currency, i.amount_minor, i.paid_minor,
		i.balance_minor, i.fees_minor, i.adjusted_minor, i.written_off_minor, i.issue_date, i.due_date, i.status, c.risk, COALESCE(u.email, ''), COALESCE(u.name, ''), i.disputed,
		i.hold, i.custom, CASE WHEN `+scope+` THEN 1 ELSE 0 END = 1
		FROM invoices i JOIN customers c ON c.id = i.customer_id LEFT JOIN users u ON u.id = i.owner_id WHERE i.number = ?`),
		append(args, number)...).Scan(&id, &in.Number, &in.Customer, &in.CustomerName, &in.Currency, &in.AmountMinor, &in.PaidMinor,
		&in.BalanceMinor, &in.FeesMinor, &in.AdjustedMinor, &in.WrittenOffMinor, &in.IssueDate, &in.DueDate, &in.Status, &in.Risk, &in.Owner, &in.OwnerName, &in.Disputed,
		&in.HoldReason, &custom, &visible)
	if errors.Is(err, sql.ErrNoRows) {
		return d, fmt.Errorf("invoice %q: %w", number, ErrNotFound)
	}
	if err != nil {
		return d, err
	}
	if !visible {
		return d, fmt.Errorf("invoice %q: %w", number, ErrHidden)
	}
	in.Custom = map[string]string{}
	if len(custom) > 0 {
		if err := decodeStringMap(custom, &in.Custom); err != nil {
			return d, fmt.Errorf("invoice %q: custom: %w", number, err)
		}
	}
	if days := today.DaysSince(in.DueDate); days > 0 && in.BalanceMinor > 0 {
		in.DaysOverdue = days
	}
	in.Aging = engine.AgingBucket(in.DaysOverdue)
	in.OnHold = in.HoldReason != ""

	if d.Payments, err = s.invoicePayments(ctx, id); err != nil {
		return d, err
	}
	if d.Adjustments, err = s.invoiceAdjustments(ctx, id); err != nil {
		return d, err
	}
	if d.Plan, err = s.invoicePlan(ctx, id, now); err != nil {
		return d, err
	}
	if d.Fees, err = s.invoiceFees(ctx, id); err != nil {
		return d, err
	}
	if d.Effects, err = s.effects(ctx, "e.invoice_id = ?", []any{id}, "e.at, e.id", 0); err != nil {
		return d, err
	}
	all := Viewer{Role: RoleAdmin}
	if d.Tasks, err = s.Inbox(ctx, all, InboxFilter{Status: "all", Kind: "task", Invoice: number, Now: now, Limit: 500}); err != nil {
		return d, err
	}
	if d.Approvals, err = s.Inbox(ctx, all, InboxFilter{Status: "all", Kind: "approval", Invoice: number, Now: now, Limit: 500}); err != nil {
		return d, err
	}
	if d.Messages, err = s.InvoiceMessages(ctx, id); err != nil {
		return d, err
	}
	if d.Activity, err = s.actions(ctx, "a.invoice_id = ?", []any{id}, "a.id", 0); err != nil {
		return d, err
	}
	if d.Disputes, err = s.invoiceDisputes(ctx, id); err != nil {
		return d, err
	}
	if d.Promises, err = s.invoicePromises(ctx, id); err != nil {
		return d, err
	}
	d.LegalCases, err = s.invoiceLegalCases(ctx, id)
	return d, err
}

func (s *Store) invoicePayments(ctx context.Context, invoiceID int64) ([]InvoicePayment, error) {
	rows, err := s.sqlDB.QueryContext(ctx, s.rebind(`SELECT reference, amount_minor, applied_minor, currency, paid_at, reversed_at, reversal_reason
		FROM payments WHERE invoice_id = ? ORDER BY paid_at, id`), invoiceID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []InvoicePayment{}
	for rows.Next() {
		var p InvoicePayment
		var reversed sql.NullTime
		if err := rows.Scan(&p.Reference, &p.AmountMinor, &p.AppliedMinor, &p.Currency, &p.PaidAt, &reversed, &p.ReversalReason); err != nil {
			return nil, err
		}
		if reversed.Valid {
			at := reversed.Time.UTC()
			p.ReversedAt = &at
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

func (s *Store) invoiceAdjustments(ctx context.Context, invoiceID int64) ([]InvoiceAdjustment, error) {
	rows, err := s.sqlDB.QueryContext(ctx, s.rebind(`SELECT a.kind, a.amount_minor, a.currency, a.reason, a.approved_by, a.effective_date,
		COALESCE(p.reference, ''), COALESCE(pi.number, ''), a.created_at
		FROM adjustments a LEFT JOIN payments p ON p.id = a.payment_id LEFT JOIN invoices pi ON pi.id = p.invoice_id
		WHERE a.invoice_id = ? ORDER BY a.effective_date, a.id`), invoiceID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []InvoiceAdjustment{}
	for rows.Next() {
		var a InvoiceAdjustment
		if err := rows.Scan(&a.Kind, &a.AmountMinor, &a.Currency, &a.Reason, &a.ApprovedBy, &a.EffectiveDate, &a.Payment, &a.PaymentOf, &a.CreatedAt); err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

// effects lists the effects (e, joined to their invoice i) that match
// where, ordered by order, at most limit (0: all).
func (s *Store) effects(ctx context.Context, where string, args []any, order string, limit int) ([]HistoryEntry, error) {
	q := `SELECT e.at, e.key, e.kind, e.source, e.version, e.field, e.value, e.old_value, e.detail, e.trace, COALESCE(i.number, '')
		FROM effects e LEFT JOIN invoices i ON i.id = e.invoice_id WHERE ` + where + " ORDER BY " + order
	if limit > 0 {
		q += " LIMIT ?"
		args = append(args, limit)
	}
	rows, err := s.sqlDB.QueryContext(ctx, s.rebind(q), args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []HistoryEntry{}
	for rows.Next() {
		var e HistoryEntry
		var detail, trace []byte
		if err := rows.Scan(&e.At, &e.Key, &e.Kind, &e.Source, &e.Version, &e.Field, &e.Value, &e.OldValue, &detail, &trace, &e.Invoice); err != nil {
			return nil, err
		}
		e.Detail = json.RawMessage(detail)
		if len(e.Detail) == 0 {
			e.Detail = json.RawMessage("{}")
		}
		e.Trace = []TraceEntry{}
		if len(trace) > 0 {
			if err := json.Unmarshal(trace, &e.Trace); err != nil {
				return nil, fmt.Errorf("effect %s: trace: %w", e.Key, err)
			}
		}
		e.describe()
		out = append(out, e)
	}
	return out, rows.Err()
}

// describe names the definition that caused e from its source: a rule
// ("mark-overdue") or a workflow's node ("dunning/call").
func (e *HistoryEntry) describe() {
	if wf, node, ok := strings.Cut(e.Source, "/"); ok {
		e.DefinitionKind, e.Definition, e.Node = string(engine.KindWorkflow), wf, node
		return
	}
	e.DefinitionKind, e.Definition = string(engine.KindRule), e.Source
}

// InvoiceMessages lists the notifications queued for invoice id, oldest
// first.
func (s *Store) InvoiceMessages(ctx context.Context, invoiceID int64) ([]InvoiceMessage, error) {
	rows, err := s.sqlDB.QueryContext(ctx, s.rebind(`SELECT id, channel, recipient, template, locale, subject, body, status, reason, created_at, sent_at
		FROM outbox WHERE invoice_id = ? ORDER BY created_at, id`), invoiceID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []InvoiceMessage{}
	for rows.Next() {
		var m InvoiceMessage
		var sent sql.NullTime
		if err := rows.Scan(&m.ID, &m.Channel, &m.Recipient, &m.Template, &m.Locale, &m.Subject, &m.Body, &m.Status, &m.Reason,
			&m.CreatedAt, &sent); err != nil {
			return nil, err
		}
		m.SentAt = nullTime(sent)
		out = append(out, m)
	}
	return out, rows.Err()
}

// actions lists the audit entries (a) on invoices that match where: what
// people did, not the tick.
func (s *Store) actions(ctx context.Context, where string, args []any, order string, limit int) ([]ActionEntry, error) {
	q := `SELECT a.at, a.actor, COALESCE(u.name, ''), a.action, a.entity, COALESCE(t.id, 0), COALESCE(t.title, ''), COALESCE(i.number, ''), a.detail
		FROM audit_log a LEFT JOIN users u ON u.email = a.actor LEFT JOIN tasks t ON a.entity = 'task' AND t.id = a.entity_id
		LEFT JOIN invoices i ON i.id = a.invoice_id WHERE a.actor <> 'tick' AND ` + where + " ORDER BY " + order
	if limit > 0 {
		q += " LIMIT ?"
		args = append(args, limit)
	}
	rows, err := s.sqlDB.QueryContext(ctx, s.rebind(q), args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []ActionEntry{}
	for rows.Next() {
		var a ActionEntry
		var detail []byte
		if err := rows.Scan(&a.At, &a.Actor, &a.ActorName, &a.Action, &a.Entity, &a.TaskID, &a.TaskTitle, &a.Invoice, &detail); err != nil {
			return nil, err
		}
		if len(detail) > 0 && string(detail) != "{}" {
			a.Detail = json.RawMessage(detail)
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

// InvoiceFee is one fee or interest line of an invoice.
type InvoiceFee struct {
	Kind        string    `json:"kind"` // fee or interest
	AmountMinor int64     `json:"amount_minor"`
	Currency    string    `json:"currency"`
	Days        int       `json:"days,omitempty"` // interest: the days it covers
	Reason      string    `json:"reason"`
	CreatedAt   time.Time `json:"created_at"`
}

func (s *Store) invoiceFees(ctx context.Context, invoiceID int64) ([]InvoiceFee, error) {
	rows, err := s.sqlDB.QueryContext(ctx, s.rebind(`SELECT kind, amount_minor, currency, days, reason, created_at FROM fees WHERE invoice_id = ? ORDER BY created_at, id`), invoiceID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []InvoiceFee{}
	for rows.Next() {
		var f InvoiceFee
		if err := rows.Scan(&f.Kind, &f.AmountMinor, &f.Currency, &f.Days, &f.Reason, &f.CreatedAt); err != nil {
			return nil, err
		}
		out = append(out, f)
	}
	return out, rows.Err()
}
