package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/recoup/recoup/calendar"
)

// TestSimulateAnswers: `recoup simulate --answers` answers the call of an
// invoice with a promise, and the escalation waits; a wrong answer is
// refused naming it and the field.
func TestSimulateAnswers(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	data := t.TempDir()
	if _, _, err := run(t, ctx, "gen", "--out", data, "--customers", "12", "--invoices", "40", "--seed", "21", "--today", "2026-10-01"); err != nil {
		t.Fatal(err)
	}
	simulate := func(extra ...string) ([]effectLine, string, error) {
		args := append([]string{"simulate", "--rules", "../rules-examples", "--data", data, "--from", "2026-10-01", "--to", "2026-11-10",
			"--timezone", "Asia/Shanghai", "--json"}, extra...)
		out, errOut, err := run(t, ctx, args...)
		var lines []effectLine
		for _, l := range strings.Split(strings.TrimSpace(out), "\n") {
			var e effectLine
			if l != "" && json.Unmarshal([]byte(l), &e) == nil {
				lines = append(lines, e)
			}
		}
		return lines, errOut, err
	}
	plain, errOut, err := simulate()
	if err != nil {
		t.Fatalf("%v\n%s", err, errOut)
	}
	var invoice string
	var called calendar.Date
	for _, e := range plain {
		if e.Kind == "node" && e.Node == "call" && e.Event == "entered" {
			invoice, called = e.Invoice, calendar.MustParse(e.Date)
			break
		}
	}
	if invoice == "" {
		t.Fatal("no invoice reached the call")
	}
	answer := func(values string) string {
		path := filepath.Join(t.TempDir(), "answers.yaml")
		text := fmt.Sprintf("- {invoice: %s, day: %s, node: call, values: %s}\n", invoice, called.AddDays(1), values)
		if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		return path
	}
	promised := called.AddDays(11)
	got, errOut, err := simulate("--answers", answer(fmt.Sprintf("{outcome: promised, promised_date: %s}", promised)))
	if err != nil {
		t.Fatalf("%v\n%s", err, errOut)
	}
	waits := false
	for _, e := range got {
		waits = waits || (e.Invoice == invoice && e.Kind == "node" && e.Node == "call" && e.Event == "waiting" && e.Date == called.AddDays(1).String())
	}
	if !waits {
		t.Fatalf("%s promised on %s: the escalation does not wait", invoice, called.AddDays(1))
	}
	_, _, err = simulate("--answers", answer("{outcome: promised}"))
	if err == nil || !strings.Contains(err.Error(), "answers[0].values: ") || !strings.Contains(err.Error(), "promised_date") {
		t.Fatalf("a promise without its date: %v", err)
	}
}
