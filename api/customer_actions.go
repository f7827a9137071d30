package api

import (
	"context"

	"github.com/recoup/recoup/usecase"
)

// Manual account actions (issue 16 §7): the handlers translate, the use
// cases (usecase/customer.go) check, validate, write and audit.

func (a *server) GetCustomerContacts(ctx context.Context, req GetCustomerContactsRequestObject) (GetCustomerContactsResponseObject, error) {
	c, err := a.uc.CustomerContacts(ctx, actorOf(ctx), req.Id)
	if err != nil {
		return nil, err
	}
	return GetCustomerContacts200JSONResponse(c), nil
}

func (a *server) EditCustomerContacts(ctx context.Context, req EditCustomerContactsRequestObject) (EditCustomerContactsResponseObject, error) {
	b := req.Body
	c, err := a.uc.EditCustomerContacts(ctx, actorOf(ctx), req.Id, usecase.ContactsEdit{Email: b.Email, Phone: b.Phone,
		FinanceEmail: b.FinanceEmail, Locale: b.Locale})
	if err != nil {
		return nil, err
	}
	return EditCustomerContacts200JSONResponse(c), nil
}

func (a *server) SetDoNotContact(ctx context.Context, req SetDoNotContactRequestObject) (SetDoNotContactResponseObject, error) {
	c, err := a.uc.SetDoNotContact(ctx, actorOf(ctx), req.Id, req.Body.On, req.Body.Reason)
	if err != nil {
		return nil, err
	}
	return SetDoNotContact200JSONResponse(c), nil
}

func (a *server) SetCustomerRisk(ctx context.Context, req SetCustomerRiskRequestObject) (SetCustomerRiskResponseObject, error) {
	c, err := a.uc.SetRiskTier(ctx, actorOf(ctx), req.Id, req.Body.Risk, req.Body.Reason)
	if err != nil {
		return nil, err
	}
	return SetCustomerRisk200JSONResponse(c), nil
}

func (a *server) CreateTask(ctx context.Context, req CreateTaskRequestObject) (CreateTaskResponseObject, error) {
	b := req.Body
	t, err := a.uc.CreateTask(ctx, actorOf(ctx), usecase.NewTask{Invoice: val(b.Invoice), Customer: val(b.Customer), Title: b.Title,
		Description: val(b.Description), Assignee: val(b.Assignee), Role: val(b.Role), Priority: val(b.Priority), DueAt: b.DueAt})
	if err != nil {
		return nil, err
	}
	return CreateTask201JSONResponse(t), nil
}
