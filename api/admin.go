package api

import (
	"cmp"
	"fmt"
	"math"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/recoup/recoup/calendar"
	"github.com/recoup/recoup/store"
)

func (a *server) listUsers(c echo.Context) error {
	users, err := a.store.Users(c.Request().Context())
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"items": users})
}

func (a *server) createUser(c echo.Context) error {
	var in CreateUserRequest
	if err := c.Bind(&in); err != nil {
		return err
	}
	role := string(in.Role)
	u, err := a.store.CreateUser(c.Request().Context(), store.UserChange{Email: in.Email, Name: &in.Name, Role: &role, Team: in.Team,
		Active: in.Active, Password: in.Password}, a.now())
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, u)
}

func (a *server) updateUser(c echo.Context) error {
	var in UpdateUserRequest
	if err := c.Bind(&in); err != nil {
		return err
	}
	id, _ := strconv.ParseInt(c.Param("id"), 10, 64)
	me := current(c)
	// An admin cannot lock itself out.
	if id == me.User.ID && ((in.Role != nil && *in.Role != RoleAdmin) || (in.Active != nil && !*in.Active)) {
		return fmt.Errorf("you cannot remove your own admin role or deactivate yourself: %w", store.ErrConflict)
	}
	ch := store.UserChange{Name: in.Name, Team: in.Team, Active: in.Active, Password: in.Password}
	if in.Role != nil {
		r := string(*in.Role)
		ch.Role = &r
	}
	u, err := a.store.UpdateUser(c.Request().Context(), id, ch, a.now())
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, u)
}

func (a *server) getDashboard(c echo.Context) error {
	ctx := c.Request().Context()
	clk, err := a.clock(ctx)
	if err != nil {
		return err
	}
	f := store.DashboardFilter{Team: c.QueryParam("team"), Region: c.QueryParam("region"), Currency: c.QueryParam("currency")}
	d, err := a.store.Dashboard(ctx, current(c).Viewer(), f, calendar.Of(clk.Now), clk.Now)
	if err != nil {
		return err
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
		slices.SortStableFunc(d.RecoveryByStage, func(x, y store.StageRecovery) int { return byNode(x.Workflow, x.Node, y.Workflow, y.Node) })
		slices.SortStableFunc(d.RecoveryByOwner, func(x, y store.OwnerRecovery) int { return byNode(x.Workflow, x.Node, y.Workflow, y.Node) })
		slices.SortStableFunc(d.RecoveryByTeam, func(x, y store.TeamRecovery) int { return byNode(x.Workflow, x.Node, y.Workflow, y.Node) })
	}
	return c.JSON(http.StatusOK, d)
}
