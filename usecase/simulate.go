package usecase

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/recoup/recoup/calendar"
	"github.com/recoup/recoup/engine"
	"github.com/recoup/recoup/store"
)

// TickAt is the instant of the tick on day d at the wall-clock time
// tickTime (HH:MM) in loc. On a day the clocks change it is still that
// wall-clock time (09:00 in New York on 2026-03-08 is 13:00 UTC, not
// 14:00), as `recoup serve`'s schedule runs it.
func TickAt(d calendar.Date, loc *time.Location, tickTime string) (time.Time, error) {
	hm, err := time.Parse("15:04", tickTime)
	if err != nil {
		return time.Time{}, fmt.Errorf("tick time %q: want HH:MM", tickTime)
	}
	return time.Date(d.Year, d.Month, d.Day, hm.Hour(), hm.Minute(), 0, 0, loc), nil
}

// MaxSimulationDays bounds a simulation's range.
const MaxSimulationDays = 366

// Replay is a simulation's run over a throwaway store that holds its data:
// one tick a day from First to Last at the company's tick time.
type Replay struct {
	Store       *store.Store // the throwaway store
	Bundle      *engine.Bundle
	Location    *time.Location
	TickTime    string // HH:MM
	First, Last calendar.Date
	// BeforeTick applies what happened before the tick at at (the payments
	// made by then).
	BeforeTick func(ctx context.Context, at time.Time) error
	// OnEffect sees every effect of the day's tick.
	OnEffect func(day calendar.Date, e engine.TickEffect)
	// Answers are human tasks answered on their days, after BeforeTick
	// (see Answer); each outcome's record is opened after the tick routed
	// it, as a person's completion opens it after routing.
	Answers []Answer
}

// Run replays the days; the API's and the command line's simulations are
// both this loop, so they tick at the same instants.
func (r Replay) Run(ctx context.Context) (engine.TickStats, error) {
	var total engine.TickStats
	if err := checkAnswers(r.Bundle, r.First, r.Last, r.Answers); err != nil {
		return total, err
	}
	if len(r.Answers) > 0 {
		at, err := TickAt(r.First, r.Location, r.TickTime)
		if err != nil {
			return total, err
		}
		if err := addAnswerer(ctx, r.Store, at); err != nil {
			return total, err
		}
	}
	answerer := New(r.Store, nil, nil) // opens the outcomes' records in r.Store
	var answered []answeredTask        // the day's, their records opened after its tick
	for day := r.First; !day.After(r.Last); day = day.AddDays(1) {
		at, err := TickAt(day, r.Location, r.TickTime)
		if err != nil {
			return total, err
		}
		if r.BeforeTick != nil {
			if err := r.BeforeTick(ctx, at); err != nil {
				return total, err
			}
		}
		clk := engine.Clock{Now: at, Location: r.Location}
		for i, a := range r.Answers {
			if a.Day == day {
				t, err := answerer.answer(ctx, r.Bundle, i, a, clk)
				if err != nil {
					return total, err
				}
				answered = append(answered, t)
			}
		}
		d := day
		st, err := engine.RunTick(ctx, r.Bundle, r.Store, engine.TickOptions{At: at, Location: r.Location,
			OnEffect: func(e engine.TickEffect) { r.OnEffect(d, e) }})
		if err != nil {
			return total, fmt.Errorf("simulating %s: %w", day, err)
		}
		for _, t := range answered {
			answerer.recordOutcome(ctx, r.Bundle, System("simulate"), t.task, t.values, clk, "en")
		}
		answered = answered[:0]
		total.Batches += st.Batches
		total.Effects += st.Effects
		total.States += st.States
		total.Tasks += st.Tasks
		total.Outbox += st.Outbox
		total.Fees += st.Fees
		total.Errors += st.Errors
	}
	return total, nil
}

// SimulationRequest is a simulation of live invoices.
type SimulationRequest struct {
	From, To calendar.Date
	Invoices []string // invoice numbers
	// Definition, when set, is a stored version simulated in place of its
	// published one (a draft before publishing).
	Definition *DefinitionRef
	// Answers are the human tasks answered in the simulation.
	Answers []Answer
}

// Answer completes, on Day before its tick, the open task or approval that
// workflow node Node opened on Invoice, with Values for its form: checked
// as a real completion is, and its outcome's record (a promise, a
// dispute) opened too. "Promised on day 10 for the 20th" is
// {Day: 10th, Node: call, Values: {outcome: promised, promised_date: 20th}}.
type Answer struct {
	Invoice string
	Day     calendar.Date
	Node    string
	Values  map[string]any
}

// AnswerError is an answer that cannot be given: Index is its place in
// SimulationRequest.Answers, Field the answer's field at fault ("invoice",
// "day", "node", "values"), Err why (an engine.FormErrors for values).
type AnswerError struct {
	Index int
	Field string
	Err   error
}

func (e AnswerError) Error() string {
	return fmt.Sprintf("answers[%d].%s: %v", e.Index, e.Field, e.Err)
}

func (e AnswerError) Unwrap() error { return e.Err }

// DefinitionRef names one stored version of a definition.
type DefinitionRef struct {
	Kind    engine.Kind
	Name    string
	Version int
}

// SimulatedEffect is an effect on a simulated day, with its invoice.
type SimulatedEffect struct {
	Invoice string `json:"invoice"`
	engine.Effect
}

// SimulatedDay is a day of a simulation that had effects.
type SimulatedDay struct {
	Date    calendar.Date     `json:"date"`
	Effects []SimulatedEffect `json:"effects"`
}

// Simulation is a simulation's timeline.
type Simulation struct {
	From   calendar.Date  `json:"from"`
	To     calendar.Date  `json:"to"`
	Totals map[string]int `json:"totals"`
	Days   []SimulatedDay `json:"days"`
}

// ErrRange is a simulation's range that is empty or too long.
type ErrRange struct{ From calendar.Date }

func (e ErrRange) Error() string {
	return fmt.Sprintf("want a last day from %s to %d days later", e.From, MaxSimulationDays-1)
}

// Simulate replays live invoices day by day in a throwaway SQLite
// database: the same engine code as the tick, nothing written to the live
// database. The invoices are copied as they stand now, without payments;
// their payments are replayed on their days, and the answers given on
// theirs (an AnswerError when one cannot be).
func (s *Service) Simulate(ctx context.Context, by Actor, in SimulationRequest) (Simulation, error) {
	if err := by.Authorize(DefinitionsRead); err != nil {
		return Simulation{}, err
	}
	if n := in.To.DaysSince(in.From); n < 0 || n >= MaxSimulationDays {
		return Simulation{}, ErrRange{From: in.From}
	}
	v := by.Viewer()
	for _, n := range in.Invoices {
		ok, err := s.store.CanSeeInvoice(ctx, v, n)
		if err != nil {
			return Simulation{}, err
		}
		if !ok {
			return Simulation{}, fmt.Errorf("invoice %q: %w", n, store.ErrHidden)
		}
	}
	var (
		b   *engine.Bundle
		err error
	)
	if d := in.Definition; d != nil {
		b, _, err = s.BundleWith(ctx, d.Kind, d.Name, d.Version)
	} else {
		b, err = s.Bundle(ctx)
	}
	if err != nil {
		return Simulation{}, err
	}
	for i, a := range in.Answers {
		if !slices.Contains(in.Invoices, a.Invoice) {
			return Simulation{}, AnswerError{Index: i, Field: "invoice", Err: fmt.Errorf("invoice %q is not one of the simulated invoices", a.Invoice)}
		}
	}
	company, err := s.store.Company(ctx)
	if err != nil {
		return Simulation{}, err
	}
	loc, err := company.Location()
	if err != nil {
		return Simulation{}, err
	}

	dir, err := os.MkdirTemp("", "recoup-simulate-")
	if err != nil {
		return Simulation{}, err
	}
	defer os.RemoveAll(dir)
	sim, err := store.Open(ctx, "sqlite:"+filepath.Join(dir, "simulate.db"))
	if err != nil {
		return Simulation{}, err
	}
	defer sim.Close()
	if _, err := sim.Migrate(ctx); err != nil {
		return Simulation{}, err
	}
	pays, err := s.store.CopyForSimulation(ctx, sim, in.Invoices, s.now())
	if err != nil {
		return Simulation{}, err
	}

	out := Simulation{From: in.From, To: in.To, Totals: map[string]int{}, Days: []SimulatedDay{}}
	_, err = Replay{Store: sim, Bundle: b, Location: loc, TickTime: company.TickTime, First: in.From, Last: in.To,
		BeforeTick: func(ctx context.Context, at time.Time) error {
			var due []store.SimPayment
			for len(pays) > 0 && !pays[0].PaidAt.After(at) {
				due, pays = append(due, pays[0]), pays[1:]
			}
			return sim.ApplySimPayments(ctx, due, at)
		},
		Answers: in.Answers,
		OnEffect: func(day calendar.Date, e engine.TickEffect) {
			if !e.New {
				return
			}
			if n := len(out.Days); n == 0 || out.Days[n-1].Date != day {
				out.Days = append(out.Days, SimulatedDay{Date: day})
			}
			last := &out.Days[len(out.Days)-1]
			last.Effects = append(last.Effects, SimulatedEffect{Invoice: e.InvoiceNumber, Effect: e.Effect})
			out.Totals[string(e.Kind)]++
		},
	}.Run(ctx)
	var ae AnswerError
	if errors.As(err, &ae) {
		return Simulation{}, ae // not wrapped in the day: it names its day
	}
	return out, err
}

// Answerer is the user a simulation completes tasks as (in its throwaway
// store only).
const Answerer = "simulation@recoup.invalid"

func addAnswerer(ctx context.Context, sim *store.Store, now time.Time) error {
	b, err := sim.BeginBulk(ctx, now)
	if err != nil {
		return err
	}
	defer b.Rollback()
	if err := b.UpsertUsers(ctx, []store.UserRow{{Email: Answerer, Name: "Simulation", Role: store.RoleAdmin}}); err != nil {
		return err
	}
	return b.Commit()
}

// checkAnswers refuses, before anything runs, answers that cannot apply:
// a day outside the range, a node no workflow has.
func checkAnswers(b *engine.Bundle, first, last calendar.Date, answers []Answer) error {
	for i, a := range answers {
		if a.Day.Before(first) || a.Day.After(last) {
			return AnswerError{Index: i, Field: "day", Err: fmt.Errorf("%s is outside the simulated days %s to %s", a.Day, first, last)}
		}
		found := false
		var nodes []string
		for _, w := range b.Workflows {
			if _, ok := w.NodeIndex[a.Node]; ok {
				found = true
			}
			for n := range w.NodeIndex {
				nodes = append(nodes, n)
			}
		}
		if !found {
			slices.Sort(nodes)
			nodes = slices.Compact(nodes)
			return AnswerError{Index: i, Field: "node", Err: fmt.Errorf("no workflow has a node %q (have %s)", a.Node, strings.Join(nodes, ", "))}
		}
	}
	return nil
}

// answeredTask is a task a simulation answered, with the values.
type answeredTask struct {
	task   store.TaskDetail
	values map[string]any
}

// answer completes, in the simulation's store s, the task answer a (the
// i-th) names, as a person completing it would: the values checked against
// its form at the simulated instant and the outcome recorded (as Answerer)
// for the tick to route.
func (s *Service) answer(ctx context.Context, b *engine.Bundle, i int, a Answer, clk engine.Clock) (answeredTask, error) {
	day := calendar.In(clk.Now, clk.Location)
	id, key, err := s.store.OpenNodeTask(ctx, a.Invoice, a.Node)
	if errors.Is(err, store.ErrNotFound) {
		return answeredTask{}, AnswerError{Index: i, Field: "node", Err: fmt.Errorf("on %s invoice %s has no open task or approval of node %q to answer", day, a.Invoice, a.Node)}
	}
	if err != nil {
		return answeredTask{}, err
	}
	t, err := s.store.VisibleTask(ctx, System("simulate").Viewer(), id, clk.Now)
	if err != nil {
		return answeredTask{}, err
	}
	if t.Kind == KindApproval { // as CompleteTask: no decision on a paused escalation
		if paused, reason, err := s.store.TaskWorkflowPause(ctx, id); err != nil {
			return answeredTask{}, err
		} else if paused {
			return answeredTask{}, AnswerError{Index: i, Field: "node",
				Err: fmt.Errorf("on %s the escalation of invoice %s is paused (%s): a decision would not take effect", day, a.Invoice, cmp.Or(reason, "paused"))}
		}
	}
	values := a.Values
	if values == nil {
		values = map[string]any{}
	}
	if _, err := engine.SubmitTask(ctx, b, s.store, key, values, Answerer, clk, "en"); err != nil {
		var fe engine.FormErrors
		if errors.As(err, &fe) {
			return answeredTask{}, AnswerError{Index: i, Field: "values", Err: fe}
		}
		return answeredTask{}, err
	}
	return answeredTask{task: t, values: values}, nil
}
