// Package api is recoup's HTTP interface (echo v4): health and readiness
// probes, the embedded designer UI and the JSON API under /api, described by
// openapi.yaml (served at /api/openapi.yaml; requests are validated against
// it and its types generated from it). Callers authenticate with a session
// cookie (login) or an API token; authorize is the one permission check and
// store.Viewer cuts rows to the caller's role. Handlers parse input, call the
// domain and render; toProblem alone maps errors to HTTP statuses.
package api

import (
	"context"
	"errors"
	"io/fs"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/getkin/kin-openapi/routers"
	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"

	"github.com/recoup/recoup/engine"
	"github.com/recoup/recoup/store"
)

// Options configure the server.
type Options struct {
	Store  *store.Store
	Logger *slog.Logger
	UI     fs.FS // the designer UI's files; nil serves none
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
	// LoginEvery and LoginBurst rate-limit logins per client address and
	// per email: a burst, then one attempt per LoginEvery. Defaults 10, 6s.
	LoginEvery time.Duration
	LoginBurst int
	// TrustProxyHeaders takes the client's address from X-Forwarded-For /
	// X-Real-IP (behind a reverse proxy). Default false: the connection's
	// address, which a client cannot forge to dodge the login rate limit.
	TrustProxyHeaders bool
	// Now is the clock. Default time.Now.
	Now func() time.Time
	// Metrics are served at /metrics. Default: NewMetrics(Store, Logger).
	Metrics *Metrics
}

// server holds what the API's handlers share.
type server struct {
	store         *store.Store
	log           *slog.Logger
	now           func() time.Time
	sessionTTL    time.Duration
	secureCookies bool
	logins        *loginLimiter
	bundles       engine.BundleCache

	zoneMu sync.Mutex
	zone   *time.Location // the company's, read at zoneAt
	zoneAt time.Time
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
	if o.LoginEvery == 0 {
		o.LoginEvery = 6 * time.Second
	}
	if o.LoginBurst == 0 {
		o.LoginBurst = 10
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Metrics == nil {
		o.Metrics = NewMetrics(o.Store, o.Logger)
	}
	_, router, err := loadSpec()
	if err != nil {
		panic(err)
	}
	a := &server{store: o.Store, log: o.Logger, now: o.Now, sessionTTL: o.SessionTTL, secureCookies: o.SecureCookies,
		logins: newLoginLimiter(o.LoginEvery, o.LoginBurst)}

	e := echo.New()
	e.HideBanner, e.HidePort = true, true
	e.HTTPErrorHandler = errorHandler(o.Logger)
	if o.TrustProxyHeaders {
		e.IPExtractor = echo.ExtractIPFromXFFHeader()
	} else {
		e.IPExtractor = echo.ExtractIPDirect()
	}
	e.Use(middleware.RequestID())
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

	e.GET("/metrics", o.Metrics.handler())

	g := e.Group("/api", noStore, middleware.ContextTimeout(o.APITimeout), a.identify)
	g.GET("/openapi.yaml", serveSpec)
	check, checkParams := validate(router, false), validate(router, true)
	for _, r := range a.routes() {
		limit, valid := o.APIBodyLimit, check
		if r.rawBody {
			limit, valid = o.ImportBodyLimit, checkParams
		}
		mw := []echo.MiddlewareFunc{middleware.BodyLimit(limit)}
		switch {
		case r.public:
		case r.perm != "":
			mw = append(mw, require(r.perm))
		default:
			mw = append(mw, requireLogin)
		}
		g.Add(r.method, r.path, r.handler, append(mw, valid)...)
	}
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
		e.StaticFS("/", o.UI)
	}
	return e
}

// noStore keeps API answers (a user's data) out of shared and browser
// caches, and stops browsers from sniffing their content type.
func noStore(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		h := c.Response().Header()
		h.Set("Cache-Control", "no-store")
		h.Set("X-Content-Type-Options", "nosniff")
		return next(c)
	}
}

// route is one API endpoint and the permission it needs.
type route struct {
	method, path string
	perm         Permission // "" with public false: any logged-in user
	public       bool       // no login (login itself)
	rawBody      bool       // a large body streamed to the handler: only parameters are validated
	handler      echo.HandlerFunc
}

// routes lists every API endpoint (paths relative to /api, in echo's
// syntax; openapi.yaml spells them with braces).
func (a *server) routes() []route {
	return []route{
		{method: http.MethodPost, path: "/login", public: true, handler: a.login},
		{method: http.MethodPost, path: "/logout", handler: a.logout},
		{method: http.MethodGet, path: "/me", handler: a.getMe},
		{method: http.MethodPost, path: "/me/password", handler: a.changeMyPassword},
		{method: http.MethodGet, path: "/tasks", perm: PermissionTasksRead, handler: a.listTasks},
		{method: http.MethodGet, path: "/tasks/:id", perm: PermissionTasksRead, handler: a.getTask},
		{method: http.MethodPost, path: "/tasks/:id/complete", perm: PermissionTasksWrite, handler: a.completeTask},
		{method: http.MethodPost, path: "/tasks/:id/reassign", perm: PermissionTasksAssign, handler: a.reassignTask},
		{method: http.MethodPost, path: "/tasks/:id/comments", perm: PermissionTasksWrite, handler: a.commentTask},
		{method: http.MethodGet, path: "/notifications", handler: a.listNotifications},
		{method: http.MethodPost, path: "/notifications/:id/read", handler: a.markNotificationRead},
		{method: http.MethodGet, path: "/outbox", perm: PermissionOutboxRead, handler: a.getOutbox},
		{method: http.MethodGet, path: "/audit", perm: PermissionAuditRead, handler: a.searchAudit},
		{method: http.MethodPost, path: "/import/:kind", perm: PermissionImportWrite, rawBody: true, handler: a.importRecords},
		{method: http.MethodGet, path: "/customers", perm: PermissionInvoicesRead, handler: a.listCustomers},
		{method: http.MethodGet, path: "/customers/:id", perm: PermissionInvoicesRead, handler: a.getCustomer},
		{method: http.MethodGet, path: "/invoices", perm: PermissionInvoicesRead, handler: a.listInvoices},
		{method: http.MethodGet, path: "/invoices/:number", perm: PermissionInvoicesRead, handler: a.getInvoice},
		{method: http.MethodGet, path: "/payments", perm: PermissionInvoicesRead, handler: a.listPayments},
		{method: http.MethodPost, path: "/payments", perm: PermissionPaymentsWrite, handler: a.recordPayment},
		{method: http.MethodGet, path: "/definitions", perm: PermissionDefinitionsRead, handler: a.listDefinitions},
		{method: http.MethodGet, path: "/definitions/:kind/:name", perm: PermissionDefinitionsRead, handler: a.getDefinition},
		{method: http.MethodGet, path: "/definitions/:kind/:name/history", perm: PermissionDefinitionsRead, handler: a.getDefinitionHistory},
		{method: http.MethodGet, path: "/approvals", perm: PermissionApprovalsDecide, handler: a.listApprovals},
		{method: http.MethodPost, path: "/approvals/:id/decide", perm: PermissionApprovalsDecide, handler: a.decideApproval},
		{method: http.MethodPost, path: "/definitions/drafts", perm: PermissionDefinitionsWrite, handler: a.createDrafts},
		{method: http.MethodPost, path: "/definitions/:kind/:name/publish", perm: PermissionDefinitionsWrite, handler: a.publishVersion},
		{method: http.MethodPost, path: "/definitions/:kind/:name/rollback", perm: PermissionDefinitionsWrite, handler: a.publishVersion},
		{method: http.MethodPost, path: "/definitions/:kind/:name/preview", perm: PermissionDefinitionsWrite, handler: a.previewDefinition},
		{method: http.MethodGet, path: "/definitions/:kind/:name/diff", perm: PermissionDefinitionsRead, handler: a.diffDefinition},
		{method: http.MethodPost, path: "/simulate", perm: PermissionDefinitionsRead, handler: a.simulate},
		{method: http.MethodGet, path: "/dashboard", perm: PermissionDashboardRead, handler: a.getDashboard},
		{method: http.MethodGet, path: "/users", perm: PermissionUsersAdmin, handler: a.listUsers},
		{method: http.MethodPost, path: "/users", perm: PermissionUsersAdmin, handler: a.createUser},
		{method: http.MethodPatch, path: "/users/:id", perm: PermissionUsersAdmin, handler: a.updateUser},
		{method: http.MethodGet, path: "/tokens", perm: PermissionTokensAdmin, handler: a.listTokens},
		{method: http.MethodPost, path: "/tokens", perm: PermissionTokensAdmin, handler: a.createToken},
		{method: http.MethodDelete, path: "/tokens/:id", perm: PermissionTokensAdmin, handler: a.revokeToken},
	}
}

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
