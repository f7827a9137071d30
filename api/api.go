// Package api is recoup's HTTP interface (echo v4): health and readiness
// probes, the embedded designer UI and the JSON API under /api, described by
// openapi.yaml (served at /api/openapi.yaml). Requests are validated against
// it; its types, its echo routes and the strict server interface that server
// implements are generated from it (api.gen.go): each operation takes its
// typed request and returns its typed answer, or an error that toProblem
// alone maps to an HTTP status. Callers authenticate with a session cookie
// (login) or an API token; guard checks each operation's permission (the
// operations table) with authorize, the one permission check, and
// store.Viewer cuts rows to the caller's role.
package api

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/getkin/kin-openapi/routers"
	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"

	"github.com/recoup/recoup/delivery"
	"github.com/recoup/recoup/store"
	"github.com/recoup/recoup/usecase"
)

// Options configure the server.
type Options struct {
	Store  *store.Store
	Logger *slog.Logger
	UI     fs.FS // the web app's files (designerui.FS); nil serves none
	// BodyLimit caps request bodies outside /api. Default "10M".
	BodyLimit string
	// APIBodyLimit caps JSON request bodies under /api. Default "1M".
	APIBodyLimit string
	// ImportBodyLimit caps import bodies (CSV or JSON files). Default "64M".
	ImportBodyLimit string
	// APITimeout bounds the work of one API request. Default 30s.
	APITimeout time.Duration
	// SessionTTL is how long a login lasts. Default 12h.
	SessionTTL time.Duration
	// SecureCookies marks the session cookie Secure even on plain HTTP
	// (behind a TLS-terminating proxy). TLS requests always get Secure.
	SecureCookies bool
	// LoginLockAfter is the failed login of one email from one client
	// address that locks that pair, for LoginBackoff; each further failure
	// doubles the lock, up to LoginMaxBackoff. A successful login resets
	// the count. Other emails from the address are not affected. Defaults
	// 5, 1s, 15m.
	LoginLockAfter  int
	LoginBackoff    time.Duration
	LoginMaxBackoff time.Duration
	// LoginAddressCeiling is how many failed logins (for any emails) one
	// client address may make within LoginAddressWindow before it loses
	// the free failures: then a first failure locks its pair at once.
	// Correct logins of emails that have not failed still pass. Defaults
	// 50, 10m; a negative ceiling turns it off.
	LoginAddressCeiling int
	LoginAddressWindow  time.Duration
	// TrustProxyHeaders takes the client's address from X-Forwarded-For /
	// X-Real-IP (behind a reverse proxy). Default false: the connection's
	// address, which a client cannot forge to dodge the login rate limit.
	TrustProxyHeaders bool
	// Now is the clock. Default time.Now.
	Now func() time.Time
	// Metrics are counted by the server. Default: NewMetrics(Store,
	// Logger).
	Metrics *Metrics
	// Delivery is the delivery configuration that template previews
	// render letters and SMS with (letterhead, fonts, footers). Default:
	// delivery's defaults.
	Delivery delivery.Config
	// MetricsToken, when set, serves the metrics at /metrics to requests
	// bearing it (Authorization: Bearer …); others get 401. Default "":
	// /metrics is not served here (404), only where Metrics.Handler is
	// (serve --metrics-addr), since they name routes and show the outbox
	// and open tasks.
	MetricsToken string
}

// server holds what the API's handlers share.
type server struct {
	store         *store.Store
	log           *slog.Logger
	now           func() time.Time
	sessionTTL    time.Duration
	secureCookies bool
	logins        *loginLockout
	uc            *usecase.Service // the use cases, shared with the command line
	letters       *usecase.Letters // how template previews make letters and SMS

	stages stageTitleCache // the published workflows' node titles (tasks.go)
}

// New builds the HTTP handler. It panics if the embedded OpenAPI document
// is invalid (a build defect that TestSpec catches).
func New(o Options) *echo.Echo {
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	if o.BodyLimit == "" {
		o.BodyLimit = "10M"
	}
	if o.APIBodyLimit == "" {
		o.APIBodyLimit = "1M"
	}
	if o.ImportBodyLimit == "" {
		o.ImportBodyLimit = "64M"
	}
	if o.APITimeout == 0 {
		o.APITimeout = 30 * time.Second
	}
	if o.SessionTTL == 0 {
		o.SessionTTL = 12 * time.Hour
	}
	if o.LoginLockAfter == 0 {
		o.LoginLockAfter = 5
	}
	if o.LoginBackoff == 0 {
		o.LoginBackoff = time.Second
	}
	if o.LoginMaxBackoff == 0 {
		o.LoginMaxBackoff = 15 * time.Minute
	}
	if o.LoginAddressCeiling == 0 {
		o.LoginAddressCeiling = 50
	}
	if o.LoginAddressWindow == 0 {
		o.LoginAddressWindow = 10 * time.Minute
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Metrics == nil {
		o.Metrics = NewMetrics(o.Store, o.Logger)
	}
	doc, router, err := loadSpec()
	if err != nil {
		panic(err)
	}
	a := &server{store: o.Store, log: o.Logger, now: o.Now, sessionTTL: o.SessionTTL, secureCookies: o.SecureCookies,
		logins: newLoginLockout(o.LoginLockAfter, o.LoginBackoff, o.LoginMaxBackoff, o.LoginAddressCeiling, o.LoginAddressWindow),
		uc:     usecase.New(o.Store, o.Now, o.Logger), letters: usecase.NewLetters(o.Delivery)}

	e := echo.New()
	e.HideBanner, e.HidePort = true, true
	e.HTTPErrorHandler = errorHandler(o.Logger)
	if o.TrustProxyHeaders {
		e.IPExtractor = echo.ExtractIPFromXFFHeader()
	} else {
		e.IPExtractor = echo.ExtractIPDirect()
	}
	e.Use(middleware.RequestID())
	e.Use(securityHeaders)
	e.Use(middleware.RecoverWithConfig(middleware.RecoverConfig{
		// A panic is logged with its stack through slog; the client gets
		// a bare 500.
		LogErrorFunc: func(c echo.Context, err error, stack []byte) error {
			o.Logger.Error("panic", "request_id", c.Response().Header().Get(echo.HeaderXRequestID), "error", err, "stack", string(stack))
			return err
		},
	}))
	// /api routes set their own limits (imports take more).
	e.Use(middleware.BodyLimitWithConfig(middleware.BodyLimitConfig{Limit: o.BodyLimit,
		Skipper: func(c echo.Context) bool { return strings.HasPrefix(c.Request().URL.Path, "/api/") }}))
	e.Use(requestLog(o.Logger))
	e.Use(o.Metrics.middleware)

	e.GET("/healthz", func(c echo.Context) error {
		return c.JSON(http.StatusOK, map[string]string{"status": "ok"})
	})
	e.GET("/readyz", func(c echo.Context) error {
		ctx, cancel := context.WithTimeout(c.Request().Context(), 3*time.Second)
		defer cancel()
		if err := o.Store.Ready(ctx); err != nil {
			return c.JSON(http.StatusServiceUnavailable, problem{Title: "not ready", Status: http.StatusServiceUnavailable, Detail: err.Error()})
		}
		return c.JSON(http.StatusOK, map[string]string{"status": "ready"})
	})

	if o.MetricsToken != "" {
		e.GET("/metrics", o.Metrics.handler(o.MetricsToken))
	} else {
		// not the web app's index either
		e.GET("/metrics", func(echo.Context) error { return echo.ErrNotFound })
	}

	// Everything under /api: no caching, a time limit, the caller
	// identified.
	apiMW := []echo.MiddlewareFunc{noStore, strictQuery, middleware.ContextTimeout(o.APITimeout), a.identify}
	// The operations of openapi.yaml, on the routes generated from it, each
	// behind its body limit, its guard and validation against the spec.
	limit, streamLimit := middleware.BodyLimit(o.APIBodyLimit), middleware.BodyLimit(o.ImportBodyLimit)
	check, checkParams := validate(router, false), validate(router, true)
	perOperation := map[string][]echo.MiddlewareFunc{}
	served := map[string]bool{} // "METHOD /path" in echo's syntax
	for path, item := range doc.Paths.Map() {
		for method, op := range item.Operations() {
			size, body, valid := limit, strictJSON, check
			if operations[op.OperationID].stream {
				size, body, valid = streamLimit, passThrough, checkParams
			}
			perOperation[op.OperationID] = append(slices.Clip(apiMW), size, guard(op.OperationID), body, valid)
			served[method+" "+echoPath(path)] = true
		}
	}
	RegisterHandlersWithOptions(e, handlers{ServerInterface: NewStrictHandler(a, nil), a: a},
		RegisterHandlersOptions{OperationMiddlewares: perOperation})
	// A generated route the embedded spec lacks would have no guard: the
	// generated code is older than openapi.yaml (go generate ./api/).
	for _, r := range e.Routes() {
		if strings.HasPrefix(r.Path, "/api/") && !served[r.Method+" "+r.Path] {
			panic(fmt.Sprintf("api: %s %s is generated but not in openapi.yaml: run go generate ./api/", r.Method, r.Path))
		}
	}

	g := e.Group("/api", apiMW...)
	g.GET("/openapi.yaml", serveSpec)
	// Echo answers 404 for a known path with another method; the spec's
	// router tells the two apart.
	g.RouteNotFound("/*", func(c echo.Context) error {
		var re *routers.RouteError
		if _, _, err := router.FindRoute(c.Request()); errors.As(err, &re) && re.Reason == "method not allowed" {
			return echo.ErrMethodNotAllowed
		}
		return echo.ErrNotFound
	})
	if o.UI != nil {
		ui := serveUI(o.UI)
		e.GET("/*", ui)
		e.HEAD("/*", ui)
	}
	return e
}

// noStore keeps API answers (a user's data) out of shared and browser
// caches, and stops browsers from sniffing their content type.
// strictQuery refuses a query string that Go would read only in part: a
// pair with a semicolon (`status=overdue;x`) or a bad escape is dropped
// by url.ParseQuery, and the filter it carried would silently not apply.
func strictQuery(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		raw := c.Request().URL.RawQuery
		if _, err := url.ParseQuery(raw); err != nil {
			field := "query"
			for _, pair := range strings.Split(raw, "&") {
				if _, perr := url.ParseQuery(pair); perr != nil {
					name, _, _ := strings.Cut(pair, "=")
					if n, uerr := url.QueryUnescape(name); uerr == nil && n != "" && !strings.Contains(n, ";") {
						field = "query." + n
					}
					break
				}
			}
			detail := "the query string is malformed: " + err.Error()
			if strings.Contains(raw, ";") {
				detail = "a query value contains a semicolon: separate parameters with & and escape a literal ; as %3B"
			}
			return &fieldErrors{status: http.StatusBadRequest, detail: detail, fields: []FieldError{{Field: field, Message: detail}}}
		}
		return next(c)
	}
}

func noStore(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		h := c.Response().Header()
		h.Set("Cache-Control", "no-store")
		h.Set("X-Content-Type-Options", "nosniff")
		return next(c)
	}
}

// handlers binds the server's operations to echo: the generated strict
// handler, but for imports, whose JSON body the generated binding would
// decode whole where the importer streams it.
type handlers struct {
	ServerInterface
	a *server
}

// ImportRecords hands the body, unread, to the import: as a JSON array
// for JSON, else as CSV.
func (h handlers) ImportRecords(c echo.Context, kind ImportRecordsParamsKind, params ImportRecordsParams) error {
	req := ImportRecordsRequestObject{Kind: kind, Params: params}
	if body := c.Request().Body; strings.HasPrefix(c.Request().Header.Get(echo.HeaderContentType), echo.MIMEApplicationJSON) {
		req.JSONBody = &importStream{Reader: body}
	} else {
		req.Body = body
	}
	res, err := h.a.ImportRecords(c.Request().Context(), req)
	if err != nil {
		return err
	}
	return res.VisitImportRecordsResponse(c.Response())
}

// echoPath spells an openapi.yaml path ("/tasks/{id}") in echo's syntax
// ("/tasks/:id").
func echoPath(path string) string {
	return pathParam.ReplaceAllString(path, ":$1")
}

var pathParam = regexp.MustCompile(`\{(\w+)\}`)

// requestLog logs one line per request with its id, status, latency and
// who made it (never a body, so never a password).
func requestLog(log *slog.Logger) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			start := time.Now()
			err := next(c)
			if err != nil {
				c.Error(err)
			}
			req := c.Request()
			attrs := []any{"request_id", c.Response().Header().Get(echo.HeaderXRequestID),
				"method", req.Method, "path", req.URL.Path, "status", c.Response().Status,
				"duration_ms", float64(time.Since(start).Microseconds()) / 1000}
			if p := current(c); p != nil {
				attrs = append(attrs, "user", p.User.Email, "auth", string(p.Via))
			}
			log.Info("http", attrs...)
			return nil
		}
	}
}
