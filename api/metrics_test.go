package api_test

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/recoup/recoup/api"
	"github.com/recoup/recoup/store/storetest"
)

// TestMetricsProtected: /metrics (outbox depth, open tasks, route names)
// is not public. Without a token it is not on the main address at all
// (not even as the web app's page); with Options.MetricsToken only that
// bearer reads it; Metrics.Handler serves a listen address of its own.
func TestMetricsProtected(t *testing.T) {
	t.Parallel()
	s := storetest.SQLite(t)
	ui := fstest.MapFS{"index.html": {Data: []byte("<title>recoup</title>")}}
	closed := setup(t, s, api.Options{UI: ui})
	closed.anonymous().do("GET", "/metrics", nil).want(404)
	closed.login(admin).do("GET", "/metrics", nil).want(404)

	open := setup(t, storetest.SQLite(t), api.Options{UI: ui, MetricsToken: "s3cret-metrics"})
	p := open.anonymous().do("GET", "/metrics", nil).want(401).problem()
	if !strings.Contains(*p.Detail, "metrics token") {
		t.Fatal(*p.Detail)
	}
	open.login(admin).do("GET", "/metrics", nil).want(401)
	open.token("wrong").do("GET", "/metrics", nil).want(401)
	if body := string(open.token("s3cret-metrics").do("GET", "/metrics", nil).want(200).body); !strings.Contains(body, "recoup_outbox_depth") {
		t.Fatalf("metrics: %.200s", body)
	}

	m := api.NewMetrics(s, slog.New(slog.DiscardHandler))
	for _, tc := range []struct {
		token, bearer string
		status        int
	}{
		{"", "", 200},
		{"tok", "", 401},
		{"tok", "nope", 401},
		{"tok", "tok", 200},
	} {
		srv := httptest.NewServer(m.Handler(tc.token))
		req, _ := http.NewRequest("GET", srv.URL+"/metrics", nil)
		if tc.bearer != "" {
			req.Header.Set("Authorization", "Bearer "+tc.bearer)
		}
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		srv.Close()
		if res.StatusCode != tc.status || (tc.status == 200 && !strings.Contains(string(body), "recoup_tasks_open")) {
			t.Errorf("Handler(%q) with bearer %q: %d %.100s, want %d", tc.token, tc.bearer, res.StatusCode, body, tc.status)
		}
	}
}
