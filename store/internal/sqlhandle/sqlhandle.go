// Package sqlhandle passes the store's connection pool to store/storetest,
// and to nothing else: only packages under store/ may import an internal
// package, so tests can arrange and tamper with rows directly while the
// store's public API offers no SQL.
package sqlhandle

import "database/sql"

// Of returns the pool of a *store.Store and its placeholder rewriter; the
// store sets it when it is initialised.
var Of func(s any) (db *sql.DB, rebind func(string) string, dialect string)
