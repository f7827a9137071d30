package api_test

import (
	"context"
	"strings"
	"testing"

	"github.com/recoup/recoup/api"
	"github.com/recoup/recoup/engine"
	"github.com/recoup/recoup/store"
	"github.com/recoup/recoup/store/storetest"
	"github.com/recoup/recoup/usecase"
)

// TestDesignerDrafts: the designer validates a text without saving it,
// saves drafts exactly as typed (invalid ones too, which publishing then
// refuses), refuses a save over someone else's newer version (409), and
// lists every definition with its published version and open draft.
func TestDesignerDrafts(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		f := setup(t, s, api.Options{})
		adm := f.login(admin)
		var v1 store.Definition
		adm.do("GET", "/api/definitions/Rule/mark-overdue", nil).want(200).decode(&v1)

		// a misspelled field: a problem at its line and column, with the fix
		typo := strings.Replace(v1.Source, "when: invoice.balance > 0", "when: invoice.balanse > 0", 1)
		line := 1 + strings.Count(typo[:strings.Index(typo, "invoice.balanse")], "\n")
		var v usecase.Validation
		adm.do("POST", "/api/definitions/Rule/mark-overdue/validate", map[string]any{"source": typo}).want(200).decode(&v)
		if v.Valid || len(v.Problems) != 1 || v.Problems[0].Line != line || v.Problems[0].Column == 0 ||
			!strings.Contains(v.Problems[0].Message, `did you mean "balance"`) || v.Problems[0].Source != "" {
			t.Fatalf("line %d: %+v", line, v)
		}
		adm.do("POST", "/api/definitions/Rule/mark-overdue/validate", map[string]any{"source": v1.Source}).want(200).decode(&v)
		if !v.Valid || len(v.Problems) != 0 {
			t.Fatalf("the published text: %+v", v)
		}
		// another definition's name is a problem at metadata.name
		adm.do("POST", "/api/definitions/Rule/other-rule/validate", map[string]any{"source": v1.Source}).want(200).decode(&v)
		if v.Valid || len(v.Problems) != 1 || !strings.Contains(v.Problems[0].Message, `metadata.name is "mark-overdue"`) || v.Problems[0].Line == 0 {
			t.Fatalf("renamed: %+v", v)
		}
		// validating saved nothing
		var hist struct{ Items []store.Definition }
		adm.do("GET", "/api/definitions/Rule/mark-overdue/history", nil).want(200).decode(&hist)
		if len(hist.Items) != 1 {
			t.Fatalf("validate saved a version: %d", len(hist.Items))
		}

		// v1 was published by someone else: a text edited from "nothing" is refused
		p := adm.do("PUT", "/api/definitions/Rule/mark-overdue/draft", map[string]any{"source": typo, "base_version": 0}).want(409).problem()
		if p.Detail == nil || !strings.Contains(*p.Detail, "newer version 1") {
			t.Fatalf("409: %+v", p)
		}
		// an invalid draft is saved as typed, with its problems
		commented := "# tried by the admin\n" + typo
		var saved usecase.DraftSaved
		adm.do("PUT", "/api/definitions/Rule/mark-overdue/draft", map[string]any{"source": commented, "base_version": 1}).want(200).decode(&saved)
		if saved.Version != 2 || saved.Action != "created" || saved.Valid || len(saved.Problems) != 1 || saved.Problems[0].Line != line+1 {
			t.Fatalf("invalid draft: %+v", saved)
		}
		var v2 store.Definition
		adm.do("GET", "/api/definitions/Rule/mark-overdue?version=2", nil).want(200).decode(&v2)
		if v2.Source != commented || v2.Status != "draft" {
			t.Fatalf("not stored as typed: %q", v2.Source)
		}
		pp := adm.do("POST", "/api/definitions/Rule/mark-overdue/publish", map[string]any{"version": 2}).want(422).problem()
		if pp.Errors == nil || !strings.Contains((*pp.Errors)[0].Message, "did you mean") {
			t.Fatalf("publishing an invalid draft: %s", fields(pp))
		}
		// the same text again is unchanged; the admin's own newer draft is no conflict
		adm.do("PUT", "/api/definitions/Rule/mark-overdue/draft", map[string]any{"source": commented, "base_version": 1}).want(200).decode(&saved)
		if saved.Version != 2 || saved.Action != "unchanged" {
			t.Fatalf("same text: %+v", saved)
		}
		fixed := "# tried by the admin\n" + v1.Source
		adm.do("PUT", "/api/definitions/Rule/mark-overdue/draft", map[string]any{"source": fixed, "base_version": 1}).want(200).decode(&saved)
		if saved.Version != 3 || !saved.Valid {
			t.Fatalf("fixed: %+v", saved)
		}

		// the catalog shows the open draft: valid, by the admin
		var cat struct{ Items []usecase.CatalogEntry }
		adm.do("GET", "/api/definitions/catalog", nil).want(200).decode(&cat)
		var entry *usecase.CatalogEntry
		for i, e := range cat.Items {
			if e.Kind == engine.KindRule && e.Name == "mark-overdue" {
				entry = &cat.Items[i]
			}
		}
		raw := adm.do("GET", "/api/definitions/catalog", nil).want(200).body
		if !strings.Contains(string(raw), `"title":{"en":"Overdue escalation","zh-CN":"逾期升级催收"}`) {
			t.Fatalf("titles in the catalog's JSON: %.400s", raw)
		}
		if entry == nil || entry.Published == nil || entry.Published.Version != 1 || entry.Draft == nil || entry.Draft.Version != 3 ||
			!entry.Draft.Valid || entry.Draft.By != admin || entry.Title.En != "Mark overdue invoices" || len(cat.Items) < 10 {
			t.Fatalf("catalog: %+v", entry)
		}

		// someone else saves v4 meanwhile: the admin's save from v3 is refused
		if _, err := s.SaveDraft(context.Background(), store.DraftIn{Kind: engine.KindRule, Name: "mark-overdue", Source: v1.Source + "# theirs\n", BaseVersion: 3, By: "other@demo.recoup.test"}); err != nil {
			t.Fatal(err)
		}
		p = adm.do("PUT", "/api/definitions/Rule/mark-overdue/draft", map[string]any{"source": fixed + "# mine\n", "base_version": 3}).want(409).problem()
		if p.Detail == nil || !strings.Contains(*p.Detail, "newer version 4") || !strings.Contains(*p.Detail, "other@demo.recoup.test") {
			t.Fatalf("conflict: %+v", p)
		}
		// publishing a comment-only change keeps the text as typed
		var out store.ApplyOutcome
		adm.do("POST", "/api/definitions/Rule/mark-overdue/publish", map[string]any{"version": 3, "note": "comment"}).want(200).decode(&out)
		var cur store.Definition
		adm.do("GET", "/api/definitions/Rule/mark-overdue", nil).want(200).decode(&cur)
		if cur.Source != fixed {
			t.Fatalf("published text %q (outcome %+v)", cur.Source, out)
		}

		// the language: four schemas and the environment
		var lang api.DefinitionLanguage
		adm.do("GET", "/api/definitions/language", nil).want(200).decode(&lang)
		if len(lang.Schemas) != 4 || lang.Schemas["Workflow"]["$id"] == nil || len(lang.Environment.Roots) != 5 || len(lang.Environment.Functions) < 5 {
			t.Fatalf("language: %d schemas, %+v", len(lang.Schemas), lang.Environment.Functions)
		}
		// a rep may not save drafts
		f.login(rep).do("PUT", "/api/definitions/Rule/mark-overdue/draft", map[string]any{"source": fixed, "base_version": 4}).want(403)
	})
}
