package api_test

import (
	"regexp"
	"strconv"
	"testing"

	"github.com/recoup/recoup/api"
	"github.com/recoup/recoup/store"
	"github.com/recoup/recoup/store/storetest"
)

var han = regexp.MustCompile(`\p{Han}`)

// TestTaskTitlesInStaffLanguage: a task's title is written in the language
// of the staff member who reads it (their preference, else the request's
// Accept-Language), whatever the customer's locale: task titles used to be
// English for everyone.
func TestTaskTitlesInStaffLanguage(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		f := setup(t, s, api.Options{})
		c := f.login(rep)
		titles := func() []string {
			var page struct{ Items []store.InboxTask }
			c.do("GET", "/api/tasks?limit=50", nil).want(200).decode(&page)
			if len(page.Items) == 0 {
				t.Fatal("the rep has no tasks")
			}
			out := make([]string, len(page.Items))
			for i, tk := range page.Items {
				out[i] = tk.Title
			}
			return out
		}
		english := regexp.MustCompile(`^[A-Z][a-z]+[ :]`) // Call …, Invoice …, Escalated: …
		for _, title := range titles() {
			if !english.MatchString(title) {
				t.Errorf("English user reads %q", title)
			}
		}
		c.do("PATCH", "/api/me", map[string]any{"language": "zh-CN"}).want(200)
		zh := titles()
		for _, title := range zh {
			if !han.MatchString(title) || regexp.MustCompile(`^(Call|Invoice|Escalated)[ :]`).MatchString(title) {
				t.Errorf("Chinese user reads %q", title)
			}
		}
		var id int64
		var page struct{ Items []store.InboxTask }
		c.do("GET", "/api/tasks?limit=1", nil).want(200).decode(&page)
		id = page.Items[0].ID
		var detail struct {
			Title       string `json:"title"`
			Description string `json:"description"`
		}
		c.do("GET", "/api/tasks/"+strconv.FormatInt(id, 10), nil).want(200).decode(&detail)
		if detail.Title != page.Items[0].Title || (detail.Description != "" && !han.MatchString(detail.Description)) {
			t.Errorf("task detail for a Chinese user: %q / %q", detail.Title, detail.Description)
		}
	})
}
