package api

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/recoup/recoup/calendar"
	"github.com/recoup/recoup/engine"
	"github.com/recoup/recoup/store"
)

// taskKindApproval is the kind of a task that is an approval (a Task's
// kind in openapi.yaml).
const taskKindApproval = "approval"

// taskPage lists the page of tasks f selects among those the caller may
// see, with their counts when asked for, and each task's stage title.
func (a *server) taskPage(ctx context.Context, f store.InboxFilter, counts bool) (store.TaskPage, error) {
	v := principalOf(ctx).Viewer()
	clk, err := a.clock(ctx)
	if err != nil {
		return store.TaskPage{}, err
	}
	y, m, d := clk.Now.Date()
	f.Now = clk.Now
	f.StartOfDay, f.EndOfDay = time.Date(y, m, d, 0, 0, 0, 0, clk.Location), time.Date(y, m, d+1, 0, 0, 0, 0, clk.Location)
	page, err := a.store.InboxPage(ctx, v, f)
	if err != nil {
		return page, err
	}
	if counts {
		c, err := a.store.CountInbox(ctx, v, f)
		if err != nil {
			return page, err
		}
		page.Counts = &c
	}
	if err := a.stageTitles(ctx, page.Items); err != nil {
		return page, err
	}
	return page, nil
}

// stageTitleCache keeps the published workflows' node titles for
// stageTTL, so that a page of tasks does not read the definitions: a title
// published anew shows within stageTTL.
type stageTitleCache struct {
	mu     sync.Mutex
	at     time.Time
	titles map[[2]string]*store.LocalizedText // by workflow and node
}

// stageTTL is how long node titles are kept.
const stageTTL = 10 * time.Second

// stageTitles sets each task's stage title: its workflow node's title in
// the published definitions.
func (a *server) stageTitles(ctx context.Context, tasks []store.InboxTask) error {
	if !slices.ContainsFunc(tasks, func(t store.InboxTask) bool { return t.Workflow != "" }) {
		return nil
	}
	c := &a.stages
	c.mu.Lock()
	titles, fresh := c.titles, time.Since(c.at) < stageTTL
	c.mu.Unlock()
	if titles == nil || !fresh {
		b, err := a.bundle(ctx)
		if err != nil {
			return err
		}
		titles = map[[2]string]*store.LocalizedText{}
		for name, w := range b.Workflows {
			for _, n := range w.Spec.Nodes {
				titles[[2]string{name, n.Name.Value}] = localized(n.Title)
			}
		}
		c.mu.Lock()
		c.titles, c.at = titles, time.Now()
		c.mu.Unlock()
	}
	for i := range tasks {
		t := &tasks[i]
		if t.Workflow != "" {
			t.StageTitle = titles[[2]string{t.Workflow, t.Node}]
		}
	}
	return nil
}

// workflowNode is node name of workflow wf in b, or nil.
func workflowNode(b *engine.Bundle, wf, name string) *engine.WorkflowNode {
	w := b.Workflow(wf)
	if w == nil {
		return nil
	}
	i, ok := w.NodeIndex[name]
	if !ok {
		return nil
	}
	return &w.Spec.Nodes[i]
}

func localized(l engine.Localized) *store.LocalizedText {
	if l.IsZero() {
		return nil
	}
	return &store.LocalizedText{En: l.En, ZhCN: l.ZhCN}
}

func (a *server) ListTasks(ctx context.Context, req ListTasksRequestObject) (ListTasksResponseObject, error) {
	p := req.Params
	f := store.InboxFilter{Status: string(val(p.Status)), View: string(val(p.View)), Due: string(val(p.Due)), Kind: string(val(p.Kind)),
		Invoice: val(p.Invoice), Mine: val(p.Mine), Assignee: val(p.Assignee), Team: val(p.Team), Stage: val(p.Stage),
		Unassigned: p.Unassigned, Role: string(val(p.Role)), Sort: string(val(p.Sort)), Cursor: val(p.Cursor), Limit: val(p.Limit)}
	page, err := a.taskPage(ctx, f, val(p.Counts))
	if err != nil {
		return nil, err
	}
	return ListTasks200JSONResponse(page), nil
}

// ListApprovals is the queue of approvals, oldest first.
func (a *server) ListApprovals(ctx context.Context, req ListApprovalsRequestObject) (ListApprovalsResponseObject, error) {
	p := req.Params
	f := store.InboxFilter{Status: string(val(p.Status)), Due: string(val(p.Due)), Kind: taskKindApproval, Invoice: val(p.Invoice),
		Mine: val(p.Mine), Sort: store.SortCreated, Cursor: val(p.Cursor), Limit: val(p.Limit)}
	page, err := a.taskPage(ctx, f, val(p.Counts))
	if err != nil {
		return nil, err
	}
	return ListApprovals200JSONResponse(page), nil
}

// taskDetail is one task with its activity, its invoice's history and
// what acting on it needs (TaskDetail in openapi.yaml).
type taskDetail struct {
	store.TaskDetail
	Activity       []store.Activity       `json:"activity"`
	History        *store.InvoiceHistory  `json:"history,omitempty"`
	FormDefinition *formDefinition        `json:"form_definition,omitempty"`
	CustomerDetail *store.TaskCustomer    `json:"customer_detail,omitempty"`
	InvoiceSummary *store.TaskInvoice     `json:"invoice_summary,omitempty"`
	OtherInvoices  []store.InvoiceSummary `json:"other_invoices,omitempty"`
	Options        []decisionOption       `json:"options,omitempty"`
	Messages       []store.SentMessage    `json:"messages,omitempty"`
}

// otherInvoicesMax bounds a task's list of the customer's other open
// invoices.
const otherInvoicesMax = 50

func (a *server) GetTask(ctx context.Context, req GetTaskRequestObject) (GetTaskResponseObject, error) {
	clk, err := a.clock(ctx)
	if err != nil {
		return nil, err
	}
	v := principalOf(ctx).Viewer()
	t, err := a.store.VisibleTask(ctx, v, req.Id, clk.Now)
	if err != nil {
		return nil, err
	}
	out := taskDetail{TaskDetail: t}
	if out.Activity, err = a.store.TaskActivity(ctx, t.ID); err != nil {
		return nil, err
	}
	b, err := a.bundle(ctx)
	if err != nil {
		return nil, err
	}
	if n := workflowNode(b, t.Workflow, t.Node); n != nil {
		out.StageTitle = localized(n.Title)
		out.Options = decisionOptions(b, b.Workflow(t.Workflow), n, b.TaskForm(t.Key))
	}
	form := b.TaskForm(t.Key)
	if form == nil && t.Form != "" {
		form = b.Form(t.Form)
	}
	if form != nil {
		fd := formDefinitionOf(form)
		out.FormDefinition = &fd
	}
	today := calendar.Of(clk.Now)
	if t.CustomerID != 0 {
		c, err := a.store.TaskCustomer(ctx, t.CustomerID)
		if err != nil {
			return nil, err
		}
		out.CustomerDetail = &c
		open := -36500 // due within a century or before: every open invoice
		others, err := a.store.Invoices(ctx, v, store.InvoiceFilter{Customer: c.ID, OverdueMin: &open, Today: today, Limit: otherInvoicesMax + 1})
		if err != nil {
			return nil, err
		}
		out.OtherInvoices = []store.InvoiceSummary{}
		for _, in := range others.Items {
			if in.Number != t.Invoice && in.BalanceMinor > 0 && len(out.OtherInvoices) < otherInvoicesMax {
				out.OtherInvoices = append(out.OtherInvoices, in)
			}
		}
	}
	if t.InvoiceID != 0 {
		in, err := a.store.TaskInvoice(ctx, t.InvoiceID, today)
		if err != nil {
			return nil, err
		}
		out.InvoiceSummary = &in
		h, err := a.store.InvoiceHistory(ctx, t.Invoice)
		if err != nil {
			return nil, err
		}
		out.History = &h
		if out.Messages, err = a.store.SentMessages(ctx, t.InvoiceID); err != nil {
			return nil, err
		}
	}
	return GetTask200JSONResponse(out), nil
}

func (a *server) CompleteTask(ctx context.Context, req CompleteTaskRequestObject) (CompleteTaskResponseObject, error) {
	t, err := a.store.VisibleTask(ctx, principalOf(ctx).Viewer(), req.Id, a.now())
	if err != nil {
		return nil, err
	}
	res, err := a.complete(ctx, t, *req.Body)
	if err != nil {
		return nil, err
	}
	return CompleteTask200JSONResponse(res), nil
}

// DecideApproval completes an approval; any other task is not found here.
func (a *server) DecideApproval(ctx context.Context, req DecideApprovalRequestObject) (DecideApprovalResponseObject, error) {
	t, err := a.store.VisibleTask(ctx, principalOf(ctx).Viewer(), req.Id, a.now())
	if err != nil {
		return nil, err
	}
	if t.Kind != taskKindApproval {
		return nil, store.ErrNotFound
	}
	res, err := a.complete(ctx, t, *req.Body)
	if err != nil {
		return nil, err
	}
	return DecideApproval200JSONResponse(res), nil
}

// complete completes task t (an approval only with approvals:decide) with
// the values of its form; the workflow advances at once.
func (a *server) complete(ctx context.Context, t store.TaskDetail, in CompleteTaskRequest) (CompleteTaskResult, error) {
	p := principalOf(ctx)
	if t.Kind == taskKindApproval {
		if _, err := authorize(p, PermissionApprovalsDecide); err != nil {
			return CompleteTaskResult{}, err
		}
	}
	clk, err := a.clock(ctx)
	if err != nil {
		return CompleteTaskResult{}, err
	}
	b, err := a.bundle(ctx)
	if err != nil {
		return CompleteTaskResult{}, err
	}
	values := map[string]any{}
	if in.Values != nil {
		values = *in.Values
	}
	locale := "en"
	if in.Locale != nil {
		locale = string(*in.Locale)
	}
	st, err := engine.CompleteTask(ctx, b, a.store, t.Key, values, p.User.Email, clk, locale)
	if err != nil {
		return CompleteTaskResult{}, err
	}
	return CompleteTaskResult{Key: t.Key, Effects: st.Effects, Tasks: st.Tasks, Notifications: st.Outbox, StateChanges: st.States}, nil
}

// candidateRoles are the roles whose users may do task t: an approval's
// deciders (the roles with approvals:decide); a task's role; for a task
// given to a person, that person's role. rule says it in words, for a
// refusal.
func candidateRoles(t store.TaskDetail, assigneeRole string) (roles []string, rule string) {
	if t.Kind == taskKindApproval {
		for _, r := range []string{store.RoleFinanceDirector, store.RoleAdmin, store.RoleFinance, store.RoleSalesManager, store.RoleSalesRep} {
			if slices.Contains(rolePermissions[r], PermissionApprovalsDecide) {
				roles = append(roles, r)
			}
		}
		return roles, fmt.Sprintf("an approval goes only to a user whose role may decide approvals (%s)", strings.Join(roles, ", "))
	}
	if t.Role != "" {
		return []string{t.Role}, fmt.Sprintf("the task is for the role %s", t.Role)
	}
	if assigneeRole != "" {
		return []string{assigneeRole}, fmt.Sprintf("the task goes only to a user of its assignee's role, %s", assigneeRole)
	}
	return nil, "the task has no role and no assignee to take one from"
}

// assignees lists the active users who may do task t and whom the caller
// (v) may give it to: a manager only within its team.
// It also returns the rule that picks them (candidateRoles).
func (a *server) assignees(ctx context.Context, v store.Viewer, t store.TaskDetail) ([]store.User, string, error) {
	var assigneeRole string
	if t.Assignee != "" {
		u, err := a.store.UserByEmail(ctx, t.Assignee)
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			return nil, "", err
		}
		assigneeRole = u.Role
	}
	roles, rule := candidateRoles(t, assigneeRole)
	users, err := a.store.UsersWithRoles(ctx, roles)
	if err != nil {
		return nil, "", err
	}
	if v.Role == store.RoleSalesManager {
		users = slices.DeleteFunc(users, func(u store.User) bool { return v.Team == "" || u.Team != v.Team })
	}
	return users, rule, nil
}

func (a *server) ListTaskAssignees(ctx context.Context, req ListTaskAssigneesRequestObject) (ListTaskAssigneesResponseObject, error) {
	v := principalOf(ctx).Viewer()
	t, err := a.store.VisibleTask(ctx, v, req.Id, a.now())
	if err != nil {
		return nil, err
	}
	users, _, err := a.assignees(ctx, v, t)
	if err != nil {
		return nil, err
	}
	out := make([]Assignee, len(users))
	for i, u := range users {
		out[i] = Assignee{Email: u.Email, Name: u.Name, Role: Role(u.Role), Team: u.Team}
	}
	return ListTaskAssignees200JSONResponse{Items: out}, nil
}

func (a *server) ReassignTask(ctx context.Context, req ReassignTaskRequestObject) (ReassignTaskResponseObject, error) {
	in, p := req.Body, principalOf(ctx)
	v := p.Viewer()
	t, err := a.store.VisibleTask(ctx, v, req.Id, a.now())
	if err != nil {
		return nil, err
	}
	notAssignable := func(err error) error {
		return &fieldErrors{status: http.StatusUnprocessableEntity, detail: "the task cannot go to this user",
			fields: []FieldError{{Field: "/assignee", Message: err.Error()}}}
	}
	// The store refuses unknown and inactive users and, for a manager,
	// users of other teams; then the user must be able to do the task.
	to, err := a.store.UserByEmail(ctx, in.Assignee)
	if err == nil && to.Active && (v.Role != store.RoleSalesManager || to.Team == v.Team) {
		users, rule, err := a.assignees(ctx, v, t)
		if err != nil {
			return nil, err
		}
		if !slices.ContainsFunc(users, func(u store.User) bool { return u.ID == to.ID }) {
			return nil, notAssignable(fmt.Errorf("user %q (%s) may not do this task: %s", to.Email, to.Role, rule))
		}
	}
	err = a.store.ReassignTask(ctx, v, t.ID, in.Assignee, p.User.Email, val(in.Reason), a.now())
	if errors.Is(err, store.ErrNotAssignable) {
		return nil, notAssignable(err)
	}
	if err != nil {
		return nil, err
	}
	return a.answerTask(ctx, t.ID)
}

// answerTask is task id as the caller's list shows it, read unscoped: the
// new assignee may be outside what the caller sees (a director handing a
// task down).
func (a *server) answerTask(ctx context.Context, id int64) (ReassignTask200JSONResponse, error) {
	clk, err := a.clock(ctx)
	if err != nil {
		return ReassignTask200JSONResponse{}, err
	}
	t, err := a.store.VisibleTask(ctx, store.Viewer{Role: store.RoleAdmin}, id, clk.Now)
	if err != nil {
		return ReassignTask200JSONResponse{}, err
	}
	tasks := []store.InboxTask{t.InboxTask}
	if err := a.stageTitles(ctx, tasks); err != nil {
		return ReassignTask200JSONResponse{}, err
	}
	return ReassignTask200JSONResponse(tasks[0]), nil
}

// ClaimTask gives a role task to the caller when its role is the caller's
// (an admin may claim any); 409 when someone already has it.
func (a *server) ClaimTask(ctx context.Context, req ClaimTaskRequestObject) (ClaimTaskResponseObject, error) {
	p := principalOf(ctx)
	t, err := a.store.VisibleTask(ctx, p.Viewer(), req.Id, a.now())
	if err != nil {
		return nil, err
	}
	if t.Status == "open" && t.Assignee != "" {
		return nil, fmt.Errorf("task %d is already assigned to %s: %w", t.ID, t.Assignee, store.ErrConflict)
	}
	if t.Kind == taskKindApproval {
		if _, err := authorize(p, PermissionApprovalsDecide); err != nil {
			return nil, err
		}
	}
	if roles, _ := candidateRoles(t, ""); !slices.Contains(roles, p.User.Role) && p.User.Role != store.RoleAdmin {
		return nil, errForbidden
	}
	if err := a.store.ClaimTask(ctx, t.ID, p.User.Email, a.now()); err != nil {
		return nil, err
	}
	res, err := a.answerTask(ctx, t.ID)
	if err != nil {
		return nil, err
	}
	return ClaimTask200JSONResponse(res), nil
}
