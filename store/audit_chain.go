package store

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"strings"
	"time"
)

// The audit log is a hash chain. Each row stores prev_hash, the hash of the
// row before it (auditGenesis for the first), and hash:
//
//	hash = hex(SHA-256(prev_hash ‖ canonical row))
//
// where the canonical row is the JSON array
//
//	["recoup-audit/1", id, at, actor, action, entity, entity_id, invoice_id,
//	 detail, before, after, request_id]
//
// at is UTC with exactly six fractional digits (2006-01-02T15:04:05.000000Z,
// microseconds being what PostgreSQL keeps); entity_id and invoice_id are
// numbers or null; detail, before and after are JSON values (null when
// absent) in canonical form: object keys sorted, no insignificant space,
// numbers as written except that exponents are expanded (PostgreSQL's
// JSONB prints 1e3 as 1000). A JSON array cannot be read two ways, so no two
// different rows have the same canonical form.
//
// Every row is written by appendAudit inside its caller's transaction, which
// first locks the one-row audit_head table (FOR UPDATE on PostgreSQL; on
// SQLite the store's transactions begin IMMEDIATE, so a writer already holds
// the database's write lock). Ids are assigned from the head, so the chain's
// order is the ids' order, and UNIQUE (prev_hash) refuses a second row
// claiming the same predecessor. VerifyAudit walks the chain.

// auditGenesis is the prev_hash of the chain's first row.
var auditGenesis = strings.Repeat("0", 64)

// auditFormat names the canonical encoding (the first element hashed).
const auditFormat = "recoup-audit/1"

// auditTimeFormat is how a row's time is hashed.
const auditTimeFormat = "2006-01-02T15:04:05.000000Z"

// auditRow is an audit_log row as it is hashed.
type auditRow struct {
	ID                  int64
	At                  time.Time
	Actor, Action       string
	Entity              string
	EntityID, InvoiceID sql.NullInt64
	Detail              []byte // canonical JSON; nil reads as {}
	Before, After       []byte // canonical JSON or nil
	RequestID           string
	PrevHash, Hash      sql.NullString
}

// computeHash is the row's hash after prev.
func (r *auditRow) computeHash(prev string) string {
	opt := func(n sql.NullInt64) any {
		if n.Valid {
			return n.Int64
		}
		return nil
	}
	raw := func(b []byte) json.RawMessage {
		if len(b) == 0 {
			return json.RawMessage("null")
		}
		return b
	}
	detail := r.Detail
	if len(detail) == 0 {
		detail = []byte("{}")
	}
	enc, err := json.Marshal([]any{auditFormat, r.ID, r.At.UTC().Format(auditTimeFormat), r.Actor, r.Action, r.Entity,
		opt(r.EntityID), opt(r.InvoiceID), raw(detail), raw(r.Before), raw(r.After), r.RequestID})
	if err != nil {
		// Every element is a string, a number, nil or canonical JSON.
		panic(fmt.Sprintf("audit row %d: %v", r.ID, err))
	}
	h := sha256.New()
	h.Write([]byte(prev))
	h.Write(enc)
	return hex.EncodeToString(h.Sum(nil))
}

// canonicalJSON returns data (JSON text) in canonical form; nil for nil or
// empty data.
func canonicalJSON(data []byte) ([]byte, error) {
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, nil
	}
	d := json.NewDecoder(bytes.NewReader(data))
	d.UseNumber()
	var v any
	if err := d.Decode(&v); err != nil {
		return nil, err
	}
	return json.Marshal(canonicalNumbers(v))
}

// canonicalNumbers expands the exponents of the numbers in v.
func canonicalNumbers(v any) any {
	switch v := v.(type) {
	case map[string]any:
		for k, e := range v {
			v[k] = canonicalNumbers(e)
		}
	case []any:
		for i, e := range v {
			v[i] = canonicalNumbers(e)
		}
	case json.Number:
		if strings.ContainsAny(string(v), "eE") {
			if f, _, err := big.ParseFloat(string(v), 10, 256, big.ToNearestEven); err == nil {
				return json.Number(f.Text('f', -1))
			}
		}
	}
	return v
}

// marshalAudit turns a detail, before or after value into canonical JSON;
// nil stays nil. Raw JSON and []byte are taken as JSON text.
func marshalAudit(v any) ([]byte, error) {
	var data []byte
	switch v := v.(type) {
	case nil:
		return nil, nil
	case json.RawMessage:
		data = v
	case []byte:
		data = v
	default:
		var err error
		if data, err = json.Marshal(v); err != nil {
			return nil, err
		}
	}
	return canonicalJSON(data)
}

// auditExecer is a transaction, or anything that runs statements in one.
type auditExecer interface {
	ExecContext(context.Context, string, ...any) (sql.Result, error)
	QueryContext(context.Context, string, ...any) (*sql.Rows, error)
	QueryRowContext(context.Context, string, ...any) *sql.Row
}

// auditExec runs q (rebound already) in tx through a statement prepared
// once per connection and kept: an audited action runs the same few
// statements every time, and parsing them cost more than running them.
// The statements are prepared by Migrate (prepareAudit), outside any
// transaction: preparing one inside would take a second connection while
// holding SQLite's write lock, and with every connection in a writer
// waiting for that lock, none would come.
func (s *Store) auditExec(ctx context.Context, tx auditExecer, q string, args ...any) error {
	if t, ok := tx.(*sql.Tx); ok {
		if v, ok := s.stmts.Load(stmtKey{s.sqlDB, q}); ok {
			_, err := t.StmtContext(ctx, v.(*sql.Stmt)).ExecContext(ctx, args...)
			return err
		}
	}
	_, err := tx.ExecContext(ctx, q, args...)
	return err
}

// auditQueryRow is auditExec for a one-row query.
func (s *Store) auditQueryRow(ctx context.Context, tx auditExecer, q string, args ...any) *sql.Row {
	if t, ok := tx.(*sql.Tx); ok {
		if v, ok := s.stmts.Load(stmtKey{s.sqlDB, q}); ok {
			return t.StmtContext(ctx, v.(*sql.Stmt)).QueryRowContext(ctx, args...)
		}
	}
	return tx.QueryRowContext(ctx, q, args...)
}

// auditHead is the chain's end: the last row's id and hash.
type auditHead struct {
	lastID int64
	hash   string
}

// lockAuditHead locks the chain's head for the rest of tx and returns it,
// chaining the rows written before the chain existed the first time.
func (s *Store) lockAuditHead(ctx context.Context, tx auditExecer) (auditHead, error) {
	q := s.auditQueries()[0]
	var (
		h       auditHead
		chained bool
	)
	if err := s.auditQueryRow(ctx, tx, q).Scan(&h.lastID, &h.hash, &chained); err != nil {
		return h, fmt.Errorf("reading the audit chain's head: %w", err)
	}
	if !chained {
		return s.chainLegacyAudit(ctx, tx)
	}
	if h.hash == "" {
		h.hash = auditGenesis
	}
	return h, nil
}

// chainLegacyAudit hashes the rows written before the chain existed (an
// upgraded database), in id order, and records the head. It runs once,
// under the head's lock: afterwards a row without a hash is a forgery that
// VerifyAudit reports.
func (s *Store) chainLegacyAudit(ctx context.Context, tx auditExecer) (auditHead, error) {
	h := auditHead{hash: auditGenesis}
	for {
		rows, err := s.readAuditRows(ctx, tx, h.lastID, 1000)
		if err != nil {
			return h, err
		}
		if len(rows) == 0 {
			break
		}
		for i := range rows {
			r := &rows[i]
			// Stored detail may be any JSON text: store it canonical, as
			// appendAudit does, so that it hashes the same when read back.
			if _, err := tx.ExecContext(ctx, s.rebind("UPDATE audit_log SET detail = ?, prev_hash = ?, hash = ? WHERE id = ?"),
				string(orEmptyObject(r.Detail)), h.hash, r.computeHash(h.hash), r.ID); err != nil {
				return h, fmt.Errorf("chaining audit row %d: %w", r.ID, err)
			}
			h = auditHead{lastID: r.ID, hash: r.computeHash(h.hash)}
		}
	}
	_, err := tx.ExecContext(ctx, s.rebind("UPDATE audit_head SET last_id = ?, hash = ?, chained = ? WHERE id = 1"), h.lastID, h.hash, true)
	return h, err
}

func orEmptyObject(b []byte) []byte {
	if len(b) == 0 {
		return []byte("{}")
	}
	return b
}

// readAuditRows reads up to limit rows with ids above after, in id order,
// their JSON values made canonical.
func (s *Store) readAuditRows(ctx context.Context, q auditExecer, after int64, limit int) ([]auditRow, error) {
	rows, err := q.QueryContext(ctx, s.rebind(`SELECT id, at, actor, action, entity, entity_id, invoice_id, detail, "before", "after", request_id, prev_hash, hash
		FROM audit_log WHERE id > ? ORDER BY id LIMIT ?`), after, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []auditRow
	for rows.Next() {
		var (
			r                     auditRow
			detail, before, after []byte
		)
		if err := rows.Scan(&r.ID, &r.At, &r.Actor, &r.Action, &r.Entity, &r.EntityID, &r.InvoiceID, &detail, &before, &after, &r.RequestID, &r.PrevHash, &r.Hash); err != nil {
			return nil, err
		}
		for _, f := range []struct {
			src []byte
			dst *[]byte
		}{{detail, &r.Detail}, {before, &r.Before}, {after, &r.After}} {
			c, err := canonicalJSON(f.src)
			if err != nil {
				// Not JSON (edited by hand): hash the text as it is, which
				// cannot match what was hashed when it was written.
				c, _ = json.Marshal(string(f.src))
			}
			*f.dst = c
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// appendAudit adds rs to the end of the chain inside tx, the only way a row
// enters audit_log. Callers append just before they commit, so that the
// head's lock is held for as short a time as possible and always taken last.
func (s *Store) appendAudit(ctx context.Context, tx auditExecer, rs ...AuditRecord) error {
	if len(rs) == 0 {
		return nil
	}
	head, err := s.lockAuditHead(ctx, tx)
	if err != nil {
		return err
	}
	insert := s.auditQueries()[1]
	for _, rec := range rs {
		r, err := s.auditRowOf(ctx, tx, rec)
		if err != nil {
			return err
		}
		r.ID = head.lastID + 1
		hash := r.computeHash(head.hash)
		if err := s.auditExec(ctx, tx, insert, r.ID, r.At, r.Actor, r.Action, r.Entity, r.EntityID, r.InvoiceID,
			string(r.Detail), nullJSON(r.Before), nullJSON(r.After), r.RequestID, head.hash, hash); err != nil {
			return fmt.Errorf("appending to the audit log (%s by %s): %w", r.Action, r.Actor, err)
		}
		head = auditHead{lastID: r.ID, hash: hash}
	}
	return s.auditExec(ctx, tx, s.auditQueries()[2], head.lastID, head.hash)
}

// auditQueries are the statements appendAudit runs: read and lock the
// head, insert a row, move the head; then those that look up an
// invoice's and a task's ids.
func (s *Store) auditQueries() [5]string {
	lock := ""
	if s.dialect == Postgres {
		lock = " FOR UPDATE"
	}
	return [5]string{
		"SELECT last_id, hash, chained FROM audit_head WHERE id = 1" + lock,
		s.rebind(`INSERT INTO audit_log (id, at, actor, action, entity, entity_id, invoice_id, detail, "before", "after", request_id, prev_hash, hash)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),
		s.rebind("UPDATE audit_head SET last_id = ?, hash = ? WHERE id = 1"),
		s.rebind("SELECT id FROM invoices WHERE number = ?"),
		s.rebind("SELECT invoice_id FROM tasks WHERE id = ?"),
	}
}

// prepareAudit prepares auditQueries once, outside any transaction (see
// auditExec).
func (s *Store) prepareAudit(ctx context.Context) error {
	for _, q := range s.auditQueries() {
		if _, err := s.stmt(ctx, q); err != nil {
			return fmt.Errorf("preparing %q: %w", q, err)
		}
	}
	return nil
}

func nullJSON(b []byte) any {
	if b == nil {
		return nil
	}
	return string(b)
}

// auditRowOf is rec as a row (without id): its values canonical, its time
// UTC to the microsecond, its invoice's number resolved to an id.
func (s *Store) auditRowOf(ctx context.Context, tx auditExecer, rec AuditRecord) (auditRow, error) {
	r := auditRow{Actor: rec.Actor, Action: rec.Action, Entity: rec.Entity, RequestID: rec.RequestID}
	if rec.Actor == "" || rec.Action == "" {
		return r, fmt.Errorf("audit record %+v: actor and action are required", rec)
	}
	at := rec.At
	if at.IsZero() {
		at = time.Now()
	}
	r.At = at.UTC().Truncate(time.Microsecond)
	if rec.EntityID != 0 {
		r.EntityID = sql.NullInt64{Int64: rec.EntityID, Valid: true}
	}
	switch {
	case rec.InvoiceID != 0:
		r.InvoiceID = sql.NullInt64{Int64: rec.InvoiceID, Valid: true}
	case rec.Invoice != "":
		err := s.auditQueryRow(ctx, tx, s.auditQueries()[3], rec.Invoice).Scan(&r.InvoiceID.Int64)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return r, err
		}
		r.InvoiceID.Valid = err == nil
	}
	var err error
	if r.Detail, err = marshalAudit(rec.Detail); err != nil {
		return r, fmt.Errorf("audit %s detail: %w", rec.Action, err)
	}
	if r.Detail == nil || string(r.Detail) == "null" {
		r.Detail = []byte("{}")
	}
	if r.Before, err = marshalAudit(rec.Before); err != nil {
		return r, fmt.Errorf("audit %s before: %w", rec.Action, err)
	}
	if r.After, err = marshalAudit(rec.After); err != nil {
		return r, fmt.Errorf("audit %s after: %w", rec.Action, err)
	}
	return r, nil
}

// VerifyResult is what VerifyAudit found.
type VerifyResult struct {
	Rows int64  `json:"rows"` // rows checked
	Head string `json:"head"` // the last good row's hash
	OK   bool   `json:"ok"`
	// BrokenID is the first row that breaks the chain, and Problem says
	// how; both are zero when OK.
	BrokenID int64  `json:"broken_id,omitempty"`
	Problem  string `json:"problem,omitempty"`
}

// VerifyAudit walks the audit chain in id order, recomputing each row's
// hash, and reports the first broken link: a row whose fields do not match
// its hash (edited), or whose prev_hash is not the hash of the row before
// it (a row removed, inserted or moved before it), or a head that does not
// name the last row (rows removed from the end). It reads in pages.
func (s *Store) VerifyAudit(ctx context.Context) (VerifyResult, error) {
	res := VerifyResult{Head: auditGenesis}
	readHead := func() (auditHead, bool, error) {
		var (
			h       auditHead
			chained bool
		)
		err := s.sqlDB.QueryRowContext(ctx, "SELECT last_id, hash, chained FROM audit_head WHERE id = 1").Scan(&h.lastID, &h.hash, &chained)
		if err != nil {
			return h, false, fmt.Errorf("reading the audit chain's head: %w", err)
		}
		return h, chained, nil
	}
	if _, chained, err := readHead(); err != nil {
		return res, err
	} else if !chained {
		// Migrate chains an upgraded database's rows; until then there is
		// no chain to check.
		return res, errors.New("the audit log is not chained yet: run `recoup migrate` first")
	}
	prevID := int64(0)
	for {
		rows, err := s.readAuditRows(ctx, s.sqlDB, prevID, 1000)
		if err != nil {
			return res, err
		}
		if len(rows) == 0 {
			// The head is read after the rows: a row and the head move in
			// one transaction, so every row the head counts was committed
			// before it was read. Rows appended meanwhile are walked too.
			head, _, err := readHead()
			if err != nil {
				return res, err
			}
			if head.lastID > prevID {
				if more, err := s.readAuditRows(ctx, s.sqlDB, prevID, 1); err != nil {
					return res, err
				} else if len(more) > 0 {
					continue
				}
			}
			switch {
			case prevID > head.lastID:
				res.BrokenID = prevID
				res.Problem = fmt.Sprintf("row %d is after the chain's head, row %d: rows were added outside the audit log's write path", prevID, head.lastID)
				return res, nil
			case head.lastID != prevID || (prevID != 0 && head.hash != res.Head):
				res.BrokenID = prevID
				res.Problem = fmt.Sprintf("the chain ends at row %d but its head records row %d (%s): rows were removed from the end", prevID, head.lastID, short(head.hash))
				return res, nil
			}
			res.OK = true
			return res, nil
		}
		for i := range rows {
			r := &rows[i]
			broken := func(format string, args ...any) (VerifyResult, error) {
				res.BrokenID, res.Problem = r.ID, fmt.Sprintf(format, args...)
				return res, nil
			}
			switch {
			case !r.Hash.Valid || !r.PrevHash.Valid:
				return broken("row %d has no hash: it was inserted outside the audit log's write path", r.ID)
			case r.PrevHash.String != res.Head && prevID == 0:
				return broken("row %d is the first row but its prev_hash is %s, not the chain's start: rows before it were removed", r.ID, short(r.PrevHash.String))
			case r.PrevHash.String != res.Head:
				return broken("row %d's prev_hash %s is not the hash of row %d before it (%s): a row was removed, inserted or moved here", r.ID, short(r.PrevHash.String), prevID, short(res.Head))
			case r.computeHash(r.PrevHash.String) != r.Hash.String:
				return broken("row %d's fields do not match its hash: it was edited (or moved to another id)", r.ID)
			}
			res.Rows++
			res.Head, prevID = r.Hash.String, r.ID
		}
	}
}

// short is the start of a hash, enough to tell it in a message.
func short(h string) string {
	if len(h) > 12 {
		return h[:12] + "…"
	}
	return h
}

// ensureAuditChained chains an upgraded database's audit rows (Migrate
// calls it, so that a database verifies as soon as it is migrated).
func (s *Store) ensureAuditChained(ctx context.Context) error {
	var chained bool
	if err := s.sqlDB.QueryRowContext(ctx, "SELECT chained FROM audit_head WHERE id = 1").Scan(&chained); err != nil || chained {
		return err
	}
	tx, err := s.sqlDB.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if _, err := s.lockAuditHead(ctx, tx); err != nil {
		return err
	}
	return tx.Commit()
}
