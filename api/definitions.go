package api

import (
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/recoup/recoup/engine"
	"github.com/recoup/recoup/store"
)

// createDrafts stores submitted documents as drafts, validated together with
// the published definitions they do not replace.
func (a *server) createDrafts(c echo.Context) error {
	var in DraftRequest
	name := "draft.yaml"
	if strings.HasPrefix(c.Request().Header.Get(echo.HeaderContentType), "application/yaml") {
		data, err := io.ReadAll(c.Request().Body)
		if err != nil {
			return err
		}
		in.Source = string(data)
	} else if err := c.Bind(&in); err != nil {
		return err
	} else if in.Format != nil && *in.Format == DraftRequestFormatJson {
		name = "draft.json"
	}
	ctx := c.Request().Context()
	docs, err := a.store.ValidateWithPublished(ctx, []engine.Source{{Name: name, Data: []byte(in.Source)}})
	if err != nil {
		return err
	}
	out, err := a.store.ApplyDefinitions(ctx, docs, store.ApplyOptions{By: current(c).User.Email, Now: a.now(), Draft: true})
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, map[string]any{"items": out})
}

// publishVersion publishes the content of one version (a draft to publish,
// an older version to roll back to), validated against what is published
// now: a draft written before another change may no longer fit.
func (a *server) publishVersion(c echo.Context) error {
	var in VersionRequest
	if err := c.Bind(&in); err != nil {
		return err
	}
	ctx := c.Request().Context()
	d, err := a.store.DefinitionVersion(ctx, engine.Kind(c.Param("kind")), c.Param("name"), in.Version)
	if err != nil {
		return err
	}
	docs, err := a.store.ValidateWithPublished(ctx, []engine.Source{{Name: d.SourceName(), Data: []byte(d.Source)}})
	if err != nil {
		return err
	}
	out, err := a.store.ApplyDefinitions(ctx, docs, store.ApplyOptions{By: current(c).User.Email, Now: a.now()})
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, out[0])
}

func (a *server) diffDefinition(c echo.Context) error {
	ctx := c.Request().Context()
	kind, name := engine.Kind(c.Param("kind")), c.Param("name")
	from, _ := strconv.Atoi(c.QueryParam("from"))
	to, _ := strconv.Atoi(c.QueryParam("to"))
	a1, err := a.store.DefinitionVersion(ctx, kind, name, from)
	if err != nil {
		return err
	}
	b1, err := a.store.DefinitionVersion(ctx, kind, name, to)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, DefinitionDiff{From: from, To: to, Diff: unifiedDiff(a1.SourceName(), b1.SourceName(), a1.Source, b1.Source)})
}

func (a *server) listApprovals(c echo.Context) error {
	c.QueryParams().Set("kind", "approval")
	return a.listTasks(c)
}

func (a *server) decideApproval(c echo.Context) error {
	t, err := a.store.VisibleTask(c.Request().Context(), current(c).Viewer(), taskID(c), a.now())
	if err != nil {
		return err
	}
	if t.Kind != "approval" {
		return store.ErrNotFound
	}
	return a.completeTask(c)
}
