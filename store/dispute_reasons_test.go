package store_test

import (
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/recoup/recoup/engine"
	"github.com/recoup/recoup/store"
	"github.com/recoup/recoup/store/storetest"
)

// TestDisputeReasonsSeeded: a new database holds the list recoup shipped
// with (migration 00031), which engine.DefaultDisputeReasons names.
func TestDisputeReasonsSeeded(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		list, err := s.DisputeReasons(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(list, engine.DefaultDisputeReasons) {
			t.Fatalf("seeded %+v,\nwant %+v", list, engine.DefaultDisputeReasons)
		}
	})
}

// TestDisputeReasonChanges: an admin adds a reason (offered last but for
// "other", and a dispute may give it), renames it, and retires it (a new
// dispute may no longer give it, the one that did keeps it); refusals
// write nothing, each change writes one audit entry.
func TestDisputeReasonChanges(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		b := casesSetup(t, s)
		now := b.clock.Now
		audits := func() int {
			return b.count(t, "SELECT COUNT(*) FROM audit_log WHERE entity = 'dispute_reason'")
		}
		codes := func() []string {
			list, err := s.DisputeReasons(b.ctx)
			if err != nil {
				t.Fatal(err)
			}
			var out []string
			for _, r := range list {
				c := r.Code
				if r.Retired {
					c += " (retired)"
				}
				out = append(out, c)
			}
			return out
		}

		// Refusals: nothing written.
		_, err := s.AddDisputeReason(b.ctx, engine.DisputeReason{Code: "Late", En: "Pricing"}, "admin", "", now)
		wantFields(t, err, "/code", "/en", "/zh-CN")
		_, err = s.UpdateDisputeReason(b.ctx, "nope", store.DisputeReasonLabels{}, "admin", "", now)
		if !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("renaming an unknown reason: %v, want ErrNotFound", err)
		}
		_, err = s.RetireDisputeReason(b.ctx, engine.DisputeReasonOther, "admin", "", now)
		if !errors.Is(err, store.ErrConflict) || !errors.Is(err, engine.ErrDisputeReasonKept) {
			t.Fatalf("retiring other: %v, want ErrConflict", err)
		}
		if n := audits(); n != 0 || b.count(t, "SELECT COUNT(*) FROM dispute_reasons") != 6 {
			t.Fatalf("refusals wrote %d audit entries or a reason", n)
		}

		r, err := s.AddDisputeReason(b.ctx, engine.DisputeReason{Code: "late_delivery", En: " Late delivery ", ZhCN: "延迟交货"}, "admin@x", "req-1", now)
		if err != nil {
			t.Fatal(err)
		}
		if r != (engine.DisputeReason{Code: "late_delivery", En: "Late delivery", ZhCN: "延迟交货"}) {
			t.Fatalf("added %+v", r)
		}
		if got, want := codes(), []string{"pricing", "quantity", "quality", "not_received", "duplicate", "late_delivery", "other"}; !slices.Equal(got, want) {
			t.Fatalf("list %v, want %v", got, want)
		}
		if _, err := s.AddDisputeReason(b.ctx, engine.DisputeReason{Code: "late_delivery", En: "Late", ZhCN: "迟"}, "admin@x", "", now); err == nil {
			t.Fatal("the same code added twice")
		}
		zh := "交货延迟"
		if r, err = s.UpdateDisputeReason(b.ctx, "late_delivery", store.DisputeReasonLabels{ZhCN: &zh}, "admin@x", "", now); err != nil {
			t.Fatal(err)
		}
		if r.En != "Late delivery" || r.ZhCN != "交货延迟" {
			t.Fatalf("renamed %+v", r)
		}

		rep := store.Viewer{Role: store.RoleSalesRep, UserID: b.ownerID}
		d, err := s.OpenDispute(b.ctx, rep, store.DisputeIn{Invoice: b.number, Reason: "late_delivery", DisputedMinor: 100, Actor: "rep"}, b.clock)
		if err != nil {
			t.Fatalf("a dispute giving the new reason: %v", err)
		}
		if _, err := s.ResolveDispute(b.ctx, casesAdmin, store.DisputeResolution{ID: d.ID, Status: engine.DisputeRejected, Note: "no", Actor: "finance"}, now); err != nil {
			t.Fatal(err)
		}

		if r, err = s.RetireDisputeReason(b.ctx, "late_delivery", "admin@x", "", now); err != nil || !r.Retired {
			t.Fatalf("retired %+v, %v", r, err)
		}
		if _, err := s.RetireDisputeReason(b.ctx, "late_delivery", "admin@x", "", now); !errors.Is(err, store.ErrConflict) {
			t.Fatalf("retiring it again: %v, want ErrConflict", err)
		}
		if got, want := codes(), []string{"pricing", "quantity", "quality", "not_received", "duplicate", "late_delivery (retired)", "other"}; !slices.Equal(got, want) {
			t.Fatalf("list %v, want %v", got, want)
		}
		_, err = s.OpenDispute(b.ctx, rep, store.DisputeIn{Invoice: b.number, Reason: "late_delivery", DisputedMinor: 100, Actor: "rep"}, b.clock)
		var fe engine.FormErrors
		if !errors.As(err, &fe) || fe.Error() != "invalid submission: /reason: must be one of pricing, quantity, quality, not_received, duplicate, other" {
			t.Fatalf("a dispute giving the retired reason: %v", err)
		}
		if n := b.count(t, "SELECT COUNT(*) FROM disputes WHERE reason = 'late_delivery'"); n != 1 {
			t.Fatalf("%d disputes give late_delivery, want the one before it was retired", n)
		}

		var actions []string
		rows, err := storetest.SQL(s).Query("SELECT action, actor FROM audit_log WHERE entity = 'dispute_reason' ORDER BY id")
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		for rows.Next() {
			var action, actor string
			if err := rows.Scan(&action, &actor); err != nil {
				t.Fatal(err)
			}
			actions = append(actions, action+" by "+actor)
		}
		if want := []string{"dispute_reason.added by admin@x", "dispute_reason.updated by admin@x", "dispute_reason.retired by admin@x"}; !slices.Equal(actions, want) {
			t.Fatalf("audit %v, want %v", actions, want)
		}
		if v, err := s.VerifyAudit(b.ctx); err != nil || !v.OK {
			t.Fatalf("the audit chain: %+v %v", v, err)
		}
	})
}

// TestDisputeReasonAddedOnce: admins adding one code at once get one
// reason; the others are refused on /code, not with a database error.
func TestDisputeReasonAddedOnce(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		const n = 8
		errs := make(chan error, n)
		for range n {
			go func() {
				_, err := s.AddDisputeReason(t.Context(), engine.DisputeReason{Code: "late_delivery", En: "Late delivery", ZhCN: "延迟交货"}, "admin", "", time.Now())
				errs <- err
			}()
		}
		added := 0
		for range n {
			err := <-errs
			var fe engine.FormErrors
			switch {
			case err == nil:
				added++
			case !errors.As(err, &fe) || fe[0].Field != "/code":
				t.Errorf("a concurrent add: %v", err)
			}
		}
		if added != 1 {
			t.Fatalf("%d adds succeeded, want 1", added)
		}
	})
}
