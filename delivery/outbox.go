package delivery

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/recoup/recoup/calendar"
	"github.com/recoup/recoup/store"
)

// Outbox statuses (migrations 00003).
const (
	StatusPending    = "pending"
	StatusSending    = "sending"
	StatusSent       = "sent"
	StatusDead       = "dead"
	StatusSuppressed = "suppressed"
)

// Events recorded in outbox_events.
const (
	EventDelayed    = "delayed"
	EventSuppressed = "suppressed"
	EventMerged     = "merged"
	EventDigest     = "digest"
	EventRerouted   = "rerouted"
	EventRecovered  = "recovered"
	EventRetry      = "retry"
	EventDead       = "dead"
	EventLetter     = "letter"
)

// row is one outbox row as the dispatcher sees it.
type row struct {
	id         int64
	key        string
	channel    string
	recipient  string
	role       string
	cc         []string
	template   string
	locale     string
	subject    string
	body       string
	invoiceID  int64
	customerID int64
	status     string
	attempts   int
	createdAt  time.Time
	payload    string
}

type customer struct {
	id                                      int64
	name, email, phone, finance, locale, tz string
	owner                                   int64
	dnc                                     bool
}

type invoice struct {
	id               int64
	number, currency string
	amount, balance  int64
	due              calendar.Date
	status           string
}

type user struct {
	id          int64
	email, role string
}

// snapshot is what one claim decides with.
type snapshot struct {
	customers map[int64]*customer
	invoices  map[int64]*invoice
	users     []user
	byEmail   map[string]*user
	contacts  map[int64][]time.Time // recent customer contacts, rows outside this claim
}

// querier is a transaction or the pool.
type querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

func in(ids []int64) (string, []any) {
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = id
	}
	return strings.TrimSuffix(strings.Repeat("?,", len(ids)), ","), args
}

func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

const rowColumns = `id, key, channel, recipient, recipient_role, cc, template, locale, subject, body,
	invoice_id, customer_id, status, attempts, created_at, payload`

func scanRows(rows *sql.Rows) ([]*row, error) {
	defer rows.Close()
	var out []*row
	for rows.Next() {
		r := &row{}
		var cc string
		var inv, cust sql.NullInt64
		if err := rows.Scan(&r.id, &r.key, &r.channel, &r.recipient, &r.role, &cc, &r.template, &r.locale, &r.subject, &r.body,
			&inv, &cust, &r.status, &r.attempts, &r.createdAt, &r.payload); err != nil {
			return nil, err
		}
		if cc != "" && cc != "[]" {
			if err := json.Unmarshal([]byte(cc), &r.cc); err != nil {
				return nil, fmt.Errorf("outbox %s: cc: %w", r.key, err)
			}
		}
		r.invoiceID, r.customerID = inv.Int64, cust.Int64
		out = append(out, r)
	}
	return out, rows.Err()
}

// claimRows selects due rows of the given channels: pending and due, or
// left "sending" by a dispatcher whose lease ran out. On PostgreSQL the
// rows are locked, skipping those another replica holds.
func (d *Dispatcher) claimRows(ctx context.Context, tx *sql.Tx, now time.Time, channels []string, limit int) ([]*row, error) {
	chs := make([]any, len(channels))
	for i, c := range channels {
		chs[i] = c
	}
	q := `SELECT ` + rowColumns + ` FROM outbox
		WHERE ((status = 'pending' AND next_attempt_at <= ?) OR (status = 'sending' AND lease_until <= ?))
		AND channel IN (` + strings.TrimSuffix(strings.Repeat("?,", len(chs)), ",") + `)
		ORDER BY next_attempt_at, id LIMIT ?`
	if d.s.Dialect() == store.Postgres {
		q += ` FOR UPDATE SKIP LOCKED`
	}
	args := append([]any{now, now}, chs...)
	args = append(args, limit)
	rows, err := tx.QueryContext(ctx, d.s.Rebind(q), args...)
	if err != nil {
		return nil, fmt.Errorf("claiming outbox rows: %w", err)
	}
	return scanRows(rows)
}

// lockCustomers keeps the rows whose customer this claim could lock
// (PostgreSQL): two replicas never decide for one customer at once, so the
// frequency cap holds. Rows of customers locked elsewhere wait for the
// next claim.
func (d *Dispatcher) lockCustomers(ctx context.Context, tx *sql.Tx, rs []*row) ([]*row, error) {
	if d.s.Dialect() != store.Postgres {
		return rs, nil
	}
	var ids []int64
	seen := map[int64]bool{}
	for _, r := range rs {
		if r.customerID != 0 && !seen[r.customerID] {
			seen[r.customerID] = true
			ids = append(ids, r.customerID)
		}
	}
	if len(ids) == 0 {
		return rs, nil
	}
	ph, args := in(ids)
	rows, err := tx.QueryContext(ctx, d.s.Rebind(`SELECT id FROM customers WHERE id IN (`+ph+`) ORDER BY id FOR UPDATE SKIP LOCKED`), args...)
	if err != nil {
		return nil, err
	}
	locked := map[int64]bool{}
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return nil, err
		}
		locked[id] = true
	}
	if err := rows.Close(); err != nil {
		return nil, err
	}
	out := rs[:0]
	for _, r := range rs {
		if r.customerID == 0 || locked[r.customerID] {
			out = append(out, r)
		}
	}
	return out, nil
}

// load reads the customers, invoices, users and recent contacts the
// decisions about rs need.
func (d *Dispatcher) load(ctx context.Context, q querier, rs []*row, now time.Time) (*snapshot, error) {
	sn := &snapshot{customers: map[int64]*customer{}, invoices: map[int64]*invoice{}, byEmail: map[string]*user{}, contacts: map[int64][]time.Time{}}
	var custIDs, invIDs, rowIDs []int64
	seenC, seenI := map[int64]bool{}, map[int64]bool{}
	for _, r := range rs {
		rowIDs = append(rowIDs, r.id)
		if r.customerID != 0 && !seenC[r.customerID] {
			seenC[r.customerID] = true
			custIDs = append(custIDs, r.customerID)
		}
		if r.invoiceID != 0 && !seenI[r.invoiceID] {
			seenI[r.invoiceID] = true
			invIDs = append(invIDs, r.invoiceID)
		}
	}
	rows, err := q.QueryContext(ctx, "SELECT id, email, role, active FROM users")
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var u user
		var active bool
		if err := rows.Scan(&u.id, &u.email, &u.role, &active); err != nil {
			rows.Close()
			return nil, err
		}
		if active {
			u.email = strings.ToLower(u.email)
			sn.users = append(sn.users, u)
		}
	}
	if err := rows.Close(); err != nil {
		return nil, err
	}
	for i := range sn.users {
		sn.byEmail[sn.users[i].email] = &sn.users[i]
	}
	if len(custIDs) > 0 {
		ph, args := in(custIDs)
		rows, err := q.QueryContext(ctx, d.s.Rebind(`SELECT id, name, email, phone, finance_email, locale, time_zone, owner_id, do_not_contact
			FROM customers WHERE id IN (`+ph+`)`), args...)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			c := &customer{}
			var owner sql.NullInt64
			if err := rows.Scan(&c.id, &c.name, &c.email, &c.phone, &c.finance, &c.locale, &c.tz, &owner, &c.dnc); err != nil {
				rows.Close()
				return nil, err
			}
			c.owner = owner.Int64
			sn.customers[c.id] = c
		}
		if err := rows.Close(); err != nil {
			return nil, err
		}
		// Contacts inside the cap window, other than the rows being
		// decided now (a recovered row must not cap itself).
		ph2, args2 := in(rowIDs)
		args = append(args, now.Add(-time.Duration(d.cfg.Policy.CapWindow)))
		args = append(args, args2...)
		rows, err = q.QueryContext(ctx, d.s.Rebind(`SELECT customer_id, contact_at FROM outbox
			WHERE customer_id IN (`+ph+`) AND contact_at > ? AND status IN ('sending','sent') AND id NOT IN (`+ph2+`)`), args...)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			var id int64
			var at time.Time
			if err := rows.Scan(&id, &at); err != nil {
				rows.Close()
				return nil, err
			}
			sn.contacts[id] = append(sn.contacts[id], at)
		}
		if err := rows.Close(); err != nil {
			return nil, err
		}
	}
	if len(invIDs) > 0 {
		ph, args := in(invIDs)
		rows, err := q.QueryContext(ctx, d.s.Rebind(`SELECT id, number, currency, amount_minor, balance_minor, due_date, status
			FROM invoices WHERE id IN (`+ph+`)`), args...)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			iv := &invoice{}
			if err := rows.Scan(&iv.id, &iv.number, &iv.currency, &iv.amount, &iv.balance, &iv.due, &iv.status); err != nil {
				rows.Close()
				return nil, err
			}
			sn.invoices[iv.id] = iv
		}
		if err := rows.Close(); err != nil {
			return nil, err
		}
	}
	return sn, nil
}

func (d *Dispatcher) event(ctx context.Context, q querier, id int64, at time.Time, event, reason string, detail any) error {
	det := "{}"
	if detail != nil {
		b, err := json.Marshal(detail)
		if err != nil {
			return err
		}
		det = string(b)
	}
	_, err := q.ExecContext(ctx, d.s.Rebind(`INSERT INTO outbox_events (outbox_id, at, event, reason, detail) VALUES (?, ?, ?, ?, ?)`),
		id, at, event, reason, det)
	return err
}

// Event is one recorded decision about a message.
type Event struct {
	At     time.Time
	Event  string
	Reason string
}

// Events returns the decisions recorded for the outbox row with key, oldest
// first: why a customer got, or did not get, a message.
func Events(ctx context.Context, s *store.Store, key string) ([]Event, error) {
	rows, err := s.SQL().QueryContext(ctx, s.Rebind(`SELECT e.at, e.event, e.reason FROM outbox_events e
		JOIN outbox o ON o.id = e.outbox_id WHERE o.key = ? ORDER BY e.id`), key)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Event
	for rows.Next() {
		var e Event
		if err := rows.Scan(&e.At, &e.Event, &e.Reason); err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, rows.Err()
}
