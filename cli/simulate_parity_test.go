package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/recoup/recoup/api"
	"github.com/recoup/recoup/store"
	"github.com/recoup/recoup/usecase"
)

// TestSimulateAPIAndCLIAgree simulates the same invoices through `recoup
// simulate` (CSV files) and POST /api/simulate (the same data imported into
// a live database) over the days the clocks change in New York (2026-03-08)
// and Berlin (2026-03-29): the two timelines — every effect's day, invoice,
// key and a task's due instant — are identical. The API used to tick at
// midnight plus nine hours, which is 10:00 on a spring-forward day.
func TestSimulateAPIAndCLIAgree(t *testing.T) {
	t.Parallel()
	for _, zone := range []string{"America/New_York", "Europe/Berlin"} {
		t.Run(strings.ReplaceAll(zone, "/", "_"), func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			dir := t.TempDir()
			data := filepath.Join(dir, "data")
			if _, _, err := run(t, ctx, "gen", "--out", data, "--customers", "10", "--invoices", "50", "--seed", "8", "--today", "2026-02-20",
				"--timezone", zone); err != nil {
				t.Fatal(err)
			}
			const from, to = "2026-02-20", "2026-04-05"
			out, errOut, err := run(t, ctx, "simulate", "--rules", "../rules-examples", "--data", data, "--from", from, "--to", to,
				"--timezone", zone, "--json")
			if err != nil {
				t.Fatalf("simulate: %v\n%s", err, errOut)
			}
			var cli []string
			for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
				var e effectLine
				if err := json.Unmarshal([]byte(line), &e); err != nil {
					t.Fatal(err)
				}
				cli = append(cli, strings.Join([]string{e.Date, e.Invoice, e.Key, e.DueAt}, " "))
			}

			// The same data, live.
			db := "sqlite:" + filepath.Join(dir, "live.db")
			flags := []string{"--db", db, "--timezone", zone}
			for _, k := range []string{"users", "customers", "invoices", "payments"} {
				if _, errOut, err := run(t, ctx, append([]string{"import", k, filepath.Join(data, k+".csv")}, flags...)...); err != nil {
					t.Fatalf("import %s: %v\n%s", k, err, errOut)
				}
			}
			if _, errOut, err := run(t, ctx, append([]string{"apply", "../rules-examples"}, flags...)...); err != nil {
				t.Fatalf("apply: %v\n%s", err, errOut)
			}
			s, err := store.Open(ctx, db)
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			page, err := s.Invoices(ctx, store.Viewer{Role: store.RoleAdmin}, store.InvoiceFilter{Limit: 500})
			if err != nil {
				t.Fatal(err)
			}
			var numbers []string
			for _, in := range page.Items {
				numbers = append(numbers, in.Number)
			}
			_, secret, err := s.CreateToken(ctx, "admin@demo.recoup.test", "parity", []string{string(usecase.DefinitionsRead)}, "test", time.Now().AddDate(0, 0, 30), time.Now())
			if err != nil {
				t.Fatal(err)
			}
			srv := httptest.NewServer(api.New(api.Options{Store: s}))
			defer srv.Close()
			body, _ := json.Marshal(map[string]any{"invoices": numbers, "from": from, "to": to})
			req, _ := http.NewRequestWithContext(ctx, "POST", srv.URL+"/api/simulate", strings.NewReader(string(body)))
			req.Header.Set("Authorization", "Bearer "+secret)
			req.Header.Set("Content-Type", "application/json")
			res, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer res.Body.Close()
			if res.StatusCode != 200 {
				t.Fatalf("POST /api/simulate: %s", res.Status)
			}
			var sim usecase.Simulation
			if err := json.NewDecoder(res.Body).Decode(&sim); err != nil {
				t.Fatal(err)
			}
			var viaAPI []string
			for _, d := range sim.Days {
				for _, e := range d.Effects {
					due := ""
					if !e.DueAt.IsZero() {
						due = e.DueAt.UTC().Format(time.RFC3339)
					}
					viaAPI = append(viaAPI, strings.Join([]string{d.Date.String(), e.Invoice, store.LedgerKey(e.Effect), due}, " "))
				}
			}
			slices.Sort(cli)
			slices.Sort(viaAPI)
			if len(cli) < 50 {
				t.Fatalf("only %d effects: the data does not exercise the run", len(cli))
			}
			if !slices.Equal(cli, viaAPI) {
				t.Errorf("the timelines differ (%d effects by the CLI, %d by the API):\n%s", len(cli), len(viaAPI), firstDifference(cli, viaAPI))
			}
			dst := map[string]string{"America/New_York": "2026-03-08", "Europe/Berlin": "2026-03-29"}[zone]
			if !slices.ContainsFunc(cli, func(l string) bool { return strings.HasPrefix(l, dst) }) {
				t.Errorf("no effect on %s, the day the clocks change", dst)
			}
		})
	}
}

func firstDifference(a, b []string) string {
	for i := range min(len(a), len(b)) {
		if a[i] != b[i] {
			return fmt.Sprintf("first difference at %d:\n  cli: %s\n  api: %s", i, a[i], b[i])
		}
	}
	return fmt.Sprintf("one is a prefix of the other (%d vs %d)", len(a), len(b))
}
