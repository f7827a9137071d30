package api

import (
	"context"
	"crypto/subtle"
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

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
		cl := &caller{p: p, ip: c.RealIP(), userAgent: req.UserAgent(), tls: c.IsTLS(), requestID: c.Response().Header().Get(echo.HeaderXRequestID),
			acceptLanguage: req.Header.Get("Accept-Language")}
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
		// expired or revoked: a 401 that says so (see toProblem)
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
	email := strings.ToLower(strings.TrimSpace(in.Email))
	if wait := a.logins.wait(cl.ip, email, a.now()); wait > 0 {
		return nil, lockedOut{wait}
	}
	u, err := a.store.Authenticate(ctx, in.Email, in.Password)
	if errors.Is(err, store.ErrBadCredentials) {
		if lerr := a.loginFailed(ctx, cl, email); lerr != nil {
			return nil, lerr
		}
	}
	if aerr := a.auditLogin(ctx, in.Email, u, err); aerr != nil {
		return nil, aerr
	}
	if err != nil {
		return nil, err
	}
	a.logins.succeeded(cl.ip, email)
	now := a.now()
	sess, err := a.store.CreateSession(ctx, u.ID, a.sessionTTL, cl.ip, cl.userAgent, now)
	if err != nil {
		return nil, err
	}
	p := &principal{User: u, Via: MeAuthSession, CSRF: sess.CSRFToken}
	return Login200JSONResponse{Body: me(p),
		Headers: Login200ResponseHeaders{SetCookie: a.sessionCookie(cl.tls, sess.Token, sess.ExpiresAt.Sub(now)).String()}}, nil
}

// Logout ends a session and clears its cookie. Only sessions reach it
// (guard): a token is ended by revoking it.
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

// loginFailed counts a failed login of email from the caller's address
// and, when it locks the pair, records the lockout in the audit.
func (a *server) loginFailed(ctx context.Context, cl *caller, email string) error {
	now := a.now()
	wait, failures := a.logins.failed(cl.ip, email, now)
	if wait == 0 {
		return nil
	}
	return a.store.AppendAudit(ctx, store.AuditRecord{At: now, Actor: email, Action: "auth.locked", RequestID: cl.requestID,
		Detail: map[string]any{"address": cl.ip, "failures": failures, "locked_seconds": lockedOut{wait}.retryAfter(),
			"until": now.Add(wait).UTC().Format(time.RFC3339)}})
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
	if wait := a.logins.wait(cl.ip, p.User.Email, a.now()); wait > 0 {
		return nil, lockedOut{wait}
	}
	if _, err := a.store.Authenticate(ctx, p.User.Email, in.Current); errors.Is(err, store.ErrBadCredentials) {
		if lerr := a.loginFailed(ctx, cl, p.User.Email); lerr != nil {
			return nil, lerr
		}
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
