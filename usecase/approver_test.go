package usecase

import (
	"errors"
	"slices"
	"testing"

	"github.com/recoup/recoup/engine"
	"github.com/recoup/recoup/store"
)

// TestApprover: who decides an approval, for the role it is for and the
// role its routes chose for the values, in the one check completing,
// reassigning and claiming share.
func TestApprover(t *testing.T) {
	t.Parallel()
	user := func(role string) Actor {
		return Actor{User: store.User{ID: 1, Email: role + "@x.test", Role: role, Active: true}, Via: ViaSession}
	}
	approval := func(role string) store.TaskDetail {
		return store.TaskDetail{InboxTask: store.InboxTask{ID: 42, Kind: KindApproval, Role: role}}
	}
	director := engine.ApprovalRouting{Role: engine.RoleFinanceDirector, Route: 2, When: "form.write_off_amount > 100000"}
	for _, c := range []struct {
		name    string
		by      Actor
		forRole string
		routing engine.ApprovalRouting
		want    string
	}{
		{"finance decides finance's", user(store.RoleFinance), store.RoleFinance, engine.ApprovalRouting{Role: engine.RoleFinance}, ""},
		{"not with values that are the director's", user(store.RoleFinance), store.RoleFinance, director,
			"finance@x.test (finance) may not decide approval 42: a decision with these values is for finance_director (route 2: form.write_off_amount > 100000): your role may not do this"},
		{"nor the director's", user(store.RoleFinance), store.RoleFinanceDirector, engine.ApprovalRouting{},
			"finance@x.test (finance) may not decide approval 42: the approval is for finance_director: your role may not do this"},
		{"the director decides finance's", user(store.RoleFinanceDirector), store.RoleFinance, director, ""},
		{"an admin any", user(store.RoleAdmin), store.RoleAdmin, director, ""},
		{"the operator passes", System("demo"), store.RoleAdmin, director, ""},
	} {
		got := ""
		if err := mayDecide(c.by, approval(c.forRole), c.routing); err != nil {
			got = err.Error()
			if !errors.Is(err, ErrForbidden) {
				t.Errorf("%s: %v is not ErrForbidden", c.name, err)
			}
		}
		if got != c.want {
			t.Errorf("%s:\n got %q\nwant %q", c.name, got, c.want)
		}
	}
	for _, c := range []struct {
		role string
		want []string
	}{
		{store.RoleFinance, []string{store.RoleFinanceDirector, store.RoleAdmin, store.RoleFinance}},
		{store.RoleFinanceDirector, []string{store.RoleFinanceDirector, store.RoleAdmin}},
		{store.RoleSalesManager, []string{store.RoleFinanceDirector, store.RoleAdmin}}, // managers do not decide approvals
		{store.RoleAdmin, []string{store.RoleAdmin}},
	} {
		if got, _ := CandidateRoles(approval(c.role), ""); !slices.Equal(got, c.want) {
			t.Errorf("an approval for %s goes to %v, want %v", c.role, got, c.want)
		}
	}
}
