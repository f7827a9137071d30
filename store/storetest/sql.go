package storetest

import (
	"database/sql"

	"github.com/recoup/recoup/store"
	"github.com/recoup/recoup/store/internal/sqlhandle"
)

// SQL is s's connection pool, for tests that arrange rows or tamper with
// them directly. Production code has no such door: it calls the store's
// typed operations.
func SQL(s *store.Store) *sql.DB {
	db, _, _ := sqlhandle.Of(s)
	return db
}

// Rebind turns the portable "?" placeholders of query into s's dialect's.
func Rebind(s *store.Store, query string) string {
	_, rebind, _ := sqlhandle.Of(s)
	return rebind(query)
}

// Dialect is s's dialect: store.SQLite or store.Postgres.
func Dialect(s *store.Store) string {
	_, _, d := sqlhandle.Of(s)
	return d
}
