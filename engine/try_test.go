package engine

import (
	"fmt"
	"strings"
	"testing"
)

// TestTryRule: a rule tried on a subject reports every value its condition
// read, for people, and the effects it would produce, even when disabled.
func TestTryRule(t *testing.T) {
	t.Parallel()
	docs := evalTemplates +
		rule("big", "", `invoice.balance > money("1000.00 CNY") && invoice.due_date < today && customer.credit_limit >= 0`,
			"    - notify: {channel: email, to: customer.email, template: note}\n    - set: {invoice.status: escalated}\n") +
		rule("off", "  enabled: false\n", `invoice.days_overdue > 400`, "    - set: {invoice.status: ancient}\n") +
		rule("broken", "", `int(invoice.custom["x"]) > 0`, "    - set: {invoice.status: escalated}\n")
	b := rulesBundle(t, docs)
	s := evalSubject()
	s.Customer.CreditLimitMinor, s.Customer.CreditCurrency = 500000, "USD"

	got, err := b.TryRule("big", &s, evalClock)
	if err != nil {
		t.Fatal(err)
	}
	if want := "[{invoice.balance 1,234.56 CNY} {invoice.due_date 2026-01-31} {today 2026-03-10} {customer.credit_limit 5,000.00 USD}]"; fmt.Sprint(got.Values) != want {
		t.Errorf("values %v, want %s", got.Values, want)
	}
	if !got.Matched || got.Err != nil || len(got.Effects) != 2 || got.Effects[0].Kind != ActionNotify ||
		got.Effects[0].Subject != "发票 INV-42" || got.Effects[1].Field != "invoice.status" || got.Effects[1].Value != "escalated" {
		t.Errorf("try: %+v", got)
	}

	got, err = b.TryRule("off", &s, evalClock)
	if err != nil || got.Matched || len(got.Effects) != 0 || fmt.Sprint(got.Values) != "[{invoice.days_overdue 38}]" {
		t.Errorf("disabled rule: %+v, %v", got, err)
	}
	s.Invoice.Custom = map[string]string{"x": "abc"}
	got, err = b.TryRule("broken", &s, evalClock)
	if err != nil || got.Matched || got.Err == nil || fmt.Sprint(got.Values) != "[{invoice.custom.x abc}]" {
		t.Errorf("failing rule: %+v, %v", got, err)
	}
	if _, err := b.TryRule("nothing", &s, evalClock); err == nil || !strings.Contains(err.Error(), `rule "nothing": no such rule`) {
		t.Errorf("unknown rule: %v", err)
	}
}
