package api_test

import (
	"bytes"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"testing"

	"github.com/recoup/recoup/api"
	"github.com/recoup/recoup/store/storetest"
)

// BenchmarkValidateDefinition is the designer's round trip while an admin
// types: POST …/validate with the text of the example pack's largest
// document (the escalation workflow), through the whole server (session,
// CSRF, spec validation, permission check) and the validator, which checks
// it with every published definition it does not replace. The issue's
// budget is 150 ms; the browser adds only the network of one request.
//
//	go test -run '^$' -bench '^BenchmarkValidateDefinition$' -benchmem ./api/
func BenchmarkValidateDefinition(b *testing.B) {
	f := setup(b, storetest.SQLite(b), api.Options{Logger: slog.New(slog.NewJSONHandler(io.Discard, nil))})
	src, err := os.ReadFile("../rules-examples/workflows/escalation.yaml")
	if err != nil {
		b.Fatal(err)
	}
	adm := f.login(admin)
	base, _ := url.Parse(f.url)
	var cookie string
	for _, c := range adm.hc.Jar.Cookies(base) {
		if c.Name == api.SessionCookie {
			cookie = c.Name + "=" + c.Value
		}
	}
	for _, bc := range []struct{ name, source string }{
		{"valid", string(src)},
		{"typo", string(bytes.Replace(src, []byte("invoice.days_overdue >= 8"), []byte("invoice.days_overdu >= 8"), 1))},
	} {
		b.Run(bc.name, func(b *testing.B) {
			body, _ := json.Marshal(map[string]string{"source": bc.source})
			b.ReportAllocs()
			cpu0 := cpuTime()
			for b.Loop() {
				req := httptest.NewRequest(http.MethodPost, "/api/definitions/Workflow/overdue-escalation/validate", bytes.NewReader(body))
				req.Header.Set("Cookie", cookie)
				req.Header.Set("Content-Type", "application/json")
				req.Header.Set(api.CSRFHeader, adm.csrf)
				rec := httptest.NewRecorder()
				f.h.ServeHTTP(rec, req)
				if rec.Code != http.StatusOK {
					b.Fatalf("%d %s", rec.Code, rec.Body)
				}
			}
			b.ReportMetric(float64(cpuTime()-cpu0)/float64(b.N), "cpu-ns/op")
		})
	}
}
