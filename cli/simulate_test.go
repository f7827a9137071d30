package cli

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/recoup/recoup/calendar"
	"github.com/recoup/recoup/store/storetest"
)

var update = flag.Bool("update", false, "rewrite golden files")

// TestSimulateEscalationGolden runs `recoup simulate` with the example pack
// over 60 days of generated data and compares the whole effect stream with
// a golden timeline; it also checks the source documents' four stages land
// on the right days for every invoice that falls overdue during the run.
func TestSimulateEscalationGolden(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	data := t.TempDir()
	if _, _, err := run(t, ctx, "gen", "--out", data, "--customers", "12", "--invoices", "40", "--seed", "21", "--today", "2026-10-01"); err != nil {
		t.Fatal(err)
	}
	out, errOut, err := run(t, ctx, "simulate", "--rules", "../rules-examples", "--data", data, "--from", "2026-10-01", "--to", "2026-11-29",
		"--timezone", "Asia/Shanghai", "--json")
	if err != nil {
		t.Fatalf("simulate: %v\n%s", err, errOut)
	}
	golden := filepath.Join("testdata", "simulate-60days.golden")
	if *update {
		if err := os.WriteFile(golden, []byte(out), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if out != string(want) {
		t.Errorf("timeline differs from %s (rerun with -update after checking):\n%s", golden, storetest.DiffLines(string(want), out))
	}

	// The stages by days overdue, for invoices due during the run.
	due := map[string]calendar.Date{}
	f, err := os.ReadFile(filepath.Join(data, "invoices.csv"))
	if err != nil {
		t.Fatal(err)
	}
	rows, _ := csv.NewReader(bytes.NewReader(f)).ReadAll()
	for _, r := range rows[1:] {
		due[r[0]] = calendar.MustParse(r[5])
	}
	stageDay := map[string]int{"reminder": 1, "call": 8, "review": 16, "decision": 31}
	checked := map[string]int{}
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		var e effectLine
		if err := json.Unmarshal([]byte(line), &e); err != nil {
			t.Fatal(err)
		}
		d, ok := due[e.Invoice]
		if !ok || e.Kind != "node" || e.Event != "entered" || d.Before(calendar.MustParse("2026-10-01")) {
			continue
		}
		if overdue := calendar.MustParse(e.Date).DaysSince(d); overdue != stageDay[e.Node] {
			t.Errorf("%s entered %s on %s, %d days overdue; want day %d", e.Invoice, e.Node, e.Date, overdue, stageDay[e.Node])
		}
		checked[e.Node]++
	}
	for node := range stageDay {
		if checked[node] == 0 {
			t.Errorf("no invoice reached %s during the run", node)
		}
	}
	t.Logf("stages checked: %v", checked)
}
