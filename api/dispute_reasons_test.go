package api_test

import (
	"fmt"
	"slices"
	"testing"

	"github.com/recoup/recoup/engine"
	"github.com/recoup/recoup/store"
	"github.com/recoup/recoup/store/storetest"
)

// TestDisputeReasonList: an admin adds a reason, which a rep's list offers
// and a dispute may give; renames it; retires it, after which the rep's
// list no longer offers it, a dispute giving it is refused naming the
// active codes, and the list with retired reasons still labels the dispute
// that gave it. "other" cannot be retired. Each change is one audit entry
// of the admin's request; refusals write nothing.
func TestDisputeReasonList(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		f := casesSetup(t, s)
		adm, r := f.login(admin), f.login(rep)
		list := func(query string) []engine.DisputeReason {
			var out []engine.DisputeReason
			r.do("GET", "/api/dispute-reasons"+query, nil).want(200).decode(&out)
			return out
		}
		if got := list(""); !slices.Equal(got, engine.DefaultDisputeReasons) {
			t.Fatalf("a new installation's list %+v", got)
		}

		for _, tc := range []struct {
			body   map[string]any
			fields string
		}{
			{map[string]any{"code": "Late", "en": "", "zh-CN": "其他"}, "/code: must be lowercase letters, digits and _, starting with a letter (e.g. late_delivery)\n" +
				"/en: is required\n/zh-CN: is the label of other already"},
			{map[string]any{"code": "pricing", "en": "Price", "zh-CN": "价"}, "/code: is taken: the list has it already"},
			{map[string]any{"code": "x", "en": "X"}, `/zh-CN: property "zh-CN" is missing`},
		} {
			if got := fields(adm.do("POST", "/api/dispute-reasons", tc.body).want(422).problem()); got != tc.fields {
				t.Errorf("adding %v: field errors\n%s\nwant\n%s", tc.body, got, tc.fields)
			}
		}
		if p := adm.do("POST", "/api/dispute-reasons/other/retire", nil).want(409).problem(); *p.Detail != `the reason "other" cannot be retired: a call outcome's dispute gives it: conflict` {
			t.Errorf("retiring other: %s", *p.Detail)
		}
		adm.do("PATCH", "/api/dispute-reasons/nope", map[string]any{"en": "Nope"}).want(404)
		if n := f.count("SELECT COUNT(*) FROM audit_log WHERE entity = 'dispute_reason'"); n != 0 {
			t.Fatalf("refusals wrote %d audit entries", n)
		}

		var added engine.DisputeReason
		adm.do("POST", "/api/dispute-reasons", map[string]any{"code": "late_delivery", "en": "Late delivery", "zh-CN": "延迟交货"}).want(201).decode(&added)
		if added != (engine.DisputeReason{Code: "late_delivery", En: "Late delivery", ZhCN: "延迟交货"}) {
			t.Fatalf("added %+v", added)
		}
		if got := list(""); len(got) != 7 || got[5].Code != "late_delivery" || got[6].Code != "other" {
			t.Fatalf("the rep's list after the add: %+v", got)
		}
		var renamed engine.DisputeReason
		adm.do("PATCH", "/api/dispute-reasons/late_delivery", map[string]any{"en": "Delivered late"}).want(200).decode(&renamed)
		if renamed.En != "Delivered late" || renamed.ZhCN != "延迟交货" {
			t.Fatalf("renamed %+v", renamed)
		}
		var d store.Dispute
		r.do("POST", f.path("/disputes"), map[string]any{"reason": "late_delivery", "disputed_minor": 100}).want(201).decode(&d)
		fin := f.login(finance)
		fin.do("POST", fmt.Sprintf("/api/disputes/%d/resolve", d.ID), map[string]any{"status": "rejected", "note": "delivered on time"}).want(200)

		var retired engine.DisputeReason
		adm.do("POST", "/api/dispute-reasons/late_delivery/retire", nil).want(200).decode(&retired)
		if !retired.Retired {
			t.Fatalf("retired %+v", retired)
		}
		adm.do("POST", "/api/dispute-reasons/late_delivery/retire", nil).want(409)
		if got := list(""); !slices.Equal(got, engine.DefaultDisputeReasons) {
			t.Fatalf("the rep's list after the retirement %+v", got)
		}
		all := list("?include_retired=true")
		if len(all) != 7 || all[5] != (engine.DisputeReason{Code: "late_delivery", En: "Delivered late", ZhCN: "延迟交货", Retired: true}) {
			t.Fatalf("the list with retired reasons %+v", all)
		}
		p := r.do("POST", f.path("/disputes"), map[string]any{"reason": "late_delivery", "disputed_minor": 100}).want(422).problem()
		if got := fields(p); got != "/reason: must be one of pricing, quantity, quality, not_received, duplicate, other" {
			t.Errorf("a dispute giving the retired reason: %s", got)
		}
		var detail store.InvoiceDetail
		r.do("GET", f.path(""), nil).want(200).decode(&detail)
		if len(detail.Disputes) != 1 || detail.Disputes[0].Reason != "late_delivery" {
			t.Fatalf("the dispute that gave the retired reason: %+v", detail.Disputes)
		}

		if n := f.count("SELECT COUNT(*) FROM audit_log WHERE entity = 'dispute_reason' AND actor = ?", admin); n != 3 {
			t.Errorf("%d audit entries of the admin's changes, want 3", n)
		}
	})
}
