package api_test

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"

	"github.com/recoup/recoup/api"
	"github.com/recoup/recoup/store/storetest"
)

// BenchmarkRequest measures single requests through the whole server in
// process — every middleware (request id, logging, metrics, the session
// lookup, validation against the spec, the permission check) and the
// handler — on the small seeded SQLite database of the API tests, without
// the network or a load generator: what one request costs in CPU and
// allocations (and the process's CPU time per request, cpu-ns/op), the
// figures BenchmarkAPILoad's latencies are made of.
// GET /api/me is the chain with next to no handler; the inbox and the
// invoice list are the requests the targets are about.
//
//	go test -run '^$' -bench '^BenchmarkRequest$' -benchmem ./api/
func BenchmarkRequest(b *testing.B) {
	f := setup(b, storetest.SQLite(b), api.Options{Logger: slog.New(slog.NewJSONHandler(io.Discard, nil))})
	base, _ := url.Parse(f.url)
	var cookie string
	for _, c := range f.login(rep).hc.Jar.Cookies(base) {
		if c.Name == api.SessionCookie {
			cookie = c.Name + "=" + c.Value
		}
	}
	if cookie == "" {
		b.Fatal("no session cookie")
	}
	for _, bc := range []struct{ name, path string }{
		{"me", "/api/me"},
		{"inbox", "/api/tasks"},
		{"inbox-counts", "/api/tasks?counts=true"},
		{"invoices", "/api/invoices?limit=50"},
	} {
		b.Run(bc.name, func(b *testing.B) {
			req := httptest.NewRequest(http.MethodGet, bc.path, nil)
			req.Header.Set("Cookie", cookie)
			b.ReportAllocs()
			cpu0 := cpuTime()
			for b.Loop() {
				rec := httptest.NewRecorder()
				f.h.ServeHTTP(rec, req)
				if rec.Code != http.StatusOK {
					b.Fatalf("%s: %d %s", bc.path, rec.Code, rec.Body)
				}
			}
			// CPU time, not elapsed: a figure that holds on a busy machine.
			b.ReportMetric(float64(cpuTime()-cpu0)/float64(b.N), "cpu-ns/op")
		})
	}
}
