package ingest_test

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/recoup/recoup/engine"
	"github.com/recoup/recoup/ingest"
	"github.com/recoup/recoup/store"
	"github.com/recoup/recoup/store/storetest"
)

var company = engine.Company{Name: "Acme", TimeZone: "Asia/Shanghai", Currency: "CNY", TickTime: "09:00"}

const (
	usersCSV = `email,name,role,team
rep1@acme.test,Rep One,sales_rep,east
mgr@acme.test,Manager East,sales_manager,east
`
	customersCSV = `id,name,email,phone,finance_email,owner,region,industry,credit_limit,credit_rating,risk,locale,timezone
C1,Alpha Ltd,ap@alpha.test,+86 10 1234,fin@alpha.test,rep1@acme.test,North,Retail,50000.00,A,low,zh-CN,Asia/Shanghai
C2,Beta Inc,ap@beta.test,,,rep1@acme.test,West,Tech,10000.00 USD,B,high,en,
`
	invoicesCSV = `number,customer_id,currency,amount,issue_date,due_date,owner,po_number
INV-1,C1,CNY,12345.67,2026-01-01,2026-01-31,,PO-9
INV-2,C2,USD,100.10,2026-02-01,2026-03-01,mgr@acme.test,
INV-3,C2,JPY,5000,2026-02-01,2026-03-01,,
`
	paymentsCSV = `invoice_number,amount,paid_at,reference
INV-1,345.67,2026-02-03 10:00,PAY-1
INV-1,12000.00,2026-02-10T08:00:00Z,PAY-2
INV-2,0.10,2026-03-02,PAY-3
`
)

type bundle struct {
	s   *store.Store
	dir string
}

func write(t *testing.T, dir, name, content string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func importFile(t *testing.T, b bundle, kind, name, content string, opts ingest.Options) (ingest.Summary, error) {
	t.Helper()
	opts.Company = company
	opts.Now = time.Date(2026, 3, 5, 0, 0, 0, 0, time.UTC) // after the payments (a later one is refused)
	return ingest.File(context.Background(), b.s, kind, write(t, b.dir, name, content), opts)
}

func mustImport(t *testing.T, b bundle, kind, name, content string) ingest.Summary {
	t.Helper()
	sum, err := importFile(t, b, kind, name, content, ingest.Options{})
	if err != nil {
		t.Fatalf("import %s: %v %v", name, err, sum.Problems)
	}
	return sum
}

func seeded(t *testing.T, s *store.Store) bundle {
	b := bundle{s: s, dir: t.TempDir()}
	mustImport(t, b, "users", "users.csv", usersCSV)
	mustImport(t, b, "customers", "customers.csv", customersCSV)
	mustImport(t, b, "invoices", "invoices.csv", invoicesCSV)
	return b
}

type invoiceState struct {
	Currency                     string
	Amount, Paid, Balance        int64
	Status, Owner, Custom, Issue string
}

func invoice(t *testing.T, s *store.Store, number string) invoiceState {
	t.Helper()
	var st invoiceState
	var issue any
	err := storetest.SQL(s).QueryRow(storetest.Rebind(s, `SELECT i.currency, i.amount_minor, i.paid_minor, i.balance_minor, i.status,
		COALESCE(u.email, ''), i.custom, i.issue_date FROM invoices i LEFT JOIN users u ON u.id = i.owner_id WHERE i.number = ?`), number).
		Scan(&st.Currency, &st.Amount, &st.Paid, &st.Balance, &st.Status, &st.Owner, &st.Custom, &issue)
	if err != nil {
		t.Fatalf("invoice %s: %v", number, err)
	}
	switch v := issue.(type) {
	case time.Time:
		st.Issue = v.Format("2006-01-02")
	case string:
		st.Issue = v
	}
	st.Custom = strings.ReplaceAll(st.Custom, " ", "")
	return st
}

func count(t *testing.T, s *store.Store, table string) int {
	t.Helper()
	var n int
	if err := storetest.SQL(s).QueryRow("SELECT COUNT(*) FROM " + table).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestImportExactMoneyAndBalances(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		b := seeded(t, s)
		sum := mustImport(t, b, "payments", "payments.csv", paymentsCSV)
		if got, want := sum.String(), b.dir+"/payments.csv (payments): 3 inserted, 0 updated, 0 unchanged, 0 rejected"; got != want {
			t.Fatalf("summary %q, want %q", got, want)
		}
		want := map[string]invoiceState{
			"INV-1": {"CNY", 1234567, 1234567, 0, "paid", "rep1@acme.test", `{"po_number":"PO-9"}`, "2026-01-01"},
			"INV-2": {"USD", 10010, 10, 10000, "open", "mgr@acme.test", `{}`, "2026-02-01"},
			"INV-3": {"JPY", 5000, 0, 5000, "open", "rep1@acme.test", `{}`, "2026-02-01"},
		}
		for number, w := range want {
			if got := invoice(t, s, number); got != w {
				t.Errorf("%s = %+v, want %+v", number, got, w)
			}
		}
	})
}

func TestImportIdempotentAndUpdates(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		b := seeded(t, s)
		mustImport(t, b, "payments", "payments.csv", paymentsCSV)
		for _, f := range []struct{ kind, name, content, want string }{
			{"users", "users.csv", usersCSV, "0 inserted, 0 updated, 2 unchanged, 0 rejected"},
			{"customers", "customers.csv", customersCSV, "0 inserted, 0 updated, 2 unchanged, 0 rejected"},
			{"invoices", "invoices.csv", invoicesCSV, "0 inserted, 0 updated, 3 unchanged, 0 rejected"},
			{"payments", "payments.csv", paymentsCSV, "0 inserted, 0 updated, 3 unchanged, 0 rejected"},
		} {
			sum := mustImport(t, b, f.kind, f.name, f.content)
			if !strings.HasSuffix(sum.String(), f.want) {
				t.Errorf("re-import %s: %s, want %s", f.name, sum, f.want)
			}
		}
		// A changed amount updates the row and the balance follows the payments.
		changed := strings.Replace(invoicesCSV, "INV-1,C1,CNY,12345.67", "INV-1,C1,CNY,20000.00", 1)
		sum := mustImport(t, b, "invoices", "invoices2.csv", changed)
		if !strings.HasSuffix(sum.String(), "0 inserted, 1 updated, 2 unchanged, 0 rejected") {
			t.Fatalf("changed import: %s", sum)
		}
		if got := invoice(t, s, "INV-1"); got.Balance != 2000000-1234567 || got.Status != "open" {
			t.Fatalf("INV-1 after amount change = %+v", got)
		}
		// A payment moved to another invoice recomputes both.
		moved := strings.Replace(paymentsCSV, "INV-2,0.10", "INV-3,1", 1)
		mustImport(t, b, "payments", "payments2.csv", moved)
		if got := invoice(t, s, "INV-2"); got.Paid != 0 || got.Balance != 10010 {
			t.Errorf("INV-2 after move = %+v", got)
		}
		if got := invoice(t, s, "INV-3"); got.Paid != 1 || got.Balance != 4999 {
			t.Errorf("INV-3 after move = %+v", got)
		}
	})
}

func TestImportRejectsBadRowsWithEveryProblem(t *testing.T) {
	t.Parallel()
	bad := `number,customer_id,currency,amount,issue_date,due_date,owner
INV-10,C1,CNY,12.345,2026-01-01,2026-01-31,
INV-11,C9,CNY,10.00,2026-13-01,2026-01-31,
INV-12,C1,CNY,-5.00,2026-01-01,2026-01-31,nobody@acme.test
INV-10,C1,USD,1.00,2026-01-01,2026-01-31,
INV-13,C1,XXX,1.00,2026-02-01,2026-01-31,
INV-14,C1,JPY,1.5,2026-01-01,2026-01-31,
INV-15,,CNY,,2026-01-01,,
`
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		b := seeded(t, s)
		before := count(t, s, "invoices")
		sum, err := importFile(t, b, "invoices", "bad.csv", bad, ingest.Options{})
		var rej *ingest.RejectedError
		if !errors.As(err, &rej) || !errors.Is(err, ingest.ErrRejected) {
			t.Fatalf("err = %v, want RejectedError", err)
		}
		var got []string
		for _, p := range rej.Problems {
			got = append(got, strings.TrimPrefix(p.Error(), b.dir+"/"))
		}
		want := []string{
			`bad.csv:row 2:amount: amount "12.345" has 3 decimals but CNY allows at most 2`,
			`bad.csv:row 3:issue_date: invalid date "2026-13-01": want YYYY-MM-DD`,
			`bad.csv:row 3:customer_id: unknown customer "C9"`,
			`bad.csv:row 4:amount: must be positive, got "-5.00"`,
			`bad.csv:row 4:owner: unknown user "nobody@acme.test" (import users first)`,
			`bad.csv:row 5:number: duplicate number "INV-10" (first on row 2)`,
			`bad.csv:row 6:currency: unknown currency "XXX" (want an ISO 4217 code such as CNY or USD)`,
			`bad.csv:row 6:due_date: due date 2026-01-31 is before issue date 2026-02-01`,
			`bad.csv:row 7:amount: amount "1.5" has decimals but JPY has no minor unit`,
			`bad.csv:row 8:customer_id: is required`,
			`bad.csv:row 8:amount: is required`,
			`bad.csv:row 8:due_date: is required`,
		}
		if strings.Join(got, "\n") != strings.Join(want, "\n") {
			t.Fatalf("problems:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
		}
		if sum.Rejected != 7 || sum.Inserted != 0 {
			t.Errorf("summary %+v", sum)
		}
		if after := count(t, s, "invoices"); after != before {
			t.Fatalf("rejected file wrote rows: %d → %d", before, after)
		}

		// --skip-invalid keeps the good rows: only INV-10's first row is good.
		sum, err = importFile(t, b, "invoices", "bad.csv", bad, ingest.Options{SkipInvalid: true})
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasSuffix(sum.String(), "0 inserted, 0 updated, 0 unchanged, 7 rejected") {
			t.Fatalf("skip-invalid summary %s", sum)
		}
		good := bad + "INV-16,C1,CNY,99.99,2026-01-01,2026-01-31,\n"
		sum, err = importFile(t, b, "invoices", "bad2.csv", good, ingest.Options{SkipInvalid: true})
		if err != nil || !strings.HasSuffix(sum.String(), "1 inserted, 0 updated, 0 unchanged, 7 rejected") {
			t.Fatalf("skip-invalid summary %s %v", sum, err)
		}
		if got := invoice(t, s, "INV-16"); got.Amount != 9999 {
			t.Fatalf("INV-16 = %+v", got)
		}
	})
}

func TestImportOtherKindsBadInput(t *testing.T) {
	t.Parallel()
	cases := []struct {
		kind, name, content string
		want                []string
	}{
		{"users", "u.csv", "email,name,role,team\nnot-an-email,X,boss,\n,,sales_rep,\n", []string{
			`u.csv:row 2:email: invalid email "not-an-email"`,
			`u.csv:row 2:role: unknown role "boss" (want one of admin, sales_rep, sales_manager, finance, finance_director)`,
			`u.csv:row 3:email: is required`,
			`u.csv:row 3:name: is required`,
		}},
		{"users", "u2.csv", "email,nom,role,team\n", []string{
			`u2.csv:row 1:nom: unknown column (users columns are email, name, role, team)`,
			`u2.csv:row 1:name: missing required column`,
		}},
		{"customers", "c.csv", "id,name,credit_limit,risk,locale,timezone\nC5,Five,1.234,extreme,fr,Mars/Olympus\n", []string{
			`c.csv:row 2:credit_limit: amount "1.234" has 3 decimals but CNY allows at most 2`,
			`c.csv:row 2:risk: unknown risk tier "extreme" (want low, medium or high)`,
			`c.csv:row 2:locale: unsupported locale "fr" (want en or zh-CN)`,
			`c.csv:row 2:timezone: unknown time zone "Mars/Olympus" (want an IANA name such as Asia/Shanghai)`,
		}},
		{"payments", "p.csv", "invoice_number,amount,paid_at,reference\nINV-404,1.00,2026-02-01,P1\nINV-2,1.001,yesterday,P2\nINV-1,0,2026-02-01,P2\n", []string{
			`p.csv:row 2:invoice_number: unknown invoice "INV-404"`,
			`p.csv:row 3:paid_at: invalid time "yesterday": want RFC 3339 (2024-05-01T10:00:00+08:00), YYYY-MM-DD HH:MM[:SS] or YYYY-MM-DD in the company's zone`,
			`p.csv:row 3:amount: amount "1.001" has 3 decimals but USD allows at most 2`,
			`p.csv:row 4:reference: duplicate reference "P2" (first on row 3)`,
			`p.csv:row 4:amount: must be positive, got "0"`,
		}},
		// The payment webhook's rules (issue 15 §3).
		{"payments", "g.csv", "invoice_number,amount,paid_at,reference\nINV-1,1.00,2099-01-01,G1\nINV-1,1.00,1900-01-01,G2\nINV-1,10000000000001.00,2026-02-01,G3\nINV-1,1.00,2026-02-01, g1 \n", []string{
			`g.csv:row 2:paid_at: 2098-12-31T16:00:00Z is in the future (now is 2026-03-05T00:00:00Z)`,
			`g.csv:row 3:paid_at: 1900-01-01 is before the invoice's issue date 2026-01-01`,
			`g.csv:row 4:amount: 10000000000001.00 is above the largest payment recoup accepts (10000000000000.00 CNY)`,
			`g.csv:row 5:reference: duplicate reference "g1" (first on row 2)`,
		}},
		{"invoices", "i.json", `[{"number":"J1","customer_id":"C1","currency":"CNY","amount":"1.00","issue_date":"2026-01-01","due_date":"bad","region":{"x":1}}]`, []string{
			`i.json:row 1:region: want a string, number or boolean`,
			`i.json:row 1:due_date: invalid date "bad": want YYYY-MM-DD`,
		}},
	}
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		b := seeded(t, s)
		for _, c := range cases {
			_, err := importFile(t, b, c.kind, c.name, c.content, ingest.Options{})
			var rej *ingest.RejectedError
			if !errors.As(err, &rej) {
				t.Errorf("%s: err = %v, want rejection", c.name, err)
				continue
			}
			var got []string
			for _, p := range rej.Problems {
				got = append(got, strings.TrimPrefix(p.Error(), b.dir+"/"))
			}
			if strings.Join(got, "\n") != strings.Join(c.want, "\n") {
				t.Errorf("%s problems:\n%s\nwant:\n%s", c.name, strings.Join(got, "\n"), strings.Join(c.want, "\n"))
			}
		}
	})
}

func TestImportJSON(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		b := seeded(t, s)
		sum := mustImport(t, b, "invoices", "more.json", `[
 {"number":"J-1","customer_id":"C1","currency":"CNY","amount":1234.5,"issue_date":"2026-02-01","due_date":"2026-03-01","channel":"web"},
 {"number":"J-2","customer_id":"C2","currency":"USD","amount":"7","issue_date":"2026-02-01","due_date":"2026-03-01"}]`)
		if !strings.HasSuffix(sum.String(), "2 inserted, 0 updated, 0 unchanged, 0 rejected") {
			t.Fatalf("summary %s", sum)
		}
		if got := invoice(t, s, "J-1"); got.Amount != 123450 || got.Custom != `{"channel":"web"}` {
			t.Fatalf("J-1 = %+v", got)
		}
	})
}

func TestImportBrokenFile(t *testing.T) {
	t.Parallel()
	s := storetest.SQLite(t)
	b := bundle{s: s, dir: t.TempDir()}
	_, err := importFile(t, b, "users", "u.csv", "email,name,role,team\n\"unterminated,x,admin,\n", ingest.Options{})
	if err == nil || !strings.HasSuffix(err.Error(), `u.csv:row 2: extraneous or missing " in quoted-field`) {
		t.Fatalf("err = %v", err)
	}
	for content, want := range map[string]string{
		`[{"email":"a@x.test","name":"A","role":"admin"}`:       `u.json:row 2: the JSON array is not closed (truncated file?)`,
		`[{"email":"a@x.test","name":"A","role":"admin"}] junk`: `u.json:row 2: unexpected content after the JSON array`,
	} {
		_, err = importFile(t, b, "users", "u.json", content, ingest.Options{})
		if err == nil || !strings.HasSuffix(err.Error(), want) || !errors.Is(err, ingest.ErrMalformed) {
			t.Errorf("%s: err = %v, want %s (ErrMalformed)", content, err, want)
		}
	}
	_, err = importFile(t, b, "users", "u.txt", "", ingest.Options{})
	if err == nil || !strings.HasSuffix(err.Error(), `u.txt: unknown file type ".txt": want .csv or .json`) {
		t.Fatalf("err = %v", err)
	}
	if n := count(t, s, "users"); n != 0 {
		t.Fatalf("%d users written", n)
	}
}

// TestReimportKeepsRuleState: a re-import never lowers a risk tier a rule
// raised and keeps custom fields rules wrote.
func TestReimportKeepsRuleState(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		b := seeded(t, s)
		if _, err := storetest.SQL(s).Exec("UPDATE customers SET risk = 'high' WHERE external_id = 'C1'"); err != nil {
			t.Fatal(err)
		}
		if _, err := storetest.SQL(s).Exec(storetest.Rebind(s, "UPDATE invoices SET custom = ? WHERE number = 'INV-1'"), `{"po_number":"PO-9","legal_hold":"true"}`); err != nil {
			t.Fatal(err)
		}
		mustImport(t, b, "customers", "c2.csv", strings.Replace(customersCSV, "+86 10 1234", "+86 10 9999", 1))
		mustImport(t, b, "invoices", "i2.csv", strings.Replace(invoicesCSV, "PO-9", "PO-10", 1))
		var risk string
		storetest.SQL(s).QueryRow("SELECT risk FROM customers WHERE external_id = 'C1'").Scan(&risk)
		if risk != "high" {
			t.Errorf("risk after re-import = %s, want high", risk)
		}
		var custom map[string]string
		if err := json.Unmarshal([]byte(invoice(t, s, "INV-1").Custom), &custom); err != nil || len(custom) != 2 ||
			custom["legal_hold"] != "true" || custom["po_number"] != "PO-10" {
			t.Errorf("custom after re-import = %v %v", custom, err)
		}
		// An import may still raise a tier.
		mustImport(t, b, "customers", "c3.csv", strings.Replace(customersCSV, "A,low,zh-CN", "A,medium,zh-CN", 1))
		storetest.SQL(s).QueryRow("SELECT risk FROM customers WHERE external_id = 'C1'").Scan(&risk)
		if risk != "high" {
			t.Errorf("risk after importing medium = %s, want high kept", risk)
		}
	})
}

// TestImportOverpayment: a payment beyond an invoice's balance settles it at
// zero and the excess is the customer's unapplied credit; a reference in
// another case or with spaces is the payment already recorded.
func TestImportOverpayment(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		b := seeded(t, s)
		mustImport(t, b, "payments", "p1.csv", "invoice_number,amount,paid_at,reference\nINV-2,60.00,2026-02-10,PAY-A\nINV-2,60.00,2026-02-11,PAY-B\n")
		if got, want := invoice(t, s, "INV-2"), (invoiceState{"USD", 10010, 10010, 0, "paid", "mgr@acme.test", `{}`, "2026-02-01"}); got != want {
			t.Errorf("INV-2 = %+v, want %+v", got, want)
		}
		credit := func() (n int, sum int64) {
			t.Helper()
			if err := storetest.SQL(s).QueryRow("SELECT COUNT(*), COALESCE(SUM(amount_minor), 0) FROM customer_credits").Scan(&n, &sum); err != nil {
				t.Fatal(err)
			}
			return n, sum
		}
		if n, sum := credit(); n != 1 || sum != 1990 {
			t.Errorf("credit: %d rows, %d minor; want 1 row of 1990 (USD 19.90)", n, sum)
		}
		sum := mustImport(t, b, "payments", "p2.csv", "invoice_number,amount,paid_at,reference\nINV-2,60.00,2026-02-11, pay-b \nINV-2,5.00,2026-02-12,PAY-C\n")
		if !strings.HasSuffix(sum.String(), "1 inserted, 1 updated, 0 unchanged, 0 rejected") {
			t.Errorf("summary %s", sum)
		}
		if n := count(t, s, "payments"); n != 3 {
			t.Errorf("%d payments, want 3 (pay-b is PAY-B)", n)
		}
		if n, sum := credit(); n != 2 || sum != 2490 {
			t.Errorf("credit: %d rows, %d minor; want 2 rows, 2490", n, sum)
		}
		if got := invoice(t, s, "INV-2"); got.Balance != 0 || got.Paid != 10010 {
			t.Errorf("INV-2 = %+v", got)
		}
	})
}
