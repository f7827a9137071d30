package api

import (
	"context"

	"github.com/recoup/recoup/calendar"
	"github.com/recoup/recoup/engine"
	"github.com/recoup/recoup/usecase"
)

// Simulate replays invoices day by day in a throwaway SQLite database
// (usecase.Simulate): the same loop as `recoup simulate`, nothing written
// to the live database.
func (a *server) Simulate(ctx context.Context, req SimulateRequestObject) (SimulateResponseObject, error) {
	in := req.Body
	r := usecase.SimulationRequest{From: calendar.Of(in.From.Time), To: calendar.Of(in.To.Time), Invoices: in.Invoices}
	if d := in.Definition; d != nil {
		r.Definition = &usecase.DefinitionRef{Kind: engine.Kind(d.Kind), Name: d.Name, Version: d.Version}
	}
	if in.Answers != nil {
		for _, x := range *in.Answers {
			r.Answers = append(r.Answers, usecase.Answer{Invoice: x.Invoice, Day: calendar.Of(x.Day.Time), Node: x.Node, Values: x.Values})
		}
	}
	out, err := a.uc.Simulate(ctx, actorOf(ctx), r)
	if err != nil {
		return nil, err
	}
	return Simulate200JSONResponse(out), nil
}
