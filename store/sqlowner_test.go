package store_test

import (
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// sqlPackages are the imports that speak SQL: database/sql, its driver
// interfaces, the drivers, the ORM and the migration runner. A prefix
// ending in "/" matches the packages under it.
var sqlPackages = []string{
	"database/sql",
	"database/sql/driver",
	"github.com/jackc/pgx/",
	"github.com/jackc/pgconn",
	"github.com/lib/pq",
	"modernc.org/sqlite",
	"github.com/libtnb/sqlite",
	"github.com/mattn/go-sqlite3",
	"gorm.io/",
	"github.com/pressly/goose/",
}

// sqlOwners may import sqlPackages: the store (with store/storetest, which
// hands tests the pool to arrange and tamper with rows) and the migrations.
var sqlOwners = []string{"store/", "migrations/"}

// sqlExceptions are single imports allowed elsewhere, each with its reason.
var sqlExceptions = map[string]string{
	// calendar.Date implements driver.Valuer so that a Date is stored as
	// YYYY-MM-DD text wherever the store passes one; driver.Value is a
	// named type, so the method cannot be declared without the import.
	// The package only names that type: it opens nothing and runs no SQL.
	// (Its Scan method needs no import.)
	"calendar/calendar.go database/sql/driver": "calendar.Date is a driver.Valuer",
}

func isSQLPackage(path string) bool {
	for _, p := range sqlPackages {
		if path == p || path == strings.TrimSuffix(p, "/") || (strings.HasSuffix(p, "/") && strings.HasPrefix(path, p)) {
			return true
		}
	}
	return false
}

// sqlImports lists the imports of the Go file at rel (slash-separated,
// relative to the module) that break the rule "only the store speaks
// SQL".
func sqlImports(fset *token.FileSet, rel string, src any) ([]string, error) {
	for _, o := range sqlOwners {
		if strings.HasPrefix(rel, o) {
			return nil, nil
		}
	}
	f, err := parser.ParseFile(fset, rel, src, parser.ImportsOnly)
	if err != nil {
		return nil, err
	}
	var bad []string
	for _, imp := range f.Imports {
		path, _ := strconv.Unquote(imp.Path.Value)
		if isSQLPackage(path) && sqlExceptions[rel+" "+path] == "" {
			bad = append(bad, path)
		}
	}
	return bad, nil
}

// TestOnlyStoreSpeaksSQL parses every Go file of the module, tests
// included, and fails when a package outside store/ and migrations/
// imports database/sql, a driver or the ORM. Tests count too: a test that
// needs rows the typed operations cannot make, or must tamper with them,
// goes through storetest.SQL, so every raw statement is visibly a test's.
func TestOnlyStoreSpeaksSQL(t *testing.T) {
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(root, "go.mod")); err != nil {
		t.Fatalf("module root not found above store/: %v", err)
	}
	fset := token.NewFileSet()
	files := 0
	err = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		name := d.Name()
		if d.IsDir() {
			if path != root && (strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_") || name == "node_modules" || name == "testdata" || name == "vendor") {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(name, ".go") {
			return nil
		}
		rel, err := filepath.Rel(root, path)
		if err != nil {
			return err
		}
		rel = filepath.ToSlash(rel)
		files++
		src, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		bad, err := sqlImports(fset, rel, src)
		if err != nil {
			return err
		}
		for _, p := range bad {
			t.Errorf("%s imports %s: only store/ speaks SQL; call a typed store operation through an interface declared where it is used (tests: storetest.SQL)", rel, p)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if files < 100 {
		t.Fatalf("walked %d Go files under %s, expected the whole module", files, root)
	}
}

// TestSQLImports shows the rule catches what it should, and only that.
func TestSQLImports(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		rel, src string
		want     []string
	}{
		{"delivery/outbox.go", `package delivery; import "database/sql"`, []string{"database/sql"}},
		{"api/x_test.go", `package api_test; import _ "github.com/jackc/pgx/v5/stdlib"`, []string{"github.com/jackc/pgx/v5/stdlib"}},
		{"cli/serve.go", `package cli; import ("fmt"; "gorm.io/gorm")`, []string{"gorm.io/gorm"}},
		{"engine/x.go", `package engine; import "modernc.org/sqlite"`, []string{"modernc.org/sqlite"}},
		{"engine/x.go", `package engine; import "database/sql/driver"`, []string{"database/sql/driver"}},
		{"calendar/calendar.go", `package calendar; import "database/sql/driver"`, nil},
		{"calendar/calendar.go", `package calendar; import "database/sql"`, []string{"database/sql"}},
		{"store/outbox_claim.go", `package store; import "database/sql"`, nil},
		{"store/storetest/sql.go", `package storetest; import "database/sql"`, nil},
		{"migrations/embed.go", `package migrations; import "github.com/pressly/goose/v3"`, nil},
		{"api/api.go", `package api; import ("database/sqlx"; "github.com/jackc/pgxpool")`, nil},
		{"storefront/x.go", `package storefront; import "database/sql"`, []string{"database/sql"}},
	} {
		got, err := sqlImports(token.NewFileSet(), tc.rel, tc.src)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(got, tc.want) {
			t.Errorf("%s %q: got %q, want %q", tc.rel, tc.src, got, tc.want)
		}
	}
}
