package api

import (
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
// request with neither goes on anonymous (authorize rejects it where a
// login is needed); invalid credentials are rejected at once.
func (a *server) identify(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		req := c.Request()
		if h := req.Header.Get(echo.HeaderAuthorization); h != "" {
			scheme, secret, _ := strings.Cut(h, " ")
			if !strings.EqualFold(scheme, "Bearer") || secret == "" {
				return errUnauthenticated
			}
			u, scopes, err := a.store.TokenUser(req.Context(), strings.TrimSpace(secret), a.now())
			if errors.Is(err, store.ErrNotFound) {
				return errUnauthenticated
			}
			if err != nil {
				return err
			}
			p := &principal{User: u, Via: MeAuthToken}
			for _, s := range scopes {
				p.Scopes = append(p.Scopes, Permission(s))
			}
			c.Set(principalKey, p)
			return next(c)
		}
		ck, err := req.Cookie(SessionCookie)
		if err != nil || ck.Value == "" {
			return next(c)
		}
		u, csrf, err := a.store.SessionUser(req.Context(), ck.Value, a.now())
		if errors.Is(err, store.ErrNotFound) {
			// An expired or ended session: forget the cookie, go on
			// anonymous (login must still work).
			c.SetCookie(a.sessionCookie(c, "", -1))
			return next(c)
		}
		if err != nil {
			return err
		}
		switch req.Method {
		case http.MethodGet, http.MethodHead, http.MethodOptions:
		default:
			if subtle.ConstantTimeCompare([]byte(req.Header.Get(CSRFHeader)), []byte(csrf)) != 1 {
				return errCSRF
			}
		}
		c.Set(principalKey, &principal{User: u, Via: MeAuthSession, CSRF: csrf, Token: ck.Value})
		return next(c)
	}
}

// sessionCookie sets (maxAge > 0) or clears (maxAge < 0) the session
// cookie. Max-Age, not Expires: the browser's clock need not agree with ours.
func (a *server) sessionCookie(c echo.Context, value string, maxAge time.Duration) *http.Cookie {
	return &http.Cookie{
		Name:     SessionCookie,
		Value:    value,
		Path:     "/",
		MaxAge:   int(maxAge.Seconds()),
		HttpOnly: true,
		Secure:   c.IsTLS() || a.secureCookies,
		SameSite: http.SameSiteLaxMode,
	}
}

func (a *server) login(c echo.Context) error {
	var in LoginRequest
	if err := c.Bind(&in); err != nil {
		return err
	}
	if !a.logins.allow(c.RealIP(), strings.ToLower(in.Email)) {
		return errTooManyLogins
	}
	ctx := c.Request().Context()
	u, err := a.store.Authenticate(ctx, in.Email, in.Password)
	if errors.Is(err, store.ErrBadCredentials) {
		a.logins.failed(c.RealIP(), strings.ToLower(in.Email))
	}
	if err != nil {
		return err
	}
	now := a.now()
	sess, err := a.store.CreateSession(ctx, u.ID, a.sessionTTL, c.RealIP(), c.Request().UserAgent(), now)
	if err != nil {
		return err
	}
	c.SetCookie(a.sessionCookie(c, sess.Token, sess.ExpiresAt.Sub(now)))
	p := &principal{User: u, Via: MeAuthSession, CSRF: sess.CSRFToken}
	return c.JSON(http.StatusOK, me(p))
}

func (a *server) logout(c echo.Context) error {
	p := current(c)
	if p.Via == MeAuthSession {
		if err := a.store.DeleteSession(c.Request().Context(), p.Token); err != nil {
			return err
		}
		c.SetCookie(a.sessionCookie(c, "", -1))
	}
	return c.NoContent(http.StatusNoContent)
}

func (a *server) getMe(c echo.Context) error {
	return c.JSON(http.StatusOK, me(current(c)))
}

func me(p *principal) Me {
	m := Me{Auth: p.Via, Permissions: p.Permissions(), User: User{
		Id: p.User.ID, Email: p.User.Email, Name: p.User.Name, Role: Role(p.User.Role), Team: p.User.Team, Active: p.User.Active,
	}}
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

// changeMyPassword lets a logged-in person change its password. A wrong
// current password counts as a failed login for the rate limit.
func (a *server) changeMyPassword(c echo.Context) error {
	p := current(c)
	if p.Via != MeAuthSession {
		return errForbidden
	}
	var in ChangeMyPasswordJSONBody
	if err := c.Bind(&in); err != nil {
		return err
	}
	if !a.logins.allow(c.RealIP(), p.User.Email) {
		return errTooManyLogins
	}
	ctx := c.Request().Context()
	if _, err := a.store.Authenticate(ctx, p.User.Email, in.Current); errors.Is(err, store.ErrBadCredentials) {
		a.logins.failed(c.RealIP(), p.User.Email)
		return &fieldErrors{status: http.StatusUnprocessableEntity, detail: "the password was not changed",
			fields: []FieldError{{Field: "/current", Message: "not your current password"}}}
	} else if err != nil {
		return err
	}
	if err := a.store.SetPassword(ctx, p.User.Email, in.New, a.now()); err != nil {
		return err
	}
	if err := a.store.EndOtherSessions(ctx, p.User.ID, p.Token); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}
