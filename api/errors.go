package api

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/labstack/echo/v4"

	"github.com/recoup/recoup/engine"
	"github.com/recoup/recoup/store"
	"github.com/recoup/recoup/usecase"
)

// problem is an RFC 9457 problem details body.
type problem struct {
	Type      string       `json:"type,omitempty"`
	Title     string       `json:"title"`
	Status    int          `json:"status"`
	Detail    string       `json:"detail,omitempty"`
	RequestID string       `json:"request_id,omitempty"`
	Errors    []FieldError `json:"errors,omitempty"`

	retryAfter int // seconds, for a 429's Retry-After header
}

// API errors that are not the domain's.
var (
	errUnauthenticated = usecase.ErrUnauthenticated
	errForbidden       = usecase.ErrForbidden
	errMetricsToken    = errors.New("metrics need the metrics token: send Authorization: Bearer with the value of RECOUP_METRICS_TOKEN")
	errSessionOnly     = errors.New("only a person logged in to the web app may do this, not an API token")
	errCSRF            = errors.New("missing or invalid CSRF token: send the X-CSRF-Token header from /api/me")
)

// scopeError is a token lacking the scope an endpoint needs.
type scopeError = usecase.ScopeError

// fieldErrors is a request that failed validation, field by field.
type fieldErrors struct {
	status int // 400 for malformed input, 422 for well-formed but invalid
	detail string
	fields []FieldError
}

func (e *fieldErrors) Error() string { return e.detail }

// toProblem maps an error to HTTP: the one place that decides statuses.
// Unexpected errors become a bare 500 (logged by the caller, never shown).
func toProblem(err error) (problem, bool) {
	var (
		he    *echo.HTTPError
		fe    engine.FormErrors
		ve    *fieldErrors
		se    scopeError
		re    usecase.ErrRange
		ke    usecase.ErrKind
		ans   usecase.AnswerError
		lo    lockedOut
		el    engine.ErrorList
		pe    *store.PaymentError
		ae    *store.AdjustmentError
		known = true
	)
	p := problem{Status: http.StatusInternalServerError}
	switch {
	case errors.As(err, &ve):
		p.Status, p.Detail, p.Errors = ve.status, ve.detail, ve.fields
	case errors.As(err, &ans):
		p.Status, p.Detail = http.StatusUnprocessableEntity, fmt.Sprintf("answers[%d] cannot be given: %v", ans.Index, ans.Err)
		at := "/answers/" + strconv.Itoa(ans.Index) + "/" + ans.Field
		var fe engine.FormErrors
		if errors.As(ans.Err, &fe) {
			for _, f := range fe {
				field := at
				if f.Field != "" {
					field += "/" + f.Field
				}
				p.Errors = append(p.Errors, FieldError{Field: field, Message: f.Message})
			}
		} else {
			p.Errors = []FieldError{{Field: at, Message: ans.Err.Error()}}
		}
	case errors.As(err, &ae):
		p.Status, p.Detail = http.StatusUnprocessableEntity, "the adjustment is invalid"
		p.Errors = []FieldError{{Field: ae.Field, Message: ae.Message}}
	case errors.As(err, &fe):
		p.Status, p.Detail = http.StatusUnprocessableEntity, "the submission is invalid"
		for _, f := range fe {
			p.Errors = append(p.Errors, FieldError{Field: f.Field, Message: f.Message})
		}
	case errors.As(err, &el):
		p.Status, p.Detail = http.StatusUnprocessableEntity, "the definition is invalid"
		for _, e := range el {
			f := FieldError{Field: e.File, Message: e.Msg}
			if e.Line > 0 {
				f.Line = &e.Line
			}
			if e.Col > 0 {
				f.Column = &e.Col
			}
			p.Errors = append(p.Errors, f)
		}
	case errors.As(err, &he):
		p.Status = he.Code
		if msg, ok := he.Message.(string); ok && msg != http.StatusText(he.Code) {
			p.Detail = msg
		}
	case errors.Is(err, errUnauthenticated), errors.Is(err, store.ErrBadCredentials), errors.Is(err, errMetricsToken),
		errors.Is(err, store.ErrTokenExpired), errors.Is(err, store.ErrTokenRevoked):
		p.Status, p.Detail = http.StatusUnauthorized, err.Error()
	case errors.Is(err, errForbidden), errors.Is(err, errCSRF), errors.As(err, &se), errors.Is(err, errSessionOnly):
		p.Status, p.Detail = http.StatusForbidden, err.Error()
	case errors.As(err, &lo):
		p.Status, p.Detail, p.retryAfter = http.StatusTooManyRequests, err.Error(), lo.retryAfter()
	case errors.Is(err, store.ErrNotFound), errors.Is(err, store.ErrHidden):
		// A row the caller may not see is reported as missing, so that
		// ids and numbers cannot be probed.
		p.Status = http.StatusNotFound
		if !errors.Is(err, store.ErrHidden) {
			p.Detail = err.Error()
		}
	case errors.Is(err, store.ErrConflict), errors.Is(err, engine.ErrTaskNotOpen):
		p.Status, p.Detail = http.StatusConflict, err.Error()
	case errors.As(err, &pe):
		p.Status, p.Detail = http.StatusUnprocessableEntity, "the payment is invalid"
		for _, f := range pe.Problems {
			p.Errors = append(p.Errors, FieldError{Field: "/" + f.Field, Message: f.Message})
		}
	case errors.Is(err, store.ErrCurrencyMismatch):
		p.Status, p.Detail = http.StatusUnprocessableEntity, err.Error()
		p.Errors = []FieldError{{Field: "/currency", Message: err.Error()}}
	case errors.Is(err, store.ErrNotAssignable):
		p.Status, p.Detail = http.StatusUnprocessableEntity, "the task cannot go to this user"
		p.Errors = []FieldError{{Field: "/assignee", Message: err.Error()}}
	case errors.As(err, &ke):
		p.Status, p.Detail = http.StatusUnprocessableEntity, err.Error()
		p.Errors = []FieldError{{Field: "path.kind", Message: err.Error()}}
	case errors.As(err, &re):
		p.Status, p.Detail = http.StatusUnprocessableEntity, "the range is invalid"
		p.Errors = []FieldError{{Field: "/to", Message: err.Error()}}
	case errors.Is(err, store.ErrInvalid):
		p.Status, p.Detail = http.StatusUnprocessableEntity, err.Error()
	case errors.Is(err, store.ErrInvalidCursor):
		p.Status, p.Detail = http.StatusUnprocessableEntity, err.Error()
		p.Errors = []FieldError{{Field: "query.cursor", Message: "not a cursor this server issued"}}
	case errors.Is(err, context.DeadlineExceeded):
		p.Status, p.Detail = http.StatusServiceUnavailable, "the request took too long"
	default:
		known = false
	}
	p.Title = http.StatusText(p.Status)
	return p, known
}

// errorHandler renders every error as problem details; unexpected errors are
// logged with the request id and never shown to the client.
func errorHandler(log *slog.Logger) echo.HTTPErrorHandler {
	return func(err error, c echo.Context) {
		if c.Response().Committed {
			return
		}
		p, known := toProblem(err)
		p.RequestID = c.Response().Header().Get(echo.HeaderXRequestID)
		if !known {
			log.Error("request failed", "request_id", p.RequestID, "method", c.Request().Method, "path", c.Request().URL.Path, "error", err)
		}
		if p.retryAfter > 0 {
			c.Response().Header().Set("Retry-After", strconv.Itoa(p.retryAfter))
		}
		c.Response().Header().Set(echo.HeaderContentType, "application/problem+json")
		if c.Request().Method == http.MethodHead {
			_ = c.NoContent(p.Status)
			return
		}
		_ = c.JSON(p.Status, p)
	}
}

// requestErrors turns what the OpenAPI validator found into one error that
// names every field: 400 for a body that is not JSON or is too large, 415
// for another content type, 422 for JSON that breaks the schema.
func requestErrors(err error) error {
	var he *echo.HTTPError
	if errors.As(err, &he) {
		return he // the body limit
	}
	out := &fieldErrors{status: http.StatusUnprocessableEntity}
	format := "JSON"
	add := func(field, msg string) { out.fields = append(out.fields, FieldError{Field: field, Message: msg}) }
	// one reports an error of re's parameter or body.
	one := func(re *openapi3filter.RequestError, err error) {
		field := ""
		if re.Parameter != nil {
			field = re.Parameter.In + "." + re.Parameter.Name
		}
		var (
			sch *openapi3.SchemaError
			pe  *openapi3filter.ParseError
		)
		switch {
		case errors.As(err, &sch):
			if re.Parameter == nil {
				field = "/" + strings.Join(sch.JSONPointer(), "/")
			}
			add(field, sch.Reason)
		case errors.As(err, &pe) && re.Parameter == nil:
			out.status = http.StatusBadRequest
			if re.Input != nil && strings.Contains(re.Input.Request.Header.Get(echo.HeaderContentType), "yaml") {
				format = "YAML"
			}
			add("", "malformed "+format+": "+pe.Error())
		case strings.Contains(re.Reason, "Content-Type"):
			out.status = http.StatusUnsupportedMediaType
			add("header.Content-Type", "want application/json")
		case err == nil:
			add(field, re.Reason)
		case re.Reason != "":
			add(field, re.Reason+": "+err.Error())
		default:
			add(field, err.Error())
		}
	}
	var walk func(error)
	walk = func(err error) {
		switch e := err.(type) {
		case openapi3.MultiError:
			for _, sub := range e {
				walk(sub)
			}
		case *openapi3filter.RequestError:
			if me, ok := e.Err.(openapi3.MultiError); ok {
				for _, sub := range me {
					one(e, sub)
				}
				return
			}
			one(e, e.Err)
		default:
			add("", err.Error())
		}
	}
	walk(err)
	switch out.status {
	case http.StatusBadRequest:
		out.detail = "the request body is not valid " + format
	case http.StatusUnsupportedMediaType:
		out.detail = "unsupported content type"
	default:
		out.detail = "the request is invalid"
	}
	return out
}
