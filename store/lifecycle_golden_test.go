package store_test

import (
	"context"
	"flag"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/recoup/recoup/calendar"
	"github.com/recoup/recoup/engine"
	"github.com/recoup/recoup/ingest"
	"github.com/recoup/recoup/money"
	"github.com/recoup/recoup/store"
	"github.com/recoup/recoup/store/storetest"
)

var updateLifecycle = flag.Bool("update-lifecycle", false, "rewrite testdata/lifecycle-120.golden")

// TestLifecycleGolden120 plays 120 days of the example pack over invoices
// that each take one path after escalation (issue 16): a payment plan kept,
// a plan broken (the escalation resumes and the director writes the rest
// off), a partial write-off, an overpayment applied to the customer's next
// invoice, a reversed payment, daily contractual interest with days the
// server was down, a dispute upheld (a credit note) and one rejected (the
// escalation resumes), and a legal case closed as settled (a settlement;
// no customer contact while it was open). Every day's new effects and every change to an
// invoice's money are written out and compared with
// testdata/lifecycle-120.golden, to the cent; both databases must produce
// the same file.
func TestLifecycleGolden120(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		start := time.Date(2026, 1, 1, 2, 0, 0, 0, time.UTC)
		if _, err := s.EnsureCompany(ctx, adjustCompany); err != nil {
			t.Fatal(err)
		}
		for _, f := range []struct{ kind, csv string }{
			{"users", "email,name,role,team\nrep@t.test,Rep,sales_rep,east\nmgr@t.test,Manager,sales_manager,east\nfin@t.test,Finance,finance,\ndirector@t.test,Director,finance_director,\n"},
			{"customers", "id,name,email,phone,owner,risk\nK1,Plan Kept Ltd,ap@k1.test,+86 1,rep@t.test,high\nK2,Plan Broken Ltd,ap@k2.test,+86 2,rep@t.test,high\n" +
				"K3,Write Off Ltd,ap@k3.test,+86 3,rep@t.test,high\nK4,Over Pay Ltd,ap@k4.test,+86 4,rep@t.test,high\nK5,Bounce Ltd,ap@k5.test,+86 5,rep@t.test,high\nK6,Interest Ltd,ap@k6.test,+86 6,rep@t.test,high\n" +
				"K7,Dispute Upheld Ltd,ap@k7.test,+86 7,rep@t.test,high\nK8,Dispute Rejected Ltd,ap@k8.test,+86 8,rep@t.test,high\nK9,Lawsuit Ltd,ap@k9.test,+86 9,rep@t.test,high\n"},
			{"invoices", "number,customer_id,currency,amount,issue_date,due_date,late_interest\n" +
				"P1,K1,CNY,3000.00,2025-12-01,2026-01-01,\nP2,K2,CNY,3000.01,2025-12-01,2026-01-01,\nW1,K3,CNY,2000.00,2025-12-01,2026-01-01,\n" +
				"O1,K4,CNY,1000.00,2025-12-01,2026-01-01,\nO2,K4,CNY,800.00,2025-12-05,2026-01-05,\nR1,K5,CNY,1200.00,2025-12-01,2026-01-01,\nI1,K6,CNY,10000.00,2025-12-01,2026-01-01,yes\n" +
				"D1,K7,CNY,900.00,2025-12-01,2026-01-01,\nD2,K8,CNY,700.00,2025-12-01,2026-01-01,\nL1,K9,CNY,5000.00,2025-12-01,2026-01-01,\n"},
		} {
			if _, err := ingest.Reader(ctx, s, f.kind, f.kind+".csv", "csv", strings.NewReader(f.csv), ingest.Options{Company: adjustCompany, Now: start}); err != nil {
				t.Fatalf("%s: %v", f.kind, err)
			}
		}
		b := examples(t)
		var out strings.Builder
		money := invoiceMoneyLines(t, s)
		last := money()
		var lastEffect int64
		pay := func(at time.Time, ref, invoice, amount string) {
			t.Helper()
			m := mustMoney(t, amount)
			if _, err := s.RecordPayment(ctx, store.PaymentIn{Reference: ref, Invoice: invoice, AmountMinor: m.Minor, Currency: m.Currency, PaidAt: at}, at); err != nil {
				t.Fatalf("%s: %v", ref, err)
			}
			fmt.Fprintf(&out, "%s   payment %s %s on %s\n", calendar.In(at, shanghai), ref, amount, invoice)
		}
		decide := func(at time.Time, invoice string, values map[string]any) {
			t.Helper()
			var key string
			err := storetest.SQL(s).QueryRow(storetest.Rebind(s, `SELECT t.key FROM tasks t JOIN invoices i ON i.id = t.invoice_id
				WHERE i.number = ? AND t.kind = 'approval' AND t.status = 'open' ORDER BY t.id DESC LIMIT 1`), invoice).Scan(&key)
			if err != nil {
				fmt.Fprintf(&out, "%s   NO open decision on %s\n", calendar.In(at, shanghai), invoice)
				return
			}
			if _, err := s.CompleteTasks(ctx, []store.TaskCompletion{{Key: key, Outcome: values, By: "director@t.test", At: at}}); err != nil {
				t.Fatal(err)
			}
			fmt.Fprintf(&out, "%s   decided %s %v\n", calendar.In(at, shanghai), invoice, values)
		}
		admin := store.Viewer{Role: store.RoleAdmin}
		clock := func(at time.Time) engine.Clock { return engine.Clock{Now: at, Location: shanghai} }
		var disputes = map[string]int64{}
		var legal int64
		down := func(d calendar.Date) bool { // the server is down the 20th to the 23rd of January
			return d.Month == time.January && d.Day >= 20 && d.Day <= 23
		}
		for day := calendar.MustParse("2026-01-02"); !day.After(calendar.MustParse("2026-05-01")); day = day.AddDays(1) {
			morning := day.Time(shanghai).Add(8 * time.Hour)
			switch day.String() {
			case "2026-01-05":
				pay(morning, "R1-PAY", "R1", "1200.00 CNY")
			case "2026-01-10":
				pay(morning, "O1-PAY", "O1", "1500.00 CNY") // 500.00 over: credit for O2
			case "2026-01-12":
				for _, c := range []struct {
					inv    string
					amount int64
				}{{"D1", 30000}, {"D2", 0}} {
					d, err := s.OpenDispute(ctx, admin, store.DisputeIn{Invoice: c.inv, Reason: "pricing", DisputedMinor: c.amount, WholeBalance: c.amount == 0,
						Description: "price differs from the order", Actor: "fin@t.test"}, clock(morning))
					if err != nil {
						t.Fatalf("dispute %s: %v", c.inv, err)
					}
					disputes[c.inv] = d.ID
					fmt.Fprintf(&out, "%s   dispute opened on %s: %s\n", day, c.inv, moneyOf(d.DisputedMinor, "CNY"))
				}
			case "2026-01-26":
				for _, inv := range []string{"D1", "D2"} {
					status := engine.DisputeUpheld
					if inv == "D2" {
						status = engine.DisputeRejected
					}
					if _, err := s.ResolveDispute(ctx, admin, store.DisputeResolution{ID: disputes[inv], Status: status, Note: "checked the price list", Actor: "fin@t.test"}, morning); err != nil {
						t.Fatalf("resolve %s: %v", inv, err)
					}
				}
				fmt.Fprintf(&out, "%s   dispute on D1 upheld, on D2 rejected\n", day)
			case "2026-01-24":
				if _, err := s.ReversePayment(ctx, store.PaymentReversal{Reference: "R1-PAY", Reason: "transfer bounced"}, morning); err != nil {
					t.Fatal(err)
				}
				fmt.Fprintf(&out, "%s   reversed R1-PAY\n", day)
			case "2026-02-02":
				decide(morning, "P1", map[string]any{"decision": "payment_plan", "installments": 3, "first_installment_date": "2026-02-15"})
				decide(morning, "P2", map[string]any{"decision": "payment_plan", "installments": 3, "first_installment_date": "2026-02-15"})
				decide(morning, "W1", map[string]any{"decision": "write_off", "write_off_amount": "500.00 CNY", "comment": "half the goods were never delivered"})
			case "2026-02-03":
				lc, err := s.OpenLegalCase(ctx, admin, store.LegalCaseIn{Invoice: "L1", Notes: "claim filed", Documents: []string{"claim.pdf"}, Actor: "director@t.test"}, clock(morning))
				if err != nil {
					t.Fatal(err)
				}
				legal = lc.ID
				fmt.Fprintf(&out, "%s   legal case opened on L1 (hold)\n", day)
			case "2026-03-10":
				if _, err := s.CloseLegalCase(ctx, admin, store.LegalCaseClosing{ID: legal, Status: engine.CaseSettled, SettlementMinor: 300000, Notes: "settled in court", Actor: "director@t.test"}, morning); err != nil {
					t.Fatal(err)
				}
				fmt.Fprintf(&out, "%s   legal case on L1 settled for 3000.00 CNY\n", day)
			case "2026-03-20":
				pay(morning, "L1-PAY", "L1", "3000.00 CNY")
			case "2026-02-15":
				pay(morning, "P1-1", "P1", "1000.00 CNY")
				pay(morning, "P2-1", "P2", "1000.00 CNY")
			case "2026-03-15":
				pay(morning, "P1-2", "P1", "1000.00 CNY")
			case "2026-04-15":
				pay(morning, "P1-3", "P1", "1000.00 CNY")
			}
			if day.String() == "2026-03-23" { // P2's plan broke on the 22nd: the decision again
				decide(morning, "P2", map[string]any{"decision": "write_off", "comment": "plan broken, customer insolvent"})
			}
			for _, inv := range []string{"O2", "R1", "I1", "D1", "D2"} { // the others: keep collecting
				var open int
				storetest.SQL(s).QueryRow(storetest.Rebind(s, `SELECT COUNT(*) FROM tasks t JOIN invoices i ON i.id = t.invoice_id
					WHERE i.number = ? AND t.kind = 'approval' AND t.status = 'open'`), inv).Scan(&open)
				if open > 0 {
					decide(morning, inv, map[string]any{"decision": "continue"})
				}
			}
			if !down(day) {
				at := day.Time(shanghai).Add(9 * time.Hour)
				if _, err := engine.RunTick(ctx, b, s, engine.TickOptions{At: at, Location: shanghai}); err != nil {
					t.Fatal(err)
				}
				if day.Day%10 == 0 { // a replayed tick changes nothing
					if _, err := engine.RunTick(ctx, b, s, engine.TickOptions{At: at, Location: shanghai}); err != nil {
						t.Fatal(err)
					}
				}
			}
			rows, err := storetest.SQL(s).Query(storetest.Rebind(s, `SELECT e.id, i.number, e.kind, e.key FROM effects e JOIN invoices i ON i.id = e.invoice_id
				WHERE e.id > ? AND e.kind NOT IN ('node') ORDER BY i.number, e.key`), lastEffect)
			if err != nil {
				t.Fatal(err)
			}
			for rows.Next() {
				var id int64
				var number, kind, key string
				rows.Scan(&id, &number, &kind, &key)
				lastEffect = max(lastEffect, id)
				fmt.Fprintf(&out, "%s %-3s %-15s %s\n", day, number, kind, key)
			}
			rows.Close()
			var maxID int64
			storetest.SQL(s).QueryRow(`SELECT COALESCE(MAX(id), 0) FROM effects`).Scan(&maxID)
			lastEffect = max(lastEffect, maxID)
			now := money()
			for _, number := range slices.Sorted(maps.Keys(now)) {
				if line := now[number]; last[number] != line {
					fmt.Fprintf(&out, "%s %-3s %s\n", day, number, line)
				}
			}
			last = now
		}
		out.WriteString("\nadjustments:\n")
		rows, err := storetest.SQL(s).Query(`SELECT i.number, a.kind, a.amount_minor, a.currency, ` + dateText(s, "a.effective_date") + `, a.reason, a.approved_by
			FROM adjustments a JOIN invoices i ON i.id = a.invoice_id ORDER BY i.number, a.effective_date, a.kind, a.amount_minor`)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var number, kind, currency, day, reason, by string
			var amount int64
			rows.Scan(&number, &kind, &amount, &currency, &day, &reason, &by)
			fmt.Fprintf(&out, "  %s %s %-14s %s %q %s\n", day, number, kind, moneyOf(amount, currency), reason, by)
		}
		rows.Close()
		out.WriteString("fees and interest:\n")
		rows, err = storetest.SQL(s).Query(`SELECT i.number, f.kind, f.amount_minor, f.currency, f.days, f.reason FROM fees f JOIN invoices i ON i.id = f.invoice_id ORDER BY i.number, f.id`)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var number, kind, currency, reason string
			var amount int64
			var days int
			if err := rows.Scan(&number, &kind, &amount, &currency, &days, &reason); err != nil {
				t.Fatal(err)
			}
			fmt.Fprintf(&out, "  %s %-8s %s %d days: %s\n", number, kind, moneyOf(amount, currency), days, reason)
		}
		rows.Close()
		out.WriteString("plans:\n")
		rows, err = storetest.SQL(s).Query(`SELECT i.number, p.status, p.planned_minor, p.currency FROM payment_plans p JOIN payment_plan_invoices pp ON pp.plan_id = p.id
			JOIN invoices i ON i.id = pp.invoice_id ORDER BY i.number, p.id`)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var number, status, currency string
			var planned int64
			rows.Scan(&number, &status, &planned, &currency)
			fmt.Fprintf(&out, "  %s %s %s\n", number, status, moneyOf(planned, currency))
		}
		rows.Close()
		golden := filepath.Join("testdata", "lifecycle-120.golden")
		if *updateLifecycle && storetest.Dialect(s) != "postgres" {
			if err := os.WriteFile(golden, []byte(out.String()), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		want, err := os.ReadFile(golden)
		if err != nil {
			t.Fatalf("%v (run go test ./store -run TestLifecycleGolden120 -update-lifecycle)", err)
		}
		if got := out.String(); got != string(want) {
			t.Fatalf("the 120 days differ from %s:\n%s", golden, storetest.DiffLines(string(want), got))
		}
	})
}

// invoiceMoneyLines returns a function reading every invoice's money and
// state as one line per invoice number.
func invoiceMoneyLines(t *testing.T, s *store.Store) func() map[string]string {
	return func() map[string]string {
		t.Helper()
		rows, err := storetest.SQL(s).Query(`SELECT i.number, i.currency, i.amount_minor, i.paid_minor, i.fees_minor, i.interest_minor, i.adjusted_minor,
			i.written_off_minor, i.balance_minor, i.status, COALESCE((SELECT p.status FROM payment_plans p WHERE p.id = i.plan_id), '')
			FROM invoices i ORDER BY i.number`)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		out := map[string]string{}
		for rows.Next() {
			var number, currency, status, plan string
			var amount, paid, fees, interest, adjusted, writtenOff, balance int64
			if err := rows.Scan(&number, &currency, &amount, &paid, &fees, &interest, &adjusted, &writtenOff, &balance, &status, &plan); err != nil {
				t.Fatal(err)
			}
			line := fmt.Sprintf("balance %s = amount %s + fees %s (interest %s) - paid %s - adjusted %s (written off %s); %s",
				moneyOf(balance, currency), moneyOf(amount, currency), moneyOf(fees, currency), moneyOf(interest, currency), moneyOf(paid, currency),
				moneyOf(adjusted, currency), moneyOf(writtenOff, currency), status)
			if plan != "" {
				line += "; plan " + plan
			}
			out[number] = line
		}
		return out
	}
}

func moneyOf(minor int64, currency string) string { return money.New(minor, currency).String() }

func mustMoney(t *testing.T, s string) money.Money {
	t.Helper()
	m, err := money.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return m
}
