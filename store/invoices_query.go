package store

import (
	"context"
	"database/sql"
	"encoding/base64"
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/recoup/recoup/calendar"
	"github.com/recoup/recoup/engine"
)

// Viewer is who reads: the rows a query returns are cut to what the
// viewer's role may see (see Viewer.invoiceScope and Viewer.taskScope).
type Viewer struct {
	UserID int64
	Role   string
	Team   string
}

// Roles.
const (
	RoleAdmin           = "admin"
	RoleSalesRep        = "sales_rep"
	RoleSalesManager    = "sales_manager"
	RoleFinance         = "finance"
	RoleFinanceDirector = "finance_director"
)

// invoiceOwner is the owner of invoice i. The import gives every invoice
// its customer's owner unless the file names another, so the column alone
// decides (and its index serves a rep's list).
const invoiceOwner = "i.owner_id"

// invoiceScope returns the SQL condition (on invoices i joined to customers
// c) for the invoices v may see: a rep its own, a manager its team's,
// everyone else all of them.
func (v Viewer) invoiceScope() (string, []any) {
	switch v.Role {
	case RoleSalesRep:
		return invoiceOwner + " = ?", []any{v.UserID}
	case RoleSalesManager:
		return invoiceOwner + " IN (SELECT tm.id FROM users tm WHERE tm.team = ? AND tm.team <> '')", []any{v.Team}
	case RoleAdmin, RoleFinance, RoleFinanceDirector:
		return "1 = 1", nil
	}
	return "1 = 0", nil
}

// taskScope returns the SQL condition (on tasks t) for the tasks v may see:
// a rep those assigned to it; a manager its own, its team's and its team's
// manager tasks; finance its own and finance tasks; the director its own,
// director tasks and approvals; an admin all.
func (v Viewer) taskScope() (string, []any) {
	switch v.Role {
	case RoleSalesRep:
		return "t.assignee_id = ?", []any{v.UserID}
	case RoleSalesManager:
		return `(t.assignee_id = ? OR t.assignee_id IN (SELECT tm.id FROM users tm WHERE tm.team = ? AND tm.team <> '')
			OR (t.assignee_id IS NULL AND t.role = 'sales_manager' AND t.invoice_id IN
				(SELECT ti.id FROM invoices ti WHERE ti.owner_id IN (SELECT tm.id FROM users tm WHERE tm.team = ? AND tm.team <> ''))))`,
			[]any{v.UserID, v.Team, v.Team}
	case RoleFinance:
		return "(t.assignee_id = ? OR t.role = 'finance')", []any{v.UserID}
	case RoleFinanceDirector:
		return "(t.assignee_id = ? OR t.role = 'finance_director' OR t.kind = 'approval')", []any{v.UserID}
	case RoleAdmin:
		return "1 = 1", nil
	}
	return "1 = 0", nil
}

// InvoiceSummary is an invoice as lists show it.
type InvoiceSummary struct {
	Number       string        `json:"number"`
	Customer     string        `json:"customer"`
	CustomerName string        `json:"customer_name"`
	Currency     string        `json:"currency"`
	AmountMinor  int64         `json:"amount_minor"`
	BalanceMinor int64         `json:"balance_minor"`
	IssueDate    calendar.Date `json:"issue_date"`
	DueDate      calendar.Date `json:"due_date"`
	DaysOverdue  int           `json:"days_overdue"`
	Status       string        `json:"status"`
	Risk         string        `json:"risk"`
	Owner        string        `json:"owner,omitempty"`
	Disputed     bool          `json:"disputed"`
}

// Aging buckets by days overdue.
var AgingBuckets = []string{"current", "1-30", "31-60", "61-90", "90+"}

// InvoiceFilter selects invoices; zero fields do not filter.
type InvoiceFilter struct {
	Status   string
	Aging    string // one of AgingBuckets; only invoices with a balance
	Owner    string // owner email
	Risk     string // customer risk
	Customer string // customer external id
	Currency string // ISO 4217 code
	// Search matches the invoices whose number starts with it and those of
	// the customers whose name or external id contains it, in any case
	// (see invoiceSearch); blank does not filter.
	Search string
	// OverdueMin and OverdueMax bound the days overdue (inclusive) when
	// set; only invoices with a balance.
	OverdueMin, OverdueMax *int
	Today                  calendar.Date // the company's today, for aging
	Cursor                 string        // from the previous page's NextCursor
	Limit                  int           // default 50, at most 500
}

// InvoicePage is one page of invoices.
type InvoicePage struct {
	Items      []InvoiceSummary `json:"items"`
	NextCursor string           `json:"next_cursor,omitempty"`
}

// ErrInvalidCursor is returned for a cursor this server did not issue.
var ErrInvalidCursor = errors.New("invalid cursor")

func encodeCursor(id int64) string {
	return base64.RawURLEncoding.EncodeToString([]byte("i" + strconv.FormatInt(id, 10)))
}

// conds appends AND conditions and their arguments to a query being built.
type conds struct {
	q    *string
	args *[]any
}

func (c conds) and(cond string, a ...any) {
	*c.q += " AND " + cond
	*c.args = append(*c.args, a...)
}

func decodeCursor(c string) (int64, error) {
	b, err := base64.RawURLEncoding.DecodeString(c)
	if err != nil || len(b) < 2 || b[0] != 'i' {
		return 0, ErrInvalidCursor
	}
	id, err := strconv.ParseInt(string(b[1:]), 10, 64)
	if err != nil || id < 0 {
		return 0, ErrInvalidCursor
	}
	return id, nil
}

// Invoices lists the invoices v may see that match f, by id, one page at a
// time (keyset pagination: stable while rows are added).
func (s *Store) Invoices(ctx context.Context, v Viewer, f InvoiceFilter) (InvoicePage, error) {
	// One connection for the search's customers, the plan's counts and
	// the query: each trip to the pool may close a connection (and its
	// page cache) or open one.
	conn, err := s.sqlDB.Conn(ctx)
	if err != nil {
		return InvoicePage{}, err
	}
	defer conn.Close()
	search, err := s.invoiceSearch(ctx, conn, f.Search)
	if err != nil {
		return InvoicePage{}, err
	}
	q, err := f.query(v, search)
	if err != nil {
		return InvoicePage{}, err
	}
	join := "JOIN"
	from := "FROM invoices i"
	var fromArgs []any
	if q.risk != "" {
		from += " JOIN customers c ON c.id = i.customer_id"
	}
	if s.dialect == SQLite {
		// CROSS JOIN is SQLite's way to fix the order of the loops.
		join = "CROSS JOIN"
		if from, fromArgs, err = invoicePlan(ctx, conn, q); err != nil {
			return InvoicePage{}, err
		}
	}
	if f.Limit <= 0 {
		f.Limit = 50
	}
	f.Limit = min(f.Limit, 500)
	// The page's ids first, then their rows: a plan that sorts its matches
	// sorts ids, not whole rows joined to their customer and owner. And
	// u.email, not COALESCE(u.email, ''): see nullString.
	sqlText := `SELECT i.id, i.number, c.external_id, c.name, i.currency, i.amount_minor, i.balance_minor, i.issue_date, i.due_date,
		i.status, c.risk, u.email, i.disputed
		FROM (SELECT i.id ` + from + " WHERE " + q.where + ` ORDER BY i.id LIMIT ?) p
		` + join + ` invoices i ON i.id = p.id ` + join + ` customers c ON c.id = i.customer_id LEFT JOIN users u ON u.id = i.owner_id
		ORDER BY i.id`
	rows, err := conn.QueryContext(ctx, s.rebind(sqlText), slices.Concat(fromArgs, q.args, []any{f.Limit + 1})...)
	if err != nil {
		return InvoicePage{}, err
	}
	defer rows.Close()
	page := InvoicePage{Items: []InvoiceSummary{}}
	var lastID int64
	for rows.Next() {
		if len(page.Items) == f.Limit {
			page.NextCursor = encodeCursor(lastID)
			break
		}
		var in InvoiceSummary
		var owner nullString
		if err := rows.Scan(&lastID, &in.Number, &in.Customer, &in.CustomerName, &in.Currency, &in.AmountMinor, &in.BalanceMinor,
			&in.IssueDate, &in.DueDate, &in.Status, &in.Risk, &owner, &in.Disputed); err != nil {
			return InvoicePage{}, err
		}
		in.Owner = string(owner)
		if d := f.Today.DaysSince(in.DueDate); d > 0 && in.BalanceMinor > 0 {
			in.DaysOverdue = d
		}
		page.Items = append(page.Items, in)
	}
	return page, rows.Err()
}

// invoiceQuery is the WHERE clause of an invoice list (on invoices i, and
// customers c for a risk) with what choosing its plan needs to know.
type invoiceQuery struct {
	where string
	args  []any

	after     int64          // the cursor's id; 0 for the first page
	owned     bool           // one owner: a rep's scope or the owner filter
	status    bool           // an i.status filter
	statusArg string         // its value
	customer  bool           // an i.customer_id filter
	risk      string         // a c.risk filter
	currency  string         // an i.currency filter
	search    *invoiceSearch // a search
	// due: only invoices with a balance, due after dueFrom and on or
	// before dueUntil (when set); dueArgs are the two dates.
	due               bool
	dueFrom, dueUntil *calendar.Date
	dueArgs           []any
}

// query translates f, seen by v, into SQL conditions. An aging bucket and
// an overdue range are both due_date ranges (days overdue d ≥ n ⇔ due_date
// ≤ today − n, today being the company's), on invoices with a balance.
// Owner and customer are looked up by their unique keys in subqueries, so
// that the conditions are on the invoice's own indexed columns; a search
// is search's condition (its customers found beforehand).
func (f InvoiceFilter) query(v Viewer, search *invoiceSearch) (invoiceQuery, error) {
	scope, args := v.invoiceScope()
	if f.Owner != "" {
		// The owner, if the viewer may see its invoices: a rep only
		// itself, a manager its team. That implies the scope, and an owner
		// outside it matches nothing at once, instead of after a walk
		// through all the viewer's invoices.
		owner, ownerArgs := "i.owner_id = (SELECT fu.id FROM users fu WHERE fu.email = ?", []any{normEmail(f.Owner)}
		switch v.Role {
		case RoleSalesRep:
			scope, args = owner+" AND fu.id = ?)", append(ownerArgs, v.UserID)
		case RoleSalesManager:
			scope, args = owner+" AND fu.team = ? AND fu.team <> '')", append(ownerArgs, v.Team)
		default:
			scope, args = scope+" AND "+owner+")", append(args, ownerArgs...)
		}
	}
	q := invoiceQuery{where: scope, args: args, owned: v.Role == RoleSalesRep || f.Owner != ""}
	add := conds{&q.where, &q.args}.and
	if f.Cursor != "" {
		after, err := decodeCursor(f.Cursor)
		if err != nil {
			return q, err
		}
		q.after = after
		add("i.id > ?", after)
	}
	if f.Status != "" {
		q.status, q.statusArg = true, f.Status
		add("i.status = ?", f.Status)
	}
	if f.Risk != "" {
		q.risk = f.Risk
		add("c.risk = ?", f.Risk)
	}
	if f.Customer != "" {
		q.customer = true
		add("i.customer_id = (SELECT fc.id FROM customers fc WHERE fc.external_id = ?)", f.Customer)
	}
	if f.Currency != "" {
		q.currency = f.Currency
		add("i.currency = ?", f.Currency)
	}
	if search != nil {
		q.search = search
		cond, args := search.cond()
		add(cond, args...)
	}
	from := func(n int) {
		d := f.Today.AddDays(-n)
		if q.dueFrom == nil || d.After(*q.dueFrom) {
			q.dueFrom = &d
		}
	}
	until := func(n int) {
		d := f.Today.AddDays(-n)
		if q.dueUntil == nil || q.dueUntil.After(d) {
			q.dueUntil = &d
		}
	}
	switch f.Aging {
	case "":
	case "current":
		from(1)
	case "1-30":
		until(1)
		from(31)
	case "31-60":
		until(31)
		from(61)
	case "61-90":
		until(61)
		from(91)
	case "90+":
		until(91)
	default:
		return q, fmt.Errorf("aging bucket %q: want one of %s", f.Aging, strings.Join(AgingBuckets, ", "))
	}
	if f.OverdueMin != nil {
		until(*f.OverdueMin)
	}
	if f.OverdueMax != nil {
		from(*f.OverdueMax + 1)
	}
	if f.Aging != "" || f.OverdueMin != nil || f.OverdueMax != nil {
		q.due = true
		if q.dueFrom != nil {
			q.dueArgs = append(q.dueArgs, q.dueFrom.String())
		}
		if q.dueUntil != nil {
			q.dueArgs = append(q.dueArgs, q.dueUntil.String())
		}
		add("i.balance_minor > 0"+q.dueConds(), q.dueArgs...)
	}
	return q, nil
}

// invoicePlan returns the FROM clause of the query of a page's ids on
// SQLite, which fixes its plan. SQLite has no statistics here (nothing runs
// ANALYZE), so its planner cannot tell a filter that matches half of the
// invoices from one that matches a hundred, and it guessed badly: it
// sorted every high-risk customer's invoices to show the first 50. Two
// kinds of plan serve a page in id order:
//
//   - walk invoices in id order (the primary key, or an index on an
//     equality filter, (status) or (owner_id[, status]), whose entries are
//     in id order within a value) and test the other conditions on each
//     row until the page is full: cheap when matches are common;
//   - collect every invoice matching a rare condition (a customer, a due
//     date range, with a status or not, a customer risk, a currency, with a
//     status or not, a search) through its index, then sort the matches by
//     id: cheap when they are few.
//
// A rare condition is one matching fewer than rareMatches(n) invoices out
// of n (a customer risk: riskRareFactor times more), which a count through
// its index, stopped there, tells. The bound balances the two costs:
// walking examines about 50·n/m rows for m matches, collecting m index
// entries.
//
// The FROM clause comes with its arguments (a search's), which go before
// the WHERE clause's.
func invoicePlan(ctx context.Context, conn *sql.Conn, q invoiceQuery) (string, []any, error) {
	walk := func(index string) string {
		from := "FROM invoices i " + index
		if q.risk != "" {
			from += " CROSS JOIN customers c ON c.id = i.customer_id"
		}
		return from
	}
	if q.customer {
		return walk("INDEXED BY invoices_customer_list"), nil, nil
	}
	if q.risk != "" || q.due || q.currency != "" || q.search != nil {
		var n, customers int64
		if err := conn.QueryRowContext(ctx, `SELECT COALESCE((SELECT MAX(id) FROM invoices), 0),
			COALESCE((SELECT MAX(id) FROM customers), 0)`).Scan(&n, &customers); err != nil {
			return "", nil, err
		}
		limit := rareMatches(n)
		plan, best := "", -1 // a collecting plan and its matches
		var planArgs []any
		if q.due {
			// With a status, the due dates of that status: a status and a
			// range that exclude each other (paid and overdue) are rare.
			index, cond, args := "invoices_open_due", "", slices.Clone(q.dueArgs)
			if q.status {
				index, cond, args = "invoices_open_status_due", " AND i.status = ?", append([]any{q.statusArg}, args...)
			}
			m, err := countUpTo(ctx, conn, "SELECT 1 FROM invoices i INDEXED BY "+index+" WHERE i.balance_minor > 0"+cond+
				q.dueConds()+" AND i.id > ?", append(args, q.after), limit)
			if err != nil {
				return "", nil, err
			}
			if m < limit {
				plan, best = walk("INDEXED BY "+index), m
			}
		}
		if q.risk != "" && n > 0 && customers > 0 {
			// Customers are counted (cheaper than their invoices), their
			// invoices estimated at the average per customer. Walking
			// tests each invoice's customer, which costs more than testing
			// a due date: the bar is higher.
			perCustomer, bar := float64(n)/float64(customers), riskRareFactor*limit
			c, err := countUpTo(ctx, conn, "SELECT 1 FROM customers INDEXED BY customers_risk WHERE risk = ?", []any{q.risk},
				int(float64(bar)/perCustomer)+1)
			if err != nil {
				return "", nil, err
			}
			if m := int(float64(c) * perCustomer); m < bar && (best < 0 || m < best) {
				plan, best, planArgs = `FROM customers c INDEXED BY customers_risk CROSS JOIN invoices i INDEXED BY invoices_customer_list ON i.customer_id = c.id`, m, nil
			}
		}
		if q.currency != "" {
			// A currency, with the status when there is one (a currency
			// no invoice has, or a rare status in a common currency).
			cond, args := "i.currency = ?", []any{q.currency}
			if q.status {
				cond, args = cond+" AND i.status = ?", append(args, q.statusArg)
			}
			m, err := countUpTo(ctx, conn, "SELECT 1 FROM invoices i INDEXED BY invoices_currency_status WHERE "+cond+" AND i.id > ?",
				append(args, q.after), limit)
			if err != nil {
				return "", nil, err
			}
			if m < limit && (best < 0 || m < best) {
				plan, best, planArgs = walk("INDEXED BY invoices_currency_status"), m, nil
			}
		}
		if q.search != nil {
			// The numbers in the search's range and the invoices of its
			// customers, each through its index; a search that matches
			// many customers (so many invoices) is walked.
			matches, args := q.search.matches(q.after)
			if matches != "" {
				m, err := countUpTo(ctx, conn, matches, args, limit)
				if err != nil {
					return "", nil, err
				}
				if m < limit && (best < 0 || m < best) {
					plan, planArgs = "FROM ("+matches+") m CROSS JOIN invoices i ON i.id = m.id", args
					if q.risk != "" {
						plan += " CROSS JOIN customers c ON c.id = i.customer_id"
					}
				}
			}
		}
		if plan != "" {
			return plan, planArgs, nil
		}
	}
	switch {
	case q.owned && q.status:
		return walk("INDEXED BY invoices_owner_status"), nil, nil
	case q.owned:
		return walk("INDEXED BY invoices_owner"), nil, nil
	case q.status:
		return walk("INDEXED BY invoices_status"), nil, nil
	}
	return walk("NOT INDEXED"), nil, nil
}

// dueConds are the due date conditions of q, after i.balance_minor > 0.
func (q invoiceQuery) dueConds() string {
	c := ""
	if q.dueFrom != nil {
		c += " AND i.due_date > ?"
	}
	if q.dueUntil != nil {
		c += " AND i.due_date <= ?"
	}
	return c
}

// rareMatches is how many matches out of n invoices make a condition rare
// enough to collect and sort rather than walk past: √(64·n), at least 500.
// (A variable for tests, which try both plans.)
var rareMatches = func(n int64) int {
	return max(500, int(math.Sqrt(64*float64(n))))
}

// riskRareFactor raises the bar of rareMatches for a customer risk.
const riskRareFactor = 4

// countUpTo counts the rows of query, stopping at limit.
func countUpTo(ctx context.Context, conn *sql.Conn, query string, args []any, limit int) (int, error) {
	var n int
	err := conn.QueryRowContext(ctx, "SELECT COUNT(*) FROM ("+query+" LIMIT ?)", append(args, limit)...).Scan(&n)
	return n, err
}

// CanSeeInvoice reports whether v may see the invoice numbered number;
// ErrNotFound when there is no such invoice.
func (s *Store) CanSeeInvoice(ctx context.Context, v Viewer, number string) (bool, error) {
	scope, args := v.invoiceScope()
	var visible bool
	err := s.sqlDB.QueryRowContext(ctx, s.rebind(`SELECT CASE WHEN `+scope+` THEN 1 ELSE 0 END = 1
		FROM invoices i JOIN customers c ON c.id = i.customer_id WHERE i.number = ?`), append(args, number)...).Scan(&visible)
	if errors.Is(err, sql.ErrNoRows) {
		return false, fmt.Errorf("invoice %q: %w", number, ErrNotFound)
	}
	return visible, err
}

// A note on SQLite and text: the driver (with libtnb/sqlite's
// _texttotime) tries to parse every text value of a column without a
// declared type (COALESCE(x, ''), x || '') as a time, through eight
// layouts that each allocate an error. Hot queries therefore select plain
// columns, NULLs included, into nullString.

// nullString scans a text column, NULL as "".
type nullString string

// Scan implements sql.Scanner.
func (n *nullString) Scan(src any) error {
	switch v := src.(type) {
	case nil:
		*n = ""
	case string:
		*n = nullString(v)
	case []byte:
		*n = nullString(v)
	default:
		return fmt.Errorf("text: cannot scan %T", src)
	}
	return nil
}

// instant selects the timestamp column col for dbTime. SQLite's driver
// turns timestamp text into a time.Time by trying a t.String() layout
// first, which fails and allocates an error for every value (most of an
// inbox page's time); it leaves a blob alone, and dbTime parses it with
// the layout it was written in first.
func (s *Store) instant(col string) string {
	if s.dialect == SQLite {
		return "CAST(" + col + " AS BLOB)"
	}
	return col
}

// dbTime scans a timestamp that is a time.Time (PostgreSQL) or its SQLite
// text, parsed with the driver's layouts (modernc.org/sqlite's
// parseTimeFormats, then t.String()'s), so that both give the same instant.
type dbTime sql.NullTime

var dbTimeLayouts = []string{
	"2006-01-02 15:04:05.999999999-07:00",
	"2006-01-02T15:04:05.999999999-07:00",
	"2006-01-02 15:04:05.999999999",
	"2006-01-02T15:04:05.999999999",
	"2006-01-02 15:04",
	"2006-01-02T15:04",
	"2006-01-02",
}

// Scan implements sql.Scanner.
func (t *dbTime) Scan(src any) error {
	switch v := src.(type) {
	case nil:
		*t = dbTime{}
		return nil
	case time.Time:
		*t = dbTime{Time: v, Valid: true}
		return nil
	case []byte:
		if v, ok := parseInstant(v); ok { // the form this store writes, without a copy
			*t = dbTime{Time: v, Valid: true}
			return nil
		}
		return t.parse(string(v))
	case string:
		return t.parse(v)
	}
	return fmt.Errorf("timestamp: cannot scan %T", src)
}

// parseInstant reads "YYYY-MM-DD HH:MM:SS[.fraction]±HH:MM" (the driver's
// first layout, which this store writes, always in UTC) without
// time.Parse; ok is false for anything else.
func parseInstant[T string | []byte](s T) (time.Time, bool) {
	n := len(s)
	if n < 25 || s[4] != '-' || s[7] != '-' || s[10] != ' ' || s[13] != ':' || s[16] != ':' || s[n-3] != ':' || (s[n-6] != '+' && s[n-6] != '-') {
		return time.Time{}, false
	}
	num := func(i, j int) (int, bool) {
		v := 0
		for ; i < j; i++ {
			c := s[i]
			if c < '0' || c > '9' {
				return 0, false
			}
			v = v*10 + int(c-'0')
		}
		return v, true
	}
	y, ok1 := num(0, 4)
	mo, ok2 := num(5, 7)
	d, ok3 := num(8, 10)
	h, ok4 := num(11, 13)
	mi, ok5 := num(14, 16)
	sec, ok6 := num(17, 19)
	oh, ok7 := num(n-5, n-3)
	om, ok8 := num(n-2, n)
	if !(ok1 && ok2 && ok3 && ok4 && ok5 && ok6 && ok7 && ok8) || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 59 {
		return time.Time{}, false
	}
	nsec := 0
	if frac := n - 6 - 19; frac > 0 {
		if s[19] != '.' || frac < 2 || frac > 10 {
			return time.Time{}, false
		}
		f, ok := num(20, n-6)
		if !ok {
			return time.Time{}, false
		}
		for range 10 - frac {
			f *= 10
		}
		nsec = f
	} else if frac < 0 {
		return time.Time{}, false
	}
	t := time.Date(y, time.Month(mo), d, h, mi, sec, nsec, time.UTC)
	if t.Day() != d { // 31 February and the like
		return time.Time{}, false
	}
	off := oh*3600 + om*60
	if s[n-6] == '-' {
		off = -off
	}
	t = t.Add(-time.Duration(off) * time.Second)
	// In the location time.Parse (so the driver) would give it: Local if
	// Local has that offset then, else a fixed zone.
	if _, local := t.In(time.Local).Zone(); local == off {
		return t.In(time.Local), true
	}
	return t.In(fixedZone(off)), true
}

var fixedZones sync.Map // offset in seconds → *time.Location

func fixedZone(off int) *time.Location {
	if z, ok := fixedZones.Load(off); ok {
		return z.(*time.Location)
	}
	z, _ := fixedZones.LoadOrStore(off, time.FixedZone("", off))
	return z.(*time.Location)
}

func (t *dbTime) parse(s string) error {
	if v, ok := parseInstant(s); ok {
		*t = dbTime{Time: v, Valid: true}
		return nil
	}
	ts, _ := strings.CutSuffix(s, "Z")
	for _, layout := range dbTimeLayouts {
		if v, err := time.Parse(layout, ts); err == nil {
			*t = dbTime{Time: v, Valid: true}
			return nil
		}
	}
	// time.Time.String(), with or without its monotonic reading.
	if i := strings.Index(s, " m="); i > 0 {
		s = s[:i]
	}
	v, err := time.Parse("2006-01-02 15:04:05.999999999 -0700 MST", strings.TrimSpace(s))
	if err != nil {
		return fmt.Errorf("timestamp %q: unknown layout", s)
	}
	*t = dbTime{Time: v, Valid: true}
	return nil
}

// ErrHidden is returned when a row exists but the viewer may not see it.
var ErrHidden = errors.New("not visible to this user")

// PaymentIn is a payment reported by a bank or payment provider.
type PaymentIn struct {
	Reference string
	Invoice   string // invoice number
	// Invoices, instead of Invoice, names several invoices of one customer:
	// the payment settles them in that order (recorded on the first, what
	// exceeds it applied to the next). Customer, instead of both, names
	// the customer (external id) only: the company's cash application
	// policy picks the invoices, oldest first.
	Invoices    []string
	Customer    string
	AmountMinor int64
	Currency    string
	PaidAt      time.Time
	Actor       string // who recorded it: the token's or session's user ("api" when empty)
	RequestID   string // the HTTP request's id, for the audit log
}

// ActionPaymentReceived is the audit action of a recorded payment.
const ActionPaymentReceived = "payment.received"

// PaymentOut is what recording a payment did.
type PaymentOut struct {
	Reference      string    `json:"reference"`
	Invoice        string    `json:"invoice"`
	AmountMinor    int64     `json:"amount_minor"`
	Currency       string    `json:"currency"`
	PaidAt         time.Time `json:"paid_at"`
	BalanceMinor   int64     `json:"balance_minor"`
	Status         string    `json:"invoice_status"`
	Duplicate      bool      `json:"duplicate"`       // the reference was already recorded with these values
	AppliedMinor   int64     `json:"applied_minor"`   // the part that settled the invoice
	UnappliedMinor int64     `json:"unapplied_minor"` // the rest: credit on the customer
	InvoiceID      int64     `json:"-"`
	CustomerID     int64     `json:"-"`
}

// ErrCurrencyMismatch is returned for a payment in another currency than
// its invoice.
var ErrCurrencyMismatch = errors.New("currency differs from the invoice's")

// PaymentError is a payment refused for what it says (engine.CheckPayment):
// every problem, by field. It matches ErrInvalid.
type PaymentError struct {
	Reference string
	Problems  []engine.PaymentProblem
}

func (e *PaymentError) Error() string {
	msgs := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		msgs[i] = p.Field + " " + p.Message
	}
	return fmt.Sprintf("payment %q: %s", e.Reference, strings.Join(msgs, "; "))
}

// Is makes a PaymentError an ErrInvalid.
func (e *PaymentError) Is(target error) bool { return target == ErrInvalid }

// RecordPayment records a payment idempotently by reference, normalised
// (engine.PaymentKey: "bank-1" and " BANK-1 " are one payment): the same
// reference with the same invoice, amount and currency again is a duplicate
// (nothing written); with other values, ErrConflict. A payment that
// engine.CheckPayment refuses (amount, currency, paid_at against the invoice
// and now) is a *PaymentError and nothing is written. The invoice's paid
// amount, balance and status are recomputed in the same transaction; what
// the payment pays beyond the balance becomes unapplied credit on the
// customer, never a negative balance.
func (s *Store) RecordPayment(ctx context.Context, p PaymentIn, now time.Time) (PaymentOut, error) {
	out := PaymentOut{Reference: p.Reference, Invoice: p.Invoice, AmountMinor: p.AmountMinor, Currency: p.Currency, PaidAt: p.PaidAt.UTC()}
	company, err := s.Company(ctx)
	if err != nil && !errors.Is(err, ErrNotFound) {
		return out, err
	}
	loc, err := time.LoadLocation(company.TimeZone)
	if err != nil {
		loc = time.UTC
	}
	b, err := s.BeginBulk(ctx, now)
	if err != nil {
		return out, err
	}
	defer b.Rollback()
	applyTo, err := b.paymentTargets(ctx, &p)
	if err != nil {
		return out, err
	}
	out.Invoice = p.Invoice
	// The invoice's row is locked first, so that concurrent deliveries of
	// one payment are serialised: the second sees the first's row and is a
	// duplicate. (SQLite's BEGIN IMMEDIATE already serialises writers.)
	lock := ""
	if s.dialect == Postgres {
		lock = " FOR UPDATE"
	}
	var (
		currency string
		issue    calendar.Date
		before   struct {
			balance int64
			status  string
		}
		audit *AuditRecord
	)
	err = b.tx.QueryRowContext(ctx, s.rebind("SELECT id, customer_id, currency, issue_date, balance_minor, status FROM invoices WHERE number = ?"+lock), p.Invoice).
		Scan(&out.InvoiceID, &out.CustomerID, &currency, &issue, &before.balance, &before.status)
	if errors.Is(err, sql.ErrNoRows) {
		return out, fmt.Errorf("invoice %q: %w", p.Invoice, ErrNotFound)
	}
	if err != nil {
		return out, err
	}
	if probs := engine.CheckPayment(engine.PaymentCheck{AmountMinor: p.AmountMinor, Currency: p.Currency, PaidAt: p.PaidAt,
		Reference: p.Reference, InvoiceCurrency: currency, IssueDate: issue, Now: now, Location: loc}); len(probs) > 0 {
		return out, &PaymentError{Reference: p.Reference, Problems: probs}
	}
	key := engine.PaymentKey(p.Reference)
	var (
		paymentID, exInvoice, exAmount int64
		exCurrency, exReference        string
		exPaidAt                       time.Time
	)
	err = b.tx.QueryRowContext(ctx, s.rebind("SELECT id, reference, invoice_id, amount_minor, currency, paid_at FROM payments WHERE reference_key = ?"), key).
		Scan(&paymentID, &exReference, &exInvoice, &exAmount, &exCurrency, &exPaidAt)
	switch {
	case err == nil:
		if exInvoice != out.InvoiceID || exAmount != p.AmountMinor || exCurrency != p.Currency {
			return out, fmt.Errorf("payment %q is already recorded with another invoice, amount or currency: %w", p.Reference, ErrConflict)
		}
		// The answer names the payment as first recorded.
		out.Duplicate, out.PaidAt, out.Reference = true, exPaidAt.UTC(), exReference
	case errors.Is(err, sql.ErrNoRows):
		if err := b.UpsertPayments(ctx, []PaymentRow{{Reference: p.Reference, InvoiceID: out.InvoiceID, AmountMinor: p.AmountMinor, Currency: p.Currency, PaidAt: p.PaidAt, ApplyTo: applyTo}}, nil); err != nil {
			return out, err
		}
		if err := b.tx.QueryRowContext(ctx, s.rebind("SELECT id FROM payments WHERE reference_key = ?"), key).Scan(&paymentID); err != nil {
			return out, err
		}
		actor := p.Actor
		if actor == "" {
			actor = "api"
		}
		audit = &AuditRecord{At: now, Actor: actor, Action: ActionPaymentReceived, Entity: "payment", EntityID: paymentID, InvoiceID: out.InvoiceID,
			Detail: map[string]any{"reference": p.Reference, "amount_minor": p.AmountMinor, "currency": p.Currency, "paid_at": p.PaidAt.UTC()}, RequestID: p.RequestID}
	default:
		return out, err
	}
	if err := b.tx.QueryRowContext(ctx, s.rebind("SELECT applied_minor FROM payments WHERE reference_key = ?"), key).Scan(&out.AppliedMinor); err != nil {
		return out, err
	}
	out.UnappliedMinor = out.AmountMinor - out.AppliedMinor
	if err := b.tx.QueryRowContext(ctx, s.rebind("SELECT balance_minor, status FROM invoices WHERE id = ?"), out.InvoiceID).Scan(&out.BalanceMinor, &out.Status); err != nil {
		return out, err
	}
	if audit != nil {
		audit.Before = map[string]any{"balance_minor": before.balance, "status": before.status}
		audit.After = map[string]any{"balance_minor": out.BalanceMinor, "status": out.Status}
		if err := s.appendAudit(ctx, b.tx, *audit); err != nil {
			return out, err
		}
	}
	return out, b.Commit()
}

// PaymentSummary is a payment as lists show it.
type PaymentSummary struct {
	Reference   string    `json:"reference"`
	Invoice     string    `json:"invoice"`
	Customer    string    `json:"customer"`
	AmountMinor int64     `json:"amount_minor"`
	Currency    string    `json:"currency"`
	PaidAt      time.Time `json:"paid_at"`
}

// PaymentFilter selects payments; zero fields do not filter.
type PaymentFilter struct {
	Invoice, Customer string
	From, To          time.Time // paid at or after From, before To
	Cursor            string
	Limit             int // default 50, at most 500
}

// PaymentPage is one page of payments.
type PaymentPage struct {
	Items      []PaymentSummary `json:"items"`
	NextCursor string           `json:"next_cursor,omitempty"`
}

// Payments lists the payments of the invoices v may see, newest first.
func (s *Store) Payments(ctx context.Context, v Viewer, f PaymentFilter) (PaymentPage, error) {
	scope, args := v.invoiceScope()
	q := `SELECT p.id, p.reference, i.number, c.external_id, p.amount_minor, p.currency, p.paid_at
		FROM payments p JOIN invoices i ON i.id = p.invoice_id JOIN customers c ON c.id = i.customer_id WHERE ` + scope
	add := conds{&q, &args}.and
	if f.Cursor != "" {
		before, err := decodeCursor(f.Cursor)
		if err != nil {
			return PaymentPage{}, err
		}
		add("p.id < ?", before)
	}
	if f.Invoice != "" {
		add("i.number = ?", f.Invoice)
	}
	if f.Customer != "" {
		add("c.external_id = ?", f.Customer)
	}
	if !f.From.IsZero() {
		add("p.paid_at >= ?", f.From.UTC())
	}
	if !f.To.IsZero() {
		add("p.paid_at < ?", f.To.UTC())
	}
	if f.Limit <= 0 {
		f.Limit = 50
	}
	f.Limit = min(f.Limit, 500)
	q += " ORDER BY p.id DESC LIMIT ?"
	args = append(args, f.Limit+1)
	rows, err := s.sqlDB.QueryContext(ctx, s.rebind(q), args...)
	if err != nil {
		return PaymentPage{}, err
	}
	defer rows.Close()
	page := PaymentPage{Items: []PaymentSummary{}}
	var lastID int64
	for rows.Next() {
		if len(page.Items) == f.Limit {
			page.NextCursor = encodeCursor(lastID)
			break
		}
		var p PaymentSummary
		if err := rows.Scan(&lastID, &p.Reference, &p.Invoice, &p.Customer, &p.AmountMinor, &p.Currency, &p.PaidAt); err != nil {
			return PaymentPage{}, err
		}
		page.Items = append(page.Items, p)
	}
	return page, rows.Err()
}
