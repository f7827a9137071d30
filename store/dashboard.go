package store

import (
	"context"
	"math"
	"time"

	"github.com/recoup/recoup/calendar"
)

// Dashboard holds the finance dashboard's figures over the invoices a
// viewer may see (a manager its team's).
type Dashboard struct {
	Today calendar.Date `json:"today"`
	// Aging is, per currency and bucket (AgingBuckets), the open balance
	// and the number of invoices with a balance.
	Aging []AgingRow `json:"aging"`
	// DueNext is, per currency, the open balance not yet overdue that falls
	// due within 30, 60 and 90 days.
	DueNext []DueRow `json:"due_next"`
	// DSO is, per currency, days sales outstanding over the last 90 days:
	// the open balance over the amount invoiced in those days, times 90.
	DSO []DSORow `json:"dso"`
	// ByOwner is, per owner and currency, the open balance and the open and
	// overdue invoices: the per-rep (and, by team, per-team) view.
	ByOwner []OwnerRow `json:"by_owner"`
	// TasksOpen and TasksOverdue count the open tasks the viewer sees and
	// those past due.
	TasksOpen    int `json:"tasks_open"`
	TasksOverdue int `json:"tasks_overdue"`
}

// DSORow is days sales outstanding in one currency.
type DSORow struct {
	Currency     string  `json:"currency"`
	BalanceMinor int64   `json:"balance_minor"`
	Sales90Minor int64   `json:"sales_90d_minor"`
	Days         float64 `json:"days"` // 0 when nothing was invoiced
}

// OwnerRow is one owner's open invoices in one currency.
type OwnerRow struct {
	Owner        string `json:"owner"`
	Team         string `json:"team"`
	Currency     string `json:"currency"`
	BalanceMinor int64  `json:"balance_minor"`
	Invoices     int    `json:"invoices"`
	Overdue      int    `json:"overdue"`
}

// AgingRow is one aging bucket in one currency.
type AgingRow struct {
	Currency     string `json:"currency"`
	Bucket       string `json:"bucket"`
	BalanceMinor int64  `json:"balance_minor"`
	Invoices     int    `json:"invoices"`
}

// DueRow is what falls due soon in one currency.
type DueRow struct {
	Currency string `json:"currency"`
	Days30   int64  `json:"days_30_minor"`
	Days60   int64  `json:"days_60_minor"`
	Days90   int64  `json:"days_90_minor"`
}

// DashboardFilter narrows the dashboard; zero fields do not filter.
type DashboardFilter struct {
	Team     string // owner's team
	Region   string // customer region
	Currency string
}

// Dashboard computes the dashboard at today (the company's date) and now.
func (s *Store) Dashboard(ctx context.Context, v Viewer, f DashboardFilter, today calendar.Date, now time.Time) (Dashboard, error) {
	d := Dashboard{Today: today, Aging: []AgingRow{}, DueNext: []DueRow{}, DSO: []DSORow{}, ByOwner: []OwnerRow{}}
	scope, args := v.invoiceScope()
	filter := " AND " + scope
	if f.Team != "" {
		filter += " AND " + invoiceOwner + " IN (SELECT ft.id FROM users ft WHERE ft.team = ?)"
		args = append(args, f.Team)
	}
	if f.Region != "" {
		filter += " AND c.region = ?"
		args = append(args, f.Region)
	}
	if f.Currency != "" {
		filter += " AND i.currency = ?"
		args = append(args, f.Currency)
	}
	where := " WHERE i.balance_minor > 0" + filter
	from := " FROM invoices i JOIN customers c ON c.id = i.customer_id"
	day := func(n int) string { return today.AddDays(n).String() }
	// Buckets by due date: days overdue d = today − due.
	bucket := `CASE WHEN i.due_date >= ? THEN 'current' WHEN i.due_date > ? THEN '1-30' WHEN i.due_date > ? THEN '31-60'
		WHEN i.due_date > ? THEN '61-90' ELSE '90+' END`
	bargs := []any{day(0), day(-31), day(-61), day(-91)}
	rows, err := s.sqlDB.QueryContext(ctx, s.Rebind("SELECT i.currency, "+bucket+", SUM(i.balance_minor), COUNT(*)"+from+where+
		" GROUP BY 1, 2 ORDER BY 1"), append(bargs, args...)...)
	if err != nil {
		return d, err
	}
	got := map[[2]string]AgingRow{}
	var currencies []string
	for rows.Next() {
		var r AgingRow
		if err := rows.Scan(&r.Currency, &r.Bucket, &r.BalanceMinor, &r.Invoices); err != nil {
			rows.Close()
			return d, err
		}
		if len(currencies) == 0 || currencies[len(currencies)-1] != r.Currency {
			currencies = append(currencies, r.Currency)
		}
		got[[2]string{r.Currency, r.Bucket}] = r
	}
	if err := rows.Close(); err != nil {
		return d, err
	}
	for _, cur := range currencies {
		for _, b := range AgingBuckets {
			r := got[[2]string{cur, b}]
			r.Currency, r.Bucket = cur, b
			d.Aging = append(d.Aging, r)
		}
	}
	due := `SELECT i.currency,
		SUM(CASE WHEN i.due_date <= ? THEN i.balance_minor ELSE 0 END),
		SUM(CASE WHEN i.due_date <= ? THEN i.balance_minor ELSE 0 END),
		SUM(i.balance_minor)` + from + where + " AND i.due_date >= ? AND i.due_date <= ? GROUP BY i.currency ORDER BY i.currency"
	rows, err = s.sqlDB.QueryContext(ctx, s.Rebind(due), append(append([]any{day(30), day(60)}, args...), day(0), day(90))...)
	if err != nil {
		return d, err
	}
	for rows.Next() {
		var r DueRow
		if err := rows.Scan(&r.Currency, &r.Days30, &r.Days60, &r.Days90); err != nil {
			rows.Close()
			return d, err
		}
		d.DueNext = append(d.DueNext, r)
	}
	if err := rows.Close(); err != nil {
		return d, err
	}
	// DSO: the open balance and the last 90 days' sales, per currency.
	dso := `SELECT i.currency, SUM(CASE WHEN i.balance_minor > 0 THEN i.balance_minor ELSE 0 END),
		SUM(CASE WHEN i.issue_date > ? THEN i.amount_minor ELSE 0 END)` + from + " WHERE 1 = 1" + filter + " GROUP BY i.currency ORDER BY i.currency"
	rows, err = s.sqlDB.QueryContext(ctx, s.Rebind(dso), append([]any{day(-90)}, args...)...)
	if err != nil {
		return d, err
	}
	for rows.Next() {
		var r DSORow
		if err := rows.Scan(&r.Currency, &r.BalanceMinor, &r.Sales90Minor); err != nil {
			rows.Close()
			return d, err
		}
		if r.Sales90Minor > 0 {
			r.Days = math.Round(float64(r.BalanceMinor)/float64(r.Sales90Minor)*90*10) / 10
		}
		d.DSO = append(d.DSO, r)
	}
	if err := rows.Close(); err != nil {
		return d, err
	}
	owners := `SELECT COALESCE(u.email, ''), COALESCE(u.team, ''), i.currency, SUM(i.balance_minor), COUNT(*),
		SUM(CASE WHEN i.due_date < ? THEN 1 ELSE 0 END)` + from + " LEFT JOIN users u ON u.id = " + invoiceOwner + where +
		" GROUP BY 1, 2, 3 ORDER BY 4 DESC, 1"
	rows, err = s.sqlDB.QueryContext(ctx, s.Rebind(owners), append([]any{day(0)}, args...)...)
	if err != nil {
		return d, err
	}
	for rows.Next() {
		var r OwnerRow
		if err := rows.Scan(&r.Owner, &r.Team, &r.Currency, &r.BalanceMinor, &r.Invoices, &r.Overdue); err != nil {
			rows.Close()
			return d, err
		}
		d.ByOwner = append(d.ByOwner, r)
	}
	if err := rows.Close(); err != nil {
		return d, err
	}
	tscope, targs := v.taskScope()
	err = s.sqlDB.QueryRowContext(ctx, s.Rebind(`SELECT COUNT(*), COALESCE(SUM(CASE WHEN t.due_at < ? THEN 1 ELSE 0 END), 0)
		FROM tasks t WHERE t.status = 'open' AND `+tscope), append([]any{now.UTC()}, targs...)...).Scan(&d.TasksOpen, &d.TasksOverdue)
	return d, err
}
