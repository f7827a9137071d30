package api

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"
)

// strictJSON refuses, with a 422 naming what is wrong, a JSON body that Go
// would read only in part or not as sent: data after the JSON value
// (`{…} garbage`, two objects one after the other, where the second was
// silently dropped) and a number beyond int64 (which the generated binding
// answered with a Go unmarshal message). A body that is not JSON at all is
// left to the spec's validator (400, malformed JSON). The body is read once
// here, under the operation's body limit, and handed on unchanged.
func strictJSON(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		req := c.Request()
		if req.Body == nil || req.Body == http.NoBody || !strings.HasPrefix(req.Header.Get(echo.HeaderContentType), echo.MIMEApplicationJSON) {
			return next(c)
		}
		data, err := io.ReadAll(req.Body)
		if err != nil {
			return err // the body limit's 413
		}
		req.Body = io.NopCloser(bytes.NewReader(data))
		if err := checkJSON(data); err != nil {
			return err
		}
		return next(c)
	}
}

// checkJSON returns a *fieldErrors for a body holding more than one JSON
// value or an integer out of int64's range, nil otherwise (and for
// malformed JSON, which the validator reports).
func checkJSON(data []byte) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil
	}
	end := dec.InputOffset()
	if _, err := dec.Token(); err != io.EOF {
		at := end + int64(len(data[end:])-len(bytes.TrimLeft(data[end:], " \t\r\n")))
		msg := fmt.Sprintf("unexpected data after the JSON value at byte %d: send exactly one JSON value", at)
		return &fieldErrors{status: http.StatusUnprocessableEntity, detail: "the request body holds more than one JSON value",
			fields: []FieldError{{Field: "/", Message: msg}}}
	}
	var fields []FieldError
	var walk func(path string, v any)
	walk = func(path string, v any) {
		switch x := v.(type) {
		case map[string]any:
			for k, sub := range x {
				walk(path+"/"+strings.NewReplacer("~", "~0", "/", "~1").Replace(k), sub)
			}
		case []any:
			for i, sub := range x {
				walk(path+"/"+strconv.Itoa(i), sub)
			}
		case json.Number:
			if !fitsInt64(x) {
				if path == "" {
					path = "/"
				}
				fields = append(fields, FieldError{Field: path,
					Message: fmt.Sprintf("number %s is out of range: at most %d and at least %d", x, int64(1<<63-1), int64(-1<<63))})
			}
		}
	}
	walk("", v)
	if len(fields) == 0 {
		return nil
	}
	slices.SortFunc(fields, func(a, b FieldError) int { return strings.Compare(a.Field, b.Field) })
	return &fieldErrors{status: http.StatusUnprocessableEntity, detail: "the request is invalid", fields: fields}
}

// fitsInt64 reports whether n, read as a number, lies within int64's range
// (a fraction such as 2.5 does: the schema says whether it may have one).
func fitsInt64(n json.Number) bool {
	if _, err := strconv.ParseInt(string(n), 10, 64); err == nil {
		return true
	}
	f, err := strconv.ParseFloat(string(n), 64)
	return err == nil && f > -9.223372036854775e18 && f < 9.223372036854775e18
}

// passThrough is the middleware that does nothing: streamed bodies (imports)
// are read by the importer, which checks them itself.
func passThrough(next echo.HandlerFunc) echo.HandlerFunc { return next }
