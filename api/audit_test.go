package api_test

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/recoup/recoup/api"
	"github.com/recoup/recoup/store"
	"github.com/recoup/recoup/store/storetest"
)

// TestAuditTrail: sign-ins (and refused ones), user, password and token
// changes, payments by a token's user, imports and definition
// publications each leave their row, with the actor, the values changed
// and the request's id; the export is CSV with formulas defused; the
// chain verifies.
func TestAuditTrail(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		f := setup(t, s, api.Options{})
		const wrong = "wrong-password-xyz"
		f.anonymous().do("POST", "/api/login", map[string]any{"email": rep, "password": wrong}).want(401)
		const formula = "=1+2@demo.recoup.test" // an actor a spreadsheet would run
		f.anonymous().do("POST", "/api/login", map[string]any{"email": formula, "password": wrong}).want(401)
		adm := f.login(admin)

		var u api.User
		adm.do("POST", "/api/users", map[string]any{"email": "audit.rep@demo.recoup.test", "name": "=HYPERLINK(\"x\")", "role": "sales_rep", "team": "east", "password": password}).want(201).decode(&u)
		adm.do("PATCH", fmt.Sprintf("/api/users/%d", u.Id), map[string]any{"role": "finance", "team": ""}).want(200)
		adm.do("PATCH", fmt.Sprintf("/api/users/%d", u.Id), map[string]any{"active": false}).want(200)
		adm.do("PATCH", fmt.Sprintf("/api/users/%d", u.Id), map[string]any{"active": true}).want(200)
		newcomer := f.login(u.Email)
		newcomer.do("POST", "/api/me/password", map[string]any{"current": password, "new": "a new long password"}).want(204)

		var created struct {
			Token  store.APIToken
			Secret string
		}
		adm.do("POST", "/api/tokens", map[string]any{"name": "bank", "user": finance, "scopes": []string{"payments:write"}}).want(201).decode(&created)
		var number string
		storetest.SQL(s).QueryRow("SELECT number FROM invoices WHERE balance_minor > 100 AND currency = 'CNY' ORDER BY id LIMIT 1").Scan(&number)
		f.token(created.Secret).do("POST", "/api/payments", map[string]any{"reference": "audit-1", "invoice": number, "amount_minor": 100, "currency": "CNY", "paid_at": "2026-11-02T01:00:00Z"}).want(201)
		adm.do("DELETE", fmt.Sprintf("/api/tokens/%d", created.Token.ID), nil).want(204)

		body := "reference,invoice_number,amount,paid_at\nimp-a1," + number + ",1.00,2026-11-02\n"
		req, _ := http.NewRequest("POST", f.url+"/api/import/payments", strings.NewReader(body))
		req.Header.Set("Content-Type", "text/csv")
		req.Header.Set(api.CSRFHeader, adm.csrf)
		if res, err := adm.hc.Do(req); err != nil || res.StatusCode != 200 {
			t.Fatalf("import: %v %v", res, err)
		}

		var drafts struct{ Items []store.ApplyOutcome }
		src := "apiVersion: recoup/v1\nkind: Template\nmetadata: {name: audit-note}\nspec:\n  channel: email\n  subject: {en: Hello}\n  body: {en: Dear customer}\n"
		adm.do("POST", "/api/definitions/drafts", map[string]any{"source": src}).want(201).decode(&drafts)
		if len(drafts.Items) != 1 {
			t.Fatalf("drafts: %+v", drafts)
		}
		adm.do("POST", "/api/definitions/Template/audit-note/publish", map[string]any{"version": drafts.Items[0].Version, "note": "first letter"}).want(200)
		var hist struct{ Items []store.Definition }
		adm.do("GET", "/api/definitions/Template/audit-note/history", nil).want(200).decode(&hist)

		search := func(action, actor string) []store.AuditEntry {
			var p store.AuditPage
			adm.do("GET", "/api/audit?action="+url.QueryEscape(action)+"&actor="+url.QueryEscape(actor), nil).want(200).decode(&p)
			return p.Items
		}
		one := func(action, actor string) store.AuditEntry {
			t.Helper()
			items := search(action, actor)
			if len(items) == 0 {
				t.Fatalf("no %s in the audit log", action)
			}
			return items[0]
		}
		js := func(raw json.RawMessage) string { return string(raw) }
		for _, c := range []struct {
			action, actor, entity string
			detail, before, after string // substrings; "" = not checked
		}{
			{"auth.login.failed", rep, "user", `"reason":"bad credentials"`, "", ""},
			{"auth.login.succeeded", admin, "user", `"ip":`, "", ""},
			{"user.created", admin, "user", "", "", `"role":"sales_rep"`},
			{"user.updated", admin, "user", `"password_changed":false`, `{"role":"sales_rep","team":"east"}`, `{"role":"finance","team":""}`},
			{"user.deactivated", admin, "user", "", `{"active":true}`, `{"active":false}`},
			{"user.reactivated", admin, "user", "", `{"active":false}`, `{"active":true}`},
			{"user.password_changed", u.Email, "user", "", "", ""},
			{"token.created", admin, "token", `"scopes":["payments:write"]`, "", ""},
			{"token.revoked", admin, "token", "", "", ""},
			{"payment.received", finance, "payment", `"reference":"audit-1"`, `"status":`, `"balance_minor":`},
			{"import.completed", admin, "import", `"sha256":"`, "", ""},
			{"definition.drafted", admin, "definition", `"name":"audit-note"`, "", ""},
			{"definition.published", admin, "definition", `"note":"first letter"`, "", ""},
		} {
			e := one(c.action, c.actor)
			if e.Actor != c.actor || e.Entity != c.entity || !strings.Contains(js(e.Detail), c.detail) ||
				!strings.Contains(js(e.Before), c.before) || !strings.Contains(js(e.After), c.after) || e.RequestID == "" || len(e.Hash) != 64 {
				t.Errorf("%s: got actor %s entity %s detail %s before %s after %s request %q hash %q\nwant actor %s entity %s detail ⊇ %s before ⊇ %s after ⊇ %s",
					c.action, e.Actor, e.Entity, e.Detail, e.Before, e.After, e.RequestID, e.Hash, c.actor, c.entity, c.detail, c.before, c.after)
			}
		}
		if imp := one("import.completed", admin); !strings.Contains(js(imp.Detail), `"inserted":1`) {
			t.Errorf("import counts: %s", imp.Detail)
		}
		if hist.Items[0].PublishedBy != admin || hist.Items[0].Note != "first letter" {
			t.Errorf("history: published by %q, note %q", hist.Items[0].PublishedBy, hist.Items[0].Note)
		}

		// The export: CSV, formulas defused, no password anywhere.
		res, err := adm.hc.Do(withCSRF(t, adm, "GET", f.url+"/api/audit.csv?entity=user"))
		if err != nil {
			t.Fatal(err)
		}
		data, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != 200 || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/csv") {
			t.Fatalf("export: %d %s", res.StatusCode, res.Header.Get("Content-Type"))
		}
		rows, err := csv.NewReader(strings.NewReader(string(data))).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		if strings.Join(rows[0], ",") != strings.Join(store.AuditCSVHeader, ",") || len(rows) < 9 {
			t.Fatalf("export: %d rows, header %v", len(rows), rows[0])
		}
		for _, row := range rows[1:] {
			if row[4] != "user" {
				t.Fatalf("entity filter ignored: %v", row)
			}
			for _, cell := range row {
				if strings.ContainsAny(cell[:min(1, len(cell))], "=+-@") {
					t.Fatalf("cell %q starts a formula", cell)
				}
			}
		}
		if !strings.Contains(string(data), ",'"+formula+",auth.login.failed,") || !strings.Contains(string(data), `=HYPERLINK`) {
			t.Fatalf("the refused login of %s (quoted) or the created user's name is missing from the export:\n%s", formula, data)
		}
		if strings.Contains(string(data), wrong) || strings.Contains(string(data), password) {
			t.Fatal("a password reached the audit log")
		}
		f.login(rep).do("GET", "/api/audit.csv", nil).want(403)

		v, err := s.VerifyAudit(context.Background())
		if err != nil || !v.OK {
			t.Fatalf("verify: %+v %v", v, err)
		}
	})
}

func withCSRF(t *testing.T, c *client, method, u string) *http.Request {
	req, err := http.NewRequest(method, u, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set(api.CSRFHeader, c.csrf)
	return req
}
