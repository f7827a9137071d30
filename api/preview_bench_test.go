package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/recoup/recoup/api"
	"github.com/recoup/recoup/calendar"
	"github.com/recoup/recoup/demo"
	"github.com/recoup/recoup/engine"
	"github.com/recoup/recoup/store"
	"github.com/recoup/recoup/store/storetest"
)

// BenchmarkPreview times POST /api/definitions/{kind}/{name}/preview (a
// draft of due-soon-todo with a wider window) over RECOUP_BENCH_PREVIEW_INVOICES
// generated invoices (default 100,000) on SQLite, after the day's tick, as
// an admin would call it. Run with:
// go test -run '^$' -bench Preview -benchtime 3x -timeout 30m ./api/
func BenchmarkPreview(b *testing.B) {
	ctx := context.Background()
	n := 100_000
	if v := os.Getenv("RECOUP_BENCH_PREVIEW_INVOICES"); v != "" {
		n, _ = strconv.Atoi(v)
	}
	s := storetest.SQLite(b)
	store.BcryptCost = bcrypt.MinCost
	company := engine.Company{Name: "Bench", TimeZone: "Asia/Shanghai", Currency: "CNY", TickTime: "09:00"}
	if _, err := s.EnsureCompany(ctx, company); err != nil {
		b.Fatal(err)
	}
	storetest.SeedDemo(b, s, demo.Options{Customers: n / 10, Invoices: n, Seed: 9, Today: calendar.MustParse("2026-11-29"), Zone: shanghai}, company)
	bundle := storetest.PublishExamples(b, s, "../rules-examples")
	at := time.Date(2026, 11, 29, 9, 0, 0, 0, shanghai)
	start := time.Now()
	if _, err := engine.RunTick(ctx, bundle, s, engine.TickOptions{At: at, Location: shanghai}); err != nil {
		b.Fatal(err)
	}
	b.Logf("%d invoices seeded and ticked in %s", n, time.Since(start).Round(time.Second))
	if err := s.SetPassword(ctx, admin, password, at); err != nil {
		b.Fatal(err)
	}
	srv := httptest.NewServer(api.New(api.Options{Store: s, Logger: slog.New(slog.NewJSONHandler(io.Discard, nil)),
		Now: func() time.Time { return at.Add(time.Hour) }}))
	defer srv.Close()

	jar, _ := cookiejar.New(nil)
	hc := &http.Client{Jar: jar}
	call := func(method, path, csrf string, body any, want int, out any) {
		data, _ := json.Marshal(body)
		req, _ := http.NewRequest(method, srv.URL+path, bytes.NewReader(data))
		req.Header.Set("Content-Type", "application/json")
		if csrf != "" {
			req.Header.Set("X-CSRF-Token", csrf)
		}
		resp, err := hc.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		defer resp.Body.Close()
		raw, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != want {
			b.Fatalf("%s %s: %d %s", method, path, resp.StatusCode, raw)
		}
		if out != nil {
			if err := json.Unmarshal(raw, out); err != nil {
				b.Fatal(err)
			}
		}
	}
	var me api.Me
	call("POST", "/api/login", "", map[string]any{"email": admin, "password": password}, 200, &me)
	csrf := *me.CsrfToken
	var v1 store.Definition
	call("GET", "/api/definitions/Rule/due-soon-todo", "", nil, 200, &v1)
	wider := strings.Replace(v1.Source, "invoice.days_until_due <= 3", "invoice.days_until_due <= 10", 1)
	call("POST", "/api/definitions/drafts", csrf, map[string]any{"source": wider}, 201, nil)

	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		var pv api.Preview
		call("POST", "/api/definitions/Rule/due-soon-todo/preview", csrf, map[string]any{"version": 2}, 200, &pv)
		if len(pv.Added) == 0 {
			b.Fatalf("the wider draft adds nothing: %+v", pv)
		}
	}
	b.ReportMetric(float64(n), "invoices")
	b.ReportMetric(float64(b.Elapsed().Milliseconds())/float64(b.N), "ms/preview")
}
