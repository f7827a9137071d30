package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/recoup/recoup/calendar"
	"github.com/recoup/recoup/money"
)

// The dashboard's summary tables (migration 00010). Triggers keep every
// sum but those of promises, whose outcomes only Go reads well (JSON form
// values, amounts as text, the company zone): the triggers list the
// invoices whose promises may have changed in dashboard_dirty, and refreshDashboardCash recomputes
// their items (dashboard_cash_items) and the sums (dashboard_cash) before
// the dashboard reads them.

// cashPromise is the kind of dashboard_cash_items of a promise to pay, on
// its promised date.
const cashPromise = "promise"

// cashKey is a row of dashboard_cash.
type cashKey struct {
	kind     string
	day, sup calendar.Date // sup: the latest date of the invoice's later promises (zero for none)
	kept     bool
	owner    int64
	currency string
	region   string
}

type cashSum struct{ items, amount, expect int64 }

// cashItem is what one promise or installment adds to dashboard_cash.
type cashItem struct {
	kind           string
	day, sup       calendar.Date
	kept           bool
	amount, expect int64
}

// cashInvoice is an invoice whose promises and plans are recomputed.
type cashInvoice struct {
	dashInvoice
	owner  int64
	region string
	tasks  []dashTask // in completion order
}

// optDay reads a date that may be absent (NULL on PostgreSQL, ” on
// SQLite).
type optDay struct{ calendar.Date }

func (d *optDay) Scan(src any) error {
	if s, ok := src.(string); ok && s == "" {
		d.Date = calendar.Date{}
		return nil
	}
	return d.Date.Scan(src)
}

// optDayArg is the value stored for a date that may be absent.
func (s *Store) optDayArg(d calendar.Date) any {
	switch {
	case !d.IsZero():
		return d.String()
	case s.dialect == SQLite:
		return ""
	}
	return nil
}

// refreshDashboardCash recomputes the promises and plans of the invoices
// listed in dashboard_dirty, in one transaction, and all of them when the
// company zone (which places the end of a promised day) is not the one
// they were computed in.
func (s *Store) refreshDashboardCash(ctx context.Context, loc *time.Location) error {
	zone := loc.String()
	var (
		stored string
		dirty  bool
	)
	err := s.sqlDB.QueryRowContext(ctx, "SELECT zone, EXISTS (SELECT 1 FROM dashboard_dirty) FROM dashboard_state WHERE id = 1").Scan(&stored, &dirty)
	if err != nil || (stored == zone && !dirty) {
		return err
	}
	tx, err := s.sqlDB.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	lock, ignore := "", "OR IGNORE "
	if s.dialect == Postgres {
		lock, ignore = " FOR UPDATE", "" // one refresh at a time (SQLite's writers are one at a time anyway)
	}
	if err := tx.QueryRowContext(ctx, "SELECT zone FROM dashboard_state WHERE id = 1"+lock).Scan(&stored); err != nil {
		return err
	}
	if stored != zone {
		if _, err := tx.ExecContext(ctx, "INSERT "+ignore+"INTO dashboard_dirty (invoice_id) SELECT t.invoice_id FROM tasks t WHERE t.invoice_id IS NOT NULL AND "+
			s.promisesPredicate()+" UNION SELECT ci.invoice_id FROM dashboard_cash_items ci"); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, s.rebind("UPDATE dashboard_state SET zone = ? WHERE id = 1"), zone); err != nil {
			return err
		}
	}
	// Taking the rows is reading them: a row a writer has not committed
	// yet stays for the next refresh.
	var ids []int64
	rows, err := tx.QueryContext(ctx, "DELETE FROM dashboard_dirty RETURNING invoice_id")
	if err != nil {
		return err
	}
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return err
		}
		ids = append(ids, id)
	}
	if err := rows.Close(); err != nil {
		return err
	}
	slices.Sort(ids)
	ids = slices.Compact(ids)
	for start := 0; start < len(ids); start += 500 {
		if err := s.recomputeCash(ctx, tx, ids[start:min(start+500, len(ids))], loc); err != nil {
			return err
		}
	}
	return tx.Commit()
}

// recomputeCash replaces the cash items of invoices ids and applies the
// difference to dashboard_cash.
func (s *Store) recomputeCash(ctx context.Context, tx *sql.Tx, ids []int64, loc *time.Location) error {
	in := placeholders(len(ids))
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = id
	}
	query := func(q string, fn func(*sql.Rows) error) error {
		return s.queryRowsOn(ctx, tx, q, args, fn)
	}
	delta := map[cashKey]*cashSum{}
	add := func(k cashKey, items, amount, expect int64) {
		d := delta[k]
		if d == nil {
			d = &cashSum{}
			delta[k] = d
		}
		d.items += items
		d.amount += amount
		d.expect += expect
	}
	err := query(`DELETE FROM dashboard_cash_items WHERE invoice_id IN (`+in+`)
		RETURNING kind, day, sup_day, kept, owner_id, currency, region, amount_minor, expect_minor`, func(rows *sql.Rows) error {
		var (
			k              cashKey
			sup            optDay
			amount, expect int64
		)
		if err := rows.Scan(&k.kind, &k.day, &sup, &k.kept, &k.owner, &k.currency, &k.region, &amount, &expect); err != nil {
			return err
		}
		k.sup = sup.Date
		add(k, -1, -amount, -expect)
		return nil
	})
	if err != nil {
		return fmt.Errorf("old cash items: %w", err)
	}

	invoices := map[int64]*cashInvoice{}
	err = query(`SELECT i.id, i.currency, i.balance_minor, COALESCE(i.owner_id, 0), COALESCE(c.region, '')
		FROM invoices i LEFT JOIN customers c ON c.id = i.customer_id WHERE i.id IN (`+in+`)`, func(rows *sql.Rows) error {
		var id int64
		inv := &cashInvoice{}
		if err := rows.Scan(&id, &inv.currency, &inv.balance, &inv.owner, &inv.region); err != nil {
			return err
		}
		invoices[id] = inv
		return nil
	})
	if err != nil {
		return err
	}
	err = query(`SELECT t.invoice_id, t.completed_at, t.outcome FROM tasks t
		WHERE t.invoice_id IN (`+in+`) AND `+s.promisesPredicate()+`
		ORDER BY t.invoice_id, t.completed_at, t.id`, func(rows *sql.Rows) error {
		var (
			t       dashTask
			done    sql.NullTime
			outcome []byte
		)
		if err := rows.Scan(&t.invoice, &done, &outcome); err != nil {
			return err
		}
		inv := invoices[t.invoice]
		if inv == nil || !done.Valid || json.Unmarshal(outcome, &t.outcome) != nil {
			return nil
		}
		t.done = done.Time
		inv.tasks = append(inv.tasks, t)
		return nil
	})
	if err != nil {
		return err
	}
	for _, m := range []struct {
		q    string
		list func(*cashInvoice) *[]dashPayment
	}{
		{`SELECT p.invoice_id, p.paid_at, p.amount_minor FROM payments p WHERE p.invoice_id IN (` + in + `)`,
			func(i *cashInvoice) *[]dashPayment { return &i.payments }},
		{`SELECT fe.invoice_id, fe.created_at, fe.amount_minor FROM fees fe WHERE fe.invoice_id IN (` + in + `)`,
			func(i *cashInvoice) *[]dashPayment { return &i.feesAdd }},
	} {
		err := query(m.q, func(rows *sql.Rows) error {
			var id int64
			var p dashPayment
			if err := rows.Scan(&id, &p.at, &p.amount); err != nil {
				return err
			}
			if inv := invoices[id]; inv != nil && len(inv.tasks) > 0 {
				*m.list(inv) = append(*m.list(inv), p)
			}
			return nil
		})
		if err != nil {
			return err
		}
	}

	const cols = 10
	var values []any
	flush := func() error {
		err := s.insertRows(ctx, tx, `INSERT INTO dashboard_cash_items (invoice_id, kind, day, sup_day, kept, owner_id, currency, region, amount_minor, expect_minor)`,
			cols, values, "")
		values = values[:0]
		return err
	}
	for _, id := range ids {
		inv := invoices[id]
		if inv == nil {
			continue
		}
		for _, it := range cashItemsOf(&inv.dashInvoice, inv.tasks, loc) {
			add(cashKey{it.kind, it.day, it.sup, it.kept, inv.owner, inv.currency, inv.region}, 1, it.amount, it.expect)
			kept := 0
			if it.kept {
				kept = 1
			}
			values = append(values, id, it.kind, it.day.String(), s.optDayArg(it.sup), kept, inv.owner, inv.currency, inv.region, it.amount, it.expect)
			if len(values) >= 500*cols {
				if err := flush(); err != nil {
					return err
				}
			}
		}
	}
	if err := flush(); err != nil {
		return fmt.Errorf("cash items: %w", err)
	}
	return s.applyCashDelta(ctx, tx, delta)
}

// insertRows runs head (an INSERT with its column list) with one VALUES
// tuple per cols of values, then tail (an ON CONFLICT clause, or "").
func (s *Store) insertRows(ctx context.Context, tx *sql.Tx, head string, cols int, values []any, tail string) error {
	if len(values) == 0 {
		return nil
	}
	one := "(" + placeholders(cols) + ")"
	q := head + " VALUES " + strings.TrimSuffix(strings.Repeat(one+",", len(values)/cols), ",") + tail
	_, err := tx.ExecContext(ctx, s.rebind(q), values...)
	return err
}

// applyCashDelta adds delta to dashboard_cash: in place on SQLite, as rows
// of differences on PostgreSQL (see FoldDashboardSums).
func (s *Store) applyCashDelta(ctx context.Context, tx *sql.Tx, delta map[cashKey]*cashSum) error {
	const cols = 10
	var (
		values []any
		gone   bool // some key lost items: SQLite drops the empty rows
	)
	upsert := ""
	if s.dialect == SQLite {
		upsert = ` ON CONFLICT (kind, day, sup_day, kept, owner_id, currency, region) DO UPDATE SET items = items + excluded.items,
				amount_minor = amount_minor + excluded.amount_minor, expect_minor = expect_minor + excluded.expect_minor`
	}
	flush := func() error {
		err := s.insertRows(ctx, tx, `INSERT INTO dashboard_cash (kind, day, sup_day, kept, owner_id, currency, region, items, amount_minor, expect_minor)`,
			cols, values, upsert)
		values = values[:0]
		return err
	}
	for k, d := range delta {
		if *d == (cashSum{}) {
			continue
		}
		gone = gone || d.items < 0
		kept := 0
		if k.kept {
			kept = 1
		}
		values = append(values, k.kind, k.day.String(), s.optDayArg(k.sup), kept, k.owner, k.currency, k.region, d.items, d.amount, d.expect)
		if len(values) >= 500*cols {
			if err := flush(); err != nil {
				return err
			}
		}
	}
	if err := flush(); err != nil {
		return fmt.Errorf("cash sums: %w", err)
	}
	if gone && s.dialect == SQLite {
		if _, err := tx.ExecContext(ctx, "DELETE FROM dashboard_cash WHERE items = 0"); err != nil {
			return err
		}
	}
	return nil
}

// cashItemsOf computes what an invoice's promises add to the dashboard,
// from its done tasks in completion order (docs/api.md): every promise
// with a promised date, on that date: its amount, kept or not (paid from
// its making to the end of the date, in loc), what is still expected of it
// (at most the balance), and the latest promised date of the promises made
// after it, so that the dashboard can tell, for any window, whether a
// later promise took its place.
//
// Which promises count, which are broken or pending, and which dates fall
// in the horizons depend on today and are left to the dashboard. Payment
// plans are read from their own tables (dashboardLifecycle): the rows of
// kind "plan" an older version kept here are no longer read, and go as
// their invoices are recomputed.
func cashItemsOf(inv *dashInvoice, tasks []dashTask, loc *time.Location) []cashItem {
	var items []cashItem
	for _, t := range tasks {
		if t.outcome["outcome"] != "promised" {
			continue
		}
		on, ok := outcomeDate(t.outcome["promised_date"])
		if !ok {
			continue
		}
		amount := inv.balanceAt(t.done)
		if text, ok := t.outcome["promised_amount"].(string); ok {
			if m, err := money.Parse(text); err == nil && m.Currency == inv.currency && m.Minor > 0 {
				amount = m.Minor
			}
		}
		paid := inv.paidBetween(t.done, on.AddDays(1).Time(loc))
		items = append(items, cashItem{kind: cashPromise, day: on, kept: paid >= amount, amount: amount,
			expect: max(0, min(amount-paid, inv.balance))})
	}
	var later calendar.Date
	for i := len(items) - 1; i >= 0; i-- {
		items[i].sup = later
		if later.IsZero() || items[i].day.After(later) {
			later = items[i].day
		}
	}
	return items
}

// FoldDashboardSums compacts the dashboard's summary tables. On
// PostgreSQL, where every write adds rows of differences, it replaces them
// with one row per key (and none for keys that sum to nothing); on SQLite,
// whose sums are kept in place, it drops the rows that came to nothing.
// The dashboard folds on its own once dashboardFoldEvery rows were added
// since the last fold; a scheduler may also call it after each tick.
// Concurrent writers are never blocked: they only add rows, which a fold
// either takes whole or leaves for the next one.
func (s *Store) FoldDashboardSums(ctx context.Context) error {
	if s.dialect == SQLite {
		for _, q := range []string{
			"DELETE FROM dashboard_open WHERE invoices = 0",
			"DELETE FROM dashboard_sales WHERE invoices = 0",
			"DELETE FROM dashboard_recovery WHERE entered = 0",
			"DELETE FROM dashboard_tasks WHERE tasks = 0",
			"DELETE FROM dashboard_cash WHERE items = 0",
		} {
			if _, err := s.sqlDB.ExecContext(ctx, q); err != nil {
				return fmt.Errorf("folding dashboard sums: %w", err)
			}
		}
		return nil
	}
	tx, err := s.sqlDB.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	var mine bool
	if err := tx.QueryRowContext(ctx, "SELECT pg_try_advisory_xact_lock(hashtext('recoup-dashboard-fold:' || current_schema()))").Scan(&mine); err != nil || !mine {
		return err // another fold is at it
	}
	for _, t := range []struct{ table, keys, sums, count string }{
		{"dashboard_open", "owner_id, currency, region, due_date", "balance_minor, invoices", "invoices"},
		{"dashboard_sales", "issue_date, owner_id, currency, region", "amount_minor, invoices", "invoices"},
		{"dashboard_recovery", "at, prev_at, source, owner_id, currency, region", "entered, entered_minor, recovered, recovered_minor", "entered"},
		{"dashboard_tasks", "assignee_id, role, kind, owner_id, due_at", "tasks", "tasks"},
		{"dashboard_cash", "kind, day, sup_day, kept, owner_id, currency, region", "items, amount_minor, expect_minor", "items"},
	} {
		var sums []string
		for _, c := range strings.Split(t.sums, ", ") {
			sums = append(sums, "SUM("+c+")")
		}
		q := "WITH gone AS (DELETE FROM " + t.table + " RETURNING *) INSERT INTO " + t.table + " (" + t.keys + ", " + t.sums + ") " +
			"SELECT " + t.keys + ", " + strings.Join(sums, ", ") + " FROM gone GROUP BY " + t.keys + " HAVING SUM(" + t.count + ") <> 0"
		if _, err := tx.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("folding %s: %w", t.table, err)
		}
	}
	if _, err := tx.ExecContext(ctx, "UPDATE dashboard_state SET folded = (SELECT last_value FROM dashboard_delta) WHERE id = 1"); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return err
	}
	// The rows folded are dead now: scans would still read their pages
	// until a vacuum, which autovacuum may not run for a while.
	_, err = s.sqlDB.ExecContext(ctx, "VACUUM (ANALYZE) dashboard_open, dashboard_sales, dashboard_recovery, dashboard_tasks, dashboard_cash")
	return err
}

// dashboardFoldEvery is how many rows of differences PostgreSQL's sums
// take before the dashboard folds them: reading that many more rows costs
// about as much as the rest of the dashboard.
const dashboardFoldEvery = 50_000

// foldDashboardSumsIfDue folds the sums on PostgreSQL when more than
// dashboardFoldEvery rows were added since the last fold (every row of
// differences takes a number from the sequence dashboard_delta).
func (s *Store) foldDashboardSumsIfDue(ctx context.Context) error {
	if s.dialect != Postgres {
		return nil
	}
	var added int64
	err := s.sqlDB.QueryRowContext(ctx, "SELECT (SELECT last_value FROM dashboard_delta) - folded FROM dashboard_state WHERE id = 1").Scan(&added)
	if err != nil || added < dashboardFoldEvery {
		return err
	}
	return s.FoldDashboardSums(ctx)
}
