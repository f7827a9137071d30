// Package api is recoup's HTTP interface (echo v4): health and readiness
// probes, the embedded designer UI and, as they arrive, the JSON endpoints.
// Handlers parse input, call the domain and render; one function maps errors
// to HTTP statuses.
package api

import (
	"context"
	"errors"
	"io/fs"
	"log/slog"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"

	"github.com/recoup/recoup/store"
)

// Options configure the server.
type Options struct {
	Store  *store.Store
	Logger *slog.Logger
	UI     fs.FS // the designer UI's files; nil serves none
	// BodyLimit caps request bodies. Default "10M".
	BodyLimit string
}

// New builds the HTTP handler.
func New(o Options) *echo.Echo {
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	if o.BodyLimit == "" {
		o.BodyLimit = "10M"
	}
	e := echo.New()
	e.HideBanner, e.HidePort = true, true
	e.HTTPErrorHandler = errorHandler(o.Logger)
	e.Use(middleware.RequestID())
	e.Use(middleware.Recover())
	e.Use(middleware.BodyLimit(o.BodyLimit))
	e.Use(requestLog(o.Logger))

	e.GET("/healthz", func(c echo.Context) error {
		return c.JSON(http.StatusOK, map[string]string{"status": "ok"})
	})
	e.GET("/readyz", func(c echo.Context) error {
		ctx, cancel := context.WithTimeout(c.Request().Context(), 3*time.Second)
		defer cancel()
		if err := o.Store.Ready(ctx); err != nil {
			return c.JSON(http.StatusServiceUnavailable, problem{Title: "not ready", Status: http.StatusServiceUnavailable, Detail: err.Error()})
		}
		return c.JSON(http.StatusOK, map[string]string{"status": "ready"})
	})
	if o.UI != nil {
		e.StaticFS("/", o.UI)
	}
	return e
}

// problem is an RFC 9457 problem details body.
type problem struct {
	Type   string `json:"type,omitempty"`
	Title  string `json:"title"`
	Status int    `json:"status"`
	Detail string `json:"detail,omitempty"`
}

// errorHandler renders every error as problem details; unexpected errors are
// logged with the request id and never shown to the client.
func errorHandler(log *slog.Logger) echo.HTTPErrorHandler {
	return func(err error, c echo.Context) {
		if c.Response().Committed {
			return
		}
		p := problem{Status: http.StatusInternalServerError, Title: http.StatusText(http.StatusInternalServerError)}
		var he *echo.HTTPError
		switch {
		case errors.As(err, &he):
			p.Status = he.Code
			p.Title = http.StatusText(he.Code)
			if msg, ok := he.Message.(string); ok && msg != p.Title {
				p.Detail = msg
			}
		case errors.Is(err, store.ErrNotFound):
			p.Status, p.Title = http.StatusNotFound, "Not Found"
		default:
			log.Error("request failed", "request_id", c.Response().Header().Get(echo.HeaderXRequestID), "error", err)
		}
		c.Response().Header().Set(echo.HeaderContentType, "application/problem+json")
		if c.Request().Method == http.MethodHead {
			_ = c.NoContent(p.Status)
			return
		}
		_ = c.JSON(p.Status, p)
	}
}

// requestLog logs one line per request with its id, status and latency.
func requestLog(log *slog.Logger) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			start := time.Now()
			err := next(c)
			if err != nil {
				c.Error(err)
			}
			req := c.Request()
			log.Info("http", "request_id", c.Response().Header().Get(echo.HeaderXRequestID),
				"method", req.Method, "path", req.URL.Path, "status", c.Response().Status,
				"duration_ms", float64(time.Since(start).Microseconds())/1000)
			return nil
		}
	}
}
