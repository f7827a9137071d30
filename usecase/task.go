package usecase

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/recoup/recoup/engine"
	"github.com/recoup/recoup/store"
)

// KindApproval is the kind of a task that is an approval.
const KindApproval = "approval"

// ErrNotAssignable (a store error) is returned when a task cannot go to the
// user asked for.
var ErrNotAssignable = store.ErrNotAssignable

// TaskRef names a task by id (the API) or by key (the CLI).
type TaskRef struct {
	ID  int64
	Key string
}

func (r TaskRef) String() string {
	if r.Key != "" {
		return fmt.Sprintf("%q", r.Key)
	}
	return fmt.Sprint(r.ID)
}

// task is the task ref names, if the actor may see it.
func (s *Service) task(ctx context.Context, by Actor, ref TaskRef) (store.TaskDetail, error) {
	id := ref.ID
	if ref.Key != "" {
		var err error
		if id, err = s.store.TaskIDByKey(ctx, ref.Key); err != nil {
			return store.TaskDetail{}, err
		}
	}
	return s.store.VisibleTask(ctx, by.Viewer(), id, s.now())
}

// Completion is what completing a task did.
type Completion struct {
	Key string
	engine.BatchStats
}

// CompleteTask completes a task (an approval only for those who decide
// approvals) with the values of its form; the workflow advances at once.
// With approvalsOnly, any task that is not an approval is not found.
// Errors of the form's values are an engine.FormErrors, in locale.
func (s *Service) CompleteTask(ctx context.Context, by Actor, ref TaskRef, values map[string]any, locale string, approvalsOnly bool) (Completion, error) {
	need := TasksWrite
	if approvalsOnly {
		need = ApprovalsDecide // deciding is its own right (and a token's scope)
	}
	if err := by.person(need); err != nil {
		return Completion{}, err
	}
	t, err := s.task(ctx, by, ref)
	if err != nil {
		return Completion{}, err
	}
	if approvalsOnly && t.Kind != KindApproval {
		return Completion{}, fmt.Errorf("approval %s: %w", ref, store.ErrNotFound)
	}
	if t.Kind == KindApproval {
		if err := by.Authorize(ApprovalsDecide); err != nil {
			return Completion{}, err
		}
		if err := mayDecide(by, t, engine.ApprovalRouting{}); err != nil {
			return Completion{}, err
		}
		// A decision on a paused escalation (a disputed invoice, a legal
		// hold) would be recorded and then wait unseen: refuse it, saying why.
		paused, reason, err := s.store.TaskWorkflowPause(ctx, t.ID)
		if err != nil {
			return Completion{}, err
		}
		if paused {
			return Completion{}, fmt.Errorf("invoice %s: its escalation is paused (%s), so a decision would not take effect until it resumes; decide after the %s is cleared: %w",
				t.Invoice, cmp.Or(reason, "paused"), cmp.Or(reason, "pause"), store.ErrConflict)
		}
	}
	clk, err := s.Clock(ctx)
	if err != nil {
		return Completion{}, err
	}
	b, err := s.Bundle(ctx)
	if err != nil {
		return Completion{}, err
	}
	if values == nil {
		values = map[string]any{}
	}
	if locale == "" {
		locale = "en"
	}
	// the values may need a higher approver (the approval's routes)
	allow := func(ref engine.TaskRef) error {
		if t.Kind != KindApproval {
			return nil
		}
		return mayDecide(by, t, ref.Routing)
	}
	st, err := engine.CompleteTaskIf(ctx, b, s.store, t.Key, values, by.Name(), clk, locale, allow)
	if err != nil {
		return Completion{}, err
	}
	s.recordOutcome(ctx, b, by, t, values, clk, locale) // case_outcomes.go: a dispute, a promise, a legal case
	return Completion{Key: t.Key, BatchStats: st}, nil
}

// CandidateRoles are the roles whose users may do task t: an approval's
// deciders (the roles with approvals:decide that decide for its role,
// approver.go); a task's role; for a task given to a person, that person's
// role. rule says it in words, for a refusal.
func CandidateRoles(t store.TaskDetail, assigneeRole string) (roles []string, rule string) {
	if t.Kind == KindApproval {
		for _, r := range []string{store.RoleFinanceDirector, store.RoleAdmin, store.RoleFinance, store.RoleSalesManager, store.RoleSalesRep} {
			if decidesFor(r, t.Role) {
				roles = append(roles, r)
			}
		}
		return roles, fmt.Sprintf("an approval for %s goes only to a user whose role may decide it (%s)", cmp.Or(t.Role, "no role"), strings.Join(roles, ", "))
	}
	if t.Role != "" {
		return []string{t.Role}, fmt.Sprintf("the task is for the role %s", t.Role)
	}
	if assigneeRole != "" {
		return []string{assigneeRole}, fmt.Sprintf("the task goes only to a user of its assignee's role, %s", assigneeRole)
	}
	return nil, "the task has no role and no assignee to take one from"
}

// notAssignable is a refused reassignment, in words; it is a
// store.ErrNotAssignable.
type notAssignable struct{ msg string }

func (e notAssignable) Error() string { return e.msg }
func (e notAssignable) Unwrap() error { return store.ErrNotAssignable }

// Assignees lists the active users who may do the task and whom the actor
// may give it to: a manager only within its team.
func (s *Service) Assignees(ctx context.Context, by Actor, ref TaskRef) ([]store.User, error) {
	if err := by.Authorize(TasksAssign); err != nil {
		return nil, err
	}
	t, err := s.task(ctx, by, ref)
	if err != nil {
		return nil, err
	}
	users, _, err := s.assignees(ctx, by.Viewer(), t)
	return users, err
}

func (s *Service) assignees(ctx context.Context, v store.Viewer, t store.TaskDetail) ([]store.User, string, error) {
	var assigneeRole string
	if t.Assignee != "" {
		u, err := s.store.UserByEmail(ctx, t.Assignee)
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			return nil, "", err
		}
		assigneeRole = u.Role
	}
	roles, rule := CandidateRoles(t, assigneeRole)
	users, err := s.store.UsersWithRoles(ctx, roles)
	if err != nil {
		return nil, "", err
	}
	if v.Role == store.RoleSalesManager {
		users = slices.DeleteFunc(users, func(u store.User) bool { return v.Team == "" || u.Team != v.Team })
	}
	return users, rule, nil
}

// Reassign gives an open task to another active user who may do it (for an
// approval: one who decides approvals), within the actor's team for a sales
// manager. It returns the task's id. Refusals wrap ErrNotAssignable.
func (s *Service) Reassign(ctx context.Context, by Actor, ref TaskRef, email, reason string) (int64, error) {
	if err := by.Authorize(TasksAssign); err != nil {
		return 0, err
	}
	t, err := s.task(ctx, by, ref)
	if err != nil {
		return 0, err
	}
	v := by.Viewer()
	// The store refuses unknown and inactive users and, for a manager,
	// users of other teams; then the user must be able to do the task.
	to, err := s.store.UserByEmail(ctx, email)
	if err == nil && to.Active && (v.Role != store.RoleSalesManager || to.Team == v.Team) {
		users, rule, err := s.assignees(ctx, v, t)
		if err != nil {
			return 0, err
		}
		if !slices.ContainsFunc(users, func(u store.User) bool { return u.ID == to.ID }) {
			return 0, notAssignable{fmt.Sprintf("user %q (%s) may not do this task: %s", to.Email, to.Role, rule)}
		}
	}
	if err := s.store.ReassignTask(ctx, v, t.ID, email, by.Name(), reason, s.now()); err != nil {
		return 0, err
	}
	return t.ID, nil
}

// Claim gives a role task to the actor when its role is the actor's (an
// admin may claim any); a conflict when someone already has it. It returns
// the task's id.
func (s *Service) Claim(ctx context.Context, by Actor, ref TaskRef) (int64, error) {
	if err := by.person(TasksWrite); err != nil {
		return 0, err
	}
	t, err := s.task(ctx, by, ref)
	if err != nil {
		return 0, err
	}
	if t.Status == "open" && t.Assignee != "" {
		return 0, fmt.Errorf("task %d is already assigned to %s: %w", t.ID, t.Assignee, store.ErrConflict)
	}
	if t.Kind == KindApproval {
		if err := by.Authorize(ApprovalsDecide); err != nil {
			return 0, err
		}
	}
	if roles, _ := CandidateRoles(t, ""); !slices.Contains(roles, by.User.Role) && by.User.Role != store.RoleAdmin {
		return 0, fmt.Errorf("task %d is for role %s: %w", t.ID, t.Role, ErrForbidden)
	}
	return t.ID, s.store.ClaimTask(ctx, t.ID, by.User.Email, s.now())
}

// Comment adds a comment to a task the actor may see.
func (s *Service) Comment(ctx context.Context, by Actor, ref TaskRef, text string) (store.Activity, error) {
	if err := by.person(TasksWrite); err != nil {
		return store.Activity{}, err
	}
	t, err := s.task(ctx, by, ref)
	if err != nil {
		return store.Activity{}, err
	}
	return s.store.CommentTask(ctx, t.ID, by.Name(), text, s.now())
}

// ListTasks is one page of the tasks the actor may see, by f (Now and the
// day's bounds are the company's now). Counts are added when asked for.
func (s *Service) ListTasks(ctx context.Context, by Actor, f store.InboxFilter, counts bool) (store.TaskPage, error) {
	need := TasksRead
	if f.Kind == KindApproval {
		need = ApprovalsDecide // the approvals list is the deciders'
	}
	if err := by.Authorize(need); err != nil {
		return store.TaskPage{}, err
	}
	clk, err := s.Clock(ctx)
	if err != nil {
		return store.TaskPage{}, err
	}
	y, m, d := clk.Now.Date()
	f.Now = clk.Now
	f.StartOfDay, f.EndOfDay = time.Date(y, m, d, 0, 0, 0, 0, clk.Location), time.Date(y, m, d+1, 0, 0, 0, 0, clk.Location)
	v := by.Viewer()
	page, err := s.store.InboxPage(ctx, v, f)
	if err != nil || !counts {
		return page, err
	}
	c, err := s.store.CountInbox(ctx, v, f)
	if err != nil {
		return page, err
	}
	page.Counts = &c
	return page, nil
}
