package api

import (
	"slices"

	"github.com/labstack/echo/v4"

	"github.com/recoup/recoup/store"
)

// rolePermissions is the role × permission table. Permissions (named in
// openapi.yaml) say what an endpoint does; an API token carries a subset of
// its user's as scopes. Rows (which invoices and tasks) are cut further by
// store.Viewer.
var rolePermissions = map[string][]Permission{
	store.RoleAdmin: {PermissionTasksRead, PermissionTasksWrite, PermissionApprovalsDecide, PermissionInvoicesRead, PermissionPaymentsWrite,
		PermissionDefinitionsRead, PermissionDefinitionsWrite, PermissionTokensAdmin, PermissionUsersAdmin, PermissionDashboardRead,
		PermissionTasksAssign, PermissionImportWrite, PermissionAuditRead, PermissionOutboxRead},
	store.RoleSalesRep: {PermissionTasksRead, PermissionTasksWrite, PermissionInvoicesRead},
	store.RoleSalesManager: {PermissionTasksRead, PermissionTasksWrite, PermissionTasksAssign, PermissionInvoicesRead, PermissionDefinitionsRead,
		PermissionDashboardRead},
	store.RoleFinance: {PermissionTasksRead, PermissionTasksWrite, PermissionInvoicesRead, PermissionPaymentsWrite, PermissionImportWrite,
		PermissionDefinitionsRead, PermissionDashboardRead, PermissionOutboxRead},
	store.RoleFinanceDirector: {PermissionTasksRead, PermissionTasksWrite, PermissionApprovalsDecide, PermissionTasksAssign, PermissionInvoicesRead,
		PermissionDefinitionsRead, PermissionDashboardRead, PermissionAuditRead, PermissionOutboxRead},
}

// principal is who makes a request.
type principal struct {
	User   store.User
	Via    MeAuth       // session or token
	CSRF   string       // the session's CSRF token
	Scopes []Permission // the token's scopes
	Token  string       // the session cookie value, for logout
}

// Viewer cuts rows to what the principal may see.
func (p *principal) Viewer() store.Viewer {
	return store.Viewer{UserID: p.User.ID, Role: p.User.Role, Team: p.User.Team}
}

// Permissions is what the principal may do: its role's, narrowed to a
// token's scopes.
func (p *principal) Permissions() []Permission {
	var out []Permission
	for _, perm := range rolePermissions[p.User.Role] {
		if p.Via == MeAuthSession || slices.Contains(p.Scopes, perm) {
			out = append(out, perm)
		}
	}
	return out
}

const principalKey = "recoup.principal"

// authorize is the one authorization check: the caller is authenticated,
// its role grants perm and, with a token, the token has perm as scope. Every
// API route but login and the spec passes through it (see route).
func authorize(c echo.Context, perm Permission) (*principal, error) {
	p, _ := c.Get(principalKey).(*principal)
	if p == nil {
		return nil, errUnauthenticated
	}
	if !slices.Contains(rolePermissions[p.User.Role], perm) {
		return nil, errForbidden
	}
	if p.Via == MeAuthToken && !slices.Contains(p.Scopes, perm) {
		return nil, scopeError{perm}
	}
	return p, nil
}

// require is authorize as route middleware.
func require(perm Permission) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			if _, err := authorize(c, perm); err != nil {
				return err
			}
			return next(c)
		}
	}
}

// requireLogin admits any authenticated caller (me, logout).
func requireLogin(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if p, _ := c.Get(principalKey).(*principal); p == nil {
			return errUnauthenticated
		}
		return next(c)
	}
}

func current(c echo.Context) *principal {
	p, _ := c.Get(principalKey).(*principal)
	return p
}
