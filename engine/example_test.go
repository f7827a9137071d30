package engine_test

import (
	"fmt"
	"os"
	"time"

	"github.com/recoup/recoup/calendar"
	"github.com/recoup/recoup/engine"
)

const exampleRule = `apiVersion: recoup/v1
kind: Rule
metadata:
  name: mark-overdue
spec:
  on: invoice
  when: invoice.balance > 0 && today > invoice.due_date
  then:
    - set: {invoice.status: overdue}
`

// Load a definition and evaluate it on one invoice at one tick.
func ExampleEvaluator_Evaluate() {
	b, err := engine.LoadSources(engine.Source{Name: "rules.yaml", Data: []byte(exampleRule)})
	if err != nil {
		fmt.Println(err)
		return
	}
	shanghai, _ := time.LoadLocation("Asia/Shanghai")
	ev := b.NewEvaluator(engine.Clock{Now: time.Date(2026, 3, 2, 9, 0, 0, 0, shanghai), Location: shanghai})
	subject := engine.Subject{
		Invoice:  engine.Invoice{ID: 1, Currency: "CNY", AmountMinor: 1200000, BalanceMinor: 1200000, DueDate: calendar.MustParse("2026-03-01"), Status: "open"},
		Customer: engine.Customer{ID: 10, Risk: engine.RiskLow},
	}
	var res engine.Result
	ev.Evaluate(&subject, engine.NewMemoryState(), &res)
	for _, e := range res.Effects {
		fmt.Println(e.Key, e.Kind, e.Field, e.OldValue, "→", e.Value)
		for _, v := range e.Trace {
			fmt.Printf("  %s = %s\n", v.Name, v)
		}
	}
	// Output:
	// rule/mark-overdue/invoice/1#0 set invoice.status open → overdue
	//   invoice.balance = 1200000
	//   today = 2026-03-02
	//   invoice.due_date = 2026-03-01
}

// Every problem is reported at once, positioned in the file.
func ExampleLoadSources_errors() {
	src := `apiVersion: recoup/v1
kind: Rule
metadata: {name: typo}
spec:
  on: invoice
  wen: true
  when: invoice.amout > 0
  then: [{set: {customer.risk: hgh}}]
`
	_, err := engine.LoadSources(engine.Source{Name: "typo.yaml", Data: []byte(src)})
	if el, ok := err.(engine.ErrorList); ok {
		el.Print(os.Stdout, true)
	}
	// Output:
	// typo.yaml:6:3: unknown key "wen"; did you mean "when"?
	//       wen: true
	//       ^
	// typo.yaml:7:17: invoice has no field "amout"; did you mean "amount"?
	//       when: invoice.amout > 0
	//                     ^
	// typo.yaml:8:32: invalid risk "hgh": want low, medium or high; did you mean "high"?
	//       then: [{set: {customer.risk: hgh}}]
	//                                    ^
}

// Server-side validation of a form submission returns every field error.
func ExampleForm_Validate() {
	b, err := engine.LoadSources(engine.Source{Name: "form.yaml", Data: []byte(`apiVersion: recoup/v1
kind: Form
metadata: {name: call-outcome}
spec:
  fields:
    - name: outcome
      type: enum
      required: true
      options: [{value: promised}, {value: refused}]
    - name: promised_date
      type: date
      required_if: form.outcome == "promised"
`)})
	if err != nil {
		fmt.Println(err)
		return
	}
	clock := engine.Clock{Now: time.Date(2026, 3, 10, 9, 0, 0, 0, time.UTC)}
	_, errs := b.Form("call-outcome").Validate(map[string]any{"outcome": "promised", "note": "x"}, clock, "en")
	for _, e := range errs {
		fmt.Printf("%s: %s\n", e.Field, e.Message)
	}
	// Output:
	// note: unknown field
	// promised_date: is required
}

// Try a rule on one invoice: every value its condition read, for people,
// and what its actions would do. Nothing is recorded.
func ExampleBundle_TryRule() {
	b, err := engine.LoadSources(engine.Source{Name: "rules.yaml", Data: []byte(exampleRule)})
	if err != nil {
		fmt.Println(err)
		return
	}
	shanghai, _ := time.LoadLocation("Asia/Shanghai")
	subject := engine.Subject{
		Invoice:  engine.Invoice{ID: 1, Currency: "CNY", AmountMinor: 1200000, BalanceMinor: 1200000, DueDate: calendar.MustParse("2026-03-01"), Status: "open"},
		Customer: engine.Customer{ID: 10, Risk: engine.RiskLow},
	}
	try, err := b.TryRule("mark-overdue", &subject, engine.Clock{Now: time.Date(2026, 3, 2, 9, 0, 0, 0, shanghai), Location: shanghai})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("matched:", try.Matched)
	for _, v := range try.Values {
		fmt.Printf("  %s = %s\n", v.Path, v.Value)
	}
	for _, e := range try.Effects {
		fmt.Println(e.Kind, e.Field, e.OldValue, "→", e.Value)
	}
	// Output:
	// matched: true
	//   invoice.balance = 12,000.00 CNY
	//   today = 2026-03-02
	//   invoice.due_date = 2026-03-01
	// set invoice.status open → overdue
}
