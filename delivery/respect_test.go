package delivery_test

import (
	"strings"
	"testing"
	"time"

	"github.com/recoup/recoup/delivery"
	"github.com/recoup/recoup/store"
	"github.com/recoup/recoup/store/storetest"
)

// env is what a respect scenario works with.
type env struct {
	t    *testing.T
	f    *fixture
	smtp *smtpServer
	sms  *endpoint
	clk  *clock
	d    *delivery.Dispatcher
}

func (e *env) run() delivery.Stats { return runOnce(e.t, e.d) }

func (e *env) emailsTo(addr string) []received {
	var out []received
	for _, m := range e.smtp.messages() {
		for _, to := range m.To {
			if to == addr {
				out = append(out, m)
			}
		}
	}
	return out
}

func (e *env) wantState(key, status, reason string) {
	e.t.Helper()
	st := e.f.state(key)
	if st.Status != status || !strings.Contains(st.Reason, reason) {
		e.t.Errorf("%s: status %q reason %q, want %q with %q", key, st.Status, st.Reason, status, reason)
	}
}

// TestRespect runs the contact policy end to end: rows as the tick writes
// them, a real SMTP server and SMS gateway, one dispatcher.
func TestRespect(t *testing.T) {
	t.Parallel()
	tue10 := time.Date(2026, 3, 17, 10, 0, 0, 0, time.UTC) // Tuesday 10:00 UTC
	for _, tc := range []struct {
		name string
		now  time.Time
		run  func(e *env)
	}{
		{"quiet hours in the customer's zone", time.Date(2026, 3, 16, 15, 0, 0, 0, time.UTC), func(e *env) {
			c := e.f.customer(cust{Email: "night@customer.example", Zone: "Asia/Shanghai"})
			e.f.enqueue(msg{Key: "q", Channel: "email", To: "night@customer.example", Subject: "s", Body: "b", Customer: c, At: e.clk.Now()})
			if st := e.run(); st.Delayed != 1 || st.Sent != 0 {
				e.t.Fatalf("stats %+v, want delayed", st)
			}
			e.wantState("q", "pending", "quiet hours 21:00–08:00 in Asia/Shanghai (23:00 local): waits until 2026-03-17 08:00 CST")
			if st := e.f.state("q"); !st.NextAttempt.Equal(time.Date(2026, 3, 17, 0, 0, 0, 0, time.UTC)) {
				e.t.Errorf("next attempt %s", st.NextAttempt)
			}
			e.clk.Set(time.Date(2026, 3, 17, 0, 0, 0, 0, time.UTC))
			if st := e.run(); st.Sent != 1 {
				e.t.Errorf("at 08:00 local: %+v, want sent", st)
			}
		}},
		{"a delayed message does not hold up the others", time.Date(2026, 3, 16, 15, 0, 0, 0, time.UTC), func(e *env) {
			sh := e.f.customer(cust{Email: "sh@customer.example", Zone: "Asia/Shanghai"})       // 23:00
			la := e.f.customer(cust{Email: "la@customer.example", Zone: "America/Los_Angeles"}) // 08:00
			e.f.enqueue(msg{Key: "sh", Channel: "email", To: "sh@customer.example", Subject: "s", Body: "b", Customer: sh, At: e.clk.Now()})
			e.f.enqueue(msg{Key: "la", Channel: "email", To: "la@customer.example", Subject: "s", Body: "b", Customer: la, At: e.clk.Now()})
			if st := e.run(); st.Delayed != 1 || st.Sent != 1 {
				e.t.Errorf("stats %+v, want 1 delayed and 1 sent", st)
			}
			e.wantState("sh", "pending", "quiet hours")
			e.wantState("la", "sent", "")
		}},
		{"weekend and DST in New York", time.Date(2026, 3, 7, 15, 0, 0, 0, time.UTC), func(e *env) {
			c := e.f.customer(cust{Email: "ny@customer.example", Zone: "America/New_York"})
			e.f.enqueue(msg{Key: "w", Channel: "email", To: "ny@customer.example", Subject: "s", Body: "b", Customer: c, At: e.clk.Now()})
			e.run()
			e.wantState("w", "pending", "Sat 2026-03-07 is not a business day")
			if st := e.f.state("w"); !st.NextAttempt.Equal(time.Date(2026, 3, 9, 12, 0, 0, 0, time.UTC)) {
				e.t.Errorf("next attempt %s, want Monday 08:00 EDT (12:00 UTC)", st.NextAttempt)
			}
		}},
		{"frequency cap across days", tue10, func(e *env) {
			c := e.f.customer(cust{Email: "capped@customer.example"})
			old := e.f.enqueue(msg{Key: "earlier", Channel: "sms", To: "+15550100", Body: "b", Customer: c, At: tue10.Add(-24 * time.Hour)})
			e.f.exec(`UPDATE outbox SET status = 'sent', sent_at = ?, contact_at = ? WHERE id = ?`, tue10.Add(-24*time.Hour), tue10.Add(-24*time.Hour), old)
			e.f.enqueue(msg{Key: "later", Channel: "email", To: "capped@customer.example", Subject: "s", Body: "b", Customer: c, At: tue10})
			e.run()
			e.wantState("later", "pending", "frequency cap: at most 1 message(s) per 72h0m0s")
			if st := e.f.state("later"); !st.NextAttempt.Equal(tue10.Add(48 * time.Hour)) {
				e.t.Errorf("next attempt %s, want Thursday 10:00", st.NextAttempt)
			}
			e.clk.Set(tue10.Add(48 * time.Hour))
			if st := e.run(); st.Sent != 1 {
				e.t.Errorf("when the window opens: %+v, want sent", st)
			}
		}},
		{"one contact across channels", tue10, func(e *env) {
			c := e.f.customer(cust{Email: "both@customer.example", Phone: "+15550101"})
			e.f.enqueue(msg{Key: "n/email", Channel: "email", To: "both@customer.example", Subject: "s", Body: "b", Customer: c, At: tue10})
			e.f.enqueue(msg{Key: "n/sms", Channel: "sms", To: "+15550101", Body: "b", Customer: c, At: tue10})
			e.run()
			e.wantState("n/email", "sent", "")
			e.wantState("n/sms", "pending", "frequency cap")
			if n := len(e.sms.received()); n != 0 {
				e.t.Errorf("%d SMS sent, want 0", n)
			}
		}},
		{"digest of several invoices", tue10, func(e *env) {
			c := e.f.customer(cust{Name: "Acme Ltd.", Email: "ap@acme.example"})
			for i, n := range []string{"INV-1", "INV-2", "INV-3"} {
				inv := e.f.invoice(c, n, int64(1000_00*(i+1)), "2026-03-01")
				e.f.enqueue(msg{Key: "d/" + n, Channel: "email", To: "ap@acme.example", Template: "reminder-email", Subject: "Reminder " + n, Body: "b", Invoice: inv, Customer: c, At: tue10})
			}
			st := e.run()
			if st.Digests != 1 || st.Merged != 3 || st.Sent != 1 {
				e.t.Fatalf("stats %+v, want one digest of 3 sent", st)
			}
			got := e.emailsTo("ap@acme.example")
			if len(got) != 1 {
				e.t.Fatalf("%d emails, want 1", len(got))
			}
			m, parts := parseMIME(e.t, got[0].Data)
			if s := m.Header.Get("Subject"); s != "3 invoices from Demo Trading Co. are awaiting payment" {
				e.t.Errorf("subject %q", s)
			}
			body := string(parts[0].Body)
			for _, want := range []string{"Invoice INV-1: CNY 1,000.00, due Mar 1, 2026 (16 days overdue)", "INV-2", "INV-3", "Total: CNY 6,000.00"} {
				if !strings.Contains(body, want) {
					e.t.Errorf("digest body lacks %q:\n%s", want, body)
				}
			}
			if !strings.HasPrefix(m.Header.Get("Message-Id"), "<digest/customer/") {
				e.t.Errorf("Message-ID %q", m.Header.Get("Message-Id"))
			}
			for _, n := range []string{"INV-1", "INV-2", "INV-3"} {
				st := e.f.state("d/" + n)
				if st.Status != "suppressed" || st.MergedInto == nil || !strings.HasPrefix(st.Reason, "merged into digest digest/customer/") {
					e.t.Errorf("member %s: %+v", n, st)
				}
			}
		}},
		{"fallback: no email address goes by SMS", tue10, func(e *env) {
			c := e.f.customer(cust{Phone: "+8613800138000", Locale: "zh-CN"})
			e.f.enqueue(msg{Key: "f/sms", Channel: "email", To: "", Locale: "zh-CN", Subject: "温馨提醒：发票 INV-9 已过付款期", Body: "long body", Customer: c, At: tue10})
			st := e.run()
			if st.Rerouted != 1 || st.Sent != 1 {
				e.t.Fatalf("stats %+v", st)
			}
			hits := e.sms.received()
			if len(hits) != 1 {
				e.t.Fatalf("%d SMS, want 1", len(hits))
			}
			body := mustJSON(e.t, hits[0].Body)
			if body["to"] != "+8613800138000" || body["text"] != "温馨提醒：发票 INV-9 已过付款期 回复TD退订" {
				e.t.Errorf("SMS %v", body)
			}
			e.wantState("f/sms", "sent", "")
			if ev := e.f.events("f/sms"); len(ev) != 1 || !strings.Contains(ev[0], `rerouted: no valid email address (""): rerouted to SMS +8613800138000`) {
				e.t.Errorf("events %q", ev)
			}
		}},
		{"fallback: a rejected address goes by SMS", tue10, func(e *env) {
			c := e.f.customer(cust{Email: "rejected@customer.example", Phone: "+15550199"})
			e.f.enqueue(msg{Key: "f/bounce", Channel: "email", To: "rejected@customer.example", Subject: "Reminder: INV-5 is past due", Body: "long", Customer: c, At: tue10})
			if st := e.run(); st.Rerouted != 1 || st.Sent != 0 {
				e.t.Fatalf("stats %+v, want the bounce rerouted", st)
			}
			e.wantState("f/bounce", "pending", "email to rejected@customer.example rejected, rerouted to SMS +15550199")
			if st := e.run(); st.Sent != 1 {
				e.t.Fatalf("stats %+v, want the SMS sent", st)
			}
			hits := e.sms.received()
			if len(hits) != 1 || mustJSON(e.t, hits[0].Body)["text"] != "Reminder: INV-5 is past due Reply STOP to opt out." {
				e.t.Errorf("SMS %d: %s", len(hits), hits)
			}
			if st := e.f.state("f/bounce"); st.Status != "sent" || st.Channel != "sms" {
				e.t.Errorf("%+v", st)
			}
		}},
		{"fallback: no address at all becomes a task for the owner", tue10, func(e *env) {
			c := e.f.customer(cust{Name: "Ghost Co."})
			e.f.enqueue(msg{Key: "f/task", Channel: "email", Subject: "Reminder", Body: "b", Customer: c, At: tue10})
			e.run()
			e.wantState("f/task", "suppressed", "no valid email address and no phone number: task delivery/fallback/f/task created for the account owner")
			if n := e.f.count(`SELECT COUNT(*) FROM tasks WHERE key = ? AND assignee_id = ? AND status = 'open' AND title = ?`, "delivery/fallback/f/task", e.f.owner, "Contact Ghost Co.: Reminder"); n != 1 {
				e.t.Errorf("%d fallback tasks for the owner, want 1", n)
			}
		}},
		{"do not contact", tue10, func(e *env) {
			c := e.f.customer(cust{Name: "Quiet Co.", Email: "q@customer.example", DNC: true})
			e.f.enqueue(msg{Key: "dnc", Channel: "email", To: "q@customer.example", Subject: "s", Body: "b", Customer: c, At: tue10})
			e.run()
			e.wantState("dnc", "suppressed", "customer Quiet Co. is marked do-not-contact")
		}},
		{"nothing after payment", tue10, func(e *env) {
			c := e.f.customer(cust{Email: "paid@customer.example"})
			inv := e.f.invoice(c, "INV-PAID", 0, "2026-03-01")
			e.f.enqueue(msg{Key: "paid", Channel: "email", To: "paid@customer.example", Subject: "s", Body: "b", Invoice: inv, Customer: c, At: tue10})
			e.run()
			e.wantState("paid", "suppressed", "invoice INV-PAID is paid")
		}},
		{"stale after max delay", tue10, func(e *env) {
			c := e.f.customer(cust{Email: "stale@customer.example"})
			e.f.enqueue(msg{Key: "stale", Channel: "email", To: "stale@customer.example", Subject: "s", Body: "b", Customer: c, At: tue10.Add(-8 * 24 * time.Hour)})
			e.run()
			e.wantState("stale", "suppressed", "stale: waited 192h0m0s")
		}},
		{"staff by role: no cap, company hours", tue10, func(e *env) {
			c := e.f.customer(cust{Email: "cust@customer.example"})
			e.f.enqueue(msg{Key: "staff", Channel: "email", Role: "sales_manager", Subject: "Escalation", Body: "b", Customer: c, At: tue10})
			e.f.enqueue(msg{Key: "cust", Channel: "email", To: "cust@customer.example", Subject: "s", Body: "b", Customer: c, At: tue10})
			e.run()
			e.wantState("staff", "sent", "")
			e.wantState("cust", "sent", "")
			if n := len(e.emailsTo("boss@demo.example")); n != 1 {
				e.t.Errorf("%d emails to the manager, want 1", n)
			}
			if n := e.f.count(`SELECT COUNT(*) FROM outbox WHERE key = 'staff' AND contact_at IS NULL`); n != 1 {
				e.t.Error("a staff message counted against the customer's cap")
			}
		}},
		{"in-app for a role", tue10, func(e *env) {
			e.f.enqueue(msg{Key: "inapp", Channel: "in_app", Role: "sales_manager", Subject: "Risk raised", Body: "Customer X is now high risk", At: tue10})
			e.run()
			e.wantState("inapp", "sent", "")
			if n := e.f.count(`SELECT COUNT(*) FROM inapp_messages WHERE key = 'inapp' AND user_id = ? AND title = 'Risk raised' AND read_at IS NULL`, e.f.manager); n != 1 {
				e.t.Errorf("%d in-app messages, want 1", n)
			}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			storetest.Each(t, func(t *testing.T, s *store.Store) {
				e := &env{t: t, f: newFixture(t, s, "UTC"), smtp: startSMTP(t), sms: startEndpoint(t), clk: &clock{t: tc.now}}
				e.d = dispatcher(t, s, delivery.Config{Email: smtpConfig(e.smtp), SMS: &delivery.HTTPConfig{URL: e.sms.URL}}, e.clk)
				tc.run(e)
			})
		})
	}
}
