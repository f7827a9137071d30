package usecase

import (
	"errors"
	"testing"

	"github.com/recoup/recoup/store"
)

// TestAuthorize is the one access check of every use case, for each way
// in: the operator passes, a person has its role's rights, a token only
// its scopes, a deactivated or anonymous actor nothing.
func TestAuthorize(t *testing.T) {
	rep := store.User{ID: 1, Email: "rep@x.test", Role: store.RoleSalesRep, Active: true}
	director := store.User{ID: 2, Email: "dir@x.test", Role: store.RoleFinanceDirector, Active: true}
	gone := store.User{ID: 3, Email: "gone@x.test", Role: store.RoleAdmin}
	for _, c := range []struct {
		name string
		by   Actor
		perm Permission
		want error // nil, ErrForbidden, ErrUnauthenticated or a ScopeError
	}{
		{"operator", System("apply"), DefinitionsWrite, nil},
		{"rep completes a task", Actor{User: rep, Via: ViaCLI}, TasksWrite, nil},
		{"rep decides an approval", Actor{User: rep, Via: ViaCLI}, ApprovalsDecide, ErrForbidden},
		{"rep records a payment", Actor{User: rep, Via: ViaSession}, PaymentsWrite, ErrForbidden},
		{"director decides", Actor{User: director, Via: ViaSession}, ApprovalsDecide, nil},
		{"director's token without the scope", Actor{User: director, Via: ViaToken, Scopes: []Permission{TasksRead}}, ApprovalsDecide, ScopeError{ApprovalsDecide}},
		{"director's token with it", Actor{User: director, Via: ViaToken, Scopes: []Permission{ApprovalsDecide}}, ApprovalsDecide, nil},
		{"a token cannot exceed its role", Actor{User: rep, Via: ViaToken, Scopes: []Permission{PaymentsWrite}}, PaymentsWrite, ErrForbidden},
		{"deactivated admin", Actor{User: gone, Via: ViaCLI}, TasksRead, ErrUnauthenticated},
		{"nobody", Actor{}, TasksRead, ErrUnauthenticated},
	} {
		err := c.by.Authorize(c.perm)
		var se ScopeError
		switch want := c.want.(type) {
		case nil:
			if err != nil {
				t.Errorf("%s: %v, want allowed", c.name, err)
			}
		case ScopeError:
			if !errors.As(err, &se) || se != want {
				t.Errorf("%s: %v, want %v", c.name, err, want)
			}
		default:
			if !errors.Is(err, want) {
				t.Errorf("%s: %v, want %v", c.name, err, want)
			}
		}
	}
	if err := System("").person(TasksWrite); !errors.Is(err, ErrNeedsUser) {
		t.Errorf("the operator completing a task: %v, want ErrNeedsUser", err)
	}
	if n := System("").Name(); n != "cli" {
		t.Errorf("operator's name %q", n)
	}
}
