package store

import (
	"cmp"
	"context"
	"database/sql"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/recoup/recoup/calendar"
	"github.com/recoup/recoup/engine"
	"github.com/recoup/recoup/money"
)

// InboxTask is a task as the inbox shows it: the task, its invoice's
// balance and age, its stage, its assignee, the invoice's promise to pay
// and the priority the default order sorts by, with its reasons.
type InboxTask struct {
	ID           int64          `json:"id"`
	Key          string         `json:"key"`
	Kind         string         `json:"kind"`
	Title        string         `json:"title"`
	Status       string         `json:"status"`
	Priority     string         `json:"priority,omitempty"`
	Assignee     string         `json:"assignee,omitempty"`
	Role         string         `json:"role,omitempty"`
	Form         string         `json:"form,omitempty"`
	Invoice      string         `json:"invoice,omitempty"`
	Customer     string         `json:"customer,omitempty"`
	CustomerName string         `json:"customer_name,omitempty"`
	Currency     string         `json:"currency,omitempty"`
	BalanceMinor int64          `json:"balance_minor"`
	DaysOverdue  int            `json:"days_overdue"`
	Workflow     string         `json:"workflow,omitempty"`
	Node         string         `json:"node,omitempty"`
	StageTitle   *LocalizedText `json:"stage_title,omitempty"`
	AssigneeName string         `json:"assignee_name,omitempty"`
	Team         string         `json:"team,omitempty"`
	// PromiseDate is the date of the invoice's latest promise to pay when
	// it was not kept (pending, due or broken).
	PromiseDate     *calendar.Date   `json:"promise_date,omitempty"`
	PromiseBroken   bool             `json:"promise_broken"`
	PriorityScore   int64            `json:"priority_score"`
	PriorityReasons []PriorityReason `json:"priority_reasons"`
	DueAt           time.Time        `json:"due_at,omitzero"`
	Overdue         bool             `json:"overdue"`
	CreatedAt       time.Time        `json:"created_at"`

	invoiceID int64
	dueDate   calendar.Date // the invoice's
	promise   promiseState
	taskLate  bool       // due before today began (a priority reason)
	texts     nullString // the title and description in other locales (JSON of engine.Effect.Texts)
}

// Localize puts the task's title in lang when its template had one
// (engine.Effect.Texts); Title stays as written otherwise.
func (t *InboxTask) Localize(lang string) {
	if tt, ok := t.text(lang); ok {
		t.Title = tt.Title
	}
}

func (t *InboxTask) text(lang string) (engine.Text, bool) {
	// Most tasks hold no text in lang (an English reader, Texts holding
	// zh-CN): decide that without decoding, a page is a hundred tasks.
	if t.texts == "" || lang == "" || !strings.Contains(string(t.texts), `"`+lang+`":`) {
		return engine.Text{}, false
	}
	var texts map[string]engine.Text
	if json.Unmarshal([]byte(t.texts), &texts) != nil {
		return engine.Text{}, false
	}
	tt, ok := texts[lang]
	return tt, ok && tt.Title != ""
}

// Localize puts the task's title and description in lang when its
// template had them.
func (d *TaskDetail) Localize(lang string) {
	if tt, ok := d.text(lang); ok {
		d.Title = tt.Title
		if tt.Body != "" {
			d.Description = tt.Body
		}
	}
}

// LocalizedText is a text per locale.
type LocalizedText struct {
	En   string `json:"en,omitempty"`
	ZhCN string `json:"zh-CN,omitempty"`
}

// PriorityReason is one reason a task ranks where it does (docs/api.md,
// "Task priority").
type PriorityReason struct {
	Code        string         `json:"code"`
	AmountMinor *int64         `json:"amount_minor,omitempty"`
	Currency    string         `json:"currency,omitempty"`
	Days        *int           `json:"days,omitempty"`
	Date        *calendar.Date `json:"date,omitempty"`
}

// The priority reasons' codes.
const (
	ReasonPromiseBroken = "promise_broken"
	ReasonPromiseDue    = "promise_due"
	ReasonTaskOverdue   = "task_overdue"
	ReasonDaysOverdue   = "days_overdue"
	ReasonAmount        = "amount"
)

// promiseState is where an invoice's latest promise to pay stands today.
type promiseState uint8

const (
	promiseNone    promiseState = iota // none, or kept
	promiseWaiting                     // its date is ahead
	promiseDue                         // due today, not yet kept
	promiseBroken                      // its date passed and it was not kept
)

// Priority weights (docs/api.md, "Task priority"). Each band outweighs
// everything below it: days overdue are capped at 3,650 (365,000) and an
// amount's weight stays under 15,000 for any balance an int64 holds.
const (
	weightPromiseBroken = 4_000_000
	weightPromiseDue    = 3_000_000
	weightTaskOverdue   = 1_000_000
	weightDay           = 100
	weightAmountDecade  = 1_000
	maxScoredDays       = 3650
)

// score sets t's priority score from its facts as of today (the company's
// date): a promise broken or due, the task late, days overdue, the open
// balance in major units on a log scale (ten times the amount weighs as
// much as ten days overdue).
func (t *InboxTask) score() {
	var s int64
	switch t.promise {
	case promiseBroken:
		s += weightPromiseBroken
	case promiseDue:
		s += weightPromiseDue
	}
	if t.taskLate {
		s += weightTaskOverdue
	}
	s += int64(min(max(t.DaysOverdue, 0), maxScoredDays)) * weightDay
	if t.BalanceMinor > 0 {
		s += int64(weightAmountDecade * math.Log10(1+majorUnits(t.BalanceMinor, t.Currency)))
	}
	t.PriorityScore = s
}

// majorUnits is minor in the currency's major units.
func majorUnits(minor int64, currency string) float64 {
	exp, err := money.Exponent(currency)
	if err != nil {
		exp = 2
	}
	return float64(minor) / math.Pow10(exp)
}

// reasons lists why t ranks where it does, strongest first.
func (t *InboxTask) reasons() []PriorityReason {
	out := []PriorityReason{}
	switch t.promise {
	case promiseBroken:
		out = append(out, PriorityReason{Code: ReasonPromiseBroken, Date: t.PromiseDate})
	case promiseDue:
		out = append(out, PriorityReason{Code: ReasonPromiseDue, Date: t.PromiseDate})
	}
	if t.taskLate {
		out = append(out, PriorityReason{Code: ReasonTaskOverdue})
	}
	if t.DaysOverdue > 0 {
		d := t.DaysOverdue
		out = append(out, PriorityReason{Code: ReasonDaysOverdue, Days: &d})
	}
	if t.BalanceMinor > 0 {
		a := t.BalanceMinor
		out = append(out, PriorityReason{Code: ReasonAmount, AmountMinor: &a, Currency: t.Currency})
	}
	return out
}

func (t *InboxTask) setOverdue(now time.Time) {
	t.Overdue = t.Status == "open" && !t.DueAt.IsZero() && t.DueAt.Before(now)
}

// Inbox views (InboxFilter.View).
const (
	ViewOpen     = "open"
	ViewToday    = "today"
	ViewOverdue  = "overdue"
	ViewPromises = "promises"
	ViewWaiting  = "waiting"
)

// Inbox orders (InboxFilter.Sort).
const (
	SortPriority = "priority" // highest priority score first
	SortDue      = "due"      // oldest due first, undated first
	SortCreated  = "created"  // oldest first (the approval queue)
)

// InboxFilter selects tasks in an inbox.
type InboxFilter struct {
	Status     string // default open; "all" for any
	View       string // ViewOpen (default), ViewToday, ViewOverdue, ViewPromises, ViewWaiting
	Due        string // the older form of View: "today" or "overdue"
	Kind       string // task or approval
	Invoice    string // invoice number
	Mine       bool   // only tasks assigned to the viewer
	Assignee   string // only tasks assigned to this user (email)
	Team       string // the assignee's team, or for a role task its invoice owner's
	Stage      string // workflow node name
	Unassigned *bool  // true: only role tasks; false: only assigned ones
	Role       string // only tasks for this role
	Sort       string // SortPriority (default), SortDue or SortCreated
	Cursor     string // the NextCursor of the page before
	Now        time.Time
	// StartOfDay and EndOfDay bound the viewer's today (company zone).
	StartOfDay, EndOfDay time.Time
	Limit                int // default 100, at most 500
}

// view is f's view, the older Due included.
func (f InboxFilter) view() string {
	if f.View != "" {
		return f.View
	}
	if f.Due != "" {
		return f.Due
	}
	return ViewOpen
}

// today is the company's date.
func (f InboxFilter) today() calendar.Date { return calendar.Of(f.StartOfDay) }

// TaskPage is one page of an inbox.
type TaskPage struct {
	Items      InboxTasks   `json:"items"`
	Counts     *InboxCounts `json:"counts,omitempty"`
	NextCursor string       `json:"next_cursor,omitempty"`
}

// InboxCounts are the badges of an inbox: open tasks, those due today,
// overdue, on promises due or broken and waiting on a promise.
type InboxCounts struct {
	Open     int `json:"open"`
	DueToday int `json:"due_today"`
	Overdue  int `json:"overdue"`
	Promises int `json:"promises"`
	Waiting  int `json:"waiting"`
}

// inView reports whether t is in view at f.Now.
func (f InboxFilter) inView(view string, t *InboxTask) bool {
	switch view {
	case ViewToday:
		return !t.DueAt.IsZero() && !t.DueAt.Before(f.StartOfDay) && t.DueAt.Before(f.EndOfDay)
	case ViewOverdue:
		return !t.DueAt.IsZero() && t.DueAt.Before(f.Now)
	case ViewPromises:
		return t.promise == promiseDue || t.promise == promiseBroken
	case ViewWaiting:
		return t.promise == promiseWaiting
	}
	return true
}

// InboxPage lists one page of the tasks v may see that match f, in f's order
// (highest priority first by default), from f.Cursor on.
//
// The whole list (the tasks of the viewer's scope that match f's filters
// other than the view) is read, scored and sorted at once; on SQLite it is
// kept under the inbox version and the day, so that the next pages, the
// other views and the counts come from memory (store/inbox_cache.go).
func (s *Store) InboxPage(ctx context.Context, v Viewer, f InboxFilter) (TaskPage, error) {
	f = f.withDefaults()
	list, err := s.inboxList(ctx, v, f)
	if err != nil {
		return TaskPage{}, err
	}
	return f.page(list)
}

// Inbox is the tasks of InboxPage's first page (or of f.Cursor's).
func (s *Store) Inbox(ctx context.Context, v Viewer, f InboxFilter) ([]InboxTask, error) {
	p, err := s.InboxPage(ctx, v, f)
	return p.Items, err
}

// withDefaults fills in the limit (100, at most 500) and, when not given,
// today's bounds from Now's date in Now's location.
func (f InboxFilter) withDefaults() InboxFilter {
	if f.Limit <= 0 {
		f.Limit = 100
	}
	f.Limit = min(f.Limit, 500)
	if f.StartOfDay.IsZero() {
		y, m, d := f.Now.Date()
		f.StartOfDay = time.Date(y, m, d, 0, 0, 0, 0, f.Now.Location())
		f.EndOfDay = time.Date(y, m, d+1, 0, 0, 0, 0, f.Now.Location())
	}
	return f
}

// CountInbox counts the open tasks v may see that match f's filters (its
// view, status, order and cursor aside), per view.
func (s *Store) CountInbox(ctx context.Context, v Viewer, f InboxFilter) (InboxCounts, error) {
	f = f.withDefaults()
	f.Status, f.Cursor = "", ""
	list, err := s.inboxList(ctx, v, f)
	if err != nil {
		return InboxCounts{}, err
	}
	var c InboxCounts
	for i := range list {
		t := &list[i]
		c.Open++
		if f.inView(ViewToday, t) {
			c.DueToday++
		}
		if f.inView(ViewOverdue, t) {
			c.Overdue++
		}
		if f.inView(ViewPromises, t) {
			c.Promises++
		}
		if f.inView(ViewWaiting, t) {
			c.Waiting++
		}
	}
	return c, nil
}

// inboxList is the sorted list f pages through, from the cache when it
// holds it.
func (s *Store) inboxList(ctx context.Context, v Viewer, f InboxFilter) ([]InboxTask, error) {
	version, versioned := s.inboxVersion(ctx)
	if !versioned {
		return s.readInboxList(ctx, v, f)
	}
	key := f.key(v)
	list, ok, r, lead := s.inbox.join(version, key)
	switch {
	case ok:
		return list, nil
	case !lead:
		select {
		case <-r.done:
			return r.list, r.err
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	// The read is shared: it must not end with this request's context.
	list, err := s.readInboxList(context.WithoutCancel(ctx), v, f)
	s.inbox.finish(version, key, r, list, err)
	return list, err
}

// sortKey is where t stands in order sort: compared first by k (ascending),
// then by id.
func sortKey(sort string, t *InboxTask) int64 {
	switch sort {
	case SortDue:
		if t.DueAt.IsZero() {
			return math.MinInt64
		}
		return t.DueAt.UnixNano()
	case SortCreated:
		return t.CreatedAt.UnixNano()
	}
	return -t.PriorityScore
}

func (f InboxFilter) sort() string {
	if f.Sort == "" {
		return SortPriority
	}
	return f.Sort
}

// encodeTaskCursor and decodeTaskCursor carry the sort key and id of the
// last task of a page: the next page starts after it, wherever the list
// moved in between.
func encodeTaskCursor(sort string, k, id int64) string {
	return base64.RawURLEncoding.EncodeToString([]byte("t" + sort[:1] + strconv.FormatInt(k, 10) + ":" + strconv.FormatInt(id, 10)))
}

func decodeTaskCursor(sort, c string) (k, id int64, err error) {
	b, err := base64.RawURLEncoding.DecodeString(c)
	if err != nil || len(b) < 3 || b[0] != 't' || b[1] != sort[0] {
		return 0, 0, ErrInvalidCursor
	}
	ks, ids, ok := strings.Cut(string(b[2:]), ":")
	if !ok {
		return 0, 0, ErrInvalidCursor
	}
	k, err1 := strconv.ParseInt(ks, 10, 64)
	id, err2 := strconv.ParseInt(ids, 10, 64)
	if err1 != nil || err2 != nil {
		return 0, 0, ErrInvalidCursor
	}
	return k, id, nil
}

// page cuts f's page out of list (sorted by f's order): the tasks in f's
// view after the cursor, with their overdue flags as of f.Now and their
// priority reasons.
func (f InboxFilter) page(list []InboxTask) (TaskPage, error) {
	sort, view := f.sort(), f.view()
	start := 0
	if f.Cursor != "" {
		k, id, err := decodeTaskCursor(sort, f.Cursor)
		if err != nil {
			return TaskPage{}, err
		}
		start, _ = slices.BinarySearchFunc(list, [2]int64{k, id}, func(t InboxTask, c [2]int64) int {
			return cmp.Or(cmp.Compare(sortKey(sort, &t), c[0]), cmp.Compare(t.ID, c[1]))
		})
		if start < len(list) && list[start].ID == id && sortKey(sort, &list[start]) == k {
			start++
		}
	}
	page := TaskPage{Items: InboxTasks{}}
	for i := start; i < len(list); i++ {
		t := &list[i]
		if !f.inView(view, t) {
			continue
		}
		if len(page.Items) == f.Limit {
			last := &page.Items[len(page.Items)-1]
			page.NextCursor = encodeTaskCursor(sort, sortKey(sort, last), last.ID)
			break
		}
		out := *t
		out.setOverdue(f.Now)
		out.PriorityReasons = out.reasons()
		page.Items = append(page.Items, out)
	}
	return page, nil
}

// inboxColumns are the columns scanInboxTask reads.
func (s *Store) inboxColumns() string {
	return `t.id, t.key, t.kind, t.title, t.status, t.priority, u.email, t.role, t.form, i.number, c.external_id, ` +
		s.instant("t.due_at") + ", " + s.instant("t.created_at") +
		`, c.name, i.currency, i.balance_minor, i.due_date, w.workflow, t.node, u.name, u.team, ou.team, t.invoice_id, t.texts`
}

const inboxFrom = ` FROM tasks t LEFT JOIN users u ON u.id = t.assignee_id LEFT JOIN invoices i ON i.id = t.invoice_id
	LEFT JOIN customers c ON c.id = t.customer_id LEFT JOIN users ou ON ou.id = i.owner_id
	LEFT JOIN workflow_instances w ON w.id = t.instance_id`

// scanInboxTask reads a row of inboxColumns (then extra) and works out
// what depends on today: days overdue, the task late.
func scanInboxTask(row interface{ Scan(...any) error }, now time.Time, today calendar.Date, startOfDay time.Time, extra ...any) (InboxTask, error) {
	var t InboxTask
	var due, created dbTime
	var assignee, invoice, customer, customerName, currency, workflow, assigneeName, team, ownerTeam nullString
	var balance, invoiceID sql.NullInt64
	var dueDate calendar.Date
	err := row.Scan(append([]any{&t.ID, &t.Key, &t.Kind, &t.Title, &t.Status, &t.Priority, &assignee, &t.Role, &t.Form,
		&invoice, &customer, &due, &created, &customerName, &currency, &balance, &dueDate, &workflow, &t.Node,
		&assigneeName, &team, &ownerTeam, &invoiceID, &t.texts}, extra...)...)
	t.Assignee, t.Invoice, t.Customer = string(assignee), string(invoice), string(customer)
	t.CustomerName, t.Currency, t.Workflow, t.AssigneeName = string(customerName), string(currency), string(workflow), string(assigneeName)
	t.Team = string(team)
	if t.Assignee == "" {
		t.Team = string(ownerTeam)
	}
	t.BalanceMinor, t.invoiceID, t.dueDate = balance.Int64, invoiceID.Int64, dueDate
	t.DueAt, t.CreatedAt = due.Time, created.Time
	if !dueDate.IsZero() && t.BalanceMinor > 0 {
		t.DaysOverdue = max(0, today.DaysSince(dueDate))
	}
	t.taskLate = t.Status == "open" && !t.DueAt.IsZero() && t.DueAt.Before(startOfDay)
	t.setOverdue(now)
	return t, err
}

// readInboxList reads every task v may see that matches f's filters (not
// its view, order or cursor), with its invoice's promise, scored and
// sorted in f's order.
func (s *Store) readInboxList(ctx context.Context, v Viewer, f InboxFilter) ([]InboxTask, error) {
	where, args := s.inboxWhere(v, f)
	rows, err := s.queryStmt(ctx, s.sqlDB, s.rebind("SELECT "+s.inboxColumns()+inboxFrom+" WHERE "+where), args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	today := f.today()
	out := []InboxTask{}
	for rows.Next() {
		t, err := scanInboxTask(rows, f.Now, today, f.StartOfDay)
		if err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rows.Close()
	promises, err := s.latestPromises(ctx, "SELECT t.invoice_id"+inboxFrom+" WHERE "+where, args, today, f.StartOfDay.Location())
	if err != nil {
		return nil, err
	}
	for i := range out {
		t := &out[i]
		if p, ok := promises[t.invoiceID]; ok {
			t.promise, t.PromiseBroken = p.state, p.state == promiseBroken
			d := p.date
			t.PromiseDate = &d
		}
		t.score()
	}
	sort := f.sort()
	slices.SortFunc(out, func(a, b InboxTask) int {
		return cmp.Or(cmp.Compare(sortKey(sort, &a), sortKey(sort, &b)), cmp.Compare(a.ID, b.ID))
	})
	return out, nil
}

// inboxWhere is the condition (on inboxFrom) of the tasks v may see that
// match f's filters.
func (s *Store) inboxWhere(v Viewer, f InboxFilter) (string, []any) {
	q, args := v.taskScope()
	add := conds{&q, &args}.and
	switch f.Status {
	case "":
		add("t.status = 'open'")
	case "all":
	default:
		add("t.status = ?", f.Status)
	}
	if f.Kind != "" {
		add("t.kind = ?", f.Kind)
	}
	if f.Invoice != "" {
		add("i.number = ?", f.Invoice)
	}
	if f.Mine {
		add("t.assignee_id = ?", v.UserID)
	}
	if f.Assignee != "" {
		add("u.email = ?", strings.ToLower(strings.TrimSpace(f.Assignee)))
	}
	if f.Team != "" {
		add("(u.team = ? OR (t.assignee_id IS NULL AND ou.team = ?))", f.Team, f.Team)
	}
	if f.Stage != "" {
		add("t.node = ?", f.Stage)
	}
	if f.Unassigned != nil {
		if *f.Unassigned {
			add("t.assignee_id IS NULL")
		} else {
			add("t.assignee_id IS NOT NULL")
		}
	}
	if f.Role != "" {
		add("t.role = ?", f.Role)
	}
	return q, args
}

// promiseInfo is where an invoice's latest promise stands.
type promiseInfo struct {
	state promiseState
	date  calendar.Date
}

// latestPromises finds, for the invoices that the query invoices (with
// args) selects, the latest promise to pay (a done task whose
// outcome is "promised", with a promised date) and where it stands today:
// kept when the payments from its making to the end of its date reach its
// amount (the promised amount in the invoice's currency, else the balance
// then), as the dashboard counts it. Kept promises are left out.
func (s *Store) latestPromises(ctx context.Context, invoices string, args []any, today calendar.Date, loc *time.Location) (map[int64]promiseInfo, error) {
	rows, err := s.sqlDB.QueryContext(ctx, s.rebind(`SELECT p.invoice_id, `+s.instant("p.completed_at")+`, p.outcome, i.currency, i.balance_minor
		FROM (SELECT t.invoice_id, t.completed_at, t.outcome FROM tasks t WHERE `+s.promisesPredicate()+` AND t.invoice_id IN (`+invoices+`)) p
		JOIN invoices i ON i.id = p.invoice_id ORDER BY p.invoice_id, p.completed_at`), args...)
	if err != nil {
		return nil, fmt.Errorf("promises: %w", err)
	}
	type made struct {
		at       time.Time
		date     calendar.Date
		amount   int64 // 0: the balance then
		balance  int64
		currency string
	}
	latest := map[int64]made{}
	for rows.Next() {
		var (
			id       int64
			at       dbTime
			outcome  string
			currency string
			balance  int64
		)
		if err := rows.Scan(&id, &at, &outcome, &currency, &balance); err != nil {
			rows.Close()
			return nil, err
		}
		var o map[string]any
		if json.Unmarshal([]byte(outcome), &o) != nil || o["outcome"] != "promised" {
			continue
		}
		d, ok := outcomeDate(o["promised_date"])
		if !ok {
			continue
		}
		m := made{at: at.Time, date: d, balance: balance, currency: currency}
		if text, ok := o["promised_amount"].(string); ok {
			if a, err := money.Parse(text); err == nil && a.Currency == currency && a.Minor > 0 {
				m.amount = a.Minor
			}
		}
		latest[id] = m // rows come in completion order: the last is the latest
	}
	if err := rows.Close(); err != nil {
		return nil, err
	}
	out := make(map[int64]promiseInfo, len(latest))
	for id, m := range latest {
		var paid int64
		end := m.date.AddDays(1).Time(loc)
		if err := s.sqlDB.QueryRowContext(ctx, s.rebind(`SELECT COALESCE(SUM(amount_minor), 0) FROM payments
			WHERE invoice_id = ? AND paid_at >= ? AND paid_at < ?`), id, m.at.UTC(), end.UTC()).Scan(&paid); err != nil {
			return nil, err
		}
		amount := m.amount
		if amount == 0 {
			// The balance when it was made: today's plus what was paid since.
			var since int64
			if err := s.sqlDB.QueryRowContext(ctx, s.rebind(`SELECT COALESCE(SUM(amount_minor), 0) FROM payments
				WHERE invoice_id = ? AND paid_at >= ?`), id, m.at.UTC()).Scan(&since); err != nil {
				return nil, err
			}
			amount = m.balance + since
		}
		if paid >= amount || m.balance <= 0 {
			continue // kept, or nothing left to pay
		}
		st := promiseWaiting
		switch c := m.date.DaysSince(today); {
		case c < 0:
			st = promiseBroken
		case c == 0:
			st = promiseDue
		}
		out[id] = promiseInfo{state: st, date: m.date}
	}
	return out, nil
}

// TaskDetail is one task with what its assignee needs to act on it.
type TaskDetail struct {
	InboxTask
	Description string          `json:"description,omitempty"`
	Outcome     json.RawMessage `json:"outcome,omitempty"`
	CompletedAt *time.Time      `json:"completed_at,omitempty"`
	InvoiceID   int64           `json:"-"`
	CustomerID  int64           `json:"-"`
}

// VisibleTask returns task id if v may see it, its row facts as of now (in
// the company zone). It returns ErrNotFound when there is no such task and
// ErrHidden when v may not see it.
func (s *Store) VisibleTask(ctx context.Context, v Viewer, id int64, now time.Time) (TaskDetail, error) {
	scope, args := v.taskScope()
	var (
		d         TaskDetail
		outcome   string
		completed sql.NullTime
		visible   bool
		cust      sql.NullInt64
	)
	y, m, day := now.Date()
	start := time.Date(y, m, day, 0, 0, 0, 0, now.Location())
	today := calendar.Of(now)
	t, err := scanInboxTask(s.sqlDB.QueryRowContext(ctx, s.rebind("SELECT "+s.inboxColumns()+`, t.description, t.outcome, t.completed_at,
		t.customer_id, CASE WHEN `+scope+` THEN 1 ELSE 0 END = 1`+inboxFrom+` WHERE t.id = ?`), append(args, id)...), now, today, start,
		&d.Description, &outcome, &completed, &cust, &visible)
	if errors.Is(err, sql.ErrNoRows) {
		return d, fmt.Errorf("task %d: %w", id, ErrNotFound)
	}
	if err != nil {
		return d, err
	}
	if !visible {
		return d, fmt.Errorf("task %d: %w", id, ErrHidden)
	}
	if t.invoiceID != 0 {
		promises, err := s.latestPromises(ctx, "SELECT invoice_id FROM tasks WHERE id = ?", []any{id}, today, now.Location())
		if err != nil {
			return d, err
		}
		if p, ok := promises[t.invoiceID]; ok {
			t.promise, t.PromiseBroken = p.state, p.state == promiseBroken
			d := p.date
			t.PromiseDate = &d
		}
	}
	t.score()
	t.PriorityReasons = t.reasons()
	d.InboxTask = t
	d.InvoiceID, d.CustomerID = t.invoiceID, cust.Int64
	if outcome != "" && outcome != "{}" {
		d.Outcome = json.RawMessage(outcome)
	}
	d.CompletedAt = nullTime(sql.NullTime(completed))
	return d, nil
}

// InboxTasks is a page of tasks. It encodes as encoding/json would encode
// []InboxTask (the same fields, names, omissions and order;
// TestInboxTaskJSON), without reflection: an inbox page is a hundred
// tasks, at a thousand pages a second.
type InboxTasks []InboxTask

// MarshalJSON implements json.Marshaler.
func (ts InboxTasks) MarshalJSON() ([]byte, error) {
	if ts == nil {
		return []byte("null"), nil
	}
	b := make([]byte, 0, 640*len(ts)+2)
	b = append(b, '[')
	for i := range ts {
		if i > 0 {
			b = append(b, ',')
		}
		b = ts[i].appendJSON(b)
	}
	return append(b, ']'), nil
}

// appendJSON appends t as encoding/json writes it.
func (t *InboxTask) appendJSON(b []byte) []byte {
	b = append(b, `{"id":`...)
	b = strconv.AppendInt(b, t.ID, 10)
	b = appendField(b, "key", t.Key, false)
	b = appendField(b, "kind", t.Kind, false)
	b = appendField(b, "title", t.Title, false)
	b = appendField(b, "status", t.Status, false)
	b = appendField(b, "priority", t.Priority, true)
	b = appendField(b, "assignee", t.Assignee, true)
	b = appendField(b, "role", t.Role, true)
	b = appendField(b, "form", t.Form, true)
	b = appendField(b, "invoice", t.Invoice, true)
	b = appendField(b, "customer", t.Customer, true)
	b = appendField(b, "customer_name", t.CustomerName, true)
	b = appendField(b, "currency", t.Currency, true)
	b = append(b, `,"balance_minor":`...)
	b = strconv.AppendInt(b, t.BalanceMinor, 10)
	b = append(b, `,"days_overdue":`...)
	b = strconv.AppendInt(b, int64(t.DaysOverdue), 10)
	b = appendField(b, "workflow", t.Workflow, true)
	b = appendField(b, "node", t.Node, true)
	if t.StageTitle != nil {
		b = append(b, `,"stage_title":{`...)
		n := len(b)
		if t.StageTitle.En != "" {
			b = appendJSONString(append(b, `"en":`...), t.StageTitle.En)
		}
		if t.StageTitle.ZhCN != "" {
			if len(b) > n {
				b = append(b, ',')
			}
			b = appendJSONString(append(b, `"zh-CN":`...), t.StageTitle.ZhCN)
		}
		b = append(b, '}')
	}
	b = appendField(b, "assignee_name", t.AssigneeName, true)
	b = appendField(b, "team", t.Team, true)
	if t.PromiseDate != nil {
		b = appendField(b, "promise_date", t.PromiseDate.String(), false)
	}
	b = append(b, `,"promise_broken":`...)
	b = strconv.AppendBool(b, t.PromiseBroken)
	b = append(b, `,"priority_score":`...)
	b = strconv.AppendInt(b, t.PriorityScore, 10)
	b = append(b, `,"priority_reasons":`...)
	if t.PriorityReasons == nil {
		b = append(b, "null"...)
	} else {
		b = append(b, '[')
		for i, r := range t.PriorityReasons {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendJSONString(append(b, `{"code":`...), r.Code)
			if r.AmountMinor != nil {
				b = strconv.AppendInt(append(b, `,"amount_minor":`...), *r.AmountMinor, 10)
			}
			b = appendField(b, "currency", r.Currency, true)
			if r.Days != nil {
				b = strconv.AppendInt(append(b, `,"days":`...), int64(*r.Days), 10)
			}
			if r.Date != nil {
				b = appendField(b, "date", r.Date.String(), false)
			}
			b = append(b, '}')
		}
		b = append(b, ']')
	}
	if !t.DueAt.IsZero() {
		b = append(append(b, `,"due_at":"`...), t.DueAt.Format(time.RFC3339Nano)...)
		b = append(b, '"')
	}
	b = append(b, `,"overdue":`...)
	b = strconv.AppendBool(b, t.Overdue)
	b = append(append(b, `,"created_at":"`...), t.CreatedAt.Format(time.RFC3339Nano)...)
	return append(b, `"}`...)
}

// appendField appends ,"name":"value" (nothing for an empty value when
// omitEmpty).
func appendField(b []byte, name, value string, omitEmpty bool) []byte {
	if omitEmpty && value == "" {
		return b
	}
	b = append(append(append(b, `,"`...), name...), `":`...)
	return appendJSONString(b, value)
}

// appendJSONString appends s quoted as encoding/json quotes it (HTML
// characters, control characters, U+2028 and U+2029 escaped, invalid UTF-8
// replaced).
func appendJSONString(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&' || c >= 0x80 {
			q, _ := json.Marshal(s)
			return append(b, q...)
		}
	}
	b = append(b, '"')
	b = append(b, s...)
	return append(b, '"')
}
