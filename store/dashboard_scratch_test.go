package store

// The dashboard as it was computed before the summary tables (migration
// 00010): every figure from scratch, from the invoices, stage entries,
// payments, fees and tasks. It is kept here as the executable definition
// the summed figures are checked against (DashboardFromScratch).

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"math"
	"sort"
	"time"

	"github.com/recoup/recoup/calendar"
	"github.com/recoup/recoup/money"
)

// scratchWhere is the scope and filters of the dashboard, as a join and
// conditions on invoices i (and customers c).
type scratchWhere struct {
	join string // the customers join when filtering by region
	cond string // " AND …"
	args []any
}

func scratchConds(v Viewer, f DashboardFilter) scratchWhere {
	scope, args := v.invoiceScope()
	w := scratchWhere{cond: " AND " + scope, args: args}
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

func (s *Store) scratchDashboard(ctx context.Context, v Viewer, f DashboardFilter, today calendar.Date, loc *time.Location) (Dashboard, error) {
	d := Dashboard{
		Today: today, WindowFrom: today.AddDays(1 - DashboardWindow),
		Aging: []AgingRow{}, DueNext: []DueRow{}, PromisedNext: []DueRow{}, PlannedNext: []DueRow{}, DSO: []DSORow{}, ByOwner: []OwnerRow{},
		RecoveryByStage: []StageRecovery{}, RecoveryByOwner: []OwnerRecovery{}, RecoveryByTeam: []TeamRecovery{}, Promises: []PromiseRow{},
	}
	w := scratchConds(v, f)
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
	if err := s.scratchInvoices(ctx, w, today, users, &d); err != nil {
		return d, fmt.Errorf("dashboard invoices: %w", err)
	}
	sums, err := s.scratchRecovery(ctx, w, d.WindowFrom.Time(loc))
	if err != nil {
		return d, fmt.Errorf("dashboard recovery: %w", err)
	}
	recoveryRows(sums, users, &d)
	if err := s.scratchPromises(ctx, w, today, d.WindowFrom, loc, &d); err != nil {
		return d, fmt.Errorf("dashboard promises: %w", err)
	}
	return d, nil
}

// scratchInvoices fills aging, cash due, DSO and owners. The open
// invoices are summed by owner, currency and due date in SQL and put in
// buckets here; the sales of the last 90 days are summed by issue date
// and currency. (The indexes that served these scans before the summed
// tables, invoices_dashboard_open and _issued, were dropped in 00012.)
func (s *Store) scratchInvoices(ctx context.Context, w scratchWhere, today calendar.Date, users map[int64]dashboardUser, d *Dashboard) error {
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

// scratchEntered selects the node events "entered" in the effects
// ledger (keys …/NODE/VISIT/entered#0, docs/workflows.md). It is the
// predicate of the partial index effects_dashboard_entered, word for word.
func (s *Store) scratchEntered() string {
	if s.dialect == Postgres {
		return `e.kind = 'node' AND e.key LIKE '%/entered#0'`
	}
	return `e.kind = 'node' AND substr(e.key, -10) = '/entered#0'`
}

// scratchRecovery sums the recovery figures by stage, owner and currency. Per stage entry (the first entry of an
// invoice into a node since from), the balance at entry is today's
// balance plus the payments paid since entry minus the fees added after
// it; the payments paid since entry are what was recovered. Both are
// looked up only for invoices paid (last_paid_at) or charged fees since.
func (s *Store) scratchRecovery(ctx context.Context, w scratchWhere, from time.Time) (map[recoveryKey]Recovery, error) {
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
				WHERE ` + s.scratchEntered() + ` AND e.at >= ? GROUP BY e.invoice_id, e.source) a
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

// scratchPromises fills the promise counts and the cash expected from
// promises (definitions in docs/api.md).
func (s *Store) scratchPromises(ctx context.Context, w scratchWhere, today, from calendar.Date, loc *time.Location, d *Dashboard) error {
	pred := s.promisesPredicate()
	// Tasks first (CROSS JOIN keeps SQLite on the partial index), then
	// the payments and fees of their invoices.
	var tasks []dashTask
	invoices := map[int64]*dashInvoice{}
	q := `SELECT t.invoice_id, t.completed_at, t.outcome, i.currency, i.balance_minor
		FROM tasks t CROSS JOIN invoices i` + w.join + `
		WHERE i.id = t.invoice_id AND ` + pred + w.cond + `
		ORDER BY t.invoice_id, t.completed_at, t.id`
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
	// The latest open promise of each invoice is the one that expects cash
	// (an invoice's tasks are in completion order); plans are
	// scratchPlanned's.
	type expectation struct {
		on     calendar.Date
		amount int64
	}
	openPromise := map[int64]expectation{}
	for _, t := range tasks {
		inv := invoices[t.invoice]
		if t.outcome["outcome"] != "promised" {
			continue
		}
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
	}
	for id, e := range openPromise {
		expect(promised, invoices[id].currency, e.on, e.amount)
	}
	for _, cur := range sortedKeys(promises) {
		d.Promises = append(d.Promises, *promises[cur])
	}
	for _, cur := range sortedKeys(promised) {
		d.PromisedNext = append(d.PromisedNext, *promised[cur])
	}
	return nil
}

// scratchPlanned is the cash expected from payment plans, from the plans,
// their invoices and installments: for each active plan that is neither
// paid in full nor late beyond its grace, what its payments (how far its
// invoices' balances fell since it began) leave of each installment,
// oldest first, on its due date within 90 days, or at once when past due.
func (s *Store) scratchPlanned(ctx context.Context, w scratchWhere, today calendar.Date) ([]DueRow, error) {
	type plan struct {
		currency string
		grace    int
		paid     int64
		due      []calendar.Date
		amount   []int64
	}
	plans := map[int64]*plan{}
	q := `SELECT p.id, p.currency, p.grace_days, CAST(SUM(pi.start_balance_minor - i.balance_minor) AS BIGINT)
		FROM payment_plans p JOIN payment_plan_invoices pi ON pi.plan_id = p.id JOIN invoices i ON i.id = pi.invoice_id
		WHERE p.status = 'active' AND p.id IN (SELECT pv.plan_id FROM payment_plan_invoices pv JOIN invoices i ON i.id = pv.invoice_id` + w.join + `
			WHERE 1 = 1` + w.cond + `)
		GROUP BY p.id, p.currency, p.grace_days`
	err := s.queryRows(ctx, q, w.args, func(rows *sql.Rows) error {
		var id int64
		p := &plan{}
		if err := rows.Scan(&id, &p.currency, &p.grace, &p.paid); err != nil {
			return err
		}
		plans[id] = p
		return nil
	})
	if err != nil {
		return nil, err
	}
	err = s.queryRows(ctx, `SELECT plan_id, due_date, amount_minor FROM installments ORDER BY plan_id, seq`, nil, func(rows *sql.Rows) error {
		var id, amount int64
		var due calendar.Date
		if err := rows.Scan(&id, &due, &amount); err != nil {
			return err
		}
		if p := plans[id]; p != nil {
			p.due, p.amount = append(p.due, due), append(p.amount, amount)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	planned := map[string]*DueRow{}
	for _, p := range plans {
		left := max(p.paid, 0)
		rest := make([]int64, len(p.amount))
		var unpaid, lateDays int
		for k, amount := range p.amount {
			rest[k] = amount - min(left, amount)
			left -= amount - rest[k]
			if rest[k] > 0 {
				unpaid++
				if unpaid == 1 {
					lateDays = today.DaysSince(p.due[k])
				}
			}
		}
		if unpaid == 0 || lateDays > p.grace {
			continue // completed or broken, whether or not the tick said so yet
		}
		for k, r := range rest {
			days := p.due[k].DaysSince(today)
			if r == 0 || days > 90 {
				continue
			}
			row := planned[p.currency]
			if row == nil {
				row = &DueRow{Currency: p.currency}
				planned[p.currency] = row
			}
			if days <= 30 {
				row.Days30 += r
			}
			if days <= 60 {
				row.Days60 += r
			}
			row.Days90 += r
		}
	}
	out := []DueRow{}
	for _, cur := range sortedKeys(planned) {
		out = append(out, *planned[cur])
	}
	return out, nil
}

// scratchTaskCounts counts the open tasks v sees, and those due before
// now, from the tasks table.
func (s *Store) scratchTaskCounts(ctx context.Context, v Viewer, now time.Time) (open, overdue int, err error) {
	scope, args := v.taskScope()
	err = s.sqlDB.QueryRowContext(ctx, s.rebind(`SELECT COUNT(*), COALESCE(SUM(CASE WHEN t.due_at < ? THEN 1 ELSE 0 END), 0)
		FROM tasks t WHERE t.status = 'open' AND `+scope), append([]any{now.UTC()}, args...)...).Scan(&open, &overdue)
	return open, overdue, err
}
