package api_test

import (
	"fmt"
	"testing"

	"github.com/recoup/recoup/api"
	"github.com/recoup/recoup/store"
	"github.com/recoup/recoup/store/storetest"
)

// TestLanguage: each user's UI language is kept server-side: it follows
// the browser ("") until the user picks one with PATCH /api/me, which
// login and GET /api/me then answer; an admin sets it for others; the
// users list carries it with the last login.
func TestLanguage(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		f := setup(t, s, api.Options{})
		var me api.Me
		f.anonymous().do("POST", "/api/login", map[string]any{"email": rep, "password": password}).want(200).decode(&me)
		if me.User.Language != api.LanguageEmpty {
			t.Fatalf("a new user's language: %q", me.User.Language)
		}
		r := f.login(rep)
		r.do("PATCH", "/api/me", map[string]any{"language": "zh-CN"}).want(200).decode(&me)
		if me.User.Language != api.LanguageZhCN || me.User.Email != rep || me.CsrfToken == nil || len(me.Permissions) == 0 {
			t.Fatalf("%+v", me)
		}
		r.do("GET", "/api/me", nil).want(200).decode(&me)
		if me.User.Language != api.LanguageZhCN {
			t.Fatalf("GET /api/me: %q", me.User.Language)
		}
		f.anonymous().do("POST", "/api/login", map[string]any{"email": rep, "password": password}).want(200).decode(&me)
		if me.User.Language != api.LanguageZhCN {
			t.Fatalf("login: %q", me.User.Language)
		}
		// Only the caller's own; other users unchanged.
		var other api.Me
		f.login(westRep).do("GET", "/api/me", nil).want(200).decode(&other)
		if other.User.Language != api.LanguageEmpty {
			t.Fatalf("west rep: %q", other.User.Language)
		}
		// Back to the browser's.
		r.do("PATCH", "/api/me", map[string]any{"language": ""}).want(200).decode(&me)
		if me.User.Language != api.LanguageEmpty {
			t.Fatalf("cleared: %q", me.User.Language)
		}
		for _, body := range []map[string]any{{"language": "fr"}, {}, {"language": "en", "role": "admin"}} {
			r.do("PATCH", "/api/me", body).want(422)
		}

		adm := f.login(admin)
		var u api.User
		adm.do("POST", "/api/users", map[string]any{"email": "lang@demo.recoup.test", "name": "Lang", "role": "sales_rep", "language": "zh-CN"}).want(201).decode(&u)
		if u.Language != api.LanguageZhCN {
			t.Fatalf("created: %+v", u)
		}
		adm.do("PATCH", fmt.Sprintf("/api/users/%d", u.Id), map[string]any{"language": "en"}).want(200).decode(&u)
		if u.Language != api.LanguageEn {
			t.Fatalf("updated: %+v", u)
		}
		adm.do("PATCH", fmt.Sprintf("/api/users/%d", u.Id), map[string]any{"language": "de"}).want(422)
		var list struct{ Items []store.UserInfo }
		adm.do("GET", "/api/users", nil).want(200).decode(&list)
		seen := 0
		for _, it := range list.Items {
			switch it.Email {
			case "lang@demo.recoup.test":
				seen++
				if it.Language != "en" || it.LastLoginAt != nil {
					t.Errorf("%+v", it)
				}
			case rep:
				seen++
				if it.LastLoginAt == nil || !it.LastLoginAt.Equal(now) {
					t.Errorf("rep's last login: %v, want %v", it.LastLoginAt, now)
				}
			}
		}
		if seen != 2 {
			t.Fatalf("users list: %+v", list.Items)
		}
	})
}
