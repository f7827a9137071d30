package delivery

import (
	"context"
	"strings"
	"time"

	"github.com/recoup/recoup/calendar"
	"github.com/recoup/recoup/engine"
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
	texts      map[string]engine.Text // subject and body in other locales, for staff
	// digest is, for a digest this claim creates, its 1-based index in
	// the claim's plan until the store gives it an id.
	digest int
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
	disputed         bool
	hold             string
}

type user struct {
	id          int64
	email, role string
	language    string // "": the message's own
}

// snapshot is what one claim decides with.
type snapshot struct {
	customers map[int64]*customer
	invoices  map[int64]*invoice
	users     []user
	byEmail   map[string]*user
	contacts  map[int64][]time.Time // recent customer contacts, rows outside this claim
}

// rowOf is the dispatcher's view of a claimed outbox row.
func rowOf(r *store.OutboxRow) *row {
	return &row{id: r.ID, key: r.Key, channel: r.Channel, recipient: r.Recipient, role: r.Role, cc: r.Cc, template: r.Template,
		locale: r.Locale, subject: r.Subject, body: r.Body, texts: r.Texts, invoiceID: r.InvoiceID, customerID: r.CustomerID, status: r.Status,
		attempts: r.Attempts, createdAt: r.CreatedAt, payload: r.Payload}
}

// snapshotOf is what a claim decides with, as the dispatcher reads it:
// active users by lower-cased email.
func snapshotOf(c *store.OutboxClaim) *snapshot {
	sn := &snapshot{customers: make(map[int64]*customer, len(c.Customers)), invoices: make(map[int64]*invoice, len(c.Invoices)),
		byEmail: map[string]*user{}, contacts: c.Contacts}
	if sn.contacts == nil {
		sn.contacts = map[int64][]time.Time{}
	}
	for id, cu := range c.Customers {
		sn.customers[id] = &customer{id: cu.ID, name: cu.Name, email: cu.Email, phone: cu.Phone, finance: cu.FinanceEmail,
			locale: cu.Locale, tz: cu.TimeZone, owner: cu.OwnerID, dnc: cu.DoNotContact}
	}
	for id, iv := range c.Invoices {
		sn.invoices[id] = &invoice{id: iv.ID, number: iv.Number, currency: iv.Currency, amount: iv.AmountMinor, balance: iv.BalanceMinor,
			due: iv.Due, status: iv.Status, disputed: iv.Disputed, hold: iv.Hold}
	}
	for _, u := range c.Users {
		sn.users = append(sn.users, user{id: u.ID, email: strings.ToLower(u.Email), role: u.Role, language: u.Language})
	}
	for i := range sn.users {
		sn.byEmail[sn.users[i].email] = &sn.users[i]
	}
	return sn
}

// Event is one recorded decision about a message.
type Event = store.OutboxHistoryEvent

// Events returns the decisions recorded for the outbox row with key, oldest
// first: why a customer got, or did not get, a message.
func Events(ctx context.Context, s EventStore, key string) ([]Event, error) {
	return s.OutboxEvents(ctx, key)
}
