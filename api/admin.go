package api

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/recoup/recoup/calendar"
	"github.com/recoup/recoup/store"
)

func (a *server) ListUsers(ctx context.Context, req ListUsersRequestObject) (ListUsersResponseObject, error) {
	page, err := a.store.UsersPage(ctx, val(req.Params.Cursor), val(req.Params.Limit))
	if err != nil {
		return nil, err
	}
	out := ListUsers200JSONResponse{Items: page.Items}
	if page.NextCursor != "" {
		out.NextCursor = &page.NextCursor
	}
	return out, nil
}

// userOf is u as openapi.yaml's User.
func userOf(u store.User) User {
	return User{Id: u.ID, Email: u.Email, Name: u.Name, Role: Role(u.Role), Team: u.Team, Active: u.Active, Language: Language(u.Language)}
}

// language is *l as the store takes it (nil: unchanged).
func language(l *Language) *string {
	if l == nil {
		return nil
	}
	s := string(*l)
	return &s
}

func (a *server) CreateUser(ctx context.Context, req CreateUserRequestObject) (CreateUserResponseObject, error) {
	in := req.Body
	role := string(in.Role)
	u, err := a.store.CreateUser(ctx, store.UserChange{Email: in.Email, Name: &in.Name, Role: &role, Team: in.Team,
		Active: in.Active, Password: in.Password, Language: language(in.Language)}, a.now())
	if err != nil {
		return nil, err
	}
	if err := a.audit(ctx, store.AuditRecord{Action: actionUserCreated, Entity: "user", EntityID: u.ID, After: userAudit(u)}); err != nil {
		return nil, err
	}
	return CreateUser201JSONResponse(userOf(u)), nil
}

func (a *server) UpdateUser(ctx context.Context, req UpdateUserRequestObject) (UpdateUserResponseObject, error) {
	in, id := req.Body, req.Id
	// An admin cannot lock itself out.
	if id == principalOf(ctx).User.ID && ((in.Role != nil && *in.Role != RoleAdmin) || (in.Active != nil && !*in.Active)) {
		return nil, fmt.Errorf("you cannot remove your own admin role or deactivate yourself: %w", store.ErrConflict)
	}
	ch := store.UserChange{Name: in.Name, Team: in.Team, Active: in.Active, Password: in.Password, Language: language(in.Language)}
	if in.Role != nil {
		r := string(*in.Role)
		ch.Role = &r
	}
	before, err := a.store.UserByID(ctx, id)
	if err != nil {
		return nil, fmt.Errorf("user %d: %w", id, err)
	}
	u, err := a.store.UpdateUser(ctx, id, ch, a.now())
	if err != nil {
		return nil, err
	}
	if err := a.audit(ctx, userChangeAudit(before, u, in.Password != nil)); err != nil {
		return nil, err
	}
	return UpdateUser200JSONResponse(userOf(u)), nil
}

func (a *server) GetDashboard(ctx context.Context, req GetDashboardRequestObject) (GetDashboardResponseObject, error) {
	clk, err := a.clock(ctx)
	if err != nil {
		return nil, err
	}
	p := req.Params
	f := store.DashboardFilter{Team: val(p.Team), Region: val(p.Region), Currency: val(p.Currency)}
	d, err := a.store.Dashboard(ctx, principalOf(ctx).Viewer(), f, calendar.Of(clk.Now), clk.Now)
	if err != nil {
		return nil, err
	}
	// Stages in the order of their workflow's nodes, as the designer shows
	// them, when the workflow is published (the store sorts by name).
	if b, err := a.bundle(ctx); err == nil {
		order := func(workflow, node string) int {
			if w := b.Workflow(workflow); w != nil {
				if i, ok := w.NodeIndex[node]; ok {
					return i
				}
			}
			return math.MaxInt
		}
		byNode := func(w1, n1, w2, n2 string) int {
			if c := strings.Compare(w1, w2); c != 0 {
				return c
			}
			return cmp.Compare(order(w1, n1), order(w2, n2))
		}
		// and named as the workflow names them, in both languages
		title := func(workflow, node string) *store.LocalizedText {
			if n := workflowNode(b, workflow, node); n != nil {
				return localized(n.Title)
			}
			return nil
		}
		for i := range d.RecoveryByStage {
			r := &d.RecoveryByStage[i]
			r.NodeTitle = title(r.Workflow, r.Node)
		}
		for i := range d.RecoveryByOwner {
			r := &d.RecoveryByOwner[i]
			r.NodeTitle = title(r.Workflow, r.Node)
		}
		for i := range d.RecoveryByTeam {
			r := &d.RecoveryByTeam[i]
			r.NodeTitle = title(r.Workflow, r.Node)
		}
		slices.SortStableFunc(d.RecoveryByStage, func(x, y store.StageRecovery) int { return byNode(x.Workflow, x.Node, y.Workflow, y.Node) })
		slices.SortStableFunc(d.RecoveryByOwner, func(x, y store.OwnerRecovery) int { return byNode(x.Workflow, x.Node, y.Workflow, y.Node) })
		slices.SortStableFunc(d.RecoveryByTeam, func(x, y store.TeamRecovery) int { return byNode(x.Workflow, x.Node, y.Workflow, y.Node) })
	}
	// each owner named as people know them
	if users, err := a.store.Users(ctx); err == nil {
		names := make(map[string]string, len(users))
		for _, u := range users {
			names[u.Email] = u.Name
		}
		for i := range d.ByOwner {
			d.ByOwner[i].OwnerName = names[d.ByOwner[i].Owner]
		}
		for i := range d.RecoveryByOwner {
			d.RecoveryByOwner[i].OwnerName = names[d.RecoveryByOwner[i].Owner]
		}
	}
	return GetDashboard200JSONResponse(d), nil
}
