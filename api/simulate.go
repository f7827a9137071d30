package api

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"github.com/recoup/recoup/calendar"
	"github.com/recoup/recoup/engine"
	"github.com/recoup/recoup/store"
)

// maxSimulationDays bounds a simulation's range.
const maxSimulationDays = 366

// simEffect is an effect on a simulated day, with its invoice.
type simEffect struct {
	Invoice string `json:"invoice"`
	engine.Effect
}

type simDay struct {
	Date    calendar.Date `json:"date"`
	Effects []simEffect   `json:"effects"`
}

// simulation is a simulation's timeline (Simulation in openapi.yaml).
type simulation struct {
	From   calendar.Date  `json:"from"`
	To     calendar.Date  `json:"to"`
	Totals map[string]int `json:"totals"`
	Days   []simDay       `json:"days"`
}

// Simulate replays invoices day by day in a throwaway SQLite database: the
// same engine code as the tick, nothing written to the live database.
func (a *server) Simulate(ctx context.Context, req SimulateRequestObject) (SimulateResponseObject, error) {
	out, err := a.simulate(ctx, *req.Body)
	if err != nil {
		return nil, err
	}
	return Simulate200JSONResponse(out), nil
}

func (a *server) simulate(ctx context.Context, in SimulateRequest) (simulation, error) {
	first, last := calendar.Of(in.From.Time), calendar.Of(in.To.Time)
	if n := last.DaysSince(first); n < 0 || n >= maxSimulationDays {
		return simulation{}, &fieldErrors{status: http.StatusUnprocessableEntity, detail: "the range is invalid",
			fields: []FieldError{{Field: "/to", Message: fmt.Sprintf("want a day from %s to %d days later", first, maxSimulationDays-1)}}}
	}
	v := principalOf(ctx).Viewer()
	for _, n := range in.Invoices {
		ok, err := a.store.CanSeeInvoice(ctx, v, n)
		if err != nil {
			return simulation{}, err
		}
		if !ok {
			return simulation{}, fmt.Errorf("invoice %q: %w", n, store.ErrHidden)
		}
	}
	var (
		b   *engine.Bundle
		err error
	)
	if d := in.Definition; d != nil {
		b, _, err = a.bundleWith(ctx, engine.Kind(d.Kind), d.Name, d.Version)
	} else {
		b, err = a.bundle(ctx)
	}
	if err != nil {
		return simulation{}, err
	}
	company, err := a.store.Company(ctx)
	if err != nil {
		return simulation{}, err
	}
	loc, err := company.Location()
	if err != nil {
		return simulation{}, err
	}
	tickAt, err := time.Parse("15:04", company.TickTime)
	if err != nil {
		return simulation{}, fmt.Errorf("company tick time %q: %w", company.TickTime, err)
	}

	dir, err := os.MkdirTemp("", "recoup-api-simulate-")
	if err != nil {
		return simulation{}, err
	}
	defer os.RemoveAll(dir)
	sim, err := store.Open(ctx, "sqlite:"+filepath.Join(dir, "simulate.db"))
	if err != nil {
		return simulation{}, err
	}
	defer sim.Close()
	if _, err := sim.Migrate(ctx); err != nil {
		return simulation{}, err
	}
	pays, err := a.store.CopyForSimulation(ctx, sim, in.Invoices, a.now())
	if err != nil {
		return simulation{}, err
	}

	out := simulation{From: first, To: last, Totals: map[string]int{}, Days: []simDay{}}
	for day := first; !day.After(last); day = day.AddDays(1) {
		at := day.Time(loc).Add(time.Duration(tickAt.Hour())*time.Hour + time.Duration(tickAt.Minute())*time.Minute)
		var due []store.SimPayment
		for len(pays) > 0 && !pays[0].PaidAt.After(at) {
			due, pays = append(due, pays[0]), pays[1:]
		}
		if err := sim.ApplySimPayments(ctx, due, at); err != nil {
			return simulation{}, err
		}
		today := simDay{Date: day, Effects: []simEffect{}}
		if _, err := engine.RunTick(ctx, b, sim, engine.TickOptions{At: at, Location: loc, OnEffect: func(e engine.TickEffect) {
			if e.New {
				today.Effects = append(today.Effects, simEffect{Invoice: e.InvoiceNumber, Effect: e.Effect})
				out.Totals[string(e.Kind)]++
			}
		}}); err != nil {
			return simulation{}, fmt.Errorf("simulating %s: %w", day, err)
		}
		if len(today.Effects) > 0 {
			out.Days = append(out.Days, today)
		}
	}
	return out, nil
}
