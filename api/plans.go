package api

import (
	"context"

	"github.com/recoup/recoup/calendar"
	"github.com/recoup/recoup/engine"
	"github.com/recoup/recoup/store"
)

func (a *server) CreatePlan(ctx context.Context, req CreatePlanRequestObject) (CreatePlanResponseObject, error) {
	b := req.Body
	in := store.PlanIn{Key: b.Key, Invoices: b.Invoices, Count: val(b.Count), EveryMonths: val(b.EveryMonths), GraceDays: val(b.GraceDays), Note: val(b.Note)}
	if b.FirstDue != nil {
		in.FirstDue = calendar.Of(b.FirstDue.Time)
	}
	if b.Installments != nil {
		for i, x := range *b.Installments {
			in.Installments = append(in.Installments, engine.Installment{Seq: i + 1, DueDate: calendar.Of(x.DueDate.Time), AmountMinor: x.AmountMinor})
		}
	}
	p, err := a.uc.CreatePlan(ctx, actorOf(ctx), in)
	if err != nil {
		return nil, err
	}
	return CreatePlan201JSONResponse(p), nil
}

func (a *server) PreviewPlan(ctx context.Context, req PreviewPlanRequestObject) (PreviewPlanResponseObject, error) {
	b := req.Body
	p, err := a.uc.PreviewPlan(ctx, actorOf(ctx), b.Invoices, b.Count, calendar.Of(b.FirstDue.Time), val(b.EveryMonths))
	if err != nil {
		return nil, err
	}
	return PreviewPlan200JSONResponse(p), nil
}

func (a *server) GetPlan(ctx context.Context, req GetPlanRequestObject) (GetPlanResponseObject, error) {
	p, err := a.uc.Plan(ctx, actorOf(ctx), req.Id)
	if err != nil {
		return nil, err
	}
	return GetPlan200JSONResponse(p), nil
}

func (a *server) CancelPlan(ctx context.Context, req CancelPlanRequestObject) (CancelPlanResponseObject, error) {
	p, err := a.uc.CancelPlan(ctx, actorOf(ctx), req.Id, req.Body.Reason)
	if err != nil {
		return nil, err
	}
	return CancelPlan200JSONResponse(p), nil
}
