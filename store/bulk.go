package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"github.com/recoup/recoup/calendar"
	"github.com/recoup/recoup/engine"
)

// BulkTx is one write transaction for bulk loads (imports, demo data). All of
// a file goes through one BulkTx, so a rejected file leaves nothing behind.
type BulkTx struct {
	s      *Store
	tx     *sql.Tx
	now    time.Time
	stmts  map[string]*sql.Stmt // prepared statements by query
	loc    *time.Location       // the company's zone, once read (location)
	policy string               // the company's cash application policy, once read (cashPolicy)
}

// BeginBulk starts a write transaction. On SQLite it takes the write lock at
// once (BEGIN IMMEDIATE).
func (s *Store) BeginBulk(ctx context.Context, now time.Time) (*BulkTx, error) {
	tx, err := s.sqlDB.BeginTx(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("begin: %w", err)
	}
	return &BulkTx{s: s, tx: tx, now: now.UTC()}, nil
}

// Commit commits the transaction.
func (b *BulkTx) Commit() error {
	b.closeStmts()
	return b.tx.Commit()
}

// Rollback abandons the transaction; it is a no-op after Commit.
func (b *BulkTx) Rollback() error {
	b.closeStmts()
	return b.tx.Rollback()
}

func (b *BulkTx) closeStmts() {
	for k, st := range b.stmts {
		st.Close()
		delete(b.stmts, k)
	}
}

// Existing is what a bulk load needs to know of a row already stored under a
// natural key.
type Existing struct {
	ID        int64
	Hash      int64         // fingerprint of the last imported content
	Currency  string        // invoices: currency; customers: "" (unused)
	PaidMinor int64         // invoices: sum of payments
	OwnerID   int64         // customers and invoices: owner user id, 0 when none
	Parent    int64         // invoices: customer id; payments: invoice id
	IssueDate calendar.Date // invoices: issue date; others: zero
}

// bulkTable describes a natural-keyed table for lookups.
type bulkTable struct {
	name, key string
	cols      string // id, hash, currency, paid, owner, parent, issue date
}

var (
	usersTable     = bulkTable{"users", "email", "id, import_hash, '', 0, 0, 0, NULL"}
	customersTable = bulkTable{"customers", "external_id", "id, import_hash, '', 0, COALESCE(owner_id, 0), 0, NULL"}
	invoicesTable  = bulkTable{"invoices", "number", "id, import_hash, currency, paid_minor, COALESCE(owner_id, 0), customer_id, issue_date"}
	paymentsTable  = bulkTable{"payments", "reference_key", "id, import_hash, currency, 0, 0, invoice_id, NULL"}
)

func (b *BulkTx) lookup(ctx context.Context, t bulkTable, keys []string) (map[string]Existing, error) {
	out := make(map[string]Existing, len(keys))
	if len(keys) == 0 {
		return out, nil
	}
	// One prepared statement per table with a fixed number of keys; a short
	// last chunk is padded by repeating a key, which IN ignores.
	const chunk = 100
	stmt, err := b.prepare(ctx, b.s.rebind(fmt.Sprintf("SELECT %s, %s FROM %s WHERE %s IN (%s)", t.key, t.cols, t.name, t.key, placeholders(chunk))))
	if err != nil {
		return nil, fmt.Errorf("looking up %s: %w", t.name, err)
	}
	args := make([]any, chunk)
	for start := 0; start < len(keys); start += chunk {
		for i := range args {
			args[i] = keys[min(start+i, len(keys)-1)]
			if start+i >= len(keys) {
				args[i] = keys[start]
			}
		}
		rows, err := stmt.QueryContext(ctx, args...)
		if err != nil {
			return nil, fmt.Errorf("looking up %s: %w", t.name, err)
		}
		for rows.Next() {
			var k string
			var e Existing
			if err := rows.Scan(&k, &e.ID, &e.Hash, &e.Currency, &e.PaidMinor, &e.OwnerID, &e.Parent, &e.IssueDate); err != nil {
				rows.Close()
				return nil, err
			}
			out[k] = e
		}
		if err := rows.Close(); err != nil {
			return nil, err
		}
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// Users returns the stored users whose emails are keys.
func (b *BulkTx) Users(ctx context.Context, emails []string) (map[string]Existing, error) {
	return b.lookup(ctx, usersTable, emails)
}

// AllUsers returns every user's id and role by email (users are few).
func (b *BulkTx) AllUsers(ctx context.Context) (map[string]UserRef, error) {
	rows, err := b.tx.QueryContext(ctx, "SELECT email, id, role FROM users")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]UserRef{}
	for rows.Next() {
		var email string
		var u UserRef
		if err := rows.Scan(&email, &u.ID, &u.Role); err != nil {
			return nil, err
		}
		out[email] = u
	}
	return out, rows.Err()
}

// UserRef is a user's id and role.
type UserRef struct {
	ID   int64
	Role string
}

// Customers returns the stored customers whose external ids are keys.
func (b *BulkTx) Customers(ctx context.Context, ids []string) (map[string]Existing, error) {
	return b.lookup(ctx, customersTable, ids)
}

// Invoices returns the stored invoices whose numbers are keys.
func (b *BulkTx) Invoices(ctx context.Context, numbers []string) (map[string]Existing, error) {
	return b.lookup(ctx, invoicesTable, numbers)
}

// Payments returns the stored payments whose reference keys
// (engine.PaymentKey) are keys.
func (b *BulkTx) Payments(ctx context.Context, keys []string) (map[string]Existing, error) {
	return b.lookup(ctx, paymentsTable, keys)
}

func placeholders(n int) string {
	if n == 0 {
		return ""
	}
	return strings.Repeat("?,", n-1) + "?"
}

// upsert writes n rows, each produced by row as the values of cols, with
// multi-row INSERT … ON CONFLICT (key) DO UPDATE SET update.
func (b *BulkTx) upsert(ctx context.Context, table, key string, cols []string, update string, n int, row func(i int, args []any) []any) error {
	// PostgreSQL takes up to 65535 parameters per statement; on SQLite
	// small chunks of a cached prepared statement measured fastest
	// (BenchmarkImportInvoicesSQLite).
	limit := 30000
	if b.s.dialect == SQLite {
		limit = 140
	}
	per := max(1, min(limit/len(cols), n))
	args := make([]any, 0, per*len(cols))
	rowPH := "(" + placeholders(len(cols)) + ")"
	var full string // the statement for a full chunk, built once
	for start := 0; start < n; start += per {
		end := min(start+per, n)
		q := full
		if q == "" || end-start != per {
			var sb strings.Builder
			fmt.Fprintf(&sb, "INSERT INTO %s (%s) VALUES ", table, strings.Join(cols, ", "))
			for i := start; i < end; i++ {
				if i > start {
					sb.WriteByte(',')
				}
				sb.WriteString(rowPH)
			}
			fmt.Fprintf(&sb, " ON CONFLICT (%s) DO UPDATE SET %s", key, update)
			q = b.s.rebind(sb.String())
			if end-start == per {
				full = q
			}
		}
		args = args[:0]
		for i := start; i < end; i++ {
			args = row(i, args)
		}
		var err error
		if q == full {
			var st *sql.Stmt
			if st, err = b.prepare(ctx, q); err == nil {
				_, err = st.ExecContext(ctx, args...)
			}
		} else {
			_, err = b.tx.ExecContext(ctx, q, args...)
		}
		if err != nil {
			return fmt.Errorf("writing %s: %w", table, err)
		}
	}
	return nil
}

// prepare returns q prepared on the transaction, cached until it ends.
func (b *BulkTx) prepare(ctx context.Context, q string) (*sql.Stmt, error) {
	if st, ok := b.stmts[q]; ok {
		return st, nil
	}
	st, err := b.tx.PrepareContext(ctx, q)
	if err != nil {
		return nil, err
	}
	if b.stmts == nil {
		b.stmts = map[string]*sql.Stmt{}
	}
	b.stmts[q] = st
	return st, nil
}

// mergeJSON merges JSON object b into a (b's keys win): imported custom
// fields update, fields rules wrote stay.
func (b *BulkTx) mergeJSON(a, with string) string {
	if b.s.dialect == Postgres {
		return a + " || " + with
	}
	return "json_patch(" + a + ", " + with + ")"
}

// UserRow is a user to insert or update, keyed by Email.
type UserRow struct {
	Email, Name, Role, Team string
	Hash                    int64
}

// UpsertUsers inserts or updates users by email.
func (b *BulkTx) UpsertUsers(ctx context.Context, rows []UserRow) error {
	cols := []string{"email", "name", "role", "team", "import_hash", "created_at", "updated_at"}
	return b.upsert(ctx, "users", "email", cols,
		"name = excluded.name, role = excluded.role, team = excluded.team, import_hash = excluded.import_hash, updated_at = excluded.updated_at",
		len(rows), func(i int, a []any) []any {
			r := rows[i]
			return append(a, r.Email, r.Name, r.Role, r.Team, r.Hash, b.now, b.now)
		})
}

// CustomerRow is a customer to insert or update, keyed by ExternalID.
type CustomerRow struct {
	ExternalID, Name, Email, Phone, FinanceEmail string
	OwnerID                                      int64 // 0: none
	Region, Industry                             string
	CreditLimitMinor                             int64
	CreditCurrency, CreditRating, Risk           string
	Locale, TimeZone                             string
	Hash                                         int64
}

func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

// UpsertCustomers inserts or updates customers by external id.
func (b *BulkTx) UpsertCustomers(ctx context.Context, rows []CustomerRow) error {
	cols := []string{"external_id", "name", "email", "phone", "finance_email", "owner_id", "region", "industry",
		"credit_limit_minor", "credit_currency", "credit_rating", "risk", "locale", "time_zone", "import_hash", "created_at", "updated_at"}
	var set []string
	for _, c := range cols[1:] {
		switch c {
		case "created_at":
		case "risk":
			// A re-import raises a tier but never lowers one: a tier a
			// rule or a person raised stays.
			set = append(set, "risk = CASE WHEN "+riskRank("excluded.risk")+" > "+riskRank("customers.risk")+" THEN excluded.risk ELSE customers.risk END")
		default:
			set = append(set, c+" = excluded."+c)
		}
	}
	return b.upsert(ctx, "customers", "external_id", cols, strings.Join(set, ", "), len(rows), func(i int, a []any) []any {
		r := rows[i]
		return append(a, r.ExternalID, r.Name, r.Email, r.Phone, r.FinanceEmail, nullID(r.OwnerID), r.Region, r.Industry,
			r.CreditLimitMinor, r.CreditCurrency, r.CreditRating, r.Risk, r.Locale, r.TimeZone, r.Hash, b.now, b.now)
	})
}

func riskRank(col string) string {
	return "(CASE " + col + " WHEN 'high' THEN 2 WHEN 'medium' THEN 1 ELSE 0 END)"
}

// InvoiceRow is an invoice to insert or update, keyed by Number.
type InvoiceRow struct {
	Number             string
	CustomerID         int64
	Currency           string
	AmountMinor        int64
	IssueDate, DueDate any // calendar.Date (a driver.Valuer)
	OwnerID            int64
	CustomJSON         string
	Hash               int64
}

// UpsertInvoices inserts or updates invoices by number. The balance is
// recomputed from the stored payments; a re-import never resets a status a
// rule set (overdue, …) unless the invoice became paid or unpaid.
func (b *BulkTx) UpsertInvoices(ctx context.Context, rows []InvoiceRow) error {
	cols := []string{"number", "customer_id", "currency", "amount_minor", "paid_minor", "balance_minor", "issue_date", "due_date",
		"status", "owner_id", "custom", "import_hash", "created_at", "updated_at"}
	update := `customer_id = excluded.customer_id, currency = excluded.currency, amount_minor = excluded.amount_minor,
		balance_minor = excluded.amount_minor + invoices.fees_minor - invoices.paid_minor - invoices.adjusted_minor,
		status = CASE WHEN excluded.amount_minor + invoices.fees_minor - invoices.paid_minor - invoices.adjusted_minor <= 0
		                   THEN CASE WHEN invoices.written_off_minor > 0 THEN 'written_off' ELSE 'paid' END
		              WHEN invoices.status IN ('paid', 'written_off') THEN 'open' ELSE invoices.status END,
		issue_date = excluded.issue_date, due_date = excluded.due_date, owner_id = excluded.owner_id,
		custom = ` + b.mergeJSON("invoices.custom", "excluded.custom") + `, import_hash = excluded.import_hash, updated_at = excluded.updated_at`
	err := b.upsert(ctx, "invoices", "number", cols, update, len(rows), func(i int, a []any) []any {
		r := rows[i]
		return append(a, r.Number, r.CustomerID, r.Currency, r.AmountMinor, int64(0), r.AmountMinor, r.IssueDate, r.DueDate,
			"open", nullID(r.OwnerID), r.CustomJSON, r.Hash, b.now, b.now)
	})
	if err != nil {
		return err
	}
	return b.creditNewInvoices(ctx, rows)
}

// creditNewInvoices applies unapplied credit to the invoices just
// written whose customers have some (cash application, issue 16 §6).
func (b *BulkTx) creditNewInvoices(ctx context.Context, rows []InvoiceRow) error {
	var ids []any
	for start := 0; start < len(rows); start += 200 {
		part := rows[start:min(start+200, len(rows))]
		args := make([]any, len(part))
		for i, r := range part {
			args[i] = r.Number
		}
		q, err := b.tx.QueryContext(ctx, b.s.rebind(`SELECT i.id FROM invoices i WHERE i.number IN (`+placeholders(len(part))+`)
			AND EXISTS (SELECT 1 FROM customer_credits cc WHERE cc.customer_id = i.customer_id)`), args...)
		if err != nil {
			return fmt.Errorf("finding invoices for unapplied credit: %w", err)
		}
		for q.Next() {
			var id int64
			if err := q.Scan(&id); err != nil {
				q.Close()
				return err
			}
			ids = append(ids, id)
		}
		if err := q.Close(); err != nil {
			return err
		}
	}
	if len(ids) == 0 {
		return nil
	}
	return b.applyCredits(ctx, ids)
}

// MoveInvoices follows invoices that an import moved to another customer
// with the tick's state about them (fires, conditions, workflow instances,
// tasks), which PostgreSQL ticks find by customer.
func (b *BulkTx) MoveInvoices(ctx context.Context, ids []int64) error {
	for start := 0; start < len(ids); start += 200 {
		part := ids[start:min(start+200, len(ids))]
		args := make([]any, len(part))
		for i, id := range part {
			args[i] = id
		}
		for _, table := range []string{"rule_fires", "rule_conditions", "workflow_instances", "tasks"} {
			q := "UPDATE " + table + " SET customer_id = (SELECT i.customer_id FROM invoices i WHERE i.id = " + table + ".invoice_id) WHERE invoice_id IN (" + placeholders(len(part)) + ")"
			if _, err := b.tx.ExecContext(ctx, b.s.rebind(q), args...); err != nil {
				return fmt.Errorf("moving invoices' %s: %w", table, err)
			}
		}
	}
	return nil
}

// PaymentRow is a payment to insert or update, keyed by its Reference
// normalised (engine.PaymentKey).
type PaymentRow struct {
	Reference   string
	InvoiceID   int64
	AmountMinor int64
	Currency    string
	PaidAt      time.Time
	Hash        int64
	ApplyTo     string // invoice ids the payment names, comma-separated (cash application)
}

// UpsertPayments inserts or updates payments by reference key (the reference
// first recorded stays, for display), then splits each touched invoice's
// payments into what settles it and unapplied credit, and recomputes the
// paid amount, balance and paid/open status of every invoice touched
// (including one a payment moved away from, listed in previous).
func (b *BulkTx) UpsertPayments(ctx context.Context, rows []PaymentRow, previous []int64) error {
	cols := []string{"reference", "reference_key", "invoice_id", "amount_minor", "applied_minor", "currency", "paid_at", "import_hash", "created_at", "apply_to"}
	err := b.upsert(ctx, "payments", "reference_key", cols,
		"invoice_id = excluded.invoice_id, amount_minor = excluded.amount_minor, applied_minor = excluded.applied_minor, currency = excluded.currency, paid_at = excluded.paid_at, import_hash = excluded.import_hash",
		len(rows), func(i int, a []any) []any {
			r := rows[i]
			return append(a, r.Reference, engine.PaymentKey(r.Reference), r.InvoiceID, r.AmountMinor, r.AmountMinor, r.Currency, r.PaidAt.UTC(), r.Hash, b.now, r.ApplyTo)
		})
	if err != nil {
		return err
	}
	seen := map[int64]bool{}
	ids := make([]any, 0, len(rows)+len(previous))
	add := func(id int64) {
		if id != 0 && !seen[id] {
			seen[id] = true
			ids = append(ids, id)
		}
	}
	for _, r := range rows {
		add(r.InvoiceID)
	}
	for _, id := range previous {
		add(id)
	}
	if err := b.allocate(ctx, ids); err != nil {
		return err
	}
	if err := b.recomputeBalances(ctx, ids); err != nil {
		return err
	}
	return b.applyCredits(ctx, ids)
}

// recomputeBalances sets paid, payment count, last payment, balance (amount
// + fees − applied payments − adjustments) and the paid / written_off status
// of invoices from their payments (a reversed one counts for nothing) and
// adjustment totals (reconcile). An invoice paid or written off that owes
// again (a payment reversed, credit withdrawn, an amount re-imported
// higher) is overdue when its due date is past in the company's zone, else
// open: the rule that marked it overdue before may fire only once
// (TestReversalRestoresStatus).
func (b *BulkTx) recomputeBalances(ctx context.Context, ids []any) error {
	loc, err := b.location(ctx)
	if err != nil {
		return err
	}
	today := calendar.Of(b.now.In(loc))
	const chunk = 200
	for start := 0; start < len(ids); start += chunk {
		part := ids[start:min(start+chunk, len(ids))]
		in := placeholders(len(part))
		stmts := []string{
			`UPDATE invoices SET
				paid_minor = (SELECT COALESCE(SUM(p.applied_minor), 0) FROM payments p WHERE p.invoice_id = invoices.id),
				payment_count = (SELECT COUNT(*) FROM payments p WHERE p.invoice_id = invoices.id AND p.reversed_at IS NULL),
				last_paid_at = (SELECT MAX(p.paid_at) FROM payments p WHERE p.invoice_id = invoices.id AND p.reversed_at IS NULL)
				WHERE id IN (` + in + ")",
			`UPDATE invoices SET balance_minor = amount_minor + fees_minor - paid_minor - adjusted_minor,
				status = CASE WHEN amount_minor + fees_minor - paid_minor - adjusted_minor <= 0
				                   THEN CASE WHEN written_off_minor > 0 THEN 'written_off' ELSE 'paid' END
				              WHEN status IN ('paid', 'written_off') THEN CASE WHEN due_date < ? THEN 'overdue' ELSE 'open' END
				              ELSE status END,
				updated_at = ? WHERE id IN (` + in + ")",
		}
		if _, err := b.tx.ExecContext(ctx, b.s.rebind(stmts[0]), part...); err != nil {
			return fmt.Errorf("recomputing balances: %w", err)
		}
		if _, err := b.tx.ExecContext(ctx, b.s.rebind(stmts[1]), append([]any{today, b.now}, part...)...); err != nil {
			return fmt.Errorf("recomputing balances: %w", err)
		}
		// A rule's task about an invoice (the due-soon todo) has no workflow
		// to stop it: it closes when the invoice is paid or written off.
		if _, err := b.tx.ExecContext(ctx, b.s.rebind(`UPDATE tasks SET status = 'cancelled', updated_at = ?
			WHERE status = 'open' AND key LIKE 'rule/%' AND invoice_id IN (SELECT id FROM invoices WHERE status IN ('paid', 'written_off') AND id IN (`+in+`))`),
			append([]any{b.now}, part...)...); err != nil {
			return fmt.Errorf("closing the tasks of paid invoices: %w", err)
		}
	}
	return nil
}
