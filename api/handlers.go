package api

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/recoup/recoup/calendar"
	"github.com/recoup/recoup/engine"
	"github.com/recoup/recoup/store"
)

// clock returns now in the company's time zone. The zone is read from the
// database at most every companyTTL (it changes about never).
func (a *server) clock(ctx context.Context) (engine.Clock, error) {
	a.zoneMu.Lock()
	loc, fresh := a.zone, time.Since(a.zoneAt) < companyTTL
	a.zoneMu.Unlock()
	if loc == nil || !fresh {
		company, err := a.store.Company(ctx)
		if err != nil {
			return engine.Clock{}, err
		}
		if loc, err = company.Location(); err != nil {
			return engine.Clock{}, err
		}
		a.zoneMu.Lock()
		a.zone, a.zoneAt = loc, time.Now()
		a.zoneMu.Unlock()
	}
	return engine.Clock{Now: a.now().In(loc), Location: loc}, nil
}

// companyTTL is how long the company's zone is cached.
const companyTTL = 10 * time.Second

// bundle returns the compiled published definitions, compiled again only
// when they change.
func (a *server) bundle(ctx context.Context) (*engine.Bundle, error) {
	defs, err := a.store.PublishedDefinitions(ctx)
	if err != nil {
		return nil, err
	}
	return a.bundles.Load(store.Sources(defs)...)
}

func (a *server) listTasks(c echo.Context) error {
	p := current(c)
	ctx := c.Request().Context()
	clk, err := a.clock(ctx)
	if err != nil {
		return err
	}
	y, m, d := clk.Now.Date()
	f := store.InboxFilter{
		Status: c.QueryParam("status"), Due: c.QueryParam("due"), Kind: c.QueryParam("kind"), Invoice: c.QueryParam("invoice"),
		Mine: c.QueryParam("mine") == "true", Now: clk.Now,
		StartOfDay: time.Date(y, m, d, 0, 0, 0, 0, clk.Location), EndOfDay: time.Date(y, m, d+1, 0, 0, 0, 0, clk.Location),
	}
	f.Limit, _ = strconv.Atoi(c.QueryParam("limit"))
	tasks, err := a.store.Inbox(ctx, p.Viewer(), f)
	if err != nil {
		return err
	}
	out := map[string]any{"items": tasks}
	if c.QueryParam("counts") == "true" {
		counts, err := a.store.CountInbox(ctx, p.Viewer(), f.Kind, f.Mine, f.Now, f.StartOfDay, f.EndOfDay)
		if err != nil {
			return err
		}
		out["counts"] = counts
	}
	return c.JSON(http.StatusOK, out)
}

// taskKindApproval is the kind of a task that is an approval (a Task's
// kind in openapi.yaml).
const taskKindApproval = "approval"

// taskID is the validated {id} path parameter.
func taskID(c echo.Context) int64 {
	id, _ := strconv.ParseInt(c.Param("id"), 10, 64)
	return id
}

// taskDetail is one task with its activity and its invoice's history
// (TaskDetail in openapi.yaml).
type taskDetail struct {
	store.TaskDetail
	Activity []store.Activity      `json:"activity"`
	History  *store.InvoiceHistory `json:"history,omitempty"`
}

func (a *server) getTask(c echo.Context) error {
	p := current(c)
	ctx := c.Request().Context()
	t, err := a.store.VisibleTask(ctx, p.Viewer(), taskID(c), a.now())
	if err != nil {
		return err
	}
	out := taskDetail{TaskDetail: t}
	if out.Activity, err = a.store.TaskActivity(ctx, t.ID); err != nil {
		return err
	}
	if t.Invoice != "" {
		h, err := a.store.InvoiceHistory(ctx, t.Invoice)
		if err != nil {
			return err
		}
		out.History = &h
	}
	return c.JSON(http.StatusOK, out)
}

func (a *server) completeTask(c echo.Context) error {
	p := current(c)
	ctx := c.Request().Context()
	var in CompleteTaskRequest
	if err := c.Bind(&in); err != nil {
		return err
	}
	t, err := a.store.VisibleTask(ctx, p.Viewer(), taskID(c), a.now())
	if err != nil {
		return err
	}
	if t.Kind == taskKindApproval {
		if _, err := authorize(c, PermissionApprovalsDecide); err != nil {
			return err
		}
	}
	clk, err := a.clock(ctx)
	if err != nil {
		return err
	}
	b, err := a.bundle(ctx)
	if err != nil {
		return err
	}
	values := map[string]any{}
	if in.Values != nil {
		values = *in.Values
	}
	locale := "en"
	if in.Locale != nil {
		locale = string(*in.Locale)
	}
	st, err := engine.CompleteTask(ctx, b, a.store, t.Key, values, p.User.Email, clk, locale)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, CompleteTaskResult{Key: t.Key, Effects: st.Effects, Tasks: st.Tasks, Notifications: st.Outbox, StateChanges: st.States})
}

func (a *server) listInvoices(c echo.Context) error {
	p := current(c)
	ctx := c.Request().Context()
	clk, err := a.clock(ctx)
	if err != nil {
		return err
	}
	q := c.QueryParams()
	f := store.InvoiceFilter{Status: q.Get("status"), Aging: q.Get("aging"), Owner: q.Get("owner"), Risk: q.Get("risk"),
		Customer: q.Get("customer"), Cursor: q.Get("cursor"), Today: calendar.Of(clk.Now)}
	f.Limit, _ = strconv.Atoi(q.Get("limit"))
	for name, dst := range map[string]**int{"overdue_min": &f.OverdueMin, "overdue_max": &f.OverdueMax} {
		if v := q.Get(name); v != "" {
			n, _ := strconv.Atoi(v) // validated against the spec
			*dst = &n
		}
	}
	page, err := a.store.Invoices(ctx, p.Viewer(), f)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, page)
}

func (a *server) getInvoice(c echo.Context) error {
	p := current(c)
	ctx := c.Request().Context()
	number := c.Param("number")
	ok, err := a.store.CanSeeInvoice(ctx, p.Viewer(), number)
	if err != nil {
		return err
	}
	if !ok {
		return store.ErrHidden
	}
	h, err := a.store.InvoiceHistory(ctx, number)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, h)
}

// recordPayment is the payment webhook: idempotent by reference, and the
// invoice's workflows see the payment at once (a paid invoice stops them).
func (a *server) recordPayment(c echo.Context) error {
	ctx := c.Request().Context()
	var in PaymentRequest
	if err := c.Bind(&in); err != nil {
		return err
	}
	clk, err := a.clock(ctx)
	if err != nil {
		return err
	}
	out, err := a.store.RecordPayment(ctx, store.PaymentIn{Reference: in.Reference, Invoice: in.Invoice, AmountMinor: in.AmountMinor,
		Currency: in.Currency, PaidAt: in.PaidAt}, clk.Now)
	if err != nil {
		return err
	}
	res := PaymentResult{Reference: out.Reference, Invoice: out.Invoice, AmountMinor: out.AmountMinor, Currency: out.Currency,
		PaidAt: out.PaidAt, BalanceMinor: out.BalanceMinor, InvoiceStatus: out.Status, Duplicate: out.Duplicate}
	if out.Duplicate {
		return c.JSON(http.StatusOK, res)
	}
	b, err := a.bundle(ctx)
	if err != nil {
		return err
	}
	ref := engine.TaskRef{InvoiceID: out.InvoiceID, CustomerID: out.CustomerID}
	st, err := engine.RunBatch(ctx, b, a.store, engine.TickOptions{At: clk.Now, Location: clk.Location}, a.store.SubjectBatch(ref), out.CustomerID)
	if err != nil {
		// The payment is recorded; the next tick evaluates the invoice.
		a.log.Error("payment recorded but its workflows did not advance", "request_id", c.Response().Header().Get(echo.HeaderXRequestID),
			"reference", out.Reference, "error", err)
	}
	res.Effects = &st.Effects
	return c.JSON(http.StatusCreated, res)
}

func (a *server) listDefinitions(c echo.Context) error {
	defs, err := a.store.PublishedDefinitions(c.Request().Context())
	if err != nil {
		return err
	}
	if defs == nil {
		defs = []store.Definition{}
	}
	return c.JSON(http.StatusOK, map[string]any{"items": defs})
}

func (a *server) getDefinition(c echo.Context) error {
	ctx := c.Request().Context()
	kind, name := engine.Kind(c.Param("kind")), c.Param("name")
	if v := c.QueryParam("version"); v != "" {
		n, _ := strconv.Atoi(v)
		d, err := a.store.DefinitionVersion(ctx, kind, name, n)
		if err != nil {
			return err
		}
		return c.JSON(http.StatusOK, d)
	}
	hist, err := a.store.DefinitionHistory(ctx, kind, name)
	if err != nil {
		return err
	}
	for _, d := range hist {
		if d.Status == store.DefinitionPublished {
			return c.JSON(http.StatusOK, d)
		}
	}
	return store.ErrNotFound
}

func (a *server) getDefinitionHistory(c echo.Context) error {
	hist, err := a.store.DefinitionHistory(c.Request().Context(), engine.Kind(c.Param("kind")), c.Param("name"))
	if err != nil {
		return err
	}
	if len(hist) == 0 {
		return store.ErrNotFound
	}
	return c.JSON(http.StatusOK, map[string]any{"items": hist})
}

func (a *server) listTokens(c echo.Context) error {
	toks, err := a.store.Tokens(c.Request().Context())
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"items": toks})
}

func (a *server) createToken(c echo.Context) error {
	p := current(c)
	var in CreateTokenRequest
	if err := c.Bind(&in); err != nil {
		return err
	}
	user := p.User.Email
	if in.User != nil && *in.User != "" {
		user = *in.User
	}
	var expires *time.Time
	now := a.now()
	if in.ExpiresInDays != nil {
		t := now.AddDate(0, 0, *in.ExpiresInDays)
		expires = &t
	}
	u, err := a.store.UserByEmail(c.Request().Context(), user)
	if err != nil {
		return err
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
		return &fieldErrors{status: http.StatusUnprocessableEntity, detail: "a token cannot do more than its user", fields: bad}
	}
	t, secret, err := a.store.CreateToken(c.Request().Context(), user, in.Name, scopes, p.User.Email, expires, now)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, map[string]any{"token": t, "secret": secret})
}

func (a *server) revokeToken(c echo.Context) error {
	id, _ := strconv.ParseInt(c.Param("id"), 10, 64)
	if err := a.store.RevokeToken(c.Request().Context(), id, a.now()); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

func (a *server) listCustomers(c echo.Context) error {
	ctx := c.Request().Context()
	clk, err := a.clock(ctx)
	if err != nil {
		return err
	}
	q := c.QueryParams()
	f := store.CustomerFilter{Risk: q.Get("risk"), Region: q.Get("region"), Owner: q.Get("owner"), Search: q.Get("q"),
		Cursor: q.Get("cursor"), Today: calendar.Of(clk.Now)}
	f.Limit, _ = strconv.Atoi(q.Get("limit"))
	page, err := a.store.Customers(ctx, current(c).Viewer(), f)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, page)
}

func (a *server) getCustomer(c echo.Context) error {
	ctx := c.Request().Context()
	clk, err := a.clock(ctx)
	if err != nil {
		return err
	}
	v := current(c).Viewer()
	cust, err := a.store.VisibleCustomer(ctx, v, c.Param("id"), calendar.Of(clk.Now))
	if err != nil {
		return err
	}
	// Everyone who sees the customer sees its invoices: the account is
	// theirs even where an invoice names another owner.
	invs, err := a.store.Invoices(ctx, store.Viewer{Role: store.RoleAdmin}, store.InvoiceFilter{Customer: cust.ID, Today: calendar.Of(clk.Now), Limit: 100})
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, customerDetail{CustomerSummary: cust, Invoices: invs})
}

// customerDetail is one customer with its invoices (CustomerDetail in
// openapi.yaml).
type customerDetail struct {
	store.CustomerSummary
	Invoices store.InvoicePage `json:"invoices"`
}

func (a *server) listPayments(c echo.Context) error {
	q := c.QueryParams()
	f := store.PaymentFilter{Invoice: q.Get("invoice"), Customer: q.Get("customer"), Cursor: q.Get("cursor")}
	f.Limit, _ = strconv.Atoi(q.Get("limit"))
	// from and to are validated RFC 3339 instants.
	f.From, _ = time.Parse(time.RFC3339, q.Get("from"))
	f.To, _ = time.Parse(time.RFC3339, q.Get("to"))
	page, err := a.store.Payments(c.Request().Context(), current(c).Viewer(), f)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, page)
}
