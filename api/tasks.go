package api

import (
	"context"
	"slices"
	"sync"
	"time"

	"github.com/recoup/recoup/calendar"
	"github.com/recoup/recoup/engine"
	"github.com/recoup/recoup/store"
	"github.com/recoup/recoup/usecase"
)

// taskKindApproval is the kind of a task that is an approval (a Task's
// kind in openapi.yaml).
const taskKindApproval = usecase.KindApproval

// taskPage lists the page of tasks f selects among those the caller may
// see, with their counts when asked for, and each task's stage title.
func (a *server) taskPage(ctx context.Context, f store.InboxFilter, counts bool) (store.TaskPage, error) {
	page, err := a.uc.ListTasks(ctx, actorOf(ctx), f, counts)
	if err != nil {
		return page, err
	}
	localizeTasks(ctx, page.Items)
	if err := a.stageTitles(ctx, page.Items); err != nil {
		return page, err
	}
	return page, nil
}

// localizeTasks puts tasks' titles in the caller's language.
func localizeTasks(ctx context.Context, tasks []store.InboxTask) {
	lang := callerOf(ctx).language()
	for i := range tasks {
		tasks[i].Localize(lang)
	}
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
	t.Localize(callerOf(ctx).language())
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
	res, err := a.complete(ctx, req.Id, *req.Body, false)
	if err != nil {
		return nil, err
	}
	return CompleteTask200JSONResponse(res), nil
}

// DecideApproval completes an approval; any other task is not found here.
func (a *server) DecideApproval(ctx context.Context, req DecideApprovalRequestObject) (DecideApprovalResponseObject, error) {
	res, err := a.complete(ctx, req.Id, *req.Body, true)
	if err != nil {
		return nil, err
	}
	return DecideApproval200JSONResponse(res), nil
}

// complete completes task id with the values of its form (usecase.CompleteTask).
func (a *server) complete(ctx context.Context, id int64, in CompleteTaskRequest, approvalsOnly bool) (CompleteTaskResult, error) {
	var values map[string]any
	if in.Values != nil {
		values = *in.Values
	}
	locale := ""
	if in.Locale != nil {
		locale = string(*in.Locale)
	}
	st, err := a.uc.CompleteTask(ctx, actorOf(ctx), usecase.TaskRef{ID: id}, values, locale, approvalsOnly)
	if err != nil {
		return CompleteTaskResult{}, err
	}
	return CompleteTaskResult{Key: st.Key, Effects: st.Effects, Tasks: st.Tasks, Notifications: st.Outbox, StateChanges: st.States}, nil
}

func (a *server) ListTaskAssignees(ctx context.Context, req ListTaskAssigneesRequestObject) (ListTaskAssigneesResponseObject, error) {
	users, err := a.uc.Assignees(ctx, actorOf(ctx), usecase.TaskRef{ID: req.Id})
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
	id, err := a.uc.Reassign(ctx, actorOf(ctx), usecase.TaskRef{ID: req.Id}, req.Body.Assignee, val(req.Body.Reason))
	if err != nil {
		return nil, err
	}
	return a.answerTask(ctx, id)
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
	localizeTasks(ctx, tasks)
	if err := a.stageTitles(ctx, tasks); err != nil {
		return ReassignTask200JSONResponse{}, err
	}
	return ReassignTask200JSONResponse(tasks[0]), nil
}

// ClaimTask gives a role task to the caller when its role is the caller's
// (an admin may claim any); 409 when someone already has it.
func (a *server) ClaimTask(ctx context.Context, req ClaimTaskRequestObject) (ClaimTaskResponseObject, error) {
	id, err := a.uc.Claim(ctx, actorOf(ctx), usecase.TaskRef{ID: req.Id})
	if err != nil {
		return nil, err
	}
	res, err := a.answerTask(ctx, id)
	if err != nil {
		return nil, err
	}
	return ClaimTask200JSONResponse(res), nil
}
