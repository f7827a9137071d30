// Package ingest loads users, customers, invoices and payments from CSV
// (header row) or JSON (an array of objects) into the store. A file is
// all-or-nothing by default: every problem is reported as
// "FILE:row N:column: message" and nothing is written. Rows are keyed by
// their natural key (email, customer id, invoice number, payment reference),
// so re-importing a file changes nothing and changed rows update.
package ingest

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/recoup/recoup/engine"
	"github.com/recoup/recoup/store"
)

// Problem is one thing wrong with an input row.
type Problem struct {
	File    string
	Row     int
	Column  string
	Message string
}

func (p Problem) Error() string {
	return fmt.Sprintf("%s:row %d:%s: %s", p.File, p.Row, p.Column, p.Message)
}

// ErrRejected is returned (wrapped in *RejectedError) when a file had
// problems and nothing was written.
var ErrRejected = errors.New("file rejected")

// RejectedError lists every problem of a rejected file.
type RejectedError struct {
	File     string
	Problems []Problem
}

func (e *RejectedError) Error() string {
	return fmt.Sprintf("%s: %d problem(s); nothing was imported", e.File, len(e.Problems))
}

// Unwrap makes errors.Is(err, ErrRejected) work.
func (e *RejectedError) Unwrap() error { return ErrRejected }

// Summary counts what an import did.
type Summary struct {
	Kind      string
	File      string
	Inserted  int
	Updated   int
	Unchanged int
	Rejected  int       // rows with problems
	Problems  []Problem // every problem, in row order
}

func (s Summary) String() string {
	return fmt.Sprintf("%s (%s): %d inserted, %d updated, %d unchanged, %d rejected",
		s.File, s.Kind, s.Inserted, s.Updated, s.Unchanged, s.Rejected)
}

// Options tune an import.
type Options struct {
	// SkipInvalid imports the good rows and reports the bad ones instead of
	// rejecting the whole file. Default false: all-or-nothing.
	SkipInvalid bool
	// Company supplies the default currency (customer credit limits) and the
	// zone in which dates without a zone (payments' paid_at) are read.
	Company engine.Company
	// Now stamps created_at/updated_at. Default time.Now.
	Now time.Time
	// Until, when set, leaves out payments whose paid_at is after it (they
	// are neither imported nor counted): simulations replay a payments
	// file day by day.
	Until time.Time
}

// Kinds lists what can be imported, in dependency order.
var Kinds = []string{"users", "customers", "invoices", "payments"}

// File imports the CSV or JSON file at path (format by extension) as kind.
func File(ctx context.Context, s *store.Store, kindName, path string, opts Options) (Summary, error) {
	f, err := os.Open(path)
	if err != nil {
		return Summary{Kind: kindName, File: path}, err
	}
	defer f.Close()
	format, err := FormatOf(path)
	if err != nil {
		return Summary{Kind: kindName, File: path}, err
	}
	return Reader(ctx, s, kindName, path, format, f, opts)
}

// FormatOf is the format of the file at path by its extension: csv or json.
func FormatOf(path string) (string, error) {
	switch strings.ToLower(filepath.Ext(path)) {
	case ".csv":
		return "csv", nil
	case ".json":
		return "json", nil
	}
	return "", fmt.Errorf("%s: unknown file type %q: want .csv or .json", path, filepath.Ext(path))
}

// Reader imports from r; name labels problems, format is "csv" or "json".
func Reader(ctx context.Context, s *store.Store, kindName, name, format string, r io.Reader, opts Options) (Summary, error) {
	sum := Summary{Kind: kindName, File: name}
	k, ok := kinds[kindName]
	if !ok {
		return sum, fmt.Errorf("unknown import kind %q: want one of %s", kindName, strings.Join(Kinds, ", "))
	}
	if opts.Now.IsZero() {
		opts.Now = time.Now()
	}
	if opts.Company.Currency == "" {
		opts.Company.Currency = "CNY"
	}
	loc, err := time.LoadLocation(opts.Company.TimeZone)
	if err != nil {
		return sum, fmt.Errorf("company time zone: %w", err)
	}
	var src source
	switch format {
	case "csv":
		cs, err := newCSV(name, r, k)
		if err != nil {
			return sum, err
		}
		if len(cs.header) > 0 {
			sum.Problems = cs.header
			return sum, &RejectedError{File: name, Problems: cs.header}
		}
		src = cs
	case "json":
		js, err := newJSON(name, r, k)
		if err != nil {
			return sum, err
		}
		src = js
	default:
		return sum, fmt.Errorf("unknown format %q", format)
	}

	tx, err := s.BeginBulk(ctx, opts.Now)
	if err != nil {
		return sum, err
	}
	defer tx.Rollback()
	run := &run{ctx: ctx, tx: tx, k: k, opts: opts, loc: loc, file: name, sum: &sum, seen: map[string]int{}}
	if run.users, err = tx.AllUsers(ctx); err != nil {
		return sum, err
	}
	batch := make([]*record, 0, batchSize)
	for {
		rec, err := src.next()
		if err == io.EOF {
			break
		}
		if err != nil {
			// A broken file (bad quoting, invalid JSON) cannot be read on.
			return sum, fmt.Errorf("%s:%w", name, err)
		}
		k.parse(run, rec)
		if rec.later {
			continue
		}
		batch = append(batch, rec)
		if len(batch) == batchSize {
			if err := run.flush(batch); err != nil {
				return sum, err
			}
			batch = batch[:0]
		}
	}
	if err := run.flush(batch); err != nil {
		return sum, err
	}
	if len(sum.Problems) > 0 && !opts.SkipInvalid {
		sum.Inserted, sum.Updated, sum.Unchanged = 0, 0, 0
		return sum, &RejectedError{File: name, Problems: sum.Problems}
	}
	if err := tx.Commit(); err != nil {
		return sum, fmt.Errorf("committing %s: %w", name, err)
	}
	return sum, nil
}

const batchSize = 1000

// run is the state of one import.
type run struct {
	ctx   context.Context
	tx    *store.BulkTx
	k     *kind
	opts  Options
	loc   *time.Location
	file  string
	sum   *Summary
	users map[string]store.UserRef
	seen  map[string]int // natural key → first row
	// customerCache holds customers looked up so far (invoices import).
	customerCache map[string]store.Existing
	// failed is set once any row has a problem; an all-or-nothing import
	// then stops writing but keeps validating to report everything.
	failed bool
}

// problem records a problem on rec.
func (r *run) problem(rec *record, col, format string, args ...any) {
	rec.probs = append(rec.probs, Problem{Row: rec.row, Column: col, Message: fmt.Sprintf(format, args...)})
}

// flush resolves references, classifies and writes one batch, then records
// the batch's problems in row order.
func (r *run) flush(batch []*record) error {
	if len(batch) == 0 {
		return nil
	}
	if err := r.k.resolve(r, batch); err != nil {
		return err
	}
	for _, rec := range batch {
		if len(rec.probs) > 0 {
			r.failed = true
			r.sum.Rejected++
			for _, p := range rec.probs {
				p.File = r.file
				r.sum.Problems = append(r.sum.Problems, p)
			}
		}
	}
	if r.failed && !r.opts.SkipInvalid {
		return nil
	}
	return r.k.write(r, batch)
}

// fingerprint hashes a row's imported content so re-imports can tell
// unchanged rows from changed ones without comparing every column.
func fingerprint(parts ...string) int64 {
	h := fnv.New64a()
	for _, p := range parts {
		h.Write([]byte(p))
		h.Write([]byte{0x1f})
	}
	return int64(h.Sum64())
}

// classify counts rec as inserted, updated or unchanged and reports whether
// it must be written.
func (r *run) classify(ex store.Existing, found bool, hash int64) bool {
	switch {
	case !found:
		r.sum.Inserted++
		return true
	case ex.Hash != hash:
		r.sum.Updated++
		return true
	}
	r.sum.Unchanged++
	return false
}

// checkKey reports a natural key repeated within the file.
func (r *run) checkKey(rec *record, col, key string) {
	if key == "" {
		return
	}
	if first, dup := r.seen[key]; dup {
		r.problem(rec, col, "duplicate %s %q (first on row %d)", col, key, first)
		return
	}
	r.seen[key] = rec.row
}
