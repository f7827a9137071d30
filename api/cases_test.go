package api_test

import (
	"context"
	"fmt"
	"net/url"
	"testing"

	"github.com/recoup/recoup/api"
	"github.com/recoup/recoup/engine"
	"github.com/recoup/recoup/store"
	"github.com/recoup/recoup/store/storetest"
)

// casesFixture is a server with the rep's open call task and its invoice.
type casesFixture struct {
	*fixture
	task    int64
	number  string
	balance int64
}

func casesSetup(t *testing.T, s *store.Store) casesFixture {
	t.Helper()
	f := setup(t, s, api.Options{})
	c := casesFixture{fixture: f}
	storetest.SQL(s).QueryRow(storetest.Rebind(s, `SELECT t.id, i.number, i.balance_minor FROM tasks t JOIN invoices i ON i.id = t.invoice_id
		JOIN users u ON u.id = t.assignee_id WHERE t.status = 'open' AND t.key LIKE '%/call/%' AND u.email = ? AND i.owner_id = u.id
		ORDER BY t.id LIMIT 1`), rep).Scan(&c.task, &c.number, &c.balance)
	if c.task == 0 {
		t.Fatal("the rep has no open call task")
	}
	return c
}

func (c casesFixture) path(rest string) string {
	return "/api/invoices/" + url.PathEscape(c.number) + rest
}

// TestCaseRefusals: a dispute or promise the rules refuse is 422 naming the
// field, a role without the right is 403, an invoice the rep may not see is
// 404, and none of them writes anything.
func TestCaseRefusals(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		f := casesSetup(t, s)
		var other string
		storetest.SQL(s).QueryRow(storetest.Rebind(s, `SELECT i.number FROM invoices i JOIN users u ON u.id = i.owner_id
			WHERE u.email = ? ORDER BY i.id LIMIT 1`), westRep).Scan(&other)
		r := f.login(rep)
		for _, tc := range []struct {
			who, method, path string
			body              any
			status            int
			fields            string
		}{
			{rep, "POST", f.path("/disputes"), map[string]any{"reason": "pricing", "disputed_minor": f.balance + 1}, 422,
				"/disputed_minor: must be at most the invoice's balance, " + money(f.balance)},
			{rep, "POST", f.path("/disputes"), map[string]any{"reason": "weather", "disputed_minor": 100, "currency": "USD"}, 422,
				"/reason: must be one of pricing, quantity, quality, not_received, duplicate, other\n/currency: must be the invoice's currency, CNY"},
			{rep, "POST", f.path("/disputes"), map[string]any{"reason": "pricing"}, 422, "/disputed_minor: property \"disputed_minor\" is missing"},
			{rep, "POST", "/api/invoices/" + url.PathEscape(other) + "/disputes", map[string]any{"reason": "pricing", "disputed_minor": 100}, 404, ""},
			{rep, "POST", f.path("/promises"), map[string]any{"promised_date": "2026-11-01", "promised_minor": 100}, 422,
				"/promised_date: must be in the future (after 2026-11-02)"},
			{rep, "POST", f.path("/promises"), map[string]any{"promised_date": "2026-11-09", "promised_minor": f.balance + 1}, 422,
				"/promised_minor: must be at most the invoice's balance, " + money(f.balance)},
			{rep, "POST", f.path("/legal-cases"), map[string]any{}, 403, ""},
			{rep, "PUT", f.path("/hold"), map[string]any{"reason": "x"}, 403, ""},
			{finance, "PUT", f.path("/hold"), map[string]any{"reason": "  "}, 422, "/reason: is required: say why the invoice is held"},
			{finance, "DELETE", f.path("/hold"), nil, 409, ""},
			{finance, "POST", f.path("/legal-cases"), map[string]any{"owner": "nobody@example.com", "documents": []string{""}}, 422,
				"/documents/0: is empty\n/owner: no active user \"nobody@example.com\""},
		} {
			c := r
			if tc.who != rep {
				c = f.login(tc.who)
			}
			resp := c.do(tc.method, tc.path, tc.body).want(tc.status)
			if tc.fields != "" {
				if got := fields(resp.problem()); got != tc.fields {
					t.Errorf("%s %s: field errors\n%s\nwant\n%s", tc.method, tc.path, got, tc.fields)
				}
			}
		}
		for _, table := range []string{"disputes", "promises", "legal_cases"} {
			if n := f.count("SELECT COUNT(*) FROM " + table); n != 0 {
				t.Errorf("%d %s written by refusals", n, table)
			}
		}
		if n := f.count("SELECT COUNT(*) FROM invoices WHERE disputed OR hold <> ''"); n != 0 {
			t.Errorf("%d invoices disputed or held by refusals", n)
		}
	})
}

func money(minor int64) string { return engine.FormatMoney(minor, "CNY", "en") }

// TestCaseFlow: the rep disputes its invoice from the call task's outcome
// (the dispute is recorded, the invoice disputed); finance upholds it and
// the balance falls by the disputed part; a promise entered directly and
// one from a call outcome (keyed by its task) are recorded; the director's legal action
// opens a legal case whose hold the invoice shows, released when it closes.
func TestCaseFlow(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		f := casesSetup(t, s)
		r := f.login(rep)
		r.do("POST", fmt.Sprintf("/api/tasks/%d/complete", f.task), map[string]any{"values": map[string]any{"outcome": "disputed",
			"dispute_reason": "wrong unit price"}}).want(200)
		var d store.InvoiceDetail
		r.do("GET", f.path(""), nil).want(200).decode(&d)
		if !d.Invoice.Disputed || len(d.Disputes) != 1 || d.Disputes[0].Reason != "other" || d.Disputes[0].Description != "wrong unit price" ||
			d.Disputes[0].DisputedMinor != f.balance || d.Disputes[0].SourceTaskID != f.task || d.Disputes[0].OpenedBy != rep {
			t.Fatalf("after the disputed outcome: disputed %v, disputes %+v", d.Invoice.Disputed, d.Disputes)
		}
		id := d.Disputes[0].ID
		r.do("POST", fmt.Sprintf("/api/disputes/%d/resolve", id), map[string]any{"status": "upheld", "note": "x"}).want(403)
		fin := f.login(finance)
		var res store.Dispute
		fin.do("POST", fmt.Sprintf("/api/disputes/%d/resolve", id), map[string]any{"status": "upheld", "note": "price list checked"}).want(200).decode(&res)
		if res.Status != "upheld" || res.ResolvedMinor != f.balance || res.ResolvedBy != finance {
			t.Fatalf("resolved %+v", res)
		}
		fin.do("POST", fmt.Sprintf("/api/disputes/%d/resolve", id), map[string]any{"status": "rejected", "note": "again"}).want(409)
		r.do("GET", f.path(""), nil).want(200).decode(&d)
		if d.Invoice.Disputed || d.Invoice.BalanceMinor != 0 {
			t.Fatalf("after upholding: disputed %v, balance %d", d.Invoice.Disputed, d.Invoice.BalanceMinor)
		}

		// The rep's next call: a promise to pay from the outcome, keyed by the task.
		// (A first tick creates only each invoice's current-stage work, so the
		// call may be another rep's.)
		var call int64
		var callInvoice, caller string
		storetest.SQL(s).QueryRow(storetest.Rebind(s, `SELECT t.id, i.number, u.email FROM tasks t JOIN invoices i ON i.id = t.invoice_id
			JOIN users u ON u.id = t.assignee_id WHERE t.status = 'open' AND t.key LIKE '%/call/%' AND u.role = 'sales_rep' AND t.id <> ?
			AND NOT i.disputed AND i.currency = 'CNY' AND i.balance_minor >= 5000 ORDER BY t.id LIMIT 1`), f.task).Scan(&call, &callInvoice, &caller)
		if call == 0 {
			t.Fatal("no rep has a second open call task")
		}
		if err := s.SetPassword(context.Background(), caller, password, now); err != nil {
			t.Fatal(err)
		}
		r = f.login(caller)
		r.do("POST", fmt.Sprintf("/api/tasks/%d/complete", call), map[string]any{"values": map[string]any{"outcome": "promised",
			"promised_date": "2026-11-10", "promised_amount": "50.00 CNY"}}).want(200)
		r.do("GET", "/api/invoices/"+url.PathEscape(callInvoice), nil).want(200).decode(&d)
		if len(d.Promises) != 1 || d.Promises[0].Source != "task" || d.Promises[0].SourceTaskID != call || d.Promises[0].PromisedMinor != 5000 ||
			d.Promises[0].PromisedDate.String() != "2026-11-10" || d.Promises[0].Status != "pending" {
			t.Fatalf("after the promised outcome: %+v", d.Promises)
		}

		// Another invoice: a promise directly, then the director's legal action.
		var number string
		var approval int64
		storetest.SQL(s).QueryRow(`SELECT t.id, i.number FROM tasks t JOIN invoices i ON i.id = t.invoice_id
			WHERE t.status = 'open' AND t.kind = 'approval' AND NOT i.disputed ORDER BY t.id LIMIT 1`).Scan(&approval, &number)
		if approval == 0 {
			t.Fatal("no open approval")
		}
		inv := "/api/invoices/" + url.PathEscape(number)
		var p store.Promise
		fin.do("POST", inv+"/promises", map[string]any{"promised_date": "2026-11-09", "promised_minor": 100}).want(201).decode(&p)
		if p.Status != "pending" || p.Source != "direct" || p.CreatedBy != finance {
			t.Fatalf("promise %+v", p)
		}
		dir := f.login(director)
		dir.do("POST", fmt.Sprintf("/api/approvals/%d/decide", approval), map[string]any{"values": map[string]any{"decision": "legal_action",
			"comment": "court filing"}}).want(200)
		dir.do("GET", inv, nil).want(200).decode(&d)
		if !d.Invoice.OnHold || d.Invoice.HoldReason != "legal" || len(d.LegalCases) != 1 || d.LegalCases[0].Owner != director ||
			d.LegalCases[0].SourceTaskID != approval || len(d.Promises) != 1 {
			t.Fatalf("after legal action: on hold %v (%q), cases %+v, promises %+v", d.Invoice.OnHold, d.Invoice.HoldReason, d.LegalCases, d.Promises)
		}
		fin.do("DELETE", inv+"/hold", nil).want(409)
		var lc store.LegalCase
		dir.do("POST", fmt.Sprintf("/api/legal-cases/%d/close", d.LegalCases[0].ID), map[string]any{"status": "settled",
			"settlement_minor": d.Invoice.BalanceMinor + 1}).want(422)
		dir.do("POST", fmt.Sprintf("/api/legal-cases/%d/close", d.LegalCases[0].ID), map[string]any{"status": "recovered", "notes": "paid in court"}).
			want(200).decode(&lc)
		dir.do("GET", inv, nil).want(200).decode(&d)
		if d.Invoice.OnHold || lc.Status != "recovered" || lc.Notes != "court filing\npaid in court" {
			t.Fatalf("after closing: on hold %v, case %+v", d.Invoice.OnHold, lc)
		}
		if n := f.count("SELECT COUNT(*) FROM audit_log WHERE action IN ('dispute.opened', 'dispute.resolved', 'promise.recorded', 'legal_case.opened', 'legal_case.closed')"); n != 6 {
			t.Fatalf("%d audit rows, want 6", n)
		}
	})
}
