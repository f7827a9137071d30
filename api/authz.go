package api

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/recoup/recoup/store"
	"github.com/recoup/recoup/usecase"
)

// rolePermissions is the role × permission table of the use cases
// (usecase.RolePermissions) in the API's Permission type. Rows (which
// invoices and tasks) are cut further by store.Viewer.
var rolePermissions = func() map[string][]Permission {
	out := map[string][]Permission{}
	for role, perms := range usecase.RolePermissions {
		for _, p := range perms {
			out[role] = append(out[role], Permission(p))
		}
	}
	return out
}()

// operation is how the API serves one operation of openapi.yaml: who may
// call it, and whether its body is streamed. Each operation has exactly
// one of perm, public, self and session (TestEveryOperationGuarded): every
// endpoint an API token can reach belongs to a scope.
type operation struct {
	perm    Permission // the permission it needs, and a token's scope
	public  bool       // no login needed (login itself)
	self    bool       // any logged-in caller, token or session, needs no scope: only whoami (getMe), which shows a token its own scopes
	session bool       // a person's browser session only (its own preferences, password, logout): a token gets 403
	stream  bool       // a large body streamed to the handler (imports): a larger size limit, and only parameters are validated
}

// operations is every operation of openapi.yaml, by operationId. An
// operation missing here, or with no access kind, is refused to everyone
// (see guard); TestEveryOperationGuarded proves none is.
var operations = map[string]operation{
	"login":                {public: true},
	"logout":               {session: true},
	"getMe":                {self: true},
	"updateMe":             {session: true},
	"changeMyPassword":     {session: true},
	"listTasks":            {perm: PermissionTasksRead},
	"getTask":              {perm: PermissionTasksRead},
	"completeTask":         {perm: PermissionTasksWrite}, // an approval also needs approvals:decide
	"reassignTask":         {perm: PermissionTasksAssign},
	"commentTask":          {perm: PermissionTasksWrite},
	"claimTask":            {perm: PermissionTasksWrite}, // a role task of the caller's role; an approval also needs approvals:decide
	"listTaskAssignees":    {perm: PermissionTasksAssign},
	"listNotifications":    {perm: PermissionNotificationsRead},
	"markNotificationRead": {perm: PermissionNotificationsWrite},
	"readAllNotifications": {perm: PermissionNotificationsWrite},
	"getOutbox":            {perm: PermissionOutboxRead},
	"searchAudit":          {perm: PermissionAuditRead},
	"exportAudit":          {perm: PermissionAuditRead},
	"importRecords":        {perm: PermissionImportWrite, stream: true}, // users also need users:admin
	"listCustomers":        {perm: PermissionInvoicesRead},
	"getCustomer":          {perm: PermissionInvoicesRead},
	"getCustomerContacts":  {perm: PermissionInvoicesRead},
	"editCustomerContacts": {perm: PermissionTasksWrite}, // usecase/customer.go: the customer must be the caller's to see
	"setDoNotContact":      {perm: PermissionTasksWrite},
	"setCustomerRisk":      {perm: PermissionTasksWrite}, // and a manager's, finance's, the director's or an admin's role
	"createTask":           {perm: PermissionTasksWrite},
	"listInvoices":         {perm: PermissionInvoicesRead},
	"getInvoice":           {perm: PermissionInvoicesRead},
	"listPayments":         {perm: PermissionInvoicesRead},
	"recordPayment":        {perm: PermissionPaymentsWrite},
	"reversePayment":       {perm: PermissionPaymentsWrite},
	"recordAdjustment":     {perm: PermissionAdjustmentsWrite}, // a write-off also needs the finance director's or admin's role
	"createPlan":           {perm: PermissionPlansWrite},
	"cancelPlan":           {perm: PermissionPlansWrite},
	"getPlan":              {perm: PermissionInvoicesRead},
	"previewPlan":          {perm: PermissionInvoicesRead},
	"listDisputeReasons":   {perm: PermissionInvoicesRead},
	"addDisputeReason":     {perm: PermissionSettingsAdmin},
	"updateDisputeReason":  {perm: PermissionSettingsAdmin},
	"retireDisputeReason":  {perm: PermissionSettingsAdmin},
	"openDispute":          {perm: PermissionCasesWrite},
	"resolveDispute":       {perm: PermissionCasesDecide},
	"recordPromise":        {perm: PermissionCasesWrite},
	"cancelPromise":        {perm: PermissionCasesWrite},
	"openLegalCase":        {perm: PermissionCasesDecide},
	"closeLegalCase":       {perm: PermissionCasesDecide},
	"placeHold":            {perm: PermissionCasesDecide},
	"releaseHold":          {perm: PermissionCasesDecide},
	"listDefinitions":      {perm: PermissionDefinitionsRead},
	"getDefinition":        {perm: PermissionDefinitionsRead},
	"getDefinitionHistory": {perm: PermissionDefinitionsRead},
	"diffDefinition":       {perm: PermissionDefinitionsRead},
	"createDrafts":         {perm: PermissionDefinitionsWrite},
	"publishDefinition":    {perm: PermissionDefinitionsWrite},
	"rollbackDefinition":   {perm: PermissionDefinitionsWrite},
	"previewDefinition":    {perm: PermissionDefinitionsWrite},
	"definitionCatalog":    {perm: PermissionDefinitionsRead},
	"definitionLanguage":   {perm: PermissionDefinitionsRead}, // static: the schemas and the expression environment
	"validateDefinition":   {perm: PermissionDefinitionsRead},
	"saveDraft":            {perm: PermissionDefinitionsWrite},
	"runDefinitionTests":   {perm: PermissionDefinitionsWrite},
	"tryRule":              {perm: PermissionDefinitionsWrite},
	"renderTemplate":       {perm: PermissionDefinitionsWrite},
	"renderLetter":         {perm: PermissionDefinitionsWrite},
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
// route middleware: nothing for a public operation, authorize for one
// with a permission, a login for self, a session for session. It fails
// closed: an operation missing from operations, or with none of these, is
// refused (a 500, logged: a defect).
func guard(id string) echo.MiddlewareFunc {
	op, ok := operations[id]
	return access(id, op, ok)
}

// access is guard for operation op (ok false: not in the table).
func access(id string, op operation, ok bool) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		switch {
		case !ok:
			return func(echo.Context) error {
				return fmt.Errorf("operation %q is not in api.operations: refused", id)
			}
		case op.public:
			return next
		case op.perm != "":
			return func(c echo.Context) error {
				if _, err := authorize(current(c), op.perm); err != nil {
					return err
				}
				return next(c)
			}
		case op.self:
			return func(c echo.Context) error {
				if current(c) == nil {
					return errUnauthenticated
				}
				return next(c)
			}
		case op.session:
			return func(c echo.Context) error {
				p := current(c)
				if p == nil {
					return errUnauthenticated
				}
				if p.Via != MeAuthSession {
					return errSessionOnly
				}
				return next(c)
			}
		default:
			return func(echo.Context) error {
				return fmt.Errorf("operation %q has no access in api.operations (perm, self or session): refused", id)
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

// authorize is the operation's authorization check, the use cases' one
// (usecase.Actor.Authorize): the caller is authenticated, its role grants
// perm and, with a token, the token has perm as scope. Every API operation
// but login passes through it or a login check (see guard); the use cases
// check again what depends on the row (an approval, a users import).
func authorize(p *principal, perm Permission) (*principal, error) {
	if p == nil {
		return nil, errUnauthenticated
	}
	if err := p.actor("").Authorize(usecase.Permission(perm)); err != nil {
		return nil, err
	}
	return p, nil
}

// actor is the principal as the use cases know it.
func (p *principal) actor(requestID string) usecase.Actor {
	if p == nil {
		return usecase.Actor{}
	}
	a := usecase.Actor{User: p.User, Via: usecase.ViaSession, RequestID: requestID}
	if p.Via == MeAuthToken {
		a.Via = usecase.ViaToken
		for _, s := range p.Scopes {
			a.Scopes = append(a.Scopes, usecase.Permission(s))
		}
	}
	return a
}

// actorOf is the request's caller as the use cases know it.
func actorOf(ctx context.Context) usecase.Actor {
	c := callerOf(ctx)
	return c.p.actor(c.requestID)
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
	// acceptLanguage is the request's Accept-Language: the language of a
	// user who follows the browser's.
	acceptLanguage string
}

// language is the caller's language: the user's choice, else the
// browser's (zh… is zh-CN), else English.
func (c *caller) language() string {
	if c.p != nil && c.p.User.Language != "" {
		return c.p.User.Language
	}
	if strings.HasPrefix(strings.ToLower(strings.TrimSpace(c.acceptLanguage)), "zh") {
		return "zh-CN"
	}
	return "en"
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
