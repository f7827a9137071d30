package store

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/recoup/recoup/calendar"
)

// TestTaskPriority: the score's bands (docs/api.md, "Task priority") and
// the reasons a row gives, strongest first.
func TestTaskPriority(t *testing.T) {
	t.Parallel()
	promised := calendar.MustParse("2026-11-01")
	for _, c := range []struct {
		name    string
		task    InboxTask
		score   int64
		reasons string
	}{
		{"nothing owed", InboxTask{}, 0, `[]`},
		{"CN¥120,000.00, 34 days, promise broken, task late",
			InboxTask{BalanceMinor: 12_000_000, Currency: "CNY", DaysOverdue: 34, promise: promiseBroken, PromiseDate: &promised, taskLate: true},
			4_000_000 + 1_000_000 + 3_400 + 5_079,
			`[{"code":"promise_broken","date":"2026-11-01"},{"code":"task_overdue"},{"code":"days_overdue","days":34},{"code":"amount","amount_minor":12000000,"currency":"CNY"}]`},
		{"promise due today", InboxTask{BalanceMinor: 120_000, Currency: "CNY", promise: promiseDue, PromiseDate: &promised},
			3_000_000 + 3_079, `[{"code":"promise_due","date":"2026-11-01"},{"code":"amount","amount_minor":120000,"currency":"CNY"}]`},
		{"yen have no minor units", InboxTask{BalanceMinor: 1_000, Currency: "JPY"}, 3_000, `[{"code":"amount","amount_minor":1000,"currency":"JPY"}]`},
		{"days are capped", InboxTask{DaysOverdue: 100_000}, 365_000, `[{"code":"days_overdue","days":100000}]`},
		{"waiting adds nothing", InboxTask{promise: promiseWaiting, PromiseDate: &promised}, 0, `[]`},
	} {
		c.task.score()
		reasons, _ := json.Marshal(c.task.reasons())
		if c.task.PriorityScore != c.score || string(reasons) != c.reasons {
			t.Errorf("%s: score %d, reasons %s; want %d, %s", c.name, c.task.PriorityScore, reasons, c.score, c.reasons)
		}
	}
}

// TestInboxTaskJSON: InboxTasks encode as encoding/json encodes a slice
// of the struct.
func TestInboxTaskJSON(t *testing.T) {
	t.Parallel()
	type plain InboxTask // without the method
	d, days, amount := calendar.MustParse("2026-11-04"), 34, int64(12_000_000)
	due := time.Date(2026, 11, 30, 9, 0, 0, 500, time.FixedZone("", 8*3600))
	for _, task := range []InboxTask{
		{},
		{ID: 7, Key: "k", Kind: "task", Title: `Call "海川" <5> & co` + "\n\u2028", Status: "open", Priority: "high", Assignee: "a@b", Role: "finance",
			Form: "call-outcome", Invoice: "INV/1", Customer: "C1", CustomerName: "海川制造", Currency: "CNY", BalanceMinor: -3, DaysOverdue: 34,
			Workflow: "w", Node: "call", StageTitle: &LocalizedText{En: "Phone call", ZhCN: "电话催收"}, AssigneeName: "Yang", Team: "east",
			PromiseDate: &d, PromiseBroken: true, PriorityScore: 4_008_479, DueAt: due, Overdue: true, CreatedAt: due.UTC(),
			PriorityReasons: []PriorityReason{{Code: ReasonPromiseBroken, Date: &d}, {Code: ReasonDaysOverdue, Days: &days},
				{Code: ReasonAmount, AmountMinor: &amount, Currency: "CNY"}}},
		{StageTitle: &LocalizedText{ZhCN: "只有中文"}, PriorityReasons: []PriorityReason{}, Title: "\xff bad"},
	} {
		got, err := json.Marshal(InboxTasks{task, task})
		if err != nil {
			t.Fatal(err)
		}
		want, _ := json.Marshal([]plain{plain(task), plain(task)})
		if string(got) != string(want) {
			t.Errorf("got  %s\nwant %s", got, want)
		}
	}
}
