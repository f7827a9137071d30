package delivery

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/recoup/recoup/calendar"
	"github.com/recoup/recoup/engine"
	"github.com/recoup/recoup/store"
)

// These tests run the dispatcher's policy without a database: a claim as
// the store would read it goes in, the plan the store would write comes
// out (decide in Go, then apply once).

type nopSender struct{}

func (nopSender) Send(context.Context, *Message) error { return nil }

type decideBundle struct {
	d   *Dispatcher
	now time.Time
}

func setupDecide(t *testing.T, withSMS bool) *decideBundle {
	t.Helper()
	now := time.Date(2026, 11, 17, 10, 0, 0, 0, time.UTC) // a Tuesday, in business hours
	d, err := New(nil, Config{}, Options{Now: func() time.Time { return now }, Worker: "w1"})
	if err != nil {
		t.Fatal(err)
	}
	d.senders[ChannelEmail] = nopSender{}
	if withSMS {
		d.senders[ChannelSMS] = nopSender{}
	}
	return &decideBundle{d: d, now: now}
}

// claim is a batch around one customer (id 7, owner user 1) and one
// invoice (id 70), with a rep, a manager and a director as users.
func (b *decideBundle) claim(rows []*store.OutboxRow, edit func(*store.OutboxClaim)) *store.OutboxClaim {
	c := &store.OutboxClaim{
		Claimed: len(rows), Rows: rows,
		Customers: map[int64]*store.OutboxCustomer{7: {ID: 7, Name: "Acme", Email: "ap@acme.test", Phone: "+1 555 0100", Locale: "en", OwnerID: 1}},
		Invoices: map[int64]*store.OutboxInvoice{70: {ID: 70, Number: "INV-70", Currency: "USD", AmountMinor: 50000, BalanceMinor: 50000,
			Due: calendar.Of(b.now.AddDate(0, 0, -10)), Status: "overdue"}},
		Users: []store.OutboxUser{{ID: 1, Email: "Rep@Example.test", Role: "sales_rep"}, {ID: 2, Email: "mgr@example.test", Role: "sales_manager"},
			{ID: 3, Email: "dir@example.test", Role: "finance_director"}},
		Contacts: map[int64][]time.Time{},
	}
	if edit != nil {
		edit(c)
	}
	return c
}

func (b *decideBundle) decide(c *store.OutboxClaim) (*store.OutboxPlan, Stats) {
	rows := make([]*row, len(c.Rows))
	for i, r := range c.Rows {
		rows[i] = rowOf(r)
	}
	dc := &decider{d: b.d, sn: snapshotOf(c), p: &plan{now: b.now}, loc: time.UTC, company: "Recoup Ltd"}
	dc.decide(rows)
	return dc.storePlan(), dc.p.st
}

// customerRow is a customer-facing email reminder about INV-70, made an
// hour ago.
func (b *decideBundle) customerRow(id int64, key string) *store.OutboxRow {
	return &store.OutboxRow{ID: id, Key: key, Channel: ChannelEmail, Template: "reminder", Locale: "en", Subject: "Reminder " + key,
		Body: "Please pay.", InvoiceID: 70, CustomerID: 7, Status: StatusPending, Attempts: 0, CreatedAt: b.now.Add(-time.Hour)}
}

// render lists a plan in a comparable form, one line per write.
func render(p *store.OutboxPlan) []string {
	var out []string
	ref := func(id int64, digest int) string {
		if digest != 0 {
			return fmt.Sprintf("digest#%d", digest)
		}
		return fmt.Sprintf("row %d", id)
	}
	for _, d := range p.Digests {
		out = append(out, fmt.Sprintf("new digest %s to %s (%s)", d.Key[:strings.LastIndex(d.Key, "/")], d.Recipient, d.Subject))
	}
	for _, t := range p.Tasks {
		out = append(out, fmt.Sprintf("task %s %q for user %d role %s", t.Key, t.Title, t.AssigneeID, t.Role))
	}
	for _, m := range p.InApp {
		out = append(out, fmt.Sprintf("in-app %s to user %d: %s", m.Key, m.UserID, m.Title))
	}
	names := map[int]string{store.DecideSend: "send", store.DecideDelay: "delay", store.DecideSuppress: "suppress", store.DecideDelivered: "delivered"}
	for _, d := range p.Decisions {
		l := ref(d.ID, d.Digest) + ": " + names[d.Do]
		if d.Contact {
			l += " (contact)"
		}
		if !d.Until.IsZero() {
			l += " until " + d.Until.Format(time.RFC3339)
		}
		if d.MergedInto != 0 {
			l += fmt.Sprintf(" into digest#%d", d.MergedInto)
		}
		if d.Reason != "" {
			l += ": " + d.Reason
		}
		out = append(out, l)
	}
	for _, e := range p.Events {
		out = append(out, fmt.Sprintf("event %s %s: %s", ref(e.ID, e.Digest), e.Event, e.Reason))
	}
	return out
}

func TestDecide(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name    string
		withSMS bool
		rows    func(b *decideBundle) []*store.OutboxRow
		edit    func(b *decideBundle, c *store.OutboxClaim)
		want    []string
	}{
		{
			name: "a due reminder is claimed as a customer contact",
			rows: func(b *decideBundle) []*store.OutboxRow { return []*store.OutboxRow{b.customerRow(1, "r1")} },
			want: []string{"row 1: send (contact)"},
		},
		{
			name: "do-not-contact suppresses",
			rows: func(b *decideBundle) []*store.OutboxRow { return []*store.OutboxRow{b.customerRow(1, "r1")} },
			edit: func(_ *decideBundle, c *store.OutboxClaim) { c.Customers[7].DoNotContact = true },
			want: []string{
				"row 1: suppress: customer Acme is marked do-not-contact",
				"event row 1 suppressed: customer Acme is marked do-not-contact",
			},
		},
		{
			name: "a paid invoice suppresses",
			rows: func(b *decideBundle) []*store.OutboxRow { return []*store.OutboxRow{b.customerRow(1, "r1")} },
			edit: func(_ *decideBundle, c *store.OutboxClaim) { c.Invoices[70].BalanceMinor = 0 },
			want: []string{
				"row 1: suppress: invoice INV-70 is paid (balance USD 0.00)",
				"event row 1 suppressed: invoice INV-70 is paid (balance USD 0.00)",
			},
		},
		{
			name: "a message waiting longer than max_delay is stale",
			rows: func(b *decideBundle) []*store.OutboxRow {
				r := b.customerRow(1, "r1")
				r.CreatedAt = b.now.Add(-8 * 24 * time.Hour)
				return []*store.OutboxRow{r}
			},
			want: []string{
				"row 1: suppress: stale: waited 192h0m0s, longer than max_delay 168h0m0s",
				"event row 1 suppressed: stale: waited 192h0m0s, longer than max_delay 168h0m0s",
			},
		},
		{
			name:    "no email address: rerouted to SMS",
			withSMS: true,
			rows:    func(b *decideBundle) []*store.OutboxRow { return []*store.OutboxRow{b.customerRow(1, "r1")} },
			edit:    func(_ *decideBundle, c *store.OutboxClaim) { c.Customers[7].Email = "" },
			want: []string{
				"row 1: send (contact)",
				`event row 1 rerouted: no valid email address (""): rerouted to SMS +1 555 0100`,
			},
		},
		{
			name: "no email address and no SMS gateway: a task for the owner",
			rows: func(b *decideBundle) []*store.OutboxRow { return []*store.OutboxRow{b.customerRow(1, "r1")} },
			edit: func(_ *decideBundle, c *store.OutboxClaim) { c.Customers[7].Email = "not an address" },
			want: []string{
				`task delivery/fallback/r1 "Contact Acme: Reminder r1" for user 1 role sales_rep`,
				"row 1: suppress: no valid email address and no phone number: task delivery/fallback/r1 created for the account owner",
				"event row 1 rerouted: no valid email address and no phone number: task delivery/fallback/r1 created for the account owner",
			},
		},
		{
			name: "two reminders to one address merge into a digest",
			rows: func(b *decideBundle) []*store.OutboxRow {
				return []*store.OutboxRow{b.customerRow(1, "r1"), b.customerRow(2, "r2")}
			},
			want: []string{
				"new digest digest/customer/7/email/2026-11-17 to ap@acme.test (1 invoices from Recoup Ltd are awaiting payment)",
				"row 1: suppress into digest#1: merged into digest digest/customer/7/email/2026-11-17/" + digestHash("r1", "r2") + " with 2 messages",
				"row 2: suppress into digest#1: merged into digest digest/customer/7/email/2026-11-17/" + digestHash("r1", "r2") + " with 2 messages",
				"digest#1: send (contact)",
				"event row 1 merged: merged into digest digest/customer/7/email/2026-11-17/" + digestHash("r1", "r2") + " with 2 messages",
				"event row 2 merged: merged into digest digest/customer/7/email/2026-11-17/" + digestHash("r1", "r2") + " with 2 messages",
				"event digest#1 digest: digest of 2 messages: r1, r2",
			},
		},
		{
			name: "a recent contact holds the next message back until the cap frees",
			rows: func(b *decideBundle) []*store.OutboxRow { return []*store.OutboxRow{b.customerRow(1, "r1")} },
			edit: func(b *decideBundle, c *store.OutboxClaim) { c.Contacts[7] = []time.Time{b.now.Add(-24 * time.Hour)} },
			want: []string{
				"row 1: delay until 2026-11-19T10:00:00Z: frequency cap: at most 1 message(s) per 72h0m0s to Acme, last at 2026-11-16 10:00 UTC; waits until 2026-11-19 10:00 UTC",
				"event row 1 delayed: frequency cap: at most 1 message(s) per 72h0m0s to Acme, last at 2026-11-16 10:00 UTC; waits until 2026-11-19 10:00 UTC",
			},
		},
		{
			name: "quiet hours in the customer's zone delay",
			rows: func(b *decideBundle) []*store.OutboxRow { return []*store.OutboxRow{b.customerRow(1, "r1")} },
			edit: func(_ *decideBundle, c *store.OutboxClaim) { c.Customers[7].TimeZone = "America/Los_Angeles" }, // 02:00 there
			want: []string{
				"row 1: delay until 2026-11-17T16:00:00Z: quiet hours 21:00–08:00 in America/Los_Angeles (02:00 local): waits until 2026-11-17 08:00 PST",
				"event row 1 delayed: quiet hours 21:00–08:00 in America/Los_Angeles (02:00 local): waits until 2026-11-17 08:00 PST",
			},
		},
		{
			name: "in-app to a role reaches each of its users, delivered by the claim",
			rows: func(b *decideBundle) []*store.OutboxRow {
				return []*store.OutboxRow{{ID: 5, Key: "n1", Channel: ChannelInApp, Role: "sales_manager", Subject: "Escalated", Body: "INV-70",
					InvoiceID: 70, CustomerID: 7, Status: StatusPending, CreatedAt: b.now}}
			},
			want: []string{"in-app n1 to user 2: Escalated", "row 5: delivered"},
		},
		{
			name: "a notice about a Chinese customer reads in each manager's language",
			rows: func(b *decideBundle) []*store.OutboxRow {
				return []*store.OutboxRow{{ID: 7, Key: "n2", Channel: ChannelInApp, Role: "sales_manager", Locale: "zh-CN",
					Subject: "升级：INV-70", Body: "请跟进", Texts: map[string]engine.Text{"en": {Title: "Escalated: INV-70", Body: "Follow up"}},
					InvoiceID: 70, CustomerID: 7, Status: StatusPending, CreatedAt: b.now}}
			},
			edit: func(b *decideBundle, c *store.OutboxClaim) {
				c.Users[1].Language = "en"
				c.Users = append(c.Users, store.OutboxUser{ID: 4, Email: "mgr2@example.test", Role: "sales_manager", Language: "zh-CN"},
					store.OutboxUser{ID: 5, Email: "mgr3@example.test", Role: "sales_manager"})
			},
			want: []string{"in-app n2 to user 2: Escalated: INV-70", "in-app n2 to user 4: 升级：INV-70", "in-app n2 to user 5: 升级：INV-70", "row 7: delivered"},
		},
		{
			name: "a staff email to a role nobody holds is suppressed",
			rows: func(b *decideBundle) []*store.OutboxRow {
				return []*store.OutboxRow{{ID: 6, Key: "s1", Channel: ChannelEmail, Role: "admin", Subject: "x", Status: StatusPending, CreatedAt: b.now}}
			},
			want: []string{`row 6: suppress: no active user for role "admin"`, `event row 6 suppressed: no active user for role "admin"`},
		},
		{
			name: "a row whose lease ran out is recovered and sent again",
			rows: func(b *decideBundle) []*store.OutboxRow {
				r := b.customerRow(1, "r1")
				r.Status, r.Attempts = StatusSending, 1
				return []*store.OutboxRow{r}
			},
			want: []string{
				"row 1: send (contact)",
				"event row 1 recovered: claim lease expired (dispatcher stopped before recording the outcome); sending again with the same key",
			},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			b := setupDecide(t, tc.withSMS)
			c := b.claim(tc.rows(b), func(c *store.OutboxClaim) {
				if tc.edit != nil {
					tc.edit(b, c)
				}
			})
			p, _ := b.decide(c)
			got := render(p)
			if strings.Join(got, "\n") != strings.Join(tc.want, "\n") {
				t.Errorf("plan:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tc.want, "\n"))
			}
			if p.Worker != "w1" || !p.Lease.Equal(b.now.Add(time.Duration(b.d.cfg.Lease))) {
				t.Errorf("worker %q lease %s", p.Worker, p.Lease)
			}
		})
	}
}

// digestHash is the end of a digest's key: its members' keys, hashed.
func digestHash(keys ...string) string {
	sort.Strings(keys)
	h := sha256.Sum256([]byte(strings.Join(keys, "\n")))
	return hex.EncodeToString(h[:6])
}

// TestOutcomes decides what each send left, as RecordOutbox writes it.
func TestOutcomes(t *testing.T) {
	t.Parallel()
	b := setupDecide(t, true)
	cust := &customer{id: 7, name: "Acme", phone: "+1 555 0100"}
	sendOf := func(id int64, attempts int, channel string, facing bool) *item {
		return &item{row: &row{id: id, key: fmt.Sprintf("k%d", id), channel: channel, subject: "Pay INV-70", body: "Please pay.", attempts: attempts},
			channel: channel, to: []string{"ap@acme.test"}, cust: cust, facing: facing}
	}
	p := &plan{now: b.now, sends: []*item{
		sendOf(1, 1, ChannelEmail, true),
		sendOf(2, 1, ChannelEmail, false),
		sendOf(3, b.d.cfg.MaxAttempts, ChannelEmail, false),
		sendOf(4, 1, ChannelEmail, false),
		sendOf(5, 1, ChannelEmail, true),
	}}
	results := []error{nil, errors.New("timeout"), errors.New("timeout"), Permanent(errors.New("550 no such user")), Permanent(errors.New("550 no such user"))}
	outs, events := b.d.outcomes(p, results, b.now)
	retryAt := b.now.Add(b.d.backoff("k2", 1))
	want := []store.OutboxOutcome{
		{ID: 1, Do: store.OutcomeSent},
		{ID: 2, Do: store.OutcomeRetry, At: retryAt, Error: "timeout"},
		{ID: 3, Do: store.OutcomeDead, Error: "timeout", Reason: fmt.Sprintf("gave up after %d attempts", b.d.cfg.MaxAttempts)},
		{ID: 4, Do: store.OutcomeDead, Error: "550 no such user", Reason: "permanent failure"},
		{ID: 5, Do: store.OutcomeSMS, At: b.now, Error: "550 no such user", Phone: "+1 555 0100", Text: "Pay INV-70",
			Reason: "email to ap@acme.test rejected, rerouted to SMS +1 555 0100: 550 no such user"},
	}
	if len(outs) != len(want) {
		t.Fatalf("got %d outcomes, want %d: %+v", len(outs), len(want), outs)
	}
	for i := range want {
		if outs[i] != want[i] {
			t.Errorf("outcome %d:\ngot  %+v\nwant %+v", i, outs[i], want[i])
		}
	}
	var evs []string
	for _, e := range events {
		evs = append(evs, fmt.Sprintf("%d %s: %s", e.ID, e.Event, e.Reason))
	}
	wantEvents := []string{
		fmt.Sprintf("2 retry: attempt 1 failed, next at %s: timeout", retryAt.Format(time.RFC3339)),
		fmt.Sprintf("3 dead: gave up after %d attempts: timeout", b.d.cfg.MaxAttempts),
		"4 dead: permanent failure: 550 no such user",
		"5 rerouted: email to ap@acme.test rejected, rerouted to SMS +1 555 0100: 550 no such user",
	}
	if strings.Join(evs, "\n") != strings.Join(wantEvents, "\n") {
		t.Errorf("events:\n%s\nwant:\n%s", strings.Join(evs, "\n"), strings.Join(wantEvents, "\n"))
	}
	if st := p.st; st.Sent != 1 || st.Retried != 1 || st.Dead != 2 || st.Rerouted != 1 {
		t.Errorf("stats %+v", st)
	}
}

// TestStaffMailLanguage: a staff e-mail is written in the language its
// readers chose when they all chose the same one its template has;
// otherwise it keeps its own (the customer's).
func TestStaffMailLanguage(t *testing.T) {
	b := setupDecide(t, false)
	r := &row{key: "s", channel: ChannelEmail, locale: "zh-CN", subject: "升级：INV-70", body: "请跟进",
		texts: map[string]engine.Text{"en": {Title: "Escalated: INV-70", Body: "Follow up"}}}
	for _, c := range []struct {
		readers []user
		want    string
	}{
		{[]user{{language: "en"}, {language: "en"}}, "Escalated: INV-70"},
		{[]user{{language: "en"}, {language: "zh-CN"}}, "升级：INV-70"},
		{[]user{{language: "en"}, {language: ""}}, "升级：INV-70"},
		{[]user{{language: "zh-CN"}}, "升级：INV-70"},
		{nil, "升级：INV-70"},
	} {
		m := b.d.message(&item{row: r, channel: ChannelEmail, to: []string{"x@example.test"}, language: commonLanguage(c.readers)}, "Recoup Ltd")
		if m.Subject != c.want || (c.want == "Escalated: INV-70") != (m.Locale == "en" && m.Text == "Follow up") {
			t.Errorf("readers %+v: %q (%s) %q, want %q", c.readers, m.Subject, m.Locale, m.Text, c.want)
		}
	}
}
