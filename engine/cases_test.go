package engine_test

import (
	"testing"

	"github.com/recoup/recoup/calendar"
	"github.com/recoup/recoup/engine"
)

func TestCheckDisputeAndPromise(t *testing.T) {
	t.Parallel()
	today := calendar.MustParse("2026-11-02")
	amount := func(minor int64, currency string) engine.Amount {
		return engine.Amount{Minor: minor, BalanceMinor: 10000, Currency: currency, InvoiceCurrency: "CNY"}
	}
	reasons := engine.DefaultDisputeReasons
	// a company that added late_delivery and retired quality
	company := append([]engine.DisputeReason{}, reasons...)
	company[2].Retired = true
	company = append(company, engine.DisputeReason{Code: "late_delivery", En: "Late delivery", ZhCN: "延迟交货"})
	engine.OrderDisputeReasons(company)
	for _, tc := range []struct {
		name string
		err  error
		want string
	}{
		{"dispute ok", engine.CheckDispute(engine.DisputeCheck{Reason: "quality", Reasons: reasons, Amount: amount(10000, "CNY"), Today: today}), ""},
		{"dispute over the balance", engine.CheckDispute(engine.DisputeCheck{Reason: "quality", Reasons: reasons, Amount: amount(10001, ""), Today: today}),
			"invalid submission: /disputed_minor: must be at most the invoice's balance, CNY 100.00"},
		{"dispute of nothing, unknown reason, other currency, late SLA",
			engine.CheckDispute(engine.DisputeCheck{Reason: "x", Reasons: reasons, Amount: amount(0, "USD"), Today: today, SLADue: today.AddDays(-1)}),
			"invalid submission: /reason: must be one of pricing, quantity, quality, not_received, duplicate, other; /currency: must be the invoice's currency, CNY; /disputed_minor: must be more than zero; /sla_due: cannot be before today, 2026-11-02"},
		{"a reason the company added", engine.CheckDispute(engine.DisputeCheck{Reason: "late_delivery", Reasons: company, Amount: amount(100, ""), Today: today}), ""},
		{"a reason the company retired", engine.CheckDispute(engine.DisputeCheck{Reason: "quality", Reasons: company, Amount: amount(100, ""), Today: today}),
			"invalid submission: /reason: must be one of pricing, quantity, not_received, duplicate, late_delivery, other"},
		{"promise tomorrow", engine.CheckPromise(engine.PromiseCheck{Date: today.AddDays(1), Amount: amount(1, ""), Today: today}), ""},
		{"promise today", engine.CheckPromise(engine.PromiseCheck{Date: today, Amount: amount(1, ""), Today: today}),
			"invalid submission: /promised_date: must be in the future (after 2026-11-02)"},
		{"promise over the balance", engine.CheckPromise(engine.PromiseCheck{Date: today.AddDays(3), Amount: amount(10001, ""), Today: today}),
			"invalid submission: /promised_minor: must be at most the invoice's balance, CNY 100.00"},
		{"settle above the balance", engine.CheckCaseClose(engine.CaseClose{Status: "settled", Settlement: amount(10001, "")}),
			"invalid submission: /settlement_minor: must be at most the invoice's balance, CNY 100.00"},
		{"close as nothing", engine.CheckCaseClose(engine.CaseClose{Status: "won"}), "invalid submission: /status: must be recovered, settled or lost"},
	} {
		got := ""
		if tc.err != nil {
			got = tc.err.Error()
		}
		if got != tc.want {
			t.Errorf("%s:\n got %s\nwant %s", tc.name, got, tc.want)
		}
	}
	if engine.PromiseOutcome(100, 99) != engine.PromiseBroken || engine.PromiseOutcome(100, 100) != engine.PromiseKept {
		t.Error("PromiseOutcome")
	}
}

// TestOutcomeRecord: the example escalation's outcomes open their records.
func TestOutcomeRecord(t *testing.T) {
	t.Parallel()
	b, err := engine.LoadPaths("../rules-examples")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ key, outcome, want string }{
		{"workflow/overdue-escalation/invoice/1/1/call/1/task#0", "promised", engine.RecordPromise},
		{"workflow/overdue-escalation/invoice/1/1/call/1/task#0", "disputed", engine.RecordDispute},
		{"workflow/overdue-escalation/invoice/1/1/call/1/task#0", "refused", ""},
		{"workflow/overdue-escalation/invoice/1/1/decision/1/approval#0", "legal_action", engine.RecordLegalCase},
		{"workflow/overdue-escalation/invoice/1/1/decision/1/approval#0", "write_off", ""},
		{"rule/x/invoice/1#0", "disputed", ""},
	} {
		if got := b.OutcomeRecord(tc.key, tc.outcome); got != tc.want {
			t.Errorf("%s %s: %q, want %q", tc.key, tc.outcome, got, tc.want)
		}
	}
}
