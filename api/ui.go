package api

import (
	"bytes"
	"compress/gzip"
	"errors"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"strconv"
	"strings"
	"sync"

	"github.com/labstack/echo/v4"
)

// contentSecurityPolicy allows the app's own scripts only (no inline
// script, no eval), its own styles plus the inline styles the UI kit sets
// on elements, images from itself and data: URLs, and calls to itself.
const contentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; " +
	"img-src 'self' data: blob:; font-src 'self' data:; connect-src 'self'; object-src 'none'; " +
	"base-uri 'self'; form-action 'self'; frame-ancestors 'none'"

// securityHeaders go on every answer, the API's included.
func securityHeaders(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		h := c.Response().Header()
		if strings.HasSuffix(c.Request().URL.Path, "/render.pdf") {
			// a template's letter is shown inside the designer's page: it
			// may be framed by the app itself, and runs nothing
			h.Set("Content-Security-Policy", "default-src 'none'; frame-ancestors 'self'")
			h.Set("X-Frame-Options", "SAMEORIGIN")
		} else {
			h.Set("Content-Security-Policy", contentSecurityPolicy)
			h.Set("X-Frame-Options", "DENY")
		}
		h.Set("Referrer-Policy", "same-origin")
		h.Set("X-Content-Type-Options", "nosniff")
		return next(c)
	}
}

// notBuilt is served at / when the binary was built without the web app.
const notBuilt = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>recoup: the web app is not built</title></head>
<body style="font:16px/1.5 system-ui,sans-serif;max-width:44rem;margin:10vh auto;padding:0 1rem">
<h1>recoup is running, but this binary has no web app</h1>
<p>It was built without the files of <code>designer-ui/</code>. Build them, then the binary:</p>
<pre>make build        # npm ci and vite build in designer-ui/, then go build</pre>
<p>or by hand: <code>cd designer-ui &amp;&amp; npm ci &amp;&amp; npm run build</code>, then
<code>CGO_ENABLED=0 go build ./cmd/recoup</code>. The JSON API works meanwhile under <code>/api</code>
(<a href="/api/openapi.yaml">its specification</a>).</p>
<p lang="zh-CN">此二进制文件未包含网页应用。请运行 <code>make build</code> 构建后重新启动。</p>
</body></html>`

// serveUI serves the web app: files under assets/ (names carry a content
// hash) are cached for a year as immutable; any other path that is not a
// file is a client-side route and gets index.html, never cached, so a new
// release is picked up at the next load.
func serveUI(files fs.FS) echo.HandlerFunc {
	_, statErr := fs.Stat(files, "index.html")
	built := statErr == nil
	fileServer := http.FileServer(http.FS(files))
	zipped := &gzipCache{files: files}
	return func(c echo.Context) error {
		req, res := c.Request(), c.Response()
		if req.Method != http.MethodGet && req.Method != http.MethodHead {
			return echo.ErrMethodNotAllowed
		}
		if !built {
			res.Header().Set("Cache-Control", "no-cache")
			return c.HTML(http.StatusOK, notBuilt)
		}
		name := strings.TrimPrefix(path.Clean("/"+req.URL.Path), "/")
		if name != "" && name != "index.html" {
			if st, err := fs.Stat(files, name); err == nil && !st.IsDir() {
				if strings.HasPrefix(name, "assets/") {
					res.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
				} else {
					res.Header().Set("Cache-Control", "no-cache")
				}
				if compressible(name) {
					res.Header().Add("Vary", "Accept-Encoding")
					if acceptsGzip(req) {
						body, err := zipped.get(name)
						if err != nil {
							return err
						}
						h := res.Header()
						h.Set("Content-Encoding", "gzip")
						h.Set("Content-Type", mime.TypeByExtension(path.Ext(name)))
						h.Set("Content-Length", strconv.Itoa(len(body)))
						res.WriteHeader(http.StatusOK)
						if req.Method == http.MethodGet {
							_, err = res.Write(body)
						}
						return err
					}
				}
				fileServer.ServeHTTP(res, req)
				return nil
			} else if err != nil && !errors.Is(err, fs.ErrNotExist) {
				return err
			}
			// A missing asset is a 404, not the app: a stale page asking
			// for an old chunk must fail visibly rather than parse HTML.
			if strings.HasPrefix(name, "assets/") {
				return echo.ErrNotFound
			}
		}
		index, err := fs.ReadFile(files, "index.html")
		if err != nil {
			return err
		}
		res.Header().Set("Cache-Control", "no-cache")
		return c.HTMLBlob(http.StatusOK, index)
	}
}

// compressible names the text assets worth gzipping (scripts, styles,
// catalogs, SVG); images and fonts are compressed already.
func compressible(name string) bool {
	switch path.Ext(name) {
	case ".js", ".mjs", ".css", ".json", ".svg", ".html", ".txt", ".map":
		return true
	}
	return false
}

// acceptsGzip reports whether the request's Accept-Encoding allows gzip
// (and does not refuse it with q=0).
func acceptsGzip(req *http.Request) bool {
	for _, part := range strings.Split(req.Header.Get("Accept-Encoding"), ",") {
		coding, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		if !strings.EqualFold(strings.TrimSpace(coding), "gzip") {
			continue
		}
		q := strings.ReplaceAll(strings.TrimSpace(params), " ", "")
		return q != "q=0" && q != "q=0.0" && q != "q=0.00" && q != "q=0.000"
	}
	return false
}

// gzipCache compresses each embedded asset once, at its first request, and
// keeps the result: the files never change while the binary runs.
type gzipCache struct {
	files fs.FS
	m     sync.Map // name → []byte
}

func (g *gzipCache) get(name string) ([]byte, error) {
	if b, ok := g.m.Load(name); ok {
		return b.([]byte), nil
	}
	raw, err := fs.ReadFile(g.files, name)
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	w, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	if _, err := w.Write(raw); err != nil {
		return nil, err
	}
	if err := w.Close(); err != nil {
		return nil, err
	}
	b, _ := g.m.LoadOrStore(name, buf.Bytes())
	return b.([]byte), nil
}
