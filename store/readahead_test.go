package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/recoup/recoup/engine"
	"github.com/recoup/recoup/store"
	"github.com/recoup/recoup/store/storetest"
)

// claimHook runs a function before the nth batch is claimed: between two
// batches of one tick, where a payment or a person may commit.
type claimHook struct {
	*store.Store
	claims, at int
	fn         func()
}

func (h *claimHook) ClaimBatch(ctx context.Context, run engine.TickRun, worker string) (*engine.TickBatch, error) {
	h.claims++
	if h.claims == h.at {
		h.fn()
	}
	return h.Store.ClaimBatch(ctx, run, worker)
}

// TestReadAheadSeesOtherWriters: on SQLite a tick reads each batch while
// the one before it is evaluated and recorded. A payment committed by
// another connection between the two batches must still be seen by the
// second: its escalation stops at this tick, as if the batch had been
// read after the payment. Batches nobody else wrote between are used as
// read ahead.
func TestReadAheadSeesOtherWriters(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := storetest.SQLite(t)
	seedDemo(t, s, 30, 300, "2026-11-01")
	b := examples(t)
	tick := func(ts engine.TickStore, day int) {
		t.Helper()
		if _, err := engine.RunTick(ctx, b, ts, engine.TickOptions{At: time.Date(2026, 11, day, 9, 0, 0, 0, shanghai), Location: shanghai, BatchSize: 50}); err != nil {
			t.Fatal(err)
		}
	}
	for day := 1; day <= 15; day++ {
		tick(s, day)
	}
	used, _ := s.ReadAhead()
	if used == 0 {
		t.Fatal("no batch was read ahead")
	}
	// An invoice with a running escalation, in the fourth batch (ids
	// 151-200), paid in full between the third and the fourth.
	var number, currency string
	var id, balance int64
	err := storetest.SQL(s).QueryRow(`SELECT i.number, i.id, i.balance_minor, i.currency FROM invoices i
		JOIN workflow_instances w ON w.invoice_id = i.id AND w.status = 'running'
		WHERE i.id BETWEEN 151 AND 200 ORDER BY i.id LIMIT 1`).Scan(&number, &id, &balance, &currency)
	if err != nil {
		t.Fatalf("no running escalation in the fourth batch: %v", err)
	}
	_, droppedBefore := s.ReadAhead()
	hook := &claimHook{Store: s, at: 4, fn: func() {
		payInFull(t, s, number, balance, currency, time.Date(2026, 11, 16, 8, 0, 0, 0, shanghai), "AHEAD-1")
	}}
	tick(hook, 16)
	var status string
	storetest.SQL(s).QueryRow("SELECT status FROM workflow_instances WHERE invoice_id = ?", id).Scan(&status)
	if status != engine.InstanceStopped {
		t.Fatalf("invoice %s paid between two batches: escalation %q after the tick, want stopped", number, status)
	}
	if _, dropped := s.ReadAhead(); dropped != droppedBefore+1 {
		t.Fatalf("%d batches read ahead were read again, want 1 (the one after the payment)", dropped-droppedBefore)
	}
}
