package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"math"
	"runtime"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"weak"

	"github.com/recoup/recoup/calendar"
	"github.com/recoup/recoup/money"
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
	// PlannedNext is, per currency, what payment plans' installments still
	// expect on due dates within 30, 60 and 90 days.
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
	Currency string `json:"currency"`
	Recovery
}

// OwnerRecovery is StageRecovery for the invoices of one owner.
type OwnerRecovery struct {
	Workflow string `json:"workflow"`
	Node     string `json:"node"`
	Owner    string `json:"owner"` // "" for invoices without an owner
	Team     string `json:"team"`
	Currency string `json:"currency"`
	Recovery
}

// TeamRecovery is StageRecovery for the invoices of one team's owners.
type TeamRecovery struct {
	Workflow string `json:"workflow"`
	Node     string `json:"node"`
	Team     string `json:"team"` // "" for owners without a team, or no owner
	Currency string `json:"currency"`
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
// On SQLite the figures other than the task counts are cached per viewer
// scope, filter, day and zone, and served again only while the data
// version (dashboard_version.n, bumped by triggers in every transaction
// that writes what they read; migration 00007) is the one they were
// computed at; the version is read before and after computing, and the
// figures are kept only if it did not move in between. The open tasks are
// cached apart, counted by due time per task scope, under the version of
// the open tasks (dashboard_version.t) as well. On PostgreSQL everything
// is computed on every call.
func (s *Store) Dashboard(ctx context.Context, v Viewer, f DashboardFilter, today calendar.Date, now time.Time) (Dashboard, error) {
	loc := now.Location()
	scope, sargs := v.invoiceScope()
	key := dashboardKey{scope: scope + fmt.Sprint(sargs...), filter: f, today: today, zone: loc.String()}
	var (
		d         Dashboard
		hit       bool
		version   dashboardVersion
		versioned = s.dialect == SQLite
		c         = cacheOf(s)
		err       error
	)
	if versioned {
		if version, err = s.dashboardVersion(ctx); err != nil {
			return d, err
		}
		d, hit = c.get(key, version.figures)
	}
	if !hit {
		compute := func() (Dashboard, bool, error) {
			d, err := s.computeDashboard(ctx, v, f, today, loc)
			if err != nil || !versioned {
				return d, false, err
			}
			after, err := s.dashboardVersion(ctx)
			return d, err == nil && after.figures == version.figures, err
		}
		if versioned {
			d, err = c.do(ctx, key, version.figures, compute)
		} else {
			d, _, err = compute()
		}
		if err != nil {
			return d, err
		}
	}
	d = d.clone()
	d.TasksOpen, d.TasksOverdue, err = s.taskCounts(ctx, v, now, version, versioned, c)
	return d, err
}

// dashboardVersion is the data version of the figures and of the open
// tasks (see Dashboard).
type dashboardVersion struct{ figures, tasks int64 }

// taskCounts counts the open tasks v sees and those due before now. On
// SQLite the open tasks are kept counted by due time per scope while the
// data version of the tasks (and of the figures, for the teams and owners
// behind a manager's scope) stays the same; the overdue count at any now
// is then a sum over the due times before it.
func (s *Store) taskCounts(ctx context.Context, v Viewer, now time.Time, version dashboardVersion, versioned bool, c *dashboardCache) (open, overdue int, err error) {
	scope, args := v.taskScope()
	if !versioned {
		err = s.sqlDB.QueryRowContext(ctx, s.Rebind(`SELECT COUNT(*), COALESCE(SUM(CASE WHEN t.due_at < ? THEN 1 ELSE 0 END), 0)
			FROM tasks t WHERE t.status = 'open' AND `+scope), append([]any{now.UTC()}, args...)...).Scan(&open, &overdue)
		return open, overdue, err
	}
	key := scope + fmt.Sprint(args...)
	tc, ok := c.getTasks(key, version)
	if !ok {
		tc = taskCount{}
		err = s.queryRows(ctx, `SELECT t.due_at, COUNT(*) FROM tasks t WHERE t.status = 'open' AND `+scope+` GROUP BY t.due_at`, args, func(rows *sql.Rows) error {
			var due sql.NullTime
			var n int
			if err := rows.Scan(&due, &n); err != nil {
				return err
			}
			tc.open += n
			if due.Valid {
				tc.due = append(tc.due, dueCount{due.Time, n})
			}
			return nil
		})
		if err != nil {
			return 0, 0, err
		}
		slices.SortFunc(tc.due, func(a, b dueCount) int { return a.at.Compare(b.at) })
		if after, err := s.dashboardVersion(ctx); err != nil {
			return 0, 0, err
		} else if after == version {
			c.putTasks(key, version, tc)
		}
	}
	for _, dc := range tc.due {
		if !dc.at.Before(now) {
			break
		}
		overdue += dc.n
	}
	return tc.open, overdue, nil
}

// taskCount is the open tasks of a scope, by due time (tasks without one
// are only in open).
type taskCount struct {
	open int
	due  []dueCount
}

type dueCount struct {
	at time.Time
	n  int
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

func (s *Store) dashboardVersion(ctx context.Context) (dashboardVersion, error) {
	var v dashboardVersion
	err := s.sqlDB.QueryRowContext(ctx, "SELECT n, t FROM dashboard_version WHERE id = 1").Scan(&v.figures, &v.tasks)
	if err != nil {
		return v, fmt.Errorf("dashboard version: %w", err)
	}
	return v, nil
}

// dashboardWhere is the scope and filters of the dashboard, as a join and
// conditions on invoices i (and customers c).
type dashboardWhere struct {
	join string // the customers join when filtering by region
	cond string // " AND …"
	args []any
}

func dashboardConds(v Viewer, f DashboardFilter) dashboardWhere {
	scope, args := v.invoiceScope()
	w := dashboardWhere{cond: " AND " + scope, args: args}
	if f.Region != "" {
		w.join = " JOIN customers c ON c.id = i.customer_id"
	}
	if f.Team != "" {
		w.cond += " AND " + invoiceOwner + " IN (SELECT ft.id FROM users ft WHERE ft.team = ?)"
		w.args = append(w.args, f.Team)
	}
	if f.Region != "" {
		w.cond += " AND c.region = ?"
		w.args = append(w.args, f.Region)
	}
	if f.Currency != "" {
		w.cond += " AND i.currency = ?"
		w.args = append(w.args, f.Currency)
	}
	return w
}

// dashboardUser is a user as the dashboard names it.
type dashboardUser struct{ email, team string }

func (s *Store) computeDashboard(ctx context.Context, v Viewer, f DashboardFilter, today calendar.Date, loc *time.Location) (Dashboard, error) {
	d := Dashboard{
		Today: today, WindowFrom: today.AddDays(1 - DashboardWindow),
		Aging: []AgingRow{}, DueNext: []DueRow{}, PromisedNext: []DueRow{}, PlannedNext: []DueRow{}, DSO: []DSORow{}, ByOwner: []OwnerRow{},
		RecoveryByStage: []StageRecovery{}, RecoveryByOwner: []OwnerRecovery{}, RecoveryByTeam: []TeamRecovery{}, Promises: []PromiseRow{},
	}
	w := dashboardConds(v, f)
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
	if err := s.dashboardInvoices(ctx, w, today, users, &d); err != nil {
		return d, fmt.Errorf("dashboard invoices: %w", err)
	}
	sums, err := s.recoverySums(ctx, w, d.WindowFrom.Time(loc))
	if err != nil {
		return d, fmt.Errorf("dashboard recovery: %w", err)
	}
	recoveryRows(sums, users, &d)
	if err := s.dashboardPromises(ctx, w, today, d.WindowFrom, loc, &d); err != nil {
		return d, fmt.Errorf("dashboard promises: %w", err)
	}
	return d, nil
}

// queryRows runs q and calls fn for each row.
func (s *Store) queryRows(ctx context.Context, q string, args []any, fn func(*sql.Rows) error) error {
	rows, err := s.sqlDB.QueryContext(ctx, s.Rebind(q), args...)
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

// dashboardInvoices fills aging, cash due, DSO and owners. The open
// invoices are summed by owner, currency and due date in SQL, in the order
// of the partial index invoices_dashboard_open (so without a sort), and put
// in buckets here; the sales of the last 90 days come from
// invoices_dashboard_issued, by issue date and currency.
func (s *Store) dashboardInvoices(ctx context.Context, w dashboardWhere, today calendar.Date, users map[int64]dashboardUser, d *Dashboard) error {
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
	q := `SELECT COALESCE(i.owner_id, 0), i.currency, i.due_date, SUM(i.balance_minor), COUNT(*)
		FROM invoices i` + w.join + ` WHERE i.balance_minor > 0` + w.cond + `
		GROUP BY i.owner_id, i.currency, i.due_date`
	err := s.queryRows(ctx, q, w.args, func(rows *sql.Rows) error {
		var (
			owner, balance int64
			currency       string
			due            calendar.Date
			count          int
		)
		if err := rows.Scan(&owner, &currency, &due, &balance, &count); err != nil {
			return err
		}
		c := of(currency)
		c.balance += balance
		o := c.owners[owner]
		if o == nil {
			o = &OwnerRow{Currency: currency, Owner: users[owner].email, Team: users[owner].team}
			c.owners[owner] = o
		}
		o.BalanceMinor += balance
		o.Invoices += count
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
			o.Overdue += count
		}
		r := c.aging[bucket]
		r.BalanceMinor += balance
		r.Invoices += count
		c.aging[bucket] = r
		return nil
	})
	if err != nil {
		return err
	}
	q = `SELECT i.currency, SUM(i.amount_minor) FROM invoices i` + w.join + ` WHERE i.issue_date > ?` + w.cond + `
		GROUP BY i.issue_date, i.currency`
	err = s.queryRows(ctx, q, append([]any{today.AddDays(-90).String()}, w.args...), func(rows *sql.Rows) error {
		var currency string
		var sales int64
		if err := rows.Scan(&currency, &sales); err != nil {
			return err
		}
		of(currency).sales += sales
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

// enteredPredicate selects the node events "entered" in the effects
// ledger (keys …/NODE/VISIT/entered#0, docs/workflows.md). It is the
// predicate of the partial index effects_dashboard_entered, word for word.
func (s *Store) enteredPredicate() string {
	if s.dialect == Postgres {
		return `e.kind = 'node' AND e.key LIKE '%/entered#0'`
	}
	return `e.kind = 'node' AND substr(e.key, -10) = '/entered#0'`
}

// recoveryKey is one row of the recovery query: a stage (source
// WORKFLOW/NODE), an owner and a currency.
type recoveryKey struct {
	source   string
	owner    int64
	currency string
}

// recoverySums sums the recovery figures by stage, owner and currency. Per stage entry (the first entry of an
// invoice into a node since from), the balance at entry is today's
// balance plus the payments paid since entry minus the fees added after
// it; the payments paid since entry are what was recovered. Both are
// looked up only for invoices paid (last_paid_at) or charged fees since.
func (s *Store) recoverySums(ctx context.Context, w dashboardWhere, from time.Time) (map[recoveryKey]Recovery, error) {
	// The fenced subquery is computed once per row, not inlined into each
	// use of its columns. (The casts keep PostgreSQL's sums of bigint, which
	// are numeric, in integer arithmetic.)
	fence := " LIMIT -1"
	if s.dialect == Postgres {
		fence = " OFFSET 0"
	}
	q := `SELECT x.source, x.owner, x.currency, COUNT(*),
			SUM(x.balance + x.paid - x.fees),
			SUM(CASE WHEN x.balance <= 0 THEN 1 ELSE 0 END),
			SUM(CASE WHEN x.paid < x.balance + x.paid - x.fees THEN x.paid ELSE x.balance + x.paid - x.fees END)
		FROM (SELECT a.source, COALESCE(i.owner_id, 0) AS owner, i.currency, i.balance_minor AS balance,
				CASE WHEN i.last_paid_at >= a.at THEN (SELECT CAST(COALESCE(SUM(p.amount_minor), 0) AS BIGINT) FROM payments p
					WHERE p.invoice_id = i.id AND p.paid_at >= a.at) ELSE 0 END AS paid,
				CASE WHEN i.fees_minor > 0 THEN (SELECT CAST(COALESCE(SUM(fe.amount_minor), 0) AS BIGINT) FROM fees fe
					WHERE fe.invoice_id = i.id AND fe.created_at > a.at) ELSE 0 END AS fees
			FROM (SELECT e.invoice_id, e.source, MIN(e.at) AS at FROM effects e
				WHERE ` + s.enteredPredicate() + ` AND e.at >= ? GROUP BY e.invoice_id, e.source) a
			JOIN invoices i ON i.id = a.invoice_id` + w.join + `
			WHERE 1 = 1` + w.cond + fence + `) x
		WHERE x.balance + x.paid - x.fees > 0
		GROUP BY x.source, x.owner, x.currency`
	out := map[recoveryKey]Recovery{}
	err := s.queryRows(ctx, q, append([]any{from.UTC()}, w.args...), func(rows *sql.Rows) error {
		var (
			k recoveryKey
			r Recovery
		)
		if err := rows.Scan(&k.source, &k.owner, &k.currency, &r.Entered, &r.EnteredMinor, &r.Recovered, &r.RecoveredMinor); err != nil {
			return err
		}
		out[k] = r
		return nil
	})
	return out, err
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

// dashTask is a done task that promised payment or decided a plan.
type dashTask struct {
	invoice int64
	done    time.Time
	outcome map[string]any
}

// dashboardPromises fills the promise counts and the cash expected from
// promises and payment plans (definitions in docs/api.md).
func (s *Store) dashboardPromises(ctx context.Context, w dashboardWhere, today, from calendar.Date, loc *time.Location, d *Dashboard) error {
	pred := s.promisesPredicate()
	// Tasks first (CROSS JOIN keeps SQLite on the partial index), then
	// the payments and fees of their invoices.
	var tasks []dashTask
	invoices := map[int64]*dashInvoice{}
	q := `SELECT t.invoice_id, t.completed_at, t.outcome, i.currency, i.balance_minor
		FROM tasks t CROSS JOIN invoices i` + w.join + `
		WHERE i.id = t.invoice_id AND ` + pred + w.cond + `
		ORDER BY t.invoice_id, t.completed_at`
	err := s.queryRows(ctx, q, w.args, func(rows *sql.Rows) error {
		var (
			t       dashTask
			done    sql.NullTime
			outcome []byte
			inv     dashInvoice
		)
		if err := rows.Scan(&t.invoice, &done, &outcome, &inv.currency, &inv.balance); err != nil {
			return err
		}
		if !done.Valid || json.Unmarshal(outcome, &t.outcome) != nil {
			return nil
		}
		t.done = done.Time
		tasks = append(tasks, t)
		if invoices[t.invoice] == nil {
			invoices[t.invoice] = &inv
		}
		return nil
	})
	if err != nil || len(tasks) == 0 {
		return err
	}
	for _, m := range []struct {
		q    string
		list func(*dashInvoice) *[]dashPayment
	}{
		{`SELECT p.invoice_id, p.paid_at, p.amount_minor FROM payments p
			WHERE p.invoice_id IN (SELECT t.invoice_id FROM tasks t WHERE ` + pred + `)`,
			func(i *dashInvoice) *[]dashPayment { return &i.payments }},
		{`SELECT fe.invoice_id, fe.created_at, fe.amount_minor FROM fees fe
			WHERE fe.invoice_id IN (SELECT t.invoice_id FROM tasks t WHERE ` + pred + `)`,
			func(i *dashInvoice) *[]dashPayment { return &i.feesAdd }},
	} {
		err := s.queryRows(ctx, m.q, nil, func(rows *sql.Rows) error {
			var id int64
			var p dashPayment
			if err := rows.Scan(&id, &p.at, &p.amount); err != nil {
				return err
			}
			if inv := invoices[id]; inv != nil {
				*m.list(inv) = append(*m.list(inv), p)
			}
			return nil
		})
		if err != nil {
			return err
		}
	}

	promises := map[string]*PromiseRow{}
	promised := map[string]*DueRow{}
	planned := map[string]*DueRow{}
	expect := func(m map[string]*DueRow, currency string, on calendar.Date, amount int64) {
		days := on.DaysSince(today)
		if amount <= 0 || days < 0 || days > 90 {
			return
		}
		r := m[currency]
		if r == nil {
			r = &DueRow{Currency: currency}
			m[currency] = r
		}
		if days <= 30 {
			r.Days30 += amount
		}
		if days <= 60 {
			r.Days60 += amount
		}
		r.Days90 += amount
	}
	// The latest open promise and the latest plan of each invoice are the
	// ones that expect cash (an invoice's tasks are in completion order).
	type expectation struct {
		on     calendar.Date
		amount int64
	}
	openPromise := map[int64]expectation{}
	plans := map[int64]dashTask{}
	for _, t := range tasks {
		inv := invoices[t.invoice]
		switch {
		case t.outcome["outcome"] == "promised":
			on, ok := outcomeDate(t.outcome["promised_date"])
			if !ok || on.Before(from) {
				continue
			}
			amount := inv.balanceAt(t.done)
			if text, ok := t.outcome["promised_amount"].(string); ok {
				if m, err := money.Parse(text); err == nil && m.Currency == inv.currency && m.Minor > 0 {
					amount = m.Minor
				}
			}
			paid := inv.paidBetween(t.done, on.AddDays(1).Time(loc))
			r := promises[inv.currency]
			if r == nil {
				r = &PromiseRow{Currency: inv.currency}
				promises[inv.currency] = r
			}
			switch {
			case paid >= amount:
				r.Kept++
				r.KeptMinor += amount
				delete(openPromise, t.invoice)
			case on.Before(today):
				r.Broken++
				r.BrokenMinor += amount
				delete(openPromise, t.invoice)
			default:
				r.Pending++
				r.PendingMinor += amount
				openPromise[t.invoice] = expectation{on, min(amount-paid, inv.balance)}
			}
		case t.outcome["decision"] == "payment_plan":
			plans[t.invoice] = t
		}
	}
	for id, e := range openPromise {
		expect(promised, invoices[id].currency, e.on, e.amount)
	}
	for id, t := range plans {
		inv := invoices[id]
		n, ok1 := outcomeInt(t.outcome["installments"])
		first, ok2 := outcomeDate(t.outcome["first_installment_date"])
		if !ok1 || !ok2 || n < 1 || n > 1200 {
			continue
		}
		total := inv.balanceAt(t.done)
		paid := inv.paidBetween(t.done, time.Time{})
		left := inv.balance // never expect more than is owed
		for k := range n {
			due := total / int64(n)
			if k == n-1 {
				due = total - due*int64(n-1)
			}
			covered := min(paid, due)
			paid -= covered
			rest := min(due-covered, left)
			if rest <= 0 {
				continue
			}
			left -= rest
			expect(planned, inv.currency, addMonths(first, k), rest)
		}
	}
	for _, cur := range sortedKeys(promises) {
		d.Promises = append(d.Promises, *promises[cur])
	}
	for _, cur := range sortedKeys(promised) {
		d.PromisedNext = append(d.PromisedNext, *promised[cur])
	}
	for _, cur := range sortedKeys(planned) {
		d.PlannedNext = append(d.PlannedNext, *planned[cur])
	}
	return nil
}

// addMonths moves d by n calendar months, keeping its day of the month or
// the month's last day when shorter (Jan 31 + 1 month = Feb 28 or 29).
func addMonths(d calendar.Date, n int) calendar.Date {
	first := time.Date(d.Year, d.Month+time.Month(n), 1, 0, 0, 0, 0, time.UTC)
	last := first.AddDate(0, 1, -1).Day()
	return calendar.Date{Year: first.Year(), Month: first.Month(), Day: min(d.Day, last)}
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

// outcomeInt reads a whole number form value as stored (a JSON number or
// its text).
func outcomeInt(v any) (int, bool) {
	switch n := v.(type) {
	case float64:
		return int(n), n == math.Trunc(n)
	case string:
		i, err := strconv.Atoi(strings.TrimSpace(n))
		return i, err == nil
	}
	return 0, false
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

	tasksVersion dashboardVersion
	tasks        map[string]taskCount // by task scope
}

func (c *dashboardCache) getTasks(scope string, v dashboardVersion) (taskCount, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	tc, ok := c.tasks[scope]
	return tc, ok && c.tasksVersion == v
}

func (c *dashboardCache) putTasks(scope string, v dashboardVersion, tc taskCount) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if v != c.tasksVersion || len(c.tasks) >= dashboardCacheLimit {
		c.tasks = map[string]taskCount{}
		c.tasksVersion = v
	}
	c.tasks[scope] = tc
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
	c := &dashboardCache{entries: map[dashboardKey]Dashboard{}, tasks: map[string]taskCount{}, tasksVersion: dashboardVersion{-1, -1}}
	dashboardCaches.m[k] = c
	runtime.AddCleanup(s, func(k weak.Pointer[Store]) {
		dashboardCaches.mu.Lock()
		delete(dashboardCaches.m, k)
		dashboardCaches.mu.Unlock()
	}, k)
	return c
}
