package store_test

import (
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/recoup/recoup/calendar"
	"github.com/recoup/recoup/engine"
	"github.com/recoup/recoup/store"
	"github.com/recoup/recoup/store/storetest"
)

// dashToday and dashNow are the instant the hand-built dashboard data is
// read at; the window is 2026-09-01 to 2026-11-29.
var (
	dashToday = calendar.MustParse("2026-11-29")
	dashNow   = time.Date(2026, 11, 29, 15, 0, 0, 0, shanghai)
)

// dashData writes a small book whose dashboard figures are worked out by
// hand in TestDashboardFigures. Users r1 (team east) and r2 (west), a
// manager of east; customers c1 (region East) and c2 (West).
type dashData struct {
	t       *testing.T
	s       *store.Store
	users   map[string]int64
	custs   map[string]int64
	inv     map[string]int64
	taskSeq int
}

// at is a time of day in the company zone (Asia/Shanghai).
func at(day string, hour int) time.Time {
	return calendar.MustParse(day).Time(shanghai).Add(time.Duration(hour) * time.Hour)
}

func (d *dashData) exec(q string, args ...any) {
	d.t.Helper()
	if _, err := storetest.SQL(d.s).Exec(storetest.Rebind(d.s, q), args...); err != nil {
		d.t.Fatalf("%s: %v", q, err)
	}
}

func (d *dashData) id(q string, args ...any) int64 {
	d.t.Helper()
	var id int64
	if err := storetest.SQL(d.s).QueryRow(storetest.Rebind(d.s, q), args...).Scan(&id); err != nil {
		d.t.Fatalf("%s: %v", q, err)
	}
	return id
}

// invoice adds an invoice of owner ("" for none) and customer.
func (d *dashData) invoice(number, owner, customer, currency string, amount int64, due string) {
	d.t.Helper()
	var ownerID any
	if owner != "" {
		ownerID = d.users[owner]
	}
	issue := calendar.MustParse(due).AddDays(-30).String()
	d.exec(`INSERT INTO invoices (number, customer_id, currency, amount_minor, balance_minor, issue_date, due_date, owner_id, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, number, d.custs[customer], currency, amount, amount, issue, due, ownerID, dashNow.UTC(), dashNow.UTC())
	d.inv[number] = d.id("SELECT id FROM invoices WHERE number = ?", number)
}

func (d *dashData) payment(number string, amount int64, paidAt time.Time) {
	d.t.Helper()
	var currency string
	if err := storetest.SQL(d.s).QueryRow(storetest.Rebind(d.s, "SELECT currency FROM invoices WHERE id = ?"), d.inv[number]).Scan(&currency); err != nil {
		d.t.Fatal(err)
	}
	d.exec(`INSERT INTO payments (reference, invoice_id, amount_minor, currency, paid_at, created_at) VALUES (?, ?, ?, ?, ?, ?)`,
		fmt.Sprintf("PAY-%s-%d", number, paidAt.Unix()), d.inv[number], amount, currency, paidAt.UTC(), dashNow.UTC())
}

func (d *dashData) fee(number string, amount int64, createdAt time.Time) {
	d.t.Helper()
	d.exec(`INSERT INTO fees (key, invoice_id, amount_minor, currency, reason, created_at) VALUES (?, ?, ?, 'CNY', 'late', ?)`,
		fmt.Sprintf("fee/%s/%d", number, createdAt.Unix()), d.inv[number], amount, createdAt.UTC())
}

// entered records a node event "entered" as the tick writes it (visit 1
// unless the node name says node/VISIT), and one of its actions beside it.
func (d *dashData) entered(number, node string, when time.Time) {
	d.t.Helper()
	visit := "1"
	if n, v, ok := strings.Cut(node, "/"); ok {
		node, visit = n, v
	}
	prefix := fmt.Sprintf("workflow/overdue-escalation/invoice/%d/1/%s/%s", d.inv[number], node, visit)
	for _, e := range [][2]string{{prefix + "/entered#0", "node"}, {prefix + "#0", "notify"}} {
		d.exec(`INSERT INTO effects (key, at, kind, source, invoice_id) VALUES (?, ?, ?, ?, ?)`,
			e[0], when.UTC(), e[1], "overdue-escalation/"+node, d.inv[number])
	}
}

// nodeEvent records another node event (skipped, completed, …).
func (d *dashData) nodeEvent(number, node, event string, when time.Time) {
	d.t.Helper()
	d.exec(`INSERT INTO effects (key, at, kind, source, invoice_id) VALUES (?, ?, 'node', ?, ?)`,
		fmt.Sprintf("workflow/overdue-escalation/invoice/%d/1/%s/1/%s#0", d.inv[number], node, event), when.UTC(),
		"overdue-escalation/"+node, d.inv[number])
}

// done records a completed task with its outcome as the store keeps it.
func (d *dashData) done(number string, completed time.Time, outcome map[string]any) {
	d.t.Helper()
	b, err := json.Marshal(outcome)
	if err != nil {
		d.t.Fatal(err)
	}
	d.taskSeq++
	d.exec(`INSERT INTO tasks (key, kind, title, status, outcome, invoice_id, created_at, updated_at, completed_at)
		VALUES (?, 'task', 'Call', 'done', ?, ?, ?, ?, ?)`,
		fmt.Sprintf("task/%d", d.taskSeq), string(b), d.inv[number], completed.UTC(), completed.UTC(), completed.UTC())
}

// plan records a payment plan over one invoice as the store writes it:
// the invoice's balance when the plan began, and installments (date,
// amount) that sum to it.
func (d *dashData) plan(key, status string, grace int, number string, start int64, installments [][2]any) {
	d.t.Helper()
	id := d.id(`INSERT INTO payment_plans (key, customer_id, currency, planned_minor, status, grace_days, created_at)
		SELECT ?, customer_id, currency, ?, ?, ?, ? FROM invoices WHERE id = ? RETURNING id`, "plan/"+key, start, status, grace, dashNow.UTC(), d.inv[number])
	d.exec(`INSERT INTO payment_plan_invoices (plan_id, invoice_id, start_balance_minor) VALUES (?, ?, ?)`, id, d.inv[number], start)
	d.exec(`UPDATE invoices SET plan_id = ? WHERE id = ?`, id, d.inv[number])
	for i, x := range installments {
		d.exec(`INSERT INTO installments (plan_id, seq, due_date, amount_minor) VALUES (?, ?, ?, ?)`, id, i+1, x[0], x[1])
	}
}

// settle sets paid amounts, fees, last payments and balances from the
// payments and fees, as the store's writers keep them.
func (d *dashData) settle() {
	d.exec(`UPDATE invoices SET paid_minor = (SELECT COALESCE(SUM(p.amount_minor), 0) FROM payments p WHERE p.invoice_id = invoices.id),
		payment_count = (SELECT COUNT(*) FROM payments p WHERE p.invoice_id = invoices.id),
		last_paid_at = (SELECT MAX(p.paid_at) FROM payments p WHERE p.invoice_id = invoices.id),
		fees_minor = (SELECT COALESCE(SUM(f.amount_minor), 0) FROM fees f WHERE f.invoice_id = invoices.id)`)
	d.exec(`UPDATE invoices SET balance_minor = amount_minor + fees_minor - paid_minor`)
}

func newDashData(t *testing.T, s *store.Store) *dashData {
	t.Helper()
	d := &dashData{t: t, s: s, users: map[string]int64{}, custs: map[string]int64{}, inv: map[string]int64{}}
	for _, u := range [][3]string{{"r1@t", "sales_rep", "east"}, {"r2@t", "sales_rep", "west"}, {"m@t", "sales_manager", "east"}, {"f@t", "finance", ""}} {
		d.exec(`INSERT INTO users (email, name, role, team, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)`, u[0], u[0], u[1], u[2], dashNow.UTC(), dashNow.UTC())
		d.users[u[0]] = d.id("SELECT id FROM users WHERE email = ?", u[0])
	}
	for _, c := range [][2]string{{"c1", "East"}, {"c2", "West"}} {
		d.exec(`INSERT INTO customers (external_id, name, region, created_at, updated_at) VALUES (?, ?, ?, ?, ?)`, c[0], c[0], c[1], dashNow.UTC(), dashNow.UTC())
		d.custs[c[0]] = d.id("SELECT id FROM customers WHERE external_id = ?", c[0])
	}

	// Recovery. I1 entered reminder and call, then paid in two parts:
	// 1,000.00 owed at the reminder, 600.00 at the call, all recovered.
	d.invoice("I1", "r1@t", "c1", "CNY", 100000, "2026-10-01")
	d.entered("I1", "reminder", at("2026-10-02", 9))
	d.entered("I1", "call", at("2026-10-09", 9))
	d.nodeEvent("I1", "review", "skipped", at("2026-10-17", 9))
	d.nodeEvent("I1", "call", "completed", at("2026-10-09", 9))
	d.payment("I1", 40000, at("2026-10-05", 11))
	d.payment("I1", 60000, at("2026-10-20", 11))
	// I2 entered reminder and call (and call again: counted once, at its
	// first entry), paid 100.00 and was charged a 50.00 fee after both:
	// 500.00 owed at each entry, 100.00 recovered, 450.00 still open.
	d.invoice("I2", "r1@t", "c1", "CNY", 50000, "2026-10-15")
	d.entered("I2", "reminder", at("2026-10-16", 9))
	d.entered("I2", "call", at("2026-10-23", 9))
	d.entered("I2", "call/2", at("2026-11-10", 9))
	d.payment("I2", 10000, at("2026-11-01", 11))
	d.fee("I2", 5000, at("2026-11-05", 9))
	// I3 was paid at 08:00, before the 09:00 tick entered it: it owed
	// nothing at entry and does not count.
	d.invoice("I3", "r2@t", "c2", "CNY", 30000, "2026-11-20")
	d.entered("I3", "reminder", at("2026-11-21", 9))
	d.payment("I3", 30000, at("2026-11-21", 8))
	// I4 entered its first three nodes before the window, the decision in
	// its first hour-day (2026-09-01 09:00); nothing paid.
	d.invoice("I4", "r2@t", "c2", "USD", 20000, "2026-08-01")
	d.entered("I4", "reminder", at("2026-08-02", 9))
	d.entered("I4", "call", at("2026-08-09", 9))
	d.entered("I4", "review", at("2026-08-17", 9))
	d.entered("I4", "decision", at("2026-09-01", 9))
	// I5 has no owner; entered reminder, paid in full.
	d.invoice("I5", "", "c1", "CNY", 70000, "2026-10-01")
	d.entered("I5", "reminder", at("2026-10-02", 9))
	d.payment("I5", 70000, at("2026-10-10", 11))

	// Promises.
	// I6: promised (no amount) for 11-10, paid in full on 11-09: kept.
	d.invoice("I6", "r1@t", "c1", "CNY", 100000, "2026-10-20")
	d.done("I6", at("2026-10-30", 10), map[string]any{"outcome": "unreachable"})
	d.done("I6", at("2026-11-01", 10), map[string]any{"outcome": "promised", "promised_date": "2026-11-10"})
	d.payment("I6", 100000, at("2026-11-09", 15))
	// I7: promised 300.00 for 11-15, paid 300.00 at 20:00 that day: kept.
	d.invoice("I7", "r1@t", "c1", "CNY", 80000, "2026-10-20")
	d.done("I7", at("2026-11-02", 10), map[string]any{"outcome": "promised", "promised_date": "2026-11-15", "promised_amount": "300.00 CNY"})
	d.payment("I7", 30000, at("2026-11-15", 20))
	// I8: promised the whole 500.00 for 11-20; 200.00 came by then and
	// 300.00 the day after: broken.
	d.invoice("I8", "r2@t", "c2", "CNY", 50000, "2026-10-25")
	d.done("I8", at("2026-11-03", 10), map[string]any{"outcome": "promised", "promised_date": "2026-11-20"})
	d.payment("I8", 20000, at("2026-11-18", 10))
	d.payment("I8", 30000, at("2026-11-21", 10))
	// I9: promised 250.00 USD for 12-05, 50.00 paid so far: pending, 200.00
	// expected in 6 days.
	d.invoice("I9", "r2@t", "c2", "USD", 40000, "2026-11-01")
	d.done("I9", at("2026-11-25", 10), map[string]any{"outcome": "promised", "promised_date": "2026-12-05", "promised_amount": "250.00 USD"})
	d.payment("I9", 5000, at("2026-11-26", 10))
	// I10: 100.00 paid, then a promise for 11-27 broken, then a new one for
	// 12-31 pending: 500.00 expected in 32 days.
	d.invoice("I10", "r1@t", "c1", "CNY", 60000, "2026-11-10")
	d.payment("I10", 10000, at("2026-11-20", 10))
	d.done("I10", at("2026-11-21", 10), map[string]any{"outcome": "promised", "promised_date": "2026-11-27"})
	d.done("I10", at("2026-11-28", 10), map[string]any{"outcome": "promised", "promised_date": "2026-12-31"})
	// I11: a promise dated before the window does not count.
	d.invoice("I11", "r1@t", "c1", "CNY", 10000, "2026-08-01")
	d.done("I11", at("2026-08-10", 10), map[string]any{"outcome": "promised", "promised_date": "2026-08-15"})

	// Payment plans.
	// I12: an older plan, cancelled, replaced by one of three installments
	// of 400.00 from 10-20 (monthly) with 10 days of grace, as the
	// director's decision made it; the first paid, the second (11-20) 9
	// days late: arrears, expected at once with the third (12-20, in 21
	// days), 800.00 in each horizon.
	d.invoice("I12", "r1@t", "c1", "CNY", 120000, "2026-09-01")
	d.plan("old-I12", "cancelled", 5, "I12", 120000, [][2]any{{"2026-12-01", 60000}, {"2027-01-01", 60000}})
	d.done("I12", at("2026-10-05", 10), map[string]any{"decision": "payment_plan", "installments": 3, "first_installment_date": "2026-10-20"})
	d.plan("I12", "active", 10, "I12", 120000, [][2]any{{"2026-10-20", 40000}, {"2026-11-20", 40000}, {"2026-12-20", 40000}})
	d.payment("I12", 40000, at("2026-10-20", 10))
	// I13: 1,000.01 USD in three installments (the last takes the odd
	// cent) on 11-30, 12-30 and 2027-01-30: in 1, 31 and 62 days.
	d.invoice("I13", "r2@t", "c2", "USD", 100001, "2026-09-15")
	d.plan("I13", "active", 5, "I13", 100001, [][2]any{{"2026-11-30", 33333}, {"2026-12-30", 33333}, {"2027-01-30", 33335}})
	// I14: a plan already paid in full expects nothing, though the tick
	// has not marked it completed yet.
	d.invoice("I14", "r1@t", "c1", "CNY", 10000, "2026-09-01")
	d.plan("I14", "active", 5, "I14", 10000, [][2]any{{"2026-10-01", 5000}, {"2026-11-01", 5000}})
	d.payment("I14", 10000, at("2026-10-01", 10))
	// A director's decision other than a plan counts for nothing here.
	d.done("I14", at("2026-09-19", 10), map[string]any{"decision": "continue"})

	d.settle()
	return d
}

// dashFigures is what TestDashboardFigures checks of a Dashboard.
type dashFigures struct {
	Stages       []store.StageRecovery
	Owners       []store.OwnerRecovery
	Teams        []store.TeamRecovery
	Promises     []store.PromiseRow
	PromisedNext []store.DueRow
	PlannedNext  []store.DueRow
}

func figuresOf(d store.Dashboard) dashFigures {
	return dashFigures{d.RecoveryByStage, d.RecoveryByOwner, d.RecoveryByTeam, d.Promises, d.PromisedNext, d.PlannedNext}
}

func rec(entered int, enteredMinor int64, recovered int, recoveredMinor int64, rate float64) store.Recovery {
	return store.Recovery{Entered: entered, EnteredMinor: enteredMinor, Recovered: recovered, RecoveredMinor: recoveredMinor, Rate: rate}
}

const wf = "overdue-escalation"

func stageRec(node, currency string, r store.Recovery) store.StageRecovery {
	return store.StageRecovery{Workflow: wf, Node: node, Currency: currency, Recovery: r}
}

func ownerRec(node, owner, team, currency string, r store.Recovery) store.OwnerRecovery {
	return store.OwnerRecovery{Workflow: wf, Node: node, Owner: owner, Team: team, Currency: currency, Recovery: r}
}

func teamRec(node, team, currency string, r store.Recovery) store.TeamRecovery {
	return store.TeamRecovery{Workflow: wf, Node: node, Team: team, Currency: currency, Recovery: r}
}

// TestDashboardFigures checks recovery per stage, owner and team, promises
// kept, broken and pending, and the cash expected from promises and plans
// against figures worked out by hand (see newDashData), for each filter.
func TestDashboardFigures(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		d := newDashData(t, s)
		finance := store.Viewer{UserID: d.users["f@t"], Role: store.RoleFinance}
		manager := store.Viewer{UserID: d.users["m@t"], Role: store.RoleSalesManager, Team: "east"}

		callR1 := rec(2, 110000, 1, 70000, 0.6364)
		decisionR2 := rec(1, 20000, 0, 0, 0)
		reminderNone := rec(1, 70000, 1, 70000, 1)
		reminderR1 := rec(2, 150000, 1, 110000, 0.7333)
		east := dashFigures{
			Stages: []store.StageRecovery{stageRec("call", "CNY", callR1), stageRec("reminder", "CNY", reminderR1)},
			Owners: []store.OwnerRecovery{ownerRec("call", "r1@t", "east", "CNY", callR1), ownerRec("reminder", "r1@t", "east", "CNY", reminderR1)},
			Teams:  []store.TeamRecovery{teamRec("call", "east", "CNY", callR1), teamRec("reminder", "east", "CNY", reminderR1)},
			Promises: []store.PromiseRow{{Currency: "CNY", Kept: 2, KeptMinor: 130000, Broken: 1, BrokenMinor: 50000,
				Pending: 1, PendingMinor: 50000}},
			PromisedNext: []store.DueRow{{Currency: "CNY", Days30: 0, Days60: 50000, Days90: 50000}},
			PlannedNext:  []store.DueRow{{Currency: "CNY", Days30: 80000, Days60: 80000, Days90: 80000}},
		}
		west := dashFigures{
			Stages: []store.StageRecovery{stageRec("decision", "USD", decisionR2)},
			Owners: []store.OwnerRecovery{ownerRec("decision", "r2@t", "west", "USD", decisionR2)},
			Teams:  []store.TeamRecovery{teamRec("decision", "west", "USD", decisionR2)},
			Promises: []store.PromiseRow{{Currency: "CNY", Broken: 1, BrokenMinor: 50000},
				{Currency: "USD", Pending: 1, PendingMinor: 25000}},
			PromisedNext: []store.DueRow{{Currency: "USD", Days30: 20000, Days60: 20000, Days90: 20000}},
			PlannedNext:  []store.DueRow{{Currency: "USD", Days30: 33333, Days60: 66666, Days90: 100001}},
		}
		usd := dashFigures{
			Stages:       west.Stages,
			Owners:       west.Owners,
			Teams:        west.Teams,
			Promises:     []store.PromiseRow{{Currency: "USD", Pending: 1, PendingMinor: 25000}},
			PromisedNext: west.PromisedNext,
			PlannedNext:  west.PlannedNext,
		}
		for _, c := range []struct {
			name   string
			viewer store.Viewer
			filter store.DashboardFilter
			want   dashFigures
		}{
			{"all", finance, store.DashboardFilter{}, dashFigures{
				Stages: []store.StageRecovery{
					stageRec("call", "CNY", callR1),
					stageRec("decision", "USD", decisionR2),
					stageRec("reminder", "CNY", rec(3, 220000, 2, 180000, 0.8182)),
				},
				Owners: []store.OwnerRecovery{
					ownerRec("call", "r1@t", "east", "CNY", callR1),
					ownerRec("decision", "r2@t", "west", "USD", decisionR2),
					ownerRec("reminder", "", "", "CNY", reminderNone),
					ownerRec("reminder", "r1@t", "east", "CNY", reminderR1),
				},
				Teams: []store.TeamRecovery{
					teamRec("call", "east", "CNY", callR1),
					teamRec("decision", "west", "USD", decisionR2),
					teamRec("reminder", "", "CNY", reminderNone),
					teamRec("reminder", "east", "CNY", reminderR1),
				},
				Promises: []store.PromiseRow{
					{Currency: "CNY", Kept: 2, KeptMinor: 130000, Broken: 2, BrokenMinor: 100000, Pending: 1, PendingMinor: 50000},
					{Currency: "USD", Pending: 1, PendingMinor: 25000},
				},
				PromisedNext: []store.DueRow{{Currency: "CNY", Days30: 0, Days60: 50000, Days90: 50000}, {Currency: "USD", Days30: 20000, Days60: 20000, Days90: 20000}},
				PlannedNext:  []store.DueRow{{Currency: "CNY", Days30: 80000, Days60: 80000, Days90: 80000}, {Currency: "USD", Days30: 33333, Days60: 66666, Days90: 100001}},
			}},
			{"team east", finance, store.DashboardFilter{Team: "east"}, east},
			{"manager of east", manager, store.DashboardFilter{}, east},
			{"region West", finance, store.DashboardFilter{Region: "West"}, west},
			{"currency USD", finance, store.DashboardFilter{Currency: "USD"}, usd},
			{"region East in USD", finance, store.DashboardFilter{Region: "East", Currency: "USD"}, dashFigures{
				Stages: []store.StageRecovery{}, Owners: []store.OwnerRecovery{}, Teams: []store.TeamRecovery{},
				Promises: []store.PromiseRow{}, PromisedNext: []store.DueRow{}, PlannedNext: []store.DueRow{},
			}},
		} {
			t.Run(c.name, func(t *testing.T) {
				got, err := s.Dashboard(context.Background(), c.viewer, c.filter, dashToday, dashNow)
				if err != nil {
					t.Fatal(err)
				}
				if got.WindowFrom != calendar.MustParse("2026-09-01") {
					t.Errorf("window from %s", got.WindowFrom)
				}
				if g := figuresOf(got); !reflect.DeepEqual(g, c.want) {
					gb, _ := json.MarshalIndent(g, "", "  ")
					wb, _ := json.MarshalIndent(c.want, "", "  ")
					t.Fatalf("got\n%s\nwant\n%s", gb, wb)
				}
			})
		}
	})
}

// TestDashboardFollowsTheWorkflow runs the example pack's tick and then the
// writers the dashboard reads from (a call outcome promising payment, a
// payment in full): the stage entries the tick records are counted per
// stage, the promise is pending and then kept, and the payment is
// recovered at the call stage.
func TestDashboardFollowsTheWorkflow(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		seedDemo(t, s, 30, 200, "2026-11-01")
		b := examples(t)
		tick := time.Date(2026, 11, 1, 9, 0, 0, 0, shanghai)
		if _, err := engine.RunTick(ctx, b, s, engine.TickOptions{At: tick, Location: shanghai}); err != nil {
			t.Fatal(err)
		}
		var v store.Viewer
		v.Role = store.RoleFinanceDirector
		today, now := calendar.MustParse("2026-11-01"), tick.Add(3*time.Hour)
		dash := func() store.Dashboard {
			t.Helper()
			d, err := s.Dashboard(ctx, v, store.DashboardFilter{}, today, now)
			if err != nil {
				t.Fatal(err)
			}
			return d
		}
		before := dash()
		nodes := map[string]bool{}
		for _, r := range before.RecoveryByStage {
			nodes[r.Node] = true
			if r.Workflow != wf || r.Entered == 0 || r.Recovered > r.Entered || r.RecoveredMinor > r.EnteredMinor || r.Rate < 0 || r.Rate > 1 {
				t.Fatalf("stage %+v", r)
			}
		}
		if !nodes["reminder"] || !nodes["call"] || !nodes["review"] || !nodes["decision"] {
			t.Fatalf("stages %v after the first tick", nodes)
		}

		// An open call task's invoice: promised to pay by 11-10.
		var key, assignee, number, currency string
		var balance int64
		err := storetest.SQL(s).QueryRow(`SELECT t.key, u.email, i.number, i.currency, i.balance_minor FROM tasks t
			JOIN users u ON u.id = t.assignee_id JOIN invoices i ON i.id = t.invoice_id
			WHERE t.status = 'open' AND t.key LIKE '%/call/%' AND i.balance_minor > 0 ORDER BY t.id LIMIT 1`).Scan(&key, &assignee, &number, &currency, &balance)
		if err != nil {
			t.Fatal(err)
		}
		clock := engine.Clock{Now: tick.Add(2 * time.Hour), Location: shanghai}
		if _, err := engine.CompleteTask(ctx, b, s, key, map[string]any{"outcome": "promised", "promised_date": "2026-11-10"}, assignee, clock, "en"); err != nil {
			t.Fatal(err)
		}
		promised := dash()
		row := func(d store.Dashboard) (p store.PromiseRow, next store.DueRow, call store.StageRecovery) {
			for _, r := range d.Promises {
				if r.Currency == currency {
					p = r
				}
			}
			for _, r := range d.PromisedNext {
				if r.Currency == currency {
					next = r
				}
			}
			for _, r := range d.RecoveryByStage {
				if r.Currency == currency && r.Node == "call" {
					call = r
				}
			}
			return
		}
		p0, n0, c0 := row(before)
		p1, n1, c1 := row(promised)
		if p1.Pending != p0.Pending+1 || p1.PendingMinor != p0.PendingMinor+balance || p1.Kept != p0.Kept ||
			n1.Days30 != n0.Days30+balance || n1.Days90 != n0.Days90+balance || c1 != c0 {
			t.Fatalf("after the promise of %d %s: %+v %+v, before %+v %+v", balance, currency, p1, n1, p0, n0)
		}

		if _, err := s.RecordPayment(ctx, store.PaymentIn{Reference: "PAY-TEST", Invoice: number, AmountMinor: balance, Currency: currency,
			PaidAt: tick.Add(5 * time.Hour)}, tick.Add(5*time.Hour)); err != nil {
			t.Fatal(err)
		}
		p2, n2, c2 := row(dash())
		if p2.Kept != p0.Kept+1 || p2.KeptMinor != p0.KeptMinor+balance || p2.Pending != p0.Pending || n2 != n0 {
			t.Fatalf("after the payment: %+v %+v, before the promise %+v %+v", p2, n2, p0, n0)
		}
		if c2.Entered != c0.Entered || c2.EnteredMinor != c0.EnteredMinor || c2.Recovered != c0.Recovered+1 || c2.RecoveredMinor != c0.RecoveredMinor+balance {
			t.Fatalf("call stage after the payment of %d: %+v, before %+v", balance, c2, c0)
		}
	})
}

// TestDashboardCacheNeverStale: after any write that changes the figures,
// by whichever path (the store's writers or plain SQL, as another process
// or a later feature might write), the next dashboard equals one computed
// from scratch; writes that change nothing the figures read leave the
// cached figures in use (SQLite, where the figures are cached).
func TestDashboardCacheNeverStale(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		d := newDashData(t, s)
		finance := store.Viewer{UserID: d.users["f@t"], Role: store.RoleFinance}
		get := func(f store.DashboardFilter) store.Dashboard {
			t.Helper()
			got, err := s.Dashboard(ctx, finance, f, dashToday, dashNow)
			if err != nil {
				t.Fatal(err)
			}
			return got
		}
		d.exec(`INSERT INTO tasks (key, kind, title, status, invoice_id, assignee_id, created_at, updated_at)
			VALUES ('call/I7', 'task', 'Call', 'open', ?, ?, ?, ?)`, d.inv["I7"], d.users["r1@t"], dashNow.UTC(), dashNow.UTC())
		west := "west"
		for _, c := range []struct {
			name   string
			filter store.DashboardFilter
			change func()
		}{
			{"payment recorded", store.DashboardFilter{}, func() {
				if _, err := s.RecordPayment(ctx, store.PaymentIn{Reference: "P-I2", Invoice: "I2", AmountMinor: 45000, Currency: "CNY",
					PaidAt: at("2026-11-29", 11)}, dashNow); err != nil {
					t.Fatal(err)
				}
			}},
			{"stage entered by a tick", store.DashboardFilter{}, func() { d.entered("I6", "reminder", at("2026-10-21", 9)) }},
			{"promise recorded", store.DashboardFilter{}, func() {
				if err := s.CompleteTask(ctx, "call/I7", map[string]any{"outcome": "promised", "promised_date": "2026-12-10"}, "r1@t", dashNow); err != nil {
					t.Fatal(err)
				}
			}},
			{"fee added by a tick", store.DashboardFilter{}, func() {
				d.fee("I9", 1000, at("2026-11-29", 9))
				d.exec("UPDATE invoices SET fees_minor = fees_minor + 1000, balance_minor = balance_minor + 1000 WHERE number = 'I9'")
			}},
			{"invoice re-imported with a new due date", store.DashboardFilter{}, func() {
				d.exec("UPDATE invoices SET due_date = '2026-12-15' WHERE number = 'I9'")
			}},
			{"payment deleted", store.DashboardFilter{}, func() { d.exec("DELETE FROM payments WHERE reference = 'P-I2'") }},
			{"customer moved to another region", store.DashboardFilter{Region: "East"}, func() {
				d.exec("UPDATE customers SET region = 'West' WHERE external_id = 'c1'")
			}},
			{"owner moved to another team", store.DashboardFilter{Team: "east"}, func() {
				if _, err := s.UpdateUser(ctx, d.users["r1@t"], store.UserChange{Team: &west}, dashNow); err != nil {
					t.Fatal(err)
				}
			}},
		} {
			before := get(c.filter)
			if !reflect.DeepEqual(get(c.filter), before) {
				t.Fatalf("%s: two reads without a write differ", c.name)
			}
			c.change()
			after := get(c.filter)
			store.ResetDashboardCache(s)
			if fresh := get(c.filter); !reflect.DeepEqual(after, fresh) {
				t.Fatalf("%s: served\n%+v\nwant (computed afresh)\n%+v", c.name, after, fresh)
			}
			if reflect.DeepEqual(after, before) {
				t.Fatalf("%s changed nothing the dashboard shows: the case proves nothing", c.name)
			}
		}

		// Open task counts follow every task written and the clock.
		counts := func(now time.Time) (open, overdue int) {
			t.Helper()
			got, err := s.Dashboard(ctx, finance, store.DashboardFilter{}, dashToday, now)
			if err != nil {
				t.Fatal(err)
			}
			return got.TasksOpen, got.TasksOverdue
		}
		for _, c := range []struct {
			name                  string
			change                func()
			now                   time.Time
			wantOpen, wantOverdue int
		}{
			{"none yet", func() {}, dashNow, 0, 0},
			{"a finance task due yesterday", func() {
				d.exec(`INSERT INTO tasks (key, kind, title, status, role, due_at, created_at, updated_at)
					VALUES ('review/x', 'task', 'Review', 'open', 'finance', ?, ?, ?)`, at("2026-11-28", 9).UTC(), dashNow.UTC(), dashNow.UTC())
			}, dashNow, 1, 1},
			{"one due in two days", func() {
				d.exec(`INSERT INTO tasks (key, kind, title, status, role, due_at, created_at, updated_at)
					VALUES ('review/y', 'task', 'Review', 'open', 'finance', ?, ?, ?)`, at("2026-12-01", 9).UTC(), dashNow.UTC(), dashNow.UTC())
			}, dashNow, 2, 1},
			{"three days later", func() {}, dashNow.Add(72 * time.Hour), 2, 2},
			{"one done", func() {
				d.exec("UPDATE tasks SET status = 'done', completed_at = ? WHERE key = 'review/y'", dashNow.UTC())
			}, dashNow.Add(72 * time.Hour), 1, 1},
			{"one reassigned away", func() { d.exec("UPDATE tasks SET role = 'sales_manager' WHERE key = 'review/x'") }, dashNow, 0, 0},
			{"back again", func() { d.exec("UPDATE tasks SET role = 'finance' WHERE key = 'review/x'") }, dashNow, 1, 1},
		} {
			c.change()
			if open, overdue := counts(c.now); open != c.wantOpen || overdue != c.wantOverdue {
				t.Fatalf("%s: %d open, %d overdue; want %d, %d", c.name, open, overdue, c.wantOpen, c.wantOverdue)
			}
		}

		if storetest.Dialect(s) != store.SQLite {
			return
		}
		// Writes the figures do not read keep the cache: a status set by a
		// rule, a task escalated, an open task, a login.
		get(store.DashboardFilter{})
		hits, _ := store.DashboardCacheStats(s)
		d.exec("UPDATE invoices SET status = 'overdue' WHERE number = 'I9'")
		d.exec("UPDATE tasks SET escalated_at = ? WHERE key = 'review/x'", dashNow.UTC())
		d.exec(`INSERT INTO tasks (key, kind, title, status, created_at, updated_at) VALUES ('other', 'task', 'Other', 'open', ?, ?)`, dashNow.UTC(), dashNow.UTC())
		d.exec(`INSERT INTO tasks (key, kind, title, status, outcome, created_at, updated_at, completed_at)
			VALUES ('done-other', 'task', 'Other', 'done', '{"outcome":"refused"}', ?, ?, ?)`, dashNow.UTC(), dashNow.UTC(), dashNow.UTC())
		d.exec(`INSERT INTO sessions (token_hash, user_id, csrf_token, created_at, expires_at) VALUES ('h', ?, 'c', ?, ?)`, d.users["f@t"], dashNow.UTC(), dashNow.UTC())
		get(store.DashboardFilter{})
		if after, _ := store.DashboardCacheStats(s); after != hits+1 {
			t.Fatalf("cache hits %d → %d: a write the figures do not read emptied the cache", hits, after)
		}
	})
}
