package delivery_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/recoup/recoup/delivery"
	"github.com/recoup/recoup/store"
	"github.com/recoup/recoup/store/storetest"
)

// TestWebhookEvents: ledger effects become signed webhook events, each
// queued once, with an idempotency key derived from the effect's key.
func TestWebhookEvents(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		rcv := startEndpoint(t, 500) // the first delivery fails and is retried
		f := newFixture(t, s, "UTC")
		now := time.Date(2026, 3, 17, 10, 0, 0, 0, time.UTC)
		c := f.customer(cust{Email: "a@customer.example"})
		inv := f.invoice(c, "INV-77", 500_00, "2026-03-01")
		id := 10 // ids from 10, so that a late commit can take a lower one
		effect := func(key, kind, source, field, value, detail string) {
			f.exec(`INSERT INTO effects (id, key, at, kind, source, invoice_id, customer_id, field, value, detail) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
				id, key, now, kind, source, inv, c, field, value, detail)
			id++
		}
		effect("rule/mark-overdue/invoice/1#0/invoice.status", "set", "mark-overdue", "invoice.status", "overdue", `{"old_value":"open"}`)
		effect("rule/risk/invoice/1#0/customer.risk", "set", "risk", "customer.risk", "high", `{}`) // not an event
		effect("workflow/escalation/invoice/1/call#node", "node", "escalation", "", "", `{"rule":"escalation","node":"call","event":"entered"}`)
		effect("workflow/escalation/invoice/1/call#1", "task", "escalation", "", "", `{"title":"Call Acme","assignee":"rep@demo.example"}`)
		clk := &clock{t: now}
		cfg := delivery.Config{Webhook: &delivery.WebhookConfig{HTTPConfig: delivery.HTTPConfig{URL: rcv.URL, Secret: "whsec"},
			Events: []string{delivery.EventInvoiceOverdue, delivery.EventNodeEntered, delivery.EventTaskCreated, delivery.EventApprovalDecided}}, Workers: 1}
		d := dispatcher(t, s, cfg, clk)
		st := runOnce(t, d)
		if st.Webhooks != 3 || st.Sent != 2 || st.Retried != 1 {
			t.Fatalf("stats %+v, want 3 queued, 2 sent, 1 retried", st)
		}
		clk.Add(time.Hour)
		if st := runOnce(t, d); st.Webhooks != 0 || st.Sent != 1 {
			t.Fatalf("second run %+v, want nothing new queued and the retry sent", st)
		}
		// An effect committed late with an id below the cursor (concurrent
		// tick batches) is still queued, once.
		f.exec(`INSERT INTO effects (id, key, at, kind, source, invoice_id, customer_id, field, value, detail) VALUES (1, ?, ?, 'task', 'escalation', ?, ?, '', '', ?)`,
			"workflow/escalation/invoice/1/late#0", now, inv, c, `{"title":"Late task"}`)
		// An approval decided through the task API (audit log).
		f.exec(`INSERT INTO tasks (id, key, kind, title, status, invoice_id, customer_id, created_at, updated_at) VALUES (900, 'workflow/escalation/invoice/1/decision#approval', 'approval', 'Decide INV-77', 'done', ?, ?, ?, ?)`, inv, c, now, now)
		f.exec(`INSERT INTO audit_log (at, actor, action, entity, entity_id, invoice_id, detail) VALUES (?, 'director@demo.example', 'task.completed', 'task', 900, ?, ?)`,
			now, inv, `{"key":"workflow/escalation/invoice/1/decision#approval","outcome":{"decision":"payment_plan"}}`)
		if st := runOnce(t, d); st.Webhooks != 2 || st.Sent != 2 {
			t.Fatalf("third run %+v, want the late effect and the decision queued and sent", st)
		}
		if st := runOnce(t, d); st.Webhooks != 0 || st.Sent != 0 {
			t.Fatalf("fourth run %+v, want nothing", st)
		}
		hits := rcv.received()
		if len(hits) != 6 {
			t.Fatalf("%d requests, want 6", len(hits))
		}
		byKey := map[string]map[string]any{}
		for _, h := range hits {
			key := h.Header.Get(delivery.HeaderIdempotencyKey)
			ev := mustJSON(t, h.Body)
			if ev["id"] != key || h.Header.Get(delivery.HeaderEvent) != ev["type"] {
				t.Errorf("key %q, event header %q, body %v", key, h.Header.Get(delivery.HeaderEvent), ev)
			}
			sig := h.Header.Get(delivery.HeaderSignature)
			var ts int64
			if _, err := fmtSscanf(sig, &ts); err != nil || delivery.Sign("whsec", time.Unix(ts, 0), h.Body) != sig {
				t.Errorf("signature %q does not verify", sig)
			}
			byKey[key] = ev
		}
		ov := byKey["webhook/invoice.overdue/rule/mark-overdue/invoice/1#0/invoice.status"]
		if ov == nil {
			t.Fatalf("no invoice.overdue event in %v", byKey)
		}
		data := ov["data"].(map[string]any)
		if data["invoice_number"] != "INV-77" || data["old_status"] != "open" {
			t.Errorf("overdue data %v", data)
		}
		if n := byKey["webhook/workflow.node_entered/workflow/escalation/invoice/1/call#node"]; n == nil || n["data"].(map[string]any)["node"] != "call" {
			t.Errorf("node event %v", n)
		}
		if n := byKey["webhook/task.created/workflow/escalation/invoice/1/call#1"]; n == nil || n["data"].(map[string]any)["title"] != "Call Acme" {
			t.Errorf("task event %v", n)
		}
		if n := byKey["webhook/approval.decided/workflow/escalation/invoice/1/decision#approval"]; n == nil ||
			n["data"].(map[string]any)["decided_by"] != "director@demo.example" || n["data"].(map[string]any)["outcome"].(map[string]any)["decision"] != "payment_plan" {
			t.Errorf("approval event %v", n)
		}
		if byKey["webhook/task.created/workflow/escalation/invoice/1/late#0"] == nil {
			t.Error("the late effect was not sent")
		}
	})
}

// TestReplicasShareTheOutbox: several dispatchers on one PostgreSQL
// outbox send every message exactly once and keep the frequency cap.
func TestReplicasShareTheOutbox(t *testing.T) {
	t.Parallel()
	s := storetest.Postgres(t)
	ss := startSMTP(t)
	f := newFixture(t, s, "UTC")
	now := time.Date(2026, 3, 17, 10, 0, 0, 0, time.UTC)
	const customers, perCustomer = 40, 3
	for i := range customers {
		c := f.customer(cust{Email: "ap" + itoa(i) + "@customer.example"})
		for j := range perCustomer {
			f.enqueue(msg{Key: "k/" + itoa(i) + "/" + itoa(j), Channel: "email", To: "ap" + itoa(i) + "@customer.example",
				Subject: "s", Body: "b", Customer: c, At: now})
		}
	}
	clk := &clock{t: now}
	var wg sync.WaitGroup
	errs := make(chan error, 4)
	for r := range 4 {
		d, err := delivery.New(s, delivery.Config{Email: smtpConfig(ss), Batch: 7, Workers: 2, Policy: delivery.Policy{NoDigest: true}},
			delivery.Options{Now: clk.Now, Worker: "replica-" + itoa(r)})
		if err != nil {
			t.Fatal(err)
		}
		defer d.Close()
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 3 {
				if _, err := d.RunOnce(context.Background()); err != nil {
					errs <- err
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	seen := map[string]int{}
	perCust := map[string]int{}
	for _, m := range ss.messages() {
		seen[headerOf(t, m.Data, "Message-Id")]++
		perCust[m.To[0]]++
	}
	for id, n := range seen {
		if n != 1 {
			t.Errorf("%s sent %d times", id, n)
		}
	}
	if len(perCust) != customers {
		t.Errorf("%d customers reached, want %d", len(perCust), customers)
	}
	for c, n := range perCust {
		if n != 1 {
			t.Errorf("%s received %d messages, want 1 (cap: 1 per 72h)", c, n)
		}
	}
	if n := f.count(`SELECT COUNT(*) FROM outbox WHERE status = 'pending' AND reason LIKE 'frequency cap%'`); n != customers*(perCustomer-1) {
		t.Errorf("%d messages waiting for the cap, want %d", n, customers*(perCustomer-1))
	}
}
