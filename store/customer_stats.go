package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/recoup/recoup/calendar"
	"github.com/recoup/recoup/engine"
)

// The customers' payment aggregates (engine.CustomerStats) are sums over
// every invoice. On SQLite (in-process) the tick reads the invoices' few
// columns from a covering index and sums them in Go, in parallel parts by
// customer range. On PostgreSQL the database adds them up per customer
// and currency, so one row per customer crosses the network instead of
// one per invoice.
//
// The one part of that SQL that needs care is "days paid late": the
// calendar day of the last payment in the company's zone, minus the due
// date. The query shifts each payment instant by the zone's UTC offset at
// that instant, from a table of the zone's offset periods (built with
// time.Time.ZoneBounds, so it follows Go's zone database, as the Go sums
// do) written into the query as a CASE, newest period first. Instants
// older than the table (maxStatsYears) or past its end (a year ahead) are
// counted as "unsure"; those customers are summed again invoice by
// invoice in Go.

// maxStatsYears is how far back the offset table reaches.
const maxStatsYears = 30

// zonePeriod is a span of a zone's history with one UTC offset: from
// start (inclusive) to the next period's start.
type zonePeriod struct {
	start   time.Time
	offset  int  // seconds east of UTC
	unknown bool // past the table's end
}

// zonePeriods lists loc's offset periods from from to the end of the one
// holding to, newest first, after an entry for the instants past that end
// (offset unknown: those instants are "unsure").
func zonePeriods(loc *time.Location, from, to time.Time) []zonePeriod {
	var out []zonePeriod
	if _, end := to.In(loc).ZoneBounds(); !end.IsZero() {
		out = append(out, zonePeriod{start: end, unknown: true})
	}
	t := to
	for {
		start, _ := t.In(loc).ZoneBounds()
		_, off := t.In(loc).Zone()
		if start.IsZero() || !start.After(from) {
			// The period reaches back past from: it covers the rest.
			out = append(out, zonePeriod{start: from, offset: off})
			return out
		}
		out = append(out, zonePeriod{start: start, offset: off})
		t = start.Add(-time.Second)
	}
}

// paidDayExpr is the SQL (PostgreSQL) for the calendar day of
// last_paid_at in the zone of periods, NULL when it is outside them.
func paidDayExpr(periods []zonePeriod) string {
	var b strings.Builder
	b.WriteString("CASE")
	for _, p := range periods {
		offset := fmt.Sprint(p.offset)
		if p.unknown {
			offset = "NULL"
		}
		fmt.Fprintf(&b, " WHEN last_paid_at >= '%s' THEN %s", p.start.UTC().Format("2006-01-02 15:04:05+00:00"), offset)
	}
	b.WriteString(" END")
	return "((last_paid_at AT TIME ZONE 'UTC') + make_interval(secs => " + b.String() + "))::date"
}

// statsMemo keeps the customer aggregates of the last tick over every
// customer on SQLite, for the next tick of the process (serve's cron).
// They are computed from the invoices' customers, currencies, balances,
// due dates and payment instants, the day and the zone; every write of
// those records its customers in stats_changes (migration 00014) with a
// number above the data version (dashboard_version.n) it saw. Aggregates
// computed after reading version v are kept with v; the next tick on the
// same day in the same zone sums again only the customers recorded above
// v, when there are few (statsPatchMax), and reuses the rest. At 1M
// invoices all of them take about a fifth of a tick that records nothing
// new.
type statsMemo struct {
	mu      sync.Mutex
	key     statsMemoKey
	stats   *engine.CustomerStats // read only once made
	hits    int                   // for tests: reused as they were
	patches int                   // for tests: some customers summed again
}

type statsMemoKey struct {
	version int64
	today   calendar.Date
	// The zone by name (a company's is an IANA name: one set of rules)
	// and its offset at noon that day (two fixed zones of one name differ).
	zone   string
	offset int
}

// statsPatchMax is how many changed customers a tick sums again into the
// aggregates of the tick before, at most; past it, it sums every one.
const statsPatchMax = 5000

// tickStats returns the aggregates a tick uses: the memo's, with the
// customers changed since summed again, if it is for the same day and
// zone, else computed afresh; either way kept for the next tick.
func (s *Store) tickStats(ctx context.Context, c engine.Clock, customer int64) (*engine.CustomerStats, error) {
	if s.dialect != SQLite || customer != 0 {
		return s.customerStats(ctx, c, customer)
	}
	version, err := s.dashboardVersion(ctx)
	if err != nil {
		// Without a version nothing can be kept: computed, as always.
		return s.customerStats(ctx, c, customer)
	}
	loc := c.Location
	if loc == nil {
		loc = time.UTC
	}
	today := c.Today()
	_, offset := today.Time(loc).Add(12 * time.Hour).Zone()
	key := statsMemoKey{version: version, today: today, zone: loc.String(), offset: offset}
	m := &s.stats
	m.mu.Lock()
	last, lastKey := m.stats, m.key
	m.mu.Unlock()
	var cs *engine.CustomerStats
	// A version below the memo's means the database was put back to an
	// older copy under the process: its changes may be numbered below.
	if last != nil && lastKey.today == key.today && lastKey.zone == key.zone && lastKey.offset == key.offset && key.version >= lastKey.version {
		// Failing that (say, an unmigrated database without the log), the
		// aggregates are computed afresh, as without a version.
		cs, _ = s.patchStats(ctx, c, last, lastKey.version)
	}
	patched := cs != nil
	if cs == nil {
		if cs, err = s.customerStats(ctx, c, 0); err != nil {
			return nil, err
		}
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	switch {
	case cs == last:
		m.hits++
	case patched:
		m.patches++
	}
	// Every change not summed in cs was written after version was read,
	// so is recorded above it. (A tick whose version is older than the
	// memo's, having raced another, does not replace it.)
	if m.stats == nil || key.version >= m.key.version || m.key.today != key.today {
		m.key, m.stats = key, cs
	}
	return cs, nil
}

// patchStats returns last (aggregates computed after reading data version
// since) with the customers changed since summed again, or nil when too
// many changed.
func (s *Store) patchStats(ctx context.Context, c engine.Clock, last *engine.CustomerStats, since int64) (*engine.CustomerStats, error) {
	rows, err := s.sqlDB.QueryContext(ctx, "SELECT customer_id FROM stats_changes WHERE n > ? ORDER BY customer_id LIMIT ?", since, s.statsPatchMax+1)
	if err != nil {
		return nil, err
	}
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return nil, err
		}
		ids = append(ids, id)
	}
	if err := rows.Close(); err != nil {
		return nil, err
	}
	if len(ids) == 0 {
		return last, nil
	}
	if len(ids) > s.statsPatchMax {
		return nil, nil
	}
	again := engine.NewCustomerStats(c)
	var list strings.Builder
	for i := 0; i < len(ids); i += 500 {
		part := ids[i:min(i+500, len(ids))]
		list.Reset()
		for j, id := range part {
			if j > 0 {
				list.WriteByte(',')
			}
			list.WriteString(strconv.FormatInt(id, 10))
		}
		if err := s.customerStatsRowsWhere(ctx, again, part[0], part[len(part)-1], " AND customer_id IN ("+list.String()+")"); err != nil {
			return nil, err
		}
	}
	return last.Replaced(ids, again), nil
}

// customerStats computes the payment aggregates of every customer (or of
// just one, when customer is not 0) at clock c.
func (s *Store) customerStats(ctx context.Context, c engine.Clock, customer int64) (*engine.CustomerStats, error) {
	cs := engine.NewCustomerStats(c)
	if s.dialect == Postgres {
		return cs, s.customerStatsGrouped(ctx, cs, customer)
	}
	n := runtime.GOMAXPROCS(0)
	if customer != 0 || n < 2 {
		return cs, s.customerStatsRows(ctx, cs, customer, customer)
	}
	var lo, hi int64
	if err := s.sqlDB.QueryRowContext(ctx, "SELECT COALESCE(MIN(id), 0), COALESCE(MAX(id), 0) FROM customers").Scan(&lo, &hi); err != nil {
		return nil, err
	}
	parts := make([]*engine.CustomerStats, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	step := (hi - lo + int64(n)) / int64(n)
	for i := range n {
		parts[i] = engine.NewCustomerStats(c)
		from, to := lo+int64(i)*step, lo+int64(i+1)*step-1
		if i == n-1 {
			to = math.MaxInt64 // and whatever was added since
		}
		if i == 0 {
			from = math.MinInt64
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = s.customerStatsSplit(ctx, parts[i], from, to)
		}()
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	for _, p := range parts {
		cs.Merge(p)
	}
	return cs, nil
}

// customerStatsGrouped adds the aggregates of every customer (or of just
// one) to cs, summed by the database.
func (s *Store) customerStatsGrouped(ctx context.Context, cs *engine.CustomerStats, customer int64) error {
	today := cs.Today()
	now := today.Time(cs.Location())
	periods := zonePeriods(cs.Location(), now.AddDate(-maxStatsYears, 0, 0), now.AddDate(1, 0, 0))
	paid := "(balance_minor <= 0 AND last_paid_at IS NOT NULL)"
	day := paidDayExpr(periods)
	lit := func(d calendar.Date) string { return "DATE '" + d.String() + "'" }
	// Late: paid after the due date, or unpaid and past it.
	late := "CASE WHEN " + paid + " THEN " + day + " > due_date ELSE due_date < " + lit(today) + " END"
	q := `SELECT customer_id, currency,
		SUM(CASE WHEN balance_minor > 0 THEN 1 ELSE 0 END),
		SUM(CASE WHEN balance_minor > 0 THEN balance_minor ELSE 0 END),
		SUM(CASE WHEN ` + paid + ` THEN 1 ELSE 0 END),
		SUM(CASE WHEN ` + paid + ` THEN GREATEST(0, ` + day + ` - due_date) ELSE 0 END),
		SUM(CASE WHEN due_date >= ` + lit(today.AddDays(-365)) + ` AND (` + late + `) THEN 1 ELSE 0 END),
		SUM(CASE WHEN ` + paid + ` AND ` + day + ` IS NULL THEN 1 ELSE 0 END)
		FROM invoices`
	var args []any
	if customer != 0 {
		q, args = q+" WHERE customer_id = $1", []any{customer}
	}
	rows, err := s.sqlDB.QueryContext(ctx, q+" GROUP BY customer_id, currency", args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	type group struct {
		customer int64
		currency string
		sums     engine.CustomerSums
	}
	var (
		groups []group
		redo   = map[int64]bool{}
		words  = interner{}
	)
	for rows.Next() {
		var (
			g        group
			currency sql.RawBytes
			unsure   int
		)
		if err := rows.Scan(&g.customer, &currency, &g.sums.OpenInvoices, &g.sums.OpenMinor, &g.sums.PaidInvoices,
			&g.sums.DaysLateSum, &g.sums.LateInvoices12M, &unsure); err != nil {
			return err
		}
		g.currency = words.get(currency)
		if unsure > 0 {
			redo[g.customer] = true
		}
		groups = append(groups, g)
	}
	if err := rows.Err(); err != nil {
		return err
	}
	for _, g := range groups {
		if !redo[g.customer] {
			cs.AddSums(g.customer, g.currency, g.sums)
		}
	}
	for id := range redo {
		if err := s.customerStatsRows(ctx, cs, id, id); err != nil {
			return err
		}
	}
	return nil
}

// customerStatsSplit is customerStatsRows for SQLite with the invoices
// that need no zone (not paid: open, or settled without a payment date)
// summed by the database per customer and currency — their dates compare
// as text — and only the paid ones read row by row, their payment day
// taken in Go. Both walk the covering index in customer order.
func (s *Store) customerStatsSplit(ctx context.Context, cs *engine.CustomerStats, from, to int64) error {
	today := cs.Today()
	rows, err := s.scanDB.QueryContext(ctx, `SELECT customer_id, currency,
		SUM(balance_minor > 0), SUM(CASE WHEN balance_minor > 0 THEN balance_minor ELSE 0 END),
		SUM(due_date < ? AND due_date >= ?)
		FROM invoices WHERE customer_id BETWEEN ? AND ? AND NOT (balance_minor <= 0 AND last_paid_at IS NOT NULL)
		GROUP BY customer_id, currency`, today.String(), today.AddDays(-365).String(), from, to)
	if err != nil {
		return err
	}
	words := interner{}
	var (
		cust     int64
		currency sql.RawBytes
		late     sql.NullInt64
		sums     engine.CustomerSums
	)
	for rows.Next() {
		if err := rows.Scan(&cust, &currency, &sums.OpenInvoices, &sums.OpenMinor, &late); err != nil {
			rows.Close()
			return err
		}
		sums.LateInvoices12M = int(late.Int64)
		cs.AddSums(cust, words.get(currency), sums)
	}
	if err := rows.Close(); err != nil {
		return err
	}
	return s.customerStatsRowsWhere(ctx, cs, from, to, " AND balance_minor <= 0 AND last_paid_at IS NOT NULL")
}

// customerStatsRows adds the aggregates of the customers from from to to
// (ids, inclusive) to cs invoice by invoice, each payment instant turned
// into a day in Go.
func (s *Store) customerStatsRows(ctx context.Context, cs *engine.CustomerStats, from, to int64) error {
	return s.customerStatsRowsWhere(ctx, cs, from, to, "")
}

// customerStatsRowsWhere is customerStatsRows over the invoices that also
// match and (" AND …").
func (s *Store) customerStatsRowsWhere(ctx context.Context, cs *engine.CustomerStats, from, to int64, and string) error {
	q := s.rebind("SELECT customer_id, currency, balance_minor, due_date, " + s.instant("last_paid_at") + " FROM invoices WHERE customer_id BETWEEN ? AND ?" + and)
	args := []any{from, to}
	rows, err := s.scanDB.QueryContext(ctx, q, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	words := interner{}
	var (
		cust, balance int64
		currency      sql.RawBytes
		due           calendar.Date
		last          dbTime
	)
	for rows.Next() {
		last = dbTime{}
		if err := rows.Scan(&cust, &currency, &balance, &due, &last); err != nil {
			return err
		}
		cs.Add(cust, words.get(currency), balance, due, last.Time)
	}
	return rows.Err()
}
