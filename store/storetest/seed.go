package storetest

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/recoup/recoup/demo"
	"github.com/recoup/recoup/engine"
	"github.com/recoup/recoup/ingest"
	"github.com/recoup/recoup/store"
)

// SeedDemo writes the demo generator's data for o (users, customers,
// invoices, payments) to a temporary directory and imports it into s, as
// `recoup import` would for company.
func SeedDemo(t testing.TB, s *store.Store, o demo.Options, company engine.Company) {
	t.Helper()
	dir := t.TempDir()
	if err := demo.Generate(dir, o); err != nil {
		t.Fatal(err)
	}
	for _, k := range ingest.Kinds {
		if _, err := ingest.File(context.Background(), s, k, filepath.Join(dir, k+".csv"), ingest.Options{Company: company}); err != nil {
			t.Fatalf("import %s: %v", k, err)
		}
	}
}
