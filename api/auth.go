package api

import (
	"context"
	"crypto/subtle"
	"errors"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/labstack/echo/v4"
	"golang.org/x/time/rate"

	"github.com/recoup/recoup/store"
)

// Cookie and header names.
const (
	SessionCookie = "recoup_session"
	CSRFHeader    = "X-CSRF-Token"
)

// identify finds who makes the request — a bearer token or a session
// cookie — and, for a cookie, checks the CSRF token on unsafe methods. A
// request with neither goes on anonymous (an operation's guard rejects it
// where a login is needed); invalid credentials are rejected at once. The
// caller goes in the request's context for the handlers, the principal
// also in echo's for the request log.
func (a *server) identify(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		p, err := a.principal(c)
		if err != nil {
			return err
		}
		if p != nil {
			c.Set(principalKey, p)
		}
		req := c.Request()
		cl := &caller{p: p, ip: c.RealIP(), userAgent: req.UserAgent(), tls: c.IsTLS(), requestID: c.Response().Header().Get(echo.HeaderXRequestID)}
		c.SetRequest(req.WithContext(context.WithValue(req.Context(), callerKey{}, cl)))
		return next(c)
	}
}

// principal authenticates the request: nil without credentials.
func (a *server) principal(c echo.Context) (*principal, error) {
	req := c.Request()
	if h := req.Header.Get(echo.HeaderAuthorization); h != "" {
		scheme, secret, _ := strings.Cut(h, " ")
		if !strings.EqualFold(scheme, "Bearer") || secret == "" {
			return nil, errUnauthenticated
		}
		u, scopes, err := a.store.TokenUser(req.Context(), strings.TrimSpace(secret), a.now())
		if errors.Is(err, store.ErrNotFound) {
			return nil, errUnauthenticated
		}
		if err != nil {
			return nil, err
		}
		p := &principal{User: u, Via: MeAuthToken}
		for _, s := range scopes {
			p.Scopes = append(p.Scopes, Permission(s))
		}
		return p, nil
	}
	ck, err := req.Cookie(SessionCookie)
	if err != nil || ck.Value == "" {
		return nil, nil
	}
	u, csrf, err := a.store.SessionUser(req.Context(), ck.Value, a.now())
	if errors.Is(err, store.ErrNotFound) {
		// An expired or ended session: forget the cookie, go on
		// anonymous (login must still work).
		c.SetCookie(a.sessionCookie(c.IsTLS(), "", -1))
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	switch req.Method {
	case http.MethodGet, http.MethodHead, http.MethodOptions:
	default:
		if subtle.ConstantTimeCompare([]byte(req.Header.Get(CSRFHeader)), []byte(csrf)) != 1 {
			return nil, errCSRF
		}
	}
	return &principal{User: u, Via: MeAuthSession, CSRF: csrf, Token: ck.Value}, nil
}

// sessionCookie sets (maxAge > 0) or clears (maxAge < 0) the session
// cookie, Secure over TLS or with Options.SecureCookies. Max-Age, not
// Expires: the browser's clock need not agree with ours.
func (a *server) sessionCookie(tls bool, value string, maxAge time.Duration) *http.Cookie {
	return &http.Cookie{
		Name:     SessionCookie,
		Value:    value,
		Path:     "/",
		MaxAge:   int(maxAge.Seconds()),
		HttpOnly: true,
		Secure:   tls || a.secureCookies,
		SameSite: http.SameSiteLaxMode,
	}
}

func (a *server) Login(ctx context.Context, req LoginRequestObject) (LoginResponseObject, error) {
	in, cl := req.Body, callerOf(ctx)
	if !a.logins.allow(cl.ip, strings.ToLower(in.Email)) {
		return nil, errTooManyLogins
	}
	u, err := a.store.Authenticate(ctx, in.Email, in.Password)
	if errors.Is(err, store.ErrBadCredentials) {
		a.logins.failed(cl.ip, strings.ToLower(in.Email))
	}
	if aerr := a.auditLogin(ctx, in.Email, u, err); aerr != nil {
		return nil, aerr
	}
	if err != nil {
		return nil, err
	}
	now := a.now()
	sess, err := a.store.CreateSession(ctx, u.ID, a.sessionTTL, cl.ip, cl.userAgent, now)
	if err != nil {
		return nil, err
	}
	p := &principal{User: u, Via: MeAuthSession, CSRF: sess.CSRFToken}
	return Login200JSONResponse{Body: me(p),
		Headers: Login200ResponseHeaders{SetCookie: a.sessionCookie(cl.tls, sess.Token, sess.ExpiresAt.Sub(now)).String()}}, nil
}

// Logout ends a session and clears its cookie; with a token it does
// nothing (revoke the token to end it).
func (a *server) Logout(ctx context.Context, _ LogoutRequestObject) (LogoutResponseObject, error) {
	cl := callerOf(ctx)
	var out Logout204Response
	if cl.p.Via == MeAuthSession {
		if err := a.store.DeleteSession(ctx, cl.p.Token); err != nil {
			return nil, err
		}
		gone := a.sessionCookie(cl.tls, "", -1).String()
		out.Headers.SetCookie = &gone
	}
	return out, nil
}

func (a *server) GetMe(ctx context.Context, _ GetMeRequestObject) (GetMeResponseObject, error) {
	return GetMe200JSONResponse(me(principalOf(ctx))), nil
}

// UpdateMe changes the caller's own preferences: any logged-in user, for
// itself only.
func (a *server) UpdateMe(ctx context.Context, req UpdateMeRequestObject) (UpdateMeResponseObject, error) {
	p := principalOf(ctx)
	u, err := a.store.UpdateUser(ctx, p.User.ID, store.UserChange{Language: language(req.Body.Language)}, a.now())
	if err != nil {
		return nil, err
	}
	updated := *p
	updated.User = u
	return UpdateMe200JSONResponse(me(&updated)), nil
}

func me(p *principal) Me {
	m := Me{Auth: p.Via, Permissions: p.Permissions(), User: userOf(p.User)}
	if m.Permissions == nil {
		m.Permissions = []Permission{}
	}
	if p.CSRF != "" {
		m.CsrfToken = &p.CSRF
	}
	return m
}

// loginLimiter slows password guessing: each client address and each
// email get a burst of failed attempts, then one more every few seconds.
// Successful logins cost nothing. Its memory is bounded: past
// maxLimiterKeys it starts afresh.
type loginLimiter struct {
	mu      sync.Mutex
	every   time.Duration
	burst   int
	buckets map[string]*rate.Limiter
}

const maxLimiterKeys = 100_000

func newLoginLimiter(every time.Duration, burst int) *loginLimiter {
	return &loginLimiter{every: every, burst: burst, buckets: map[string]*rate.Limiter{}}
}

func (l *loginLimiter) bucketsOf(ip, email string) []*rate.Limiter {
	if len(l.buckets) > maxLimiterKeys {
		clear(l.buckets)
	}
	var out []*rate.Limiter
	for _, k := range []string{"ip:" + ip, "email:" + email} {
		b := l.buckets[k]
		if b == nil {
			b = rate.NewLimiter(rate.Every(l.every), l.burst)
			l.buckets[k] = b
		}
		out = append(out, b)
	}
	return out
}

// allow reports whether ip may try to log in as email now.
func (l *loginLimiter) allow(ip, email string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, b := range l.bucketsOf(ip, email) {
		if b.Tokens() < 1 {
			return false
		}
	}
	return true
}

// failed counts a failed attempt.
func (l *loginLimiter) failed(ip, email string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, b := range l.bucketsOf(ip, email) {
		b.Allow()
	}
}

// ChangeMyPassword lets a logged-in person change its password. A wrong
// current password counts as a failed login for the rate limit.
func (a *server) ChangeMyPassword(ctx context.Context, req ChangeMyPasswordRequestObject) (ChangeMyPasswordResponseObject, error) {
	cl := callerOf(ctx)
	p := cl.p
	if p.Via != MeAuthSession {
		return nil, errForbidden
	}
	in := req.Body
	if !a.logins.allow(cl.ip, p.User.Email) {
		return nil, errTooManyLogins
	}
	if _, err := a.store.Authenticate(ctx, p.User.Email, in.Current); errors.Is(err, store.ErrBadCredentials) {
		a.logins.failed(cl.ip, p.User.Email)
		return nil, &fieldErrors{status: http.StatusUnprocessableEntity, detail: "the password was not changed",
			fields: []FieldError{{Field: "/current", Message: "not your current password"}}}
	} else if err != nil {
		return nil, err
	}
	if err := a.store.SetPassword(ctx, p.User.Email, in.New, a.now()); err != nil {
		return nil, err
	}
	if err := a.store.EndOtherSessions(ctx, p.User.ID, p.Token); err != nil {
		return nil, err
	}
	if err := a.audit(ctx, store.AuditRecord{Action: "user.password_changed", Entity: "user", EntityID: p.User.ID}); err != nil {
		return nil, err
	}
	return ChangeMyPassword204Response{}, nil
}
