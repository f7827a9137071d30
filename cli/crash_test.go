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
			for _, k := range []string{"users", "customers", "invoices", "payments"} {
				importCSV(t, ctx, url, k, filepath.Join(data, k+".csv"))
			}
			return storetest.Open(t, url)
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
		want := storetest.LedgerRows(t, ref)
		wantEffects := effectCount(t, ref)

		// Several rounds, each on a fresh copy of the data: kill the
		// tick at random moments, then let it finish and compare.
		rng := rand.New(rand.NewPCG(1, 2))
		midway := 0
		var log []string
		for round := 0; round < 5; round++ {
			url := fresh(t)
			s := load(url)
			counts := killTicks(t, ctx, rng, tickArgs(url), 3, full, 0, wantEffects, func() int { return effectCount(t, s) })
			if out, err := child(ctx, tickArgs(url)...).CombinedOutput(); err != nil {
				t.Fatalf("final tick: %v\n%s", err, out)
			}
			if got := storetest.LedgerRows(t, s); got != want {
				t.Fatalf("round %d: after kills (effects %v) the ledger differs from an undisturbed tick:\n%s", round, counts, storetest.DiffLines(want, got))
			}
			midway += midTick(counts, 0, wantEffects)
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

// importCSV imports the kind's file into the database at url as
// `recoup import` does, in the company zone Asia/Shanghai.
func importCSV(t *testing.T, ctx context.Context, url, kind, path string) {
	t.Helper()
	if _, errOut, err := run(t, ctx, "import", kind, path, "--db", url, "--timezone", "Asia/Shanghai"); err != nil {
		t.Fatalf("import %s: %s %v", kind, errOut, err)
	}
}

// effectCount is how many effects s's ledger holds.
func effectCount(t testing.TB, s *store.Store) int {
	t.Helper()
	var n int
	if err := storetest.SQL(s).QueryRow("SELECT COUNT(*) FROM effects").Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// killTicks starts the tick command args kills times and kills it each
// time: the first time anywhere within full (how long an undisturbed run
// took; often before its first commit), each next time once the tick has
// recorded a random share of the effects still missing on top of base
// (the count before the tick) up to want (the count an undisturbed tick
// reaches), so that the kill lands mid-tick however slow the machine is.
// effects counts what is recorded; killTicks returns the count after each
// kill.
func killTicks(t *testing.T, ctx context.Context, rng *rand.Rand, args []string, kills int, full time.Duration, base, want int, effects func() int) []int {
	t.Helper()
	var counts []int
	for k := 0; k < kills; k++ {
		cmd := child(ctx, args...)
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		done := make(chan struct{})
		go func() { _ = cmd.Wait(); close(done) }()
		if k == 0 {
			time.Sleep(time.Duration(rng.Int64N(int64(full))))
		} else if prev := max(effects(), base); prev < want-1 {
			target := prev + 1 + rng.IntN(want-prev-1)
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
	return counts
}

// midTick is how many of counts (effects after each kill) lie strictly
// between base (before the tick) and want (after an undisturbed one): the
// kills that landed mid-tick.
func midTick(counts []int, base, want int) int {
	n := 0
	for _, c := range counts {
		if c > base && c < want {
			n++
		}
	}
	return n
}
