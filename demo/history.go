package demo

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/recoup/recoup/calendar"
	"github.com/recoup/recoup/engine"
	"github.com/recoup/recoup/ingest"
	"github.com/recoup/recoup/store"
)

// SlotPrefix begins the slot of every history tick: "demo/YYYY-MM-DD".
const SlotPrefix = "demo/"

// ErrTicked is returned for a database ticked before without the demo's
// history (such as one an earlier make run set up): days played after a
// tick at a later instant would meet its tasks and workflows.
var ErrTicked = errors.New("the database was ticked without the demo's history")

// DefaultDays is how many days before today the history starts: twelve
// weeks, so that it begins before the oldest generated invoice is overdue
// (due dates start 90 days back) and no first tick meets a pile of work.
const DefaultDays = 84

// HistoryOptions say which days the history covers and how they are run.
type HistoryOptions struct {
	// Today is the last day; it is ticked and nobody has worked on it yet.
	Today calendar.Date
	// Days is how many days before Today the history starts. Default
	// DefaultDays.
	Days int
	// Seed fixes what the staff do (NewStaff).
	Seed uint64
	// Company gives the zone and the tick time of every day's tick.
	Company engine.Company
	// NotAfter, when set, is the latest instant of Today's tick, which is
	// otherwise at the company's tick time: the wall clock, so that a demo
	// set up before the tick time records nothing in the future.
	NotAfter time.Time
}

// HistoryReport says what History did.
type HistoryReport struct {
	// First and Today bound the history; Ran counts the days ticked by
	// this call (0 when the history was already there).
	First, Today calendar.Date
	Ran          int
	// Effects and Tasks are what the ticks and completions recorded.
	Effects, Tasks int
	// Completed counts the tasks and approvals the staff completed;
	// Payments the payments imported on their days.
	Completed, Payments int
}

// LastDay returns the last day the history ticked in a database, or zero
// when it has none (a database set up for a day keeps that day as the
// demo's today); ErrTicked when the database was ticked without it.
func LastDay(ctx context.Context, s *store.Store) (calendar.Date, error) {
	slots, err := s.DoneTickSlots(ctx, SlotPrefix)
	if err == nil {
		err = checkNotTicked(ctx, s, slots)
	}
	if err != nil || len(slots) == 0 {
		return calendar.Date{}, err
	}
	return calendar.Parse(slots[len(slots)-1][len(SlotPrefix):])
}

// checkNotTicked returns ErrTicked when the database has no demo ticks
// (slots) but ticks of its own.
func checkNotTicked(ctx context.Context, s *store.Store, slots []string) error {
	if len(slots) > 0 {
		return nil
	}
	all, err := s.DoneTickSlots(ctx, "")
	if err != nil {
		return err
	}
	if len(all) > 0 {
		return fmt.Errorf("%w (%d ticks): set the demo up in a new database", ErrTicked, len(all))
	}
	return nil
}

// History plays the weeks before today in the database: on each day, the
// payments of the day before arrive (imported with ingest, up to the
// tick), the tick runs at the company's tick time (slot "demo/DAY", so a
// day is ticked once), then the staff complete that day's tasks: each
// checked as the API checks it (engine.CheckTask: open, valid for its
// form), the day's recorded in one transaction (store.CompleteTasks) and
// routed by the next morning's tick (a promise waits, a decision
// completes) rather than one by one. On Today only the tick runs. The
// customers of the payment plans the ticks write pay by their installments
// (planSync): the book's payments change accordingly, which
// Book.WritePayments then records.
//
// The users, customers and invoices of book must be imported and the
// definitions of b published. A history already run through Today does
// nothing; one cut short resumes on the last day it ticked (completing a
// task twice is refused by the store, so that day's work is only finished).
func History(ctx context.Context, s *store.Store, b *engine.Bundle, book *Book, o HistoryOptions) (HistoryReport, error) {
	if o.Days <= 0 {
		o.Days = DefaultDays
	}
	loc, err := o.Company.Location()
	if err != nil {
		return HistoryReport{}, err
	}
	rep := HistoryReport{First: o.Today.AddDays(-o.Days), Today: o.Today}
	slots, err := s.DoneTickSlots(ctx, SlotPrefix)
	if err != nil {
		return rep, err
	}
	ticked := map[string]bool{}
	for _, sl := range slots {
		ticked[sl[len(SlotPrefix):]] = true
	}
	if err := checkNotTicked(ctx, s, slots); err != nil {
		return rep, err
	}
	last, err := tickAt(o.Today, loc, o.Company.TickTime)
	if err != nil {
		return rep, err
	}
	if !o.NotAfter.IsZero() && o.NotAfter.Before(last) {
		last = o.NotAfter
	}
	staff := NewStaff(book, o.Seed, loc)
	plans := &planSync{s: s, book: book, staff: staff, limit: last}
	if err := plans.sync(ctx); err != nil {
		return rep, err
	}
	if ticked[o.Today.String()] {
		return rep, nil
	}
	first := rep.First
	for d := o.Today.AddDays(-1); !d.Before(rep.First); d = d.AddDays(-1) {
		if ticked[d.String()] {
			first = d
			break
		}
	}
	imported := time.Time{} // payments up to here are in the database
	for day := first; !day.After(o.Today); day = day.AddDays(1) {
		at, err := tickAt(day, loc, o.Company.TickTime)
		if err != nil {
			return rep, err
		}
		if day == o.Today {
			at = last
		}
		if !ticked[day.String()] {
			n, err := importPayments(ctx, s, book, imported, at, o.Company)
			if err != nil {
				return rep, fmt.Errorf("day %s: %w", day, err)
			}
			imported = at
			rep.Payments += n
			st, err := engine.RunTick(ctx, b, s, engine.TickOptions{At: at, Location: loc, Slot: SlotPrefix + day.String(), Worker: "demo"})
			if err != nil {
				return rep, fmt.Errorf("tick of %s: %w", day, err)
			}
			rep.Ran++
			rep.Effects += st.Effects
			rep.Tasks += st.Tasks
			if err := plans.sync(ctx); err != nil {
				return rep, fmt.Errorf("day %s: %w", day, err)
			}
		}
		if day == o.Today {
			break
		}
		open, err := s.Tasks(ctx, store.TaskFilter{Status: engine.TaskOpen, Limit: allTasks})
		if err != nil {
			return rep, err
		}
		tasks := make([]OpenTask, len(open))
		for i, t := range open {
			tasks[i] = OpenTask{Key: t.Key, Kind: t.Kind, Form: t.Form, Assignee: t.Assignee, Role: t.Role, Invoice: t.Invoice,
				Created: t.CreatedAt, Due: t.DueAt}
		}
		var work []store.TaskCompletion
		for _, c := range staff.Work(day, tasks) {
			_, err := engine.CheckTask(ctx, b, s, c.Task, c.Values, engine.Clock{Now: c.At, Location: loc}, "en")
			if errors.Is(err, engine.ErrTaskNotOpen) {
				continue // done before a resume
			}
			if err != nil {
				return rep, fmt.Errorf("day %s: %s completes %s: %w", day, c.By, c.Task, err)
			}
			work = append(work, store.TaskCompletion{Key: c.Task, Outcome: c.Values, By: c.By, At: c.At})
		}
		n, err := s.CompleteTasks(ctx, work)
		if err != nil {
			return rep, fmt.Errorf("day %s: %w", day, err)
		}
		rep.Completed += n
	}
	return rep, nil
}

// allTasks is a limit above any number of open tasks.
const allTasks = 1 << 30

// importPayments imports the book's payments paid after from and at or
// before until, as one more payments file arriving; it returns how many.
func importPayments(ctx context.Context, s *store.Store, book *Book, from, until time.Time, company engine.Company) (int, error) {
	lo, _ := slices.BinarySearchFunc(book.Payments, from, func(p BookPayment, t time.Time) int {
		if p.At.After(t) {
			return 1
		}
		return -1
	})
	hi, _ := slices.BinarySearchFunc(book.Payments, until, func(p BookPayment, t time.Time) int {
		if p.At.After(t) {
			return 1
		}
		return -1
	})
	if from.IsZero() {
		lo = 0
	}
	if lo >= hi {
		return 0, nil
	}
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	w.Write([]string{"invoice_number", "amount", "paid_at", "reference"})
	for _, p := range book.Payments[lo:hi] {
		w.Write([]string{p.Invoice, p.Amount, p.PaidAt, p.Reference})
	}
	w.Flush()
	if _, err := ingest.Reader(ctx, s, "payments", "payments.csv", "csv", &buf, ingest.Options{Company: company, Now: until}); err != nil {
		return 0, err
	}
	return hi - lo, nil
}

// tickAt is day at the company's HH:MM tick time in loc.
func tickAt(day calendar.Date, loc *time.Location, tickTime string) (time.Time, error) {
	hm, err := time.Parse("15:04", tickTime)
	if err != nil {
		return time.Time{}, fmt.Errorf("tick time %q: want HH:MM", tickTime)
	}
	return time.Date(day.Year, day.Month, day.Day, hm.Hour(), hm.Minute(), 0, 0, loc), nil
}
