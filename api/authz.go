package api

import (
	"context"
	"fmt"
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

// operation is how the API serves one operation of openapi.yaml: who may
// call it, and whether its body is streamed.
type operation struct {
	perm   Permission // the permission it needs; "" with public false: any logged-in caller
	public bool       // no login needed (login itself)
	stream bool       // a large body streamed to the handler (imports): a larger size limit, and only parameters are validated
}

// operations is every operation of openapi.yaml, by operationId. An
// operation missing here is refused to everyone (see guard);
// TestEveryOperationGuarded proves none is.
var operations = map[string]operation{
	"login":                {public: true},
	"logout":               {},
	"getMe":                {},
	"updateMe":             {},
	"changeMyPassword":     {},
	"listTasks":            {perm: PermissionTasksRead},
	"getTask":              {perm: PermissionTasksRead},
	"completeTask":         {perm: PermissionTasksWrite}, // an approval also needs approvals:decide
	"reassignTask":         {perm: PermissionTasksAssign},
	"commentTask":          {perm: PermissionTasksWrite},
	"claimTask":            {perm: PermissionTasksWrite}, // a role task of the caller's role; an approval also needs approvals:decide
	"listTaskAssignees":    {perm: PermissionTasksAssign},
	"listNotifications":    {},
	"markNotificationRead": {},
	"readAllNotifications": {},
	"getOutbox":            {perm: PermissionOutboxRead},
	"searchAudit":          {perm: PermissionAuditRead},
	"exportAudit":          {perm: PermissionAuditRead},
	"importRecords":        {perm: PermissionImportWrite, stream: true}, // users also need users:admin
	"listCustomers":        {perm: PermissionInvoicesRead},
	"getCustomer":          {perm: PermissionInvoicesRead},
	"listInvoices":         {perm: PermissionInvoicesRead},
	"getInvoice":           {perm: PermissionInvoicesRead},
	"listPayments":         {perm: PermissionInvoicesRead},
	"recordPayment":        {perm: PermissionPaymentsWrite},
	"listDefinitions":      {perm: PermissionDefinitionsRead},
	"getDefinition":        {perm: PermissionDefinitionsRead},
	"getDefinitionHistory": {perm: PermissionDefinitionsRead},
	"diffDefinition":       {perm: PermissionDefinitionsRead},
	"createDrafts":         {perm: PermissionDefinitionsWrite},
	"publishDefinition":    {perm: PermissionDefinitionsWrite},
	"rollbackDefinition":   {perm: PermissionDefinitionsWrite},
	"previewDefinition":    {perm: PermissionDefinitionsWrite},
	"simulate":             {perm: PermissionDefinitionsRead},
	"listApprovals":        {perm: PermissionApprovalsDecide},
	"decideApproval":       {perm: PermissionApprovalsDecide},
	"getDashboard":         {perm: PermissionDashboardRead},
	"listUsers":            {perm: PermissionUsersAdmin},
	"createUser":           {perm: PermissionUsersAdmin},
	"updateUser":           {perm: PermissionUsersAdmin},
	"listTokens":           {perm: PermissionTokensAdmin},
	"createToken":          {perm: PermissionTokensAdmin},
	"revokeToken":          {perm: PermissionTokensAdmin},
}

// guard is the access check of the operation with operationId id, as
// route middleware: nothing for a public operation, a login for one
// without a permission, authorize for the others. It fails closed: an
// operation missing from operations is refused (a 500, logged: a defect).
func guard(id string) echo.MiddlewareFunc {
	op, ok := operations[id]
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		switch {
		case !ok:
			return func(echo.Context) error {
				return fmt.Errorf("operation %q is not in api.operations: refused", id)
			}
		case op.public:
			return next
		case op.perm == "":
			return func(c echo.Context) error {
				if current(c) == nil {
					return errUnauthenticated
				}
				return next(c)
			}
		default:
			return func(c echo.Context) error {
				if _, err := authorize(current(c), op.perm); err != nil {
					return err
				}
				return next(c)
			}
		}
	}
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

// authorize is the one authorization check: the caller is authenticated,
// its role grants perm and, with a token, the token has perm as scope. Every
// API operation but login passes through it or a login check (see guard);
// handlers call it again for what depends on the row (an approval, a users
// import).
func authorize(p *principal, perm Permission) (*principal, error) {
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

const principalKey = "recoup.principal"

// current is the request's principal, nil when anonymous.
func current(c echo.Context) *principal {
	p, _ := c.Get(principalKey).(*principal)
	return p
}

// caller is what a handler knows of its request beyond the typed request
// object: who sends it, from where and under which request id. identify
// puts it in the request's context.
type caller struct {
	p         *principal // nil: anonymous
	ip        string     // the client's address (see Options.TrustProxyHeaders)
	userAgent string
	tls       bool
	requestID string
}

type callerKey struct{}

// callerOf returns the caller identify put in ctx (an anonymous one if
// none).
func callerOf(ctx context.Context) *caller {
	if c, ok := ctx.Value(callerKey{}).(*caller); ok {
		return c
	}
	return &caller{}
}

// principalOf is the principal of the request with context ctx, nil when
// anonymous. The operation's guard let it through, so a handler of an
// operation that needs a login always gets one.
func principalOf(ctx context.Context) *principal {
	return callerOf(ctx).p
}
