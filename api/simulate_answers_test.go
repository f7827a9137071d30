package api_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/recoup/recoup/api"
	"github.com/recoup/recoup/store"
	"github.com/recoup/recoup/store/storetest"
)

// simDay is a simulated day's effects as the API returns them.
type simDay struct {
	Date    string
	Effects []struct {
		Invoice, Kind, Rule, Node, Event, Field, Value, Reason string
	}
}

// nodeEvents lists a simulation's workflow events as "DATE NODE EVENT".
func nodeEvents(days []simDay) []string {
	var out []string
	for _, d := range days {
		for _, e := range d.Effects {
			if e.Kind == "node" {
				out = append(out, d.Date+" "+e.Node+" "+e.Event)
			}
		}
	}
	return out
}

// TestSimulateAnswers: a simulation answers the call task — a promise to
// pay makes the escalation wait until the promised date, a dispute pauses
// it — and refuses answers the form or the day would refuse.
func TestSimulateAnswers(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		f := setup(t, s, api.Options{})
		var number, dueText string
		storetest.SQL(s).QueryRow(`SELECT i.number, i.due_date FROM invoices i JOIN customers c ON c.id = i.customer_id
			WHERE i.balance_minor > 0 AND i.due_date >= '2026-11-05' AND i.owner_id IS NOT NULL AND i.plan_id IS NULL
			AND c.do_not_contact = FALSE AND i.disputed = FALSE AND i.hold = '' ORDER BY i.due_date, i.id LIMIT 1`).Scan(&number, &dueText)
		if number == "" {
			t.Fatal("no invoice due after 2026-11-05")
		}
		due, _ := time.Parse("2006-01-02", dueText[:10])
		day := func(n int) string { return due.AddDate(0, 0, n).Format("2006-01-02") }
		fin := f.login(finance)
		before := f.ledger()
		simulate := func(answers ...map[string]any) []simDay {
			t.Helper()
			var sim struct{ Days []simDay }
			if answers == nil {
				answers = []map[string]any{}
			}
			fin.do("POST", "/api/simulate", map[string]any{"invoices": []string{number}, "from": "2026-11-01", "to": day(40), "answers": answers}).
				want(200).decode(&sim)
			return sim.Days
		}
		has := func(events []string, want string) bool {
			for _, e := range events {
				if e == want {
					return true
				}
			}
			return false
		}

		unanswered := nodeEvents(simulate())
		if !has(unanswered, day(8)+" call entered") || !has(unanswered, day(16)+" review entered") {
			t.Fatalf("without answers: %v", unanswered)
		}

		// Called on day 9, promised for day 19: the escalation waits, and
		// moves on to the review only once the promised date has passed
		// unpaid (day 20), not on day 16.
		promised := simulate(map[string]any{"invoice": number, "day": day(9), "node": "call",
			"values": map[string]any{"outcome": "promised", "promised_date": day(19)}})
		events := nodeEvents(promised)
		if !has(events, day(9)+" call waiting") || has(events, day(16)+" review entered") || !has(events, day(20)+" review entered") {
			t.Fatalf("promised: %v", events)
		}
		for _, d := range promised {
			for _, e := range d.Effects {
				if e.Kind == "node" && e.Event == "waiting" && !strings.Contains(e.Reason, day(19)) {
					t.Fatalf("waiting %q, want until %s", e.Reason, day(19))
				}
			}
		}

		// Disputed on day 9: paused for the dispute, the invoice marked
		// disputed, and no later stage.
		disputed := simulate(map[string]any{"invoice": number, "day": day(9), "node": "call",
			"values": map[string]any{"outcome": "disputed", "dispute_reason": "wrong quantity"}})
		events = nodeEvents(disputed)
		if !has(events, day(9)+" call paused") || has(events, day(16)+" review entered") {
			t.Fatalf("disputed: %v", events)
		}
		setDisputed := false
		for _, d := range disputed {
			for _, e := range d.Effects {
				setDisputed = setDisputed || (d.Date == day(9) && e.Kind == "set" && e.Field == "invoice.disputed" && e.Value == "true")
			}
		}
		if !setDisputed {
			t.Fatalf("the dispute did not mark the invoice: %+v", disputed)
		}
		if after := f.ledger(); after != before {
			t.Fatalf("simulating wrote: %s → %s", before, after)
		}

		wrong := []struct {
			name   string
			answer map[string]any
			fields string
		}{
			{"a promise without its date", map[string]any{"invoice": number, "day": day(9), "node": "call", "values": map[string]any{"outcome": "promised"}},
				"/answers/0/values/promised_date: "},
			{"a promise in the past", map[string]any{"invoice": number, "day": day(9), "node": "call",
				"values": map[string]any{"outcome": "promised", "promised_date": day(2)}},
				"/answers/0/values/promised_date: The promised date cannot be in the past"},
			{"before the call", map[string]any{"invoice": number, "day": day(3), "node": "call", "values": map[string]any{"outcome": "refused"}},
				fmt.Sprintf("/answers/0/node: on %s invoice %s has no open task or approval of node \"call\" to answer", day(3), number)},
			{"no such node", map[string]any{"invoice": number, "day": day(9), "node": "calls", "values": map[string]any{}},
				"/answers/0/node: no workflow has a node \"calls\""},
			{"another invoice", map[string]any{"invoice": "NO-SUCH", "day": day(9), "node": "call", "values": map[string]any{}},
				"/answers/0/invoice: invoice \"NO-SUCH\" is not one of the simulated invoices"},
			{"outside the range", map[string]any{"invoice": number, "day": day(41), "node": "call", "values": map[string]any{}},
				"/answers/0/day: "},
		}
		for _, w := range wrong {
			p := fin.do("POST", "/api/simulate", map[string]any{"invoices": []string{number}, "from": "2026-11-01", "to": day(40),
				"answers": []map[string]any{w.answer}}).want(422).problem()
			if got := fields(p); !strings.HasPrefix(got, w.fields) {
				t.Errorf("%s: %s, want %s…", w.name, got, w.fields)
			}
		}
	})
}
