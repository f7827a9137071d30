package store_test

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/recoup/recoup/calendar"
	"github.com/recoup/recoup/demo"
	"github.com/recoup/recoup/engine"
	"github.com/recoup/recoup/ingest"
	"github.com/recoup/recoup/money"
	"github.com/recoup/recoup/store"
	"github.com/recoup/recoup/store/storetest"
)

// TestDashboardSumsMatchScratch: after every kind of write the product
// makes (imports, payments, ticks, promises and plans, reassigned invoices
// and tasks, customers moved to another region, reps to another team) and
// the plain SQL writes no feature makes yet, the dashboard read from the
// summary tables equals the one computed from scratch, for every role and
// filter.
func TestDashboardSumsMatchScratch(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		sumsScenario(t, s, func(step string, diff string) bool {
			t.Fatalf("after %s: %s", step, diff)
			return true
		})
	})
}

// TestDashboardSumsNeedEveryTrigger runs the writes of
// TestDashboardSumsMatchScratch without each of the triggers of migration
// 00010 in turn: every one of them must be missed, so that the scenario
// is known to cover them all (a trigger nothing depends on would be
// dropped, not kept).
func TestDashboardSumsNeedEveryTrigger(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the sums scenario once per trigger")
	}
	t.Parallel()
	for _, dialect := range []string{store.SQLite, store.Postgres} {
		t.Run(dialect, func(t *testing.T) {
			t.Parallel()
			open := storetest.SQLite
			if dialect == store.Postgres {
				open = storetest.Postgres
			}
			for _, trigger := range sumsTriggers(t, open(t)) {
				t.Run(trigger.name, func(t *testing.T) {
					t.Parallel()
					s := open(t)
					if _, err := storetest.SQL(s).Exec(trigger.drop); err != nil {
						t.Fatal(err)
					}
					missed := ""
					sumsScenario(t, s, func(step, _ string) bool {
						missed = step
						return true
					})
					if missed == "" {
						t.Fatalf("every figure stayed right without %s: the scenario does not need it", trigger.name)
					}
					t.Logf("first missed after %s", missed)
				})
			}
		})
	}
}

// TestDashboardFoldWhileWriting folds the sums while payments are being
// recorded: whatever a fold takes or leaves, the figures stay exact.
func TestDashboardFoldWhileWriting(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		seedDemo(t, s, 20, 200, "2026-11-01")
		var open []string // issued by now: a payment may not precede its invoice
		rows, err := storetest.SQL(s).Query("SELECT number FROM invoices WHERE balance_minor > 1000 AND issue_date <= '2026-11-01' ORDER BY id LIMIT 40")
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var n string
			if err := rows.Scan(&n); err != nil {
				t.Fatal(err)
			}
			open = append(open, n)
		}
		rows.Close()
		now := time.Date(2026, 11, 1, 15, 0, 0, 0, shanghai)
		done := make(chan error, 4)
		for g := range 4 {
			go func() {
				for i := g; i < len(open); i += 4 {
					var currency string
					if err := storetest.SQL(s).QueryRow(storetest.Rebind(s, "SELECT currency FROM invoices WHERE number = ?"), open[i]).Scan(&currency); err != nil {
						done <- err
						return
					}
					if _, err := s.RecordPayment(ctx, store.PaymentIn{Reference: fmt.Sprintf("FOLD-%d", i), Invoice: open[i], AmountMinor: 1000,
						Currency: currency, PaidAt: now}, now); err != nil {
						done <- err
						return
					}
				}
				done <- nil
			}()
		}
		for range 10 {
			if err := s.FoldDashboardSums(ctx); err != nil {
				t.Fatal(err)
			}
		}
		for range 4 {
			if err := <-done; err != nil {
				t.Fatal(err)
			}
		}
		v := store.Viewer{Role: store.RoleFinanceDirector}
		today := calendar.In(now, shanghai)
		got, err := s.Dashboard(ctx, v, store.DashboardFilter{}, today, now)
		if err != nil {
			t.Fatal(err)
		}
		want, err := store.DashboardFromScratch(ctx, s, v, store.DashboardFilter{}, today, now)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("after folds among payments:\n%s", dashDiff(got, want))
		}
	})
}

type sumsTrigger struct{ name, drop string }

// sumsTriggers lists the triggers of migration 00010 (named
// dashboard_sums_*) and how to drop each.
func sumsTriggers(t testing.TB, s *store.Store) []sumsTrigger {
	t.Helper()
	q := "SELECT name, 'DROP TRIGGER ' || name FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'dashboard_sums_%' ORDER BY name"
	if storetest.Dialect(s) == store.Postgres {
		q = `SELECT tgname, 'DROP TRIGGER ' || tgname || ' ON ' || tgrelid::regclass::text FROM pg_trigger
			WHERE tgname LIKE 'dashboard_sums_%' AND tgrelid::regclass::text NOT LIKE '%.%' ORDER BY tgname`
	}
	rows, err := storetest.SQL(s).Query(q)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []sumsTrigger
	for rows.Next() {
		var tr sumsTrigger
		if err := rows.Scan(&tr.name, &tr.drop); err != nil {
			t.Fatal(err)
		}
		out = append(out, tr)
	}
	if err := rows.Err(); err != nil || len(out) < 10 {
		t.Fatalf("%d triggers: %v", len(out), err)
	}
	return out
}

// sumsScenario makes the writes and, after each, compares the dashboard
// with the one computed from scratch for a set of viewers and filters;
// mismatch is called with the step and what differs, and ends the
// scenario when it returns true.
func sumsScenario(t *testing.T, s *store.Store, mismatch func(step, diff string) (stop bool)) {
	t.Helper()
	ctx := context.Background()
	w := &sumsWorld{t: t, s: s, dir: t.TempDir()}
	day0 := calendar.MustParse("2026-11-01")
	if err := demo.Generate(w.dir, demo.Options{Customers: 24, Invoices: 360, Seed: 9, Today: day0, Zone: shanghai}); err != nil {
		t.Fatal(err)
	}
	for _, k := range ingest.Kinds {
		w.importFile(k, filepath.Join(w.dir, k+".csv"))
	}
	id := func(email string) int64 { return w.int(`SELECT id FROM users WHERE email = ?`, email) }
	views := []struct {
		v store.Viewer
		f store.DashboardFilter
	}{
		{store.Viewer{UserID: id("finance1@demo.recoup.test"), Role: store.RoleFinance}, store.DashboardFilter{}},
		{store.Viewer{UserID: id("finance1@demo.recoup.test"), Role: store.RoleFinance}, store.DashboardFilter{Team: "east"}},
		{store.Viewer{UserID: id("finance1@demo.recoup.test"), Role: store.RoleFinance}, store.DashboardFilter{Region: "West"}},
		{store.Viewer{UserID: id("finance1@demo.recoup.test"), Role: store.RoleFinance}, store.DashboardFilter{Currency: "USD"}},
		{store.Viewer{UserID: id("manager.east@demo.recoup.test"), Role: store.RoleSalesManager, Team: "east"}, store.DashboardFilter{}},
		{store.Viewer{UserID: id("manager.west@demo.recoup.test"), Role: store.RoleSalesManager, Team: "west"}, store.DashboardFilter{Region: "West"}},
		{store.Viewer{UserID: id("rep1.east@demo.recoup.test"), Role: store.RoleSalesRep, Team: "east"}, store.DashboardFilter{}},
		{store.Viewer{UserID: id("director@demo.recoup.test"), Role: store.RoleFinanceDirector}, store.DashboardFilter{}},
		{store.Viewer{UserID: id("admin@demo.recoup.test"), Role: store.RoleAdmin}, store.DashboardFilter{Currency: "CNY"}},
	}
	check := func(step string, now time.Time) (stop bool) {
		t.Helper()
		today := calendar.In(now, now.Location())
		for _, c := range views {
			got, err := s.Dashboard(ctx, c.v, c.f, today, now)
			if err != nil {
				t.Fatalf("%s: %v", step, err)
			}
			want, err := store.DashboardFromScratch(ctx, s, c.v, c.f, today, now)
			if err != nil {
				t.Fatalf("%s: %v", step, err)
			}
			if !reflect.DeepEqual(got, want) {
				return mismatch(step, fmt.Sprintf("%s %+v:\n%s", c.v.Role, c.f, dashDiff(got, want)))
			}
		}
		return false
	}
	at := func(d calendar.Date, hour int) time.Time {
		return d.Time(shanghai).Add(time.Duration(hour) * time.Hour)
	}
	if check("the import", at(day0, 8)) {
		return
	}

	b := storetest.PublishExamples(t, s, "../rules-examples")
	tick := func(d calendar.Date) {
		t.Helper()
		if _, err := engine.RunTick(ctx, b, s, engine.TickOptions{At: at(d, 9), Location: shanghai, BatchSize: 7}); err != nil {
			t.Fatal(err)
		}
	}
	tick(day0)
	if check("the first tick", at(day0, 10)) {
		return
	}

	// Call outcomes and director decisions, through the engine.
	clock := engine.Clock{Now: at(day0, 11), Location: shanghai}
	type openTask struct {
		key, form, by, currency string
		balance                 int64
	}
	var tasks []openTask
	w.rows(`SELECT t.key, t.form, COALESCE(u.email, ''), i.currency, i.balance_minor FROM tasks t
		JOIN invoices i ON i.id = t.invoice_id LEFT JOIN users u ON u.id = t.assignee_id
		WHERE t.status = 'open' AND t.form IN ('call-outcome', 'escalation-decision') ORDER BY t.key`, nil, func(scan func(...any)) {
		var o openTask
		scan(&o.key, &o.form, &o.by, &o.currency, &o.balance)
		tasks = append(tasks, o)
	})
	calls, decisions := 0, 0
	for _, o := range tasks {
		var values map[string]any
		switch {
		case o.form == "call-outcome" && calls < 12:
			switch calls % 4 {
			case 0:
				values = map[string]any{"outcome": "promised", "promised_date": day0.AddDays(4).String()}
			case 1:
				values = map[string]any{"outcome": "promised", "promised_date": day0.AddDays(9).String(),
					"promised_amount": money.FormatMinor(o.balance/2, o.currency) + " " + o.currency}
			case 2:
				values = map[string]any{"outcome": "promised", "promised_date": day0.AddDays(20).String()}
			default:
				values = map[string]any{"outcome": "unreachable"}
			}
			calls++
		case o.form == "escalation-decision" && decisions < 6:
			values = map[string]any{"decision": "continue"}
			if decisions%3 != 2 {
				values = map[string]any{"decision": "payment_plan", "installments": 3 + decisions, "first_installment_date": day0.AddDays(3 + decisions).String()}
			}
			o.by = "director@demo.recoup.test"
			decisions++
		default:
			continue
		}
		if _, err := engine.CompleteTask(ctx, b, s, o.key, values, o.by, clock, "en"); err != nil {
			t.Fatalf("completing %s with %v: %v", o.key, values, err)
		}
	}
	if calls < 8 || decisions < 3 {
		t.Fatalf("only %d calls and %d decisions to complete", calls, decisions)
	}
	if check("promises and plans", at(day0, 12)) {
		return
	}

	// Invoices the plain SQL below works on: with stage entries and a
	// promise (or a plan), still owing.
	promised := w.numbers(`SELECT i.number FROM invoices i WHERE i.balance_minor > 0
		AND i.id IN (SELECT t.invoice_id FROM tasks t WHERE t.status = 'done' AND CAST(t.outcome AS TEXT) LIKE '%promised_date%')
		AND i.id IN (SELECT e.invoice_id FROM effects e WHERE e.kind = 'node') ORDER BY i.id`)
	planned := w.numbers(`SELECT i.number FROM invoices i WHERE i.balance_minor > 0
		AND i.id IN (SELECT t.invoice_id FROM tasks t WHERE t.status = 'done' AND CAST(t.outcome AS TEXT) LIKE '%payment_plan%') ORDER BY i.id`)
	if len(promised) < 6 || len(planned) < 2 {
		t.Fatalf("%d promised and %d planned invoices", len(promised), len(planned))
	}

	// Payments through the API's path: part of a promise, and an invoice
	// paid in full.
	w.pay(promised[0], 1000, at(day0, 13))
	w.pay(planned[0], w.int("SELECT balance_minor FROM invoices WHERE number = ?", planned[0]), at(day0, 13))
	if check("payments recorded", at(day0, 14)) {
		return
	}

	// A payments file: a known payment with another amount, and one moved
	// to another invoice.
	var ref1, ref2, inv1 string
	w.rows(`SELECT p.reference, i.number FROM payments p JOIN invoices i ON i.id = p.invoice_id
		WHERE i.id IN (SELECT e.invoice_id FROM effects e WHERE e.kind = 'node') ORDER BY p.id LIMIT 1`, nil, func(scan func(...any)) { scan(&ref1, &inv1) })
	w.rows(`SELECT p.reference FROM payments p JOIN invoices i ON i.id = p.invoice_id WHERE i.number <> ? ORDER BY p.id DESC LIMIT 1`,
		[]any{inv1}, func(scan func(...any)) { scan(&ref2) })
	payments := w.csvRows("payments.csv", func(r map[string]string) bool { return r["reference"] == ref1 || r["reference"] == ref2 })
	for _, r := range payments {
		cur := w.str("SELECT currency FROM invoices WHERE number = ?", r["invoice_number"])
		if r["reference"] == ref1 {
			r["amount"] = money.FormatMinor(w.int("SELECT amount_minor FROM payments WHERE reference = ?", ref1)/2, cur)
		} else {
			r["invoice_number"] = promised[1]
			cur = w.str("SELECT currency FROM invoices WHERE number = ?", promised[1])
			r["amount"] = money.FormatMinor(100, cur)
		}
	}
	w.importRows("payments", payments)
	if check("payments re-imported", at(day0, 15)) {
		return
	}

	// Invoices reassigned by a re-import: one with entries and a promise,
	// one with an open manager review, to an owner of another team; one
	// with another amount and due date.
	review := w.str(`SELECT i.number FROM invoices i JOIN tasks t ON t.invoice_id = i.id JOIN users u ON u.id = i.owner_id
		WHERE t.status = 'open' AND t.role = 'sales_manager' AND t.assignee_id IS NULL AND u.team = 'east' ORDER BY i.id LIMIT 1`)
	invoices := w.csvRows("invoices.csv", func(r map[string]string) bool {
		return r["number"] == promised[2] || r["number"] == review || r["number"] == promised[3]
	})
	for _, r := range invoices {
		switch r["number"] {
		case promised[2]:
			r["owner"] = w.otherTeamRep(r["number"])
		case review:
			r["owner"] = "rep2.west@demo.recoup.test"
		default:
			r["amount"] = money.FormatMinor(w.int("SELECT amount_minor FROM invoices WHERE number = ?", r["number"])+5000, r["currency"])
			r["due_date"] = calendar.MustParse(r["due_date"]).AddDays(-20).String()
			r["issue_date"] = calendar.MustParse(r["issue_date"]).AddDays(-20).String()
		}
	}
	w.importRows("invoices", invoices)
	if check("invoices reassigned and changed", at(day0, 16)) {
		return
	}

	// Open tasks reassigned.
	for i, key := range w.numbers(`SELECT t.id FROM tasks t WHERE t.status = 'open' ORDER BY t.key LIMIT 3`) {
		var taskID int64
		fmt.Sscan(key, &taskID)
		to := []string{"finance2@demo.recoup.test", "rep3.south@demo.recoup.test", "manager.west@demo.recoup.test"}[i]
		if err := s.ReassignTask(ctx, store.Viewer{Role: store.RoleAdmin}, taskID, to, "admin@demo.recoup.test", "test", at(day0, 16)); err != nil {
			t.Fatal(err)
		}
	}
	if check("tasks reassigned", at(day0, 17)) {
		return
	}

	// Customers moved to another region by a re-import.
	customer := w.str(`SELECT c.external_id FROM customers c JOIN invoices i ON i.customer_id = c.id WHERE i.number = ?`, promised[4])
	customers := w.csvRows("customers.csv", func(r map[string]string) bool { return r["id"] == customer || r["id"] == "C00003" })
	for _, r := range customers {
		r["region"] = map[string]string{"East": "West", "West": "South", "South": "West"}[r["region"]] // into or out of West
	}
	w.importRows("customers", customers)
	if check("customers moved to another region", at(day0, 17)) {
		return
	}

	// A rep moved to another team.
	west := "west"
	if _, err := s.UpdateUser(ctx, id("rep1.east@demo.recoup.test"), store.UserChange{Team: &west}, at(day0, 17)); err != nil {
		t.Fatal(err)
	}
	if check("a rep moved to another team", at(day0, 18)) {
		return
	}

	// Days later: promises come due (kept or broken), stages move on.
	day1 := day0.AddDays(5)
	tick(day1)
	if check("a tick five days later", at(day1, 10)) {
		return
	}

	// Plain SQL, as another process or a later feature might write.
	inv := func(number string) int64 { return w.int("SELECT id FROM invoices WHERE number = ?", number) }
	now := at(day1, 11)
	// An invoice whose promise (of day0 + 20, for the balance) is pending.
	pending := w.str(`SELECT i.number FROM invoices i JOIN tasks t ON t.invoice_id = i.id
		WHERE t.status = 'done' AND CAST(t.outcome AS TEXT) LIKE ? AND i.balance_minor > 1000 ORDER BY i.id LIMIT 1`,
		"%"+day0.AddDays(20).String()+"%")
	// The first entry of promised[0] into the call node.
	var callAt time.Time
	if err := storetest.SQL(s).QueryRow(storetest.Rebind(s, `SELECT e.at FROM effects e WHERE e.invoice_id = ? AND e.source = 'overdue-escalation/call'
		AND e.kind = 'node' AND e.key LIKE '%/entered#0' ORDER BY e.at LIMIT 1`), inv(promised[0])).Scan(&callAt); err != nil {
		t.Fatal(err)
	}
	sqlSteps := []struct {
		name string
		q    string
		args []any
	}{
		{"a payment inserted alone", `INSERT INTO payments (reference, invoice_id, amount_minor, currency, paid_at, created_at)
			SELECT 'SQL-1', id, 700, currency, ?, ? FROM invoices WHERE number = ?`, []any{now.UTC(), now.UTC(), pending}},
		{"a payment's amount changed", `UPDATE payments SET amount_minor = 900 WHERE reference = 'SQL-1'`, nil},
		{"a payment deleted", `DELETE FROM payments WHERE reference = 'SQL-1'`, nil},
		{"another payment inserted alone", `INSERT INTO payments (reference, invoice_id, amount_minor, currency, paid_at, created_at)
			SELECT 'SQL-2', id, 800, currency, ?, ? FROM invoices WHERE number = ?`, []any{now.UTC(), now.UTC(), pending}},
		{"a payment's time changed", `UPDATE payments SET paid_at = ? WHERE reference = 'SQL-2'`, []any{at(day0.AddDays(-60), 9).UTC()}},
		{"a fee added with the balance", `INSERT INTO fees (key, invoice_id, amount_minor, currency, reason, created_at)
			SELECT 'fee/1', id, 500, currency, 'late', ? FROM invoices WHERE number = ?`, []any{now.UTC(), promised[0]}},
		{"the fee on the balance", `UPDATE invoices SET fees_minor = fees_minor + 500, balance_minor = balance_minor + 500 WHERE number = ?`, []any{promised[0]}},
		{"a fee added alone", `INSERT INTO fees (key, invoice_id, amount_minor, currency, reason, created_at)
			SELECT 'fee/2', id, 300, currency, 'late', ? FROM invoices WHERE number = ?`, []any{now.UTC(), promised[5]}},
		{"a fee's amount changed", `UPDATE fees SET amount_minor = 400 WHERE key = 'fee/2'`, nil},
		{"a fee deleted", `DELETE FROM fees WHERE key = 'fee/2'`, nil},
		{"a payment before a stage entry", `INSERT INTO payments (reference, invoice_id, amount_minor, currency, paid_at, created_at)
			SELECT 'SQL-3', id, 600, currency, ?, ? FROM invoices WHERE number = ?`, []any{callAt.Add(-2 * time.Hour).UTC(), now.UTC(), promised[0]}},
		{"an earlier entry into the same node", `INSERT INTO effects (key, at, kind, source, invoice_id)
			SELECT 'sql/call/0/entered#0', ?, 'node', 'overdue-escalation/call', id FROM invoices WHERE number = ?`,
			[]any{callAt.Add(-3 * time.Hour).UTC(), promised[0]}},
		{"a stage entry moved before the window", `UPDATE effects SET at = ? WHERE id = (SELECT MIN(e.id) FROM effects e
			WHERE e.kind = 'node' AND e.key LIKE '%/entered#0' AND e.invoice_id = ?)`, []any{at(day0.AddDays(-120), 9).UTC(), inv(promised[1])}},
		{"a stage entry deleted", `DELETE FROM effects WHERE id = (SELECT MAX(e.id) FROM effects e
			WHERE e.kind = 'node' AND e.key LIKE '%/entered#0' AND e.invoice_id = ?)`, []any{inv(promised[3])}},
		{"an open task deleted", `DELETE FROM tasks WHERE id = (SELECT MIN(t.id) FROM tasks t WHERE t.status = 'open' AND t.role = 'finance')`, nil},
		{"a promise inserted", `INSERT INTO tasks (key, kind, title, status, outcome, invoice_id, created_at, updated_at, completed_at)
			SELECT 'sql/promise', 'task', 'Call', 'done', '{"outcome":"promised","promised_date":"` + day1.AddDays(3).String() + `"}', id, ?, ?, ?
			FROM invoices WHERE number = ?`, []any{now.UTC(), now.UTC(), now.UTC(), promised[4]}},
		{"a promise deleted", `DELETE FROM tasks WHERE id = (SELECT MIN(t.id) FROM tasks t WHERE t.status = 'done'
			AND CAST(t.outcome AS TEXT) LIKE '%promised_date%' AND t.invoice_id = ?)`, []any{inv(promised[5])}},
		{"an invoice's currency changed", `UPDATE invoices SET currency = CASE WHEN currency = 'CNY' THEN 'USD' ELSE 'CNY' END WHERE number = ?`, []any{promised[1]}},
		{"an invoice inserted", `INSERT INTO invoices (number, customer_id, currency, amount_minor, balance_minor, issue_date, due_date, owner_id, created_at, updated_at)
			SELECT 'SQL-INV', customer_id, currency, 12345, 12345, issue_date, due_date, owner_id, ?, ? FROM invoices WHERE number = ?`, []any{now.UTC(), now.UTC(), promised[0]}},
		{"an invoice deleted", `DELETE FROM invoices WHERE number = 'SQL-INV'`, nil},
	}
	for _, st := range sqlSteps {
		if _, err := storetest.SQL(s).Exec(storetest.Rebind(s, st.q), st.args...); err != nil {
			t.Fatalf("%s: %v", st.name, err)
		}
		if check(st.name, now) {
			return
		}
	}

	day2 := day0.AddDays(12)
	tick(day2)
	if check("a tick twelve days later", at(day2, 10)) {
		return
	}
	if check("the dashboard in another zone", at(day2, 10).In(time.UTC)) {
		return
	}
	if err := s.FoldDashboardSums(ctx); err != nil {
		t.Fatal(err)
	}
	if check("the sums folded", at(day2, 11)) {
		return
	}
}

// sumsWorld holds what the sums scenario writes with.
type sumsWorld struct {
	t   *testing.T
	s   *store.Store
	dir string
	n   int
}

func (w *sumsWorld) rows(q string, args []any, fn func(scan func(...any))) {
	w.t.Helper()
	rows, err := storetest.SQL(w.s).Query(storetest.Rebind(w.s, q), args...)
	if err != nil {
		w.t.Fatalf("%s: %v", q, err)
	}
	defer rows.Close()
	for rows.Next() {
		fn(func(dest ...any) {
			if err := rows.Scan(dest...); err != nil {
				w.t.Fatal(err)
			}
		})
	}
	if err := rows.Err(); err != nil {
		w.t.Fatal(err)
	}
}

func (w *sumsWorld) int(q string, args ...any) int64 {
	w.t.Helper()
	var n int64
	if err := storetest.SQL(w.s).QueryRow(storetest.Rebind(w.s, q), args...).Scan(&n); err != nil {
		w.t.Fatalf("%s: %v", q, err)
	}
	return n
}

func (w *sumsWorld) str(q string, args ...any) string {
	w.t.Helper()
	var v string
	if err := storetest.SQL(w.s).QueryRow(storetest.Rebind(w.s, q), args...).Scan(&v); err != nil {
		w.t.Fatalf("%s: %v", q, err)
	}
	return v
}

func (w *sumsWorld) numbers(q string) []string {
	w.t.Helper()
	var out []string
	w.rows(q, nil, func(scan func(...any)) {
		var v string
		scan(&v)
		out = append(out, v)
	})
	return out
}

// otherTeamRep is a rep of another team than the owner of invoice number.
func (w *sumsWorld) otherTeamRep(number string) string {
	team := w.str("SELECT u.team FROM invoices i JOIN users u ON u.id = i.owner_id WHERE i.number = ?", number)
	for _, t := range []string{"east", "west", "south"} {
		if t != team {
			return "rep1." + t + "@demo.recoup.test"
		}
	}
	return ""
}

func (w *sumsWorld) pay(number string, amount int64, at time.Time) {
	w.t.Helper()
	w.n++
	currency := w.str("SELECT currency FROM invoices WHERE number = ?", number)
	if _, err := w.s.RecordPayment(context.Background(), store.PaymentIn{Reference: fmt.Sprintf("API-%d", w.n), Invoice: number,
		AmountMinor: amount, Currency: currency, PaidAt: at}, at); err != nil {
		w.t.Fatal(err)
	}
}

func (w *sumsWorld) importFile(kind, path string) {
	w.t.Helper()
	company := engine.Company{Name: "T", TimeZone: "Asia/Shanghai", Currency: "CNY", TickTime: "09:00"}
	if _, err := ingest.File(context.Background(), w.s, kind, path, ingest.Options{Company: company}); err != nil {
		w.t.Fatalf("import %s: %v", kind, err)
	}
}

// csvRows reads the rows of a generated file that keep says to keep, by
// column name, in the file's column order (csvHeader).
func (w *sumsWorld) csvRows(file string, keep func(map[string]string) bool) []map[string]string {
	w.t.Helper()
	f, err := os.Open(filepath.Join(w.dir, file))
	if err != nil {
		w.t.Fatal(err)
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		w.t.Fatal(err)
	}
	var out []map[string]string
	for _, rec := range recs[1:] {
		r := map[string]string{csvHeader: strings.Join(recs[0], ",")}
		for i, col := range recs[0] {
			r[col] = rec[i]
		}
		if keep(r) {
			out = append(out, r)
		}
	}
	if len(out) == 0 {
		w.t.Fatalf("no row of %s kept", file)
	}
	return out
}

const csvHeader = "\x00header"

// importRows writes rows to a file of their own and imports it.
func (w *sumsWorld) importRows(kind string, rows []map[string]string) {
	w.t.Helper()
	w.n++
	path := filepath.Join(w.dir, fmt.Sprintf("%s-%d.csv", kind, w.n))
	f, err := os.Create(path)
	if err != nil {
		w.t.Fatal(err)
	}
	cw := csv.NewWriter(f)
	header := strings.Split(rows[0][csvHeader], ",")
	cw.Write(header)
	for _, r := range rows {
		rec := make([]string, len(header))
		for i, col := range header {
			rec[i] = r[col]
		}
		cw.Write(rec)
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		w.t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		w.t.Fatal(err)
	}
	w.importFile(kind, path)
}

// dashDiff shows the fields of two dashboards that differ.
func dashDiff(got, want store.Dashboard) string {
	var out []string
	gv, wv := reflect.ValueOf(got), reflect.ValueOf(want)
	for i := range gv.NumField() {
		if g, w := gv.Field(i).Interface(), wv.Field(i).Interface(); !reflect.DeepEqual(g, w) {
			gb, _ := json.Marshal(g)
			wb, _ := json.Marshal(w)
			out = append(out, fmt.Sprintf("%s\n  summed:  %s\n  scratch: %s", gv.Type().Field(i).Name, gb, wb))
		}
	}
	slices.Sort(out)
	return strings.Join(out, "\n")
}
