package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/legacy"
	"golang.org/x/crypto/bcrypt"

	"github.com/recoup/recoup/api"
	"github.com/recoup/recoup/calendar"
	"github.com/recoup/recoup/demo"
	"github.com/recoup/recoup/engine"
	"github.com/recoup/recoup/store"
	"github.com/recoup/recoup/store/storetest"
)

var shanghai = mustZone("Asia/Shanghai")

func mustZone(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		panic(err)
	}
	return loc
}

// The demo's users, one per role (and a rep of another team).
const (
	admin    = "admin@demo.recoup.test"
	director = "director@demo.recoup.test"
	finance  = "finance1@demo.recoup.test"
	manager  = "manager.east@demo.recoup.test"
	rep      = "rep1.east@demo.recoup.test"
	westRep  = "rep1.west@demo.recoup.test"
	password = "correct horse battery"
)

var roleUsers = map[string]string{
	store.RoleAdmin: admin, store.RoleFinanceDirector: director, store.RoleFinance: finance,
	store.RoleSalesManager: manager, store.RoleSalesRep: rep,
}

// now is the fixed instant the server runs at: the demo's today, after the
// first tick.
var now = time.Date(2026, 11, 2, 10, 0, 0, 0, shanghai)

// fixture is a real server on a real, seeded database.
type fixture struct {
	t     testing.TB
	s     *store.Store
	url   string
	h     http.Handler // the server's handler, for in-process benchmarks
	log   *bytes.Buffer
	clock atomic.Pointer[time.Time] // the server's now; starts at now
}

// advance moves the server's clock.
func (f *fixture) advance(d time.Duration) {
	t := f.clock.Load().Add(d)
	f.clock.Store(&t)
}

func setup(t testing.TB, s *store.Store, o api.Options) *fixture {
	t.Helper()
	ctx := context.Background()
	store.BcryptCost = bcrypt.MinCost
	company := engine.Company{Name: "T", TimeZone: "Asia/Shanghai", Currency: "CNY", TickTime: "09:00"}
	if _, err := s.EnsureCompany(ctx, company); err != nil {
		t.Fatal(err)
	}
	storetest.SeedDemo(t, s, demo.Options{Customers: 30, Invoices: 200, Seed: 5, Today: calendar.MustParse("2026-11-01"), Zone: shanghai}, company)
	b := storetest.PublishExamples(t, s, "../rules-examples")
	if _, err := engine.RunTick(ctx, b, s, engine.TickOptions{At: time.Date(2026, 11, 1, 9, 0, 0, 0, shanghai), Location: shanghai}); err != nil {
		t.Fatal(err)
	}
	for _, u := range []string{admin, director, finance, manager, rep, westRep} {
		if err := s.SetPassword(ctx, u, password, now); err != nil {
			t.Fatal(err)
		}
	}
	f := &fixture{t: t, s: s, log: &bytes.Buffer{}}
	o.Store = s
	if o.Logger == nil {
		o.Logger = slog.New(slog.NewJSONHandler(f.log, nil))
	}
	start := now
	f.clock.Store(&start)
	o.Now = func() time.Time { return *f.clock.Load() }
	f.h = api.New(o)
	srv := httptest.NewServer(f.h)
	t.Cleanup(srv.Close)
	f.url = srv.URL
	return f
}

// client is a caller: anonymous, logged in (cookie jar and CSRF token) or
// holding an API token.
type client struct {
	f      *fixture
	hc     *http.Client
	csrf   string
	bearer string
}

func (f *fixture) anonymous() *client {
	jar, _ := cookiejar.New(nil)
	return &client{f: f, hc: &http.Client{Jar: jar}}
}

func (f *fixture) login(email string) *client {
	f.t.Helper()
	c := f.anonymous()
	var me api.Me
	c.do("POST", "/api/login", map[string]any{"email": email, "password": password}).want(200).decode(&me)
	if me.CsrfToken == nil || me.User.Email != email {
		f.t.Fatalf("login %s: %+v", email, me)
	}
	c.csrf = *me.CsrfToken
	return c
}

func (f *fixture) token(secret string) *client {
	return &client{f: f, hc: http.DefaultClient, bearer: secret}
}

type response struct {
	t      testing.TB
	req    string
	status int
	header http.Header
	body   []byte
}

// do sends body (a string is sent as is, anything else as JSON).
func (c *client) do(method, path string, body any) *response {
	c.f.t.Helper()
	var r io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		r = strings.NewReader(b)
	case []byte:
		r = bytes.NewReader(b)
	default:
		data, _ := json.Marshal(b)
		r = bytes.NewReader(data)
	}
	contentType := ""
	if body != nil {
		contentType = "application/json"
	}
	return c.request(method, path, contentType, r)
}

// request sends one request as c (its session's CSRF token or its bearer
// token) and checks the answer against the spec.
func (c *client) request(method, path, contentType string, r io.Reader) *response {
	c.f.t.Helper()
	req, err := http.NewRequest(method, c.f.url+path, r)
	if err != nil {
		c.f.t.Fatal(err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	if c.csrf != "" {
		req.Header.Set(api.CSRFHeader, c.csrf)
	}
	if c.bearer != "" {
		req.Header.Set("Authorization", "Bearer "+c.bearer)
	}
	res, err := c.hc.Do(req)
	if err != nil {
		c.f.t.Fatal(err)
	}
	defer res.Body.Close()
	data, _ := io.ReadAll(res.Body)
	checkResponse(c.f.t, req, res, data)
	return &response{t: c.f.t, req: method + " " + path, status: res.StatusCode, header: res.Header, body: data}
}

var specRouter = sync.OnceValues(func() (routers.Router, error) {
	doc, err := openapi3.NewLoader().LoadFromData(api.Spec)
	if err != nil {
		return nil, err
	}
	return legacy.NewRouter(doc)
})

// checkResponse fails t when a response's status, headers or body do not
// match what the spec declares for its operation.
func checkResponse(t testing.TB, req *http.Request, res *http.Response, body []byte) {
	t.Helper()
	router, err := specRouter()
	if err != nil {
		t.Fatal(err)
	}
	// A path parameter with an escaped slash (INV%2F2026%2F0001) is one
	// segment: the router is given the escaped path, as the server does.
	find := req
	if req.URL.RawPath != "" {
		find = req.Clone(req.Context())
		find.URL.Path, find.URL.RawPath = req.URL.RawPath, ""
	}
	route, params, err := router.FindRoute(find)
	if err != nil {
		return // not an operation of the spec (metrics, unknown paths)
	}
	in := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: &openapi3filter.RequestValidationInput{Request: req, PathParams: params, Route: route},
		Status:                 res.StatusCode,
		Header:                 res.Header,
		Body:                   io.NopCloser(bytes.NewReader(body)),
		Options:                &openapi3filter.Options{MultiError: true, IncludeResponseStatus: true},
	}
	if err := openapi3filter.ValidateResponse(context.Background(), in); err != nil {
		t.Errorf("%s %s → %d: the response does not match openapi.yaml: %v\n%s", req.Method, req.URL.Path, res.StatusCode, err, body)
	}
}

func (r *response) want(status int) *response {
	r.t.Helper()
	if r.status != status {
		r.t.Fatalf("%s: status %d, want %d: %s", r.req, r.status, status, r.body)
	}
	return r
}

func (r *response) decode(v any) *response {
	r.t.Helper()
	if err := json.Unmarshal(r.body, v); err != nil {
		r.t.Fatalf("%s: %v: %s", r.req, err, r.body)
	}
	return r
}

// problem decodes a problem details body.
func (r *response) problem() api.Problem {
	r.t.Helper()
	if ct := r.header.Get("Content-Type"); !strings.HasPrefix(ct, "application/problem+json") {
		r.t.Fatalf("%s: content type %q, want problem+json: %s", r.req, ct, r.body)
	}
	var p api.Problem
	r.decode(&p)
	return p
}

// fields renders a problem's field errors as "field: message" lines.
func fields(p api.Problem) string {
	if p.Errors == nil {
		return ""
	}
	var lines []string
	for _, e := range *p.Errors {
		lines = append(lines, e.Field+": "+e.Message)
	}
	return strings.Join(lines, "\n")
}

func (f *fixture) count(q string, args ...any) int {
	f.t.Helper()
	var n int
	if err := storetest.SQL(f.s).QueryRow(storetest.Rebind(f.s, q), args...).Scan(&n); err != nil {
		f.t.Fatalf("%s: %v", q, err)
	}
	return n
}

func TestSpecServed(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		f := setup(t, s, api.Options{MetricsToken: "metrics-secret"})
		r := f.anonymous().do("GET", "/api/openapi.yaml", nil).want(200)
		if !bytes.Equal(r.body, api.Spec) {
			t.Fatal("served spec differs from the embedded one")
		}
		if h := r.header; h.Get("Cache-Control") != "no-store" || h.Get("X-Content-Type-Options") != "nosniff" || h.Get("X-Request-Id") == "" {
			t.Fatalf("headers %v", h)
		}
		p := f.anonymous().do("GET", "/api/nothing-here", nil).want(404).problem()
		if p.Status != 404 || p.Title != "Not Found" {
			t.Fatalf("%+v", p)
		}
		m := string(f.token("metrics-secret").do("GET", "/metrics", nil).want(200).body)
		for _, want := range []string{`recoup_http_request_duration_seconds_count{method="GET",route="/api/openapi.yaml",status="200"} 1`,
			`recoup_http_request_duration_seconds_count{method="GET",route="/api/*",status="404"} 1`, "recoup_outbox_depth ", "recoup_tasks_open ",
			"recoup_last_tick_duration_seconds ", `recoup_last_tick_effects{kind="tasks"} `, `recoup_ticks{status="done"} 1`} {
			if !strings.Contains(m, want) {
				t.Errorf("/metrics lacks %s", want)
			}
		}
		if t.Failed() {
			t.Log(m)
		}
	})
}

// endpoint is one operation of openapi.yaml as the access tests call it:
// with a body that fails validation or ids that do not exist, so that a
// call that gets past the guard changes nothing.
type endpoint struct {
	method, path string
	body         any
	allowed      []string // roles; nil = every logged-in role
	scope        string   // the token scope it needs; "self": any token; "session": no token
}

// endpoints is every operation of openapi.yaml but login (TestRoleMatrix
// checks that none is missing).
var endpoints = []endpoint{
	{"GET", "/api/me", nil, nil, "self"},
	{"PATCH", "/api/me", map[string]any{}, nil, "session"},
	{"POST", "/api/me/password", map[string]any{}, nil, "session"},
	{"GET", "/api/tasks", nil, nil, "tasks:read"},
	{"GET", "/api/tasks/999999", nil, nil, "tasks:read"},
	{"POST", "/api/tasks/999999/complete", map[string]any{}, nil, "tasks:write"},
	{"POST", "/api/tasks/999999/reassign", map[string]any{}, []string{"admin", "finance_director", "sales_manager"}, "tasks:assign"},
	{"POST", "/api/tasks/999999/comments", map[string]any{}, nil, "tasks:write"},
	{"POST", "/api/tasks/999999/claim", nil, nil, "tasks:write"},
	{"GET", "/api/tasks/999999/assignees", nil, []string{"admin", "finance_director", "sales_manager"}, "tasks:assign"},
	{"GET", "/api/notifications", nil, nil, "notifications:read"},
	{"POST", "/api/notifications/999999/read", nil, nil, "notifications:write"},
	{"POST", "/api/notifications/read-all", nil, nil, "notifications:write"},
	{"GET", "/api/audit", nil, []string{"admin", "finance_director"}, "audit:read"},
	{"GET", "/api/audit.csv", nil, []string{"admin", "finance_director"}, "audit:read"},
	{"GET", "/api/outbox?status=pending", nil, []string{"admin", "finance", "finance_director"}, "outbox:read"},
	{"POST", "/api/import/payments", map[string]any{}, []string{"admin", "finance"}, "import:write"},
	{"GET", "/api/customers", nil, nil, "invoices:read"},
	{"GET", "/api/customers/NO-SUCH", nil, nil, "invoices:read"},
	{"GET", "/api/customers/NO-SUCH/contacts", nil, nil, "invoices:read"},
	{"PATCH", "/api/customers/NO-SUCH/contacts", map[string]any{"locale": "en"}, nil, "tasks:write"},
	{"POST", "/api/customers/NO-SUCH/do-not-contact", map[string]any{"on": true, "reason": "STOP"}, nil, "tasks:write"},
	{"POST", "/api/customers/NO-SUCH/risk", map[string]any{"risk": "low", "reason": "reviewed"}, []string{"admin", "finance", "finance_director", "sales_manager"}, "tasks:write"},
	{"POST", "/api/tasks", map[string]any{}, nil, "tasks:write"},
	{"GET", "/api/invoices", nil, nil, "invoices:read"},
	{"GET", "/api/invoices/NO-SUCH", nil, nil, "invoices:read"},
	{"GET", "/api/payments", nil, nil, "invoices:read"},
	{"POST", "/api/payments", map[string]any{}, []string{"admin", "finance"}, "payments:write"},
	{"POST", "/api/payments/NOPE/reversal", map[string]any{}, []string{"admin", "finance"}, "payments:write"},
	{"POST", "/api/invoices/NOPE/adjustments", map[string]any{}, []string{"admin", "finance", "finance_director"}, "adjustments:write"},
	{"POST", "/api/payment-plans", map[string]any{}, []string{"admin", "finance", "finance_director"}, "plans:write"},
	{"POST", "/api/payment-plans/999999/cancel", map[string]any{}, []string{"admin", "finance", "finance_director"}, "plans:write"},
	{"GET", "/api/payment-plans/999999", nil, []string{"admin", "finance", "finance_director", "sales_manager", "sales_rep"}, "invoices:read"},
	{"POST", "/api/payment-plans/preview", map[string]any{}, []string{"admin", "finance", "finance_director", "sales_manager", "sales_rep"}, "invoices:read"},
	{"GET", "/api/dispute-reasons", nil, nil, "invoices:read"},
	{"POST", "/api/dispute-reasons", map[string]any{}, []string{"admin"}, "settings:admin"},
	{"PATCH", "/api/dispute-reasons/no_such", map[string]any{}, []string{"admin"}, "settings:admin"},
	{"POST", "/api/dispute-reasons/no_such/retire", nil, []string{"admin"}, "settings:admin"},
	{"POST", "/api/invoices/NO-SUCH/disputes", map[string]any{}, nil, "cases:write"},
	{"POST", "/api/disputes/999999/resolve", map[string]any{}, []string{"admin", "finance", "finance_director"}, "cases:decide"},
	{"POST", "/api/invoices/NO-SUCH/promises", map[string]any{}, nil, "cases:write"},
	{"POST", "/api/promises/999999/cancel", map[string]any{}, nil, "cases:write"},
	{"POST", "/api/invoices/NO-SUCH/legal-cases", map[string]any{"documents": 1}, []string{"admin", "finance", "finance_director"}, "cases:decide"},
	{"POST", "/api/legal-cases/999999/close", map[string]any{}, []string{"admin", "finance", "finance_director"}, "cases:decide"},
	{"PUT", "/api/invoices/NO-SUCH/hold", map[string]any{}, []string{"admin", "finance", "finance_director"}, "cases:decide"},
	{"DELETE", "/api/invoices/NO-SUCH/hold", nil, []string{"admin", "finance", "finance_director"}, "cases:decide"},
	{"GET", "/api/definitions", nil, []string{"admin", "finance", "finance_director", "sales_manager"}, "definitions:read"},
	{"GET", "/api/definitions/Rule/mark-overdue", nil, []string{"admin", "finance", "finance_director", "sales_manager"}, "definitions:read"},
	{"GET", "/api/definitions/Rule/mark-overdue/history", nil, []string{"admin", "finance", "finance_director", "sales_manager"}, "definitions:read"},
	{"GET", "/api/definitions/Rule/mark-overdue/diff?from=1&to=1", nil, []string{"admin", "finance", "finance_director", "sales_manager"}, "definitions:read"},
	{"POST", "/api/definitions/drafts", map[string]any{}, []string{"admin"}, "definitions:write"},
	{"POST", "/api/definitions/Rule/mark-overdue/publish", map[string]any{}, []string{"admin"}, "definitions:write"},
	{"POST", "/api/definitions/Rule/mark-overdue/rollback", map[string]any{}, []string{"admin"}, "definitions:write"},
	{"POST", "/api/definitions/Rule/mark-overdue/preview", map[string]any{}, []string{"admin"}, "definitions:write"},
	{"POST", "/api/definitions/Rule/mark-overdue/tests", map[string]any{}, []string{"admin"}, "definitions:write"},
	{"GET", "/api/definitions/catalog", nil, []string{"admin", "finance", "finance_director", "sales_manager"}, "definitions:read"},
	{"GET", "/api/definitions/language", nil, []string{"admin", "finance", "finance_director", "sales_manager"}, "definitions:read"},
	{"POST", "/api/definitions/Rule/mark-overdue/validate", map[string]any{}, []string{"admin", "finance", "finance_director", "sales_manager"}, "definitions:read"},
	{"PUT", "/api/definitions/Rule/mark-overdue/draft", map[string]any{}, []string{"admin"}, "definitions:write"},
	{"POST", "/api/definitions/Rule/mark-overdue/try", map[string]any{}, []string{"admin"}, "definitions:write"},
	{"POST", "/api/definitions/Template/reminder-email/render", map[string]any{}, []string{"admin"}, "definitions:write"},
	{"GET", "/api/definitions/Template/formal-letter/render.pdf?version=1&invoice=NO-SUCH&locale=en", nil, []string{"admin"}, "definitions:write"},
	{"GET", "/api/approvals", nil, []string{"admin", "finance_director", "finance"}, "approvals:decide"},
	{"POST", "/api/approvals/999999/decide", map[string]any{}, []string{"admin", "finance_director", "finance"}, "approvals:decide"},
	{"POST", "/api/simulate", map[string]any{}, []string{"admin", "finance", "finance_director", "sales_manager"}, "definitions:read"},
	{"GET", "/api/dashboard", nil, []string{"admin", "finance", "finance_director", "sales_manager"}, "dashboard:read"},
	{"GET", "/api/users", nil, []string{"admin"}, "users:admin"},
	{"POST", "/api/users", map[string]any{}, []string{"admin"}, "users:admin"},
	{"PATCH", "/api/users/999999", map[string]any{}, []string{"admin"}, "users:admin"},
	{"GET", "/api/tokens", nil, []string{"admin"}, "tokens:admin"},
	{"POST", "/api/tokens", map[string]any{}, []string{"admin"}, "tokens:admin"},
	{"DELETE", "/api/tokens/999999", nil, []string{"admin"}, "tokens:admin"},
	{"POST", "/api/logout", nil, nil, "session"}, // last: it ends the sessions
}

// TestRoleMatrix: every endpoint × every role (and anonymous, and a session
// without the CSRF token): 401 without a login, 403 where the role lacks the
// permission, something else where it has it.
func TestRoleMatrix(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		f := setup(t, s, api.Options{})
		// Every operation of the spec but login is in the matrix.
		doc, err := openapi3.NewLoader().LoadFromData(api.Spec)
		if err != nil {
			t.Fatal(err)
		}
		router, err := specRouter()
		if err != nil {
			t.Fatal(err)
		}
		covered := map[string]bool{"login": true}
		for _, ep := range endpoints {
			req := httptest.NewRequest(ep.method, ep.path, nil)
			route, _, err := router.FindRoute(req)
			if err != nil {
				t.Fatalf("%s %s: %v", ep.method, ep.path, err)
			}
			covered[route.Operation.OperationID] = true
		}
		for path, item := range doc.Paths.Map() {
			for method, op := range item.Operations() {
				if !covered[op.OperationID] && path != "/api/openapi.yaml" {
					t.Errorf("%s %s (%s) is missing from the role matrix", method, path, op.OperationID)
				}
			}
		}

		clients := map[string]*client{}
		for role, email := range roleUsers {
			clients[role] = f.login(email)
		}
		anon := f.anonymous()
		for _, ep := range endpoints {
			if got := anon.do(ep.method, ep.path, ep.body).status; got != 401 {
				t.Errorf("anonymous %s %s: %d, want 401", ep.method, ep.path, got)
			}
			for role, c := range clients {
				allowed := ep.allowed == nil
				for _, r := range ep.allowed {
					allowed = allowed || r == role
				}
				if ep.method != "GET" {
					noCSRF := *c
					noCSRF.csrf = ""
					if r := noCSRF.do(ep.method, ep.path, ep.body); r.status != 403 || !strings.Contains(string(r.body), "CSRF") {
						t.Errorf("%s %s %s without CSRF token: %d %s, want 403", role, ep.method, ep.path, r.status, r.body)
					}
				}
				got := c.do(ep.method, ep.path, ep.body).status
				switch {
				case allowed && (got == 401 || got == 403):
					t.Errorf("%s %s %s: %d, want access", role, ep.method, ep.path, got)
				case !allowed && got != 403:
					t.Errorf("%s %s %s: %d, want 403", role, ep.method, ep.path, got)
				}
			}
		}
		// Logged out: the session is gone.
		for role, c := range clients {
			if got := c.do("GET", "/api/me", nil).status; got != 401 {
				t.Errorf("%s after logout: %d, want 401", role, got)
			}
		}
	})
}

// TestRowScopes: a rep sees its own invoices and tasks, a manager its
// team's, finance all; others' rows are reported missing.
func TestRowScopes(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		f := setup(t, s, api.Options{})
		all := f.count("SELECT COUNT(*) FROM invoices")
		listAll := func(c *client, query string) []store.InvoiceSummary {
			var out []store.InvoiceSummary
			cursor := ""
			for pages := 0; ; pages++ {
				var page store.InvoicePage
				c.do("GET", "/api/invoices?limit=37"+query+cursor, nil).want(200).decode(&page)
				out = append(out, page.Items...)
				if page.NextCursor == "" {
					return out
				}
				if len(page.Items) != 37 || pages > 100 {
					t.Fatalf("page of %d with a next cursor", len(page.Items))
				}
				cursor = "&cursor=" + page.NextCursor
			}
		}
		if got := len(listAll(f.login(finance), "")); got != all {
			t.Fatalf("finance sees %d invoices, want all %d", got, all)
		}
		mine := listAll(f.login(rep), "")
		if len(mine) == 0 || len(mine) >= all {
			t.Fatalf("rep sees %d of %d invoices", len(mine), all)
		}
		for _, in := range mine {
			if in.Owner != rep {
				t.Fatalf("rep sees invoice %s of %s", in.Number, in.Owner)
			}
		}
		team := listAll(f.login(manager), "")
		for _, in := range team {
			if !strings.HasSuffix(in.Owner, ".east@demo.recoup.test") {
				t.Fatalf("east manager sees invoice %s of %s", in.Number, in.Owner)
			}
		}
		if len(team) <= len(mine) {
			t.Fatalf("manager sees %d, rep %d", len(team), len(mine))
		}
		// Filters: aging bucket and overdue range agree with days overdue.
		for _, in := range listAll(f.login(finance), "&aging=31-60") {
			if in.DaysOverdue < 31 || in.DaysOverdue > 60 {
				t.Fatalf("aging 31-60 lists %s, %d days overdue", in.Number, in.DaysOverdue)
			}
		}
		for _, in := range listAll(f.login(finance), "&overdue_min=8&overdue_max=15") {
			if in.DaysOverdue < 8 || in.DaysOverdue > 15 {
				t.Fatalf("overdue 8..15 lists %s, %d days overdue", in.Number, in.DaysOverdue)
			}
		}
		// Another team's invoice is missing for the rep, there for finance.
		var west string
		storetest.SQL(s).QueryRow(storetest.Rebind(s, "SELECT i.number FROM invoices i JOIN users u ON u.id = i.owner_id WHERE u.email = ? ORDER BY i.id LIMIT 1"), westRep).Scan(&west)
		f.login(rep).do("GET", "/api/invoices/"+west, nil).want(404)
		var h store.InvoiceDetail
		f.login(finance).do("GET", "/api/invoices/"+west, nil).want(200).decode(&h)
		if h.Invoice.Number != west {
			t.Fatalf("history of %s: %+v", west, h.Invoice)
		}
		f.login(finance).do("GET", "/api/invoices?cursor=bogus", nil).want(422)

		// Payments: a rep's are those of its invoices; pages join up.
		var pays store.PaymentPage
		f.login(rep).do("GET", "/api/payments?limit=500", nil).want(200).decode(&pays)
		mineSet := map[string]bool{}
		for _, in := range mine {
			mineSet[in.Number] = true
		}
		for _, p := range pays.Items {
			if !mineSet[p.Invoice] {
				t.Fatalf("rep sees payment %s of invoice %s", p.Reference, p.Invoice)
			}
		}
		var page1, page2 store.PaymentPage
		f.login(finance).do("GET", "/api/payments?limit=3&from=2020-01-01T00:00:00Z", nil).want(200).decode(&page1)
		f.login(finance).do("GET", "/api/payments?limit=3&cursor="+page1.NextCursor, nil).want(200).decode(&page2)
		if len(page1.Items) != 3 || len(page2.Items) == 0 {
			t.Fatalf("payment pages %+v / %+v", page1, page2)
		}
		for _, p := range page1.Items {
			if p.Reference == page2.Items[0].Reference {
				t.Fatalf("payment %s on both pages", p.Reference)
			}
		}

		// Customers: the rep's are those it owns, each with its invoices.
		var custs store.CustomerPage
		f.login(rep).do("GET", "/api/customers?limit=500", nil).want(200).decode(&custs)
		if len(custs.Items) == 0 {
			t.Fatal("rep owns no customer")
		}
		for _, c := range custs.Items {
			if c.Owner != rep {
				t.Fatalf("rep sees customer %s of %s", c.ID, c.Owner)
			}
		}
		var cust struct {
			store.CustomerSummary
			Invoices store.InvoicePage
		}
		f.login(rep).do("GET", "/api/customers/"+custs.Items[0].ID, nil).want(200).decode(&cust)
		if cust.ID != custs.Items[0].ID || len(cust.Invoices.Items) == 0 {
			t.Fatalf("%+v", cust)
		}
		var westCustomer string
		storetest.SQL(s).QueryRow(storetest.Rebind(s, "SELECT c.external_id FROM customers c JOIN users u ON u.id = c.owner_id WHERE u.email = ? ORDER BY c.id LIMIT 1"), westRep).Scan(&westCustomer)
		f.login(rep).do("GET", "/api/customers/"+westCustomer, nil).want(404)
		var found store.CustomerPage
		f.login(manager).do("GET", "/api/customers?q="+custs.Items[0].ID, nil).want(200).decode(&found)
		if len(found.Items) != 1 || found.Items[0].ID != custs.Items[0].ID {
			t.Fatalf("search %s: %+v", custs.Items[0].ID, found.Items)
		}

		// Tasks: the rep's inbox holds only its tasks; another's task is missing.
		var tasks struct{ Items []store.InboxTask }
		f.login(rep).do("GET", "/api/tasks?status=all", nil).want(200).decode(&tasks)
		for _, task := range tasks.Items {
			if task.Assignee != rep {
				t.Fatalf("rep's inbox holds %s's task %s", task.Assignee, task.Key)
			}
		}
		// The inbox's counts agree with its filters.
		type inbox struct {
			Items  []store.InboxTask
			Counts store.InboxCounts
		}
		var open, today, overdue inbox
		f.login(rep).do("GET", "/api/tasks?limit=500&counts=true", nil).want(200).decode(&open)
		f.login(rep).do("GET", "/api/tasks?limit=500&due=today", nil).want(200).decode(&today)
		f.login(rep).do("GET", "/api/tasks?limit=500&due=overdue", nil).want(200).decode(&overdue)
		if c := open.Counts; c.Open != len(open.Items) || c.DueToday != len(today.Items) || c.Overdue != len(overdue.Items) || c.Open == 0 {
			t.Fatalf("counts %+v, lists %d %d %d", c, len(open.Items), len(today.Items), len(overdue.Items))
		}
		for _, task := range overdue.Items {
			if !task.Overdue {
				t.Fatalf("due=overdue lists %+v", task)
			}
		}
		var other int64
		storetest.SQL(s).QueryRow(storetest.Rebind(s, "SELECT t.id FROM tasks t JOIN users u ON u.id = t.assignee_id WHERE u.email <> ? ORDER BY t.id LIMIT 1"), rep).Scan(&other)
		if other == 0 {
			t.Fatal("no task of another user")
		}
		f.login(rep).do("GET", fmt.Sprintf("/api/tasks/%d", other), nil).want(404)
		f.login(admin).do("GET", fmt.Sprintf("/api/tasks/%d", other), nil).want(200)
	})
}

// TestCompleteTask: a call task completed over HTTP — every field error at
// once as 422, then success, then 409.
func TestCompleteTask(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		f := setup(t, s, api.Options{})
		var id int64
		var assignee string
		storetest.SQL(s).QueryRow(`SELECT t.id, u.email FROM tasks t JOIN users u ON u.id = t.assignee_id
			WHERE t.status = 'open' AND t.key LIKE '%/call/%' ORDER BY t.id LIMIT 1`).Scan(&id, &assignee)
		if id == 0 {
			t.Fatal("no open call task")
		}
		if err := s.SetPassword(context.Background(), assignee, password, now); err != nil {
			t.Fatal(err)
		}
		c := f.login(assignee)
		path := fmt.Sprintf("/api/tasks/%d", id)
		var detail struct {
			store.TaskDetail
			History store.InvoiceHistory
		}
		c.do("GET", path, nil).want(200).decode(&detail)
		if detail.Form == "" || detail.History.Invoice.Number != detail.Invoice {
			t.Fatalf("detail: %+v", detail)
		}
		p := c.do("POST", path+"/complete", map[string]any{"values": map[string]any{"outcome": "promised", "colour": "red"}}).want(422).problem()
		if got, want := fields(p), "colour: unknown field\npromised_date: is required"; got != want {
			t.Fatalf("field errors:\n%s\nwant\n%s", got, want)
		}
		if n := f.count("SELECT COUNT(*) FROM audit_log WHERE action = 'task.completed'"); n != 0 {
			t.Fatalf("%d completions recorded after a rejected submission", n)
		}
		var res api.CompleteTaskResult
		c.do("POST", path+"/complete", map[string]any{"values": map[string]any{"outcome": "promised", "promised_date": "2026-11-10"}}).want(200).decode(&res)
		if res.Effects == 0 {
			t.Fatalf("completing routed nothing: %+v", res)
		}
		p = c.do("POST", path+"/complete", map[string]any{"values": map[string]any{"outcome": "refused"}}).want(409).problem()
		if !strings.Contains(*p.Detail, "not open") {
			t.Fatalf("%+v", p)
		}
	})
}

// TestPaymentsAndTokens: an integration token with the payments scope posts
// payments (idempotent by reference; the workflow stops at once), cannot
// read invoices, and stops working when revoked.
func TestPaymentsAndTokens(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		f := setup(t, s, api.Options{})
		adm := f.login(admin)
		var created struct {
			Token  store.APIToken
			Secret string
		}
		adm.do("POST", "/api/tokens", map[string]any{"name": "bank", "user": finance, "scopes": []string{"payments:write"}}).want(201).decode(&created)
		if !strings.HasPrefix(created.Secret, store.TokenPrefix) || created.Token.ID == 0 {
			t.Fatalf("%+v", created)
		}
		p := adm.do("POST", "/api/tokens", map[string]any{"name": "x", "user": rep, "scopes": []string{"payments:write"}}).want(422).problem()
		if got := fields(p); got != "/scopes/0: role sales_rep of rep1.east@demo.recoup.test does not grant payments:write" {
			t.Fatal(got)
		}
		var list struct{ Items []store.APIToken }
		adm.do("GET", "/api/tokens", nil).want(200).decode(&list)
		if len(list.Items) != 1 || strings.Contains(string(adm.do("GET", "/api/tokens", nil).body), created.Secret) {
			t.Fatalf("token list: %+v", list)
		}
		bank := f.token(created.Secret)
		if r := bank.do("GET", "/api/invoices", nil).want(403); !strings.Contains(string(r.body), `lacks the scope \"invoices:read\"`) {
			t.Fatalf("%s", r.body)
		}

		// An invoice in a running workflow.
		var number string
		var balance int64
		storetest.SQL(s).QueryRow(`SELECT i.number, i.balance_minor FROM invoices i JOIN workflow_instances w ON w.invoice_id = i.id
			WHERE w.status = 'running' AND i.balance_minor > 0 ORDER BY i.id LIMIT 1`).Scan(&number, &balance)
		if number == "" {
			t.Fatal("no invoice in a running workflow")
		}
		pay := map[string]any{"reference": "bank-1", "invoice": number, "amount_minor": balance, "currency": "CNY", "paid_at": "2026-11-02T01:00:00Z"}
		var res api.PaymentResult
		bank.do("POST", "/api/payments", pay).want(201).decode(&res)
		if res.BalanceMinor != 0 || res.InvoiceStatus != "paid" || res.Duplicate {
			t.Fatalf("%+v", res)
		}
		if n := f.count("SELECT COUNT(*) FROM workflow_instances w JOIN invoices i ON i.id = w.invoice_id WHERE i.number = ? AND w.status IN ('running', 'waiting')", number); n != 0 {
			t.Fatalf("%d workflows still running on the paid invoice", n)
		}
		bank.do("POST", "/api/payments", pay).want(200).decode(&res)
		if !res.Duplicate {
			t.Fatalf("replay: %+v", res)
		}
		// The same payment delivered many times at once is recorded once.
		pay2 := map[string]any{"reference": "bank-burst", "invoice": number, "amount_minor": 5, "currency": "CNY", "paid_at": "2026-11-02T02:00:00Z"}
		statuses := make(chan int, 8)
		var wg sync.WaitGroup
		for range 8 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				data, _ := json.Marshal(pay2)
				req, _ := http.NewRequest("POST", f.url+"/api/payments", bytes.NewReader(data))
				req.Header.Set("Content-Type", "application/json")
				req.Header.Set("Authorization", "Bearer "+created.Secret)
				res, err := http.DefaultClient.Do(req)
				if err != nil {
					statuses <- 0
					return
				}
				res.Body.Close()
				statuses <- res.StatusCode
			}()
		}
		wg.Wait()
		close(statuses)
		got := map[int]int{}
		for st := range statuses {
			got[st]++
		}
		if got[201] != 1 || got[200] != 7 {
			t.Fatalf("concurrent deliveries: %v, want one 201 and seven 200", got)
		}
		if n := f.count("SELECT COUNT(*) FROM audit_log WHERE action = 'payment.received' AND CAST(detail AS TEXT) LIKE '%bank-burst%'"); n != 1 {
			t.Fatalf("%d audit entries for one payment", n)
		}
		pay["amount_minor"] = 1
		bank.do("POST", "/api/payments", pay).want(409)
		if n := f.count("SELECT COUNT(*) FROM payments WHERE reference = 'bank-1'"); n != 1 {
			t.Fatalf("%d payments bank-1", n)
		}
		pay["reference"], pay["invoice"] = "bank-2", "NO-SUCH"
		bank.do("POST", "/api/payments", pay).want(404)

		adm.do("DELETE", fmt.Sprintf("/api/tokens/%d", created.Token.ID), nil).want(204)
		bank.do("POST", "/api/payments", pay).want(401)
		f.token("rcp_not-a-token").do("GET", "/api/me", nil).want(401)
	})
}

// TestBadRequests: malformed, oversized, mistyped or unknown input is
// refused with a precise message and nothing is written.
func TestBadRequests(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		f := setup(t, s, api.Options{APIBodyLimit: "4K"})
		c := f.login(finance)
		before := f.count("SELECT COUNT(*) FROM payments")
		for _, tc := range []struct {
			name   string
			body   any
			status int
			fields string
		}{
			{"malformed", `{"reference": "x",`, 400, "malformed JSON"},
			{"unknown field", map[string]any{"reference": "r", "invoice": "I", "amount_minor": 1, "currency": "CNY", "paid_at": "2026-11-02T01:00:00Z", "colour": "red"}, 422,
				`/: property "colour" is unsupported`},
			{"wrong types", map[string]any{"reference": "r", "invoice": "I", "amount_minor": "12.50", "currency": "cny", "paid_at": "yesterday"}, 422,
				"/amount_minor: value must be an integer\n/currency: string doesn't match the regular expression \"^[A-Z]{3}$\"\n/paid_at: string doesn't match the format \"date-time\""},
			{"missing", map[string]any{}, 422, `property "reference" is missing`},
			{"oversized", `{"reference": "` + strings.Repeat("x", 8000) + `"}`, 413, ""},
		} {
			p := c.do("POST", "/api/payments", tc.body).want(tc.status).problem()
			if got := fields(p); !strings.Contains(got, tc.fields) {
				t.Errorf("%s: fields\n%s\nwant to contain\n%s", tc.name, got, tc.fields)
			}
		}
		req, _ := http.NewRequest("POST", f.url+"/api/payments", strings.NewReader("reference=x"))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set(api.CSRFHeader, c.csrf)
		res, err := c.hc.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != 415 && res.StatusCode != 422 {
			t.Errorf("form body: %d", res.StatusCode)
		}
		c.do("GET", "/api/invoices?aging=ancient", nil).want(422)
		c.do("GET", "/api/tasks/abc", nil).want(422)
		// A query that Go would read only in part is refused, naming the
		// parameter, rather than listing everything without the filter.
		for _, q := range []struct{ query, field, detail string }{
			{"status=overdue;x", "query.status", "semicolon"},
			{"status=overdue&owner=a;b", "query.owner", "semicolon"},
			{"status=%zz", "query.status", "malformed"},
		} {
			p := c.do("GET", "/api/invoices?"+q.query, nil).want(400).problem()
			if got := fields(p); !strings.Contains(got, q.field) || !strings.Contains(*p.Detail, q.detail) {
				t.Errorf("GET /api/invoices?%s: %q, fields %s; want %s and %q", q.query, *p.Detail, got, q.field, q.detail)
			}
		}
		c.do("GET", "/api/invoices?status=overdue%3Bx", nil).want(200)
		if after := f.count("SELECT COUNT(*) FROM payments"); after != before {
			t.Fatalf("payments %d → %d after bad requests", before, after)
		}
		if strings.Contains(f.log.String(), password) {
			t.Fatal("a password reached the log")
		}
		if !strings.Contains(f.log.String(), `"path":"/api/payments","status":422,"duration_ms":`) ||
			!strings.Contains(f.log.String(), `"user":"finance1@demo.recoup.test","auth":"session"`) {
			t.Fatalf("request log:\n%s", f.log.String())
		}
	})
}

// TestLogin: wrong passwords are refused alike, with no word of which
// part was wrong.
func TestLogin(t *testing.T) {
	t.Parallel()
	f := setup(t, storetest.SQLite(t), api.Options{})
	c := f.anonymous()
	for i, email := range []string{rep, "nobody@demo.recoup.test", rep} {
		p := c.do("POST", "/api/login", map[string]any{"email": email, "password": "wrong"}).want(401).problem()
		if *p.Detail != "invalid email or password" {
			t.Fatalf("attempt %d: %+v", i, p)
		}
	}
	c.do("POST", "/api/login", map[string]any{"email": rep, "password": password}).want(200)
	for _, line := range strings.Split(f.log.String(), "\n") {
		if strings.Contains(line, "wrong") || strings.Contains(line, password) {
			t.Fatalf("password in log: %s", line)
		}
	}
}

// TestLoginLockout: failures are counted per (address, email) with a
// doubling backoff; the right password while locked gets 429 with a true
// Retry-After and works once it has passed; other emails from the same
// address are never blocked; each lockout is audited. (The old limiter
// locked every email of an address after 10 failures and always said
// Retry-After: 60.)
func TestLoginLockout(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		f := setup(t, s, api.Options{LoginAddressCeiling: 32, LoginAddressWindow: 24 * time.Hour})
		// A new client each time: a session's cookie would need a CSRF
		// token.
		login := func(email, pw string) *response {
			return f.anonymous().do("POST", "/api/login", map[string]any{"email": email, "password": pw})
		}
		locked := func(email string, retryAfter string) {
			t.Helper()
			r := login(email, password).want(429)
			if got := r.header.Get("Retry-After"); got != retryAfter {
				t.Fatalf("%s: Retry-After %q, want %q", email, got, retryAfter)
			}
			if p := r.problem(); !strings.Contains(*p.Detail, "try again in "+retryAfter+" s") {
				t.Fatalf("%s: %s", email, *p.Detail)
			}
		}
		audited := func(email string) int {
			return f.count("SELECT COUNT(*) FROM audit_log WHERE action = 'auth.locked' AND actor = ?", email)
		}

		// Four failures are free; the fifth locks the pair for 1 s.
		for range 4 {
			login(rep, "wrong").want(401)
		}
		if n := audited(rep); n != 0 {
			t.Fatalf("%d lockouts audited after 4 failures", n)
		}
		login(rep, "wrong").want(401)
		if n := audited(rep); n != 1 {
			t.Fatalf("%d lockouts audited after 5 failures, want 1", n)
		}
		locked(rep, "1")
		// A forged X-Forwarded-For does not make another address.
		data, _ := json.Marshal(map[string]any{"email": rep, "password": password})
		req, _ := http.NewRequest("POST", f.url+"/api/login", bytes.NewReader(data))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("X-Forwarded-For", "203.0.113.7")
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != 429 {
			t.Fatalf("login with a forged X-Forwarded-For: %d, want 429", res.StatusCode)
		}
		// Another email from the same address logs in.
		login(finance, password).want(200)
		// Retry-After is the time left, rounded up; then the login works.
		f.advance(400 * time.Millisecond)
		locked(rep, "1")
		f.advance(600 * time.Millisecond)
		login(rep, password).want(200)

		// The success reset the count: five more failures, then the lock
		// doubles with each failure after it.
		for range 5 {
			login(rep, "wrong").want(401)
		}
		locked(rep, "1")
		f.advance(time.Second)
		login(rep, "wrong").want(401)
		locked(rep, "2")
		f.advance(2 * time.Second)
		login(rep, "wrong").want(401)
		f.advance(1500 * time.Millisecond)
		locked(rep, "3") // 4 s lock, 1.5 s gone
		f.advance(2500 * time.Millisecond)
		login(rep, password).want(200)
		if n := audited(rep); n != 4 {
			t.Fatalf("%d lockouts audited, want 4", n)
		}
		var detail string
		storetest.SQL(s).QueryRow(storetest.Rebind(s, "SELECT CAST(detail AS TEXT) FROM audit_log WHERE action = 'auth.locked' AND actor = ? ORDER BY id DESC LIMIT 1"), rep).Scan(&detail)
		detail = strings.ReplaceAll(detail, " ", "") // jsonb spaces it
		if !strings.Contains(detail, `"failures":7`) || !strings.Contains(detail, `"locked_seconds":4`) || !strings.Contains(detail, `"address":"127.0.0.1"`) {
			t.Fatalf("audit detail %s", detail)
		}

		// The lock is capped at 15 minutes.
		for i := range 20 {
			login(westRep, "wrong").want(401)
			if i >= 4 {
				f.advance(15 * time.Minute)
			}
		}
		// 12 + 20 failures from this address reach the ceiling of 32, so
		// a first failure locks its pair at once, while an email without
		// failures still logs in.
		login(manager, "wrong").want(401)
		locked(manager, "1")
		login(director, password).want(200)
		login(westRep, "wrong").want(401)
		locked(westRep, "900")
	})
}

// TestDefinitionVersions: a draft is stored (every error at once, with its
// line and column), diffed, published, and rolled back as a new version.
func TestDefinitionVersions(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		f := setup(t, s, api.Options{})
		adm := f.login(admin)
		var v1 store.Definition
		adm.do("GET", "/api/definitions/Rule/mark-overdue", nil).want(200).decode(&v1)
		if v1.Version != 1 || v1.Status != "published" {
			t.Fatalf("%+v", v1)
		}
		bad := "apiVersion: recoup/v1\nkind: Rule\nmetadata: {name: mark-overdue}\nspec:\n  on: invoice\n  when: invoice.balanse > 0\n  colour: red\n  size: big\n  then:\n    - set: {invoice.status: overdue}\n"
		p := adm.do("POST", "/api/definitions/drafts", map[string]any{"source": bad}).want(422).problem()
		if p.Errors == nil || len(*p.Errors) < 2 {
			t.Fatalf("want every error: %s", fields(p))
		}
		for _, e := range *p.Errors {
			if e.Field != "draft.yaml" || e.Line == nil || *e.Line < 6 || e.Column == nil {
				t.Fatalf("unpositioned error %+v", e)
			}
		}
		changed := strings.Replace(v1.Source, "priority: 100", "priority: 90", 1)
		var drafts struct{ Items []store.ApplyOutcome }
		// A YAML file as the body.
		req, _ := http.NewRequest("POST", f.url+"/api/definitions/drafts", strings.NewReader(changed))
		req.Header.Set("Content-Type", "application/yaml")
		req.Header.Set(api.CSRFHeader, adm.csrf)
		res, err := adm.hc.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != 201 {
			t.Fatalf("YAML draft: %d %s", res.StatusCode, body)
		}
		if err := json.Unmarshal(body, &drafts); err != nil {
			t.Fatal(err)
		}
		req, _ = http.NewRequest("POST", f.url+"/api/definitions/drafts", strings.NewReader("kind: Rule\nmetadata: {name: x\n"))
		req.Header.Set("Content-Type", "application/yaml")
		req.Header.Set(api.CSRFHeader, adm.csrf)
		res, err = adm.hc.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ = io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != 400 || !strings.Contains(string(body), `"malformed YAML: yaml: line 1:`) {
			t.Fatalf("malformed YAML draft: %d %s", res.StatusCode, body)
		}
		if len(drafts.Items) != 1 || drafts.Items[0].Version != 2 || drafts.Items[0].Action != "created" {
			t.Fatalf("%+v", drafts)
		}
		var cur store.Definition
		adm.do("GET", "/api/definitions/Rule/mark-overdue", nil).want(200).decode(&cur)
		if cur.Version != 1 {
			t.Fatalf("a draft replaced the published version: %+v", cur)
		}
		var diff api.DefinitionDiff
		adm.do("GET", "/api/definitions/Rule/mark-overdue/diff?from=1&to=2", nil).want(200).decode(&diff)
		if !strings.Contains(diff.Diff, "-  priority: 100\n+  priority: 90\n") {
			t.Fatalf("diff:\n%s", diff.Diff)
		}
		var out store.ApplyOutcome
		adm.do("POST", "/api/definitions/Rule/mark-overdue/publish", map[string]any{"version": 2}).want(200).decode(&out)
		if out.Version != 2 || out.Action != "published" {
			t.Fatalf("%+v", out)
		}
		adm.do("POST", "/api/definitions/Rule/mark-overdue/rollback", map[string]any{"version": 1}).want(200).decode(&out)
		if out.Version != 3 || out.Action != "created" {
			t.Fatalf("%+v", out)
		}
		var hist struct{ Items []store.Definition }
		adm.do("GET", "/api/definitions/Rule/mark-overdue/history", nil).want(200).decode(&hist)
		var states []string
		for _, d := range hist.Items {
			states = append(states, fmt.Sprintf("v%d %s", d.Version, d.Status))
		}
		if got := strings.Join(states, ", "); got != "v3 published, v2 superseded, v1 superseded" {
			t.Fatal(got)
		}
		adm.do("POST", "/api/definitions/Rule/mark-overdue/publish", map[string]any{"version": 9}).want(404)
		adm.do("GET", "/api/definitions/Rule/no-such-rule", nil).want(404)
	})
}

// TestApprovals: the director's queue holds approvals only; a decision goes
// through the decision form.
func TestApprovals(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		f := setup(t, s, api.Options{})
		dir := f.login(director)
		var q struct {
			Items  []store.InboxTask
			Counts store.InboxCounts
		}
		dir.do("GET", "/api/approvals?limit=500&counts=true", nil).want(200).decode(&q)
		if q.Counts.Open != len(q.Items) {
			t.Fatalf("%d approvals listed, %d counted", len(q.Items), q.Counts.Open)
		}
		for _, a := range q.Items {
			if a.Kind != "approval" {
				t.Fatalf("queue holds %s %s", a.Kind, a.Key)
			}
		}
		var task int64
		storetest.SQL(s).QueryRow("SELECT id FROM tasks WHERE kind = 'task' ORDER BY id LIMIT 1").Scan(&task)
		f.login(admin).do("POST", fmt.Sprintf("/api/approvals/%d/decide", task), map[string]any{"values": map[string]any{}}).want(404)
		if len(q.Items) == 0 {
			t.Skip("no approval open after the first tick")
		}
		a := q.Items[0]
		p := dir.do("POST", fmt.Sprintf("/api/approvals/%d/decide", a.ID), map[string]any{"values": map[string]any{}}).want(422).problem()
		if fields(p) == "" {
			t.Fatalf("%+v", p)
		}
	})
}

// TestUsers: an admin adds a user who can then log in; deactivating it
// ends its sessions; an admin cannot lock itself out.
func TestUsers(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		f := setup(t, s, api.Options{})
		adm := f.login(admin)
		var u api.User
		adm.do("POST", "/api/users", map[string]any{"email": "New.Rep@demo.recoup.test", "name": "New Rep", "role": "sales_rep", "team": "east", "password": password}).want(201).decode(&u)
		if u.Email != "new.rep@demo.recoup.test" || u.Role != "sales_rep" || !u.Active {
			t.Fatalf("%+v", u)
		}
		adm.do("POST", "/api/users", map[string]any{"email": "new.rep@demo.recoup.test", "name": "Again", "role": "sales_rep"}).want(409)
		p := adm.do("POST", "/api/users", map[string]any{"email": "x", "name": "", "role": "boss", "password": "short"}).want(422).problem()
		if got := fields(p); strings.Count(got, "\n") != 3 {
			t.Fatalf("want 4 field errors:\n%s", got)
		}
		newRep := f.login(u.Email)
		other := f.login(u.Email)
		p = newRep.do("POST", "/api/me/password", map[string]any{"current": "wrong", "new": "a new long password"}).want(422).problem()
		if fields(p) != "/current: not your current password" {
			t.Fatal(fields(p))
		}
		newRep.do("POST", "/api/me/password", map[string]any{"current": password, "new": "a new long password"}).want(204)
		other.do("GET", "/api/me", nil).want(401) // the other session ended
		newRep.do("GET", "/api/me", nil).want(200)
		newRep.do("POST", "/api/me/password", map[string]any{"current": "a new long password", "new": password}).want(204)
		adm.do("PATCH", fmt.Sprintf("/api/users/%d", u.Id), map[string]any{"active": false}).want(200)
		newRep.do("GET", "/api/me", nil).want(401)
		f.anonymous().do("POST", "/api/login", map[string]any{"email": u.Email, "password": password}).want(401)

		var me api.Me
		adm.do("GET", "/api/me", nil).want(200).decode(&me)
		adm.do("PATCH", fmt.Sprintf("/api/users/%d", me.User.Id), map[string]any{"role": "finance"}).want(409)
		adm.do("PATCH", "/api/users/999999", map[string]any{"name": "x"}).want(404)
		var list struct{ Items []store.UserInfo }
		adm.do("GET", "/api/users", nil).want(200).decode(&list)
		if len(list.Items) < 10 || strings.Contains(string(adm.do("GET", "/api/users", nil).body), "$2a$") {
			t.Fatalf("users: %d", len(list.Items))
		}
	})
}

// TestDashboard: finance sees every open balance; a manager its team's.
func TestDashboard(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		f := setup(t, s, api.Options{})
		total := func(d store.Dashboard) (sum int64, n int) {
			for _, r := range d.Aging {
				sum += r.BalanceMinor
				n += r.Invoices
			}
			return sum, n
		}
		var all, team store.Dashboard
		f.login(finance).do("GET", "/api/dashboard", nil).want(200).decode(&all)
		f.login(manager).do("GET", "/api/dashboard", nil).want(200).decode(&team)
		sum, n := total(all)
		if want := f.count("SELECT COUNT(*) FROM invoices WHERE balance_minor > 0"); n != want {
			t.Fatalf("dashboard counts %d open invoices, want %d", n, want)
		}
		if want := f.count("SELECT COALESCE(SUM(balance_minor), 0) FROM invoices WHERE balance_minor > 0"); sum != int64(want) {
			t.Fatalf("dashboard sums %d, want %d", sum, want)
		}
		if len(all.Aging)%5 != 0 || all.TasksOpen == 0 {
			t.Fatalf("%+v", all)
		}
		if ts, tn := total(team); tn == 0 || tn >= n || ts >= sum {
			t.Fatalf("manager sees %d invoices (%d), finance %d (%d)", tn, ts, n, sum)
		}
		var owned int
		for _, o := range team.ByOwner {
			if o.Team != "east" {
				t.Fatalf("east manager sees owner %+v", o)
			}
			owned += o.Invoices
		}
		if _, tn := total(team); owned != tn {
			t.Fatalf("by owner %d invoices, aging %d", owned, tn)
		}
		if len(all.DSO) == 0 || all.DSO[0].Days <= 0 {
			t.Fatalf("DSO %+v", all.DSO)
		}
		due30 := f.count("SELECT COALESCE(SUM(balance_minor), 0) FROM invoices WHERE balance_minor > 0 AND currency = 'CNY' AND due_date >= ? AND due_date <= ?",
			"2026-11-02", "2026-12-02")
		var cny store.DueRow
		for _, r := range all.DueNext {
			if r.Currency == "CNY" {
				cny = r
			}
		}
		if due30 == 0 || cny.Days30 != int64(due30) || cny.Days60 < cny.Days30 || cny.Days90 < cny.Days60 {
			t.Fatalf("due next %+v, want %d within 30 days", cny, due30)
		}

		// Recovery per stage, in the workflow's node order; the manager's
		// per-rep and per-team rows are its team's.
		var nodes []string
		for _, r := range all.RecoveryByStage {
			if r.Currency == "CNY" {
				nodes = append(nodes, r.Node)
			}
			if r.Workflow != "overdue-escalation" || r.Entered == 0 || r.RecoveredMinor > r.EnteredMinor {
				t.Fatalf("recovery %+v", r)
			}
		}
		if got := strings.Join(nodes, ","); got != "reminder,call,review,decision" {
			t.Fatalf("CNY stages %s", got)
		}
		// each stage and rep is named for people: the node's title in both
		// languages, the owner's name
		for _, r := range all.RecoveryByStage {
			if r.NodeTitle == nil || r.NodeTitle.En == "" || r.NodeTitle.ZhCN == "" {
				t.Fatalf("stage %s/%s has no title: %+v", r.Workflow, r.Node, r.NodeTitle)
			}
		}
		for _, r := range team.RecoveryByOwner {
			if r.Owner != "" && (r.OwnerName == "" || r.NodeTitle == nil) {
				t.Fatalf("rep recovery without a name or stage title: %+v", r)
			}
		}
		for _, r := range all.ByOwner {
			if r.Owner != "" && r.OwnerName == "" {
				t.Fatalf("balance by owner without a name: %+v", r)
			}
		}
		if all.WindowFrom.String() != "2026-08-05" || len(team.RecoveryByOwner) == 0 || len(team.RecoveryByTeam) == 0 {
			t.Fatalf("window %s, manager's recovery %+v %+v", all.WindowFrom, team.RecoveryByOwner, team.RecoveryByTeam)
		}
		for _, r := range team.RecoveryByOwner {
			if r.Team != "east" {
				t.Fatalf("east manager sees recovery %+v", r)
			}
		}
		for _, r := range team.RecoveryByTeam {
			if r.Team != "east" {
				t.Fatalf("east manager sees team recovery %+v", r)
			}
		}

		// A rep records a promise: it is pending and expected by its date.
		var id int64
		var assignee, currency string
		var balance int64
		storetest.SQL(s).QueryRow(`SELECT t.id, u.email, i.currency, i.balance_minor FROM tasks t JOIN users u ON u.id = t.assignee_id
			JOIN invoices i ON i.id = t.invoice_id WHERE t.status = 'open' AND t.key LIKE '%/call/%' ORDER BY t.id LIMIT 1`).Scan(&id, &assignee, &currency, &balance)
		if err := s.SetPassword(context.Background(), assignee, password, now); err != nil {
			t.Fatal(err)
		}
		f.login(assignee).do("POST", fmt.Sprintf("/api/tasks/%d/complete", id),
			map[string]any{"values": map[string]any{"outcome": "promised", "promised_date": "2026-11-10"}}).want(200)
		var after store.Dashboard
		f.login(finance).do("GET", "/api/dashboard?currency="+currency, nil).want(200).decode(&after)
		if len(after.Promises) != 1 || after.Promises[0].Pending != 1 || after.Promises[0].PendingMinor != balance ||
			len(after.PromisedNext) != 1 || after.PromisedNext[0].Days30 != balance || len(after.PlannedNext) != 0 {
			t.Fatalf("after a promise of %d %s: promises %+v, expected %+v, plans %+v", balance, currency, after.Promises, after.PromisedNext, after.PlannedNext)
		}
		for _, r := range after.RecoveryByStage {
			if r.Currency != currency {
				t.Fatalf("currency %s filter shows %+v", currency, r)
			}
		}
	})
}

// TestTaskActions: a manager reassigns within its team only; comments and
// reassignments show in the task's activity and the audit log.
func TestTaskActions(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		f := setup(t, s, api.Options{})
		var id int64
		storetest.SQL(s).QueryRow(storetest.Rebind(s, `SELECT t.id FROM tasks t JOIN users u ON u.id = t.assignee_id
			WHERE t.status = 'open' AND u.email = ? ORDER BY t.id LIMIT 1`), rep).Scan(&id)
		if id == 0 {
			t.Fatal("no open task of rep1.east")
		}
		mgr := f.login(manager)
		path := fmt.Sprintf("/api/tasks/%d", id)
		p := mgr.do("POST", path+"/reassign", map[string]any{"assignee": westRep}).want(422).problem()
		if got := fields(p); got != `/assignee: user "rep1.west@demo.recoup.test" is not in team "east": cannot be assigned to this user` {
			t.Fatal(got)
		}
		var task store.InboxTask
		mgr.do("POST", path+"/reassign", map[string]any{"assignee": "rep2.east@demo.recoup.test", "reason": "holiday"}).want(200).decode(&task)
		if task.Assignee != "rep2.east@demo.recoup.test" {
			t.Fatalf("%+v", task)
		}
		f.login(rep).do("GET", path, nil).want(404) // no longer rep1's
		mgr.do("POST", path+"/comments", map[string]any{"text": "call before noon"}).want(201)
		var detail struct{ Activity []store.Activity }
		mgr.do("GET", path, nil).want(200).decode(&detail)
		var acts []string
		for _, a := range detail.Activity {
			acts = append(acts, a.Actor+" "+a.Action)
		}
		if got := strings.Join(acts, ", "); got != manager+" task.reassigned, "+manager+" task.comment" {
			t.Fatal(got)
		}
		var audit struct{ Items []store.AuditEntry }
		f.login(admin).do("GET", "/api/audit?action=task.comment", nil).want(200).decode(&audit)
		if len(audit.Items) != 1 || !strings.Contains(string(audit.Items[0].Detail), "call before noon") {
			t.Fatalf("%+v", audit.Items)
		}
		var ob store.OutboxStatus
		f.login(finance).do("GET", "/api/outbox?limit=5", nil).want(200).decode(&ob)
		total := 0
		for _, n := range ob.Counts {
			total += n
		}
		if total != f.count("SELECT COUNT(*) FROM outbox") || len(ob.Items) != min(5, total) {
			t.Fatalf("outbox: %v, %d items", ob.Counts, len(ob.Items))
		}
		var notes struct{ Items []api.Notification }
		f.login(rep).do("GET", "/api/notifications?unread=true", nil).want(200).decode(&notes)
		f.login(rep).do("POST", "/api/notifications/999999/read", nil).want(404)
	})
}

// TestImport: CSV and JSON in the import command's formats; a bad row
// rejects the file (nothing written) with its row and column.
func TestImport(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		f := setup(t, s, api.Options{BodyLimit: "1K", APIBodyLimit: "1K", ImportBodyLimit: "64K"})
		fin := f.login(finance)
		var number string
		var balance int64
		storetest.SQL(s).QueryRow("SELECT number, balance_minor FROM invoices WHERE balance_minor > 100 ORDER BY id LIMIT 1").Scan(&number, &balance)
		send := func(c *client, kind, contentType, body string) *response {
			req, _ := http.NewRequest("POST", f.url+"/api/import/"+kind, strings.NewReader(body))
			req.Header.Set("Content-Type", contentType)
			req.Header.Set(api.CSRFHeader, c.csrf)
			res, err := c.hc.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer res.Body.Close()
			data, _ := io.ReadAll(res.Body)
			return &response{t: t, req: "POST import " + kind, status: res.StatusCode, header: res.Header, body: data}
		}
		before := f.count("SELECT COUNT(*) FROM payments")
		p := send(fin, "payments", "text/csv", "reference,invoice_number,amount,paid_at\nimp-1,"+number+",1.00,2026-11-02\nimp-2,NO-SUCH,1.00,2026-11-02\n").want(422).problem()
		if p.Errors == nil || (*p.Errors)[0].Line == nil || *(*p.Errors)[0].Line != 3 {
			t.Fatalf("%s", fields(p))
		}
		if n := f.count("SELECT COUNT(*) FROM payments"); n != before {
			t.Fatalf("rejected file wrote %d payments", n-before)
		}
		var sum api.ImportSummary
		send(fin, "payments", "text/csv", "reference,invoice_number,amount,paid_at\nimp-1,"+number+",1.00,2026-11-02\n").want(200).decode(&sum)
		if sum.Inserted != 1 {
			t.Fatalf("%+v", sum)
		}
		send(fin, "payments", "application/json", `[{"reference":"imp-1","invoice_number":"`+number+`","amount":"1.00","paid_at":"2026-11-02"}]`).want(200).decode(&sum)
		if sum.Unchanged != 1 {
			t.Fatalf("%+v", sum)
		}
		send(fin, "payments", "text/csv", "reference,invoice_number,amount,paid_at\n\"unterminated").want(400)
		send(fin, "payments", "text/csv", "").want(422)
		send(fin, "users", "text/csv", "email,name,role,team\nx@y.z,X,admin,\n").want(403)
		// Imports have their own, larger body limit.
		big := "reference,invoice_number,amount,paid_at\n" + strings.Repeat("big,NO-SUCH,1.00,2026-11-02\n", 200)
		send(fin, "payments", "text/csv", big).want(422)
		send(fin, "payments", "text/csv", big+strings.Repeat("x", 70_000)).want(413)
	})
}

// TestImportStreams: an import's body reaches the importer as it arrives,
// not read whole first — a CSV with a bad header is refused while the
// client is still sending it.
func TestImportStreams(t *testing.T) {
	t.Parallel()
	f := setup(t, storetest.SQLite(t), api.Options{ImportBodyLimit: "64M"})
	fin := f.login(finance)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	body, w := io.Pipe()
	context.AfterFunc(ctx, func() { w.CloseWithError(ctx.Err()) })
	go func() {
		// The header, then more than net/http discards of an unread
		// body (256 KB) before it answers; the body never ends.
		if _, err := io.WriteString(w, "colour,size\n"); err != nil {
			return
		}
		row := strings.Repeat("x", 1023) + "\n"
		for range 1024 {
			if _, err := io.WriteString(w, row); err != nil {
				return
			}
		}
	}()
	req, _ := http.NewRequest("POST", f.url+"/api/import/payments", body)
	req.Header.Set("Content-Type", "text/csv")
	req.Header.Set(api.CSRFHeader, fin.csrf)
	res, err := fin.hc.Do(req.WithContext(ctx))
	if err != nil {
		t.Fatalf("no answer before the body ended: %v", err)
	}
	data, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != 422 || !strings.Contains(string(data), "unknown column") {
		t.Fatalf("%d %s", res.StatusCode, data)
	}
}

// TestPreview: a draft's preview writes nothing and predicts exactly what
// the tick does once the draft is published.
func TestPreview(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		f := setup(t, s, api.Options{})
		adm := f.login(admin)
		var v1 store.Definition
		adm.do("GET", "/api/definitions/Rule/due-soon-todo", nil).want(200).decode(&v1)
		wider := strings.Replace(v1.Source, "invoice.days_until_due <= 3", "invoice.days_until_due <= 10", 1)
		if wider == v1.Source {
			t.Fatal("due-soon-todo changed: update the test")
		}
		adm.do("POST", "/api/definitions/drafts", map[string]any{"source": wider}).want(201)
		ledger := func() string {
			return fmt.Sprint(f.count("SELECT COUNT(*) FROM effects"), f.count("SELECT COUNT(*) FROM tasks"),
				f.count("SELECT COUNT(*) FROM outbox"), f.count("SELECT COUNT(*) FROM ticks"), f.count("SELECT COUNT(*) FROM rule_fires"))
		}
		before := ledger()
		var pv api.Preview
		adm.do("POST", "/api/definitions/Rule/due-soon-todo/preview", map[string]any{"version": 2}).want(200).decode(&pv)
		if after := ledger(); after != before {
			t.Fatalf("preview wrote: %s → %s", before, after)
		}
		if len(pv.Added) != 1 || pv.Added[0].Source != "due-soon-todo" || pv.Added[0].Kind != "task" || pv.Added[0].Count == 0 ||
			len(pv.Added[0].SampleInvoices) == 0 || len(pv.Removed) != 0 {
			t.Fatalf("preview: %+v", pv)
		}
		// each sample with why: the days it read, within the widened window
		if g := pv.Added[0]; len(g.Samples) != len(g.SampleInvoices) {
			t.Fatalf("samples: %+v", g)
		}
		for i, x := range pv.Added[0].Samples {
			days := ""
			for _, v := range x.Why {
				if v.Path == "invoice.days_until_due" {
					days = v.Value
				}
			}
			if n, err := strconv.Atoi(days); x.Invoice != pv.Added[0].SampleInvoices[i] || err != nil || n <= 3 || n > 10 {
				t.Fatalf("sample %d: %+v", i, x)
			}
		}
		adm.do("POST", "/api/definitions/Rule/due-soon-todo/publish", map[string]any{"version": 2}).want(200)
		b, err := s.LoadPublished(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]int{}
		if _, err := engine.RunTick(context.Background(), b, s, engine.TickOptions{At: now, Location: shanghai, OnEffect: func(e engine.TickEffect) {
			if e.New {
				got[string(e.Kind)]++
			}
		}}); err != nil {
			t.Fatal(err)
		}
		if fmt.Sprint(got) != fmt.Sprint(pv.Draft) {
			t.Fatalf("the tick recorded %v, the preview said %v", got, pv.Draft)
		}
	})
}

// TestScenarios: requests as one role or another, with the status and
// what the body must contain, in order on one database.
func TestScenarios(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		f := setup(t, s, api.Options{})
		var someInvoice string
		storetest.SQL(s).QueryRow(storetest.Rebind(s, "SELECT i.number FROM invoices i JOIN users u ON u.id = i.owner_id WHERE u.email = ? ORDER BY i.id LIMIT 1"), rep).Scan(&someInvoice)
		scenarios := []struct {
			name         string
			as           string // user email; "" anonymous
			method, path string
			body         any
			status       int
			contains     []string
		}{
			{"me as rep", rep, "GET", "/api/me", nil, 200, []string{`"role":"sales_rep"`, `"team":"east"`, `"auth":"session"`, `"csrf_token"`}},
			{"me anonymous", "", "GET", "/api/me", nil, 401, []string{`"detail":"authentication required: log in or send an API token"`}},
			{"spec anonymous", "", "GET", "/api/openapi.yaml", nil, 200, []string{"openapi: 3.0.3"}},
			{"own invoice", rep, "GET", "/api/invoices/" + someInvoice, nil, 200, []string{`"number":"` + someInvoice + `"`, `"effects":`}},
			{"unknown invoice", finance, "GET", "/api/invoices/NO-SUCH", nil, 404, []string{`invoice \"NO-SUCH\": not found`}},
			{"limit out of range", rep, "GET", "/api/tasks?limit=0", nil, 422, []string{`"field":"query.limit"`, "number must be at least 1"}},
			{"unknown status", rep, "GET", "/api/tasks?status=sleeping", nil, 422, []string{`"field":"query.status"`, "value is not one of the allowed values"}},
			{"bad overdue range", finance, "GET", "/api/invoices?overdue_min=-1", nil, 422, []string{`"field":"query.overdue_min"`}},
			{"unknown kind", admin, "GET", "/api/definitions/Policy/x", nil, 422, []string{`"field":"path.kind"`}},
			{"history of nothing", admin, "GET", "/api/definitions/Rule/nothing/history", nil, 404, nil},
			{"unknown route", admin, "GET", "/api/nothing", nil, 404, []string{`"title":"Not Found"`}},
			{"wrong method", admin, "PUT", "/api/me", map[string]any{}, 405, nil},
			{"login unknown field", "", "POST", "/api/login", map[string]any{"email": rep, "password": password, "remember": true}, 422,
				[]string{`property \"remember\" is unsupported`}},
			{"complete unknown task", rep, "POST", "/api/tasks/999999/complete", map[string]any{"values": map[string]any{}}, 404, nil},
			{"payment with a float amount", finance, "POST", "/api/payments",
				map[string]any{"reference": "f-1", "invoice": someInvoice, "amount_minor": 10.5, "currency": "CNY", "paid_at": "2026-11-02T01:00:00Z"}, 422,
				[]string{`"field":"/amount_minor"`, "value must be an integer"}},
			{"payment in another currency", finance, "POST", "/api/payments",
				map[string]any{"reference": "f-2", "invoice": someInvoice, "amount_minor": 100, "currency": "USD", "paid_at": "2026-11-02T01:00:00Z"}, 422,
				[]string{`"field":"/currency"`, "USD differs from the invoice's currency CNY"}},
			{"dashboard by currency", finance, "GET", "/api/dashboard?currency=CNY", nil, 200, []string{`"bucket":"90+"`, `"tasks_open":`}},
			{"token without scopes", admin, "POST", "/api/tokens", map[string]any{"name": "x", "scopes": []string{}}, 422,
				[]string{`"field":"/scopes"`, "minimum number of items is 1"}},
		}
		clients := map[string]*client{"": f.anonymous()}
		for _, sc := range scenarios {
			c := clients[sc.as]
			if c == nil {
				c = f.login(sc.as)
				clients[sc.as] = c
			}
			r := c.do(sc.method, sc.path, sc.body)
			if r.status != sc.status {
				t.Errorf("%s: %s: status %d, want %d: %s", sc.name, r.req, r.status, sc.status, r.body)
				continue
			}
			for _, want := range sc.contains {
				if !strings.Contains(string(r.body), want) {
					t.Errorf("%s: %s: body lacks %s: %s", sc.name, r.req, want, r.body)
				}
			}
		}
		if n := f.count("SELECT COUNT(*) FROM payments WHERE reference LIKE 'f-%'"); n != 0 {
			t.Fatalf("%d rejected payments were written", n)
		}
	})
}

// TestExpiry: sessions end after their TTL, tokens at their expiry.
func TestExpiry(t *testing.T) {
	t.Parallel()
	f := setup(t, storetest.SQLite(t), api.Options{SessionTTL: time.Hour})
	c := f.login(finance)
	var created struct{ Secret string }
	f.login(admin).do("POST", "/api/tokens", map[string]any{"name": "short", "user": finance, "scopes": []string{"invoices:read"}, "expires_in_days": 1}).
		want(201).decode(&created)
	tok := f.token(created.Secret)
	f.advance(59 * time.Minute)
	c.do("GET", "/api/me", nil).want(200)
	tok.do("GET", "/api/invoices?limit=1", nil).want(200)
	f.advance(2 * time.Minute)
	c.do("GET", "/api/me", nil).want(401)
	tok.do("GET", "/api/invoices?limit=1", nil).want(200)
	f.advance(24 * time.Hour)
	tok.do("GET", "/api/invoices?limit=1", nil).want(401)
}

// TestSimulate: an unpaid invoice replayed day by day becomes overdue the
// day after its due date and enters the escalation; the live database is
// untouched.
func TestSimulate(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		f := setup(t, s, api.Options{})
		var number, due string
		storetest.SQL(s).QueryRow(`SELECT number, due_date FROM invoices WHERE balance_minor > 0 AND due_date >= '2026-11-05' ORDER BY due_date, id LIMIT 1`).Scan(&number, &due)
		if number == "" {
			t.Fatal("no invoice due after 2026-11-05")
		}
		before := f.count("SELECT COUNT(*) FROM effects")
		var sim struct {
			Totals map[string]int
			Days   []struct {
				Date    string
				Effects []struct {
					Invoice, Kind, Rule, Field, Value string
				}
			}
		}
		fin := f.login(finance)
		fin.do("POST", "/api/simulate", map[string]any{"invoices": []string{number}, "from": "2026-11-01", "to": "2026-12-31"}).want(200).decode(&sim)
		dueDay, _ := time.Parse("2006-01-02", due[:10])
		overdueOn := ""
		for _, d := range sim.Days {
			for _, e := range d.Effects {
				if e.Invoice != number {
					t.Fatalf("effect on %s", e.Invoice)
				}
				if e.Rule == "mark-overdue" && e.Kind == "set" && overdueOn == "" {
					overdueOn = d.Date
				}
			}
		}
		if want := dueDay.AddDate(0, 0, 1).Format("2006-01-02"); overdueOn != want {
			t.Fatalf("overdue on %q, want %s; totals %v", overdueOn, want, sim.Totals)
		}
		if sim.Totals["node"] == 0 {
			t.Fatalf("no workflow node entered: %v", sim.Totals)
		}
		if n := f.count("SELECT COUNT(*) FROM effects"); n != before {
			t.Fatalf("simulation wrote %d effects to the live database", n-before)
		}
		p := fin.do("POST", "/api/simulate", map[string]any{"invoices": []string{number}, "from": "2026-01-01", "to": "2027-12-31"}).want(422).problem()
		if !strings.Contains(fields(p), "/to: ") {
			t.Fatal(fields(p))
		}
		var west string
		storetest.SQL(s).QueryRow(storetest.Rebind(s, "SELECT i.number FROM invoices i JOIN users u ON u.id = i.owner_id WHERE u.email = ? ORDER BY i.id LIMIT 1"), westRep).Scan(&west)
		f.login(manager).do("POST", "/api/simulate", map[string]any{"invoices": []string{west}, "from": "2026-11-01", "to": "2026-11-02"}).want(404)
	})
}
