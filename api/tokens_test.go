package api_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/recoup/recoup/api"
	"github.com/recoup/recoup/store"
	"github.com/recoup/recoup/store/storetest"
)

type createdToken struct {
	Token  store.APIToken
	Secret string
}

// TestTokenLifetime: a token expires 90 days after it is issued unless
// asked otherwise (at most 365), lists show when, and an expired token gets
// a 401 that says so. A token from before tokens expired lives 365 days
// from its creation.
func TestTokenLifetime(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		f := setup(t, s, api.Options{})
		adm := f.login(admin)
		var def createdToken
		adm.do("POST", "/api/tokens", map[string]any{"name": "erp", "user": finance, "scopes": []string{"invoices:read"}}).want(201).decode(&def)
		if want := now.AddDate(0, 0, 90); def.Token.ExpiresAt == nil || !def.Token.ExpiresAt.Equal(want) {
			t.Fatalf("default expiry %v, want %v", def.Token.ExpiresAt, want)
		}
		var year createdToken
		adm.do("POST", "/api/tokens", map[string]any{"name": "year", "user": finance, "scopes": []string{"invoices:read"}, "expires_in_days": 365}).
			want(201).decode(&year)
		p := adm.do("POST", "/api/tokens", map[string]any{"name": "long", "user": finance, "scopes": []string{"invoices:read"}, "expires_in_days": 366}).
			want(422).problem()
		if got := fields(p); got != "/expires_in_days: number must be at most 365" {
			t.Fatal(got)
		}
		// One issued before tokens expired.
		var legacy createdToken
		adm.do("POST", "/api/tokens", map[string]any{"name": "legacy", "user": finance, "scopes": []string{"invoices:read"}}).want(201).decode(&legacy)
		if _, err := storetest.SQL(s).Exec(storetest.Rebind(s, "UPDATE api_tokens SET expires_at = NULL WHERE id = ?"), legacy.Token.ID); err != nil {
			t.Fatal(err)
		}
		var list struct{ Items []store.APIToken }
		adm.do("GET", "/api/tokens", nil).want(200).decode(&list)
		got := map[string]string{}
		for _, tk := range list.Items {
			if tk.ExpiresAt == nil {
				t.Fatalf("%s: no expiry in the list", tk.Name)
			}
			got[tk.Name] = tk.ExpiresAt.In(shanghai).Format(time.DateOnly)
		}
		if want := map[string]string{"erp": "2027-01-31", "year": "2027-11-02", "legacy": "2027-11-02"}; fmt.Sprint(got) != fmt.Sprint(want) {
			t.Fatalf("expiries %v, want %v", got, want)
		}

		erp := f.token(def.Secret)
		f.advance(90*24*time.Hour - time.Minute)
		erp.do("GET", "/api/invoices?limit=1", nil).want(200)
		f.advance(2 * time.Minute)
		p = erp.do("GET", "/api/invoices?limit=1", nil).want(401).problem()
		if *p.Detail != "the API token expired on 2027-01-31T02:00:00Z: ask an admin for a new one" {
			t.Fatal(*p.Detail)
		}
		f.token(year.Secret).do("GET", "/api/invoices?limit=1", nil).want(200)
		f.token(legacy.Secret).do("GET", "/api/invoices?limit=1", nil).want(200)
		f.advance(275 * 24 * time.Hour)
		f.token(year.Secret).do("GET", "/api/invoices?limit=1", nil).want(401)
		f.token(legacy.Secret).do("GET", "/api/invoices?limit=1", nil).want(401)
	})
}

// TestDeactivationRevokesTokens: deactivating a user revokes its tokens for
// good; reactivating the user gives it back its login, not its tokens.
func TestDeactivationRevokesTokens(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		f := setup(t, s, api.Options{})
		adm := f.login(admin)
		var tok createdToken
		adm.do("POST", "/api/tokens", map[string]any{"name": "rep-sync", "user": rep, "scopes": []string{"tasks:read"}}).want(201).decode(&tok)
		c := f.token(tok.Secret)
		c.do("GET", "/api/tasks", nil).want(200)
		var id int64
		storetest.SQL(s).QueryRow(storetest.Rebind(s, "SELECT id FROM users WHERE email = ?"), rep).Scan(&id)
		path := fmt.Sprintf("/api/users/%d", id)

		adm.do("PATCH", path, map[string]any{"active": false}).want(200)
		p := c.do("GET", "/api/tasks", nil).want(401).problem()
		if !strings.HasPrefix(*p.Detail, "the API token was revoked on ") {
			t.Fatal(*p.Detail)
		}
		adm.do("PATCH", path, map[string]any{"active": true}).want(200)
		f.login(rep) // the person is back
		p = c.do("GET", "/api/tasks", nil).want(401).problem()
		if !strings.HasPrefix(*p.Detail, "the API token was revoked on ") {
			t.Fatalf("after reactivation: %s", *p.Detail)
		}
		var list struct{ Items []store.APIToken }
		adm.do("GET", "/api/tokens", nil).want(200).decode(&list)
		if len(list.Items) != 1 || list.Items[0].RevokedAt == nil || !list.Items[0].RevokedAt.Equal(now) {
			t.Fatalf("tokens %+v", list.Items)
		}
	})
}

// TestTokenScopes: every endpoint belongs to a scope, and a token reaches
// only the endpoints of its scopes (a tasks:read token used to read
// /api/notifications, with customer names and amounts). Whoami (GET
// /api/me) answers any token; a person's own settings, password and
// logout answer none.
func TestTokenScopes(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		f := setup(t, s, api.Options{})
		doc, err := openapi3.NewLoader().LoadFromData(api.Spec)
		if err != nil {
			t.Fatal(err)
		}
		var scopes []string
		for _, v := range doc.Components.Schemas["Permission"].Value.Enum {
			scopes = append(scopes, v.(string))
		}
		used := map[string]bool{}
		for _, ep := range endpoints {
			if ep.scope != "self" && ep.scope != "session" && !slices.Contains(scopes, ep.scope) {
				t.Errorf("%s %s: scope %q is not a Permission of openapi.yaml", ep.method, ep.path, ep.scope)
			}
			used[ep.scope] = true
		}
		for _, sc := range scopes {
			if !used[sc] {
				t.Errorf("scope %s opens no endpoint", sc)
			}
		}
		adm := f.login(admin)
		for _, sc := range scopes {
			var tok createdToken
			adm.do("POST", "/api/tokens", map[string]any{"name": sc, "user": admin, "scopes": []string{sc}}).want(201).decode(&tok)
			c := f.token(tok.Secret)
			for _, ep := range endpoints {
				r := c.do(ep.method, ep.path, ep.body)
				switch ep.scope {
				case "self":
					r.want(200)
				case "session":
					if p := r.want(403).problem(); *p.Detail != "only a person logged in to the web app may do this, not an API token" {
						t.Errorf("%s token, %s %s: %s", sc, ep.method, ep.path, *p.Detail)
					}
				case sc:
					if r.status == 401 || r.status == 403 {
						t.Errorf("%s token, %s %s: %d %s, want access", sc, ep.method, ep.path, r.status, r.body)
					}
				default:
					if r.status != 403 || !strings.Contains(string(r.body), fmt.Sprintf(`lacks the scope \"%s\"`, ep.scope)) {
						t.Errorf("%s token, %s %s: %d %s, want 403 lacking %s", sc, ep.method, ep.path, r.status, r.body, ep.scope)
					}
				}
			}
		}
	})
}
