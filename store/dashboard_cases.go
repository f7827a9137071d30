package store

import (
	"cmp"
	"context"
	"database/sql"
	"fmt"
	"slices"
	"time"

	"github.com/recoup/recoup/calendar"
	"github.com/recoup/recoup/engine"
)

// DisputeRow is, in one currency, the open disputes by age (days since
// opened, in the company's zone) and how many are past their SLA date, and
// the disputes resolved in the dashboard's window.
type DisputeRow struct {
	Currency      string `json:"currency"`
	Open          int    `json:"open"`
	OpenMinor     int64  `json:"open_minor"`
	Age0To7       int    `json:"age_0_7"`
	Age8To30      int    `json:"age_8_30"`
	Age31Plus     int    `json:"age_31_plus"`
	PastSLA       int    `json:"past_sla"`
	Upheld        int    `json:"upheld"`
	UpheldMinor   int64  `json:"upheld_minor"` // taken off balances
	Rejected      int    `json:"rejected"`
	ResolvedTotal int    `json:"resolved"` // upheld + rejected
}

// PromiseRecordRow counts, in one currency, the promise records with a
// promised date in the window or later by status: the promise-kept rate is
// kept / (kept + broken).
type PromiseRecordRow struct {
	Currency  string `json:"currency"`
	Kept      int    `json:"kept"`
	Broken    int    `json:"broken"`
	Pending   int    `json:"pending"`
	Cancelled int    `json:"cancelled"`
	KeptMinor int64  `json:"kept_minor"`
}

// dashboardCases counts disputes and promise records over the invoices v
// sees, filtered as the rest of the dashboard. They are read on every
// request, as the task counts are (not cached): both tables are small.
func (s *Store) dashboardCases(ctx context.Context, v Viewer, f DashboardFilter, today calendar.Date, loc *time.Location) ([]DisputeRow, []PromiseRecordRow, error) {
	scope, args := v.invoiceScope()
	cond := scope
	if f.Team != "" {
		cond += " AND " + invoiceOwner + " IN (SELECT ft.id FROM users ft WHERE ft.team = ?)"
		args = append(args, f.Team)
	}
	if f.Region != "" {
		cond += " AND c.region = ?"
		args = append(args, f.Region)
	}
	if f.Currency != "" {
		cond += " AND i.currency = ?"
		args = append(args, f.Currency)
	}
	from := today.AddDays(1 - DashboardWindow)
	disputes := map[string]*DisputeRow{}
	err := s.queryRows(ctx, `SELECT d.currency, d.status, d.disputed_minor, d.resolved_minor, d.opened_at, d.sla_due, d.resolved_at
		FROM disputes d JOIN invoices i ON i.id = d.invoice_id JOIN customers c ON c.id = i.customer_id
		WHERE (d.status = 'open' OR d.resolved_at >= ?) AND `+cond, append([]any{from.Time(loc).UTC()}, args...), func(rows *sql.Rows) error {
		var (
			currency, status   string
			disputed, resolved int64
			opened, resolvedAt dbTime
			sla                calendar.Date
		)
		if err := rows.Scan(&currency, &status, &disputed, &resolved, &opened, &sla, &resolvedAt); err != nil {
			return err
		}
		r := disputes[currency]
		if r == nil {
			r = &DisputeRow{Currency: currency}
			disputes[currency] = r
		}
		switch status {
		case engine.DisputeOpen:
			r.Open++
			r.OpenMinor += disputed
			switch age := today.DaysSince(calendar.In(opened.Time, loc)); {
			case age <= 7:
				r.Age0To7++
			case age <= 30:
				r.Age8To30++
			default:
				r.Age31Plus++
			}
			if sla.Before(today) {
				r.PastSLA++
			}
		case engine.DisputeUpheld:
			r.Upheld++
			r.UpheldMinor += resolved
			r.ResolvedTotal++
		case engine.DisputeRejected:
			r.Rejected++
			r.ResolvedTotal++
		}
		return nil
	})
	if err != nil {
		return nil, nil, fmt.Errorf("dashboard disputes: %w", err)
	}
	promises := map[string]*PromiseRecordRow{}
	err = s.queryRows(ctx, `SELECT p.currency, p.status, COUNT(*), CAST(COALESCE(SUM(p.promised_minor), 0) AS BIGINT)
		FROM promises p JOIN invoices i ON i.id = p.invoice_id JOIN customers c ON c.id = i.customer_id
		WHERE p.promised_date >= ? AND `+cond+` GROUP BY p.currency, p.status`, append([]any{from}, args...), func(rows *sql.Rows) error {
		var (
			currency, status string
			n, minor         int64
		)
		if err := rows.Scan(&currency, &status, &n, &minor); err != nil {
			return err
		}
		r := promises[currency]
		if r == nil {
			r = &PromiseRecordRow{Currency: currency}
			promises[currency] = r
		}
		switch status {
		case engine.PromiseKept:
			r.Kept, r.KeptMinor = int(n), minor
		case engine.PromiseBroken:
			r.Broken = int(n)
		case engine.PromisePending:
			r.Pending = int(n)
		case engine.PromiseCancelled:
			r.Cancelled = int(n)
		}
		return nil
	})
	if err != nil {
		return nil, nil, fmt.Errorf("dashboard promise records: %w", err)
	}
	dr := make([]DisputeRow, 0, len(disputes))
	for _, r := range disputes {
		dr = append(dr, *r)
	}
	slices.SortFunc(dr, func(a, b DisputeRow) int { return cmp.Compare(a.Currency, b.Currency) })
	pr := make([]PromiseRecordRow, 0, len(promises))
	for _, r := range promises {
		pr = append(pr, *r)
	}
	slices.SortFunc(pr, func(a, b PromiseRecordRow) int { return cmp.Compare(a.Currency, b.Currency) })
	return dr, pr, nil
}
