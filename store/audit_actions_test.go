package store_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/recoup/recoup/engine"
	"github.com/recoup/recoup/store"
	"github.com/recoup/recoup/store/storetest"
)

// TestAuditActions: each action the store records leaves its row, with
// its actor, record and values, and the chain verifies after all of them.
func TestAuditActions(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		seedDemo(t, s, 20, 120, "2026-11-01")
		storetest.PublishExamples(t, s, "../rules-examples")
		b := examples(t)
		at := time.Date(2026, 11, 1, 9, 0, 0, 0, shanghai)
		st, err := engine.RunTick(ctx, b, s, engine.TickOptions{At: at, Location: shanghai})
		if err != nil {
			t.Fatal(err)
		}
		var taskIDs []int64
		var keys []string
		rows, err := storetest.SQL(s).Query("SELECT id, key FROM tasks WHERE status = 'open' AND assignee_id IS NOT NULL AND kind <> 'approval' ORDER BY id LIMIT 3")
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var id int64
			var key string
			rows.Scan(&id, &key)
			taskIDs, keys = append(taskIDs, id), append(keys, key)
		}
		rows.Close()
		if len(taskIDs) < 3 {
			t.Fatalf("want 3 open assigned tasks, have %d", len(taskIDs))
		}
		later := at.Add(time.Hour)
		const (
			director = "director@demo.recoup.test"
			finance  = "finance1@demo.recoup.test"
		)
		if _, err := s.CommentTask(ctx, taskIDs[0], director, "call them", later); err != nil {
			t.Fatal(err)
		}
		if _, err := s.CommentTask(ctx, 999999, director, "no such task", later); err == nil {
			t.Fatal("a comment on no task was accepted")
		}
		if err := s.ReassignTask(ctx, store.Viewer{Role: store.RoleFinanceDirector}, taskIDs[1], finance, director, "holiday", later); err != nil {
			t.Fatal(err)
		}
		if _, err := s.CompleteTasks(ctx, []store.TaskCompletion{{Key: keys[2], Outcome: map[string]any{"outcome": "done"}, By: director, At: later}}); err != nil {
			t.Fatal(err)
		}
		var number string
		var balance int64
		storetest.SQL(s).QueryRow("SELECT number, balance_minor FROM invoices WHERE balance_minor > 0 ORDER BY id LIMIT 1").Scan(&number, &balance)
		var currency string
		storetest.SQL(s).QueryRow(storetest.Rebind(s, "SELECT currency FROM invoices WHERE number = ?"), number).Scan(&currency)
		if _, err := s.RecordPayment(ctx, store.PaymentIn{Reference: "audit-pay", Invoice: number, AmountMinor: 1, Currency: currency, PaidAt: later, Actor: finance, RequestID: "req-pay"}, later); err != nil {
			t.Fatal(err)
		}
		// A definition drafted, published with a note, then rolled back.
		d1 := "apiVersion: recoup/v1\nkind: Template\nmetadata: {name: audit-t}\nspec:\n  channel: email\n  subject: {en: One}\n  body: {en: Body}\n"
		d2 := strings.Replace(d1, "One", "Two", 1)
		apply := func(src string, opt store.ApplyOptions) {
			t.Helper()
			docs, err := s.ValidateWithPublished(ctx, []engine.Source{{Name: "t.yaml", Data: []byte(src)}})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := s.ApplyDefinitions(ctx, docs, opt); err != nil {
				t.Fatal(err)
			}
		}
		apply(d1, store.ApplyOptions{By: director, Draft: true})
		apply(d1, store.ApplyOptions{By: director, Note: "first"})
		apply(d2, store.ApplyOptions{By: finance, Note: "second"})
		apply(d1, store.ApplyOptions{By: director, Note: "back to one", RollbackTo: 1})
		hist, err := s.DefinitionHistory(ctx, engine.KindTemplate, "audit-t")
		if err != nil {
			t.Fatal(err)
		}
		if len(hist) != 3 || hist[0].PublishedBy != director || hist[0].Note != "back to one" || hist[1].Note != "second" || hist[2].PublishedBy != director {
			t.Fatalf("history: %+v", hist)
		}

		for _, c := range []struct {
			action, actor, entity string
			entityID              int64
			detail, before, after string
		}{
			{"tick.completed", "tick", "tick", st.TickID, `"batches":`, "", ""},
			{"task.comment", director, "task", taskIDs[0], `{"text":"call them"}`, "", ""},
			{"task.reassigned", director, "task", taskIDs[1], `"reason":"holiday"`, `"assignee":`, `{"assignee":"` + finance + `"}`},
			{"task.completed", director, "task", taskIDs[2], `"outcome":{"outcome":"done"}`, `{"status":"open"}`, `{"status":"done"}`},
			{"payment.received", finance, "payment", 0, `"reference":"audit-pay"`, `"status":`, `"balance_minor":`},
			{"definition.drafted", director, "definition", 0, `"version":1`, "", ""},
			{"definition.published", finance, "definition", 0, `"note":"second"`, "", ""},
			{"definition.rolled_back", director, "definition", 0, `"rolled_back_to":1`, "", ""},
		} {
			page, err := s.Audit(ctx, store.AuditFilter{Action: c.action, Actor: c.actor, Limit: 1})
			if err != nil {
				t.Fatal(err)
			}
			if len(page.Items) != 1 {
				t.Errorf("%s by %s: no row", c.action, c.actor)
				continue
			}
			e := page.Items[0]
			compact := func(raw []byte) string {
				return strings.ReplaceAll(strings.ReplaceAll(string(raw), ": ", ":"), ", ", ",")
			}
			if e.Entity != c.entity || (c.entityID != 0 && e.EntityID != c.entityID) || !strings.Contains(compact(e.Detail), c.detail) ||
				!strings.Contains(compact(e.Before), c.before) || !strings.Contains(compact(e.After), c.after) {
				t.Errorf("%s: got %s %d detail %s before %s after %s\nwant %s %d detail ⊇ %s before ⊇ %s after ⊇ %s",
					c.action, e.Entity, e.EntityID, e.Detail, e.Before, e.After, c.entity, c.entityID, c.detail, c.before, c.after)
			}
		}
		if p, _ := s.Audit(ctx, store.AuditFilter{Action: "payment.received", Actor: finance}); len(p.Items) == 1 && p.Items[0].RequestID != "req-pay" {
			t.Errorf("payment request id %q", p.Items[0].RequestID)
		}
		// One row per tick, not one per effect.
		if p, _ := s.Audit(ctx, store.AuditFilter{Action: "tick.completed"}); len(p.Items) != 1 {
			t.Errorf("%d tick rows for one tick", len(p.Items))
		}
		res, err := s.VerifyAudit(ctx)
		if err != nil || !res.OK {
			t.Fatalf("verify: %+v %v", res, err)
		}
	})
}
