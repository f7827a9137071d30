package store

import (
	"context"
	"database/sql"
	"fmt"
	"math"
	"runtime"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"weak"

	"github.com/recoup/recoup/calendar"
)

// DashboardWindow is the number of days, ending today, over which the
// dashboard counts recovery (stage entries) and promises (promised dates),
// the same 90 days as DSO's sales.
const DashboardWindow = 90

// Dashboard holds the finance dashboard's figures over the invoices a
// viewer may see (a manager its team's). docs/api.md defines each figure.
type Dashboard struct {
	Today calendar.Date `json:"today"`
	// WindowFrom is the first day of the window (DashboardWindow days
	// ending today) of the recovery and promise figures.
	WindowFrom calendar.Date `json:"window_from"`
	// Aging is, per currency and bucket (AgingBuckets), the open balance
	// and the number of invoices with a balance.
	Aging []AgingRow `json:"aging"`
	// DueNext is, per currency, the open balance not yet overdue that falls
	// due within 30, 60 and 90 days.
	DueNext []DueRow `json:"due_next"`
	// PromisedNext is, per currency, what open promises to pay still
	// expect on promised dates within 30, 60 and 90 days.
	PromisedNext []DueRow `json:"promised_next"`
	// PlannedNext is, per currency, what running payment plans'
	// installments still expect on due dates within 30, 60 and 90 days,
	// their arrears in the first (dashboard_lifecycle.go).
	PlannedNext []DueRow `json:"planned_next"`
	// DSO is, per currency, days sales outstanding over the last 90 days:
	// the open balance over the amount invoiced in those days, times 90.
	DSO []DSORow `json:"dso"`
	// ByOwner is, per owner and currency, the open balance and the open and
	// overdue invoices: the per-rep (and, by team, per-team) view.
	ByOwner []OwnerRow `json:"by_owner"`
	// RecoveryByStage is, per workflow node and currency, what was
	// recovered of the invoices that entered the node in the window;
	// RecoveryByOwner and RecoveryByTeam split it by the invoice's owner
	// and the owner's team.
	RecoveryByStage []StageRecovery `json:"recovery_by_stage"`
	RecoveryByOwner []OwnerRecovery `json:"recovery_by_owner"`
	RecoveryByTeam  []TeamRecovery  `json:"recovery_by_team"`
	// Promises is, per currency, the promises to pay with a promised date
	// in the window or later: kept, broken and pending.
	Promises []PromiseRow `json:"promises"`
	// Disputes and PromiseRecords count the dispute and promise records
	// (dashboard_cases.go), read on every request as the task counts are.
	Disputes       []DisputeRow       `json:"disputes"`
	PromiseRecords []PromiseRecordRow `json:"promise_records"`
	// TasksOpen and TasksOverdue count the open tasks the viewer sees and
	// those past due.
	TasksOpen    int `json:"tasks_open"`
	TasksOverdue int `json:"tasks_overdue"`
	// BadDebt is, per month of the last 12 and currency, what was written
	// off and recovered; Plans, per currency, the payment plans and how
	// they stand (dashboard_lifecycle.go).
	BadDebt []BadDebtRow `json:"bad_debt"`
	Plans   []PlanRow    `json:"plans"`
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
	OwnerName    string `json:"owner_name,omitempty"` // set by the API
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

// DueRow is what falls due (or is expected) soon in one currency; each
// figure includes the shorter ones (60 days includes the first 30).
type DueRow struct {
	Currency string `json:"currency"`
	Days30   int64  `json:"days_30_minor"`
	Days60   int64  `json:"days_60_minor"`
	Days90   int64  `json:"days_90_minor"`
}

// Recovery is what was recovered of the invoices that entered a workflow
// node in the window. An invoice counts once per node, at its first entry
// in the window, and only if it owed something then.
type Recovery struct {
	// Entered counts the invoices; EnteredMinor sums their balance at entry.
	Entered      int   `json:"entered"`
	EnteredMinor int64 `json:"entered_minor"`
	// Recovered counts those now paid in full; RecoveredMinor sums the
	// payments made since entry, each invoice's capped at its balance then.
	Recovered      int   `json:"recovered"`
	RecoveredMinor int64 `json:"recovered_minor"`
	// Rate is RecoveredMinor / EnteredMinor (0 when nothing entered),
	// rounded to four decimals.
	Rate float64 `json:"rate"`
}

func (r *Recovery) add(o Recovery) {
	r.Entered += o.Entered
	r.EnteredMinor += o.EnteredMinor
	r.Recovered += o.Recovered
	r.RecoveredMinor += o.RecoveredMinor
}

func (r *Recovery) rate() {
	r.Rate = 0
	if r.EnteredMinor > 0 {
		r.Rate = math.Round(float64(r.RecoveredMinor)/float64(r.EnteredMinor)*10000) / 10000
	}
}

// StageRecovery is the recovery of one workflow node in one currency.
type StageRecovery struct {
	Workflow string `json:"workflow"`
	Node     string `json:"node"`
	// NodeTitle is the node's title in the published workflow (set by the
	// API, which reads the definitions; nil when the node has none).
	NodeTitle *LocalizedText `json:"node_title,omitempty"`
	Currency  string         `json:"currency"`
	Recovery
}

// OwnerRecovery is StageRecovery for the invoices of one owner.
type OwnerRecovery struct {
	Workflow  string         `json:"workflow"`
	Node      string         `json:"node"`
	NodeTitle *LocalizedText `json:"node_title,omitempty"`
	Owner     string         `json:"owner"`                // "" for invoices without an owner
	OwnerName string         `json:"owner_name,omitempty"` // set by the API
	Team      string         `json:"team"`
	Currency  string         `json:"currency"`
	Recovery
}

// TeamRecovery is StageRecovery for the invoices of one team's owners.
type TeamRecovery struct {
	Workflow  string         `json:"workflow"`
	Node      string         `json:"node"`
	NodeTitle *LocalizedText `json:"node_title,omitempty"`
	Team      string         `json:"team"` // "" for owners without a team, or no owner
	Currency  string         `json:"currency"`
	Recovery
}

// PromiseRow counts promises to pay in one currency and sums the amounts
// promised.
type PromiseRow struct {
	Currency     string `json:"currency"`
	Kept         int    `json:"kept"`
	KeptMinor    int64  `json:"kept_minor"`
	Broken       int    `json:"broken"`
	BrokenMinor  int64  `json:"broken_minor"`
	Pending      int    `json:"pending"`
	PendingMinor int64  `json:"pending_minor"`
}

// DashboardFilter narrows the dashboard; zero fields do not filter.
type DashboardFilter struct {
	Team     string // owner's team
	Region   string // customer region
	Currency string
}

// Dashboard computes the dashboard at today (the company's date) and now
// (in the company's zone, which also places the window's first day).
//
// The figures are sums kept by triggers in the writers' own transactions
// (migration 00010; store/dashboard_sums.go): open balances by owner,
// currency, region and due date, sales by issue date, recovery by stage
// entry instant, open tasks by assignee, role and due time, and promises
// and plans by date. Computing them reads those small tables, not the
// invoices, so a figure changed by a payment or a tick is as cheap to read
// as any other. Promises and plans are recomputed first for the invoices
// whose ones changed since (dashboard_dirty).
//
// On SQLite the figures other than the task counts are also cached per
// viewer scope, filter, day and zone, and served again only while the
// data version (dashboard_version.n, bumped by triggers in every
// transaction that writes what they read; migration 00007) is the one they
// were computed at; the version is read before and after computing, and
// the figures are kept only if it did not move in between.
func (s *Store) Dashboard(ctx context.Context, v Viewer, f DashboardFilter, today calendar.Date, now time.Time) (Dashboard, error) {
	loc := now.Location()
	scope, sargs := v.invoiceScope()
	key := dashboardKey{scope: scope + fmt.Sprint(sargs...), filter: f, today: today, zone: loc.String()}
	var (
		d         Dashboard
		hit       bool
		version   int64
		versioned = s.dialect == SQLite
		c         = cacheOf(s)
		err       error
	)
	if versioned {
		if version, err = s.dashboardVersion(ctx); err != nil {
			return d, err
		}
		d, hit = c.get(key, version)
	}
	if !hit {
		compute := func() (Dashboard, bool, error) {
			d, err := s.computeDashboard(ctx, v, f, today, loc)
			if err != nil || !versioned {
				return d, false, err
			}
			after, err := s.dashboardVersion(ctx)
			return d, err == nil && after == version, err
		}
		if versioned {
			d, err = c.do(ctx, key, version, compute)
		} else {
			d, _, err = compute()
		}
		if err != nil {
			return d, err
		}
	}
	d = d.clone()
	if d.Disputes, d.PromiseRecords, err = s.dashboardCases(ctx, v, f, today, loc); err != nil {
		return d, err
	}
	if d.TasksOpen, d.TasksOverdue, err = s.taskCounts(ctx, v, now); err != nil {
		return d, err
	}
	return d, s.dashboardLifecycle(ctx, v, f, today, &d)
}

// taskCounts counts the open tasks v sees and those due before now, from
// dashboard_tasks (one row per assignee, role, kind, due time and, for
// unassigned manager tasks, invoice owner).
func (s *Store) taskCounts(ctx context.Context, v Viewer, now time.Time) (open, overdue int, err error) {
	scope, args := dashboardTaskScope(v)
	due := "t.due_at < ?"
	if s.dialect == SQLite {
		due = "t.due_at <> '' AND t.due_at < ?" // '' is no due time
	}
	var o, od int64
	err = s.sqlDB.QueryRowContext(ctx, s.rebind(`SELECT CAST(COALESCE(SUM(t.tasks), 0) AS BIGINT),
			CAST(COALESCE(SUM(CASE WHEN `+due+` THEN t.tasks ELSE 0 END), 0) AS BIGINT)
		FROM dashboard_tasks t WHERE `+scope), append([]any{now.UTC()}, args...)...).Scan(&o, &od)
	if err != nil {
		return 0, 0, fmt.Errorf("dashboard tasks: %w", err)
	}
	return int(o), int(od), nil
}

// dashboardTaskScope is Viewer.taskScope on dashboard_tasks t, where an
// unassigned task has assignee 0 and carries its invoice's owner when its
// role is sales_manager.
func dashboardTaskScope(v Viewer) (string, []any) {
	id := v.UserID
	if id == 0 {
		id = -1 // no user: no task is its own (0 is "unassigned" here)
	}
	const team = "(SELECT tm.id FROM users tm WHERE tm.team = ? AND tm.team <> '')"
	switch v.Role {
	case RoleSalesRep:
		return "t.assignee_id = ?", []any{id}
	case RoleSalesManager:
		return `(t.assignee_id = ? OR t.assignee_id IN ` + team + `
			OR (t.assignee_id = 0 AND t.role = 'sales_manager' AND t.owner_id IN ` + team + `))`, []any{id, v.Team, v.Team}
	case RoleFinance:
		return "(t.assignee_id = ? OR t.role = 'finance')", []any{id}
	case RoleFinanceDirector:
		return "(t.assignee_id = ? OR t.role = 'finance_director' OR t.kind = 'approval')", []any{id}
	case RoleAdmin:
		return "1 = 1", nil
	}
	return "1 = 0", nil
}

// clone copies the slices, so that a cached Dashboard is never shared with
// a caller that might change it.
func (d Dashboard) clone() Dashboard {
	d.Aging = slices.Clone(d.Aging)
	d.DueNext = slices.Clone(d.DueNext)
	d.PromisedNext = slices.Clone(d.PromisedNext)
	d.PlannedNext = slices.Clone(d.PlannedNext)
	d.DSO = slices.Clone(d.DSO)
	d.ByOwner = slices.Clone(d.ByOwner)
	d.RecoveryByStage = slices.Clone(d.RecoveryByStage)
	d.RecoveryByOwner = slices.Clone(d.RecoveryByOwner)
	d.RecoveryByTeam = slices.Clone(d.RecoveryByTeam)
	d.Promises = slices.Clone(d.Promises)
	return d
}

// dashboardVersion is the data version of the figures (see Dashboard).
func (s *Store) dashboardVersion(ctx context.Context) (int64, error) {
	var n int64
	err := s.sqlDB.QueryRowContext(ctx, "SELECT n FROM dashboard_version WHERE id = 1").Scan(&n)
	if err != nil {
		return n, fmt.Errorf("dashboard version: %w", err)
	}
	return n, nil
}

// sumsWhere is the scope and filters of the dashboard as conditions
// (" AND …") on a summary table i, whose owner_id, region and currency are
// those of the invoices summed (owner 0 for none).
func sumsWhere(v Viewer, f DashboardFilter) (string, []any) {
	scope, args := v.invoiceScope() // on i.owner_id
	if v.Role == RoleSalesRep && v.UserID == 0 {
		scope, args = "1 = 0", nil // owner 0 is "no owner" here
	}
	cond := " AND " + scope
	if f.Team != "" {
		cond += " AND " + invoiceOwner + " IN (SELECT ft.id FROM users ft WHERE ft.team = ?)"
		args = append(args, f.Team)
	}
	if f.Region != "" {
		cond += " AND i.region = ?"
		args = append(args, f.Region)
	}
	if f.Currency != "" {
		cond += " AND i.currency = ?"
		args = append(args, f.Currency)
	}
	return cond, args
}

// dashboardUser is a user as the dashboard names it.
type dashboardUser struct{ email, team string }

func (s *Store) computeDashboard(ctx context.Context, v Viewer, f DashboardFilter, today calendar.Date, loc *time.Location) (Dashboard, error) {
	d := Dashboard{
		Today: today, WindowFrom: today.AddDays(1 - DashboardWindow),
		Aging: []AgingRow{}, DueNext: []DueRow{}, PromisedNext: []DueRow{}, PlannedNext: []DueRow{}, DSO: []DSORow{}, ByOwner: []OwnerRow{},
		RecoveryByStage: []StageRecovery{}, RecoveryByOwner: []OwnerRecovery{}, RecoveryByTeam: []TeamRecovery{}, Promises: []PromiseRow{},
	}
	if err := s.foldDashboardSumsIfDue(ctx); err != nil {
		return d, err
	}
	if err := s.refreshDashboardCash(ctx, loc); err != nil {
		return d, fmt.Errorf("dashboard promises and plans: %w", err)
	}
	cond, args := sumsWhere(v, f)
	users := map[int64]dashboardUser{}
	err := s.queryRows(ctx, "SELECT id, email, team FROM users", nil, func(rows *sql.Rows) error {
		var id int64
		var u dashboardUser
		if err := rows.Scan(&id, &u.email, &u.team); err != nil {
			return err
		}
		users[id] = u
		return nil
	})
	if err != nil {
		return d, err
	}
	if err := s.dashboardInvoices(ctx, cond, args, today, users, &d); err != nil {
		return d, fmt.Errorf("dashboard invoices: %w", err)
	}
	sums, err := s.recoverySums(ctx, cond, args, d.WindowFrom.Time(loc))
	if err != nil {
		return d, fmt.Errorf("dashboard recovery: %w", err)
	}
	recoveryRows(sums, users, &d)
	if err := s.dashboardCash(ctx, cond, args, today, d.WindowFrom, &d); err != nil {
		return d, fmt.Errorf("dashboard promises: %w", err)
	}
	return d, nil
}

// queryRows runs q and calls fn for each row.
func (s *Store) queryRows(ctx context.Context, q string, args []any, fn func(*sql.Rows) error) error {
	return s.queryRowsOn(ctx, s.sqlDB, q, args, fn)
}

// queryRowsOn is queryRows on db (the pool or a transaction).
func (s *Store) queryRowsOn(ctx context.Context, db querier, q string, args []any, fn func(*sql.Rows) error) error {
	rows, err := db.QueryContext(ctx, s.rebind(q), args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		if err := fn(rows); err != nil {
			return err
		}
	}
	return rows.Close()
}

// dashboardInvoices fills aging, cash due, DSO and owners: the open
// balance is summed by owner, currency and due date from dashboard_open
// and put in buckets here; the sales of the last 90 days come from
// dashboard_sales.
func (s *Store) dashboardInvoices(ctx context.Context, cond string, args []any, today calendar.Date, users map[int64]dashboardUser, d *Dashboard) error {
	type sums struct {
		balance int64
		sales   int64
		due     [3]int64 // due within 30, 60, 90 days
		aging   map[string]AgingRow
		owners  map[int64]*OwnerRow
	}
	byCurrency := map[string]*sums{}
	of := func(currency string) *sums {
		c := byCurrency[currency]
		if c == nil {
			c = &sums{aging: map[string]AgingRow{}, owners: map[int64]*OwnerRow{}}
			byCurrency[currency] = c
		}
		return c
	}
	q := `SELECT i.owner_id, i.currency, i.due_date, CAST(SUM(i.balance_minor) AS BIGINT), CAST(SUM(i.invoices) AS BIGINT)
		FROM dashboard_open i WHERE 1 = 1` + cond + `
		GROUP BY i.owner_id, i.currency, i.due_date`
	err := s.queryRows(ctx, q, args, func(rows *sql.Rows) error {
		var (
			owner, balance, count int64
			currency              string
			due                   calendar.Date
		)
		if err := rows.Scan(&owner, &currency, &due, &balance, &count); err != nil {
			return err
		}
		if count == 0 {
			return nil
		}
		c := of(currency)
		c.balance += balance
		o := c.owners[owner]
		if o == nil {
			o = &OwnerRow{Currency: currency, Owner: users[owner].email, Team: users[owner].team}
			c.owners[owner] = o
		}
		o.BalanceMinor += balance
		o.Invoices += int(count)
		bucket := "current"
		switch days := today.DaysSince(due); {
		case days <= 0:
			for i, within := range []int{30, 60, 90} {
				if -days <= within {
					c.due[i] += balance
				}
			}
		case days <= 30:
			bucket = "1-30"
		case days <= 60:
			bucket = "31-60"
		case days <= 90:
			bucket = "61-90"
		default:
			bucket = "90+"
		}
		if bucket != "current" {
			o.Overdue += int(count)
		}
		r := c.aging[bucket]
		r.BalanceMinor += balance
		r.Invoices += int(count)
		c.aging[bucket] = r
		return nil
	})
	if err != nil {
		return err
	}
	q = `SELECT i.currency, CAST(SUM(i.amount_minor) AS BIGINT), CAST(SUM(i.invoices) AS BIGINT)
		FROM dashboard_sales i WHERE i.issue_date > ?` + cond + `
		GROUP BY i.currency`
	err = s.queryRows(ctx, q, append([]any{today.AddDays(-90)}, args...), func(rows *sql.Rows) error {
		var currency string
		var sales, count int64
		if err := rows.Scan(&currency, &sales, &count); err != nil {
			return err
		}
		if count != 0 {
			of(currency).sales += sales
		}
		return nil
	})
	if err != nil {
		return err
	}
	for _, cur := range sortedKeys(byCurrency) {
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
		for _, o := range c.owners {
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
	return nil
}

// recoverySums sums the recovery figures by stage, owner and currency
// from dashboard_recovery. Each stage entry is summed there under its
// instant and the instant of the invoice's previous entry into the same
// node; the first entry of an invoice into a node since from is the one
// at or after from whose previous entry (if any) is before from.
func (s *Store) recoverySums(ctx context.Context, cond string, args []any, from time.Time) (map[recoveryKey]Recovery, error) {
	q := `SELECT i.source, i.owner_id, i.currency, CAST(SUM(i.entered) AS BIGINT), CAST(SUM(i.entered_minor) AS BIGINT),
			CAST(SUM(i.recovered) AS BIGINT), CAST(SUM(i.recovered_minor) AS BIGINT)
		FROM dashboard_recovery i
		WHERE i.at >= ? AND (i.prev_at IS NULL OR i.prev_at < ?)` + cond + `
		GROUP BY i.source, i.owner_id, i.currency`
	out := map[recoveryKey]Recovery{}
	err := s.queryRows(ctx, q, append([]any{from.UTC(), from.UTC()}, args...), func(rows *sql.Rows) error {
		var (
			k                  recoveryKey
			r                  Recovery
			entered, recovered int64
		)
		if err := rows.Scan(&k.source, &k.owner, &k.currency, &entered, &r.EnteredMinor, &recovered, &r.RecoveredMinor); err != nil {
			return err
		}
		if entered != 0 {
			r.Entered, r.Recovered = int(entered), int(recovered)
			out[k] = r
		}
		return nil
	})
	return out, err
}

// dashboardCash fills the promise counts and the cash expected from
// promises (definitions in docs/api.md) from dashboard_cash: promises by
// promised date, whether kept, and the latest date of the invoice's later
// promises (a promise expects cash only while no later one counts).
func (s *Store) dashboardCash(ctx context.Context, cond string, args []any, today, from calendar.Date, d *Dashboard) error {
	promises := map[string]*PromiseRow{}
	q := `SELECT i.currency, i.kept, i.day, CAST(SUM(i.items) AS BIGINT), CAST(SUM(i.amount_minor) AS BIGINT)
		FROM dashboard_cash i WHERE i.kind = 'promise' AND i.day >= ?` + cond + `
		GROUP BY i.currency, i.kept, i.day`
	err := s.queryRows(ctx, q, append([]any{from}, args...), func(rows *sql.Rows) error {
		var (
			currency      string
			kept          bool
			day           calendar.Date
			count, amount int64
		)
		if err := rows.Scan(&currency, &kept, &day, &count, &amount); err != nil {
			return err
		}
		if count == 0 {
			return nil
		}
		r := promises[currency]
		if r == nil {
			r = &PromiseRow{Currency: currency}
			promises[currency] = r
		}
		switch {
		case kept:
			r.Kept += int(count)
			r.KeptMinor += amount
		case day.Before(today):
			r.Broken += int(count)
			r.BrokenMinor += amount
		default:
			r.Pending += int(count)
			r.PendingMinor += amount
		}
		return nil
	})
	if err != nil {
		return err
	}
	expected := func(kind, extra string, extraArgs []any) (map[string]*DueRow, error) {
		out := map[string]*DueRow{}
		q := `SELECT i.currency, i.day, CAST(SUM(i.expect_minor) AS BIGINT)
			FROM dashboard_cash i WHERE i.kind = ? AND i.day >= ? AND i.day <= ?` + extra + cond + `
			GROUP BY i.currency, i.day`
		err := s.queryRows(ctx, q, append(append([]any{kind, today, today.AddDays(90)}, extraArgs...), args...), func(rows *sql.Rows) error {
			var (
				currency string
				day      calendar.Date
				amount   int64
			)
			if err := rows.Scan(&currency, &day, &amount); err != nil {
				return err
			}
			if amount <= 0 {
				return nil
			}
			r := out[currency]
			if r == nil {
				r = &DueRow{Currency: currency}
				out[currency] = r
			}
			days := day.DaysSince(today)
			if days <= 30 {
				r.Days30 += amount
			}
			if days <= 60 {
				r.Days60 += amount
			}
			r.Days90 += amount
			return nil
		})
		return out, err
	}
	// A pending promise expects cash unless a later promise of its invoice
	// counts (its date is in the window or later).
	promised, err := expected(cashPromise, " AND i.kept = 0 AND (i.sup_day IS NULL OR i.sup_day < ?)", []any{from})
	if err != nil {
		return err
	}
	for _, cur := range sortedKeys(promises) {
		d.Promises = append(d.Promises, *promises[cur])
	}
	for _, cur := range sortedKeys(promised) {
		d.PromisedNext = append(d.PromisedNext, *promised[cur])
	}
	return nil
}

// recoveryKey is one row of the recovery query: a stage (source
// WORKFLOW/NODE), an owner and a currency.
type recoveryKey struct {
	source   string
	owner    int64
	currency string
}

// recoveryRows turns the sums into the rows by stage, owner and team.
func recoveryRows(owners map[recoveryKey]Recovery, users map[int64]dashboardUser, d *Dashboard) {
	type stageKey struct{ workflow, node, team, currency string }
	stages := map[stageKey]*Recovery{}
	teams := map[stageKey]*Recovery{}
	for k, r := range owners {
		workflow, node := k.source, ""
		if i := strings.LastIndexByte(k.source, '/'); i >= 0 {
			workflow, node = k.source[:i], k.source[i+1:]
		}
		u := users[k.owner]
		r.rate()
		d.RecoveryByOwner = append(d.RecoveryByOwner, OwnerRecovery{Workflow: workflow, Node: node, Owner: u.email, Team: u.team, Currency: k.currency, Recovery: r})
		for _, to := range []struct {
			m map[stageKey]*Recovery
			k stageKey
		}{{stages, stageKey{workflow, node, "", k.currency}}, {teams, stageKey{workflow, node, u.team, k.currency}}} {
			if to.m[to.k] == nil {
				to.m[to.k] = &Recovery{}
			}
			to.m[to.k].add(r)
		}
	}
	for k, r := range stages {
		r.rate()
		d.RecoveryByStage = append(d.RecoveryByStage, StageRecovery{Workflow: k.workflow, Node: k.node, Currency: k.currency, Recovery: *r})
	}
	for k, r := range teams {
		r.rate()
		d.RecoveryByTeam = append(d.RecoveryByTeam, TeamRecovery{Workflow: k.workflow, Node: k.node, Team: k.team, Currency: k.currency, Recovery: *r})
	}
	slices.SortFunc(d.RecoveryByStage, func(a, b StageRecovery) int {
		return cmpStrings(a.Workflow, b.Workflow, a.Node, b.Node, a.Currency, b.Currency)
	})
	slices.SortFunc(d.RecoveryByOwner, func(a, b OwnerRecovery) int {
		return cmpStrings(a.Workflow, b.Workflow, a.Node, b.Node, a.Owner, b.Owner, a.Currency, b.Currency)
	})
	slices.SortFunc(d.RecoveryByTeam, func(a, b TeamRecovery) int {
		return cmpStrings(a.Workflow, b.Workflow, a.Node, b.Node, a.Team, b.Team, a.Currency, b.Currency)
	})
}

// cmpStrings compares pairs (a1, b1), (a2, b2), … in order.
func cmpStrings(pairs ...string) int {
	for i := 0; i+1 < len(pairs); i += 2 {
		if c := strings.Compare(pairs[i], pairs[i+1]); c != 0 {
			return c
		}
	}
	return 0
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// promisesPredicate selects the done tasks whose outcome promises payment
// (outcome "promised") or decides a payment plan (decision
// "payment_plan"): the predicate of the partial index
// tasks_dashboard_promises, word for word.
func (s *Store) promisesPredicate() string {
	if s.dialect == Postgres {
		return `t.status = 'done' AND (t.outcome->>'outcome' = 'promised' OR t.outcome->>'decision' = 'payment_plan')`
	}
	return `t.status = 'done' AND json_valid(t.outcome) AND (json_extract(t.outcome, '$.outcome') = 'promised' OR json_extract(t.outcome, '$.decision') = 'payment_plan')`
}

// dashPayment is a payment or a fee of an invoice.
type dashPayment struct {
	at     time.Time
	amount int64
}

// dashInvoice is an invoice with promises or a plan, and its money since.
type dashInvoice struct {
	currency          string
	balance           int64
	payments, feesAdd []dashPayment // payments by paid_at, fees by created_at
}

// balanceAt is the balance at instant t: today's, plus the payments paid
// at or after t, minus the fees added after t.
func (inv *dashInvoice) balanceAt(t time.Time) int64 {
	b := inv.balance + inv.paidBetween(t, time.Time{})
	for _, f := range inv.feesAdd {
		if f.at.After(t) {
			b -= f.amount
		}
	}
	return b
}

// paidBetween sums the payments paid at or after from and, unless to is
// zero, before to.
func (inv *dashInvoice) paidBetween(from, to time.Time) int64 {
	var n int64
	for _, p := range inv.payments {
		if !p.at.Before(from) && (to.IsZero() || p.at.Before(to)) {
			n += p.amount
		}
	}
	return n
}

// dashTask is a done task that promised payment.
type dashTask struct {
	invoice int64
	done    time.Time
	outcome map[string]any
}

// outcomeDate reads a date form value as stored (YYYY-MM-DD text).
func outcomeDate(v any) (calendar.Date, bool) {
	s, ok := v.(string)
	if !ok {
		return calendar.Date{}, false
	}
	d, err := calendar.Parse(s)
	return d, err == nil
}

// dashboardKey identifies cached figures: the viewer's scope (with its
// arguments), the filter, the day and the company zone.
type dashboardKey struct {
	scope  string
	filter DashboardFilter
	today  calendar.Date
	zone   string
}

// dashboardCacheLimit bounds the figures kept per store; past it the cache
// starts again empty.
const dashboardCacheLimit = 256

// dashboardCache holds figures computed at one data version, and the
// computations in flight, so that concurrent requests for the same figures
// at the same version wait for one computation instead of each running
// their own.
type dashboardCache struct {
	mu       sync.Mutex
	version  int64
	entries  map[dashboardKey]Dashboard
	inflight map[dashboardFlight]*dashboardCall
	hits     atomic.Int64
	misses   atomic.Int64
}

type dashboardFlight struct {
	key     dashboardKey
	version int64
}

// dashboardCall is one computation in flight; ok reports that the data
// version did not move while it ran.
type dashboardCall struct {
	done chan struct{}
	d    Dashboard
	ok   bool
	err  error
}

// do returns the figures for k computed by compute at version, or by a
// computation for the same k and version already in flight. Figures are
// kept (and shared with waiters) only when compute reports that the
// version did not move while it ran; otherwise each waiter computes its
// own.
func (c *dashboardCache) do(ctx context.Context, k dashboardKey, version int64, compute func() (Dashboard, bool, error)) (Dashboard, error) {
	fk := dashboardFlight{k, version}
	c.mu.Lock()
	if call := c.inflight[fk]; call != nil {
		c.mu.Unlock()
		select {
		case <-call.done:
		case <-ctx.Done():
			return Dashboard{}, ctx.Err()
		}
		if call.ok {
			return call.d, nil
		}
		d, _, err := compute()
		return d, err
	}
	call := &dashboardCall{done: make(chan struct{})}
	if c.inflight == nil {
		c.inflight = map[dashboardFlight]*dashboardCall{}
	}
	c.inflight[fk] = call
	c.mu.Unlock()

	call.d, call.ok, call.err = compute()
	call.ok = call.ok && call.err == nil
	c.mu.Lock()
	delete(c.inflight, fk)
	if call.ok {
		c.putLocked(k, version, call.d)
	}
	c.mu.Unlock()
	close(call.done)
	return call.d, call.err
}

func (c *dashboardCache) get(k dashboardKey, version int64) (Dashboard, bool) {
	c.mu.Lock()
	d, ok := c.entries[k]
	ok = ok && c.version == version
	c.mu.Unlock()
	if ok {
		c.hits.Add(1)
	} else {
		c.misses.Add(1)
	}
	return d, ok
}

func (c *dashboardCache) putLocked(k dashboardKey, version int64, d Dashboard) {
	if version != c.version || len(c.entries) >= dashboardCacheLimit {
		c.entries = map[dashboardKey]Dashboard{}
		c.version = version
	}
	c.entries[k] = d
}

// dashboardCaches holds one cache per open Store without keeping the
// Store alive (the Store's struct lives in store.go; the cache lives here).
var dashboardCaches struct {
	mu sync.Mutex
	m  map[weak.Pointer[Store]]*dashboardCache
}

func cacheOf(s *Store) *dashboardCache {
	k := weak.Make(s)
	dashboardCaches.mu.Lock()
	defer dashboardCaches.mu.Unlock()
	if c := dashboardCaches.m[k]; c != nil {
		return c
	}
	if dashboardCaches.m == nil {
		dashboardCaches.m = map[weak.Pointer[Store]]*dashboardCache{}
	}
	c := &dashboardCache{entries: map[dashboardKey]Dashboard{}}
	dashboardCaches.m[k] = c
	runtime.AddCleanup(s, func(k weak.Pointer[Store]) {
		dashboardCaches.mu.Lock()
		delete(dashboardCaches.m, k)
		dashboardCaches.mu.Unlock()
	}, k)
	return c
}
