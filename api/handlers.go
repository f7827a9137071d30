package api

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strconv"

	"github.com/recoup/recoup/calendar"
	"github.com/recoup/recoup/engine"
	"github.com/recoup/recoup/store"
)

// server implements the operations of openapi.yaml (StrictServerInterface):
// each takes its typed request and returns its typed answer, or an error
// that toProblem maps to HTTP.
var _ StrictServerInterface = (*server)(nil)

// clock returns now in the company's time zone.
func (a *server) clock(ctx context.Context) (engine.Clock, error) { return a.uc.Clock(ctx) }

// bundle returns the compiled published definitions, compiled again only
// when they change.
func (a *server) bundle(ctx context.Context) (*engine.Bundle, error) { return a.uc.Bundle(ctx) }

// val is *p, or the zero value for an absent optional parameter.
func val[T any](p *T) T {
	var zero T
	if p == nil {
		return zero
	}
	return *p
}

func (a *server) ListInvoices(ctx context.Context, req ListInvoicesRequestObject) (ListInvoicesResponseObject, error) {
	clk, err := a.clock(ctx)
	if err != nil {
		return nil, err
	}
	p := req.Params
	page, err := a.store.Invoices(ctx, principalOf(ctx).Viewer(), store.InvoiceFilter{Status: val(p.Status), Aging: string(val(p.Aging)),
		Owner: val(p.Owner), Risk: string(val(p.Risk)), Customer: val(p.Customer), Currency: val(p.Currency), Search: val(p.Q),
		Cursor: val(p.Cursor), Limit: val(p.Limit),
		OverdueMin: p.OverdueMin, OverdueMax: p.OverdueMax, Today: calendar.Of(clk.Now)})
	if err != nil {
		return nil, err
	}
	return ListInvoices200JSONResponse(page), nil
}

func (a *server) GetInvoice(ctx context.Context, req GetInvoiceRequestObject) (GetInvoiceResponseObject, error) {
	clk, err := a.clock(ctx)
	if err != nil {
		return nil, err
	}
	d, err := a.store.InvoiceDetail(ctx, principalOf(ctx).Viewer(), req.Number, calendar.Of(clk.Now), clk.Now)
	if err != nil {
		return nil, err
	}
	a.labelActivity(ctx, &d)
	localizeTasks(ctx, d.Tasks)
	localizeTasks(ctx, d.Approvals)
	return GetInvoice200JSONResponse(d), nil
}

// labelActivity gives each completed task's recorded values the labels of
// its form's fields and options, from the published definitions. Without
// them (no bundle, a form since removed) the values stay as recorded.
func (a *server) labelActivity(ctx context.Context, d *store.InvoiceDetail) {
	b, err := a.bundle(ctx)
	if err != nil {
		return
	}
	formOf := map[int64]string{}
	for _, list := range [][]store.InboxTask{d.Tasks, d.Approvals} {
		for _, t := range list {
			formOf[t.ID] = t.Form
		}
	}
	labels := map[string]map[string]store.FieldLabel{}
	for i := range d.Activity {
		e := &d.Activity[i]
		name := formOf[e.TaskID]
		if e.Action != store.ActionTaskCompleted || name == "" {
			continue
		}
		fields, ok := labels[name]
		if !ok {
			if f := b.Form(name); f != nil {
				fields = formLabels(f.Spec)
			}
			labels[name] = fields
		}
		e.Fields = fields
	}
}

// formLabels is each field's label and options' labels of a form.
func formLabels(spec *engine.FormSpec) map[string]store.FieldLabel {
	out := make(map[string]store.FieldLabel, len(spec.Fields))
	for _, f := range spec.Fields {
		l := store.FieldLabel{Label: localized(f.Label), Type: string(f.Type)}
		for _, o := range f.Options {
			if t := localized(o.Label); t != nil {
				if l.Options == nil {
					l.Options = map[string]*store.LocalizedText{}
				}
				l.Options[o.Value.Value] = t
			}
		}
		out[f.Name.Value] = l
	}
	return out
}

// RecordPayment is the payment webhook: idempotent by reference, and the
// invoice's workflows see the payment at once (a paid invoice stops them).
func (a *server) RecordPayment(ctx context.Context, req RecordPaymentRequestObject) (RecordPaymentResponseObject, error) {
	in := req.Body
	out, err := a.uc.RecordPayment(ctx, actorOf(ctx), store.PaymentIn{Reference: in.Reference, Invoice: val(in.Invoice), Invoices: val(in.Invoices),
		Customer: val(in.Customer), AmountMinor: in.AmountMinor, Currency: in.Currency, PaidAt: in.PaidAt})
	if err != nil {
		return nil, err
	}
	res := PaymentResult{Reference: out.Reference, Invoice: out.Invoice, AmountMinor: out.AmountMinor, Currency: out.Currency,
		PaidAt: out.PaidAt, BalanceMinor: out.BalanceMinor, InvoiceStatus: out.Status, Duplicate: out.Duplicate, Effects: out.Effects,
		AppliedMinor: &out.AppliedMinor, UnappliedMinor: &out.UnappliedMinor}
	if out.Duplicate {
		return RecordPayment200JSONResponse(res), nil
	}
	return RecordPayment201JSONResponse(res), nil
}

func (a *server) ListDefinitions(ctx context.Context, _ ListDefinitionsRequestObject) (ListDefinitionsResponseObject, error) {
	defs, err := a.store.PublishedDefinitions(ctx)
	if err != nil {
		return nil, err
	}
	if defs == nil {
		defs = []store.Definition{}
	}
	return ListDefinitions200JSONResponse{Items: defs}, nil
}

func (a *server) GetDefinition(ctx context.Context, req GetDefinitionRequestObject) (GetDefinitionResponseObject, error) {
	kind := engine.Kind(req.Kind)
	if v := req.Params.Version; v != nil {
		d, err := a.store.DefinitionVersion(ctx, kind, req.Name, *v)
		if err != nil {
			return nil, err
		}
		return GetDefinition200JSONResponse(d), nil
	}
	hist, err := a.store.DefinitionHistory(ctx, kind, req.Name)
	if err != nil {
		return nil, err
	}
	for _, d := range hist {
		if d.Status == store.DefinitionPublished {
			return GetDefinition200JSONResponse(d), nil
		}
	}
	return nil, store.ErrNotFound
}

func (a *server) GetDefinitionHistory(ctx context.Context, req GetDefinitionHistoryRequestObject) (GetDefinitionHistoryResponseObject, error) {
	hist, err := a.store.DefinitionHistory(ctx, engine.Kind(req.Kind), req.Name)
	if err != nil {
		return nil, err
	}
	if len(hist) == 0 {
		return nil, store.ErrNotFound
	}
	return GetDefinitionHistory200JSONResponse{Items: hist}, nil
}

func (a *server) ListTokens(ctx context.Context, req ListTokensRequestObject) (ListTokensResponseObject, error) {
	page, err := a.store.TokensPage(ctx, val(req.Params.Cursor), val(req.Params.Limit))
	if err != nil {
		return nil, err
	}
	out := ListTokens200JSONResponse{Items: page.Items}
	if page.NextCursor != "" {
		out.NextCursor = &page.NextCursor
	}
	return out, nil
}

func (a *server) CreateToken(ctx context.Context, req CreateTokenRequestObject) (CreateTokenResponseObject, error) {
	p, in := principalOf(ctx), req.Body
	user := p.User.Email
	if in.User != nil && *in.User != "" {
		user = *in.User
	}
	now := a.now()
	days := store.TokenDefaultDays
	if in.ExpiresInDays != nil {
		days = *in.ExpiresInDays
	}
	expires := now.AddDate(0, 0, days)
	u, err := a.store.UserByEmail(ctx, user)
	if err != nil {
		return nil, err
	}
	scopes := make([]string, len(in.Scopes))
	var bad []FieldError
	for i, s := range in.Scopes {
		scopes[i] = string(s)
		if !slices.Contains(rolePermissions[u.Role], s) {
			bad = append(bad, FieldError{Field: "/scopes/" + strconv.Itoa(i), Message: fmt.Sprintf("role %s of %s does not grant %s", u.Role, u.Email, s)})
		}
	}
	if len(bad) > 0 {
		return nil, &fieldErrors{status: http.StatusUnprocessableEntity, detail: "a token cannot do more than its user", fields: bad}
	}
	t, secret, err := a.store.CreateToken(ctx, user, in.Name, scopes, p.User.Email, expires, now)
	if err != nil {
		return nil, err
	}
	if err := a.audit(ctx, store.AuditRecord{Action: actionTokenCreated, Entity: "token", EntityID: t.ID,
		Detail: map[string]any{"name": t.Name, "prefix": t.Prefix, "user": t.User, "scopes": t.Scopes, "expires_at": t.ExpiresAt}}); err != nil {
		return nil, err
	}
	return CreateToken201JSONResponse{Token: t, Secret: secret}, nil
}

func (a *server) RevokeToken(ctx context.Context, req RevokeTokenRequestObject) (RevokeTokenResponseObject, error) {
	if err := a.store.RevokeToken(ctx, req.Id, a.now()); err != nil {
		return nil, err
	}
	if err := a.audit(ctx, store.AuditRecord{Action: actionTokenRevoked, Entity: "token", EntityID: req.Id}); err != nil {
		return nil, err
	}
	return RevokeToken204Response{}, nil
}

func (a *server) ListCustomers(ctx context.Context, req ListCustomersRequestObject) (ListCustomersResponseObject, error) {
	clk, err := a.clock(ctx)
	if err != nil {
		return nil, err
	}
	p := req.Params
	page, err := a.store.Customers(ctx, principalOf(ctx).Viewer(), store.CustomerFilter{Risk: string(val(p.Risk)), Region: val(p.Region),
		Owner: val(p.Owner), Search: val(p.Q), Cursor: val(p.Cursor), Limit: val(p.Limit), Today: calendar.Of(clk.Now)})
	if err != nil {
		return nil, err
	}
	return ListCustomers200JSONResponse(page), nil
}

func (a *server) GetCustomer(ctx context.Context, req GetCustomerRequestObject) (GetCustomerResponseObject, error) {
	clk, err := a.clock(ctx)
	if err != nil {
		return nil, err
	}
	p := req.Params
	d, err := a.store.CustomerDetail(ctx, principalOf(ctx).Viewer(), req.Id, store.CustomerDetailOptions{Now: clk.Now, Location: clk.Location,
		Cursor: val(p.Cursor), Limit: val(p.Limit), HistoryLimit: val(p.HistoryLimit)})
	if err != nil {
		return nil, err
	}
	return GetCustomer200JSONResponse(d), nil
}

func (a *server) ListPayments(ctx context.Context, req ListPaymentsRequestObject) (ListPaymentsResponseObject, error) {
	p := req.Params
	page, err := a.store.Payments(ctx, principalOf(ctx).Viewer(), store.PaymentFilter{Invoice: val(p.Invoice), Customer: val(p.Customer),
		Cursor: val(p.Cursor), Limit: val(p.Limit), From: val(p.From), To: val(p.To)})
	if err != nil {
		return nil, err
	}
	return ListPayments200JSONResponse(page), nil
}
