package store_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/recoup/recoup/store"
	"github.com/recoup/recoup/store/storetest"
)

// appendN appends n varied records: times in another zone with
// nanoseconds (they must round-trip to the microsecond on both dialects),
// nested details with large numbers, before/after values and request ids.
func appendN(t *testing.T, s *store.Store, n int) {
	t.Helper()
	ctx := context.Background()
	shanghai := time.FixedZone("CST", 8*3600)
	for i := 1; i <= n; i++ {
		r := store.AuditRecord{
			At:        time.Date(2026, 12, 7, 9, 0, i, 123456789, shanghai),
			Actor:     fmt.Sprintf("user%d@demo.example", i%3),
			Action:    "test.action",
			Entity:    "thing",
			EntityID:  int64(i),
			Detail:    map[string]any{"n": i, "big": int64(9007199254740993), "nested": map[string]any{"b": []any{1.5, "x<y"}, "a": nil}},
			RequestID: fmt.Sprintf("req-%d", i),
		}
		if i%2 == 0 {
			r.Before, r.After = map[string]string{"role": "rep"}, map[string]string{"role": "finance"}
		}
		if err := s.AppendAudit(ctx, r); err != nil {
			t.Fatal(err)
		}
	}
}

func verify(t *testing.T, s *store.Store) store.VerifyResult {
	t.Helper()
	res, err := s.VerifyAudit(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func exec(t *testing.T, s *store.Store, q string, args ...any) {
	t.Helper()
	if _, err := storetest.SQL(s).Exec(storetest.Rebind(s, q), args...); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
}

// TestAuditChainTampering: the chain of ten rows verifies; each kind of
// tampering done directly in the database is found, naming the first
// broken row and what is wrong with it.
func TestAuditChainTampering(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		name    string
		tamper  []string
		wantOK  bool
		wantID  int64
		wantMsg string
	}{
		{name: "untouched", wantOK: true},
		{name: "same detail written another way", tamper: []string{`UPDATE audit_log SET detail = (SELECT detail FROM audit_log WHERE id = 4) WHERE id = 4`}, wantOK: true},
		{name: "detail edited", tamper: []string{`UPDATE audit_log SET detail = '{"n": 99}' WHERE id = 5`}, wantID: 5, wantMsg: "row 5's fields do not match its hash: it was edited"},
		{name: "actor edited", tamper: []string{`UPDATE audit_log SET actor = 'someone@else' WHERE id = 2`}, wantID: 2, wantMsg: "row 2's fields do not match its hash"},
		{name: "after edited", tamper: []string{`UPDATE audit_log SET "after" = '{"role": "admin"}' WHERE id = 6`}, wantID: 6, wantMsg: "row 6's fields do not match its hash"},
		{name: "request id edited", tamper: []string{`UPDATE audit_log SET request_id = 'x' WHERE id = 7`}, wantID: 7, wantMsg: "row 7's fields do not match its hash"},
		{name: "row removed in the middle", tamper: []string{`DELETE FROM audit_log WHERE id = 5`}, wantID: 6, wantMsg: "row 6's prev_hash"},
		{name: "first row removed", tamper: []string{`DELETE FROM audit_log WHERE id = 1`}, wantID: 2, wantMsg: "row 2 is the first row but its prev_hash"},
		{name: "last row removed", tamper: []string{`DELETE FROM audit_log WHERE id = 10`}, wantID: 9, wantMsg: "the chain ends at row 9 but its head records row 10"},
		{name: "head moved back", tamper: []string{`UPDATE audit_head SET last_id = 9, hash = (SELECT hash FROM audit_log WHERE id = 9)`},
			wantID: 10, wantMsg: "row 10 is after the chain's head, row 9"},
		{name: "forged row appended", tamper: []string{
			`INSERT INTO audit_log (id, at, actor, action, entity, detail, request_id, prev_hash, hash)
			 SELECT 11, at, 'forger', 'test.action', 'thing', '{}', '', hash, '` + strings.Repeat("ab", 32) + `' FROM audit_log WHERE id = 10`},
			wantID: 11, wantMsg: "row 11's fields do not match its hash"},
		{name: "row inserted without a hash", tamper: []string{
			`INSERT INTO audit_log (id, at, actor, action, entity, detail) VALUES (11, '2026-12-07 10:00:00', 'forger', 'test.action', 'thing', '{}')`},
			wantID: 11, wantMsg: "row 11 has no hash"},
		{name: "forged row inserted in a gap", tamper: []string{
			`UPDATE audit_log SET id = id + 100 WHERE id > 5`,
			`INSERT INTO audit_log (id, at, actor, action, entity, detail, request_id, prev_hash, hash)
			 SELECT 6, at, 'forger', 'test.action', 'thing', '{}', '', '` + strings.Repeat("cd", 32) + `', '` + strings.Repeat("ef", 32) + `' FROM audit_log WHERE id = 5`},
			wantID: 6, wantMsg: "row 6's prev_hash"},
		{name: "two rows swapped", tamper: []string{
			`UPDATE audit_log SET id = -3 WHERE id = 3`, `UPDATE audit_log SET id = 3 WHERE id = 7`, `UPDATE audit_log SET id = 7 WHERE id = -3`},
			wantID: 3, wantMsg: "row 3's prev_hash"},
		{name: "neighbours swapped with their links", tamper: []string{
			// Moving rows 3 and 4 with their hashes mended: the ids are hashed.
			`UPDATE audit_log SET id = -3 WHERE id = 3`, `UPDATE audit_log SET id = 3 WHERE id = 4`, `UPDATE audit_log SET id = 4 WHERE id = -3`,
			`UPDATE audit_log SET prev_hash = NULL WHERE id IN (3, 4, 5)`,
			`UPDATE audit_log SET prev_hash = (SELECT hash FROM audit_log WHERE id = 2) WHERE id = 3`,
			`UPDATE audit_log SET prev_hash = (SELECT hash FROM audit_log WHERE id = 3) WHERE id = 4`,
			`UPDATE audit_log SET prev_hash = (SELECT hash FROM audit_log WHERE id = 4) WHERE id = 5`},
			wantID: 3, wantMsg: "row 3's fields do not match its hash"},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			storetest.Each(t, func(t *testing.T, s *store.Store) {
				appendN(t, s, 10)
				for _, q := range c.tamper {
					exec(t, s, q)
				}
				res := verify(t, s)
				if res.OK != c.wantOK || res.BrokenID != c.wantID || !strings.HasPrefix(res.Problem, c.wantMsg) {
					t.Fatalf("got %+v\nwant ok=%v broken row %d, problem starting %q", res, c.wantOK, c.wantID, c.wantMsg)
				}
				if c.wantOK && res.Rows != 10 {
					t.Fatalf("checked %d rows, want 10", res.Rows)
				}
			})
		})
	}
}

// TestAuditChainConcurrentWriters: 8 writers appending 50 rows each at
// once leave one linear chain of 400 rows.
func TestAuditChainConcurrentWriters(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		var wg sync.WaitGroup
		errs := make(chan error, 8)
		for w := range 8 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := range 50 {
					if err := s.AppendAudit(ctx, store.AuditRecord{Actor: fmt.Sprintf("writer%d", w), Action: "test.concurrent", Entity: "thing", EntityID: int64(i + 1)}); err != nil {
						errs <- err
						return
					}
				}
			}()
		}
		// Verifying while they write sees an intact chain every time.
		stop := make(chan struct{})
		checks := make(chan store.VerifyResult, 1)
		go func() {
			n, last := 0, store.VerifyResult{OK: true}
			for {
				select {
				case <-stop:
					last.Rows = int64(n)
					checks <- last
					return
				default:
				}
				res, err := s.VerifyAudit(ctx)
				if err != nil || !res.OK {
					res.Problem += fmt.Sprint(err)
					checks <- res
					<-stop
					return
				}
				n++
			}
		}()
		wg.Wait()
		close(stop)
		if c := <-checks; !c.OK {
			t.Fatalf("verifying during the writes: %+v", c)
		} else {
			t.Logf("%d verifications during the writes", c.Rows)
		}
		close(errs)
		for err := range errs {
			t.Fatal(err)
		}
		res := verify(t, s)
		if !res.OK || res.Rows != 400 {
			t.Fatalf("got %+v, want an intact chain of 400 rows", res)
		}
		var rows, preds int
		if err := storetest.SQL(s).QueryRow("SELECT COUNT(*), COUNT(DISTINCT prev_hash) FROM audit_log").Scan(&rows, &preds); err != nil {
			t.Fatal(err)
		}
		if rows != 400 || preds != 400 {
			t.Fatalf("%d rows claim %d predecessors, want 400 and 400", rows, preds)
		}
	})
}

// TestAuditChainRefusesFork: a second row claiming the same predecessor is
// refused by the database itself.
func TestAuditChainRefusesFork(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		appendN(t, s, 3)
		_, err := storetest.SQL(s).Exec(`INSERT INTO audit_log (id, at, actor, action, entity, detail, request_id, prev_hash, hash)
			SELECT 4, at, 'forger', 'x', 'thing', '{}', '', prev_hash, hash FROM audit_log WHERE id = 3`)
		if err == nil {
			t.Fatal("a row claiming row 2 as its predecessor again was accepted")
		}
	})
}

// TestAuditChainUpgrade: rows written before the chain existed (an
// upgraded database) are chained when the database is migrated, and the
// chain goes on from them.
func TestAuditChainUpgrade(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		exec(t, s, "UPDATE audit_head SET last_id = 0, hash = '', chained = ?", false)
		for i := range 5 {
			exec(t, s, `INSERT INTO audit_log (at, actor, action, entity, detail) VALUES (?, 'api', 'payment.received', 'payment', ?)`,
				time.Date(2026, 1, 2, 3, 4, 5, 6789, time.UTC), fmt.Sprintf(`{"amount_minor": %d,   "currency": "CNY"}`, i+1))
		}
		if _, err := s.VerifyAudit(ctx); err == nil || !strings.Contains(err.Error(), "not chained yet") {
			t.Fatalf("verifying an unchained log: %v", err)
		}
		if _, err := s.Migrate(ctx); err != nil {
			t.Fatal(err)
		}
		if res := verify(t, s); !res.OK || res.Rows != 5 {
			t.Fatalf("after migrating: %+v", res)
		}
		appendN(t, s, 2)
		if res := verify(t, s); !res.OK || res.Rows != 7 {
			t.Fatalf("after appending: %+v", res)
		}
		exec(t, s, `UPDATE audit_log SET detail = '{"amount_minor": 100, "currency": "CNY"}' WHERE id = 2`)
		if res := verify(t, s); res.OK || res.BrokenID != 2 {
			t.Fatalf("after editing row 2: %+v", res)
		}
	})
}
