package engine_test

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/recoup/recoup/engine"
)

// TestDisputeReasonChecks: what an admin may add, rename and retire, with
// the messages exactly.
func TestDisputeReasonChecks(t *testing.T) {
	t.Parallel()
	list := append([]engine.DisputeReason{}, engine.DefaultDisputeReasons...)
	list[2].Retired = true // quality
	reason := func(code, en, zh string) engine.DisputeReason {
		return engine.DisputeReason{Code: code, En: en, ZhCN: zh}
	}
	long := strings.Repeat("a", 51)
	for _, tc := range []struct {
		name string
		err  error
		want string
	}{
		{"a new reason", engine.CheckNewDisputeReason(reason("late_delivery", "Late delivery", "延迟交货"), list), ""},
		{"nothing", engine.CheckNewDisputeReason(reason("", " ", ""), list),
			"invalid submission: /code: is required; /en: is required; /zh-CN: is required"},
		{"a code with capitals and a space", engine.CheckNewDisputeReason(reason("Late delivery", "Late", "迟"), list),
			"invalid submission: /code: must be lowercase letters, digits and _, starting with a letter (e.g. late_delivery)"},
		{"a code too long", engine.CheckNewDisputeReason(reason(long, "Long", "长"), list),
			"invalid submission: /code: must be at most 50 characters"},
		{"a code taken", engine.CheckNewDisputeReason(reason("pricing", "Price", "价"), list),
			"invalid submission: /code: is taken: the list has it already"},
		{"a retired code", engine.CheckNewDisputeReason(reason("quality", "Quality again", "质量"), list),
			"invalid submission: /code: is taken by a retired reason: its disputes keep the code"},
		{"labels of another active reason", engine.CheckNewDisputeReason(reason("price", " pricing ", "价格有误"), list),
			"invalid submission: /en: is the label of pricing already; /zh-CN: is the label of pricing already"},
		{"the label of a retired reason", engine.CheckNewDisputeReason(reason("defect", "Quality", "质量问题"), list), ""},
		{"renamed, keeping its own label", engine.CheckDisputeReasonLabels(reason("pricing", "Pricing", "价格不符"), list), ""},
		{"renamed to another's label", engine.CheckDisputeReasonLabels(reason("pricing", "Quantity", "价格不符"), list),
			"invalid submission: /en: is the label of quantity already"},
		{"renamed to nothing", engine.CheckDisputeReasonLabels(reason("pricing", "", "价格"), list), "invalid submission: /en: is required"},
		{"retire duplicate", engine.CheckRetireDisputeReason(list[4]), ""},
		{"retire other", engine.CheckRetireDisputeReason(list[5]), `the reason "other" cannot be retired: a call outcome's dispute gives it`},
		{"retire a retired reason", engine.CheckRetireDisputeReason(list[2]), "quality: the reason is retired already"},
	} {
		got := ""
		if tc.err != nil {
			got = tc.err.Error()
		}
		if got != tc.want {
			t.Errorf("%s:\n got %s\nwant %s", tc.name, got, tc.want)
		}
	}
	if !errors.Is(engine.CheckRetireDisputeReason(list[2]), engine.ErrDisputeReasonRetired) {
		t.Error("retiring a retired reason is not ErrDisputeReasonRetired")
	}
}

// TestDisputeReasonOrder: reasons are offered as added, "other" last, and
// only the active ones may be given.
func TestDisputeReasonOrder(t *testing.T) {
	t.Parallel()
	list := append([]engine.DisputeReason{}, engine.DefaultDisputeReasons...)
	list = append(list, engine.DisputeReason{Code: "late_delivery"}, engine.DisputeReason{Code: "wrong_address", Retired: true})
	engine.OrderDisputeReasons(list)
	var codes []string
	for _, r := range list {
		codes = append(codes, r.Code)
	}
	want := []string{"pricing", "quantity", "quality", "not_received", "duplicate", "late_delivery", "wrong_address", "other"}
	if !slices.Equal(codes, want) {
		t.Fatalf("order %v, want %v", codes, want)
	}
	if active := engine.ActiveDisputeReasons(list); len(active) != 7 || active[6].Code != "other" {
		t.Errorf("active %v", active)
	}
	if engine.IsDisputeReason("wrong_address", list) || !engine.IsDisputeReason("late_delivery", list) || engine.IsDisputeReason("nope", list) {
		t.Error("IsDisputeReason")
	}
}
