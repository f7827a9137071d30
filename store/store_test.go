package store_test

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"testing"

	"github.com/recoup/recoup/engine"
	"github.com/recoup/recoup/store"
	"github.com/recoup/recoup/store/storetest"
)

func TestMigrateUpDownUp(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		if err := s.Ready(ctx); err != nil {
			t.Fatalf("Ready after migrate: %v", err)
		}
		if err := s.MigrateDown(ctx); err != nil {
			t.Fatalf("down: %v", err)
		}
		if err := s.Ready(ctx); !errors.Is(err, store.ErrNotReady) {
			t.Fatalf("Ready after down = %v, want ErrNotReady", err)
		}
		applied, err := s.Migrate(ctx)
		if err != nil || len(applied) == 0 {
			t.Fatalf("up again: %v %v", applied, err)
		}
		if again, err := s.Migrate(ctx); err != nil || len(again) != 0 {
			t.Fatalf("second up applied %v, %v; want nothing", again, err)
		}
	})
}

func TestEnsureCompany(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		if _, err := s.EnsureCompany(ctx, engine.Company{Name: "X", TimeZone: "Mars/Base", Currency: "XYZ", TickTime: "9am"}); err == nil {
			t.Fatal("invalid company accepted")
		} else if got, want := err.Error(), "company time zone \"Mars/Base\" is not an IANA zone (e.g. Asia/Shanghai)\ncompany currency \"XYZ\" is not a supported ISO 4217 code\ncompany tick time \"9am\": want HH:MM"; got != want {
			t.Fatalf("error\n got %q\nwant %q", got, want)
		}
		c, err := s.EnsureCompany(ctx, engine.Company{Name: "Acme", TimeZone: "Asia/Shanghai", Currency: "CNY", TickTime: "09:00"})
		if err != nil {
			t.Fatal(err)
		}
		again, err := s.EnsureCompany(ctx, engine.Company{Name: "Other", TimeZone: "UTC", Currency: "USD", TickTime: "10:00"})
		if err != nil || again != c {
			t.Fatalf("second EnsureCompany = %+v, %v; want the first %+v", again, err, c)
		}
	})
}

func TestOpenRejectsUnknownURL(t *testing.T) {
	t.Parallel()
	_, err := store.Open(context.Background(), "mysql://u:secret@h/db")
	if err == nil || err.Error() != `database URL "mysql://u:xxxxx@h/db": want sqlite:PATH or postgres://…` {
		t.Fatalf("got %v", err)
	}
}

// TestOpenExplainsBadSQLitePath: what SQLite reports as "unable to open
// database file (14)" is said plainly, and nothing is created.
func TestOpenExplainsBadSQLitePath(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	file := filepath.Join(dir, "file")
	if err := os.WriteFile(file, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ url, want string }{
		{"sqlite:" + dir + "/missing/r.db", "database sqlite:" + dir + "/missing/r.db: directory " + dir + "/missing does not exist (create it first)"},
		{"sqlite:" + dir + "/missing/r.db?_pragma=busy_timeout(1)", "database sqlite:" + dir + "/missing/r.db?_pragma=busy_timeout(1): directory " + dir + "/missing does not exist (create it first)"},
		{"sqlite:" + dir, "database sqlite:" + dir + ": " + dir + " is a directory, not a database file"},
		{"sqlite:" + file + "/r.db", "database sqlite:" + file + "/r.db: " + file + " is not a directory"},
		{"sqlite:file:" + dir + "/missing/r.db?cache=shared", "database sqlite:file:" + dir + "/missing/r.db?cache=shared: directory " + dir + "/missing does not exist (create it first)"},
	} {
		_, err := store.Open(context.Background(), tc.url)
		if err == nil || err.Error() != tc.want {
			t.Errorf("Open(%s):\n got %v\nwant %s", tc.url, err, tc.want)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "missing")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("the missing directory: %v, want it still missing", err)
	}
	// What SQLite opens, these checks let through.
	for _, url := range []string{"sqlite:file:" + dir + "/uri.db?cache=shared", "sqlite:" + dir + "/plain.db", "sqlite::memory:", "sqlite:file:mem?mode=memory&cache=shared"} {
		s, err := store.Open(context.Background(), url)
		if err != nil {
			t.Errorf("Open(%s): %v", url, err)
			continue
		}
		s.Close()
	}
}

func TestSQLiteFile(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		url, path string
		ok        bool
	}{
		{"", "recoup.db", true},
		{"sqlite:var/r.db", "var/r.db", true},
		{"sqlite:///abs/r.db?_pragma=x", "/abs/r.db", true},
		{"sqlite:file:var/r.db?cache=shared", "var/r.db", true},
		{"sqlite::memory:", "", false},
		{"sqlite:file:mem?mode=memory&cache=shared", "", false},
		{"postgres://h/db", "", false},
	} {
		if path, ok := store.SQLiteFile(tc.url); path != tc.path || ok != tc.ok {
			t.Errorf("SQLiteFile(%q) = %q, %v; want %q, %v", tc.url, path, ok, tc.path, tc.ok)
		}
	}
}
