package api_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/recoup/recoup/api"
	"github.com/recoup/recoup/engine"
	"github.com/recoup/recoup/store"
	"github.com/recoup/recoup/store/storetest"
)

// TestDecisionOnPausedEscalation: a director deciding an approval whose
// escalation is paused (the invoice disputed) gets a 409 saying so, and the
// approval stays open; it used to answer 200 with no effect, the decision
// waiting unseen.
func TestDecisionOnPausedEscalation(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		f := setup(t, s, api.Options{})
		dir := f.login(director)
		var q struct{ Items []store.InboxTask }
		dir.do("GET", "/api/approvals?limit=500", nil).want(200).decode(&q)
		var a *store.InboxTask
		for i := range q.Items {
			if q.Items[i].Workflow != "" {
				a = &q.Items[i]
				break
			}
		}
		if a == nil {
			t.Fatal("no approval of a workflow open after the first tick")
		}
		ctx := context.Background()
		if _, err := storetest.SQL(s).Exec(storetest.Rebind(s, "UPDATE invoices SET disputed = ? WHERE number = ?"), true, a.Invoice); err != nil {
			t.Fatal(err)
		}
		b := storetest.PublishExamples(t, s, "../rules-examples")
		if _, err := engine.RunTick(ctx, b, s, engine.TickOptions{At: now, Location: shanghai}); err != nil {
			t.Fatal(err)
		}
		p := dir.do("POST", fmt.Sprintf("/api/approvals/%d/decide", a.ID), map[string]any{"values": map[string]any{"decision": "continue", "comment": "one more call next week"}}).want(409).problem()
		if p.Detail == nil || !strings.Contains(*p.Detail, "escalation is paused (dispute)") {
			t.Fatalf("%+v", p)
		}
		if n := f.count("SELECT COUNT(*) FROM tasks WHERE id = ? AND status = 'open'", a.ID); n != 1 {
			t.Fatal("the refused decision closed the approval")
		}
	})
}
