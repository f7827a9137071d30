package cli

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
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

// TestTickKilledAndRerunEffectsExactlyOnce kills `recoup tick` at random
// moments, many times, then lets it finish, and compares everything it
// recorded with a database that ticked once, undisturbed.
func TestTickKilledAndRerunEffectsExactlyOnce(t *testing.T) {
	t.Parallel()
	storetest.EachDialect(t, func(t *testing.T, fresh func(testing.TB) string) {
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

		refURL := fresh(t)
		ref := load(refURL)
		start := time.Now()
		if out, err := child(ctx, tickArgs(refURL)...).CombinedOutput(); err != nil {
			t.Fatalf("reference tick: %v\n%s", err, out)
		}
		full := time.Since(start)
		want := storetest.Ledger(t, ref)
		var wantEffects int
		if err := storetest.SQL(ref).QueryRow("SELECT COUNT(*) FROM effects").Scan(&wantEffects); err != nil {
			t.Fatal(err)
		}

		// Several rounds, each on a fresh copy of the data: kill the
		// tick at random moments, then let it finish and compare.
		rng := rand.New(rand.NewPCG(1, 2))
		midway := 0
		var log []string
		for round := 0; round < 5; round++ {
			url := fresh(t)
			s := load(url)
			var counts []int // effects recorded after each kill
			effects := func() int {
				var n int
				if err := storetest.SQL(s).QueryRow("SELECT COUNT(*) FROM effects").Scan(&n); err != nil {
					t.Fatal(err)
				}
				return n
			}
			for k := 0; k < 3; k++ {
				cmd := child(ctx, tickArgs(url)...)
				if err := cmd.Start(); err != nil {
					t.Fatal(err)
				}
				done := make(chan struct{})
				go func() { _ = cmd.Wait(); close(done) }()
				if k == 0 {
					// Anywhere, often before the first commit.
					time.Sleep(time.Duration(rng.Int64N(int64(full))))
				} else if prev := effects(); prev < wantEffects-1 {
					// Once the tick has recorded a random share of what is
					// left, so the kill lands mid-tick however slow the
					// machine is.
					target := prev + 1 + rng.IntN(wantEffects-prev-1)
					for effects() < target {
						select {
						case <-done:
						case <-time.After(time.Millisecond):
							continue
						}
						break
					}
				}
				_ = cmd.Process.Kill()
				<-done
				counts = append(counts, effects())
			}
			if out, err := child(ctx, tickArgs(url)...).CombinedOutput(); err != nil {
				t.Fatalf("final tick: %v\n%s", err, out)
			}
			if got := storetest.Ledger(t, s); got != want {
				t.Fatalf("round %d: after kills (effects %v) the ledger differs from an undisturbed tick:\n%s", round, counts, storetest.DiffLines(want, got))
			}
			for _, n := range counts {
				if n > 0 && n < wantEffects {
					midway++
				}
			}
			log = append(log, fmt.Sprintf("%v/%d", counts, wantEffects))
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
		t.Logf("reference tick %s; effects after each kill per round: %v", full, log)
	})
}
