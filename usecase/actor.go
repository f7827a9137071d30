// Package usecase holds one function per thing a person or a system does
// to recoup's data: record a payment, complete a task or decide an
// approval, reassign, claim, comment, import, draft, publish, roll back,
// simulate, preview. Each takes the acting user, checks its role and the
// rows it may touch itself, and is called alike by the HTTP API and the
// command line, so the two cannot drift apart.
package usecase

import (
	"errors"
	"fmt"
	"slices"

	"github.com/recoup/recoup/store"
)

// Permission names what an operation does (the names are openapi.yaml's
// Permission enum). A role grants a set of them; an API token carries a
// subset of its user's as scopes.
type Permission string

// The permissions.
const (
	TasksRead          Permission = "tasks:read"
	TasksWrite         Permission = "tasks:write"
	TasksAssign        Permission = "tasks:assign"
	ApprovalsDecide    Permission = "approvals:decide"
	InvoicesRead       Permission = "invoices:read"
	PaymentsWrite      Permission = "payments:write"
	DefinitionsRead    Permission = "definitions:read"
	DefinitionsWrite   Permission = "definitions:write"
	TokensAdmin        Permission = "tokens:admin"
	UsersAdmin         Permission = "users:admin"
	DashboardRead      Permission = "dashboard:read"
	ImportWrite        Permission = "import:write"
	AuditRead          Permission = "audit:read"
	OutboxRead         Permission = "outbox:read"
	NotificationsRead  Permission = "notifications:read"
	NotificationsWrite Permission = "notifications:write"
	AdjustmentsWrite   Permission = "adjustments:write"
	PlansWrite         Permission = "plans:write"
	CasesWrite         Permission = "cases:write"    // open a dispute, record or cancel a promise to pay
	CasesDecide        Permission = "cases:decide"   // resolve a dispute, open and close a legal case, place and release a hold
	SettingsAdmin      Permission = "settings:admin" // change the company's lists: its dispute reasons
)

// RolePermissions is the role × permission table. Rows (which invoices and
// tasks) are cut further by store.Viewer.
var RolePermissions = map[string][]Permission{
	store.RoleAdmin: {TasksRead, TasksWrite, ApprovalsDecide, InvoicesRead, PaymentsWrite, DefinitionsRead, DefinitionsWrite,
		TokensAdmin, UsersAdmin, DashboardRead, TasksAssign, ImportWrite, AuditRead, OutboxRead, NotificationsRead, NotificationsWrite,
		AdjustmentsWrite, PlansWrite, CasesWrite, CasesDecide, SettingsAdmin},
	store.RoleSalesRep: {TasksRead, TasksWrite, InvoicesRead, NotificationsRead, NotificationsWrite, CasesWrite},
	store.RoleSalesManager: {TasksRead, TasksWrite, TasksAssign, InvoicesRead, DefinitionsRead, DashboardRead, NotificationsRead, NotificationsWrite,
		CasesWrite},
	store.RoleFinance: {TasksRead, TasksWrite, ApprovalsDecide, InvoicesRead, PaymentsWrite, ImportWrite, DefinitionsRead, DashboardRead,
		OutboxRead, NotificationsRead, NotificationsWrite, AdjustmentsWrite, PlansWrite, CasesWrite, CasesDecide},
	store.RoleFinanceDirector: {TasksRead, TasksWrite, ApprovalsDecide, TasksAssign, InvoicesRead, DefinitionsRead,
		DashboardRead, AuditRead, OutboxRead, NotificationsRead, NotificationsWrite, AdjustmentsWrite, PlansWrite, CasesWrite, CasesDecide},
}

// Errors of the access check.
var (
	ErrUnauthenticated = errors.New("authentication required: log in or send an API token")
	ErrForbidden       = errors.New("your role may not do this")
)

// ScopeError is an API token lacking the scope an operation needs.
type ScopeError struct{ Perm Permission }

func (e ScopeError) Error() string { return fmt.Sprintf("the API token lacks the scope %q", e.Perm) }

// Via is how an actor reached recoup.
type Via string

// The ways in.
const (
	ViaSession Via = "session" // the web app
	ViaToken   Via = "token"   // an API token: only its scopes
	ViaCLI     Via = "cli"     // the command line, --as a user
	ViaSystem  Via = "system"  // the command line with no --as: the operator who holds the database
)

// Actor is who does a use case: a user, through a session, a token (with
// its scopes) or the command line; or the operator (ViaSystem), who runs
// the command line against the database with no user (setting up, the
// first import of users) and passes every check.
type Actor struct {
	User      store.User
	Via       Via
	Scopes    []Permission // a token's
	RequestID string       // the API request, for the audit
	Label     string       // the operator's command (ViaSystem), e.g. "demo"
}

// System is the operator at the command line running command (e.g.
// "apply", "demo"; "" is "cli").
func System(command string) Actor {
	if command == "" {
		command = "cli"
	}
	return Actor{Via: ViaSystem, Label: command}
}

// Name is the actor as the audit and the tasks record it.
func (a Actor) Name() string {
	if a.Via == ViaSystem {
		return a.Label
	}
	return a.User.Email
}

// Viewer cuts rows to what the actor may see; the operator sees all.
func (a Actor) Viewer() store.Viewer {
	if a.Via == ViaSystem {
		return store.Viewer{Role: store.RoleAdmin}
	}
	return store.Viewer{UserID: a.User.ID, Role: a.User.Role, Team: a.User.Team}
}

// Permissions is what the actor may do: its role's, narrowed to a token's
// scopes.
func (a Actor) Permissions() []Permission {
	var out []Permission
	for _, p := range RolePermissions[a.User.Role] {
		if a.Via != ViaToken || slices.Contains(a.Scopes, p) {
			out = append(out, p)
		}
	}
	return out
}

// Authorize is the one authorization check: the actor's role grants perm
// and, with a token, the token has perm as scope.
func (a Actor) Authorize(perm Permission) error {
	switch {
	case a.Via == ViaSystem:
		return nil
	case a.Via == "" || a.User.ID == 0 && a.User.Email == "":
		return ErrUnauthenticated
	case !a.User.Active:
		return ErrUnauthenticated
	case !slices.Contains(RolePermissions[a.User.Role], perm):
		return fmt.Errorf("%s (%s) may not use %s: %w", a.User.Email, a.User.Role, perm, ErrForbidden)
	case a.Via == ViaToken && !slices.Contains(a.Scopes, perm):
		return ScopeError{perm}
	}
	return nil
}

// ErrNeedsUser is a use case that records a person's act (completing,
// claiming, commenting) asked for by the operator with no user.
var ErrNeedsUser = errors.New("this is done by a person: give --as EMAIL")

// person is Authorize for the acts that only a person does.
func (a Actor) person(perm Permission) error {
	if a.Via == ViaSystem {
		return ErrNeedsUser
	}
	return a.Authorize(perm)
}
