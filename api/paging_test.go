package api_test

import (
	"net/url"
	"testing"

	"github.com/recoup/recoup/api"
	"github.com/recoup/recoup/store"
	"github.com/recoup/recoup/store/storetest"
)

// TestListsPage: the users, outbox and tokens lists page by cursor like every
// other list; following next_cursor two at a time gives the one-page list,
// and a cursor this server did not issue is a 422.
func TestListsPage(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		f := setup(t, s, api.Options{})
		adm := f.login(admin)
		for i := range 5 {
			adm.do("POST", "/api/tokens", map[string]any{"name": "t" + string(rune('a'+i)), "user": finance, "scopes": []string{"payments:write"}}).want(201)
		}
		for _, path := range []string{"/api/users", "/api/outbox", "/api/tokens"} {
			type item struct {
				ID    int64  `json:"id"`
				Email string `json:"email"`
			}
			var whole struct{ Items []item }
			adm.do("GET", path+"?limit=500", nil).want(200).decode(&whole)
			if len(whole.Items) < 5 {
				t.Fatalf("%s: only %d items", path, len(whole.Items))
			}
			var paged []item
			cursor := ""
			for pages := 0; ; pages++ {
				var page struct {
					Items      []item
					NextCursor string `json:"next_cursor"`
				}
				adm.do("GET", path+"?limit=2&cursor="+url.QueryEscape(cursor), nil).want(200).decode(&page)
				if len(page.Items) > 2 || pages > len(whole.Items) {
					t.Fatalf("%s: page of %d", path, len(page.Items))
				}
				paged = append(paged, page.Items...)
				if cursor = page.NextCursor; cursor == "" {
					break
				}
			}
			if len(paged) != len(whole.Items) {
				t.Fatalf("%s: %d items by pages of 2, %d in one", path, len(paged), len(whole.Items))
			}
			for i := range paged {
				if paged[i] != whole.Items[i] {
					t.Fatalf("%s: item %d differs: %+v vs %+v", path, i, paged[i], whole.Items[i])
				}
			}
			adm.do("GET", path+"?cursor=bm90LWEtY3Vyc29y", nil).want(422)
		}
	})
}
