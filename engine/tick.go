package engine

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"sync"
	"time"

	"github.com/recoup/recoup/calendar"
)

// TickOptions configure one tick.
type TickOptions struct {
	// At is the tick's fixed "now". Required.
	At time.Time
	// Location is the company's zone: "today" and days overdue are counted
	// in it. Default UTC.
	Location *time.Location
	// Slot names the scheduled tick that replicas share: the first to
	// begin it leads (creates its batches); the others join and claim
	// batches. Empty means a private tick (a manual or simulated run).
	Slot string
	// Worker identifies this process in batch claims. Default "local".
	Worker string
	// DryRun evaluates everything and reports effects but writes nothing.
	DryRun bool
	// BatchSize is about how many invoices one batch holds (a store that
	// batches by customer takes whole customers). Default 2000.
	BatchSize int
	// OnEffect, when set, is called for each effect the tick produced
	// (in dry runs: would produce), after its batch committed.
	OnEffect func(TickEffect)
	// Compare, with DryRun, evaluates a second bundle on the same reads
	// (a draft's preview): each batch is loaded once and evaluated with
	// both; OnCompareEffect receives what Compare would produce, as
	// OnEffect does for the tick's own bundle. Each bundle sees its own
	// customer changes across batches.
	Compare         *Bundle
	OnCompareEffect func(TickEffect)
}

// TickEffect is an effect with the subject it applies to, as reported to
// OnEffect.
type TickEffect struct {
	Effect
	InvoiceID     int64
	InvoiceNumber string
	CustomerID    int64
	CustomerKey   string // external id
	// Currency and CreditCurrency are the invoice's and its customer's
	// credit limit's, for rendering the trace's amounts (Why).
	Currency, CreditCurrency string
	// New is false when the effect's key was already recorded (a replay):
	// nothing was written for it.
	New bool
}

// TickRun is a tick as begun in the store.
type TickRun struct {
	ID     int64
	At     time.Time
	Leader bool
	// Customer, when not 0, limits the run to one customer's invoices (a
	// task completion advancing its invoice at once).
	Customer int64
	// Worker is the process running it, as recorded on claimed batches.
	Worker string
	// Batches lists the batches of a dry run, which claims nothing.
	Batches []TickBatch
	// OwedOnly lets the store leave out of a batch the invoices whose
	// balance is ≤ 0 and that have no active workflow instance, no
	// rising_edge condition recorded as true and no active payment plan:
	// the bundle can do nothing for them (Bundle.OwedOnly).
	OwedOnly bool
}

// TickBatch is a range of ids processed together, in one transaction: of
// invoices or of customers, as the store chose.
type TickBatch struct {
	Seq    int
	Lo, Hi int64
}

// BatchInput is what the store loads for one batch: the subjects and the
// fire and condition state the rules need.
type BatchInput struct {
	Subjects []Subject
	Fires    map[FireKey]bool
	// Conditions holds the last recorded rising_edge conditions. With
	// OnlyTrue, the store keeps only the true ones: an absent condition is
	// known to be false (never evaluated counts as false, see
	// docs/language.md), so a condition that stays false is never written.
	Conditions map[RuleSubject]bool
	OnlyTrue   bool
	// Workflows holds each invoice's workflow instances and their open or
	// not yet routed tasks, by invoice id.
	Workflows map[int64]WorkflowInput

	// Changed receives the workflow instances the batch changed, for the
	// store to save with the batch's effects.
	Changed []Instance
	// InstanceArrays are the arrays Workflows' instances are windows of,
	// kept for the store to reuse once the batch is released
	// (BatchReleaser); the engine does not read them.
	InstanceArrays [][]Instance
}

// RuleSubject names a rule on an invoice.
type RuleSubject struct {
	Rule    string
	Subject int64
}

// Fired implements FireState.
func (b *BatchInput) Fired(k FireKey) bool { return b.Fires[k] }

// LastCondition implements FireState.
func (b *BatchInput) LastCondition(rule string, subject int64) (bool, bool) {
	v, ok := b.Conditions[RuleSubject{rule, subject}]
	return v, ok || b.OnlyTrue
}

// BatchStats counts what a committed batch wrote.
type BatchStats struct {
	// Invoices counts the invoices read and evaluated: with
	// TickRun.OwedOnly, settled ones with nothing open are not.
	Invoices int `json:"invoices"`
	Effects  int `json:"effects"`  // newly recorded
	Replayed int `json:"replayed"` // produced again but already recorded
	States   int `json:"states"`
	Tasks    int `json:"tasks"`
	Outbox   int `json:"notifications"`
	Fees     int `json:"fees"`
	Errors   int `json:"errors"`
	// Rows counts the rows the batch inserted, updated or deleted, the
	// tick's own bookkeeping (its batch marked done) aside: 0 for a
	// replayed tick.
	Rows int `json:"rows_written"`
	// New reports, per effect of the batch's Result, whether it was new.
	New []bool `json:"-"`
}

// Add adds o's counts to s.
func (s *BatchStats) Add(o BatchStats) {
	s.Invoices += o.Invoices
	s.Effects += o.Effects
	s.Replayed += o.Replayed
	s.States += o.States
	s.Tasks += o.Tasks
	s.Outbox += o.Outbox
	s.Fees += o.Fees
	s.Errors += o.Errors
	s.Rows += o.Rows
}

// TickStats summarises a tick.
type TickStats struct {
	TickID  int64         `json:"tick_id"`
	At      time.Time     `json:"at"`
	Batches int           `json:"batches"`
	Elapsed time.Duration `json:"elapsed_ns"`
	BatchStats
}

// A BatchReleaser is a TickStore that takes back the input of a batch the
// tick is done with (evaluated, recorded and reported), to reuse its
// memory for a later batch. Nothing may read the input afterwards.
type BatchReleaser interface {
	ReleaseBatch(*BatchInput)
}

// A TickEnder is a TickStore told when this process is done with a run,
// however the run ended (FinishTick is called only when it succeeded), to
// let go of what it holds for it.
type TickEnder interface {
	EndTick(TickRun)
}

// TickStore is the persistence a tick needs; package store implements it
// on SQLite and PostgreSQL. Every method must be safe to call from several
// processes at once (replicas).
type TickStore interface {
	// BeginTick creates the tick for o.Slot (or joins it if another
	// replica created it first) and, when leading, its batches. A store
	// partitions invoices into batches so that no two batches evaluated at
	// once share a customer.
	BeginTick(ctx context.Context, o TickOptions) (TickRun, error)
	// ClaimBatch takes the next unprocessed batch of run, or returns nil
	// when none is left. A batch whose worker died is claimable again
	// after its lease.
	ClaimBatch(ctx context.Context, run TickRun, worker string) (*TickBatch, error)
	// ProcessBatch loads the batch's subjects and state, calls evaluate on
	// them and, unless dry, records the result in one transaction: each
	// effect exactly once by its key, the state changes, tasks,
	// notifications (outbox) and fees of the new ones, fires, conditions
	// and errors, and the batch as done.
	ProcessBatch(ctx context.Context, run TickRun, b TickBatch, c Clock, dry bool, evaluate func(*BatchInput) *Result) (BatchStats, *BatchInput, error)
	// Unfinished counts run's batches not yet done (claimed by a worker
	// that may still finish them, or may have died).
	Unfinished(ctx context.Context, run TickRun) (int, error)
	// FinishTick marks the tick done with its stats. It is called for dry
	// runs too (they record nothing), so that the store can let go of
	// what it kept for the run.
	FinishTick(ctx context.Context, run TickRun, st TickStats) error
	// Workers is how many batches one process may evaluate at once: more
	// than one only where concurrent batches cannot share a customer and
	// do not serialise on one write lock.
	Workers() int
}

// claimWait is how often a worker with nothing left to claim checks
// whether the batches other workers hold got done, or their leases ran out.
var claimWait = time.Second

// ErrNoAt is returned when TickOptions.At is zero.
var ErrNoAt = errors.New("tick: At is required")

// RunTick evaluates bundle against every invoice in the store at o.At:
// rules in priority order, batch by batch, and commits each batch's effects
// exactly once. It is the same code for cron ticks, `recoup tick`,
// simulations and replicas.
func RunTick(ctx context.Context, b *Bundle, s TickStore, o TickOptions) (TickStats, error) {
	if o.At.IsZero() {
		return TickStats{}, ErrNoAt
	}
	if o.Location == nil {
		o.Location = time.UTC
	}
	if o.Worker == "" {
		o.Worker = "local"
	}
	if o.BatchSize <= 0 {
		o.BatchSize = 2000
	}
	if o.Compare != nil && !o.DryRun {
		return TickStats{}, errors.New("tick: Compare needs DryRun")
	}
	start := time.Now()
	run, err := s.BeginTick(ctx, o)
	if err != nil {
		return TickStats{}, fmt.Errorf("beginning tick: %w", err)
	}
	if e, ok := s.(TickEnder); ok {
		defer e.EndTick(run)
	}
	run.Worker = o.Worker
	run.OwedOnly = b.OwedOnly() && (o.Compare == nil || o.Compare.OwedOnly())
	st := TickStats{TickID: run.ID, At: run.At}
	clock := Clock{Now: run.At, Location: o.Location}

	// Workers of this process claim batches in parallel where the store
	// allows it (see TickStore.Workers); each has its own evaluator.
	workers := 1
	if !o.DryRun {
		workers = max(1, s.Workers())
	}
	var (
		mu      sync.Mutex // guards st, next and OnEffect
		next    int
		firstEr error
		wg      sync.WaitGroup
	)
	// progress is closed (and replaced) whenever a worker of this process
	// finishes a batch or stops: a worker waiting for the batches others
	// hold wakes at once when they are this process's own.
	var progressMu sync.Mutex
	progress := make(chan struct{})
	progressed := func() {
		progressMu.Lock()
		close(progress)
		progress = make(chan struct{})
		progressMu.Unlock()
	}
	nextProgress := func() <-chan struct{} {
		progressMu.Lock()
		defer progressMu.Unlock()
		return progress
	}
	fail := func(err error) {
		mu.Lock()
		if firstEr == nil {
			firstEr = err
		}
		mu.Unlock()
	}
	work := func() {
		defer wg.Done()
		defer progressed()
		ev := b.NewEvaluator(clock)
		var res Result
		var cmp *comparison
		if o.Compare != nil {
			cmp = newComparison(o.Compare.NewEvaluator(clock))
		}
		for {
			mu.Lock()
			stop := firstEr != nil
			mu.Unlock()
			if stop {
				return
			}
			if err := ctx.Err(); err != nil {
				fail(err)
				return
			}
			var batch *TickBatch
			if o.DryRun {
				mu.Lock()
				if next < len(run.Batches) {
					batch = &run.Batches[next]
					next++
				}
				mu.Unlock()
			} else {
				var err error
				if batch, err = s.ClaimBatch(ctx, run, o.Worker); err != nil {
					fail(fmt.Errorf("claiming a batch: %w", err))
					return
				}
			}
			if batch == nil && !o.DryRun {
				// Nothing to claim: done, unless other workers still hold
				// batches; wait for them (this process's wake it), or for
				// their leases to run out so the batches of a dead worker
				// are taken over here.
				woken := nextProgress() // before counting: no wake-up lost
				left, err := s.Unfinished(ctx, run)
				if err != nil {
					fail(fmt.Errorf("checking the tick: %w", err))
					return
				}
				if left > 0 {
					select {
					case <-ctx.Done():
						fail(ctx.Err())
						return
					case <-woken:
					case <-time.After(claimWait):
					}
					continue
				}
			}
			if batch == nil {
				return
			}
			bs, in, err := s.ProcessBatch(ctx, run, *batch, clock, o.DryRun, func(in *BatchInput) *Result {
				if cmp != nil {
					cmp.evaluate(in) // first: in is as loaded
				}
				res.Reset()
				changed := evaluateBatch(ev, in, &res)
				if cmp != nil {
					cmp.sawTickChanges(changed)
					// A dry run saves no instance: Changed only tells the
					// store which instances end, so that it reads their
					// open tasks; those the compared bundle ends count.
					in.Changed = append(in.Changed, cmp.in.Changed...)
				}
				return &res
			})
			if err != nil {
				fail(fmt.Errorf("batch %d: %w", batch.Seq, err))
				return
			}
			mu.Lock()
			st.Batches++
			st.Add(bs)
			if o.OnEffect != nil {
				report(in, &res, bs.New, o.DryRun, o.OnEffect)
			}
			if cmp != nil && o.OnCompareEffect != nil {
				report(cmp.in, &cmp.res, nil, true, o.OnCompareEffect)
			}
			mu.Unlock()
			if r, ok := s.(BatchReleaser); ok {
				r.ReleaseBatch(in)
			}
			progressed()
		}
	}
	wg.Add(workers)
	for range workers {
		go work()
	}
	wg.Wait()
	if firstEr != nil {
		return st, firstEr
	}
	st.Elapsed = time.Since(start)
	if err := s.FinishTick(ctx, run, st); err != nil {
		return st, fmt.Errorf("finishing tick: %w", err)
	}
	return st, nil
}

// evaluateBatch runs the rules, then the workflows, on every subject of the
// batch. A customer
// change made for one invoice (risk, do-not-contact, custom fields) is
// visible when the customer's later invoices are evaluated, as in one pass.
func evaluateBatch(ev *Evaluator, in *BatchInput, res *Result) (changed map[int64]CustomerEnv) {
	for i := range in.Subjects {
		s := &in.Subjects[i]
		if c, ok := changed[s.Customer.ID]; ok {
			s.Customer.Risk = RiskTier(c.Risk)
			s.Customer.DoNotContact = c.DoNotContact
			s.CustomerCustom = c.Custom
		}
		from := len(res.Effects)
		// The instances are stepped into the evaluator's scratch array:
		// only the changed ones are kept, by copy.
		ev.scratch = ev.step(s, in, in.Workflows[s.Invoice.ID], res, ev.scratch[:0])
		for _, inst := range ev.scratch {
			if inst.Changed {
				in.Changed = append(in.Changed, inst)
			}
		}
		for _, e := range res.Effects[from:] {
			if e.Kind == ActionSet && len(e.Field) > 9 && e.Field[:9] == "customer." {
				if changed == nil {
					changed = map[int64]CustomerEnv{}
				}
				changed[s.Customer.ID] = ev.Env().Customer
				break
			}
		}
	}
	return changed
}

// comparison evaluates a second bundle on each batch a dry tick loads.
// The store keeps the customer changes of the tick's own bundle across
// batches (its cache); the comparison keeps its own: what the compared
// bundle changed, and the value before the tick's bundle changed a
// customer the compared one left alone.
type comparison struct {
	ev     *Evaluator
	in     *BatchInput
	res    Result
	before []Subject // the batch as loaded, for the base values
	own    map[int64]customerState
	base   map[int64]customerState
}

type customerState struct {
	risk         RiskTier
	doNotContact bool
	custom       map[string]string
}

func newComparison(ev *Evaluator) *comparison {
	return &comparison{ev: ev, own: map[int64]customerState{}, base: map[int64]customerState{}}
}

func (c *comparison) evaluate(in *BatchInput) {
	c.before = append(c.before[:0], in.Subjects...)
	cin := *in
	cin.Changed = nil
	cin.Subjects = make([]Subject, len(in.Subjects))
	copy(cin.Subjects, in.Subjects)
	for i := range cin.Subjects {
		sub := &cin.Subjects[i]
		st, ok := c.own[sub.Customer.ID]
		if !ok {
			st, ok = c.base[sub.Customer.ID]
		}
		if ok {
			sub.Customer.Risk, sub.Customer.DoNotContact, sub.CustomerCustom = st.risk, st.doNotContact, st.custom
		}
	}
	c.in = &cin
	c.res.Reset()
	for id, env := range evaluateBatch(c.ev, c.in, &c.res) {
		c.own[id] = customerState{RiskTier(env.Risk), env.DoNotContact, env.Custom}
	}
}

// sawTickChanges notes the customers the tick's own bundle changed in the
// batch, with their values as loaded, the first time.
func (c *comparison) sawTickChanges(changed map[int64]CustomerEnv) {
	for id := range changed {
		if _, ok := c.base[id]; ok {
			continue
		}
		for i := range c.before {
			if sub := &c.before[i]; sub.Customer.ID == id {
				c.base[id] = customerState{sub.Customer.Risk, sub.Customer.DoNotContact, sub.CustomerCustom}
				break
			}
		}
	}
}

// CountEffects counts a batch's effects by kind, as a dry run reports them.
func CountEffects(in *BatchInput, res *Result) BatchStats {
	st := BatchStats{Invoices: len(in.Subjects), Errors: len(res.Errors), Effects: len(res.Effects)}
	for _, e := range res.Effects {
		switch e.Kind {
		case ActionSet:
			st.States++
		case ActionTask, EffectApproval:
			st.Tasks++
		case ActionNotify:
			st.Outbox++
		case ActionAddFee, ActionInterest:
			st.Fees++
		}
	}
	return st
}

func report(in *BatchInput, res *Result, isNew []bool, dry bool, fn func(TickEffect)) {
	byID := make(map[int64]*Subject, len(in.Subjects))
	for i := range in.Subjects {
		byID[in.Subjects[i].Invoice.ID] = &in.Subjects[i]
	}
	for i, e := range res.Effects {
		te := TickEffect{Effect: e, InvoiceID: e.Key.Subject, New: dry || (i < len(isNew) && isNew[i])}
		if s := byID[e.Key.Subject]; s != nil {
			te.InvoiceNumber, te.CustomerID, te.CustomerKey = s.Invoice.Number, s.Customer.ID, s.Customer.ExternalID
			te.Currency, te.CreditCurrency = s.Invoice.Currency, s.Customer.CreditCurrency
		}
		fn(te)
	}
}

// Why renders the values the effect's condition read for people, as
// TryRule does: amounts in their currency, dates as YYYY-MM-DD.
func (te TickEffect) Why() []TriedValue {
	out := make([]TriedValue, len(te.Trace))
	for i, v := range te.Trace {
		out[i] = TriedValue{Path: v.Name, Value: formatRead(v, te.Currency, te.CreditCurrency)}
	}
	return out
}

// InvoicePayments is the payment summary the store keeps on each invoice.
type InvoicePayments struct {
	Count      int
	PaidMinor  int64
	LastPaidAt time.Time
}

// CustomerStats accumulates, invoice by invoice, the customer-level payment
// aggregates of every customer at one clock: open invoices, open balance
// per currency,
// average days paid late, and invoices late in the last 12 months, counted
// in calendar days of the clock's zone.
type CustomerStats struct {
	loc            *time.Location
	today, yearAgo calendar.Date
	// Customer ids are mostly dense from 1: their aggregates sit in a
	// slice indexed by id (one memory access per invoice looked up),
	// others in the map.
	dense      []customerAgg
	byCustomer map[int64]*customerAgg
	count      int
}

type customerAgg struct {
	used                                         bool
	openInvoices, lateInvoices12M, lateSum, paid int
	// The open balance per currency: the first inline (most customers
	// have one), others in more.
	currency string
	open     int64
	more     []currencyBalance
}

type currencyBalance struct {
	currency string
	minor    int64
}

func (a *customerAgg) addOpen(currency string, minor int64) {
	switch {
	case a.currency == "":
		a.currency, a.open = currency, minor
		return
	case a.currency == currency:
		a.open += minor
		return
	}
	for i := range a.more {
		if a.more[i].currency == currency {
			a.more[i].minor += minor
			return
		}
	}
	a.more = append(a.more, currencyBalance{currency, minor})
}

func (a *customerAgg) openIn(currency string) int64 {
	if a.currency == currency {
		return a.open
	}
	for _, b := range a.more {
		if b.currency == currency {
			return b.minor
		}
	}
	return 0
}

// agg returns customer's aggregates, adding empty ones if create (else
// nil when there are none).
func (cs *CustomerStats) agg(customer int64, create bool) *customerAgg {
	if customer >= 0 && customer < int64(len(cs.dense)) {
		a := &cs.dense[customer]
		if !a.used {
			if !create {
				return nil
			}
			a.used = true
			cs.count++
		}
		return a
	}
	if a := cs.byCustomer[customer]; a != nil || !create {
		return a
	}
	if limit := int64(2*cs.count + 1<<16); customer >= 0 && customer < limit {
		dense := make([]customerAgg, min(max(customer+1, int64(2*len(cs.dense))), limit))
		copy(dense, cs.dense)
		for id, a := range cs.byCustomer {
			if id >= 0 && id < int64(len(dense)) {
				dense[id] = *a
				delete(cs.byCustomer, id)
			}
		}
		cs.dense = dense
		return cs.agg(customer, true)
	}
	a := &customerAgg{used: true}
	cs.byCustomer[customer] = a
	cs.count++
	return a
}

// NewCustomerStats starts empty aggregates at clock c.
func NewCustomerStats(c Clock) *CustomerStats {
	loc := c.Location
	if loc == nil {
		loc = time.UTC
	}
	today := c.Today()
	return &CustomerStats{loc: loc, today: today, yearAgo: today.AddDays(-365), byCustomer: map[int64]*customerAgg{}}
}

// Add counts one invoice of customer, in currency.
func (cs *CustomerStats) Add(customer int64, currency string, balanceMinor int64, due calendar.Date, lastPaid time.Time) {
	a := cs.agg(customer, true)
	if balanceMinor > 0 {
		a.openInvoices++
		a.addOpen(currency, balanceMinor)
	}
	late := 0
	if balanceMinor <= 0 && !lastPaid.IsZero() {
		late = max(0, calendar.In(lastPaid, cs.loc).DaysSince(due))
		a.lateSum += late
		a.paid++
	} else if !due.IsZero() {
		late = cs.today.DaysSince(due)
	}
	if late > 0 && !due.Before(cs.yearAgo) {
		a.lateInvoices12M++
	}
}

// CustomerSums are the aggregates of one customer's invoices in one
// currency, as a store may compute them in the database: what Add would
// have accumulated from each of those invoices.
type CustomerSums struct {
	OpenInvoices    int   // balance above zero
	OpenMinor       int64 // their balance
	PaidInvoices    int   // balance zero or below, with a payment date
	DaysLateSum     int   // of those, days from due date to last payment (0 if on time)
	LateInvoices12M int   // late (paid after, or still unpaid past, the due date), due in the last 365 days
}

// AddSums counts the invoices of customer in currency that s sums up.
func (cs *CustomerStats) AddSums(customer int64, currency string, s CustomerSums) {
	a := cs.agg(customer, true)
	if s.OpenInvoices > 0 {
		a.openInvoices += s.OpenInvoices
		a.addOpen(currency, s.OpenMinor)
	}
	a.lateSum += s.DaysLateSum
	a.paid += s.PaidInvoices
	a.lateInvoices12M += s.LateInvoices12M
}

// Merge adds the aggregates o accumulated (at the same clock) to cs.
func (cs *CustomerStats) Merge(o *CustomerStats) {
	add := func(id int64, b *customerAgg) {
		a := cs.agg(id, true)
		a.openInvoices += b.openInvoices
		a.lateInvoices12M += b.lateInvoices12M
		a.lateSum += b.lateSum
		a.paid += b.paid
		if b.currency != "" {
			a.addOpen(b.currency, b.open)
		}
		for _, o := range b.more {
			a.addOpen(o.currency, o.minor)
		}
	}
	for id := range o.dense {
		if o.dense[id].used {
			add(int64(id), &o.dense[id])
		}
	}
	for id, b := range o.byCustomer {
		add(id, b)
	}
}

// Replaced returns a copy of cs in which the aggregates of the customers
// ids are those of o (none, for a customer o has none of): the aggregates
// of a book in which only those customers' invoices changed, given o summed
// them again at the same clock. cs and o are left as they are.
func (cs *CustomerStats) Replaced(ids []int64, o *CustomerStats) *CustomerStats {
	out := *cs
	out.dense = slices.Clone(cs.dense)
	out.byCustomer = maps.Clone(cs.byCustomer)
	for _, id := range ids {
		if a := out.agg(id, false); a != nil {
			if id >= 0 && id < int64(len(out.dense)) {
				*a = customerAgg{}
			} else {
				delete(out.byCustomer, id)
			}
			out.count--
		}
		if b := o.agg(id, false); b != nil {
			a := out.agg(id, true)
			*a = *b
			a.more = slices.Clone(b.more)
		}
	}
	return &out
}

// Today is the calendar day the aggregates count from, and Location the
// zone payment instants are read in.
func (cs *CustomerStats) Today() calendar.Date { return cs.today }

// Location is the zone in which payment instants become calendar days.
func (cs *CustomerStats) Location() *time.Location { return cs.loc }

// Stats returns the aggregates of an invoice of customer in currency with
// payments p: its open balance is the customer's open balance in that
// currency (minor units never add across currencies).
func (cs *CustomerStats) Stats(customer int64, currency string, p InvoicePayments) PaymentStats {
	var st PaymentStats
	if a := cs.agg(customer, false); a != nil {
		st.OpenInvoices, st.LateInvoices12M = a.openInvoices, a.lateInvoices12M
		st.OpenBalanceMinor = a.openIn(currency)
		if a.paid > 0 {
			st.AvgDaysLate = float64(a.lateSum) / float64(a.paid)
		}
	}
	st.Count, st.TotalMinor, st.LastPaidAt = p.Count, p.PaidMinor, p.LastPaidAt
	return st
}
