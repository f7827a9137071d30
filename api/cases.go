package api

import (
	"context"

	openapi_types "github.com/oapi-codegen/runtime/types"

	"github.com/recoup/recoup/calendar"
	"github.com/recoup/recoup/store"
)

// Disputes, promises to pay, legal cases and holds (issue 16): each
// handler translates its request for one use case (usecase/cases.go).

func (a *server) OpenDispute(ctx context.Context, req OpenDisputeRequestObject) (OpenDisputeResponseObject, error) {
	b := req.Body
	d, err := a.uc.OpenDispute(ctx, actorOf(ctx), store.DisputeIn{Invoice: req.Number, Reason: b.Reason, Description: val(b.Description),
		DisputedMinor: b.DisputedMinor, Currency: val(b.Currency), Owner: val(b.Owner), SLADue: date(b.SlaDue)})
	if err != nil {
		return nil, err
	}
	return OpenDispute201JSONResponse(d), nil
}

func (a *server) ResolveDispute(ctx context.Context, req ResolveDisputeRequestObject) (ResolveDisputeResponseObject, error) {
	d, err := a.uc.ResolveDispute(ctx, actorOf(ctx), store.DisputeResolution{ID: req.Id, Status: string(req.Body.Status), Note: req.Body.Note})
	if err != nil {
		return nil, err
	}
	return ResolveDispute200JSONResponse(d), nil
}

func (a *server) RecordPromise(ctx context.Context, req RecordPromiseRequestObject) (RecordPromiseResponseObject, error) {
	b := req.Body
	p, err := a.uc.RecordPromise(ctx, actorOf(ctx), store.PromiseIn{Invoice: req.Number, PromisedDate: date(&b.PromisedDate),
		PromisedMinor: b.PromisedMinor, Currency: val(b.Currency), Note: val(b.Note)})
	if err != nil {
		return nil, err
	}
	return RecordPromise201JSONResponse(p), nil
}

func (a *server) CancelPromise(ctx context.Context, req CancelPromiseRequestObject) (CancelPromiseResponseObject, error) {
	note := ""
	if req.Body != nil {
		note = val(req.Body.Note)
	}
	p, err := a.uc.CancelPromise(ctx, actorOf(ctx), req.Id, note)
	if err != nil {
		return nil, err
	}
	return CancelPromise200JSONResponse(p), nil
}

func (a *server) OpenLegalCase(ctx context.Context, req OpenLegalCaseRequestObject) (OpenLegalCaseResponseObject, error) {
	b := req.Body
	lc, err := a.uc.OpenLegalCase(ctx, actorOf(ctx), store.LegalCaseIn{Invoice: req.Number, OpenedOn: date(b.OpenedOn), Owner: val(b.Owner),
		Notes: val(b.Notes), Documents: val(b.Documents)})
	if err != nil {
		return nil, err
	}
	return OpenLegalCase201JSONResponse(lc), nil
}

func (a *server) CloseLegalCase(ctx context.Context, req CloseLegalCaseRequestObject) (CloseLegalCaseResponseObject, error) {
	b := req.Body
	lc, err := a.uc.CloseLegalCase(ctx, actorOf(ctx), store.LegalCaseClosing{ID: req.Id, Status: string(b.Status),
		SettlementMinor: val(b.SettlementMinor), Notes: val(b.Notes)})
	if err != nil {
		return nil, err
	}
	return CloseLegalCase200JSONResponse(lc), nil
}

func (a *server) PlaceHold(ctx context.Context, req PlaceHoldRequestObject) (PlaceHoldResponseObject, error) {
	h, err := a.uc.PlaceHold(ctx, actorOf(ctx), req.Number, req.Body.Reason)
	if err != nil {
		return nil, err
	}
	return PlaceHold200JSONResponse(h), nil
}

func (a *server) ReleaseHold(ctx context.Context, req ReleaseHoldRequestObject) (ReleaseHoldResponseObject, error) {
	h, err := a.uc.ReleaseHold(ctx, actorOf(ctx), req.Number)
	if err != nil {
		return nil, err
	}
	return ReleaseHold200JSONResponse(h), nil
}

// date is an optional request date as a civil date (zero when absent).
func date(d *openapi_types.Date) calendar.Date {
	if d == nil {
		return calendar.Date{}
	}
	return calendar.Of(d.Time)
}
