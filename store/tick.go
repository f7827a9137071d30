package store

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"runtime"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/recoup/recoup/calendar"
	"github.com/recoup/recoup/engine"
)

// batchLease is how long a claimed batch stays with its worker before
// another may take it over (the worker is presumed dead). A variable for
// tests.
var batchLease = 2 * time.Minute

var _ engine.TickStore = (*Store)(nil)

// BeginTick implements engine.TickStore.
func (s *Store) BeginTick(ctx context.Context, o engine.TickOptions) (engine.TickRun, error) {
	// PostgreSQL keeps microseconds: leader and joiners must agree on now.
	at := o.At.UTC().Truncate(time.Microsecond)
	ranges, err := s.batchRanges(ctx, o.BatchSize)
	if err != nil {
		return engine.TickRun{}, err
	}
	if o.DryRun {
		// No tick row: a negative id of its own keeps the run's cache
		// (customers as its batches change them) apart from any other.
		return engine.TickRun{ID: -s.dryRuns.Add(1), At: at, Leader: true, Batches: ranges}, nil
	}
	slot := o.Slot
	if slot == "" {
		var b [8]byte
		_, _ = rand.Read(b[:])
		slot = "manual/" + at.Format(time.RFC3339Nano) + "/" + hex.EncodeToString(b[:])
	}
	tx, err := s.sqlDB.BeginTx(ctx, nil)
	if err != nil {
		return engine.TickRun{}, err
	}
	defer tx.Rollback()
	run := engine.TickRun{At: at}
	err = tx.QueryRowContext(ctx, s.rebind(`INSERT INTO ticks (slot, at, status, leader, started_at) VALUES (?, ?, 'running', ?, ?)
		ON CONFLICT (slot) DO NOTHING RETURNING id`), slot, at, o.Worker, time.Now().UTC()).Scan(&run.ID)
	switch {
	case err == nil:
		run.Leader = true
		for _, r := range ranges {
			if _, err := tx.ExecContext(ctx, s.rebind("INSERT INTO tick_batches (tick_id, seq, lo_id, hi_id) VALUES (?, ?, ?, ?)"),
				run.ID, r.Seq, r.Lo, r.Hi); err != nil {
				return engine.TickRun{}, err
			}
		}
		if err := s.settlePromises(ctx, tx, run.ID, at, o.Location); err != nil { // promises.go: once per tick, by its leader
			return engine.TickRun{}, err
		}
	case errors.Is(err, sql.ErrNoRows):
		// Another replica leads this slot: join it, at its instant.
		var joined time.Time
		if err := tx.QueryRowContext(ctx, s.rebind("SELECT id, at FROM ticks WHERE slot = ?"), slot).Scan(&run.ID, &joined); err != nil {
			return engine.TickRun{}, err
		}
		run.At = joined.UTC()
	default:
		return engine.TickRun{}, err
	}
	return run, tx.Commit()
}

// batchRanges splits the work into id ranges. On SQLite a batch is a range
// of invoice ids, read sequentially; batches there run one at a time, each
// inside the single write transaction, so a batch always sees the customer
// changes of the batches before it. On PostgreSQL replicas run batches at
// once, so a batch is a range of customer ids: every invoice of a customer
// is in one batch and no two concurrent batches share a customer.
func (s *Store) batchRanges(ctx context.Context, per int) ([]engine.TickBatch, error) {
	table := "invoices"
	if s.dialect == Postgres {
		table = "customers"
	}
	var lo, hi sql.NullInt64
	if err := s.sqlDB.QueryRowContext(ctx, "SELECT MIN(id), MAX(id) FROM "+table).Scan(&lo, &hi); err != nil {
		return nil, err
	}
	if !lo.Valid {
		return nil, nil
	}
	if s.dialect == Postgres {
		// per counts invoices: a batch takes whole customers, about per
		// invoices' worth.
		var customers, invoices float64
		if err := s.sqlDB.QueryRowContext(ctx, `SELECT (SELECT COUNT(*) FROM customers), (SELECT COUNT(*) FROM invoices)`).Scan(&customers, &invoices); err != nil {
			return nil, err
		}
		if avg := invoices / max(customers, 1); avg > 1 {
			per = max(1, int(float64(per)/avg))
		}
	}
	var out []engine.TickBatch
	for from := lo.Int64; from <= hi.Int64; from += int64(per) {
		out = append(out, engine.TickBatch{Seq: len(out), Lo: from, Hi: min(from+int64(per)-1, hi.Int64)})
	}
	return out, nil
}

// ClaimBatch implements engine.TickStore.
func (s *Store) ClaimBatch(ctx context.Context, run engine.TickRun, worker string) (*engine.TickBatch, error) {
	now := time.Now().UTC()
	lock := ""
	if s.dialect == Postgres {
		lock = " FOR UPDATE SKIP LOCKED"
	}
	var b engine.TickBatch
	query := s.rebind(`UPDATE tick_batches SET status = 'running', worker = ?, lease_until = ?
		WHERE tick_id = ? AND seq = (SELECT seq FROM tick_batches WHERE tick_id = ?
			AND (status = 'pending' OR (status = 'running' AND lease_until < ?)) ORDER BY seq LIMIT 1` + lock + `)
		RETURNING seq, lo_id, hi_id`)
	args := []any{worker, now.Add(batchLease), run.ID, run.ID, now}
	var err error
	if conn := s.ownConn(run); conn != nil {
		// the tick's own connection: see readAhead
		err = conn.QueryRowContext(ctx, query, args...).Scan(&b.Seq, &b.Lo, &b.Hi)
	} else {
		var claim *sql.Stmt
		if claim, err = s.stmt(ctx, query); err != nil {
			return nil, err
		}
		err = claim.QueryRowContext(ctx, args...).Scan(&b.Seq, &b.Lo, &b.Hi)
	}
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return &b, nil
}

// querier is a *sql.DB or *sql.Tx.
type querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
}

// scope is the batch's WHERE clause on a table with invoice_id and
// customer_id columns (see batchRanges).
func (s *Store) scope() string {
	if s.dialect == Postgres {
		return "customer_id BETWEEN ? AND ?"
	}
	return "invoice_id BETWEEN ? AND ?"
}

// errStale is returned inside a batch when a row it changes was changed by
// someone else since the batch read it (a payment, an import, a task
// completion): the batch is rolled back and evaluated again on fresh data.
var errStale = errors.New("data changed underneath the batch")

// errBatchLost is returned when another worker took the batch over (its
// lease ran out) and finished it: this worker's result is dropped.
var errBatchLost = errors.New("batch taken over by another worker")

// ProcessBatch implements engine.TickStore.
func (s *Store) ProcessBatch(ctx context.Context, run engine.TickRun, b engine.TickBatch, c engine.Clock, dry bool, evaluate func(*engine.BatchInput) *engine.Result) (engine.BatchStats, *engine.BatchInput, error) {
	for attempt := 1; ; attempt++ {
		st, in, err := s.processBatch(ctx, run, b, c, dry, evaluate)
		switch {
		case errors.Is(err, errBatchLost):
			return engine.BatchStats{Invoices: len(in.Subjects)}, in, nil
		case errors.Is(err, errStale) && attempt < 5:
			continue
		}
		return st, in, err
	}
}

func (s *Store) processBatch(ctx context.Context, run engine.TickRun, b engine.TickBatch, c engine.Clock, dry bool, evaluate func(*engine.BatchInput) *engine.Result) (engine.BatchStats, *engine.BatchInput, error) {
	cache, err := s.cacheFor(ctx, run, c)
	if err != nil {
		return engine.BatchStats{}, nil, err
	}
	if dry {
		// Read only, no locks; the customer changes the batch would make
		// are kept in the dry run's own cache, as a real run's commits
		// would be seen by its later batches.
		in, err := s.loadBatch(ctx, s.scanDB, run, b, c, cache, false)
		if err != nil {
			return engine.BatchStats{}, nil, fmt.Errorf("loading: %w", err)
		}
		res, err := s.evaluate(ctx, s.scanDB, in, cache.users, evaluate)
		if err != nil {
			return engine.BatchStats{}, nil, err
		}
		cache.applyCustomerSets(in, res)
		return engine.CountEffects(in, res), in, nil
	}
	// Read, evaluate and write in one transaction. On SQLite it holds the
	// write lock from BEGIN IMMEDIATE; on PostgreSQL it locks the batch's
	// customers, which every writer that evaluates them (ticks, payment
	// webhooks, task completions) locks too.
	var tx *sql.Tx
	if cache.conn != nil {
		tx, err = cache.conn.BeginTx(ctx, nil)
	} else {
		tx, err = s.sqlDB.BeginTx(ctx, nil)
	}
	if err != nil {
		return engine.BatchStats{}, nil, err
	}
	defer tx.Rollback()
	if s.dialect == Postgres {
		if _, err := tx.ExecContext(ctx, "SELECT id FROM customers WHERE id BETWEEN $1 AND $2 ORDER BY id FOR UPDATE", b.Lo, b.Hi); err != nil {
			return engine.BatchStats{}, nil, fmt.Errorf("locking customers: %w", err)
		}
	}
	q := querier(tx)
	if s.dialect == SQLite {
		q = s.scanDB // read at once beside tx: see loadBatch
	}
	// With a connection of its own (SQLite), the batch read ahead is used
	// if nothing was committed since, and the next one is read ahead while
	// this one is evaluated.
	var (
		in      *engine.BatchInput
		version int64
	)
	if cache.conn != nil {
		if err := tx.QueryRowContext(ctx, "PRAGMA data_version").Scan(&version); err != nil {
			return engine.BatchStats{}, nil, err
		}
		in = cache.takeAhead(s, b, version)
	}
	if in == nil {
		if in, err = s.loadBatch(ctx, q, run, b, c, cache, false); err != nil {
			return engine.BatchStats{}, nil, fmt.Errorf("loading: %w", err)
		}
	}
	if cache.conn != nil {
		if err := s.readAhead(ctx, tx, run, b, c, cache, version); err != nil {
			return engine.BatchStats{}, nil, err
		}
	}
	res, err := s.evaluate(ctx, tx, in, cache.users, evaluate)
	if err != nil {
		return engine.BatchStats{}, nil, err
	}
	st, touched, err := s.commitBatch(ctx, tx, run, b, c, in, res)
	if errors.Is(err, errStale) {
		// Re-read the batch's customers: the cache may be what went stale.
		ids := map[int64]bool{}
		for i := range in.Subjects {
			ids[in.Subjects[i].Customer.ID] = true
		}
		tx.Rollback()
		if rerr := s.refreshCustomers(ctx, cache, ids); rerr != nil {
			return st, in, rerr
		}
		return st, in, err
	}
	if err != nil {
		return st, in, fmt.Errorf("recording: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return st, in, err
	}
	return st, in, s.refreshCustomers(ctx, cache, touched)
}

// readAhead is the next batch of a SQLite tick, read while the current
// one is evaluated and recorded: the two cores read, evaluate and write
// at once instead of in turn.
//
// It is read on the scan pool once the current batch's transaction holds
// the write lock, so it sees the database as that transaction began: no
// commit can come before the transaction ends. What the current batch then
// commits changes only its own invoices' rows (their fires, conditions,
// instances, tasks, fees) and customers; the customers are applied again
// from the tick's cache, which is refreshed after each commit. So the read
// is what the next batch would read itself — unless another connection
// committed between the two batches (a payment, an import, a person
// completing a task). Every write of the tick goes through its own
// connection (tickCache.conn), whose PRAGMA data_version changes exactly
// when another connection commits: the next batch compares it, inside its
// own transaction, with the value the read began under, and reads again
// when they differ (TestReadAheadSeesOtherWriters).
type readAhead struct {
	b       engine.TickBatch
	version int64
	done    chan struct{}
	in      *engine.BatchInput
	err     error
}

// readAhead starts reading the batch after b (the next pending one of the
// tick) in the background; tx is b's transaction and version its
// data_version.
func (s *Store) readAhead(ctx context.Context, tx *sql.Tx, run engine.TickRun, b engine.TickBatch, c engine.Clock, cache *tickCache, version int64) error {
	if cache.ahead != nil { // b was read again (a retry)
		cache.ahead.discard(s)
		cache.ahead = nil
	}
	next := engine.TickBatch{}
	err := tx.QueryRowContext(ctx, `SELECT seq, lo_id, hi_id FROM tick_batches WHERE tick_id = ? AND seq > ? AND status = 'pending'
		ORDER BY seq LIMIT 1`, run.ID, b.Seq).Scan(&next.Seq, &next.Lo, &next.Hi)
	if errors.Is(err, sql.ErrNoRows) {
		return nil
	}
	if err != nil {
		return err
	}
	ra := &readAhead{b: next, version: version, done: make(chan struct{})}
	cache.ahead = ra
	go func() {
		defer close(ra.done)
		ra.in, ra.err = s.loadBatch(ctx, s.scanDB, run, next, c, cache, true)
	}()
	return nil
}

// discard waits for the read to end and gives its memory back.
func (ra *readAhead) discard(s *Store) {
	<-ra.done
	s.ReleaseBatch(ra.in)
}

// takeAhead returns the batch read ahead if it is b and no other
// connection committed since it was read (version is b's data_version),
// with the customers of its invoices as the cache has them now.
func (tc *tickCache) takeAhead(s *Store, b engine.TickBatch, version int64) *engine.BatchInput {
	ra := tc.ahead
	if ra == nil {
		return nil
	}
	tc.ahead = nil
	<-ra.done
	if ra.err != nil || ra.b != b || ra.version != version {
		s.aheadDropped.Add(1)
		ra.discard(s)
		return nil
	}
	s.aheadUsed.Add(1)
	tc.applyCustomers(ra.in.Subjects)
	return ra.in
}

// applyCustomers gives each subject its invoice's customer as the cache
// has it now.
func (tc *tickCache) applyCustomers(subjects []engine.Subject) {
	tc.mu.Lock()
	defer tc.mu.Unlock()
	for i := range subjects {
		tc.customers.applyTo(&subjects[i])
	}
}

// applyCustomerSets applies a dry batch's customer changes to the cache.
func (tc *tickCache) applyCustomerSets(in *engine.BatchInput, res *engine.Result) {
	tc.mu.Lock()
	defer tc.mu.Unlock()
	cust := map[int64]int64{}
	for i := range in.Subjects {
		cust[in.Subjects[i].Invoice.ID] = in.Subjects[i].Customer.ID
	}
	for _, e := range res.Effects {
		if e.Kind != engine.ActionSet || !strings.HasPrefix(e.Field, "customer.") {
			continue
		}
		c, ok := tc.customers.get(cust[e.Key.Subject])
		if !ok {
			continue
		}
		switch field := strings.TrimPrefix(e.Field, "customer."); {
		case field == "risk":
			c.Risk = engine.RiskTier(e.Value)
		case field == "do_not_contact":
			c.DoNotContact = e.Value == "true"
		case strings.HasPrefix(field, "custom."):
			custom := make(map[string]string, len(c.custom)+1)
			for k, v := range c.custom {
				custom[k] = v
			}
			custom[strings.TrimPrefix(field, "custom.")] = e.Value
			c.custom = custom
		}
		tc.customers.set(c)
	}
}

// refreshCustomers re-reads into the tick's cache the customers a batch
// changed, so later batches see the changes.
func (s *Store) refreshCustomers(ctx context.Context, cache *tickCache, ids map[int64]bool) error {
	if len(ids) == 0 {
		return nil
	}
	args := make([]any, 0, len(ids))
	for id := range ids {
		args = append(args, id)
	}
	rows, err := s.sqlDB.QueryContext(ctx, s.rebind(tickCustomers+` WHERE id IN (`+placeholders(len(args))+`)`), args...)
	if err != nil {
		return err
	}
	cache.mu.Lock()
	defer cache.mu.Unlock()
	// The owners' emails as the tick read them at its start, like every
	// invoice's (a tick changes no user).
	return scanCustomers(rows, cache.users, &cache.customers)
}

// loadBatch reads batch b through q. On SQLite q is the pool, not the
// batch's transaction: the batch is read in parts at once, one per core,
// on connections of their own. That reads what the transaction would:
// the transaction already holds SQLite's single write lock (BEGIN
// IMMEDIATE) and has written nothing yet, so no commit can come between
// its start and the reads, and WAL readers see the last commit. A batch
// read ahead (see readAhead) is left without its customers: takeAhead
// gives them, as the cache has them then.
func (s *Store) loadBatch(ctx context.Context, q querier, run engine.TickRun, b engine.TickBatch, c engine.Clock, cache *tickCache, ahead bool) (*engine.BatchInput, error) {
	size := 0
	if s.dialect == SQLite {
		size = int(b.Hi - b.Lo + 1) // ids: at most that many invoices
	}
	all := s.subjectArray(size)
	n := runtime.GOMAXPROCS(0)
	if s.dialect != SQLite || n < 2 || b.Hi-b.Lo < 256 {
		return s.loadRange(ctx, q, run, b, c, cache, all, size*2/3, ahead)
	}
	// Each part fills its own window of one array; the windows are then
	// moved together (in place: each part's rows only move down).
	parts := make([]*engine.BatchInput, n)
	errs := make([]error, n)
	windows := make([]int, n+1)
	var wg sync.WaitGroup
	step := (b.Hi - b.Lo + 1 + int64(n) - 1) / int64(n)
	for i := range n {
		part := engine.TickBatch{Seq: b.Seq, Lo: b.Lo + int64(i)*step, Hi: min(b.Lo+int64(i+1)*step-1, b.Hi)}
		lo, hi := min(int(int64(i)*step), size), min(int(int64(i+1)*step), size)
		windows[i], windows[i+1] = lo, hi
		if part.Lo > part.Hi {
			parts[i] = &engine.BatchInput{}
			continue
		}
		window := all[lo:lo:hi]
		wg.Add(1)
		go func() {
			defer wg.Done()
			// Room for the fires read, guessed from the ids: the example
			// pack keeps about one per two invoices. The first part's
			// maps become the batch's.
			hint := (hi - lo) * 2 / 3
			if i == 0 {
				hint = size * 2 / 3
			}
			parts[i], errs[i] = s.loadRange(ctx, q, run, part, c, cache, window, hint, ahead)
		}()
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	total, flows := 0, 0
	inPlace := true
	subjects := make([][]engine.Subject, n)
	for i, p := range parts {
		subjects[i] = p.Subjects
		total, flows = total+len(p.Subjects), flows+len(p.Workflows)
		inPlace = inPlace && len(p.Subjects) <= windows[i+1]-windows[i]
	}
	// The first part's maps take the others' entries (its fires map was
	// sized for the whole batch).
	in := parts[0]
	if in.Workflows == nil {
		in.Workflows = make(map[int64]engine.WorkflowInput, flows)
	}
	if in.Fires == nil {
		in.Fires = map[engine.FireKey]bool{}
	}
	if in.Conditions == nil {
		in.Conditions = map[engine.RuleSubject]bool{}
	}
	in.Subjects = all[:0]
	if !inPlace {
		in.Subjects = make([]engine.Subject, 0, total)
	}
	for i, p := range parts {
		in.Subjects = append(in.Subjects, subjects[i]...)
		if i > 0 {
			in.InstanceArrays = append(in.InstanceArrays, p.InstanceArrays...)
			maps.Copy(in.Fires, p.Fires)
			maps.Copy(in.Conditions, p.Conditions)
			maps.Copy(in.Workflows, p.Workflows)
		}
	}
	return in, nil
}

// subjectArray returns an empty slice with room for at least size
// subjects, reused from a released batch when there is one.
func (s *Store) subjectArray(size int) []engine.Subject {
	if v, ok := s.subjects.Get().(*[]engine.Subject); ok && cap(*v) >= size {
		return (*v)[:0]
	}
	return make([]engine.Subject, 0, size)
}

// instanceArray is subjectArray for a batch's workflow instances.
func (s *Store) instanceArray(size int) []engine.Instance {
	if v, ok := s.instances.Get().(*[]engine.Instance); ok && cap(*v) >= size {
		return (*v)[:0]
	}
	return make([]engine.Instance, 0, size)
}

// ReleaseBatch implements engine.BatchReleaser: the batch's array of
// subjects is kept for a later batch.
func (s *Store) ReleaseBatch(in *engine.BatchInput) {
	if in == nil || cap(in.Subjects) == 0 {
		return
	}
	all := in.Subjects[:0]
	clear(in.Subjects[:cap(in.Subjects)]) // drop what the old rows point to
	in.Subjects = nil
	s.subjects.Put(&all)
	for _, a := range in.InstanceArrays {
		clear(a[:cap(a)])
		a = a[:0]
		s.instances.Put(&a)
	}
	in.InstanceArrays, in.Workflows = nil, nil
}

// loadRange reads the invoices of b and their tick state, appending the
// invoices to into (which it may grow).
func (s *Store) loadRange(ctx context.Context, q querier, run engine.TickRun, b engine.TickBatch, c engine.Clock, cache *tickCache, into []engine.Subject, fires int, ahead bool) (*engine.BatchInput, error) {
	where, order := "id BETWEEN ? AND ?", " ORDER BY id"
	if s.dialect == Postgres {
		where, order = "customer_id BETWEEN ? AND ?", " ORDER BY customer_id, id"
	}
	args := []any{b.Lo, b.Hi}
	batchWhere := where
	if run.OwedOnly {
		// Settled invoices only for what may still end or change: an
		// active workflow (its stop_when), a rising_edge condition
		// recorded true (now false) or an active payment plan (paid in
		// full, its first invoice marks it completed).
		where += ` AND (balance_minor > 0 OR id IN (SELECT invoice_id FROM workflow_instances WHERE ` + s.scope() + ` AND status IN ` + activeInstance + `)
			OR id IN (SELECT invoice_id FROM rule_conditions WHERE ` + s.scope() + `)
			OR plan_id IN (SELECT id FROM payment_plans WHERE status = '` + engine.PlanActive + `'))`
		args = append(args, b.Lo, b.Hi, b.Lo, b.Hi)
	}
	// What few invoices have (a plan, fees or interest, a hold) is read by a
	// second query for those only (loadCharges): five more columns on every
	// row cost a steady tick over 1M invoices about a tenth more.
	rows, err := s.queryStmt(ctx, q, s.rebind(`SELECT id, number, customer_id, currency, amount_minor, balance_minor,
		paid_minor, payment_count, `+s.instant("last_paid_at")+`, issue_date, due_date, status, COALESCE(owner_id, 0), disputed, custom,
		`+chargedSQL+` FROM invoices WHERE `+where+order), args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	in := &engine.BatchInput{Fires: make(map[engine.FireKey]bool, fires), Conditions: map[engine.RuleSubject]bool{}, Subjects: into}
	words := interner{}
	// Scanned straight into the batch's array: one allocation per batch,
	// not one per row.
	var (
		p                        engine.InvoicePayments
		last                     dbTime
		ownerID                  int64
		charged                  bool
		currency, status, custom sql.RawBytes
		more                     map[int64]int // invoice → subject index, of the few with charges, a plan or a hold
	)
	for rows.Next() {
		in.Subjects = append(in.Subjects, engine.Subject{})
		sub := &in.Subjects[len(in.Subjects)-1]
		inv := &sub.Invoice
		p, last = engine.InvoicePayments{}, dbTime{}
		if err := rows.Scan(&inv.ID, &inv.Number, &inv.CustomerID, &currency, &inv.AmountMinor, &inv.BalanceMinor,
			&p.PaidMinor, &p.Count, &last, &inv.IssueDate, &inv.DueDate, &status, &ownerID, &inv.Disputed, &custom, &charged); err != nil {
			return nil, err
		}
		if charged {
			if more == nil {
				more = map[int64]int{}
			}
			more[inv.ID] = len(in.Subjects) - 1
		}
		inv.Currency, inv.Status = words.get(currency), words.get(status)
		if last.Valid {
			p.LastPaidAt = last.Time.UTC()
		}
		inv.OwnerEmail = cache.users[ownerID]
		if len(custom) > 0 && string(custom) != "{}" {
			if err := decodeStringMap(custom, &inv.Custom); err != nil {
				return nil, fmt.Errorf("invoice %s: custom fields: %w", inv.Number, err)
			}
		}
		sub.Payments = cache.stats.Stats(inv.CustomerID, inv.Currency, p)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	plans, err := s.loadCharges(ctx, q, in.Subjects, more, where, args, &words)
	if err != nil {
		return nil, err
	}
	if err := s.uncharge(ctx, q, run, c, in.Subjects, batchWhere, []any{b.Lo, b.Hi}); err != nil { // tick_rerun.go
		return nil, err
	}
	if err := s.loadPlans(ctx, q, in.Subjects, plans); err != nil {
		return nil, err
	}
	if !ahead { // a batch read ahead gets them when it is taken (takeAhead)
		cache.applyCustomers(in.Subjects)
	}
	if err := s.loadFireState(ctx, q, b, c, in); err != nil {
		return nil, err
	}
	if err := s.loadWorkflows(ctx, q, run, b, c, cache, in); err != nil {
		return nil, err
	}
	return in, nil
}

// chargedSQL tells whether an invoice has what loadCharges reads: fee or
// interest lines (interest is counted in fees_minor), a payment plan or a
// hold.
const chargedSQL = `(fees_minor <> 0 OR plan_id IS NOT NULL OR hold <> '')`

// loadCharges reads, for the subjects in more (invoice → index), their
// fees, interest, plan and hold, by the batch's query (where, args) limited
// to them. It returns the plans to load (subject index → plan).
func (s *Store) loadCharges(ctx context.Context, q querier, subjects []engine.Subject, more map[int64]int, where string, args []any, words *interner) (map[int]int64, error) {
	if len(more) == 0 {
		return nil, nil
	}
	rows, err := s.queryStmt(ctx, q, s.rebind(`SELECT id, hold, COALESCE(plan_id, 0), fees_minor, interest_minor, COALESCE(interest_through, due_date)
		FROM invoices WHERE `+where+` AND `+chargedSQL), args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var (
		plans      map[int]int64
		id, planID int64
		hold       sql.RawBytes
		through    calendar.Date
	)
	for rows.Next() {
		var fees, interest int64
		if err := rows.Scan(&id, &hold, &planID, &fees, &interest, &through); err != nil {
			return nil, err
		}
		i, ok := more[id]
		if !ok {
			continue // charged since the batch's first query read it: the next tick sees it
		}
		inv := &subjects[i].Invoice
		inv.Hold, inv.FeesMinor, inv.InterestMinor = words.get(hold), fees, interest
		if through != inv.DueDate {
			inv.InterestThrough = through // else none charged yet: interest runs from the due date
		}
		if planID != 0 {
			if plans == nil {
				plans = map[int]int64{}
			}
			plans[i] = planID
		}
	}
	return plans, rows.Err()
}

// fewDueTasks is how many due tasks a tick looks up by due time in every
// batch (tickTasksDueAt) rather than among the batch's open tasks
// (tickTasksDue). Either way reads the same tasks; a test sets a store's
// own (Store.fewDueTasks) to check it.
const fewDueTasks = 1000

// activeInstance lists the workflow_instances statuses of an active
// instance (engine.Instance.Active).
const activeInstance = "('" + engine.InstanceRunning + "', '" + engine.InstanceWaiting + "', '" + engine.InstancePaused + "')"

// taskRouteWindow is how long a done workflow task is still handed to the
// engine to route its outcome (it is routed at the first tick after).
const taskRouteWindow = 30 * 24 * time.Hour

// loadWorkflows reads the batch's workflow instances and their open and
// recently done tasks.
func (s *Store) loadWorkflows(ctx context.Context, q querier, run engine.TickRun, b engine.TickBatch, c engine.Clock, cache *tickCache, in *engine.BatchInput) error {
	users := cache.users
	query := "SELECT id, state FROM workflow_instances WHERE " + s.scope()
	if run.OwedOnly {
		// An ended instance of a settled invoice stays ended (see
		// engine.Bundle.OwedOnly): not read.
		query += " AND (status IN " + activeInstance + " OR (SELECT balance_minor FROM invoices WHERE invoices.id = workflow_instances.invoice_id) > 0)"
	}
	rows, err := s.queryStmt(ctx, q, s.rebind(query), b.Lo, b.Hi)
	if err != nil {
		return err
	}
	// The instances are decoded into one array; each invoice's are a
	// window of it (rows come in invoice order on SQLite, by the index).
	var (
		all   = s.instanceArray(len(in.Subjects) / 2)
		id    int64
		state sql.RawBytes
		dec   engine.InstanceDecoder
	)
	for rows.Next() {
		if err := rows.Scan(&id, &state); err != nil {
			rows.Close()
			return err
		}
		all = append(all, engine.Instance{})
		inst := &all[len(all)-1]
		if err := dec.Decode(state, inst); err != nil {
			rows.Close()
			return fmt.Errorf("workflow instance %d: %w", id, err)
		}
		inst.ID = id
	}
	if err := rows.Close(); err != nil {
		return err
	}
	in.InstanceArrays = append(in.InstanceArrays, all)
	in.Workflows = make(map[int64]engine.WorkflowInput, len(all))
	for i := 0; i < len(all); {
		j := i + 1
		for j < len(all) && all[j].InvoiceID == all[i].InvoiceID {
			j++
		}
		wi := in.Workflows[all[i].InvoiceID]
		if wi.Instances == nil {
			wi.Instances = all[i:j:j] // appending to it copies
		} else {
			wi.Instances = append(wi.Instances, all[i:j]...)
		}
		in.Workflows[all[i].InvoiceID] = wi
		i = j
	}
	if len(in.Workflows) == 0 {
		return nil
	}
	// Of the tasks, the tick needs those whose outcome may still have to
	// be routed (done recently) and those an SLA may escalate now (open,
	// due, not yet escalated); each query has a partial index (migration
	// 00008). The open tasks of an instance that ends are read only when
	// it does (see evaluate).
	if cache.fewDue {
		// Few are due in all: found by due time, not among every open
		// task of the batch's range.
		rows, err = s.queryStmt(ctx, q, s.rebindOnce(tickTasksDueAt), c.Now.UTC(), b.Lo, b.Hi)
	} else {
		rows, err = s.queryStmt(ctx, q, s.rebindOnce(tickTasksDue), b.Lo, b.Hi, c.Now.UTC())
	}
	if err := scanTasks(rows, err, users, in); err != nil {
		return err
	}
	rows, err = s.queryStmt(ctx, q, s.rebindOnce(tickTasksDone), b.Lo, b.Hi, c.Now.Add(-taskRouteWindow).UTC())
	return scanTasks(rows, err, users, in)
}

const (
	tickTaskColumns = `SELECT key, kind, status, outcome, {due_at}, {completed_at}, COALESCE(assignee_id, 0), role, {escalated_at}, invoice_id FROM tasks`
	tickTasksDue    = tickTaskColumns + ` WHERE {scope} AND ` + tickDueOpen + ` AND due_at <= ?`
	tickTasksDueAt  = tickTaskColumns + ` {by_due_at} WHERE ` + tickDueOpen + ` AND due_at <= ? AND {scope}`
	// tickDueOpen is the condition of the partial indexes tasks_tick_due
	// and tasks_tick_due_at (migrations 00008, 00013).
	tickDueOpen   = `status = 'open' AND escalated_at IS NULL AND instance_id IS NOT NULL AND due_at IS NOT NULL`
	tickTasksDone = tickTaskColumns + ` WHERE {scope} AND status = 'done' AND instance_id IS NOT NULL AND completed_at >= ?`
)

// rebindOnce puts the batch scope and the dialect's reading of the task
// instants (see Store.instant) into a tick query, and rebinds it.
func (s *Store) rebindOnce(q string) string {
	byDueAt := "" // PostgreSQL's planner picks the index from its statistics
	if s.dialect == SQLite {
		byDueAt = "INDEXED BY tasks_tick_due_at"
	}
	return s.rebind(strings.NewReplacer("{scope}", s.scope(), "{by_due_at}", byDueAt, "{due_at}", s.instant("due_at"),
		"{completed_at}", s.instant("completed_at"), "{escalated_at}", s.instant("escalated_at")).Replace(q))
}

// scanTasks adds the tasks of rows (a query of tickTaskColumns, and its
// error) to their invoices' workflow input, once each.
func scanTasks(rows *sql.Rows, err error, users map[int64]string, in *engine.BatchInput) error {
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var (
			t                         engine.TaskState
			outcome, role             string
			due, completed, escalated dbTime
			assignee, invoice         int64
		)
		if err := rows.Scan(&t.Key, &t.Kind, &t.Status, &outcome, &due, &completed, &assignee, &role, &escalated, &invoice); err != nil {
			return err
		}
		if outcome != "" && outcome != "{}" {
			if err := json.Unmarshal([]byte(outcome), &t.Outcome); err != nil {
				return fmt.Errorf("task %s: outcome: %w", t.Key, err)
			}
		}
		t.DueAt, t.CompletedAt, t.EscalatedAt = due.Time, completed.Time, escalated.Time
		t.Assignee, t.Role = users[assignee], engine.Role(role)
		wi := in.Workflows[invoice]
		if !slices.ContainsFunc(wi.Tasks, func(x engine.TaskState) bool { return x.Key == t.Key }) {
			wi.Tasks = append(wi.Tasks, t)
			in.Workflows[invoice] = wi
		}
	}
	return rows.Err()
}

// evaluate runs evaluate on in. The batch was loaded without the open
// tasks that are neither due nor done (most of them): when an instance
// ends or enters a node, its open tasks are cancelled (or superseded), so
// those of these instances are read and the batch evaluated again, now
// with them. The engine is
// deterministic, so the second pass is the first with the cancellations.
func (s *Store) evaluate(ctx context.Context, q querier, in *engine.BatchInput, users map[int64]string, evaluate func(*engine.BatchInput) *engine.Result) (*engine.Result, error) {
	res := evaluate(in)
	var ended []any
	for i := range in.Changed {
		inst := &in.Changed[i]
		for j, ins := 0, in.Workflows[inst.InvoiceID].Instances; j < len(ins); j++ {
			if engine.NeedsOpenTasks(&ins[j], inst) { // ended, or moved on (superseding)
				ended = append(ended, inst.InvoiceID)
				break
			}
		}
	}
	if len(ended) == 0 {
		return res, nil
	}
	known := taskCount(in, ended)
	for from := 0; from < len(ended); from += 500 {
		part := ended[from:min(from+500, len(ended))]
		query := s.rebindOnce(tickTaskColumns + ` WHERE invoice_id IN (` + placeholders(len(part)) + `) AND status = 'open' AND instance_id IS NOT NULL`)
		rows, err := q.QueryContext(ctx, query, part...)
		if err := scanTasks(rows, err, users, in); err != nil {
			return nil, fmt.Errorf("reading the open tasks of ending workflows: %w", err)
		}
	}
	if taskCount(in, ended) == known {
		return res, nil // no task the first pass did not see: it stands
	}
	in.Changed = in.Changed[:0]
	return evaluate(in), nil
}

// statsKey names a tick's cache.
type statsKey struct {
	run      int64
	at       time.Time
	customer int64
}

// tickCache holds what every batch of a tick reads: all customers, kept
// current with the tick's own changes to them, and their payment
// aggregates. It is filled once per tick and process.
type tickCache struct {
	mu        sync.Mutex
	stats     *engine.CustomerStats
	customers customerTable
	users     map[int64]string // emails by id
	// fewDue: at most fewDueTasks workflow tasks were due at the tick's
	// start (a guide to how to read them, not what is read).
	fewDue bool

	// SQLite, a tick's own batches: every write of the tick (claims,
	// batches) goes through conn, so that its data_version tells whether
	// any other connection committed in between (see readAhead).
	conn  *sql.Conn
	ahead *readAhead
}

// close lets go of what the cache holds besides memory.
func (tc *tickCache) close(s *Store) {
	if tc.ahead != nil {
		tc.ahead.discard(s)
		tc.ahead = nil
	}
	if tc.conn != nil {
		tc.conn.Close()
		tc.conn = nil
	}
}

// cacheFor returns run's cache, loading it on first use.
func (s *Store) cacheFor(ctx context.Context, run engine.TickRun, c engine.Clock) (*tickCache, error) {
	if run.Customer != 0 {
		// One customer (a payment, a task completion): read it fresh,
		// keep nothing.
		return s.loadCache(ctx, run, c)
	}
	key := statsKey{run.ID, run.At, 0}
	s.tickMu.Lock()
	defer s.tickMu.Unlock()
	if tc, ok := s.tickCache[key]; ok {
		return tc, nil
	}
	tc, err := s.loadCache(ctx, run, c)
	if err != nil {
		return nil, err
	}
	if s.tickCache == nil {
		s.tickCache = map[statsKey]*tickCache{}
	}
	if s.dialect == SQLite && run.ID > 0 {
		// A real tick on SQLite: kept until EndTick, whatever else runs.
		if tc.conn, err = s.sqlDB.Conn(ctx); err != nil {
			return nil, err
		}
		s.tickCache[key] = tc
		return tc, nil
	}
	// Keep the three most recent other ticks' caches (dry runs may
	// interleave with a real one); FinishTick drops a finished tick's.
	s.tickOrder = append(s.tickOrder, key)
	for len(s.tickOrder) > 3 {
		delete(s.tickCache, s.tickOrder[0])
		s.tickOrder = s.tickOrder[1:]
	}
	s.tickCache[key] = tc
	return tc, nil
}

// EndTick implements engine.TickEnder: the run's cache, and the
// connection and read-ahead of a SQLite tick, are let go.
func (s *Store) EndTick(run engine.TickRun) { s.dropCache(run) }

// dropCache forgets a finished tick's cache.
func (s *Store) dropCache(run engine.TickRun) {
	s.tickMu.Lock()
	defer s.tickMu.Unlock()
	key := statsKey{run.ID, run.At, 0}
	if tc, ok := s.tickCache[key]; ok {
		tc.close(s)
	}
	delete(s.tickCache, key)
}

// ownConn returns the connection run's batches write through, if it has one.
func (s *Store) ownConn(run engine.TickRun) *sql.Conn {
	s.tickMu.Lock()
	defer s.tickMu.Unlock()
	if tc, ok := s.tickCache[statsKey{run.ID, run.At, 0}]; ok {
		return tc.conn
	}
	return nil
}

// loadCache reads the customers (all, or run.Customer's) and their
// payment aggregates.
func (s *Store) loadCache(ctx context.Context, run engine.TickRun, c engine.Clock) (*tickCache, error) {
	users, err := userEmails(ctx, s.sqlDB)
	if err != nil {
		return nil, err
	}
	tc := &tickCache{users: users}
	// The customers and their aggregates are scans of their own: at once.
	var statsErr error
	done := make(chan struct{})
	go func() {
		defer close(done)
		tc.stats, statsErr = s.tickStats(ctx, c, run.Customer)
	}()
	err = s.loadCustomers(ctx, users, run.Customer, &tc.customers)
	if err == nil && run.Customer == 0 {
		var due int
		err = s.scanDB.QueryRowContext(ctx, s.rebindOnce(`SELECT COUNT(*) FROM (SELECT 1 FROM tasks {by_due_at} WHERE `+tickDueOpen+` AND due_at <= ? LIMIT ?) AS due`),
			c.Now.UTC(), max(s.fewDueTasks, 0)+1).Scan(&due)
		tc.fewDue = due <= s.fewDueTasks
	}
	<-done
	if err != nil {
		return nil, err
	}
	if statsErr != nil {
		return nil, statsErr
	}
	return tc, nil
}

// loadCustomers reads every customer (or just one) into out: every one in
// two halves at once, since the aggregates beside them may be the last
// tick's (tickStats), which leaves a core to the second.
func (s *Store) loadCustomers(ctx context.Context, users map[int64]string, customer int64, out *customerTable) error {
	if customer != 0 {
		rows, err := s.scanDB.QueryContext(ctx, s.rebind(tickCustomers+" WHERE id = ?"), customer)
		if err != nil {
			return err
		}
		return scanCustomers(rows, users, out)
	}
	// Room for every customer at once: growing the array by doubling
	// allocated and copied it twice over.
	var minID, maxID, count sql.NullInt64
	if err := s.scanDB.QueryRowContext(ctx, "SELECT MIN(id), MAX(id), COUNT(*) FROM customers").Scan(&minID, &maxID, &count); err != nil {
		return err
	}
	out.reserve(maxID.Int64, int(count.Int64))
	mid := minID.Int64 + (maxID.Int64-minID.Int64)/2
	// The upper half goes straight into its slots of the array when the
	// array holds every id (the lower half then never grows it), else into
	// a list set afterwards.
	dense := out.dense
	if int64(len(dense)) <= maxID.Int64 {
		dense = nil
	}
	var (
		upper      []customerRow
		upperDense int // how many of the upper half went into the array
		upperErr   error
		upperEnd   = make(chan struct{})
	)
	go func() {
		defer close(upperEnd)
		rows, err := s.scanDB.QueryContext(ctx, s.rebind(tickCustomers+" WHERE id > ?"), mid)
		if err != nil {
			upperErr = err
			return
		}
		upperErr = scanCustomersFunc(rows, users, func(c customerRow) {
			if c.ID > 0 && c.ID < int64(len(dense)) {
				dense[c.ID] = c
				upperDense++
				return
			}
			upper = append(upper, c)
		})
	}()
	rows, err := s.scanDB.QueryContext(ctx, s.rebind(tickCustomers+" WHERE id <= ?"), mid)
	if err == nil {
		err = scanCustomers(rows, users, out)
	}
	<-upperEnd
	if err != nil {
		return err
	}
	if upperErr != nil {
		return upperErr
	}
	out.n += upperDense
	for _, c := range upper {
		out.set(c)
	}
	return nil
}

// interner keeps one copy of each of the few values a column repeats
// (currencies, statuses) instead of a string per row.
type interner map[string]string

func (in interner) get(b []byte) string {
	if s, ok := in[string(b)]; ok {
		return s
	}
	s := string(b)
	in[s] = s
	return s
}

// customerTable holds a tick's customers: in an array indexed by id while
// ids are dense (they count up from 1), else in a map. A tick keeps every
// customer; the array is a third smaller than a map of the same rows.
type customerTable struct {
	dense  []customerRow // by id; ID 0 is an empty slot
	sparse map[int64]customerRow
	n      int
}

// applyTo sets sub's customer to the one of its invoice (zero if absent),
// without copying the row twice as get would.
func (t *customerTable) applyTo(sub *engine.Subject) {
	id := sub.Invoice.CustomerID
	if id > 0 && id < int64(len(t.dense)) {
		c := &t.dense[id]
		sub.Customer, sub.CustomerCustom = c.Customer, c.custom
		return
	}
	c := t.sparse[id]
	sub.Customer, sub.CustomerCustom = c.Customer, c.custom
}

func (t *customerTable) get(id int64) (customerRow, bool) {
	if id > 0 && id < int64(len(t.dense)) {
		c := t.dense[id]
		return c, c.ID != 0
	}
	c, ok := t.sparse[id]
	return c, ok
}

// reserve makes room for count customers with ids up to maxID, in the
// array if they are dense enough for it.
func (t *customerTable) reserve(maxID int64, count int) {
	if maxID > 0 && maxID < int64(2*count+1<<12) && maxID >= int64(len(t.dense)) {
		dense := make([]customerRow, maxID+1)
		copy(dense, t.dense)
		for k, v := range t.sparse {
			if k > 0 && k <= maxID {
				dense[k] = v
				delete(t.sparse, k)
			}
		}
		t.dense = dense
	}
}

func (t *customerTable) set(c customerRow) {
	id := c.ID
	if id > 0 && id < int64(len(t.dense)) {
		if t.dense[id].ID == 0 {
			t.n++
		}
		t.dense[id] = c
		return
	}
	if _, ok := t.sparse[id]; ok {
		t.sparse[id] = c
		return
	}
	t.n++
	if limit := int64(2*t.n + 1<<12); id > 0 && id < limit {
		dense := make([]customerRow, min(max(id+1, int64(2*len(t.dense))), limit))
		copy(dense, t.dense)
		for k, v := range t.sparse {
			if k > 0 && k < int64(len(dense)) {
				dense[k] = v
				delete(t.sparse, k)
			}
		}
		t.dense = dense
		t.dense[id] = c
		return
	}
	if t.sparse == nil {
		t.sparse = map[int64]customerRow{}
	}
	t.sparse[id] = c
}

type customerRow struct {
	engine.Customer
	custom map[string]string
}

// tickCustomers reads what scanCustomers scans.
const tickCustomers = `SELECT id, external_id, name, email, phone, finance_email, COALESCE(owner_id, 0),
	region, industry, credit_limit_minor, credit_currency, credit_rating, risk, locale, time_zone, do_not_contact, custom
	FROM customers`

func scanCustomers(rows *sql.Rows, users map[int64]string, out *customerTable) error {
	return scanCustomersFunc(rows, users, out.set)
}

// scanCustomersFunc is scanCustomers handing each row to add.
func scanCustomersFunc(rows *sql.Rows, users map[int64]string, add func(customerRow)) error {
	defer rows.Close()
	// Region, industry, currency, rating, risk, locale and zone take a
	// few values each: one string per value, not one per customer (a
	// tick keeps every customer in memory).
	words := interner{}
	var (
		ownerID                                                   int64
		region, industry, currency, rating, risk, locale, tz, raw sql.RawBytes
	)
	for rows.Next() {
		var c customerRow
		if err := rows.Scan(&c.ID, &c.ExternalID, &c.Name, &c.Email, &c.Phone, &c.FinanceEmail, &ownerID, &region, &industry,
			&c.CreditLimitMinor, &currency, &rating, &risk, &locale, &tz, &c.DoNotContact, &raw); err != nil {
			return err
		}
		c.Region, c.Industry, c.CreditCurrency, c.CreditRating = words.get(region), words.get(industry), words.get(currency), words.get(rating)
		c.Risk, c.Locale, c.TimeZone = engine.RiskTier(words.get(risk)), words.get(locale), words.get(tz)
		c.OwnerEmail = users[ownerID]
		if len(raw) > 0 && string(raw) != "{}" {
			if err := decodeStringMap(raw, &c.custom); err != nil {
				return fmt.Errorf("customer %s: custom fields: %w", c.ExternalID, err)
			}
		}
		add(c)
	}
	return rows.Err()
}

func userEmails(ctx context.Context, q querier) (map[int64]string, error) {
	rows, err := q.QueryContext(ctx, "SELECT id, email FROM users")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[int64]string{}
	for rows.Next() {
		var id int64
		var email string
		if err := rows.Scan(&id, &email); err != nil {
			return nil, err
		}
		out[id] = email
	}
	return out, rows.Err()
}

// loadFireState reads the fires of the periods this tick can ask about and
// the last rising-edge conditions of the batch's invoices.
func (s *Store) loadFireState(ctx context.Context, q querier, b engine.TickBatch, c engine.Clock, in *engine.BatchInput) error {
	day := c.Today()
	y, w := day.Time(time.UTC).ISOWeek()
	week := fmt.Sprintf("%04d-W%02d", y, w)
	rows, err := s.queryStmt(ctx, q, s.rebind(`SELECT rule, invoice_id, period FROM rule_fires
		WHERE `+s.scope()+` AND period IN ('', ?, ?, ?)`), b.Lo, b.Hi, day.String(), week, day.String()[:7])
	if err != nil {
		return err
	}
	// Rule names and periods repeat from row to row: one string each.
	words := interner{}
	var rule, period sql.RawBytes
	for rows.Next() {
		var k engine.FireKey
		if err := rows.Scan(&rule, &k.Subject, &period); err != nil {
			rows.Close()
			return err
		}
		k.Rule, k.Period = words.get(rule), words.get(period)
		in.Fires[k] = true
	}
	if err := rows.Close(); err != nil {
		return err
	}
	// Only true conditions are kept (see commitBatch): most invoices'
	// conditions stay false and cost nothing here.
	in.OnlyTrue = true
	rows, err = s.queryStmt(ctx, q, s.rebind(`SELECT rule, invoice_id FROM rule_conditions WHERE `+s.scope()), b.Lo, b.Hi)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var k engine.RuleSubject
		if err := rows.Scan(&rule, &k.Subject); err != nil {
			return err
		}
		k.Rule = words.get(rule)
		in.Conditions[k] = true
	}
	return rows.Err()
}

// LedgerKey is the unique key an effect is recorded under: its effect key,
// plus the field for a set (one set action may change several fields).
func LedgerKey(e engine.Effect) string {
	k := e.Key.String()
	if e.Kind == engine.ActionSet {
		k += "/" + e.Field
	}
	return k
}

// commitBatch records a batch's result in tx.
func (s *Store) commitBatch(ctx context.Context, tx *sql.Tx, run engine.TickRun, b engine.TickBatch, c engine.Clock, in *engine.BatchInput, res *engine.Result) (engine.BatchStats, map[int64]bool, error) {
	st := engine.BatchStats{Invoices: len(in.Subjects), Errors: len(res.Errors), New: make([]bool, len(res.Effects))}
	w := &effectWriter{s: s, tx: tx, run: run, subjects: map[int64]*engine.Subject{}}
	defer w.close()
	for i := range in.Subjects {
		w.subjects[in.Subjects[i].Invoice.ID] = &in.Subjects[i]
	}
	// Instances first: the tasks of new ones refer to their rows.
	for _, inst := range in.Changed {
		inst.ID = 0 // the row's id column holds it
		state, err := json.Marshal(inst)
		if err != nil {
			return st, nil, err
		}
		if _, err := w.exec(ctx, `INSERT INTO workflow_instances (workflow, invoice_id, customer_id, version, node, status, state, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (workflow, invoice_id) DO UPDATE SET
			version = excluded.version, node = excluded.node, status = excluded.status, state = excluded.state, updated_at = excluded.updated_at`,
			inst.Workflow, inst.InvoiceID, w.customerOf(inst.InvoiceID), inst.Version, inst.Node, inst.Status, string(state), run.At, run.At); err != nil {
			return st, nil, fmt.Errorf("saving workflow %s on invoice %d: %w", inst.Workflow, inst.InvoiceID, err)
		}
	}
	for i := range res.Effects {
		isNew, err := w.write(ctx, &res.Effects[i], &st)
		if err != nil {
			return st, nil, fmt.Errorf("effect %s: %w", LedgerKey(res.Effects[i]), err)
		}
		st.New[i] = isNew
		if isNew {
			st.Effects++
		} else {
			st.Replayed++
		}
	}
	for _, k := range res.Fired {
		if _, err := w.exec(ctx, `INSERT INTO rule_fires (key, rule, invoice_id, customer_id, period, tick_id, at)
			VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (key) DO NOTHING`, k.String(), k.Rule, k.Subject, w.customerOf(k.Subject), k.Period, nullID(run.ID), run.At); err != nil {
			return st, nil, err
		}
	}
	// A rising_edge condition is kept while true and deleted when false:
	// absent means false (BatchInput.OnlyTrue).
	for _, c := range res.Conditions {
		var err error
		if c.Value {
			_, err = w.exec(ctx, `INSERT INTO rule_conditions (rule, invoice_id, customer_id, value, at) VALUES (?, ?, ?, ?, ?)
				ON CONFLICT (invoice_id, rule) DO UPDATE SET value = excluded.value, at = excluded.at`, c.Rule, c.Subject, w.customerOf(c.Subject), true, run.At)
		} else {
			_, err = w.exec(ctx, `DELETE FROM rule_conditions WHERE invoice_id = ? AND rule = ?`, c.Subject, c.Rule)
		}
		if err != nil {
			return st, nil, err
		}
	}
	for _, e := range res.Errors {
		// One record per rule, invoice and day: a failing rule is visible
		// in the invoice's history without flooding it every tick.
		key := fmt.Sprintf("error/%s/invoice/%d/%s", e.Rule, e.Subject, c.Today())
		if _, err := w.exec(ctx, `INSERT INTO effects (key, tick_id, at, kind, source, invoice_id, customer_id, value)
			VALUES (?, ?, ?, 'error', ?, ?, ?, ?) ON CONFLICT (key) DO NOTHING`, key, nullID(run.ID), run.At, e.Rule, e.Subject, nullID(w.customerOf(e.Subject)), e.Err.Error()); err != nil {
			return st, nil, err
		}
	}
	st.Rows = w.rows
	if run.ID != 0 {
		// Only the batch's current owner may finish it.
		stats, _ := json.Marshal(st)
		n, err := w.exec(ctx, "UPDATE tick_batches SET status = 'done', stats = ? WHERE tick_id = ? AND seq = ? AND worker = ? AND status = 'running'",
			string(stats), run.ID, b.Seq, run.Worker)
		if err != nil {
			return st, nil, err
		}
		if n == 0 {
			return st, nil, errBatchLost
		}
	}
	return st, w.touched, nil
}

// Workers implements engine.TickStore: PostgreSQL batches are customer
// ranges with their own locks, so each core can run one; SQLite batches
// run one at a time under its single write lock.
func (s *Store) Workers() int {
	if s.dialect == Postgres {
		return runtime.GOMAXPROCS(0)
	}
	return 1
}

// Unfinished implements engine.TickStore.
func (s *Store) Unfinished(ctx context.Context, run engine.TickRun) (int, error) {
	var n int
	err := s.sqlDB.QueryRowContext(ctx, s.rebind("SELECT COUNT(*) FROM tick_batches WHERE tick_id = ? AND status <> 'done'"), run.ID).Scan(&n)
	return n, err
}

// UnfinishedTick is a scheduled tick some replica began and none finished.
type UnfinishedTick struct {
	Slot string
	At   time.Time
}

// UnfinishedTicks lists the shared (scheduled) ticks begun since and not
// done, oldest first, for a restarted server to finish.
func (s *Store) UnfinishedTicks(ctx context.Context, since time.Time) ([]UnfinishedTick, error) {
	rows, err := s.sqlDB.QueryContext(ctx, s.rebind("SELECT slot, at FROM ticks WHERE status = 'running' AND slot LIKE 'cron/%' AND started_at >= ? ORDER BY at"), since.UTC())
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []UnfinishedTick
	for rows.Next() {
		var t UnfinishedTick
		if err := rows.Scan(&t.Slot, &t.At); err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

// FinishTick implements engine.TickStore: the tick is done once every batch
// is, whichever replica finished last. Its stats sum what every batch
// wrote, whoever ran it; its elapsed time runs from the leader's start.
func (s *Store) FinishTick(ctx context.Context, run engine.TickRun, st engine.TickStats) error {
	s.dropCache(run)
	if run.ID < 0 {
		return nil // a dry run: nothing recorded
	}
	now := time.Now().UTC()
	tx, err := s.sqlDB.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	var started time.Time
	if err := tx.QueryRowContext(ctx, s.rebind("SELECT started_at FROM ticks WHERE id = ?"), run.ID).Scan(&started); err != nil {
		return err
	}
	rows, err := tx.QueryContext(ctx, s.rebind("SELECT status, stats FROM tick_batches WHERE tick_id = ?"), run.ID)
	if err != nil {
		return err
	}
	total := engine.TickStats{TickID: run.ID, At: run.At, Elapsed: now.Sub(started)}
	for rows.Next() {
		var status, raw string
		if err := rows.Scan(&status, &raw); err != nil {
			rows.Close()
			return err
		}
		if status != "done" {
			rows.Close()
			return nil // another worker still holds a batch: it finishes the tick
		}
		var bs engine.BatchStats
		if err := json.Unmarshal([]byte(raw), &bs); err != nil {
			rows.Close()
			return fmt.Errorf("tick %d: batch stats: %w", run.ID, err)
		}
		total.Batches++
		total.Add(bs)
	}
	if err := rows.Close(); err != nil {
		return err
	}
	stats, _ := json.Marshal(total)
	if _, err := tx.ExecContext(ctx, s.rebind("UPDATE ticks SET status = 'done', finished_at = ?, stats = ? WHERE id = ? AND status = 'running'"),
		now, string(stats), run.ID); err != nil {
		return err
	}
	// One audit row per run, with its counts: each effect has its own row
	// in the effects ledger already.
	if err := s.appendAudit(ctx, tx, AuditRecord{At: now, Actor: "tick", Action: ActionTickCompleted, Entity: "tick", EntityID: run.ID,
		Detail: json.RawMessage(stats)}); err != nil {
		return err
	}
	return tx.Commit()
}

// ActionTickCompleted is the audit action of a finished tick.
const ActionTickCompleted = "tick.completed"

// effectWriter records effects of one batch inside its transaction.
type effectWriter struct {
	s        *Store
	tx       *sql.Tx
	run      engine.TickRun
	subjects map[int64]*engine.Subject
	users    map[string]int64
	stmts    map[string]*sql.Stmt
	// touched lists customers whose cached row must follow this batch's
	// changes once it commits.
	touched map[int64]bool
	rows    int // rows written so far
}

func (w *effectWriter) customerOf(invoice int64) int64 {
	if s := w.subjects[invoice]; s != nil {
		return s.Customer.ID
	}
	return 0
}

// exec runs q on the batch's transaction through a prepared statement
// cached for the batch (the SQLite driver would otherwise parse it anew on
// every call).
func (w *effectWriter) exec(ctx context.Context, q string, args ...any) (int64, error) {
	st, ok := w.stmts[q]
	if !ok {
		shared, err := w.s.stmt(ctx, w.s.rebind(q))
		if err != nil {
			return 0, err
		}
		st = w.tx.StmtContext(ctx, shared)
		if w.stmts == nil {
			w.stmts = map[string]*sql.Stmt{}
		}
		w.stmts[q] = st
	}
	r, err := st.ExecContext(ctx, args...)
	if err != nil {
		return 0, err
	}
	n, err := r.RowsAffected()
	w.rows += int(n)
	return n, err
}

func (w *effectWriter) close() {
	for _, st := range w.stmts {
		st.Close()
	}
}

func (w *effectWriter) userID(ctx context.Context, email string) (int64, error) {
	if w.users == nil {
		w.users = map[string]int64{}
		rows, err := w.tx.QueryContext(ctx, "SELECT id, email FROM users")
		if err != nil {
			return 0, err
		}
		for rows.Next() {
			var id int64
			var e string
			if err := rows.Scan(&id, &e); err != nil {
				rows.Close()
				return 0, err
			}
			w.users[e] = id
		}
		if err := rows.Close(); err != nil {
			return 0, err
		}
	}
	return w.users[strings.ToLower(email)], nil
}

// write records e in the ledger and, when its key is new, carries it out.
func (w *effectWriter) write(ctx context.Context, e *engine.Effect, st *engine.BatchStats) (bool, error) {
	key := LedgerKey(*e)
	subj := w.subjects[e.Key.Subject]
	var custID int64
	if subj != nil {
		custID = subj.Customer.ID
	}
	if len(e.Trace) == 0 {
		// Empty, a trace is nil or not by what the evaluator's buffers held
		// before: the same detail either way, whichever run records it.
		e.Trace = nil
	}
	detail, err := json.Marshal(e)
	if err != nil {
		return false, err
	}
	trace, err := json.Marshal(e.Trace)
	if err != nil {
		return false, err
	}
	if len(e.Trace) == 0 {
		trace = []byte("[]")
	}
	n, err := w.exec(ctx, `INSERT INTO effects (key, tick_id, at, kind, source, version, invoice_id, customer_id, field, value, old_value, detail, trace)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (key) DO NOTHING`,
		key, nullID(w.run.ID), w.run.At, string(e.Kind), e.Rule, e.Version, e.Key.Subject, nullID(custID), e.Field, e.Value, e.OldValue, string(detail), string(trace))
	if err != nil || n == 0 {
		return false, err
	}
	now := w.run.At
	switch e.Kind {
	case engine.ActionSet:
		st.States++
		return true, w.applySet(ctx, e, subj)
	case engine.ActionTask, engine.EffectApproval:
		assignee, err := w.userID(ctx, e.Assignee)
		if err != nil {
			return false, err
		}
		kind := "task"
		if e.Kind == engine.EffectApproval {
			kind = "approval"
		}
		st.Tasks++
		var texts string
		if len(e.Texts) > 0 {
			data, err := json.Marshal(e.Texts)
			if err != nil {
				return false, err
			}
			texts = string(data)
		}
		_, err = w.exec(ctx, insertTaskSQL, NewTask{Key: LedgerKey(*e), Kind: kind, Title: e.Title, Description: e.Description, Texts: texts,
			AssigneeID: assignee, Role: string(e.Role), Form: e.Form, Priority: e.Priority, DueAt: e.DueAt,
			InvoiceID: e.Key.Subject, CustomerID: custID, Workflow: e.Workflow, Node: e.Node, Source: e.Rule, At: now}.args()...)
		return true, err
	case engine.EffectTaskCancelled:
		_, err := w.exec(ctx, "UPDATE tasks SET status = 'cancelled', updated_at = ? WHERE key = ? AND status = 'open'", now, e.Task)
		return true, err
	case engine.EffectEscalation:
		// Reassign to the escalation role: the assignee's own team manager
		// for sales_manager, else the first user holding the role.
		_, err := w.exec(ctx, `UPDATE tasks SET role = ?, escalated_at = ?, updated_at = ?,
			assignee_id = COALESCE((SELECT m.id FROM users m WHERE m.role = ? AND m.active = ?
				AND (m.role <> 'sales_manager' OR m.team = COALESCE((SELECT a.team FROM users a WHERE a.id = tasks.assignee_id), ''))
				ORDER BY m.id LIMIT 1), assignee_id)
			WHERE key = ? AND status = 'open'`, string(e.Role), now, now, string(e.Role), true, e.Task)
		return true, err
	case engine.ActionNotify:
		cc, _ := json.Marshal(e.Cc)
		if e.Cc == nil {
			cc = []byte("[]")
		}
		st.Outbox++
		var texts any
		if len(e.Texts) > 0 {
			data, err := json.Marshal(e.Texts)
			if err != nil {
				return false, err
			}
			texts = string(data)
		}
		_, err := w.exec(ctx, `INSERT INTO outbox (key, channel, recipient, recipient_role, cc, template, locale, subject, body, texts,
			invoice_id, customer_id, status, next_attempt_at, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'pending', ?, ?) ON CONFLICT (key) DO NOTHING`,
			key, e.Channel, e.To, string(e.ToRole), string(cc), e.Template, e.Locale, e.Subject, e.Body, texts, e.Key.Subject, nullID(custID), now, now)
		return true, err
	case engine.ActionAddFee:
		if e.Fee == nil || e.Fee.Minor <= 0 {
			return true, nil
		}
		st.Fees++
		if _, err := w.exec(ctx, `INSERT INTO fees (key, invoice_id, amount_minor, currency, reason, created_at) VALUES (?, ?, ?, ?, ?, ?)`,
			key, e.Key.Subject, e.Fee.Minor, e.Fee.Currency, e.Reason, now); err != nil {
			return false, err
		}
		_, err := w.exec(ctx, `UPDATE invoices SET fees_minor = fees_minor + ?, balance_minor = balance_minor + ?, updated_at = ? WHERE id = ?`,
			e.Fee.Minor, e.Fee.Minor, now, e.Key.Subject)
		return true, err
	case engine.ActionWriteOff:
		return true, w.writeOff(ctx, key, e)
	case engine.ActionInterest:
		if e.Fee == nil || e.Interest == nil || e.Fee.Minor <= 0 {
			return true, nil
		}
		st.Fees++
		return true, w.chargeInterest(ctx, key, e)
	case engine.ActionPaymentPlan:
		return true, w.writePlan(ctx, key, e)
	case engine.EffectPlanBroken:
		return true, w.endPlan(ctx, e, engine.PlanBroken)
	case engine.EffectPlanCompleted:
		return true, w.endPlan(ctx, e, engine.PlanCompleted)
	}
	// start_workflow and other kinds are recorded in the ledger; the
	// workflow step of the tick acts on them.
	return true, nil
}

func (w *effectWriter) applySet(ctx context.Context, e *engine.Effect, subj *engine.Subject) error {
	now := w.run.At
	table, id := "invoices", e.Key.Subject
	field := e.Field
	if strings.HasPrefix(field, "customer.") {
		if subj == nil {
			return fmt.Errorf("no customer for invoice %d", e.Key.Subject)
		}
		table, id = "customers", subj.Customer.ID
		if w.touched == nil {
			w.touched = map[int64]bool{}
		}
		w.touched[id] = true
	}
	// Each change is a compare-and-set on the value the rule saw: a
	// mismatch means someone changed it since the batch read it (errStale).
	cas := func(q string, args ...any) error {
		n, err := w.exec(ctx, q, args...)
		if err == nil && n == 0 {
			err = fmt.Errorf("%s of %d is no longer %q: %w", field, id, e.OldValue, errStale)
		}
		return err
	}
	switch field {
	case "invoice.status":
		return cas("UPDATE invoices SET status = ?, updated_at = ? WHERE id = ? AND status = ?", e.Value, now, id, e.OldValue)
	case "invoice.disputed":
		return cas("UPDATE invoices SET disputed = ?, updated_at = ? WHERE id = ? AND disputed = ?", e.Value == "true", now, id, e.OldValue == "true")
	case "customer.risk":
		return cas("UPDATE customers SET risk = ?, updated_at = ? WHERE id = ? AND risk = ?", e.Value, now, id, e.OldValue)
	case "customer.do_not_contact":
		return cas("UPDATE customers SET do_not_contact = ?, updated_at = ? WHERE id = ? AND do_not_contact = ?", e.Value == "true", now, id, e.OldValue == "true")
	}
	prefix := strings.TrimSuffix(table, "s") + ".custom."
	if !strings.HasPrefix(field, prefix) {
		return fmt.Errorf("cannot set %q", field)
	}
	// Read-modify-write of the JSON object, inside the batch transaction.
	var raw string
	if err := w.tx.QueryRowContext(ctx, w.s.rebind("SELECT custom FROM "+table+" WHERE id = ?"), id).Scan(&raw); err != nil {
		return err
	}
	custom := map[string]string{}
	if raw != "" {
		if err := json.Unmarshal([]byte(raw), &custom); err != nil {
			return err
		}
	}
	key := strings.TrimPrefix(field, prefix)
	if custom[key] != e.OldValue {
		return fmt.Errorf("%s of %d is no longer %q: %w", field, id, e.OldValue, errStale)
	}
	custom[key] = e.Value
	b, _ := json.Marshal(custom)
	_, err := w.exec(ctx, "UPDATE "+table+" SET custom = ?, updated_at = ? WHERE id = ?", string(b), now, id)
	return err
}
