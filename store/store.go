// Package store persists recoup's data with gorm on two dialects: an
// embedded, pure-Go SQLite (the default) and PostgreSQL (production and
// several replicas). The schema comes from the versioned SQL files in
// migrations/, applied with goose; hot paths (bulk import, the tick's scans)
// use plain SQL on the same connection pool.
package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"hash/fnv"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/libtnb/sqlite"
	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"
	"gorm.io/driver/postgres"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"

	"github.com/recoup/recoup/migrations"
)

// Dialects.
const (
	SQLite   = "sqlite"
	Postgres = "postgres"
)

// DefaultURL is the database used when neither --db nor RECOUP_DB is given.
const DefaultURL = "sqlite:recoup.db"

// SQLiteFile is the file of a sqlite: database URL (sqlite:PATH,
// sqlite://PATH or sqlite:file:PATH, without query parameters); ok is
// false for any other URL and for an in-memory database.
func SQLiteFile(dbURL string) (path string, ok bool) {
	if dbURL == "" {
		dbURL = DefaultURL
	}
	rest, ok := strings.CutPrefix(dbURL, "sqlite:")
	if !ok {
		return "", false
	}
	return sqliteFilePath(strings.TrimPrefix(rest, "//"))
}

// sqliteFilePath is the file of a SQLite data source name (a path or a
// file: URI, maybe with query parameters); ok is false for an in-memory
// database.
func sqliteFilePath(dsn string) (path string, ok bool) {
	path, query, _ := strings.Cut(dsn, "?")
	path = strings.TrimPrefix(path, "file:")
	if path == "" || path == ":memory:" || strings.Contains(query, "mode=memory") {
		return "", false
	}
	return path, true
}

// checkSQLiteFile says plainly what SQLite would report as "unable to open
// database file": a database in a directory that does not exist, or a path
// that is a directory.
func checkSQLiteFile(dsn string) error {
	path, ok := sqliteFilePath(dsn)
	if !ok {
		return nil
	}
	if fi, err := os.Stat(path); err == nil && fi.IsDir() {
		return fmt.Errorf("%s is a directory, not a database file", path)
	}
	dir := filepath.Dir(path)
	fi, err := os.Stat(dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return fmt.Errorf("directory %s does not exist (create it first)", dir)
	case err != nil:
		return err
	case !fi.IsDir():
		return fmt.Errorf("%s is not a directory", dir)
	}
	return nil
}

// ErrNotFound is returned when a looked-up row does not exist.
var ErrNotFound = errors.New("not found")

// sqlitePragmas make the embedded database safe for concurrent use: WAL so
// readers never block the writer, a busy timeout instead of SQLITE_BUSY, real
// foreign keys, and BEGIN IMMEDIATE so read-then-write transactions take the
// write lock up front instead of failing to upgrade it. The page cache is
// 4 MiB per connection: a tick uses several connections, and its scans
// and writes are larger than any cache (the operating system's file cache
// serves them); at 16 MiB each the connections a first tick fills with the
// pages it writes held 45 MB more, for the same speed.
const sqlitePragmas = "_pragma=journal_mode(WAL)&_pragma=busy_timeout(10000)&_pragma=foreign_keys(1)&_pragma=synchronous(NORMAL)&_pragma=temp_store(MEMORY)&_pragma=cache_size(-4096)&_txlock=immediate"

// scanPragmas are those of the tick's read-only scan connections (see
// Store.scanDB): a scan reads each page once, so a 1 MiB cache holds the
// B-tree's inner pages and the rest comes from the file cache; with the
// main pool's cache (16 MiB then), each of the tick's parallel readers
// kept its own 16 MiB of pages it would not read again.
const scanPragmas = "_pragma=busy_timeout(10000)&_pragma=query_only(1)&_pragma=temp_store(MEMORY)&_pragma=cache_size(-1024)"

// Store is an open database.
type Store struct {
	gdb   *gorm.DB
	sqlDB *sql.DB
	// scanDB is where the tick reads its batches and customers: on SQLite
	// a pool of its own, read-only, with a small page cache (scanPragmas);
	// on PostgreSQL sqlDB.
	scanDB  *sql.DB
	dialect string
	url     string

	dryRuns   atomic.Int64 // numbers dry runs (BeginTick)
	stmts     sync.Map     // query → *sql.Stmt (queryStmt)
	tickMu    sync.Mutex
	tickCache map[statsKey]*tickCache // per tick: customers and their aggregates
	tickOrder []statsKey              // tickCache's keys, oldest first
	subjects  sync.Pool               // *[]engine.Subject of released tick batches
	instances sync.Pool               // *[]engine.Instance of released tick batches
	// batches read ahead and used, or read again (see readAhead)
	aheadUsed, aheadDropped atomic.Int64
	inbox                   inboxCache // recent inbox pages (SQLite)
	stats                   statsMemo  // the last whole-book customer aggregates (SQLite)
	fewDueTasks             int        // see the constant
	statsPatchMax           int        // see the constant
}

// Open connects to the database named by url: "sqlite:PATH" or
// "postgres://…" / "postgresql://…". It does not migrate.
func Open(ctx context.Context, dbURL string) (*Store, error) {
	if dbURL == "" {
		dbURL = DefaultURL
	}
	var (
		dialector, scanDialector gorm.Dialector
		dialect                  string
	)
	switch {
	case strings.HasPrefix(dbURL, "sqlite:"):
		path := strings.TrimPrefix(dbURL, "sqlite:")
		path = strings.TrimPrefix(path, "//")
		if path == "" {
			return nil, fmt.Errorf("database URL %q: missing file path (e.g. sqlite:recoup.db)", dbURL)
		}
		if err := checkSQLiteFile(path); err != nil {
			return nil, fmt.Errorf("database %s: %w", dbURL, err)
		}
		sep := "?"
		if strings.Contains(path, "?") {
			sep = "&"
		}
		dialector, dialect = sqlite.Open(path+sep+sqlitePragmas), SQLite
		scanDialector = sqlite.Open(path + sep + scanPragmas)
	case strings.HasPrefix(dbURL, "postgres://"), strings.HasPrefix(dbURL, "postgresql://"):
		dialector, dialect = postgres.Open(dbURL), Postgres
	default:
		return nil, fmt.Errorf("database URL %q: want sqlite:PATH or postgres://…", redact(dbURL))
	}
	gdb, err := gorm.Open(dialector, &gorm.Config{
		TranslateError:         true,
		SkipDefaultTransaction: true,
		Logger:                 logger.Discard,
	})
	if err != nil {
		return nil, fmt.Errorf("opening %s: %w", redact(dbURL), err)
	}
	sqlDB, err := gdb.DB()
	if err != nil {
		return nil, err
	}
	if dialect == SQLite {
		// One writer at a time is SQLite's rule; a small pool keeps
		// readers concurrent without piling up blocked writers. Its
		// connections stay open: database/sql keeps 2 idle by default, and
		// under load the others were closed and reopened with a cold page
		// cache (docs/api.md, Performance).
		sqlDB.SetMaxOpenConns(8)
		sqlDB.SetMaxIdleConns(8)
	} else {
		sqlDB.SetMaxOpenConns(20)
	}
	if err := sqlDB.PingContext(ctx); err != nil {
		sqlDB.Close()
		return nil, fmt.Errorf("connecting to %s: %w", redact(dbURL), err)
	}
	scanDB := sqlDB
	if scanDialector != nil {
		sg, err := gorm.Open(scanDialector, &gorm.Config{SkipDefaultTransaction: true, Logger: logger.Discard})
		if err == nil {
			scanDB, err = sg.DB()
		}
		if err != nil {
			sqlDB.Close()
			return nil, fmt.Errorf("opening %s for scans: %w", redact(dbURL), err)
		}
		// One connection per core reads a batch's parts, or the customer
		// aggregates' parts, at once; two more for the customers' halves
		// beside the aggregates (Store.loadCustomers).
		scanDB.SetMaxOpenConns(runtime.GOMAXPROCS(0) + 2)
		scanDB.SetMaxIdleConns(runtime.GOMAXPROCS(0) + 2)
	}
	return &Store{gdb: gdb, sqlDB: sqlDB, scanDB: scanDB, dialect: dialect, url: dbURL, fewDueTasks: fewDueTasks, statsPatchMax: statsPatchMax}, nil
}

// redact hides a password in a database URL so it never reaches a log.
func redact(url string) string {
	scheme, rest, ok := strings.Cut(url, "://")
	if !ok {
		return url
	}
	userinfo, host, ok := strings.Cut(rest, "@")
	if !ok {
		return url
	}
	if user, _, hasPass := strings.Cut(userinfo, ":"); hasPass {
		return scheme + "://" + user + ":xxxxx@" + host
	}
	return url
}

// Close closes the pool.
func (s *Store) Close() error {
	s.stmts.Range(func(_, v any) bool {
		v.(*sql.Stmt).Close()
		return true
	})
	if s.scanDB != s.sqlDB {
		s.scanDB.Close()
	}
	return s.sqlDB.Close()
}

// queryStmt runs query (rebound already) through a statement prepared once
// and kept, on q (the pool or a transaction): the tick runs the same few
// queries for each of hundreds of batches, and preparing one costs as
// much as reading hundreds of rows.
func (s *Store) queryStmt(ctx context.Context, q querier, query string, args ...any) (*sql.Rows, error) {
	db := s.sqlDB
	if q == s.scanDB {
		db = s.scanDB
	}
	st, err := s.stmtOn(ctx, db, query)
	if err != nil {
		return nil, err
	}
	if tx, ok := q.(*sql.Tx); ok {
		return tx.StmtContext(ctx, st).QueryContext(ctx, args...)
	}
	return st.QueryContext(ctx, args...)
}

// queryRow runs a one-row query through its cached prepared statement
// (hot per-request lookups: no SQL parsing each time).
func (s *Store) queryRow(ctx context.Context, query string, args ...any) *sql.Row {
	st, err := s.stmt(ctx, query)
	if err != nil {
		// sql.Row carries no error of its own making: let the pool
		// report it the usual way.
		return s.sqlDB.QueryRowContext(ctx, query, args...)
	}
	return st.QueryRowContext(ctx, args...)
}

func (s *Store) stmt(ctx context.Context, query string) (*sql.Stmt, error) {
	return s.stmtOn(ctx, s.sqlDB, query)
}

// stmtKey names a prepared statement: its pool and its text.
type stmtKey struct {
	db    *sql.DB
	query string
}

func (s *Store) stmtOn(ctx context.Context, db *sql.DB, query string) (*sql.Stmt, error) {
	key := stmtKey{db, query}
	if v, ok := s.stmts.Load(key); ok {
		return v.(*sql.Stmt), nil
	}
	st, err := db.PrepareContext(ctx, query)
	if err != nil {
		return nil, err
	}
	if v, loaded := s.stmts.LoadOrStore(key, st); loaded {
		st.Close()
		return v.(*sql.Stmt), nil
	}
	return st, nil
}

func (s *Store) migrator() (*goose.Provider, error) {
	sub, err := fs.Sub(migrations.FS, s.dialect)
	if err != nil {
		return nil, err
	}
	// Migrations written side by side may land in another order than their
	// numbers (each is independent of the ones it does not name): a
	// database that has a later one still gets an earlier one it lacks.
	opts := []goose.ProviderOption{goose.WithAllowOutofOrder(true)}
	gooseDialect := goose.DialectSQLite3
	if s.dialect == Postgres {
		gooseDialect = goose.DialectPostgres
		// Replicas starting together must not run the same migration twice.
		// The lock is database-wide; a per-schema id lets databases that
		// share a server through different search_paths migrate at once.
		var lockOpts []lock.SessionLockerOption
		if u, err := url.Parse(s.url); err == nil {
			if sp := u.Query().Get("search_path"); sp != "" {
				h := fnv.New64a()
				h.Write([]byte("recoup-migrate:" + sp))
				lockOpts = append(lockOpts, lock.WithLockID(int64(h.Sum64())))
			}
		}
		locker, err := lock.NewPostgresSessionLocker(append(lockOpts, lock.WithLockTimeout(1, 300))...)
		if err != nil {
			return nil, err
		}
		opts = append(opts, goose.WithSessionLocker(locker))
	}
	return goose.NewProvider(gooseDialect, s.sqlDB, sub, opts...)
}

// Migrate applies every pending migration and returns the versions applied.
// It never calls the provider's Close, which would close our pool.
func (s *Store) Migrate(ctx context.Context) ([]int64, error) {
	p, err := s.migrator()
	if err != nil {
		return nil, err
	}
	results, err := p.Up(ctx)
	if err != nil {
		return nil, fmt.Errorf("migrating: %w", err)
	}
	if err := s.ensureAuditChained(ctx); err != nil {
		return nil, fmt.Errorf("chaining the audit log: %w", err)
	}
	if err := s.prepareAudit(ctx); err != nil {
		return nil, err
	}
	applied := make([]int64, 0, len(results))
	for _, r := range results {
		applied = append(applied, r.Source.Version)
	}
	return applied, nil
}

// MigrateDown rolls back every migration (tests use it to prove Down works).
func (s *Store) MigrateDown(ctx context.Context) error {
	p, err := s.migrator()
	if err != nil {
		return err
	}
	_, err = p.DownTo(ctx, 0)
	return err
}

// ErrNotReady is returned by Ready when migrations are pending.
var ErrNotReady = errors.New("database has pending migrations")

// Ready reports nil when the database answers and every migration is applied.
func (s *Store) Ready(ctx context.Context) error {
	if err := s.sqlDB.PingContext(ctx); err != nil {
		return fmt.Errorf("database unreachable: %w", err)
	}
	p, err := s.migrator()
	if err != nil {
		return err
	}
	pending, err := p.HasPending(ctx)
	if err != nil {
		return fmt.Errorf("checking migrations: %w", err)
	}
	if pending {
		return ErrNotReady
	}
	return nil
}

// rebind turns the portable "?" placeholders of query into "$1, $2 …" on
// PostgreSQL. Queries must not contain a literal "?".
func (s *Store) rebind(query string) string {
	if s.dialect != Postgres {
		return query
	}
	var b strings.Builder
	b.Grow(len(query) + 16)
	n := 0
	for i := 0; i < len(query); i++ {
		if query[i] == '?' {
			n++
			fmt.Fprintf(&b, "$%d", n)
			continue
		}
		b.WriteByte(query[i])
	}
	return b.String()
}
