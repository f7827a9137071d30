package casetest_test

import (
	"fmt"

	"github.com/recoup/recoup/engine"
	"github.com/recoup/recoup/engine/casetest"
)

const exampleRule = `apiVersion: recoup/v1
kind: Rule
metadata: {name: mark-overdue}
spec:
  on: invoice
  when: invoice.balance > 0 && today > invoice.due_date
  then:
    - set: {invoice.status: overdue}
`

const exampleTests = `timezone: Asia/Shanghai
cases:
  - name: overdue the day after the due date
    invoice: {id: 1, currency: CNY, amount: "100.00", balance: "100.00", due_date: 2026-03-01, status: open}
    at: 2026-03-02T09:00:00+08:00
    expect:
      - {key: "rule/mark-overdue/invoice/1#0", kind: set, field: invoice.status, value: overdue, old_value: open}
  - name: a wrong expectation
    invoice: {id: 2, currency: CNY, amount: "100.00", balance: "100.00", due_date: 2026-03-01, status: open}
    at: 2026-03-02T09:00:00+08:00
    expect: []
`

// Parse a pack's test files, run them against its compiled definitions and
// report each case.
func ExampleRun() {
	b, err := engine.LoadSources(engine.Source{Name: "rules.yaml", Data: []byte(exampleRule)})
	if err != nil {
		fmt.Println(err)
		return
	}
	suites, err := casetest.Parse(casetest.File{Path: "tests/overdue.test.yaml", Data: []byte(exampleTests)})
	if err != nil {
		fmt.Println(err) // file:line: message, every problem
		return
	}
	for _, r := range casetest.Run(b, suites) {
		status := "PASS"
		if !r.Passed {
			status = "FAIL"
		}
		fmt.Printf("%s %s:%d %s\n", status, r.File, r.Line, r.Name)
		if r.Message != "" {
			fmt.Println(r.Message)
		}
	}
	// Output:
	// PASS tests/overdue.test.yaml:3 overdue the day after the due date
	// FAIL tests/overdue.test.yaml:8 a wrong expectation
	// tick 1 at 2026-03-02T09:00:00+08:00: effects differ (- expected, + got):
	// + {key: rule/mark-overdue/invoice/2#0, kind: set, field: invoice.status, value: overdue, old_value: open}
}
