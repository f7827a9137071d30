package api_test

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/recoup/recoup/api"
	"github.com/recoup/recoup/store"
	"github.com/recoup/recoup/store/storetest"
)

// hostile is one malformed or hostile request: who sends it, what, and the
// exact status and a part of the answer (the problem's detail and its
// field errors as "field: message" lines) expected. Nothing may be written.
type hostile struct {
	name        string
	as          string // a role's user, "token" (payments:write), "anonymous"
	method      string
	path        string
	contentType string // default application/json
	body        string
	status      int
	want        string
}

// send makes one raw request as c.
func (c *client) send(method, path, contentType, body string) *response {
	c.f.t.Helper()
	if body == "" {
		return c.request(method, path, "", nil)
	}
	return c.request(method, path, contentType, strings.NewReader(body))
}

// tableCounts is the number of rows of every table.
func (f *fixture) tableCounts() map[string]int64 {
	f.t.Helper()
	n, err := f.s.TableCounts(context.Background())
	if err != nil {
		f.t.Fatal(err)
	}
	return n
}

// TestHostileInputs sends malformed and hostile input to the payment
// webhook, imports, task and approval forms, drafts and query parameters
// (issue 15): each is refused with its exact status and a precise message,
// and no table gains or loses a row. The table is written to
// $RECOUP_HOSTILE_OUT (markdown) when set, for the release note.
func TestHostileInputs(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		f := setup(t, s, api.Options{})
		ctx := context.Background()
		q := func(query string, args ...any) *struct{ row func(...any) } {
			return &struct{ row func(...any) }{func(dest ...any) {
				t.Helper()
				if err := storetest.SQL(s).QueryRowContext(ctx, storetest.Rebind(s, query), args...).Scan(dest...); err != nil {
					t.Fatalf("%s: %v", query, err)
				}
			}}
		}
		// A CNY invoice with a balance, its issue date, and a payment on it
		// already recorded (the idempotency cases replay it).
		var number, issue string
		var balance int64
		q(`SELECT number, CAST(issue_date AS TEXT), balance_minor FROM invoices WHERE currency = 'CNY' AND balance_minor > 100000
			AND status <> 'paid' ORDER BY id LIMIT 1`).row(&number, &issue, &balance)
		issue = issue[:10]
		fin := f.login(finance)
		pay := func(ref string, amount any, currency, paidAt string) string {
			b, _ := json.Marshal(map[string]any{"reference": ref, "invoice": number, "amount_minor": amount, "currency": currency, "paid_at": paidAt})
			return string(b)
		}
		valid := pay("BANK-2026-0001", 10000, "CNY", "2026-11-02T01:00:00Z")
		fin.send("POST", "/api/payments", "application/json", valid).want(201)

		// An open call task (call-outcome) of the rep, on an invoice in CNY.
		var callTask int64
		var callAssignee, callCur string
		var callBalance int64
		q(`SELECT t.id, u.email, i.currency, i.balance_minor FROM tasks t JOIN users u ON u.id = t.assignee_id JOIN invoices i ON i.id = t.invoice_id
			WHERE t.status = 'open' AND t.form = 'call-outcome' AND i.currency = 'CNY' ORDER BY t.id LIMIT 1`).row(&callTask, &callAssignee, &callCur, &callBalance)
		if err := s.SetPassword(ctx, callAssignee, password, now); err != nil {
			t.Fatal(err)
		}
		caller := f.login(callAssignee)
		complete := fmt.Sprintf("/api/tasks/%d/complete", callTask)
		// An escalation decision for the director: an open approval with
		// that form, or one made for this test.
		var approval int64
		var apCur string
		var apBalance int64
		if err := storetest.SQL(s).QueryRowContext(ctx, `SELECT t.id, i.currency, i.balance_minor FROM tasks t JOIN invoices i ON i.id = t.invoice_id
			WHERE t.status = 'open' AND t.kind = 'approval' AND t.form = 'escalation-decision' ORDER BY t.id LIMIT 1`).Scan(&approval, &apCur, &apBalance); err != nil {
			var inv, cust int64
			q(`SELECT id, customer_id, currency, balance_minor FROM invoices WHERE currency = 'CNY' AND balance_minor > 0 AND status <> 'paid' ORDER BY id DESC LIMIT 1`).row(&inv, &cust, &apCur, &apBalance)
			if _, err := storetest.SQL(s).ExecContext(ctx, storetest.Rebind(s, `INSERT INTO tasks (key, kind, title, role, form, status, invoice_id, customer_id, created_at, updated_at)
				VALUES ('hostile/approval', 'approval', 'Escalation decision', 'finance_director', 'escalation-decision', 'open', ?, ?, ?, ?)`), inv, cust, now.UTC(), now.UTC()); err != nil {
				t.Fatal(err)
			}
			q(`SELECT id FROM tasks WHERE key = 'hostile/approval'`).row(&approval)
		}
		dir := f.login(director)
		decide := fmt.Sprintf("/api/approvals/%d/decide", approval)
		adm := f.login(admin)

		var created struct{ Secret string }
		adm.do("POST", "/api/tokens", map[string]any{"name": "bank", "user": finance, "scopes": []string{"payments:write"}}).want(201).decode(&created)
		var readOnly struct{ Secret string }
		adm.do("POST", "/api/tokens", map[string]any{"name": "reader", "user": finance, "scopes": []string{"invoices:read"}}).want(201).decode(&readOnly)
		clients := map[string]*client{
			"finance": fin, "rep": caller, "director": dir, "admin": adm,
			"west": f.login(westRep), "token": f.token(created.Secret), "reader": f.token(readOnly.Secret), "anonymous": f.anonymous(),
		}

		values := func(v map[string]any) string {
			b, _ := json.Marshal(map[string]any{"values": v})
			return string(b)
		}
		cny := func(minor int64) string { return fmt.Sprintf("%d.%02d CNY", minor/100, minor%100) }
		csv := "text/csv"
		yaml := "application/yaml"
		draft := func(src string) string {
			b, _ := json.Marshal(map[string]any{"source": src})
			return string(b)
		}
		form := func(field string) string {
			return "apiVersion: recoup/v1\nkind: Form\nmetadata: {name: hostile-form}\nspec:\n  fields:\n    - name: x\n" + field
		}
		deep := strings.Repeat("[", 20000) + strings.Repeat("]", 20000)

		cases := []hostile{
			// The payment webhook.
			{"trailing garbage", "finance", "POST", "/api/payments", "", valid + " garbage", 422, "/: unexpected data after the JSON value at byte"},
			{"two objects", "finance", "POST", "/api/payments", "", valid + valid, 422, "/: unexpected data after the JSON value at byte"},
			{"amount int64 max", "token", "POST", "/api/payments", "", pay("H-1", int64(9223372036854775807), "CNY", "2026-11-02T01:00:00Z"), 422, "/amount_minor: number must be at most 1e+15"},
			{"amount beyond int64", "token", "POST", "/api/payments", "", strings.Replace(pay("H-1", 1, "CNY", "2026-11-02T01:00:00Z"), `"amount_minor":1`, `"amount_minor":9223372036854775808`, 1), 422,
				"/amount_minor: number 9223372036854775808 is out of range"},
			{"amount 1e400", "token", "POST", "/api/payments", "", strings.Replace(pay("H-1", 1, "CNY", "2026-11-02T01:00:00Z"), `"amount_minor":1`, `"amount_minor":1e400`, 1), 422,
				"/amount_minor: number 1e400 is out of range"},
			{"amount above 10^15", "token", "POST", "/api/payments", "", pay("H-1", int64(1_000_000_000_000_001), "CNY", "2026-11-02T01:00:00Z"), 422, "/amount_minor: number must be at most 1e+15"},
			{"amount zero", "token", "POST", "/api/payments", "", pay("H-1", 0, "CNY", "2026-11-02T01:00:00Z"), 422, "/amount_minor: number must be at least 1"},
			{"amount negative", "token", "POST", "/api/payments", "", pay("H-1", -5, "CNY", "2026-11-02T01:00:00Z"), 422, "/amount_minor: number must be at least 1"},
			{"amount fraction", "token", "POST", "/api/payments", "", pay("H-1", 12.5, "CNY", "2026-11-02T01:00:00Z"), 422, "/amount_minor: value must be an integer"},
			{"amount as text", "token", "POST", "/api/payments", "", pay("H-1", "100", "CNY", "2026-11-02T01:00:00Z"), 422, "/amount_minor: value must be an integer"},
			{"amount as object", "token", "POST", "/api/payments", "", pay("H-1", map[string]int{"x": 1}, "CNY", "2026-11-02T01:00:00Z"), 422, "/amount_minor: value must be an integer"},
			{"paid in 2099", "token", "POST", "/api/payments", "", pay("H-1", 100, "CNY", "2099-01-01T10:00:00Z"), 422, "/paid_at: 2099-01-01T10:00:00Z is in the future (now is 2026-11-02T02:00:00Z)"},
			{"paid in ten minutes", "token", "POST", "/api/payments", "", pay("H-1", 100, "CNY", "2026-11-02T02:10:00Z"), 422, "/paid_at: 2026-11-02T02:10:00Z is in the future"},
			{"paid in 1900", "token", "POST", "/api/payments", "", pay("H-1", 100, "CNY", "1900-01-01T00:00:00Z"), 422, "/paid_at: 1900-01-01 is before the invoice's issue date " + issue},
			{"paid_at not a time", "token", "POST", "/api/payments", "", pay("H-1", 100, "CNY", "yesterday"), 422, `/paid_at: string doesn't match the format "date-time"`},
			{"another currency", "token", "POST", "/api/payments", "", pay("H-1", 100, "USD", "2026-11-02T01:00:00Z"), 422, "/currency: USD differs from the invoice's currency CNY"},
			{"currency lower case", "token", "POST", "/api/payments", "", pay("H-1", 100, "cny", "2026-11-02T01:00:00Z"), 422, `/currency: string doesn't match the regular expression "^[A-Z]{3}$"`},
			{"every problem at once", "token", "POST", "/api/payments", "", pay("H-1", 100, "EUR", "2099-01-01T10:00:00Z"), 422, "/currency: EUR differs from the invoice's currency CNY\n/paid_at: 2099-01-01T10:00:00Z is in the future"},
			{"reference empty", "token", "POST", "/api/payments", "", pay("", 100, "CNY", "2026-11-02T01:00:00Z"), 422, "/reference: minimum string length is 1"},
			{"reference blank", "token", "POST", "/api/payments", "", pay("   ", 100, "CNY", "2026-11-02T01:00:00Z"), 422, "/reference: must not be blank"},
			{"reference too long", "token", "POST", "/api/payments", "", pay(strings.Repeat("R", 201), 100, "CNY", "2026-11-02T01:00:00Z"), 422, "/reference: maximum string length is 200"},
			{"replay in lower case", "token", "POST", "/api/payments", "", pay("bank-2026-0001", 10000, "CNY", "2026-11-02T01:00:00Z"), 200, `"duplicate":true`},
			{"replay with spaces", "token", "POST", "/api/payments", "", pay(" BANK-2026-0001 ", 10000, "CNY", "2026-11-02T01:00:00Z"), 200, `"duplicate":true`},
			{"replay with another amount", "token", "POST", "/api/payments", "", pay("Bank-2026-0001", 9999, "CNY", "2026-11-02T01:00:00Z"), 409, "already recorded with another invoice, amount or currency"},
			{"unknown invoice", "token", "POST", "/api/payments", "", strings.Replace(pay("H-1", 100, "CNY", "2026-11-02T01:00:00Z"), number, "NO-SUCH", 1), 404, `invoice "NO-SUCH": not found`},
			{"unknown field", "token", "POST", "/api/payments", "", strings.Replace(valid, "{", `{"colour":"red",`, 1), 422, `/: property "colour" is unsupported`},
			{"empty object", "token", "POST", "/api/payments", "", "{}", 422, `property "reference" is missing`},
			{"null", "token", "POST", "/api/payments", "", "null", 422, "/: Value is not nullable"},
			{"array", "token", "POST", "/api/payments", "", "[]", 422, "value must be an object"},
			{"deep nesting", "token", "POST", "/api/payments", "", deep, 400, "malformed JSON"},
			{"truncated JSON", "token", "POST", "/api/payments", "", `{"reference": "x",`, 400, "malformed JSON"},
			{"form encoded", "token", "POST", "/api/payments", "application/x-www-form-urlencoded", "reference=x", 415, "header.Content-Type: want application/json"},
			{"without the scope", "reader", "POST", "/api/payments", "", valid, 403, `the API token lacks the scope "payments:write"`},
			{"anonymous", "anonymous", "POST", "/api/payments", "", valid, 401, "authentication required"},
			{"too large", "token", "POST", "/api/payments", "", `{"reference":"` + strings.Repeat("x", 2<<20) + `"}`, 413, ""},

			// Imports (all or nothing, row:column).
			{"import: paid in the future", "finance", "POST", "/api/import/payments", csv, "invoice_number,amount,paid_at,reference\n" + number + ",1.00,2099-01-01,H-2\n", 422, "row 2:paid_at: 2098-12-31T16:00:00Z is in the future"},
			{"import: paid before issue", "finance", "POST", "/api/import/payments", csv, "invoice_number,amount,paid_at,reference\n" + number + ",1.00,1900-01-01,H-2\n", 422, "row 2:paid_at: 1900-01-01 is before the invoice's issue date " + issue},
			{"import: amount above the maximum", "finance", "POST", "/api/import/payments", csv, "invoice_number,amount,paid_at,reference\n" + number + ",10000000000001.00,2026-11-01,H-2\n", 422, "row 2:amount: 10000000000001.00 is above the largest payment recoup accepts (10000000000000.00 CNY)"},
			{"import: amount beyond int64", "finance", "POST", "/api/import/payments", csv, "invoice_number,amount,paid_at,reference\n" + number + ",99999999999999999999.00,2026-11-01,H-2\n", 422, `row 2:amount: amount "99999999999999999999.00" is out of range`},
			{"import: negative amount", "finance", "POST", "/api/import/payments", csv, "invoice_number,amount,paid_at,reference\n" + number + ",-1.00,2026-11-01,H-2\n", 422, `row 2:amount: must be positive, got "-1.00"`},
			{"import: three decimals", "finance", "POST", "/api/import/payments", csv, "invoice_number,amount,paid_at,reference\n" + number + ",1.001,2026-11-01,H-2\n", 422, `row 2:amount: amount "1.001" has 3 decimals but CNY allows at most 2`},
			{"import: not a number", "finance", "POST", "/api/import/payments", csv, "invoice_number,amount,paid_at,reference\n" + number + ",1e5,2026-11-01,H-2\n", 422, `row 2:amount: invalid amount "1e5"`},
			{"import: unknown invoice", "finance", "POST", "/api/import/payments", csv, "invoice_number,amount,paid_at,reference\nNO-SUCH,1.00,2026-11-01,H-2\n", 422, `row 2:invoice_number: unknown invoice "NO-SUCH"`},
			{"import: a reference twice, in two cases", "finance", "POST", "/api/import/payments", csv, "invoice_number,amount,paid_at,reference\n" + number + ",1.00,2026-11-01,H-2\n" + number + ",1.00,2026-11-01, h-2\n", 422, `row 3:reference: duplicate reference "h-2" (first on row 2)`},
			{"import: one bad row rejects all", "finance", "POST", "/api/import/payments", csv, "invoice_number,amount,paid_at,reference\n" + number + ",1.00,2026-11-01,H-2\n" + number + ",1.00,2026-11-01T25:00:00,H-3\n", 422, `row 3:paid_at: invalid time "2026-11-01T25:00:00"`},
			{"import: missing column", "finance", "POST", "/api/import/payments", csv, "invoice_number,amount\n" + number + ",1.00\n", 422, "row 1:paid_at: missing required column\nrow 1:reference: missing required column"},
			{"import: JSON payment in the future", "finance", "POST", "/api/import/payments", "application/json", `[{"invoice_number":"` + number + `","amount":"1.00","paid_at":"2099-01-01T00:00:00Z","reference":"H-2"}]`, 422, "row 1:paid_at: 2099-01-01T00:00:00Z is in the future"},
			{"import: JSON not an array", "finance", "POST", "/api/import/payments", "application/json", `{"invoice_number":"x"}`, 422, "body: want a JSON array of payments objects"},
			{"import: blank body", "finance", "POST", "/api/import/payments", csv, " ", 422, "row 1:#1: empty column name\nrow 1:invoice_number: missing required column"},
			{"import: unknown kind", "finance", "POST", "/api/import/widgets", csv, "a,b\n1,2\n", 422, "path.kind"},
			{"import: invoice of zero", "finance", "POST", "/api/import/invoices", csv, "number,customer_id,currency,amount,issue_date,due_date\nH-INV,NO-CUST,CNY,0,2026-11-01,2026-12-01\n", 422, "row 2:amount: must be positive, got \"0\"\nrow 2:customer_id: unknown customer \"NO-CUST\""},

			// Task forms (call-outcome) and approval forms (escalation-decision).
			{"promise in another currency", "rep", "POST", complete, "", values(map[string]any{"outcome": "promised", "promised_date": "2026-11-20", "promised_amount": "-5 USD"}), 422,
				`promised_amount: must be in the invoice's currency ` + callCur + `, got "-5 USD"`},
			{"negative promise", "rep", "POST", complete, "", values(map[string]any{"outcome": "promised", "promised_date": "2026-11-20", "promised_amount": "-5.00 CNY"}), 422, `promised_amount: must not be negative, got "-5.00 CNY"`},
			{"promise above the balance", "rep", "POST", complete, "", values(map[string]any{"outcome": "promised", "promised_date": "2026-11-20", "promised_amount": cny(callBalance + 1)}), 422,
				"promised_amount: must be at most " + cny(callBalance) + " (invoice.balance)"},
			{"promise beyond any amount", "rep", "POST", complete, "", values(map[string]any{"outcome": "promised", "promised_date": "2026-11-20", "promised_amount": "99999999999999999999.00 CNY"}), 422,
				`promised_amount: amount "99999999999999999999.00" is out of range`},
			{"promise in the past with a bad amount", "rep", "POST", complete, "", values(map[string]any{"outcome": "promised", "promised_date": "2026-10-01", "promised_amount": "1.001 CNY"}), 422,
				"promised_date: The promised date cannot be in the past\npromised_amount: amount \"1.001\" has 3 decimals but CNY allows at most 2"},
			{"impossible date", "rep", "POST", complete, "", values(map[string]any{"outcome": "promised", "promised_date": "2026-13-45"}), 422, "promised_date: must be a date YYYY-MM-DD"},
			{"unknown outcome", "rep", "POST", complete, "", values(map[string]any{"outcome": "paid"}), 422, "outcome: must be one of promised, refused, unreachable, disputed"},
			{"unknown form field", "rep", "POST", complete, "", values(map[string]any{"outcome": "refused", "colour": "red"}), 422, "colour: unknown field"},
			{"values not an object", "rep", "POST", complete, "", `{"values": "refused"}`, 422, "/values: value must be an object"},
			{"form with trailing garbage", "rep", "POST", complete, "", values(map[string]any{"outcome": "refused"}) + "]", 422, "/: unexpected data after the JSON value"},
			{"task id not a number", "rep", "POST", "/api/tasks/abc/complete", "", values(map[string]any{"outcome": "refused"}), 422, "path.id"},
			{"task that does not exist", "rep", "POST", "/api/tasks/999999999/complete", "", values(map[string]any{"outcome": "refused"}), 404, ""},
			{"another team's rep completing the task", "west", "POST", complete, "", values(map[string]any{"outcome": "refused"}), 404, ""},
			{"write-off in dollars, half an installment", "director", "POST", decide, "", values(map[string]any{"decision": "write_off", "write_off_amount": "999999999.00 USD", "installments": 2.5, "comment": "customer is insolvent"}), 422,
				"installments: must be a whole number, got 2.5\nwrite_off_amount: must be in the invoice's currency " + apCur + `, got "999999999.00 USD"`},
			{"write-off above the balance", "director", "POST", decide, "", values(map[string]any{"decision": "write_off", "write_off_amount": cny(apBalance + 1), "comment": "customer is insolvent"}), 422,
				"write_off_amount: must be at most " + cny(apBalance) + " (invoice.balance)"},
			{"installments beyond int64", "director", "POST", decide, "", `{"values":{"decision":"payment_plan","installments":1e30,"first_installment_date":"2026-12-01"}}`, 422, "/values/installments: number 1e30 is out of range"},
			{"installments as text", "director", "POST", decide, "", values(map[string]any{"decision": "payment_plan", "installments": "6.5", "first_installment_date": "2026-12-01"}), 422, "installments: must be a whole number, got 6.5"},
			{"plan starting yesterday", "director", "POST", decide, "", values(map[string]any{"decision": "payment_plan", "installments": 6, "first_installment_date": "2026-11-01"}), 422, "first_installment_date: must be on or after 2026-11-02 (today)"},
			{"a rep deciding", "rep", "POST", decide, "", values(map[string]any{"decision": "continue"}), 403, ""},

			// Drafts.
			{"draft: broken YAML", "admin", "POST", "/api/definitions/drafts", yaml, "apiVersion: recoup/v1\nkind: Form\nmetadata: {name: x\n", 400, "malformed YAML: yaml: line 2: did not find expected ',' or '}'"},
			{"draft: unknown kind", "admin", "POST", "/api/definitions/drafts", yaml, "apiVersion: recoup/v1\nkind: Widget\nmetadata: {name: x}\n", 422, `draft.yaml:2:7: invalid kind "Widget": want one of Form, Rule, Template, Workflow`},
			{"draft: integer bound 2.5", "admin", "POST", "/api/definitions/drafts", yaml, form("      type: integer\n      max: 2.5\n"), 422, "draft.yaml:8:12: max of an integer field must be a whole number or an expression"},
			{"draft: bound reading a misspelt field", "admin", "POST", "/api/definitions/drafts", yaml, form("      type: money\n      max: invoice.balanse\n"), 422, `draft.yaml:8:20: invoice has no field "balanse"; did you mean "balance"?`},
			{"draft: date bound of the wrong type", "admin", "POST", "/api/definitions/drafts", yaml, form("      type: date\n      min: invoice.balance\n"), 422, "draft.yaml:8:12: x's min must be a date or time, but this expression is an integer"},
			{"draft: JSON-wrapped with trailing data", "admin", "POST", "/api/definitions/drafts", "", draft(form("      type: integer\n")) + "{}", 422, "/: unexpected data after the JSON value"},
			{"draft: empty source", "admin", "POST", "/api/definitions/drafts", "", draft(""), 422, "/source: minimum string length is 1"},
			{"draft: by a rep", "rep", "POST", "/api/definitions/drafts", yaml, form("      type: integer\n"), 403, ""},

			// Query parameters.
			{"query: semicolon", "finance", "GET", "/api/invoices?status=overdue;x", "", "", 400, "query.status: a query value contains a semicolon"},
			{"query: bad escape", "finance", "GET", "/api/invoices?status=%zz", "", "", 400, "the query string is malformed"},
			{"query: unknown aging", "finance", "GET", "/api/invoices?aging=ancient", "", "", 422, "query.aging"},
			{"query: negative limit", "finance", "GET", "/api/invoices?limit=-1", "", "", 422, "query.limit"},
			{"query: limit beyond int64", "finance", "GET", "/api/invoices?limit=99999999999999999999", "", "", 422, "query.limit"},
			{"query: forged cursor", "finance", "GET", "/api/invoices?cursor=Zm9yZ2Vk", "", "", 422, "query.cursor: not a cursor this server issued"},
			{"query: payments from a non-date", "finance", "GET", "/api/payments?from=yesterday", "", "", 422, "query.from"},
			{"query: task id not a number", "finance", "GET", "/api/tasks/abc", "", "", 422, "path.id"},
		}
		if len(cases) < 60 {
			t.Fatalf("%d hostile inputs, want at least 60", len(cases))
		}
		before := f.tableCounts()
		var report strings.Builder
		report.WriteString("| # | input | as | request | status | answer |\n|---|---|---|---|---|---|\n")
		for i, tc := range cases {
			c := clients[tc.as]
			if c == nil {
				t.Fatalf("%s: no client %q", tc.name, tc.as)
			}
			ct := tc.contentType
			if ct == "" {
				ct = "application/json"
			}
			r := c.send(tc.method, tc.path, ct, tc.body)
			got := string(r.body)
			if strings.HasPrefix(r.header.Get("Content-Type"), "application/problem+json") {
				p := r.problem()
				got = positioned(p)
				if p.Detail != nil {
					got = *p.Detail + "\n" + got
				}
			}
			if r.status != tc.status || !strings.Contains(got, tc.want) {
				t.Errorf("%s: %s %s → %d\n%s\nwant %d containing\n%s", tc.name, tc.method, tc.path, r.status, got, tc.status, tc.want)
			}
			fmt.Fprintf(&report, "| %d | %s | %s | `%s %s` | %d | %s |\n", i+1, tc.name, tc.as, tc.method, shorten(tc.path), r.status,
				strings.ReplaceAll(strings.ReplaceAll(strings.TrimSpace(got), "|", "\\|"), "\n", "<br>"))
			after := f.tableCounts()
			if !maps.Equal(before, after) {
				for _, k := range slices.Sorted(maps.Keys(after)) {
					if before[k] != after[k] {
						t.Errorf("%s: table %s: %d rows → %d", tc.name, k, before[k], after[k])
					}
				}
				before = after
			}
		}
		if out := os.Getenv("RECOUP_HOSTILE_OUT"); out != "" && strings.HasSuffix(t.Name(), "/sqlite") {
			if err := os.WriteFile(out, []byte(report.String()), 0o644); err != nil {
				t.Fatal(err)
			}
		}
	})
}

// positioned renders a problem's field errors as "[row N:]field: message"
// lines (imports and drafts give the row or line).
func positioned(p api.Problem) string {
	if p.Errors == nil {
		return ""
	}
	var lines []string
	for _, e := range *p.Errors {
		switch {
		case e.Line != nil && e.Column != nil: // a definition: file:line:col
			lines = append(lines, fmt.Sprintf("%s:%d:%d: %s", e.Field, *e.Line, *e.Column, e.Message))
		case e.Line != nil: // an import: row and column
			lines = append(lines, fmt.Sprintf("row %d:%s: %s", *e.Line, e.Field, e.Message))
		default:
			lines = append(lines, e.Field+": "+e.Message)
		}
	}
	return strings.Join(lines, "\n")
}

// shorten keeps a long path readable in the report.
func shorten(s string) string {
	if len(s) > 60 {
		return s[:57] + "..."
	}
	return s
}
