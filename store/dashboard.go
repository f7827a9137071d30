package store

import (
	"context"
	"math"
	"sort"
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

// Dashboard computes the dashboard at today (the company's date) and now,
// with one scan of the invoices (grouped by owner, currency and due-date
// bucket, the figures summed up here) and one count of the tasks.
func (s *Store) Dashboard(ctx context.Context, v Viewer, f DashboardFilter, today calendar.Date, now time.Time) (Dashboard, error) {
	d := Dashboard{Today: today, Aging: []AgingRow{}, DueNext: []DueRow{}, DSO: []DSORow{}, ByOwner: []OwnerRow{}}
	day := func(n int) string { return today.AddDays(n).String() }
	// The bucket of each invoice: closed, due within 30/60/90 days or
	// later, or its aging bucket once overdue (days overdue = today − due).
	q := `SELECT COALESCE(i.owner_id, 0), i.currency,
		CASE WHEN i.balance_minor <= 0 THEN 'closed'
		     WHEN i.due_date > ? THEN 'later' WHEN i.due_date > ? THEN 'due90' WHEN i.due_date > ? THEN 'due60'
		     WHEN i.due_date >= ? THEN 'due30' WHEN i.due_date > ? THEN '1-30' WHEN i.due_date > ? THEN '31-60'
		     WHEN i.due_date > ? THEN '61-90' ELSE '90+' END,
		SUM(CASE WHEN i.balance_minor > 0 THEN i.balance_minor ELSE 0 END), COUNT(*),
		SUM(CASE WHEN i.issue_date > ? THEN i.amount_minor ELSE 0 END)
		FROM invoices i`
	args := []any{day(90), day(60), day(30), day(0), day(-31), day(-61), day(-91), day(-90)}
	if f.Region != "" {
		q += " JOIN customers c ON c.id = i.customer_id"
	}
	scope, sargs := v.invoiceScope()
	q += " WHERE " + scope
	args = append(args, sargs...)
	if f.Team != "" {
		q += " AND " + invoiceOwner + " IN (SELECT ft.id FROM users ft WHERE ft.team = ?)"
		args = append(args, f.Team)
	}
	if f.Region != "" {
		q += " AND c.region = ?"
		args = append(args, f.Region)
	}
	if f.Currency != "" {
		q += " AND i.currency = ?"
		args = append(args, f.Currency)
	}
	q += " GROUP BY 1, 2, 3"
	type sums struct {
		balance       int64
		count         int
		sales         int64
		due           [3]int64 // due within 30, 60, 90 days
		overdue       int
		aging         map[string]AgingRow
		ownerBalances map[int64]*OwnerRow
	}
	byCurrency := map[string]*sums{}
	rows, err := s.sqlDB.QueryContext(ctx, s.Rebind(q), args...)
	if err != nil {
		return d, err
	}
	for rows.Next() {
		var (
			owner            int64
			currency, bucket string
			balance, sales   int64
			count            int
		)
		if err := rows.Scan(&owner, &currency, &bucket, &balance, &count, &sales); err != nil {
			rows.Close()
			return d, err
		}
		c := byCurrency[currency]
		if c == nil {
			c = &sums{aging: map[string]AgingRow{}, ownerBalances: map[int64]*OwnerRow{}}
			byCurrency[currency] = c
		}
		c.sales += sales
		if bucket == "closed" {
			continue
		}
		c.balance += balance
		o := c.ownerBalances[owner]
		if o == nil {
			o = &OwnerRow{Currency: currency}
			c.ownerBalances[owner] = o
		}
		o.BalanceMinor += balance
		o.Invoices += count
		switch bucket {
		case "due30", "due60", "due90", "later":
			for i, b := range []string{"due30", "due60", "due90"} {
				if bucket == b {
					for j := i; j < 3; j++ {
						c.due[j] += balance
					}
				}
			}
			bucket = "current"
		default:
			o.Overdue += count
		}
		r := c.aging[bucket]
		r.BalanceMinor += balance
		r.Invoices += count
		c.aging[bucket] = r
	}
	if err := rows.Close(); err != nil {
		return d, err
	}
	users := map[int64][2]string{}
	rows, err = s.sqlDB.QueryContext(ctx, "SELECT id, email, team FROM users")
	if err != nil {
		return d, err
	}
	for rows.Next() {
		var id int64
		var u [2]string
		if err := rows.Scan(&id, &u[0], &u[1]); err != nil {
			rows.Close()
			return d, err
		}
		users[id] = u
	}
	if err := rows.Close(); err != nil {
		return d, err
	}
	currencies := make([]string, 0, len(byCurrency))
	for cur := range byCurrency {
		currencies = append(currencies, cur)
	}
	sort.Strings(currencies)
	for _, cur := range currencies {
		c := byCurrency[cur]
		for _, b := range AgingBuckets {
			r := c.aging[b]
			r.Currency, r.Bucket = cur, b
			d.Aging = append(d.Aging, r)
		}
		d.DueNext = append(d.DueNext, DueRow{Currency: cur, Days30: c.due[0], Days60: c.due[1], Days90: c.due[2]})
		r := DSORow{Currency: cur, BalanceMinor: c.balance, Sales90Minor: c.sales}
		if r.Sales90Minor > 0 {
			r.Days = math.Round(float64(r.BalanceMinor)/float64(r.Sales90Minor)*90*10) / 10
		}
		d.DSO = append(d.DSO, r)
		for id, o := range c.ownerBalances {
			o.Owner, o.Team = users[id][0], users[id][1]
			d.ByOwner = append(d.ByOwner, *o)
		}
	}
	sort.Slice(d.ByOwner, func(i, j int) bool {
		a, b := d.ByOwner[i], d.ByOwner[j]
		if a.BalanceMinor != b.BalanceMinor {
			return a.BalanceMinor > b.BalanceMinor
		}
		if a.Owner != b.Owner {
			return a.Owner < b.Owner
		}
		return a.Currency < b.Currency
	})
	tscope, targs := v.taskScope()
	err = s.sqlDB.QueryRowContext(ctx, s.Rebind(`SELECT COUNT(*), COALESCE(SUM(CASE WHEN t.due_at < ? THEN 1 ELSE 0 END), 0)
		FROM tasks t WHERE t.status = 'open' AND `+tscope), append([]any{now.UTC()}, targs...)...).Scan(&d.TasksOpen, &d.TasksOverdue)
	return d, err
}
