package api

import (
	"bufio"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/recoup/recoup/delivery"
	"github.com/recoup/recoup/ingest"
	"github.com/recoup/recoup/store"
	"github.com/recoup/recoup/usecase"
)

func (a *server) CommentTask(ctx context.Context, req CommentTaskRequestObject) (CommentTaskResponseObject, error) {
	act, err := a.uc.Comment(ctx, actorOf(ctx), usecase.TaskRef{ID: req.Id}, req.Body.Text)
	if err != nil {
		return nil, err
	}
	return CommentTask201JSONResponse(act), nil
}

// importStream is an import's JSON array, left unread for the importer to
// stream: the x-go-type of ImportRecords' application/json body in
// openapi.yaml (see handlers.ImportRecords).
type importStream struct{ io.Reader }

// ImportRecords runs the import command's reader on the request body. The
// body is streamed (not validated against the spec, which only names its
// media types): the importer reports every problem by row and column.
// Any content type but JSON is read as CSV.
func (a *server) ImportRecords(ctx context.Context, req ImportRecordsRequestObject) (ImportRecordsResponseObject, error) {
	kind := string(req.Kind)
	format, r := "csv", req.Body
	if req.JSONBody != nil {
		format, r = "json", req.JSONBody.Reader
	}
	if r == nil {
		r = http.NoBody
	}
	body := bufio.NewReader(r)
	if _, err := body.Peek(1); err != nil {
		var he *echo.HTTPError
		if errors.As(err, &he) {
			return nil, he
		}
		return nil, &fieldErrors{status: http.StatusUnprocessableEntity, detail: "the request body is empty",
			fields: []FieldError{{Field: "", Message: "want a CSV file with a header row or a JSON array"}}}
	}
	sum, err := a.uc.Import(ctx, actorOf(ctx), usecase.ImportRequest{Kind: kind, Name: "body", Format: format, Body: body,
		SkipInvalid: val(req.Params.SkipInvalid)})
	var (
		rejected *ingest.RejectedError
		csvErr   *csv.ParseError
		jsonErr  *json.SyntaxError
		he       *echo.HTTPError
	)
	switch {
	case errors.As(err, &he):
		return nil, he
	case errors.As(err, &rejected):
		return nil, &fieldErrors{status: http.StatusUnprocessableEntity, detail: rejected.Error(), fields: problemFields(rejected.Problems)}
	case errors.Is(err, ingest.ErrMalformed), errors.As(err, &csvErr), errors.As(err, &jsonErr):
		return nil, &fieldErrors{status: http.StatusBadRequest, detail: "the body is not valid " + strings.ToUpper(format),
			fields: []FieldError{{Field: "", Message: err.Error()}}}
	case err != nil && strings.Contains(err.Error(), "want a JSON array"):
		return nil, &fieldErrors{status: http.StatusUnprocessableEntity, detail: err.Error()}
	case err != nil:
		return nil, err
	}
	out := ImportRecords200JSONResponse{Kind: kind, Inserted: sum.Inserted, Updated: sum.Updated, Unchanged: sum.Unchanged, Rejected: sum.Rejected}
	if len(sum.Problems) > 0 {
		probs := problemFields(sum.Problems)
		out.Problems = &probs
	}
	return out, nil
}

func problemFields(ps []ingest.Problem) []FieldError {
	out := make([]FieldError, len(ps))
	for i, p := range ps {
		row := p.Row
		out[i] = FieldError{Field: p.Column, Line: &row, Message: p.Message}
	}
	return out
}

func (a *server) ListNotifications(ctx context.Context, req ListNotificationsRequestObject) (ListNotificationsResponseObject, error) {
	p := req.Params
	page, err := a.store.Notifications(ctx, principalOf(ctx).User.ID, store.NotificationFilter{Unread: val(p.Unread), Cursor: val(p.Cursor), Limit: val(p.Limit)})
	if err != nil {
		return nil, err
	}
	return ListNotifications200JSONResponse(page), nil
}

func (a *server) ReadAllNotifications(ctx context.Context, _ ReadAllNotificationsRequestObject) (ReadAllNotificationsResponseObject, error) {
	n, err := a.store.MarkAllNotificationsRead(ctx, principalOf(ctx).User.ID, a.now())
	if err != nil {
		return nil, err
	}
	return ReadAllNotifications200JSONResponse{Marked: n}, nil
}

func (a *server) MarkNotificationRead(ctx context.Context, req MarkNotificationReadRequestObject) (MarkNotificationReadResponseObject, error) {
	if err := delivery.MarkRead(ctx, a.store, principalOf(ctx).User.ID, req.Id, a.now()); err != nil {
		return nil, fmt.Errorf("notification %d: %w", req.Id, err)
	}
	return MarkNotificationRead204Response{}, nil
}

func (a *server) SearchAudit(ctx context.Context, req SearchAuditRequestObject) (SearchAuditResponseObject, error) {
	p := req.Params
	page, err := a.store.Audit(ctx, store.AuditFilter{Action: val(p.Action), Actor: val(p.Actor), Entity: val(p.Entity), Invoice: val(p.Invoice),
		From: val(p.From), To: val(p.To), Cursor: val(p.Cursor), BeforeID: val(p.BeforeId), Limit: val(p.Limit)})
	if err != nil {
		return nil, err
	}
	return SearchAudit200JSONResponse(page), nil
}

// ExportAudit streams the audit entries as CSV, a page at a time, through a
// pipe: the whole log is never held in memory. An error after the first
// bytes cuts the response short.
func (a *server) ExportAudit(ctx context.Context, req ExportAuditRequestObject) (ExportAuditResponseObject, error) {
	p := req.Params
	f := store.AuditFilter{Action: val(p.Action), Actor: val(p.Actor), Entity: val(p.Entity), Invoice: val(p.Invoice), From: val(p.From), To: val(p.To)}
	r, w := io.Pipe()
	go func() {
		_, err := a.store.ExportAuditCSV(ctx, w, f)
		w.CloseWithError(err)
	}()
	return ExportAudit200TextcsvResponse{Body: r}, nil
}

func (a *server) GetOutbox(ctx context.Context, req GetOutboxRequestObject) (GetOutboxResponseObject, error) {
	p := req.Params
	out, err := a.store.Outbox(ctx, store.OutboxFilter{Status: string(val(p.Status)), Channel: val(p.Channel), Invoice: val(p.Invoice),
		Cursor: val(p.Cursor), BeforeID: val(p.BeforeId), Limit: val(p.Limit)})
	if err != nil {
		return nil, err
	}
	return GetOutbox200JSONResponse(out), nil
}
