package ingest

import (
	"encoding/json"
	"fmt"
	"net/mail"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/recoup/recoup/calendar"
	"github.com/recoup/recoup/engine"
	"github.com/recoup/recoup/money"
	"github.com/recoup/recoup/store"
)

// kind describes one importable entity.
type kind struct {
	name     string
	columns  []string
	required []int // indexes into columns that must be present in a CSV header
	extras   bool  // unknown columns are kept (invoice custom fields)
	parse    func(r *run, rec *record)
	resolve  func(r *run, batch []*record) error
	write    func(r *run, batch []*record) error
}

var kinds = map[string]*kind{
	"users": {
		name: "users", columns: []string{"email", "name", "role", "team"}, required: []int{0, 1, 2},
		parse: parseUser, resolve: resolveUsers, write: writeUsers,
	},
	"customers": {
		name: "customers",
		columns: []string{"id", "name", "email", "phone", "finance_email", "owner", "region", "industry",
			"credit_limit", "credit_rating", "risk", "locale", "timezone"},
		required: []int{0, 1},
		parse:    parseCustomer, resolve: resolveCustomers, write: writeCustomers,
	},
	"invoices": {
		name: "invoices", columns: []string{"number", "customer_id", "currency", "amount", "issue_date", "due_date", "owner"},
		required: []int{0, 1, 2, 3, 4, 5}, extras: true,
		parse: parseInvoice, resolve: resolveInvoices, write: writeInvoices,
	},
	"payments": {
		name: "payments", columns: []string{"invoice_number", "amount", "paid_at", "reference"},
		required: []int{0, 1, 2, 3},
		parse:    parsePayment, resolve: resolvePayments, write: writePayments,
	},
}

// Locales recoup renders.
var Locales = []string{"en", "zh-CN"}

func (r *run) required(rec *record, col int) string {
	v := rec.f[col]
	if v == "" {
		r.problem(rec, r.k.columns[col], "is required")
	}
	return v
}

func (r *run) email(rec *record, col int, v string) string {
	if v == "" {
		return ""
	}
	a, err := mail.ParseAddress(v)
	if err != nil || a.Address != v {
		r.problem(rec, r.k.columns[col], "invalid email %q", v)
		return ""
	}
	return strings.ToLower(v)
}

// owner resolves a user email to its id; unknown users are a problem.
func (r *run) owner(rec *record, col int) int64 {
	v := strings.ToLower(rec.f[col])
	if v == "" {
		return 0
	}
	u, ok := r.users[v]
	if !ok {
		r.problem(rec, r.k.columns[col], "unknown user %q (import users first)", v)
		return 0
	}
	return u.ID
}

func (r *run) date(rec *record, col int) calendar.Date {
	v := r.required(rec, col)
	if v == "" {
		return calendar.Date{}
	}
	d, err := calendar.Parse(v)
	if err != nil {
		r.problem(rec, r.k.columns[col], "%v", err)
	}
	return d
}

// amount parses a positive amount in currency.
func (r *run) amount(rec *record, col int, currency string) int64 {
	v := r.required(rec, col)
	if v == "" || currency == "" {
		return 0
	}
	m, err := money.ParseMinor(v, currency)
	if err != nil {
		r.problem(rec, r.k.columns[col], "%v", err)
		return 0
	}
	if m <= 0 {
		r.problem(rec, r.k.columns[col], "must be positive, got %q", v)
	}
	return m
}

// ---- users

func parseUser(r *run, rec *record) {
	u := &store.UserRow{}
	u.Email = r.email(rec, 0, r.required(rec, 0))
	u.Name = r.required(rec, 1)
	if role := r.required(rec, 2); role != "" {
		if _, err := engine.ParseRole(role); err != nil {
			r.problem(rec, "role", "%v", err)
		}
		u.Role = role
	}
	u.Team = rec.f[3]
	r.checkKey(rec, "email", u.Email)
	u.Hash = fingerprint(u.Email, u.Name, u.Role, u.Team)
	rec.val = u
}

func resolveUsers(r *run, batch []*record) error { return nil }

func writeUsers(r *run, batch []*record) error {
	keys := keysOf(batch, func(v any) string { return v.(*store.UserRow).Email })
	ex, err := r.tx.Users(r.ctx, keys)
	if err != nil {
		return err
	}
	var rows []store.UserRow
	for _, rec := range batch {
		if len(rec.probs) > 0 {
			continue
		}
		u := rec.val.(*store.UserRow)
		e, found := ex[u.Email]
		if r.classify(e, found, u.Hash) {
			rows = append(rows, *u)
		}
	}
	if err := r.tx.UpsertUsers(r.ctx, rows); err != nil {
		return err
	}
	// Later rows of this file (and later files) may name these users.
	all, err := r.tx.AllUsers(r.ctx)
	if err != nil {
		return err
	}
	r.users = all
	return nil
}

func keysOf(batch []*record, key func(any) string) []string {
	keys := make([]string, 0, len(batch))
	for _, rec := range batch {
		if len(rec.probs) == 0 {
			keys = append(keys, key(rec.val))
		}
	}
	return keys
}

// ---- customers

func parseCustomer(r *run, rec *record) {
	c := &store.CustomerRow{}
	c.ExternalID = r.required(rec, 0)
	c.Name = r.required(rec, 1)
	c.Email = r.email(rec, 2, rec.f[2])
	c.Phone = rec.f[3]
	c.FinanceEmail = r.email(rec, 4, rec.f[4])
	c.OwnerID = r.owner(rec, 5)
	c.Region, c.Industry = rec.f[6], rec.f[7]
	if v := rec.f[8]; v != "" {
		amount, cur, hasCur := strings.Cut(v, " ")
		if !hasCur {
			cur = r.opts.Company.Currency
		}
		m, err := money.ParseMinor(amount, strings.TrimSpace(cur))
		switch {
		case err != nil:
			r.problem(rec, "credit_limit", "%v", err)
		case m < 0:
			r.problem(rec, "credit_limit", "must not be negative, got %q", v)
		}
		c.CreditLimitMinor, c.CreditCurrency = m, strings.TrimSpace(cur)
	}
	c.CreditRating = rec.f[9]
	risk, err := engine.ParseRiskTier(rec.f[10])
	if err != nil {
		r.problem(rec, "risk", "%v", err)
	}
	c.Risk = string(risk)
	c.Locale = rec.f[11]
	if c.Locale == "" {
		c.Locale = "en"
	} else if !slices.Contains(Locales, c.Locale) {
		r.problem(rec, "locale", "unsupported locale %q (want en or zh-CN)", c.Locale)
	}
	c.TimeZone = rec.f[12]
	if c.TimeZone != "" {
		if _, err := time.LoadLocation(c.TimeZone); err != nil {
			r.problem(rec, "timezone", "unknown time zone %q (want an IANA name such as Asia/Shanghai)", c.TimeZone)
		}
	}
	r.checkKey(rec, "id", c.ExternalID)
	c.Hash = fingerprint(c.ExternalID, c.Name, c.Email, c.Phone, c.FinanceEmail, strconv.FormatInt(c.OwnerID, 10),
		c.Region, c.Industry, strconv.FormatInt(c.CreditLimitMinor, 10), c.CreditCurrency, c.CreditRating, c.Risk, c.Locale, c.TimeZone)
	rec.val = c
}

func resolveCustomers(r *run, batch []*record) error { return nil }

func writeCustomers(r *run, batch []*record) error {
	keys := keysOf(batch, func(v any) string { return v.(*store.CustomerRow).ExternalID })
	ex, err := r.tx.Customers(r.ctx, keys)
	if err != nil {
		return err
	}
	var rows []store.CustomerRow
	for _, rec := range batch {
		if len(rec.probs) > 0 {
			continue
		}
		c := rec.val.(*store.CustomerRow)
		e, found := ex[c.ExternalID]
		if r.classify(e, found, c.Hash) {
			rows = append(rows, *c)
		}
	}
	return r.tx.UpsertCustomers(r.ctx, rows)
}

// ---- invoices

type invoiceIn struct {
	row         store.InvoiceRow
	customerKey string
	issue, due  calendar.Date
	ownerSet    bool
	existing    store.Existing
	found       bool
}

func parseInvoice(r *run, rec *record) {
	in := &invoiceIn{}
	in.row.Number = r.required(rec, 0)
	in.customerKey = r.required(rec, 1)
	cur := strings.ToUpper(r.required(rec, 2))
	if cur != "" && !money.ValidCurrency(cur) {
		r.problem(rec, "currency", "unknown currency %q (want an ISO 4217 code such as CNY or USD)", rec.f[2])
		cur = ""
	}
	in.row.Currency = cur
	in.row.AmountMinor = r.amount(rec, 3, cur)
	in.issue = r.date(rec, 4)
	in.due = r.date(rec, 5)
	if !in.issue.IsZero() && !in.due.IsZero() && in.due.Before(in.issue) {
		r.problem(rec, "due_date", "due date %s is before issue date %s", in.due, in.issue)
	}
	in.row.IssueDate, in.row.DueDate = in.issue, in.due
	in.row.OwnerID = r.owner(rec, 6)
	in.ownerSet = rec.f[6] != ""
	in.row.CustomJSON = "{}"
	if len(rec.extra) > 0 {
		custom := make(map[string]string, len(rec.extra))
		for _, kv := range rec.extra {
			custom[kv[0]] = kv[1]
		}
		b, _ := json.Marshal(custom) // sorted keys: a stable fingerprint
		in.row.CustomJSON = string(b)
	}
	r.checkKey(rec, "number", in.row.Number)
	rec.val = in
}

// customers looks up customers by external id, remembering them for the
// rest of the file (invoices repeat their customers).
func (r *run) customers(keys []string) (map[string]store.Existing, error) {
	if r.customerCache == nil {
		r.customerCache = map[string]store.Existing{}
	}
	var missing []string
	for _, k := range keys {
		if _, ok := r.customerCache[k]; !ok {
			missing = append(missing, k)
		}
	}
	found, err := r.tx.Customers(r.ctx, missing)
	if err != nil {
		return nil, err
	}
	for k, v := range found {
		r.customerCache[k] = v
	}
	return r.customerCache, nil
}

func resolveInvoices(r *run, batch []*record) error {
	var custKeys, numbers []string
	for _, rec := range batch {
		in := rec.val.(*invoiceIn)
		if in.customerKey != "" {
			custKeys = append(custKeys, in.customerKey)
		}
		if in.row.Number != "" {
			numbers = append(numbers, in.row.Number)
		}
	}
	customers, err := r.customers(custKeys)
	if err != nil {
		return err
	}
	existing, err := r.tx.Invoices(r.ctx, numbers)
	if err != nil {
		return err
	}
	for _, rec := range batch {
		in := rec.val.(*invoiceIn)
		if in.customerKey != "" {
			c, ok := customers[in.customerKey]
			if !ok {
				r.problem(rec, "customer_id", "unknown customer %q", in.customerKey)
			}
			in.row.CustomerID = c.ID
			if !in.ownerSet {
				in.row.OwnerID = c.OwnerID // the account owner owns its invoices
			}
		}
		in.existing, in.found = existing[in.row.Number]
		if in.found && in.existing.PaidMinor != 0 && in.row.Currency != "" && in.existing.Currency != in.row.Currency {
			r.problem(rec, "currency", "cannot change from %s to %s: the invoice has payments", in.existing.Currency, in.row.Currency)
		}
		in.row.Hash = fingerprint(in.row.Number, strconv.FormatInt(in.row.CustomerID, 10), in.row.Currency,
			strconv.FormatInt(in.row.AmountMinor, 10), in.issue.String(), in.due.String(), strconv.FormatInt(in.row.OwnerID, 10), in.row.CustomJSON)
	}
	return nil
}

func writeInvoices(r *run, batch []*record) error {
	var rows []store.InvoiceRow
	var moved []int64
	for _, rec := range batch {
		if len(rec.probs) > 0 {
			continue
		}
		in := rec.val.(*invoiceIn)
		if r.classify(in.existing, in.found, in.row.Hash) {
			rows = append(rows, in.row)
			if in.found && in.existing.Parent != in.row.CustomerID {
				moved = append(moved, in.existing.ID)
			}
		}
	}
	if err := r.tx.UpsertInvoices(r.ctx, rows); err != nil {
		return err
	}
	return r.tx.MoveInvoices(r.ctx, moved)
}

// ---- payments

type paymentIn struct {
	row       store.PaymentRow
	invoice   string
	rawAmount string
	existing  store.Existing
	found     bool
}

// paidAtLayouts are read in the company's zone unless they carry their own.
var paidAtLayouts = []string{"2006-01-02 15:04:05", "2006-01-02T15:04:05", "2006-01-02 15:04", "2006-01-02"}

func (r *run) instant(rec *record, col int) time.Time {
	v := r.required(rec, col)
	if v == "" {
		return time.Time{}
	}
	if t, err := time.Parse(time.RFC3339Nano, v); err == nil {
		return t.UTC()
	}
	for _, layout := range paidAtLayouts {
		if t, err := time.ParseInLocation(layout, v, r.loc); err == nil {
			return t.UTC()
		}
	}
	r.problem(rec, r.k.columns[col], "invalid time %q: want RFC 3339 (2024-05-01T10:00:00+08:00), YYYY-MM-DD HH:MM[:SS] or YYYY-MM-DD in the company's zone", v)
	return time.Time{}
}

func parsePayment(r *run, rec *record) {
	p := &paymentIn{}
	p.invoice = r.required(rec, 0)
	p.rawAmount = r.required(rec, 1)
	p.row.PaidAt = r.instant(rec, 2)
	p.row.Reference = r.required(rec, 3)
	rec.val = p
	if !r.opts.Until.IsZero() && p.row.PaidAt.After(r.opts.Until) && len(rec.probs) == 0 {
		rec.later = true
		return
	}
	// A reference repeated in another case or with spaces is the same
	// payment (engine.PaymentKey).
	if key := engine.PaymentKey(p.row.Reference); key != "" {
		if first, dup := r.seen[key]; dup {
			r.problem(rec, "reference", "duplicate reference %q (first on row %d)", p.row.Reference, first)
		} else {
			r.seen[key] = rec.row
		}
	}
}

func resolvePayments(r *run, batch []*record) error {
	var numbers, keys []string
	for _, rec := range batch {
		p := rec.val.(*paymentIn)
		if p.invoice != "" {
			numbers = append(numbers, p.invoice)
		}
		if p.row.Reference != "" {
			keys = append(keys, engine.PaymentKey(p.row.Reference))
		}
	}
	invoices, err := r.tx.Invoices(r.ctx, numbers)
	if err != nil {
		return err
	}
	existing, err := r.tx.Payments(r.ctx, keys)
	if err != nil {
		return err
	}
	// engine.CheckPayment's fields, as this file's columns.
	columns := map[string]string{"amount_minor": "amount", "currency": "amount", "paid_at": "paid_at", "reference": "reference"}
	for _, rec := range batch {
		p := rec.val.(*paymentIn)
		if p.invoice != "" {
			inv, ok := invoices[p.invoice]
			if !ok {
				r.problem(rec, "invoice_number", "unknown invoice %q", p.invoice)
			} else {
				p.row.InvoiceID, p.row.Currency = inv.ID, inv.Currency
				if p.rawAmount != "" {
					p.row.AmountMinor = r.amount(rec, 1, inv.Currency)
				}
				if len(rec.probs) == 0 {
					// The same rules as the payment webhook's, but for the
					// amount's sign, which r.amount already reported.
					for _, pr := range engine.CheckPayment(engine.PaymentCheck{AmountMinor: p.row.AmountMinor, Currency: p.row.Currency,
						PaidAt: p.row.PaidAt, Reference: p.row.Reference, InvoiceCurrency: inv.Currency, IssueDate: inv.IssueDate,
						Now: r.opts.Now, Location: r.loc}) {
						msg := pr.Message
						if pr.Field == "amount_minor" && p.row.AmountMinor > money.MaxMinor {
							msg = fmt.Sprintf("%s is above the largest payment recoup accepts (%s %s)", p.rawAmount,
								money.FormatMinor(money.MaxMinor, inv.Currency), inv.Currency)
						}
						r.problem(rec, columns[pr.Field], "%s", msg)
					}
				}
			}
		}
		p.existing, p.found = existing[engine.PaymentKey(p.row.Reference)]
		p.row.Hash = fingerprint(p.row.Reference, strconv.FormatInt(p.row.InvoiceID, 10),
			strconv.FormatInt(p.row.AmountMinor, 10), p.row.PaidAt.Format(time.RFC3339Nano))
	}
	return nil
}

func writePayments(r *run, batch []*record) error {
	var rows []store.PaymentRow
	var previous []int64
	for _, rec := range batch {
		if len(rec.probs) > 0 {
			continue
		}
		p := rec.val.(*paymentIn)
		if r.classify(p.existing, p.found, p.row.Hash) {
			rows = append(rows, p.row)
			if p.found && p.existing.Parent != p.row.InvoiceID {
				previous = append(previous, p.existing.Parent) // the invoice it moved from
			}
		}
	}
	return r.tx.UpsertPayments(r.ctx, rows, previous)
}
