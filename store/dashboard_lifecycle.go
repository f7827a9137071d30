package store

import (
	"context"
	"database/sql"
	"fmt"
	"sort"
	"time"

	"github.com/recoup/recoup/calendar"
	"github.com/recoup/recoup/engine"
)

// BadDebtRow is, for one month (YYYY-MM, by effective date in the company's
// calendar) and currency, what was written off and what later payments
// recovered of earlier write-offs.
type BadDebtRow struct {
	Month            string `json:"month"`
	Currency         string `json:"currency"`
	WrittenOffMinor  int64  `json:"written_off_minor"`
	RecoveredMinor   int64  `json:"recovered_minor"`
	WriteOffs        int    `json:"write_offs"`
	CreditNotesMinor int64  `json:"credit_notes_minor"`
}

// PlanRow is, per currency, the payment plans still running and how they
// stand today, and those that broke or were completed in the dashboard's
// window.
type PlanRow struct {
	Currency     string `json:"currency"`
	OnTrack      int    `json:"on_track"`
	Late         int    `json:"late"` // an installment past due, within the grace
	Broken       int    `json:"broken"`
	Completed    int    `json:"completed"`
	ArrearsMinor int64  `json:"arrears_minor"` // fallen due and not paid, running plans
	PlannedMinor int64  `json:"planned_minor"` // running plans' totals
	PaidMinor    int64  `json:"paid_minor"`    // paid toward them
}

// dashboardLifecycle fills the bad debt per month (the last 12 months) and
// the payment plans from their own tables: few rows, read directly rather
// than kept as sums, so they always equal a computation from scratch.
func (s *Store) dashboardLifecycle(ctx context.Context, v Viewer, f DashboardFilter, today calendar.Date, d *Dashboard) error {
	scope, args := v.invoiceScope()
	cond, cargs := " AND "+scope, args
	if f.Currency != "" {
		cond, cargs = cond+" AND i.currency = ?", append(cargs, f.Currency)
	}
	if f.Region != "" {
		cond, cargs = cond+" AND c.region = ?", append(cargs, f.Region)
	}
	if f.Team != "" {
		cond, cargs = cond+" AND i.owner_id IN (SELECT tm.id FROM users tm WHERE tm.team = ?)", append(cargs, f.Team)
	}
	from := calendar.Date{Year: today.Year, Month: today.Month, Day: 1}.Time(time.UTC)
	since := calendar.Of(from.AddDate(0, -11, 0))
	bad := map[[2]string]*BadDebtRow{}
	err := s.queryRows(ctx, `SELECT a.kind, a.effective_date, a.currency, a.amount_minor
		FROM adjustments a JOIN invoices i ON i.id = a.invoice_id JOIN customers c ON c.id = i.customer_id
		WHERE a.kind IN ('write_off', 'recovery', 'credit_note') AND a.effective_date >= ?`+cond, append([]any{since}, cargs...), func(rows *sql.Rows) error {
		var kind, currency string
		var day calendar.Date
		var amount int64
		if err := rows.Scan(&kind, &day, &currency, &amount); err != nil {
			return err
		}
		k := [2]string{fmt.Sprintf("%04d-%02d", day.Year, int(day.Month)), currency}
		r := bad[k]
		if r == nil {
			r = &BadDebtRow{Month: k[0], Currency: currency}
			bad[k] = r
		}
		switch kind {
		case AdjustWriteOff:
			r.WrittenOffMinor += amount
			r.WriteOffs++
		case AdjustRecovery:
			r.RecoveredMinor -= amount
		default:
			r.CreditNotesMinor += amount
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("dashboard bad debt: %w", err)
	}
	d.BadDebt = make([]BadDebtRow, 0, len(bad))
	for _, r := range bad {
		d.BadDebt = append(d.BadDebt, *r)
	}
	sort.Slice(d.BadDebt, func(i, j int) bool {
		a, b := d.BadDebt[i], d.BadDebt[j]
		return a.Month < b.Month || a.Month == b.Month && a.Currency < b.Currency
	})

	// Plans: the running ones (read with their installments: a few per
	// customer in difficulty) and those completed in the window.
	plans := map[int64]*engine.Plan{}
	err = s.queryRows(ctx, `SELECT DISTINCT p.id, p.status, p.currency, p.planned_minor, p.grace_days, `+planPaidSQL+`
		FROM payment_plans p JOIN payment_plan_invoices pp ON pp.plan_id = p.id JOIN invoices i ON i.id = pp.invoice_id
		JOIN customers c ON c.id = i.customer_id
		WHERE (p.status = 'active' OR p.status IN ('completed', 'broken') AND p.ended_at >= ?)`+cond,
		append([]any{today.AddDays(-DashboardWindow).Time(time.UTC)}, cargs...), func(rows *sql.Rows) error {
			p := &engine.Plan{}
			if err := rows.Scan(&p.ID, &p.Status, &p.Currency, &p.PlannedMinor, &p.GraceDays, &p.PaidMinor); err != nil {
				return err
			}
			plans[p.ID] = p
			return nil
		})
	if err != nil {
		return fmt.Errorf("dashboard plans: %w", err)
	}
	d.Plans, d.PlannedNext = []PlanRow{}, []DueRow{}
	if len(plans) == 0 {
		return nil
	}
	ids := make([]any, 0, len(plans))
	for id := range plans {
		ids = append(ids, id)
	}
	err = s.queryRows(ctx, `SELECT plan_id, seq, due_date, amount_minor FROM installments WHERE plan_id IN (`+placeholders(len(ids))+`) ORDER BY plan_id, seq`, ids,
		func(rows *sql.Rows) error {
			var id int64
			var x engine.Installment
			if err := rows.Scan(&id, &x.Seq, &x.DueDate, &x.AmountMinor); err != nil {
				return err
			}
			plans[id].Installments = append(plans[id].Installments, x)
			return nil
		})
	if err != nil {
		return fmt.Errorf("dashboard installments: %w", err)
	}
	rows := map[string]*PlanRow{}
	planned := map[string]*DueRow{}
	for _, p := range plans {
		r := rows[p.Currency]
		if r == nil {
			r = &PlanRow{Currency: p.Currency}
			rows[p.Currency] = r
		}
		st := p.State(today)
		switch st.Status {
		case engine.PlanOnTrack:
			r.OnTrack++
		case engine.PlanLate:
			r.Late++
		case engine.PlanBroken:
			r.Broken++
		case engine.PlanCompleted:
			r.Completed++
		}
		if st.Status == engine.PlanOnTrack || st.Status == engine.PlanLate {
			r.ArrearsMinor += st.ArrearsMinor
			r.PlannedMinor += p.PlannedMinor
			r.PaidMinor += max(p.PaidMinor, 0)
			expectInstallments(planned, p, st, today)
		}
	}
	for _, cur := range sortedKeys(rows) {
		d.Plans = append(d.Plans, *rows[cur])
	}
	for _, cur := range sortedKeys(planned) {
		d.PlannedNext = append(d.PlannedNext, *planned[cur])
	}
	return nil
}

// expectInstallments adds to planned what a running plan still expects:
// each installment's uncovered part on its due date, when that is within
// 90 days. An installment already past due (arrears, within the plan's
// grace, or the plan would be broken) is expected at once: it counts in
// the first horizon, and so in all three.
func expectInstallments(planned map[string]*DueRow, p *engine.Plan, st engine.PlanState, today calendar.Date) {
	for i, x := range p.Installments {
		rest := x.AmountMinor - st.Covered[i]
		days := x.DueDate.DaysSince(today)
		if rest <= 0 || days > 90 {
			continue
		}
		r := planned[p.Currency]
		if r == nil {
			r = &DueRow{Currency: p.Currency}
			planned[p.Currency] = r
		}
		if days <= 30 {
			r.Days30 += rest
		}
		if days <= 60 {
			r.Days60 += rest
		}
		r.Days90 += rest
	}
}
