package api

import (
	"context"
	"errors"
	"strings"

	"github.com/recoup/recoup/store"
)

// Audit actions the API records (the store records task, payment and
// definition actions itself).
const (
	actionLoginSucceeded = "auth.login.succeeded"
	actionLoginFailed    = "auth.login.failed"
	actionUserCreated    = "user.created"
	actionUserUpdated    = "user.updated"
	actionTokenCreated   = "token.created"
	actionTokenRevoked   = "token.revoked"
)

// audit appends rec to the audit log with the caller as its actor (unless
// rec names one), the request's id and the time.
func (a *server) audit(ctx context.Context, rec store.AuditRecord) error {
	cl := callerOf(ctx)
	if rec.Actor == "" && cl.p != nil {
		rec.Actor = cl.p.User.Email
	}
	if rec.RequestID == "" {
		rec.RequestID = cl.requestID
	}
	if rec.At.IsZero() {
		rec.At = a.now()
	}
	return a.store.AppendAudit(ctx, rec)
}

// userAudit is a user's audited fields; a user change records the ones
// that changed, before and after. Passwords are never recorded.
func userAudit(u store.User) map[string]any {
	return map[string]any{"email": u.Email, "name": u.Name, "role": u.Role, "team": u.Team, "active": u.Active, "language": u.Language}
}

// userChangeAudit is the audit entry of a change from before to after.
func userChangeAudit(before, after store.User, passwordChanged bool) store.AuditRecord {
	b, a := userAudit(before), userAudit(after)
	for k, v := range b {
		if a[k] == v {
			delete(a, k)
			delete(b, k)
		}
	}
	action := actionUserUpdated
	switch {
	case before.Active && !after.Active:
		action = "user.deactivated"
	case !before.Active && after.Active:
		action = "user.reactivated"
	}
	return store.AuditRecord{Action: action, Entity: "user", EntityID: after.ID, Before: b, After: a,
		Detail: map[string]any{"email": after.Email, "password_changed": passwordChanged}}
}

// auditLogin records a sign-in (err nil) or a refused one, with the
// address and browser it came from; never the password.
func (a *server) auditLogin(ctx context.Context, email string, u store.User, err error) error {
	cl := callerOf(ctx)
	rec := store.AuditRecord{Actor: strings.ToLower(strings.TrimSpace(email)), Action: actionLoginSucceeded, Entity: "user", EntityID: u.ID,
		Detail: map[string]any{"ip": cl.ip, "user_agent": cl.userAgent}}
	switch {
	case errors.Is(err, store.ErrBadCredentials):
		rec.Action, rec.EntityID = actionLoginFailed, 0
		rec.Detail = map[string]any{"ip": cl.ip, "user_agent": cl.userAgent, "reason": "bad credentials"}
	case err != nil:
		return nil // not an answer about the credentials
	}
	if rec.Actor == "" {
		rec.Actor = "anonymous"
	}
	return a.audit(ctx, rec)
}
