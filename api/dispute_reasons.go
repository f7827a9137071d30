package api

import (
	"context"

	"github.com/recoup/recoup/engine"
	"github.com/recoup/recoup/store"
)

// The company's dispute reasons (usecase/dispute_reasons.go).

func (a *server) ListDisputeReasons(ctx context.Context, req ListDisputeReasonsRequestObject) (ListDisputeReasonsResponseObject, error) {
	list, err := a.uc.DisputeReasons(ctx, actorOf(ctx), val(req.Params.IncludeRetired))
	if err != nil {
		return nil, err
	}
	return ListDisputeReasons200JSONResponse(list), nil
}

func (a *server) AddDisputeReason(ctx context.Context, req AddDisputeReasonRequestObject) (AddDisputeReasonResponseObject, error) {
	b := req.Body
	r, err := a.uc.AddDisputeReason(ctx, actorOf(ctx), engine.DisputeReason{Code: b.Code, En: b.En, ZhCN: b.ZhCN})
	if err != nil {
		return nil, err
	}
	return AddDisputeReason201JSONResponse(r), nil
}

func (a *server) UpdateDisputeReason(ctx context.Context, req UpdateDisputeReasonRequestObject) (UpdateDisputeReasonResponseObject, error) {
	r, err := a.uc.UpdateDisputeReason(ctx, actorOf(ctx), req.Code, store.DisputeReasonLabels{En: req.Body.En, ZhCN: req.Body.ZhCN})
	if err != nil {
		return nil, err
	}
	return UpdateDisputeReason200JSONResponse(r), nil
}

func (a *server) RetireDisputeReason(ctx context.Context, req RetireDisputeReasonRequestObject) (RetireDisputeReasonResponseObject, error) {
	r, err := a.uc.RetireDisputeReason(ctx, actorOf(ctx), req.Code)
	if err != nil {
		return nil, err
	}
	return RetireDisputeReason200JSONResponse(r), nil
}
