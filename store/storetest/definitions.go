package storetest

import (
	"context"
	"testing"

	"github.com/recoup/recoup/engine"
	"github.com/recoup/recoup/store"
)

// PublishExamples publishes the definitions under dir (rules-examples) in s,
// as `recoup apply` does (a no-op when they already are), and returns the
// published bundle, as a server ticks it.
func PublishExamples(t testing.TB, s *store.Store, dir string) *engine.Bundle {
	t.Helper()
	ctx := context.Background()
	srcs, err := engine.ReadPaths(dir)
	if err != nil {
		t.Fatal(err)
	}
	docs, err := s.ValidateWithPublished(ctx, srcs)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.ApplyDefinitions(ctx, docs, store.ApplyOptions{By: "test"}); err != nil {
		t.Fatal(err)
	}
	b, err := s.LoadPublished(ctx)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
