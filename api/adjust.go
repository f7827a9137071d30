package api

import (
	"context"
	"time"

	openapi_types "github.com/oapi-codegen/runtime/types"

	"github.com/recoup/recoup/calendar"
	"github.com/recoup/recoup/store"
)

func (a *server) RecordAdjustment(ctx context.Context, req RecordAdjustmentRequestObject) (RecordAdjustmentResponseObject, error) {
	in := req.Body
	adj := store.AdjustmentIn{Key: in.Key, Invoice: req.Number, Kind: string(in.Kind), AmountMinor: val(in.AmountMinor), Currency: in.Currency, Reason: in.Reason}
	if in.EffectiveDate != nil {
		adj.Date = calendar.Of(in.EffectiveDate.Time)
	}
	out, err := a.uc.RecordAdjustment(ctx, actorOf(ctx), adj)
	if err != nil {
		return nil, err
	}
	res := AdjustmentResult{Id: out.ID, Invoice: out.Invoice, Kind: out.Kind, AmountMinor: out.AmountMinor, Currency: out.Currency,
		EffectiveDate: openapi_types.Date{Time: out.Date.Time(time.UTC)}, BalanceMinor: out.BalanceMinor, InvoiceStatus: out.Status, Duplicate: out.Duplicate, Effects: out.Effects}
	if out.Duplicate {
		return RecordAdjustment200JSONResponse(res), nil
	}
	return RecordAdjustment201JSONResponse(res), nil
}

func (a *server) ReversePayment(ctx context.Context, req ReversePaymentRequestObject) (ReversePaymentResponseObject, error) {
	out, err := a.uc.ReversePayment(ctx, actorOf(ctx), req.Reference, req.Body.Reason)
	if err != nil {
		return nil, err
	}
	return ReversePayment200JSONResponse{Reference: out.Reference, Invoice: out.Invoice, AmountMinor: out.AmountMinor, Currency: out.Currency,
		PaidAt: out.PaidAt, BalanceMinor: out.BalanceMinor, InvoiceStatus: out.Status, Duplicate: out.Duplicate, Effects: out.Effects}, nil
}
