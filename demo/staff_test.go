package demo

import (
	"reflect"
	"testing"
	"time"

	"github.com/recoup/recoup/calendar"
)

type staffBundle struct {
	book  *Book
	staff *Staff
	loc   *time.Location
	today calendar.Date
}

func setup(t *testing.T) *staffBundle {
	t.Helper()
	loc, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		t.Fatal(err)
	}
	today := calendar.MustParse("2026-12-07")
	dir := t.TempDir()
	if err := Generate(dir, Options{Customers: 50, Invoices: 400, Seed: 7, Today: today, Zone: loc}); err != nil {
		t.Fatal(err)
	}
	book, err := ReadBook(dir)
	if err != nil {
		t.Fatal(err)
	}
	return &staffBundle{book: book, staff: NewStaff(book, 7, loc), loc: loc, today: today}
}

// TestStaffPromises: a rep calling a customer who will pay within a month
// mostly records a promise for the day it pays (kept); the other
// customers get promises for the coming days (broken), refusals, disputes
// or no answer. Every promised date is today or later, as the form asks.
func TestStaffPromises(t *testing.T) {
	t.Parallel()
	b := setup(t)
	var kept, other int
	for number, inv := range b.book.invoices {
		if len(inv.pays) == 0 {
			continue
		}
		p := inv.pays[len(inv.pays)-1]
		day := calendar.In(p.At, b.loc).AddDays(-3)
		at := day.Time(b.loc).Add(10 * time.Hour)
		if inv.balanceAt(at) <= 0 {
			continue
		}
		key := "workflow/overdue-escalation/invoice/" + number + "/1/call/1/task#0"
		v := b.staff.callOutcome(key, day, at, inv)
		if v["outcome"] == "promised" {
			on, err := calendar.Parse(v["promised_date"].(string))
			if err != nil || on.Before(day) {
				t.Errorf("%s: promised date %v on %s", number, v["promised_date"], day)
			}
			next, _ := inv.nextPayment(at, day.AddDays(30), b.loc)
			if on == calendar.In(next.At, b.loc) {
				kept++
				continue
			}
		}
		other++
	}
	if kept == 0 || other == 0 || kept < other {
		t.Errorf("calls 3 days before a payment: %d promises on its day, %d others; want mostly the former", kept, other)
	}
}

// TestStaffWork: the same seed and tasks give the same completions, in
// time order, after each task was made and during the working day; a
// task's day to be done comes at most four days after it was made.
func TestStaffWork(t *testing.T) {
	t.Parallel()
	b := setup(t)
	made := b.today.AddDays(-10).Time(b.loc).Add(9 * time.Hour)
	var open []OpenTask
	for number := range b.book.invoices {
		open = append(open,
			OpenTask{Key: "rule/due-soon-todo/invoice/" + number + "#0", Kind: "task", Assignee: "rep1.east@demo.recoup.test", Invoice: number, Created: made},
			OpenTask{Key: "workflow/overdue-escalation/invoice/" + number + "/1/review/1#1", Kind: "task", Role: "finance", Invoice: number, Created: made})
	}
	done := map[string]bool{}
	for d := -10; d < 0; d++ {
		day := b.today.AddDays(d)
		got := b.staff.Work(day, open)
		if again := b.staff.Work(day, open); !reflect.DeepEqual(got, again) {
			t.Fatalf("%s: two runs differ", day)
		}
		for i, c := range got {
			if i > 0 && c.At.Before(got[i-1].At) {
				t.Errorf("%s: %s at %s after %s", day, c.Task, c.At, got[i-1].At)
			}
			if calendar.In(c.At, b.loc) != day || !c.At.After(made) || c.At.In(b.loc).Hour() < 9 || c.At.In(b.loc).Hour() > 17 {
				t.Errorf("%s: %s at %s", day, c.Task, c.At)
			}
			if c.By == "" {
				t.Errorf("%s: %s by nobody", day, c.Task)
			}
			if d >= -5 && !done[c.Task] {
				t.Errorf("%s: %s done %d days after it was made", day, c.Task, d+10)
			}
			done[c.Task] = true
		}
	}
	if len(done) == 0 || len(done) == len(open) {
		t.Errorf("%d of %d tasks done: want most, not all", len(done), len(open))
	}
}
