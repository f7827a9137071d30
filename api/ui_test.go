package api

import (
	"compress/gzip"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"testing/fstest"
)

// TestServeUI: hashed assets are immutable, index.html and client routes
// are never cached, a missing asset is a 404, /api stays the API, and every
// answer carries the security headers.
func TestServeUI(t *testing.T) {
	t.Parallel()
	app := fstest.MapFS{
		"index.html":           {Data: []byte("<!doctype html><title>recoup</title><div id=root></div>")},
		"assets/index-abc.js":  {Data: []byte("console.log(1)")},
		"assets/index-abc.css": {Data: []byte("body{}")},
		"favicon.svg":          {Data: []byte("<svg/>")},
	}
	e := New(Options{UI: app})
	cases := []struct {
		name, path    string
		status        int
		cache, body   string
		contentPrefix string
	}{
		{"index", "/", 200, "no-cache", "<div id=root>", "text/html"},
		{"client route", "/tasks/42", 200, "no-cache", "<div id=root>", "text/html"},
		{"deep client route", "/invoices/INV-2026-0001", 200, "no-cache", "<div id=root>", "text/html"},
		{"asset", "/assets/index-abc.js", 200, "public, max-age=31536000, immutable", "console.log", "text/javascript"},
		{"style", "/assets/index-abc.css", 200, "public, max-age=31536000, immutable", "body{}", "text/css"},
		{"other file", "/favicon.svg", 200, "no-cache", "<svg/>", "image/svg+xml"},
		{"missing asset", "/assets/old-chunk.js", 404, "", "", ""},
		{"unknown api path", "/api/nope", 404, "no-store", "", "application/problem+json"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			rec := httptest.NewRecorder()
			e.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, c.path, nil))
			if rec.Code != c.status {
				t.Fatalf("GET %s = %d, want %d: %s", c.path, rec.Code, c.status, rec.Body)
			}
			h := rec.Header()
			if c.cache != "" && h.Get("Cache-Control") != c.cache {
				t.Errorf("Cache-Control = %q, want %q", h.Get("Cache-Control"), c.cache)
			}
			if !strings.Contains(rec.Body.String(), c.body) {
				t.Errorf("body %q lacks %q", rec.Body, c.body)
			}
			if !strings.HasPrefix(h.Get("Content-Type"), c.contentPrefix) {
				t.Errorf("Content-Type = %q, want %q…", h.Get("Content-Type"), c.contentPrefix)
			}
			csp := h.Get("Content-Security-Policy")
			if !strings.Contains(csp, "script-src 'self'") || strings.Contains(csp, "script-src 'self' 'unsafe-inline'") || !strings.Contains(csp, "frame-ancestors 'none'") {
				t.Errorf("Content-Security-Policy = %q", csp)
			}
			for k, v := range map[string]string{"X-Frame-Options": "DENY", "Referrer-Policy": "same-origin", "X-Content-Type-Options": "nosniff"} {
				if h.Get(k) != v {
					t.Errorf("%s = %q, want %q", k, h.Get(k), v)
				}
			}
		})
	}

	t.Run("not built", func(t *testing.T) {
		e := New(Options{UI: fstest.MapFS{".gitkeep": {}}})
		for _, path := range []string{"/", "/inbox"} {
			rec := httptest.NewRecorder()
			e.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
			if rec.Code != 200 || !strings.Contains(rec.Body.String(), "make build") {
				t.Errorf("GET %s = %d %q, want the page that says how to build the app", path, rec.Code, rec.Body)
			}
		}
	})

	t.Run("post to a page", func(t *testing.T) {
		rec := httptest.NewRecorder()
		e.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/inbox", nil))
		if rec.Code != http.StatusMethodNotAllowed {
			t.Errorf("POST /inbox = %d, want 405", rec.Code)
		}
	})

	t.Run("gzip", func(t *testing.T) {
		script := strings.Repeat("console.log('recoup');\n", 200)
		e := New(Options{UI: fstest.MapFS{
			"index.html":          {Data: []byte("<!doctype html>")},
			"assets/index-abc.js": {Data: []byte(script)},
			"assets/logo-abc.png": {Data: []byte("\x89PNG")},
		}})
		get := func(path, accept string) *httptest.ResponseRecorder {
			req := httptest.NewRequest(http.MethodGet, path, nil)
			if accept != "" {
				req.Header.Set("Accept-Encoding", accept)
			}
			rec := httptest.NewRecorder()
			e.ServeHTTP(rec, req)
			return rec
		}
		for _, accept := range []string{"gzip, deflate, br", "br;q=1.0, gzip;q=0.8"} {
			rec := get("/assets/index-abc.js", accept)
			h := rec.Header()
			if h.Get("Content-Encoding") != "gzip" || !strings.HasPrefix(h.Get("Content-Type"), "text/javascript") || h.Get("Vary") != "Accept-Encoding" {
				t.Fatalf("Accept-Encoding %q: headers %v", accept, h)
			}
			if h.Get("Cache-Control") != "public, max-age=31536000, immutable" || h.Get("X-Content-Type-Options") != "nosniff" {
				t.Errorf("gzipped asset lost its headers: %v", h)
			}
			if rec.Body.Len() >= len(script)/4 {
				t.Errorf("gzipped %d bytes to %d", len(script), rec.Body.Len())
			}
			zr, err := gzip.NewReader(rec.Body)
			if err != nil {
				t.Fatal(err)
			}
			if b, _ := io.ReadAll(zr); string(b) != script {
				t.Errorf("gunzipped body differs from the file")
			}
		}
		for _, c := range []struct{ path, accept string }{
			{"/assets/index-abc.js", ""},
			{"/assets/index-abc.js", "gzip;q=0, identity"},
			{"/assets/logo-abc.png", "gzip"},
		} {
			rec := get(c.path, c.accept)
			if rec.Header().Get("Content-Encoding") != "" || rec.Code != 200 {
				t.Errorf("GET %s with Accept-Encoding %q = %d, encoding %q: want the file as it is", c.path, c.accept, rec.Code, rec.Header().Get("Content-Encoding"))
			}
		}
	})
}
