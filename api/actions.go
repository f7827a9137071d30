package api

import (
	"bufio"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/recoup/recoup/delivery"
	"github.com/recoup/recoup/ingest"
	"github.com/recoup/recoup/store"
)

func (a *server) reassignTask(c echo.Context) error {
	var in ReassignRequest
	if err := c.Bind(&in); err != nil {
		return err
	}
	p := current(c)
	ctx := c.Request().Context()
	t, err := a.store.VisibleTask(ctx, p.Viewer(), taskID(c), a.now())
	if err != nil {
		return err
	}
	reason := ""
	if in.Reason != nil {
		reason = *in.Reason
	}
	err = a.store.ReassignTask(ctx, p.Viewer(), t.ID, in.Assignee, p.User.Email, reason, a.now())
	if errors.Is(err, store.ErrNotAssignable) {
		return &fieldErrors{status: http.StatusUnprocessableEntity, detail: "the task cannot go to this user",
			fields: []FieldError{{Field: "/assignee", Message: err.Error()}}}
	}
	if err != nil {
		return err
	}
	// The new assignee may be outside what the caller sees (a director
	// handing a task down): answer from an unscoped read.
	t, err = a.store.VisibleTask(ctx, store.Viewer{Role: store.RoleAdmin}, t.ID, a.now())
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, t.InboxTask)
}

func (a *server) commentTask(c echo.Context) error {
	var in CommentRequest
	if err := c.Bind(&in); err != nil {
		return err
	}
	p := current(c)
	ctx := c.Request().Context()
	t, err := a.store.VisibleTask(ctx, p.Viewer(), taskID(c), a.now())
	if err != nil {
		return err
	}
	act, err := a.store.CommentTask(ctx, t.ID, p.User.Email, in.Text, a.now())
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, act)
}

// importStream is an import's JSON array, left unread for the importer to
// stream: the Go type of ImportRecords' application/json body in
// openapi.yaml (x-go-type), which the generated code must not decode.
type importStream struct{ io.Reader }

// importRecords runs the import command's reader on the request body. The
// body is streamed (not validated against the spec, which only names its
// media types): the importer reports every problem by row and column.
func (a *server) importRecords(c echo.Context) error {
	kind := c.Param("kind")
	p := current(c)
	if kind == "users" {
		if _, err := authorize(c, PermissionUsersAdmin); err != nil {
			return err
		}
	}
	ctx := c.Request().Context()
	company, err := a.store.Company(ctx)
	if err != nil {
		return err
	}
	format := "csv"
	if strings.HasPrefix(c.Request().Header.Get(echo.HeaderContentType), echo.MIMEApplicationJSON) {
		format = "json"
	}
	body := bufio.NewReader(c.Request().Body)
	if _, err := body.Peek(1); err != nil {
		var he *echo.HTTPError
		if errors.As(err, &he) {
			return he
		}
		return &fieldErrors{status: http.StatusUnprocessableEntity, detail: "the request body is empty",
			fields: []FieldError{{Field: "", Message: "want a CSV file with a header row or a JSON array"}}}
	}
	sum, err := ingest.Reader(ctx, a.store, kind, "body", format, body, ingest.Options{
		SkipInvalid: c.QueryParam("skip_invalid") == "true", Company: company, Now: a.now(),
	})
	var (
		rejected *ingest.RejectedError
		csvErr   *csv.ParseError
		jsonErr  *json.SyntaxError
		he       *echo.HTTPError
	)
	switch {
	case errors.As(err, &he):
		return he
	case errors.As(err, &rejected):
		return &fieldErrors{status: http.StatusUnprocessableEntity, detail: rejected.Error(), fields: problemFields(rejected.Problems)}
	case errors.Is(err, ingest.ErrMalformed), errors.As(err, &csvErr), errors.As(err, &jsonErr):
		return &fieldErrors{status: http.StatusBadRequest, detail: "the body is not valid " + strings.ToUpper(format),
			fields: []FieldError{{Field: "", Message: err.Error()}}}
	case err != nil && strings.Contains(err.Error(), "want a JSON array"):
		return &fieldErrors{status: http.StatusUnprocessableEntity, detail: err.Error()}
	case err != nil:
		return err
	}
	a.log.Info("import", "request_id", c.Response().Header().Get(echo.HeaderXRequestID), "by", p.User.Email, "kind", kind,
		"inserted", sum.Inserted, "updated", sum.Updated, "unchanged", sum.Unchanged, "rejected", sum.Rejected)
	out := ImportSummary{Kind: kind, Inserted: sum.Inserted, Updated: sum.Updated, Unchanged: sum.Unchanged, Rejected: sum.Rejected}
	if len(sum.Problems) > 0 {
		probs := problemFields(sum.Problems)
		out.Problems = &probs
	}
	return c.JSON(http.StatusOK, out)
}

func problemFields(ps []ingest.Problem) []FieldError {
	out := make([]FieldError, len(ps))
	for i, p := range ps {
		row := p.Row
		out[i] = FieldError{Field: p.Column, Line: &row, Message: p.Message}
	}
	return out
}

func (a *server) listNotifications(c echo.Context) error {
	limit, _ := strconv.Atoi(c.QueryParam("limit"))
	msgs, err := delivery.Inbox(c.Request().Context(), a.store, current(c).User.ID, c.QueryParam("unread") == "true", limit)
	if err != nil {
		return err
	}
	out := make([]Notification, len(msgs))
	for i, m := range msgs {
		n := Notification{Id: m.ID, Title: m.Title, Body: m.Body, CreatedAt: m.CreatedAt}
		if m.InvoiceID != 0 {
			n.InvoiceId = &msgs[i].InvoiceID
		}
		if m.CustomerID != 0 {
			n.CustomerId = &msgs[i].CustomerID
		}
		if !m.ReadAt.IsZero() {
			n.ReadAt = &msgs[i].ReadAt
		}
		out[i] = n
	}
	return c.JSON(http.StatusOK, map[string]any{"items": out})
}

func (a *server) markNotificationRead(c echo.Context) error {
	id, _ := strconv.ParseInt(c.Param("id"), 10, 64)
	if err := delivery.MarkRead(c.Request().Context(), a.store, current(c).User.ID, id, a.now()); err != nil {
		return fmt.Errorf("notification %d: %w", id, err)
	}
	return c.NoContent(http.StatusNoContent)
}

func (a *server) searchAudit(c echo.Context) error {
	q := c.QueryParams()
	f := store.AuditFilter{Action: q.Get("action"), Actor: q.Get("actor"), Entity: q.Get("entity"), Invoice: q.Get("invoice")}
	f.BeforeID, _ = strconv.ParseInt(q.Get("before_id"), 10, 64)
	f.Limit, _ = strconv.Atoi(q.Get("limit"))
	entries, err := a.store.Audit(c.Request().Context(), f)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"items": entries})
}

func (a *server) getOutbox(c echo.Context) error {
	q := c.QueryParams()
	f := store.OutboxFilter{Status: q.Get("status"), Channel: q.Get("channel"), Invoice: q.Get("invoice")}
	f.BeforeID, _ = strconv.ParseInt(q.Get("before_id"), 10, 64)
	f.Limit, _ = strconv.Atoi(q.Get("limit"))
	out, err := a.store.Outbox(c.Request().Context(), f)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, out)
}
