package cli

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/recoup/recoup/store"
	"github.com/recoup/recoup/store/storetest"
)

// The test binary doubles as the recoup command when RECOUP_TEST_CHILD is
// set, so crash tests kill a real process without building another binary.
func TestMain(m *testing.M) {
	if os.Getenv("RECOUP_TEST_CHILD") == "1" {
		os.Exit(Run(os.Args[1:], io.Discard, os.Stderr))
	}
	os.Exit(m.Run())
}

func child(ctx context.Context, args ...string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, os.Args[0], args...)
	cmd.Env = append(os.Environ(), "RECOUP_TEST_CHILD=1")
	return cmd
}

// ledger is what a tick leaves behind, in comparable form.
func ledger(t *testing.T, s *store.Store) string {
	t.Helper()
	var b strings.Builder
	for _, q := range []string{
		"SELECT key FROM effects ORDER BY key",
		"SELECT key FROM rule_fires ORDER BY key",
		"SELECT key || ' ' || status || ' ' || title FROM tasks ORDER BY key",
		"SELECT key || ' ' || channel || ' ' || recipient FROM outbox ORDER BY key",
		"SELECT number || ' ' || status FROM invoices ORDER BY number",
		"SELECT external_id || ' ' || risk FROM customers ORDER BY external_id",
	} {
		rows, err := s.SQL().Query(q)
		if err != nil {
			t.Fatal(err)
		}
		var lines []string
		for rows.Next() {
			var l string
			if err := rows.Scan(&l); err != nil {
				t.Fatal(err)
			}
			lines = append(lines, l)
		}
		rows.Close()
		sort.Strings(lines)
		fmt.Fprintf(&b, "%s: %d\n%s\n", q, len(lines), strings.Join(lines, "\n"))
	}
	return b.String()
}

// TestTickKilledAndRerunEffectsExactlyOnce kills `recoup tick` at random
// moments, many times, then lets it finish, and compares everything it
// recorded with a database that ticked once, undisturbed.
func TestTickKilledAndRerunEffectsExactlyOnce(t *testing.T) {
	t.Parallel()
	for _, db := range []struct {
		name string
		url  func(testing.TB) string
	}{{"sqlite", storetest.SQLiteURL}, {"postgres", storetest.PostgresURL}} {
		t.Run(db.name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			data := t.TempDir()
			if _, _, err := run(t, ctx, "gen", "--out", data, "--customers", "150", "--invoices", "1500", "--seed", "11", "--today", "2026-11-29"); err != nil {
				t.Fatal(err)
			}
			load := func(url string) *store.Store {
				flags := []string{"--db", url, "--timezone", "Asia/Shanghai"}
				for _, k := range []string{"users", "customers", "invoices", "payments"} {
					if _, errOut, err := run(t, ctx, append([]string{"import", k, filepath.Join(data, k+".csv")}, flags...)...); err != nil {
						t.Fatalf("import %s: %s %v", k, errOut, err)
					}
				}
				s, err := store.Open(ctx, url)
				if err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() { s.Close() })
				return s
			}
			tickArgs := func(url string) []string {
				return []string{"tick", "--db", url, "--at", "2026-11-29 09:00", "--rules", "../rules-examples", "--batch", "3"}
			}

			refURL := db.url(t)
			ref := load(refURL)
			start := time.Now()
			if out, err := child(ctx, tickArgs(refURL)...).CombinedOutput(); err != nil {
				t.Fatalf("reference tick: %v\n%s", err, out)
			}
			full := time.Since(start)
			want := ledger(t, ref)

			// Several rounds, each on a fresh copy of the data: kill the
			// tick at random moments, then let it finish and compare.
			rng := rand.New(rand.NewPCG(1, 2))
			midway := 0
			var log []string
			for round := 0; round < 5; round++ {
				url := db.url(t)
				s := load(url)
				var counts []int // effects recorded after each kill
				for k := 0; k < 3; k++ {
					cmd := child(ctx, tickArgs(url)...)
					if err := cmd.Start(); err != nil {
						t.Fatal(err)
					}
					time.Sleep(time.Duration(rng.Int64N(int64(full))))
					_ = cmd.Process.Kill()
					_ = cmd.Wait()
					var n int
					if err := s.SQL().QueryRow("SELECT COUNT(*) FROM effects").Scan(&n); err != nil {
						t.Fatal(err)
					}
					counts = append(counts, n)
				}
				if out, err := child(ctx, tickArgs(url)...).CombinedOutput(); err != nil {
					t.Fatalf("final tick: %v\n%s", err, out)
				}
				if got := ledger(t, s); got != want {
					t.Fatalf("round %d: after kills (effects %v) the ledger differs from an undisturbed tick:\n%s", round, counts, diffLines(want, got))
				}
				var total int
				if err := s.SQL().QueryRow("SELECT COUNT(*) FROM effects").Scan(&total); err != nil {
					t.Fatal(err)
				}
				for _, n := range counts {
					if n > 0 && n < total {
						midway++
					}
				}
				log = append(log, fmt.Sprintf("%v/%d", counts, total))
				if round == 0 {
					// A replay on top records nothing new.
					if out, err := child(ctx, tickArgs(url)...).CombinedOutput(); err != nil {
						t.Fatalf("replay: %v\n%s", err, out)
					} else if !strings.Contains(string(out), "; recorded 0 effects") {
						t.Fatalf("replay recorded effects: %s", out)
					}
				}
			}
			if midway < 3 {
				t.Fatalf("only %d kills landed mid-tick (%v): the test proves too little", midway, log)
			}
			t.Logf("%s: reference tick %s; effects after each kill per round: %v", db.name, full, log)
		})
	}
}

// diffLines shows the first lines that differ.
func diffLines(want, got string) string {
	w, g := strings.Split(want, "\n"), strings.Split(got, "\n")
	for i := 0; i < len(w) || i < len(g); i++ {
		var a, b string
		if i < len(w) {
			a = w[i]
		}
		if i < len(g) {
			b = g[i]
		}
		if a != b {
			return fmt.Sprintf("line %d:\nwant %q\ngot  %q", i+1, a, b)
		}
	}
	return "(identical)"
}
