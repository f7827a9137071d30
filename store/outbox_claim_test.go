package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/recoup/recoup/store"
	"github.com/recoup/recoup/store/storetest"
)

// TestClaimOutboxAppliesPlan: the store writes a dispatcher's plan as
// decided, digests referred to before they have ids, and writes nothing
// of a plan it cannot apply.
func TestClaimOutboxAppliesPlan(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		now := time.Date(2026, 11, 17, 10, 0, 0, 0, time.UTC)
		db := storetest.SQL(s)
		var cust int64
		if err := db.QueryRow(storetest.Rebind(s, `INSERT INTO customers (external_id, name, created_at, updated_at) VALUES ('C1', 'Acme', ?, ?) RETURNING id`),
			now, now).Scan(&cust); err != nil {
			t.Fatal(err)
		}
		for _, key := range []string{"a", "b"} {
			if _, err := db.Exec(storetest.Rebind(s, `INSERT INTO outbox (key, channel, status, next_attempt_at, created_at) VALUES (?, 'webhook', 'pending', ?, ?)`),
				key, now.Add(-time.Minute), now.Add(-time.Minute)); err != nil {
				t.Fatal(err)
			}
		}
		opts := store.ClaimOptions{Now: now, Channels: []string{"webhook"}, Limit: 10, ContactsSince: now.Add(-time.Hour)}
		type state struct {
			Status, Reason string
			Attempts       int
			Merged         *int64
		}
		read := func(key string) state {
			var st state
			if err := db.QueryRow(storetest.Rebind(s, `SELECT status, reason, attempts, merged_into FROM outbox WHERE key = ?`), key).
				Scan(&st.Status, &st.Reason, &st.Attempts, &st.Merged); err != nil {
				t.Fatal(err)
			}
			return st
		}

		// A plan naming a digest it does not create: refused, nothing written.
		_, _, err := s.ClaimOutbox(ctx, opts, func(c *store.OutboxClaim) (*store.OutboxPlan, error) {
			if c.Claimed != 2 || len(c.Rows) != 2 {
				t.Fatalf("claimed %d, rows %d", c.Claimed, len(c.Rows))
			}
			return &store.OutboxPlan{Now: now, Worker: "w1", Lease: now.Add(time.Minute), Decisions: []store.OutboxDecision{
				{ID: c.Rows[0].ID, Do: store.DecideSend},
				{ID: c.Rows[1].ID, Do: store.DecideSuppress, MergedInto: 1, Reason: "merged"},
			}}, nil
		})
		if err == nil || err.Error() != "outbox plan: no digest 1" {
			t.Fatalf("err = %v, want outbox plan: no digest 1", err)
		}
		if a, b := read("a"), read("b"); a.Status != "pending" || a.Attempts != 0 || b.Status != "pending" || b.Merged != nil {
			t.Fatalf("after a refused plan: a %+v, b %+v", a, b)
		}

		// Both merged into a new digest, which is claimed.
		_, digests, err := s.ClaimOutbox(ctx, opts, func(c *store.OutboxClaim) (*store.OutboxPlan, error) {
			p := &store.OutboxPlan{Now: now, Worker: "w1", Lease: now.Add(time.Minute),
				Digests: []store.OutboxDigest{{Key: "digest/x", Channel: "webhook", Recipient: "hook", CustomerID: cust, Cc: []string{"cc@example.test"}}}}
			for _, r := range c.Rows {
				p.Decisions = append(p.Decisions, store.OutboxDecision{ID: r.ID, Do: store.DecideSuppress, MergedInto: 1, Reason: "merged into digest/x"})
				p.Events = append(p.Events, store.OutboxEvent{ID: r.ID, At: now, Event: "merged", Reason: "merged into digest/x"})
			}
			p.Decisions = append(p.Decisions, store.OutboxDecision{Digest: 1, Do: store.DecideSend, Contact: true})
			p.Events = append(p.Events, store.OutboxEvent{Digest: 1, At: now, Event: "digest", Reason: "digest of 2"})
			return p, nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if len(digests) != 1 || digests[0] == 0 {
			t.Fatalf("digest ids %v", digests)
		}
		for _, key := range []string{"a", "b"} {
			if st := read(key); st.Status != "suppressed" || st.Merged == nil || *st.Merged != digests[0] || st.Reason != "merged into digest/x" {
				t.Errorf("%s: %+v, want suppressed into %d", key, st, digests[0])
			}
		}
		var status, claimedBy, cc string
		var attempts int
		var contact *time.Time
		if err := db.QueryRow(storetest.Rebind(s, `SELECT status, claimed_by, attempts, contact_at, cc FROM outbox WHERE id = ?`), digests[0]).
			Scan(&status, &claimedBy, &attempts, &contact, &cc); err != nil {
			t.Fatal(err)
		}
		if status != "sending" || claimedBy != "w1" || attempts != 1 || contact == nil || !contact.Equal(now) || cc != `["cc@example.test"]` {
			t.Errorf("digest: %s by %q, %d attempts, contact %v, cc %s", status, claimedBy, attempts, contact, cc)
		}
		evs, err := s.OutboxEvents(ctx, "digest/x")
		if err != nil {
			t.Fatal(err)
		}
		if len(evs) != 1 || evs[0].Event != "digest" || evs[0].Reason != "digest of 2" {
			t.Errorf("digest events %+v", evs)
		}

		// Sent: the worker's row is marked sent; nothing is left to claim.
		if err := s.RecordOutbox(ctx, "w1", now, []store.OutboxOutcome{{ID: digests[0], Do: store.OutcomeSent}}, nil); err != nil {
			t.Fatal(err)
		}
		c, _, err := s.ClaimOutbox(ctx, opts, func(*store.OutboxClaim) (*store.OutboxPlan, error) {
			t.Fatal("decide called without rows")
			return nil, nil
		})
		if err != nil || c.Claimed != 0 {
			t.Fatalf("claim after: %v, %+v", err, c)
		}
		if err := db.QueryRow(storetest.Rebind(s, `SELECT status FROM outbox WHERE id = ?`), digests[0]).Scan(&status); err != nil || status != "sent" {
			t.Fatalf("digest status %q, %v", status, err)
		}
	})
}
