package store_test

import (
	"context"
	"encoding/json"
	"reflect"
	"testing"
	"time"

	"github.com/recoup/recoup/store"
	"github.com/recoup/recoup/store/storetest"
)

// TestReplaceDefinitionTests: the stored test files become exactly the set
// given; an unchanged file keeps who changed it and when; every change is
// audited with its paths, and a replace that changes nothing is not.
func TestReplaceDefinitionTests(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		day1 := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
		o, err := s.ReplaceDefinitionTests(ctx, []store.DefinitionTest{
			{Path: "tests/a.test.yaml", Source: "a1"}, {Path: "tests/b.test.yaml", Source: "b1"},
		}, store.ApplyOptions{By: "ann@example.com", Now: day1})
		if want := (store.TestsOutcome{Added: []string{"tests/a.test.yaml", "tests/b.test.yaml"}}); err != nil || !reflect.DeepEqual(o, want) {
			t.Fatalf("first: %+v %v", o, err)
		}
		day2 := day1.AddDate(0, 0, 1)
		o, err = s.ReplaceDefinitionTests(ctx, []store.DefinitionTest{
			{Path: "tests/b.test.yaml", Source: "b1"}, {Path: "tests/workflows/c.test.yaml", Source: "c1"},
			{Path: "tests/a.test.yaml", Source: "a2"},
		}, store.ApplyOptions{By: "bob@example.com", Now: day2})
		if want := (store.TestsOutcome{Added: []string{"tests/workflows/c.test.yaml"}, Changed: []string{"tests/a.test.yaml"}, Unchanged: 1}); err != nil || !reflect.DeepEqual(o, want) {
			t.Fatalf("second: %+v %v", o, err)
		}
		o, err = s.ReplaceDefinitionTests(ctx, []store.DefinitionTest{{Path: "tests/a.test.yaml", Source: "a2"}}, store.ApplyOptions{By: "bob@example.com", Now: day2})
		if want := (store.TestsOutcome{Removed: []string{"tests/b.test.yaml", "tests/workflows/c.test.yaml"}, Unchanged: 1}); err != nil || !reflect.DeepEqual(o, want) {
			t.Fatalf("third: %+v %v", o, err)
		}
		if o, err := s.ReplaceDefinitionTests(ctx, []store.DefinitionTest{{Path: "tests/a.test.yaml", Source: "a2"}}, store.ApplyOptions{By: "eve@example.com", Now: day2.AddDate(0, 0, 1)}); err != nil || o.Unchanged != 1 {
			t.Fatalf("unchanged: %+v %v", o, err)
		}
		got, err := s.DefinitionTests(ctx)
		if err != nil || len(got) != 1 || got[0].Path != "tests/a.test.yaml" || got[0].Source != "a2" || got[0].UpdatedBy != "bob@example.com" || !got[0].UpdatedAt.Equal(day2) {
			t.Fatalf("stored %+v %v", got, err)
		}
		page, err := s.Audit(ctx, store.AuditFilter{Action: store.ActionDefinitionTestsReplaced})
		if err != nil || len(page.Items) != 3 {
			t.Fatalf("audit %+v %v, want 3 entries", page.Items, err)
		}
		// compared as JSON values: PostgreSQL's jsonb orders and spaces keys its own way
		var detail map[string]any
		if err := json.Unmarshal(page.Items[0].Detail, &detail); err != nil {
			t.Fatal(err)
		}
		want := map[string]any{"added": []any{}, "changed": []any{}, "note": "", "removed": []any{"tests/b.test.yaml", "tests/workflows/c.test.yaml"}}
		if !reflect.DeepEqual(detail, want) || page.Items[0].Actor != "bob@example.com" {
			t.Errorf("last audit entry %s by %s", page.Items[0].Detail, page.Items[0].Actor)
		}
	})
}
