package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/recoup/recoup/calendar"
)

// CustomerBalance is what one customer owes in one currency.
type CustomerBalance struct {
	Currency          string `json:"currency"`
	OpenMinor         int64  `json:"open_minor"`
	OverdueMinor      int64  `json:"overdue_minor"`
	OpenInvoices      int    `json:"open_invoices"`
	OverdueInvoices   int    `json:"overdue_invoices"`
	OldestDaysOverdue int    `json:"oldest_days_overdue"`
	Paid90dMinor      int64  `json:"paid_90d_minor"`
}

// PromiseCounts counts promises to pay: kept, broken (the date passed and
// they were not kept) and pending.
type PromiseCounts struct {
	Kept    int `json:"kept"`
	Broken  int `json:"broken"`
	Pending int `json:"pending"`
}

// CustomerEvent is one entry of a customer's history: an effect a rule or
// workflow recorded, or something a person did, on one of its invoices.
type CustomerEvent struct {
	At      time.Time     `json:"at"`
	Invoice string        `json:"invoice"`
	Type    string        `json:"type"` // effect or action
	Effect  *HistoryEntry `json:"effect,omitempty"`
	Action  *ActionEntry  `json:"action,omitempty"`
}

// CustomerDetail is one customer as its page shows it.
type CustomerDetail struct {
	CustomerSummary
	FinanceEmail     string            `json:"finance_email"`
	CreditLimitMinor int64             `json:"credit_limit_minor"`
	CreditCurrency   string            `json:"credit_currency"`
	Locale           string            `json:"locale"`
	OwnerName        string            `json:"owner_name"`
	Balances         []CustomerBalance `json:"balances"`
	UnappliedCredit  []CustomerCredit  `json:"unapplied_credit"` // what payments paid beyond their invoices, per currency
	Promises         PromiseCounts     `json:"promises"`
	Invoices         InvoicePage       `json:"invoices"`
	History          []CustomerEvent   `json:"history"`
}

// CustomerDetailOptions says which page of a customer's invoices and how
// much of its history CustomerDetail reads.
type CustomerDetailOptions struct {
	Now          time.Time      // the instant, in the company's zone
	Cursor       string         // of the invoices
	Limit        int            // invoices per page; default 100
	HistoryLimit int            // default 50, at most 500
	Location     *time.Location // the company's zone (promises)
}

// CustomerDetail returns the customer with external id, if v may see it
// (ErrNotFound or ErrHidden otherwise), with its contacts, balances,
// promises, a page of its invoices and its latest history. Whoever sees
// the customer sees all its invoices: the account is theirs even where an
// invoice names another owner.
func (s *Store) CustomerDetail(ctx context.Context, v Viewer, id string, o CustomerDetailOptions) (CustomerDetail, error) {
	today := calendar.Of(o.Now)
	sum, err := s.VisibleCustomer(ctx, v, id, today)
	if err != nil {
		return CustomerDetail{}, err
	}
	d := CustomerDetail{CustomerSummary: sum}
	var rowID int64
	err = s.sqlDB.QueryRowContext(ctx, s.rebind(`SELECT c.id, c.finance_email, c.credit_limit_minor, c.credit_currency, c.locale, COALESCE(u.name, '')
		FROM customers c LEFT JOIN users u ON u.id = c.owner_id WHERE c.external_id = ?`), id).
		Scan(&rowID, &d.FinanceEmail, &d.CreditLimitMinor, &d.CreditCurrency, &d.Locale, &d.OwnerName)
	if errors.Is(err, sql.ErrNoRows) {
		return d, fmt.Errorf("customer %q: %w", id, ErrNotFound)
	}
	if err != nil {
		return d, err
	}
	if d.Balances, err = s.customerBalances(ctx, rowID, today, o.Now); err != nil {
		return d, err
	}
	if d.UnappliedCredit, err = s.customerCredits(ctx, rowID); err != nil {
		return d, err
	}
	if d.Promises, err = s.customerPromises(ctx, rowID, today, o.Location); err != nil {
		return d, err
	}
	if o.Limit <= 0 {
		o.Limit = 100
	}
	if d.Invoices, err = s.Invoices(ctx, Viewer{Role: RoleAdmin}, InvoiceFilter{Customer: id, Today: today, Cursor: o.Cursor, Limit: o.Limit}); err != nil {
		return d, err
	}
	d.History, err = s.customerHistory(ctx, rowID, o.HistoryLimit)
	return d, err
}

// customerBalances sums the invoices of customer id per currency.
func (s *Store) customerBalances(ctx context.Context, id int64, today calendar.Date, now time.Time) ([]CustomerBalance, error) {
	byCurrency := map[string]*CustomerBalance{}
	get := func(cur string) *CustomerBalance {
		b := byCurrency[cur]
		if b == nil {
			b = &CustomerBalance{Currency: cur}
			byCurrency[cur] = b
		}
		return b
	}
	err := s.queryRows(ctx, `SELECT i.currency, CAST(COALESCE(SUM(i.balance_minor), 0) AS BIGINT),
		CAST(COALESCE(SUM(CASE WHEN i.due_date < ? THEN i.balance_minor ELSE 0 END), 0) AS BIGINT),
		COUNT(*), COALESCE(SUM(CASE WHEN i.due_date < ? THEN 1 ELSE 0 END), 0), MIN(i.due_date)
		FROM invoices i WHERE i.customer_id = ? AND i.balance_minor > 0 GROUP BY i.currency`, []any{today, today, id},
		func(rows *sql.Rows) error {
			var cur string
			var b CustomerBalance
			var oldest calendar.Date
			if err := rows.Scan(&cur, &b.OpenMinor, &b.OverdueMinor, &b.OpenInvoices, &b.OverdueInvoices, &oldest); err != nil {
				return err
			}
			b.Currency = cur
			if days := today.DaysSince(oldest); days > 0 {
				b.OldestDaysOverdue = days
			}
			*get(cur) = b
			return nil
		})
	if err != nil {
		return nil, err
	}
	err = s.queryRows(ctx, `SELECT p.currency, CAST(SUM(p.amount_minor) AS BIGINT) FROM payments p JOIN invoices i ON i.id = p.invoice_id
		WHERE i.customer_id = ? AND p.paid_at >= ? GROUP BY p.currency`, []any{id, now.AddDate(0, 0, -90).UTC()},
		func(rows *sql.Rows) error {
			var cur string
			var paid int64
			if err := rows.Scan(&cur, &paid); err != nil {
				return err
			}
			get(cur).Paid90dMinor = paid
			return nil
		})
	if err != nil {
		return nil, err
	}
	out := []CustomerBalance{}
	for _, cur := range sortedKeys(byCurrency) {
		out = append(out, *byCurrency[cur])
	}
	return out, nil
}

// customerPromises counts the promises to pay on the invoices of customer
// id, as the dashboard does (its cash items, brought up to date first).
func (s *Store) customerPromises(ctx context.Context, id int64, today calendar.Date, loc *time.Location) (PromiseCounts, error) {
	var p PromiseCounts
	if loc == nil {
		loc = time.UTC
	}
	if err := s.refreshDashboardCash(ctx, loc); err != nil {
		return p, err
	}
	err := s.queryRows(ctx, `SELECT ci.kept, ci.day, COUNT(*) FROM dashboard_cash_items ci
		WHERE ci.kind = ? AND ci.invoice_id IN (SELECT i.id FROM invoices i WHERE i.customer_id = ?) GROUP BY ci.kept, ci.day`,
		[]any{cashPromise, id}, func(rows *sql.Rows) error {
			var kept bool
			var day calendar.Date
			var n int
			if err := rows.Scan(&kept, &day, &n); err != nil {
				return err
			}
			switch {
			case kept:
				p.Kept += n
			case day.Before(today):
				p.Broken += n
			default:
				p.Pending += n
			}
			return nil
		})
	return p, err
}

// customerHistory is the latest effects and actions on the invoices of
// customer id, newest first, at most limit (default 50).
func (s *Store) customerHistory(ctx context.Context, id int64, limit int) ([]CustomerEvent, error) {
	if limit <= 0 {
		limit = 50
	}
	limit = min(limit, 500)
	of := "(SELECT ci.id FROM invoices ci WHERE ci.customer_id = ?)"
	effects, err := s.effects(ctx, "e.invoice_id IN "+of, []any{id}, "e.at DESC, e.id DESC", limit)
	if err != nil {
		return nil, err
	}
	actions, err := s.actions(ctx, "a.invoice_id IN "+of, []any{id}, "a.at DESC, a.id DESC", limit)
	if err != nil {
		return nil, err
	}
	out := make([]CustomerEvent, 0, len(effects)+len(actions))
	for i := range effects {
		out = append(out, CustomerEvent{At: effects[i].At, Invoice: effects[i].Invoice, Type: "effect", Effect: &effects[i]})
	}
	for i := range actions {
		out = append(out, CustomerEvent{At: actions[i].At, Invoice: actions[i].Invoice, Type: "action", Action: &actions[i]})
	}
	slices.SortStableFunc(out, func(a, b CustomerEvent) int { return b.At.Compare(a.At) })
	return out[:min(len(out), limit)], nil
}
