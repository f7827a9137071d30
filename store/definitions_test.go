package store_test

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/recoup/recoup/engine"
	"github.com/recoup/recoup/store"
	"github.com/recoup/recoup/store/storetest"
)

const defV1 = `apiVersion: recoup/v1
kind: Rule
metadata: {name: mark-overdue}
spec:
  on: invoice
  when: invoice.balance > 0 && today > invoice.due_date
  then: [{set: {invoice.status: overdue}}]
---
apiVersion: recoup/v1
kind: Template
metadata: {name: hello}
spec: {body: "Hello {{.customer.name}}"}
`

func docs(t *testing.T, src string) []*engine.Document {
	t.Helper()
	b, err := engine.LoadSources(engine.Source{Name: "defs.yaml", Data: []byte(src)})
	if err != nil {
		t.Fatal(err)
	}
	return b.Documents
}

func outcomes(out []store.ApplyOutcome) string {
	var s []string
	for _, o := range out {
		s = append(s, string(o.Kind)+"/"+o.Name+"@"+strconv.Itoa(o.Version)+":"+o.Action)
	}
	return strings.Join(s, " ")
}

func TestApplyDefinitions(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		now := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
		opt := store.ApplyOptions{By: "admin@example.com", Now: now}

		out, err := s.ApplyDefinitions(ctx, docs(t, defV1), opt)
		if err != nil {
			t.Fatal(err)
		}
		if got := outcomes(out); got != "Rule/mark-overdue@1:created Template/hello@1:created" {
			t.Fatalf("first apply: %s", got)
		}

		// reformatting and comments do not make a new version
		reformatted := "# a comment\n" + strings.Replace(defV1, "then: [{set: {invoice.status: overdue}}]", "then:\n    - set: {invoice.status: overdue}", 1)
		out, err = s.ApplyDefinitions(ctx, docs(t, reformatted), opt)
		if err != nil {
			t.Fatal(err)
		}
		if got := outcomes(out); got != "Rule/mark-overdue@1:unchanged Template/hello@1:unchanged" {
			t.Fatalf("re-apply: %s", got)
		}

		// a changed rule gets version 2; the template is untouched
		v2 := strings.Replace(defV1, "invoice.balance > 0", "invoice.balance > 100", 1)
		out, err = s.ApplyDefinitions(ctx, docs(t, v2), opt)
		if err != nil {
			t.Fatal(err)
		}
		if got := outcomes(out); got != "Rule/mark-overdue@2:created Template/hello@1:unchanged" {
			t.Fatalf("change: %s", got)
		}
		hist, err := s.DefinitionHistory(ctx, engine.KindRule, "mark-overdue")
		if err != nil {
			t.Fatal(err)
		}
		if len(hist) != 2 || hist[0].Status != store.DefinitionPublished || hist[1].Status != store.DefinitionSuperseded || hist[0].CreatedBy != "admin@example.com" {
			t.Fatalf("history %+v", hist)
		}

		// a draft, then publishing the same content
		v3 := strings.Replace(defV1, "invoice.balance > 0", "invoice.balance > 200", 1)
		out, err = s.ApplyDefinitions(ctx, docs(t, v3), store.ApplyOptions{Now: now, Draft: true})
		if err != nil {
			t.Fatal(err)
		}
		if got := outcomes(out); got != "Rule/mark-overdue@3:created Template/hello@1:unchanged" {
			t.Fatalf("draft: %s", got)
		}
		b, err := s.LoadPublished(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if r := b.Rule("mark-overdue"); r == nil || r.Version != 2 || !strings.Contains(r.Spec.When.Src, "> 100") {
			t.Fatalf("published rule %+v", r)
		}
		out, err = s.ApplyDefinitions(ctx, docs(t, v3), opt)
		if err != nil {
			t.Fatal(err)
		}
		if got := outcomes(out); got != "Rule/mark-overdue@3:published Template/hello@1:unchanged" {
			t.Fatalf("publish draft: %s", got)
		}

		// rollback publishes version 1's content as version 4
		o, err := s.RollbackDefinition(ctx, engine.KindRule, "mark-overdue", 1, opt)
		if err != nil {
			t.Fatal(err)
		}
		if o.Version != 4 || o.Action != store.ApplyCreated {
			t.Fatalf("rollback %+v", o)
		}
		pub, err := s.PublishedDefinitions(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(pub) != 2 || pub[0].Version != 4 || pub[0].SourceName() != "Rule/mark-overdue@v4.yaml" || pub[1].Name != "hello" {
			t.Fatalf("published %+v", pub)
		}
		if _, err := s.DefinitionVersion(ctx, engine.KindRule, "mark-overdue", 9); err != store.ErrNotFound {
			t.Fatalf("missing version: %v", err)
		}
	})
}
