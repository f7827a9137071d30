package delivery_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/recoup/recoup/delivery"
	"github.com/recoup/recoup/store"
	"github.com/recoup/recoup/store/storetest"
)

// TestHTTPSend drives the HTTP channel against real loopback servers.
func TestHTTPSend(t *testing.T) {
	t.Parallel()
	at := time.Date(2026, 3, 16, 9, 0, 0, 0, time.UTC)
	m := &delivery.Message{Key: "rule/remind/invoice/7#0", Channel: "sms", To: []string{"+8613800138000"}, Text: "请付款", Locale: "zh-CN"}
	for _, tc := range []struct {
		name      string
		status    int
		delay     time.Duration
		wantErr   string
		permanent bool
	}{
		{name: "ok", status: 200},
		{name: "accepted", status: 202},
		{name: "server error", status: 500, wantErr: "500 Internal Server Error"},
		{name: "unavailable", status: 503, wantErr: "503"},
		{name: "rate limited", status: 429, wantErr: "429"},
		{name: "bad request", status: 400, wantErr: "400", permanent: true},
		{name: "unauthorized", status: 401, wantErr: "401", permanent: true},
		{name: "timeout", status: 200, delay: 2 * time.Second, wantErr: "Timeout"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := startEndpoint(t, tc.status)
			e.delay = tc.delay
			h, err := delivery.NewHTTP(delivery.HTTPConfig{URL: e.URL + "/sms?api_key=secret", Headers: map[string]string{"X-Tenant": "demo"},
				Secret: "s3cret", Timeout: delivery.Duration(200 * time.Millisecond)}, delivery.DefaultSMSBody, func() time.Time { return at })
			if err != nil {
				t.Fatal(err)
			}
			err = h.Send(context.Background(), m)
			if tc.wantErr == "" {
				if err != nil {
					t.Fatal(err)
				}
			} else {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v, want one mentioning %q", err, tc.wantErr)
				}
				if strings.Contains(err.Error(), "api_key") {
					t.Errorf("error leaks the query string: %v", err)
				}
				if delivery.IsPermanent(err) != tc.permanent {
					t.Errorf("permanent = %v, want %v", delivery.IsPermanent(err), tc.permanent)
				}
			}
			hits := e.received()
			if len(hits) != 1 {
				t.Fatalf("%d requests, want 1", len(hits))
			}
			hdr := hits[0].Header
			if hdr.Get(delivery.HeaderIdempotencyKey) != m.Key || hdr.Get("X-Tenant") != "demo" || hdr.Get("Content-Type") != "application/json" {
				t.Errorf("headers %v", hdr)
			}
			if got, want := hdr.Get(delivery.HeaderSignature), delivery.Sign("s3cret", at, hits[0].Body); got != want || !strings.HasPrefix(got, "t=1773651600,v1=") {
				t.Errorf("signature %q, want %q", got, want)
			}
			body := mustJSON(t, hits[0].Body)
			if body["to"] != "+8613800138000" || body["text"] != "请付款" || body["reference"] != m.Key {
				t.Errorf("body %v", body)
			}
		})
	}
}

// TestSMSRetryBackoffAndDeadLetter: a gateway that fails the first two
// times delivers on the third attempt with the same idempotency key; one
// that always fails dead-letters after MaxAttempts with the last error.
func TestSMSRetryBackoffAndDeadLetter(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		flaky := startEndpoint(t, 500, 503)
		f := newFixture(t, s, "Asia/Shanghai")
		now := time.Date(2026, 3, 16, 2, 0, 0, 0, time.UTC) // Monday 10:00 Shanghai
		c := f.customer(cust{Phone: "+8613800138000", Locale: "zh-CN"})
		f.enqueue(msg{Key: "k/sms", Channel: "sms", To: "+8613800138000", Locale: "zh-CN", Body: "请付款", Customer: c, At: now})
		clk := &clock{t: now}
		d := dispatcher(t, s, delivery.Config{SMS: &delivery.HTTPConfig{URL: flaky.URL, Secret: "k"}, BackoffBase: delivery.Duration(time.Minute)}, clk)
		var waits []time.Duration
		for range 3 {
			runOnce(t, d)
			st := f.state("k/sms")
			if st.Status == "sent" {
				break
			}
			waits = append(waits, st.NextAttempt.Sub(clk.Now()))
			clk.Set(st.NextAttempt)
		}
		if st := f.state("k/sms"); st.Status != "sent" || st.Attempts != 3 {
			t.Fatalf("%+v, want sent on attempt 3", st)
		}
		if len(waits) != 2 || waits[0] < 54*time.Second || waits[0] > 66*time.Second || waits[1] < 108*time.Second || waits[1] > 132*time.Second {
			t.Errorf("backoff %v, want ~1m then ~2m", waits)
		}
		hits := flaky.received()
		if len(hits) != 3 {
			t.Fatalf("%d requests, want 3", len(hits))
		}
		for _, h := range hits {
			if h.Header.Get(delivery.HeaderIdempotencyKey) != "k/sms" {
				t.Errorf("Idempotency-Key %q", h.Header.Get(delivery.HeaderIdempotencyKey))
			}
		}
		if ev := f.events("k/sms"); len(ev) != 2 || !strings.HasPrefix(ev[0], "retry: attempt 1 failed") || !strings.Contains(ev[1], "503") {
			t.Errorf("events %q", ev)
		}

		down := startEndpoint(t, 500, 500, 500, 500)
		c2 := f.customer(cust{Phone: "+8613900139000"})
		clk.Set(now)
		f.enqueue(msg{Key: "k/dead", Channel: "sms", To: "+8613900139000", Body: "pay", Customer: c2, At: now})
		d2 := dispatcher(t, s, delivery.Config{SMS: &delivery.HTTPConfig{URL: down.URL}, MaxAttempts: 3, Policy: delivery.Policy{CapWindow: delivery.Duration(time.Second)}}, clk)
		for range 5 {
			runOnce(t, d2)
			clk.Add(time.Hour)
		}
		st := f.state("k/dead")
		if st.Status != "dead" || st.Attempts != 3 || !strings.Contains(st.LastError, "500") {
			t.Fatalf("%+v, want dead after 3 attempts with the last error", st)
		}
		if n := len(down.received()); n != 3 {
			t.Errorf("%d requests, want 3", n)
		}
		if ev := f.events("k/dead"); !strings.HasPrefix(ev[len(ev)-1], "dead: gave up after 3 attempts") {
			t.Errorf("events %q", ev)
		}
	})
}

// TestCrashBetweenSentAndMarked: the process dies after the provider
// accepted a message and before the outbox recorded it. After the claim
// lease runs out the message is sent again with the same key, so the
// provider can drop the duplicate.
func TestCrashBetweenSentAndMarked(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ss := startSMTP(t)
		gw := startEndpoint(t)
		f := newFixture(t, s, "UTC")
		now := time.Date(2026, 3, 17, 10, 0, 0, 0, time.UTC)
		a := f.customer(cust{Email: "a@customer.example"})
		b := f.customer(cust{Phone: "+447700900123"})
		f.enqueue(msg{Key: "workflow/escalation/invoice/3/remind#0", Channel: "email", To: "a@customer.example", Subject: "Reminder", Body: "Please pay.", Customer: a, At: now})
		f.enqueue(msg{Key: "workflow/escalation/invoice/4/remind#1", Channel: "sms", To: "+447700900123", Body: "Please pay.", Customer: b, At: now})
		clk := &clock{t: now}
		cfg := delivery.Config{Email: smtpConfig(ss), SMS: &delivery.HTTPConfig{URL: gw.URL}, Lease: delivery.Duration(5 * time.Minute)}
		crashing := dispatcher(t, s, cfg, clk)
		delivery.CrashAfterSend(crashing, true)
		if _, err := crashing.RunOnce(context.Background()); !errors.Is(err, delivery.ErrCrashed) {
			t.Fatalf("RunOnce = %v, want the simulated crash", err)
		}
		if st := f.state("workflow/escalation/invoice/3/remind#0"); st.Status != "sending" {
			t.Fatalf("after the crash: %+v, want sending", st)
		}
		restarted := dispatcher(t, s, cfg, clk)
		if st := runOnce(t, restarted); st.Claimed != 0 {
			t.Fatalf("claimed %d rows inside the lease", st.Claimed)
		}
		clk.Add(6 * time.Minute)
		if st := runOnce(t, restarted); st.Recovered != 2 || st.Sent != 2 {
			t.Fatalf("stats %+v, want 2 recovered and sent", st)
		}
		msgs := ss.messages()
		if len(msgs) != 2 {
			t.Fatalf("server received %d emails, want 2 (the original and the resend)", len(msgs))
		}
		id0, id1 := headerOf(t, msgs[0].Data, "Message-Id"), headerOf(t, msgs[1].Data, "Message-Id")
		if id0 != id1 || id0 != "<workflow/escalation/invoice/3/remind#0@demo.example>" {
			t.Errorf("Message-IDs %q and %q, want the same key", id0, id1)
		}
		hits := gw.received()
		if len(hits) != 2 || hits[0].Header.Get(delivery.HeaderIdempotencyKey) != hits[1].Header.Get(delivery.HeaderIdempotencyKey) {
			t.Errorf("SMS resend keys differ: %d hits", len(hits))
		}
		for _, k := range []string{"workflow/escalation/invoice/3/remind#0", "workflow/escalation/invoice/4/remind#1"} {
			if st := f.state(k); st.Status != "sent" || st.Attempts != 2 {
				t.Errorf("%s: %+v, want sent after 2 attempts", k, st)
			}
			if ev := f.events(k); len(ev) != 1 || !strings.HasPrefix(ev[0], "recovered:") {
				t.Errorf("%s events %q", k, ev)
			}
		}
	})
}

func headerOf(t *testing.T, raw []byte, name string) string {
	m, _ := parseMIME(t, raw)
	return m.Header.Get(name)
}
