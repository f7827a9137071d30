package api

import (
	"context"
	_ "embed"
	"fmt"
	"net/http"
	"net/url"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/legacy"
	"github.com/labstack/echo/v4"
)

// Spec is the OpenAPI 3 document of the API, served at /api/openapi.yaml.
// The types, echo routes and strict server interface in api.gen.go are
// generated from it (go generate).
//
//go:embed openapi.yaml
var Spec []byte

// loadSpec parses and validates the embedded spec and builds the router
// that validation uses. Its security requirements are dropped: the API
// authenticates callers itself (identify, guard), and openapi3filter would
// check them again by reading every request body into memory first — an
// import's too, which is meant to stream.
func loadSpec() (*openapi3.T, routers.Router, error) {
	doc, err := openapi3.NewLoader().LoadFromData(Spec)
	if err != nil {
		return nil, nil, fmt.Errorf("openapi.yaml: %w", err)
	}
	if err := doc.Validate(context.Background()); err != nil {
		return nil, nil, fmt.Errorf("openapi.yaml: %w", err)
	}
	doc.Security = nil
	for _, item := range doc.Paths.Map() {
		for _, op := range item.Operations() {
			op.Security = nil
		}
	}
	r, err := legacy.NewRouter(doc)
	if err != nil {
		return nil, nil, fmt.Errorf("openapi.yaml: %w", err)
	}
	return doc, r, nil
}

// validate checks a request against the spec (parameters, content type and
// body; every problem at once) before its handler runs. Authentication is
// checked by the API itself, so the spec's security schemes are not (see
// loadSpec). With paramsOnly the body is left to the handler, unread.
func validate(router routers.Router, paramsOnly bool) echo.MiddlewareFunc {
	opts := &openapi3filter.Options{MultiError: true, ExcludeRequestBody: paramsOnly}
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			req := c.Request()
			route, params, err := findRoute(router, c)
			if err != nil {
				// Every API route is in the spec (TestEveryRouteInSpec);
				// this is a bug, not the client's fault.
				return fmt.Errorf("route %s %s is not in openapi.yaml: %w", req.Method, req.URL.Path, err)
			}
			in := &openapi3filter.RequestValidationInput{Request: req, PathParams: params, Route: route, Options: opts}
			if err := openapi3filter.ValidateRequest(req.Context(), in); err != nil {
				return requestErrors(err)
			}
			return next(c)
		}
	}
}

// findRoute finds the operation of c's request in the spec. A path
// parameter may hold an escaped slash (an invoice number INV/2026/0001 sent
// as INV%2F2026%2F0001): echo matched the escaped path, so the spec's router
// is given it too, and the parameters are echo's, unescaped.
func findRoute(router routers.Router, c echo.Context) (*routers.Route, map[string]string, error) {
	req := c.Request()
	if req.URL.RawPath == "" {
		return router.FindRoute(req)
	}
	r := req.Clone(req.Context())
	r.URL.Path, r.URL.RawPath = req.URL.RawPath, ""
	route, _, err := router.FindRoute(r)
	if err != nil {
		return nil, nil, err
	}
	params := map[string]string{}
	for i, name := range c.ParamNames() {
		v, err := url.PathUnescape(c.ParamValues()[i])
		if err != nil {
			return nil, nil, err
		}
		params[name] = v
	}
	return route, params, nil
}

func serveSpec(c echo.Context) error {
	return c.Blob(http.StatusOK, "application/yaml", Spec)
}
