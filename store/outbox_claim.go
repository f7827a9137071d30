package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"

	"github.com/recoup/recoup/calendar"
	"github.com/recoup/recoup/engine"
)

// OutboxRow is one outbox row as a dispatcher claims it.
type OutboxRow struct {
	ID         int64
	Key        string
	Channel    string
	Recipient  string
	Role       string // recipient_role
	Cc         []string
	Template   string
	Locale     string
	Subject    string
	Body       string
	InvoiceID  int64
	CustomerID int64
	Status     string
	Attempts   int
	CreatedAt  time.Time
	Payload    string
	// Texts are the subject and body in other locales, for staff who read
	// another language than the message's (engine.Effect.Texts).
	Texts map[string]engine.Text
}

// OutboxCustomer is what delivery's policy reads of a customer.
type OutboxCustomer struct {
	ID                                                 int64
	Name, Email, Phone, FinanceEmail, Locale, TimeZone string
	OwnerID                                            int64
	DoNotContact                                       bool
}

// OutboxInvoice is what delivery's policy reads of an invoice.
type OutboxInvoice struct {
	ID                        int64
	Number, Currency          string
	AmountMinor, BalanceMinor int64
	Due                       calendar.Date
	Status                    string
	Disputed                  bool
	Hold                      string // why customer contact is stopped ("" none)
}

// OutboxUser is an active user a staff message may go to.
type OutboxUser struct {
	ID          int64
	Email, Role string
	Language    string // "" follows the browser: the message's own
}

// ClaimOptions say which outbox rows a claim takes.
type ClaimOptions struct {
	Now      time.Time
	Channels []string
	Limit    int
	// ContactsSince bounds the recent customer contacts read: those after
	// it (the frequency cap's window).
	ContactsSince time.Time
}

// OutboxClaim is a claimed batch and everything deciding about it needs.
type OutboxClaim struct {
	// Claimed counts the due rows taken, before Rows left out those whose
	// customer another replica is deciding about.
	Claimed   int
	Rows      []*OutboxRow
	Customers map[int64]*OutboxCustomer
	Invoices  map[int64]*OutboxInvoice
	Users     []OutboxUser // active users
	// Contacts are each customer's recent contacts by rows outside this
	// claim (a recovered row must not cap itself).
	Contacts map[int64][]time.Time
}

// What an OutboxDecision does to its row.
const (
	// DecideSend claims the row for sending (status sending, a lease,
	// one more attempt).
	DecideSend = iota + 1
	// DecideDelay puts the row back as pending until Until.
	DecideDelay
	// DecideSuppress stops the row for good (merged into a digest when
	// MergedInto is set).
	DecideSuppress
	// DecideDelivered marks the row sent now (in-app messages, delivered
	// by the claim's own commit).
	DecideDelivered
)

// OutboxDecision is the one outcome of one claimed row, or of a digest
// the plan creates (Digest, 1-based, instead of ID).
type OutboxDecision struct {
	ID     int64
	Digest int
	Do     int // DecideSend, DecideDelay, DecideSuppress or DecideDelivered
	// Contact (DecideSend) records now as a contact of the customer,
	// which the frequency cap counts.
	Contact    bool
	Until      time.Time // DecideDelay
	Reason     string
	MergedInto int // DecideSuppress: the 1-based index of the digest in the plan
}

// OutboxDigest is a new outbox row merging several messages to one
// customer address.
type OutboxDigest struct {
	Key, Channel, Recipient string
	Cc                      []string
	Locale, Subject, Body   string
	CustomerID              int64
	Payload                 string
}

// OutboxEvent is one recorded decision about an outbox row (ID), or about
// a digest of the plan (Digest, 1-based).
type OutboxEvent struct {
	ID     int64
	Digest int
	At     time.Time
	Event  string
	Reason string
	Detail any // JSON; nil is {}
}

// InAppDelivery is a message put in a user's in-app inbox.
type InAppDelivery struct {
	Key                   string // the outbox row's key
	UserID, OutboxID      int64
	Title, Body           string
	InvoiceID, CustomerID int64
}

// OutboxPlan is what a dispatcher decided about a claim; ClaimOutbox
// writes it in the claim's transaction.
type OutboxPlan struct {
	Now       time.Time
	Worker    string    // claimed_by of the rows sent
	Lease     time.Time // until when the rows sent are the worker's
	Decisions []OutboxDecision
	Digests   []OutboxDigest
	Tasks     []NewTask
	InApp     []InAppDelivery
	Events    []OutboxEvent // in the order they were decided
}

// claimSQL selects due rows: pending and due, or left sending by a
// dispatcher whose lease ran out. lock is added per dialect: PostgreSQL
// locks the rows, skipping those another replica holds; SQLite has one
// writer, the claim's transaction.
const claimSQL = `SELECT id, key, channel, recipient, recipient_role, cc, template, locale, subject, body,
	invoice_id, customer_id, status, attempts, created_at, payload, COALESCE(texts, '') FROM outbox
	WHERE ((status = 'pending' AND next_attempt_at <= ?) OR (status = 'sending' AND lease_until <= ?))
	AND channel IN (%s) ORDER BY next_attempt_at, id LIMIT ?`

// outboxLocks are the per-dialect row locks of a claim: the suffix of
// claimSQL, and the statement locking the claim's customers (empty: none),
// so two replicas never decide for one customer at once and the frequency
// cap holds.
var outboxLocks = map[string]struct{ rows, customers string }{
	SQLite:   {},
	Postgres: {rows: ` FOR UPDATE SKIP LOCKED`, customers: `SELECT id FROM customers WHERE id IN (%s) ORDER BY id FOR UPDATE SKIP LOCKED`},
}

// ClaimOutbox claims up to o.Limit due rows of o.Channels, reads what
// deciding about them needs, calls decide (which must not touch the
// database) and writes its plan, all in one transaction. It returns the
// claim and the ids of the digests the plan created, in plan order.
func (s *Store) ClaimOutbox(ctx context.Context, o ClaimOptions, decide func(*OutboxClaim) (*OutboxPlan, error)) (*OutboxClaim, []int64, error) {
	tx, err := s.sqlDB.BeginTx(ctx, nil)
	if err != nil {
		return nil, nil, err
	}
	defer tx.Rollback()
	c, err := s.claimRows(ctx, tx, o)
	if err != nil {
		return nil, nil, err
	}
	if c.Claimed == 0 {
		return c, nil, tx.Commit()
	}
	if err := s.lockCustomers(ctx, tx, c); err != nil {
		return nil, nil, err
	}
	if err := s.loadClaim(ctx, tx, c, o.ContactsSince); err != nil {
		return nil, nil, err
	}
	p, err := decide(c)
	if err != nil {
		return nil, nil, err
	}
	digests, err := s.applyOutboxPlan(ctx, tx, p)
	if err != nil {
		return nil, nil, err
	}
	return c, digests, tx.Commit()
}

func (s *Store) claimRows(ctx context.Context, tx *sql.Tx, o ClaimOptions) (*OutboxClaim, error) {
	args := []any{o.Now, o.Now}
	for _, ch := range o.Channels {
		args = append(args, ch)
	}
	args = append(args, o.Limit)
	q := fmt.Sprintf(claimSQL, placeholders(len(o.Channels))) + outboxLocks[s.dialect].rows
	rows, err := tx.QueryContext(ctx, s.rebind(q), args...)
	if err != nil {
		return nil, fmt.Errorf("claiming outbox rows: %w", err)
	}
	defer rows.Close()
	c := &OutboxClaim{}
	for rows.Next() {
		r := &OutboxRow{}
		var cc, texts string
		var inv, cust sql.NullInt64
		if err := rows.Scan(&r.ID, &r.Key, &r.Channel, &r.Recipient, &r.Role, &cc, &r.Template, &r.Locale, &r.Subject, &r.Body,
			&inv, &cust, &r.Status, &r.Attempts, &r.CreatedAt, &r.Payload, &texts); err != nil {
			return nil, err
		}
		if texts != "" {
			if err := json.Unmarshal([]byte(texts), &r.Texts); err != nil {
				return nil, fmt.Errorf("outbox %d: texts: %w", r.ID, err)
			}
		}
		if cc != "" && cc != "[]" {
			if err := json.Unmarshal([]byte(cc), &r.Cc); err != nil {
				return nil, fmt.Errorf("outbox %s: cc: %w", r.Key, err)
			}
		}
		r.InvoiceID, r.CustomerID = inv.Int64, cust.Int64
		c.Rows = append(c.Rows, r)
	}
	c.Claimed = len(c.Rows)
	return c, rows.Err()
}

// lockCustomers keeps the rows whose customer this claim could lock; rows
// of customers locked elsewhere wait for the next claim.
func (s *Store) lockCustomers(ctx context.Context, tx *sql.Tx, c *OutboxClaim) error {
	q := outboxLocks[s.dialect].customers
	if q == "" {
		return nil
	}
	ids := distinct(c.Rows, func(r *OutboxRow) int64 { return r.CustomerID })
	if len(ids) == 0 {
		return nil
	}
	locked := map[int64]bool{}
	err := s.scanIDs(ctx, tx, fmt.Sprintf(q, placeholders(len(ids))), ids, func(id int64) { locked[id] = true })
	if err != nil {
		return err
	}
	out := c.Rows[:0]
	for _, r := range c.Rows {
		if r.CustomerID == 0 || locked[r.CustomerID] {
			out = append(out, r)
		}
	}
	c.Rows = out
	return nil
}

func distinct(rs []*OutboxRow, id func(*OutboxRow) int64) []int64 {
	var out []int64
	seen := map[int64]bool{}
	for _, r := range rs {
		if v := id(r); v != 0 && !seen[v] {
			seen[v] = true
			out = append(out, v)
		}
	}
	return out
}

func int64Args(ids []int64) []any {
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = id
	}
	return args
}

func (s *Store) scanIDs(ctx context.Context, tx *sql.Tx, q string, ids []int64, each func(int64)) error {
	rows, err := tx.QueryContext(ctx, s.rebind(q), int64Args(ids)...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return err
		}
		each(id)
	}
	return rows.Err()
}

// loadClaim reads the customers, invoices, users and recent contacts the
// decisions about c's rows need.
func (s *Store) loadClaim(ctx context.Context, tx *sql.Tx, c *OutboxClaim, contactsSince time.Time) error {
	c.Customers, c.Invoices, c.Contacts = map[int64]*OutboxCustomer{}, map[int64]*OutboxInvoice{}, map[int64][]time.Time{}
	rows, err := tx.QueryContext(ctx, "SELECT id, email, role, active, language FROM users")
	if err != nil {
		return err
	}
	for rows.Next() {
		var u OutboxUser
		var active bool
		if err := rows.Scan(&u.ID, &u.Email, &u.Role, &active, &u.Language); err != nil {
			rows.Close()
			return err
		}
		if active {
			c.Users = append(c.Users, u)
		}
	}
	if err := rows.Close(); err != nil {
		return err
	}
	custIDs := distinct(c.Rows, func(r *OutboxRow) int64 { return r.CustomerID })
	invIDs := distinct(c.Rows, func(r *OutboxRow) int64 { return r.InvoiceID })
	if len(custIDs) > 0 {
		rows, err := tx.QueryContext(ctx, s.rebind(`SELECT id, name, email, phone, finance_email, locale, time_zone, owner_id, do_not_contact
			FROM customers WHERE id IN (`+placeholders(len(custIDs))+`)`), int64Args(custIDs)...)
		if err != nil {
			return err
		}
		for rows.Next() {
			cu := &OutboxCustomer{}
			var owner sql.NullInt64
			if err := rows.Scan(&cu.ID, &cu.Name, &cu.Email, &cu.Phone, &cu.FinanceEmail, &cu.Locale, &cu.TimeZone, &owner, &cu.DoNotContact); err != nil {
				rows.Close()
				return err
			}
			cu.OwnerID = owner.Int64
			c.Customers[cu.ID] = cu
		}
		if err := rows.Close(); err != nil {
			return err
		}
		rowIDs := make([]int64, len(c.Rows))
		for i, r := range c.Rows {
			rowIDs[i] = r.ID
		}
		args := append(int64Args(custIDs), contactsSince)
		args = append(args, int64Args(rowIDs)...)
		rows, err = tx.QueryContext(ctx, s.rebind(`SELECT customer_id, contact_at FROM outbox
			WHERE customer_id IN (`+placeholders(len(custIDs))+`) AND contact_at > ? AND status IN ('sending','sent') AND id NOT IN (`+placeholders(len(rowIDs))+`)`), args...)
		if err != nil {
			return err
		}
		for rows.Next() {
			var id int64
			var at time.Time
			if err := rows.Scan(&id, &at); err != nil {
				rows.Close()
				return err
			}
			c.Contacts[id] = append(c.Contacts[id], at)
		}
		if err := rows.Close(); err != nil {
			return err
		}
	}
	if len(invIDs) > 0 {
		rows, err := tx.QueryContext(ctx, s.rebind(`SELECT id, number, currency, amount_minor, balance_minor, due_date, status, disputed, hold
			FROM invoices WHERE id IN (`+placeholders(len(invIDs))+`)`), int64Args(invIDs)...)
		if err != nil {
			return err
		}
		for rows.Next() {
			iv := &OutboxInvoice{}
			if err := rows.Scan(&iv.ID, &iv.Number, &iv.Currency, &iv.AmountMinor, &iv.BalanceMinor, &iv.Due, &iv.Status, &iv.Disputed, &iv.Hold); err != nil {
				rows.Close()
				return err
			}
			c.Invoices[iv.ID] = iv
		}
		if err := rows.Close(); err != nil {
			return err
		}
	}
	return nil
}

// applyOutboxPlan writes p mechanically: digests, tasks and in-app
// messages first (digests return the ids the rest refers to), then each
// row's outcome, the claims in batches, and the events in decision order.
func (s *Store) applyOutboxPlan(ctx context.Context, tx *sql.Tx, p *OutboxPlan) ([]int64, error) {
	digestIDs := make([]int64, len(p.Digests))
	for i, d := range p.Digests {
		cc := "[]"
		if len(d.Cc) > 0 {
			b, _ := json.Marshal(d.Cc)
			cc = string(b)
		}
		err := tx.QueryRowContext(ctx, s.rebind(`INSERT INTO outbox (key, channel, recipient, recipient_role, cc, template, locale, subject, body,
			customer_id, status, attempts, next_attempt_at, created_at, payload)
			VALUES (?, ?, ?, '', ?, 'digest', ?, ?, ?, ?, 'pending', 0, ?, ?, ?) RETURNING id`),
			d.Key, d.Channel, d.Recipient, cc, d.Locale, d.Subject, d.Body, d.CustomerID, p.Now, p.Now, d.Payload).Scan(&digestIDs[i])
		if err != nil {
			return nil, fmt.Errorf("creating digest %s: %w", d.Key, err)
		}
	}
	ref := func(id int64, digest int) (int64, error) {
		if digest == 0 {
			return id, nil
		}
		if digest < 0 || digest > len(digestIDs) {
			return 0, fmt.Errorf("outbox plan: no digest %d", digest)
		}
		return digestIDs[digest-1], nil
	}
	for _, t := range p.Tasks {
		if _, err := tx.ExecContext(ctx, s.rebind(insertTaskSQL), t.args()...); err != nil {
			return nil, fmt.Errorf("creating task %s: %w", t.Key, err)
		}
	}
	for _, m := range p.InApp {
		if _, err := tx.ExecContext(ctx, s.rebind(`INSERT INTO inapp_messages (key, user_id, outbox_id, title, body, invoice_id, customer_id, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (key, user_id) DO NOTHING`),
			m.Key, m.UserID, m.OutboxID, m.Title, m.Body, nullID(m.InvoiceID), nullID(m.CustomerID), p.Now); err != nil {
			return nil, err
		}
	}
	var send [2][]int64 // [0] staff, [1] customer contacts
	for _, d := range p.Decisions {
		id, err := ref(d.ID, d.Digest)
		if err != nil {
			return nil, err
		}
		switch d.Do {
		case DecideSend:
			k := 0
			if d.Contact {
				k = 1
			}
			send[k] = append(send[k], id)
		case DecideDelay:
			_, err = tx.ExecContext(ctx, s.rebind(`UPDATE outbox SET status = 'pending', next_attempt_at = ?, reason = ?, lease_until = NULL WHERE id = ?`),
				d.Until.UTC(), d.Reason, id)
		case DecideSuppress:
			var merged any
			if d.MergedInto != 0 {
				if merged, err = ref(0, d.MergedInto); err != nil {
					return nil, err
				}
				_, err = tx.ExecContext(ctx, s.rebind(`UPDATE outbox SET status = 'suppressed', merged_into = ?, reason = ?, lease_until = NULL WHERE id = ?`),
					merged, d.Reason, id)
			} else {
				_, err = tx.ExecContext(ctx, s.rebind(`UPDATE outbox SET status = 'suppressed', reason = ?, lease_until = NULL WHERE id = ?`), d.Reason, id)
			}
		case DecideDelivered:
			_, err = tx.ExecContext(ctx, s.rebind(`UPDATE outbox SET status = 'sent', sent_at = ?, attempts = attempts + 1, lease_until = NULL WHERE id = ?`),
				p.Now, id)
		default:
			err = fmt.Errorf("outbox plan: row %d: unknown decision %d", id, d.Do)
		}
		if err != nil {
			return nil, err
		}
	}
	// Claims in one statement per kind: customer contacts record the
	// instant against the cap.
	for k, ids := range send {
		var contact any
		if k == 1 {
			contact = p.Now
		}
		for len(ids) > 0 {
			chunk := ids[:min(len(ids), 500)]
			ids = ids[len(chunk):]
			args := append([]any{p.Worker, p.Lease, contact}, int64Args(chunk)...)
			if _, err := tx.ExecContext(ctx, s.rebind(`UPDATE outbox SET status = 'sending', claimed_by = ?, lease_until = ?, attempts = attempts + 1, contact_at = ?, reason = ''
				WHERE id IN (`+placeholders(len(chunk))+`)`), args...); err != nil {
				return nil, err
			}
		}
	}
	for _, e := range p.Events {
		id, err := ref(e.ID, e.Digest)
		if err != nil {
			return nil, err
		}
		if err := s.outboxEvent(ctx, tx, id, e); err != nil {
			return nil, err
		}
	}
	return digestIDs, nil
}

// execer is a transaction or the pool.
type execer interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
}

func (s *Store) outboxEvent(ctx context.Context, q execer, id int64, e OutboxEvent) error {
	det := "{}"
	if e.Detail != nil {
		b, err := json.Marshal(e.Detail)
		if err != nil {
			return err
		}
		det = string(b)
	}
	_, err := q.ExecContext(ctx, s.rebind(`INSERT INTO outbox_events (outbox_id, at, event, reason, detail) VALUES (?, ?, ?, ?, ?)`),
		id, e.At, e.Event, e.Reason, det)
	return err
}

// AddOutboxEvent records a decision about an outbox row outside a claim
// (a letter that could not be attached).
func (s *Store) AddOutboxEvent(ctx context.Context, e OutboxEvent) error {
	return s.outboxEvent(ctx, s.sqlDB, e.ID, e)
}
