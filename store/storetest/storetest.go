// Package storetest opens real, migrated databases for tests: a fresh SQLite
// file always, and a fresh PostgreSQL schema when RECOUP_TEST_POSTGRES holds
// a DSN. Under CI=true a missing or unreachable PostgreSQL fails the test
// instead of skipping it, so CI proves both dialects ran.
package storetest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"path/filepath"
	"testing"

	_ "github.com/jackc/pgx/v5/stdlib" // database/sql driver for schema setup

	"github.com/recoup/recoup/store"
)

// EnvPostgres names the variable holding the PostgreSQL test DSN.
const EnvPostgres = "RECOUP_TEST_POSTGRES"

// Each runs fn as a subtest on SQLite and on PostgreSQL, each with its own
// freshly migrated database.
func Each(t *testing.T, fn func(t *testing.T, s *store.Store)) {
	t.Helper()
	for _, d := range []string{store.SQLite, store.Postgres} {
		t.Run(d, func(t *testing.T) {
			var s *store.Store
			if d == store.SQLite {
				s = SQLite(t)
			} else {
				s = Postgres(t)
			}
			fn(t, s)
		})
	}
}

// SQLiteURL returns the URL of a new, empty SQLite file in t's temp dir.
func SQLiteURL(t testing.TB) string {
	return "sqlite:" + filepath.Join(t.TempDir(), "recoup.db")
}

// SQLite opens and migrates a new SQLite database.
func SQLite(t testing.TB) *store.Store {
	t.Helper()
	return Open(t, SQLiteURL(t))
}

// PostgresURL creates a schema of its own for t and returns a DSN whose
// search_path points at it; the schema is dropped when t ends. It skips t
// when no DSN is configured, unless CI=true, where it fails.
func PostgresURL(t testing.TB) string {
	t.Helper()
	dsn := os.Getenv(EnvPostgres)
	if dsn == "" {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s is not set but CI=true: PostgreSQL tests must run in CI", EnvPostgres)
		}
		t.Skipf("%s not set; skipping PostgreSQL", EnvPostgres)
	}
	admin, err := sql.Open("pgx", dsn)
	if err != nil {
		t.Fatalf("postgres: %v", err)
	}
	t.Cleanup(func() { admin.Close() })
	if err := admin.Ping(); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("PostgreSQL at %s unreachable: %v", EnvPostgres, err)
		}
		t.Skipf("PostgreSQL unreachable: %v", err)
	}
	var b [6]byte
	_, _ = rand.Read(b[:])
	schema := "t_" + hex.EncodeToString(b[:])
	if _, err := admin.Exec("CREATE SCHEMA " + schema); err != nil {
		t.Fatalf("creating schema: %v", err)
	}
	t.Cleanup(func() { _, _ = admin.Exec("DROP SCHEMA " + schema + " CASCADE") })
	u, err := url.Parse(dsn)
	if err != nil {
		t.Fatalf("parsing %s: %v", EnvPostgres, err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

// Postgres opens and migrates a fresh PostgreSQL schema (see PostgresURL).
func Postgres(t testing.TB) *store.Store {
	t.Helper()
	return Open(t, PostgresURL(t))
}

// Open opens and migrates the database at u (from SQLiteURL, PostgresURL
// or EachDialect's fresh); it is closed when t ends.
func Open(t testing.TB, u string) *store.Store {
	t.Helper()
	ctx := context.Background()
	s, err := store.Open(ctx, u)
	if err != nil {
		t.Fatalf("open %s: %v", u, err)
	}
	t.Cleanup(func() { s.Close() })
	if _, err := s.Migrate(ctx); err != nil {
		t.Fatalf("migrate: %v", err)
	}
	return s
}

// EachDialect runs fn as parallel subtests named sqlite and postgres; fresh
// returns the URL of a new, empty database of that dialect (not migrated)
// each time it is called, for tests that drive the command line.
func EachDialect(t *testing.T, fn func(t *testing.T, fresh func(testing.TB) string)) {
	t.Helper()
	for _, d := range []struct {
		name string
		url  func(testing.TB) string
	}{{store.SQLite, SQLiteURL}, {store.Postgres, PostgresURL}} {
		t.Run(d.name, func(t *testing.T) {
			t.Parallel()
			fn(t, d.url)
		})
	}
}

// EachURL is EachDialect with one new database per subtest.
func EachURL(t *testing.T, fn func(t *testing.T, url string)) {
	t.Helper()
	EachDialect(t, func(t *testing.T, fresh func(testing.TB) string) { fn(t, fresh(t)) })
}
