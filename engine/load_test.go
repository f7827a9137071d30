package engine

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite golden files under testdata/")

// TestBrokenGolden loads every deliberately broken file under
// testdata/broken and compares the full report, snippets and carets
// included, with its .golden file. Run `go test ./engine -run
// TestBrokenGolden -update` to regenerate after an intended change.
func TestBrokenGolden(t *testing.T) {
	t.Parallel()
	files, err := filepath.Glob("testdata/broken/*")
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, f := range files {
		if strings.HasSuffix(f, ".golden") {
			continue
		}
		n++
		t.Run(filepath.Base(f), func(t *testing.T) {
			t.Parallel()
			_, err := LoadPaths(f)
			el, ok := err.(ErrorList)
			if !ok || len(el) == 0 {
				t.Fatalf("want an ErrorList, got %v", err)
			}
			var buf bytes.Buffer
			el.Print(&buf, true)
			golden := f + ".golden"
			if *update {
				if err := os.WriteFile(golden, buf.Bytes(), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run with -update to create it)", err)
			}
			if got := buf.String(); got != string(want) {
				t.Errorf("report differs from %s:\n--- got\n%s\n--- want\n%s", golden, got, want)
			}
		})
	}
	if n < 5 {
		t.Fatalf("only %d broken files", n)
	}
}

// TestExprPositions checks that expression errors land on the right file
// column, through every YAML scalar style.
func TestExprPositions(t *testing.T) {
	t.Parallel()
	head := "apiVersion: recoup/v1\nkind: Rule\nmetadata: {name: r}\nspec:\n  on: invoice\n  then: [{set: {invoice.status: overdue}}]\n"
	tests := []struct {
		name string
		when string // the when line(s), from column 1
		want string // FILE:LINE:COL
	}{
		// the when value starts at column 9 of line 7; expr column 12 (0-based) → 7:21
		{"plain", "  when: today > invoice.nope", "r.yaml:7:25"},
		{"plain-col12", "  when: invoice.xx > 0", "r.yaml:7:17"},
		{"double-quoted", `  when: "invoice.balance > 0 && invoice.nope"`, "r.yaml:7:41"},
		{"single-quoted", `  when: 'customer.risk == ''low'' && invoice.nope'`, "r.yaml:7:46"},
		{"literal", "  when: |\n    invoice.balance > 0 &&\n      invoice.nope", "r.yaml:9:15"},
		{"literal-first-line", "  when: |\n    invoice.nope > 0", "r.yaml:8:13"},
		{"folded", "  when: >\n    invoice.balance > 0\n    && invoice.nope", "r.yaml:9:16"},
		{"plain-multiline", "  when: invoice.balance > 0\n    && invoice.nope", "r.yaml:8:16"},
		{"flow", "  when: {x: 1}", "r.yaml:7:9"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := LoadSources(Source{Name: "r.yaml", Data: []byte(head + tt.when + "\n")})
			el, ok := err.(ErrorList)
			if !ok || len(el) != 1 {
				t.Fatalf("want one error, got %v", err)
			}
			if got := el[0].Error(); !strings.HasPrefix(got, tt.want+": ") {
				t.Errorf("got %s, want position %s", got, tt.want)
			}
		})
	}
}

func TestLoadJSONAndMultiDoc(t *testing.T) {
	t.Parallel()
	yml := "apiVersion: recoup/v1\nkind: Template\nmetadata: {name: a}\nspec: {body: hi}\n---\n# second\napiVersion: recoup/v1\nkind: Template\nmetadata: {name: b}\nspec: {body: hello}\n...\n"
	js := "{\n\t\"apiVersion\": \"recoup/v1\",\n\t\"kind\": \"Template\",\n\t\"metadata\": {\"name\": \"c\"},\n\t\"spec\": {\"body\": \"hi\"}\n}\n"
	b, err := LoadSources(Source{Name: "two.yaml", Data: []byte(yml)}, Source{Name: "c.json", Data: []byte(js)})
	if err != nil {
		t.Fatal(err)
	}
	if got := b.Summary(); got != "3 documents: 0 forms, 0 rules, 3 templates, 0 workflows" {
		t.Errorf("summary %q", got)
	}
	a, bb, c := b.Templates["a"].Doc, b.Templates["b"].Doc, b.Templates["c"].Doc
	if a.Source != "apiVersion: recoup/v1\nkind: Template\nmetadata: {name: a}\nspec: {body: hi}\n" {
		t.Errorf("source of a: %q", a.Source)
	}
	if !strings.HasPrefix(bb.Source, "apiVersion: recoup/v1\nkind: Template\nmetadata: {name: b}") || strings.Contains(bb.Source, "...") {
		t.Errorf("source of b: %q", bb.Source)
	}
	if c.Format != "json" || a.Format != "yaml" {
		t.Errorf("formats %s %s", c.Format, a.Format)
	}
	same, err := ParseDocuments(Source{Name: "a.json", Data: []byte(strings.Replace(js, `"c"`, `"a"`, 1))})
	if err != nil || len(same) != 1 {
		t.Fatal(err)
	}
	if a.Hash != same[0].Hash {
		t.Errorf("the same document in YAML and JSON should hash the same")
	}
	if a.Hash == bb.Hash {
		t.Errorf("different documents hash the same")
	}
}

func TestLoadNeverPanicsOnOddInput(t *testing.T) {
	t.Parallel()
	inputs := []string{
		"", "---", "null", "[]", "[1, 2]", "a: &x [*x]", "a: *b", "!!binary x", "\t\tfoo",
		"apiVersion: recoup/v1\nkind: Rule\nmetadata: {name: r}\nspec:\n  on: invoice\n  when: '" + strings.Repeat("(", 2000) + "'\n  then: []",
		"apiVersion: recoup/v1\nkind: Rule\nmetadata: {name: r}\nspec:\n  on: invoice\n  when: <<: *a\n",
		"apiVersion: recoup/v1\nkind: Form\nmetadata: {name: f}\nspec: {fields: [{name: a, type: enum, options: [{value: a}], default: 3}]}",
		"apiVersion: recoup/v1\nkind: Template\nmetadata: {name: t}\nspec: {body: '{{template \"x\"}}'}",
		"apiVersion: recoup/v1\nkind: Template\nmetadata: {name: t}\nspec: {body: '{{range .invoice}}{{.x}}{{end}}{{$.nope}}'}",
	}
	for _, in := range inputs {
		_, _ = LoadSources(Source{Name: "odd.yaml", Data: []byte(in)})
		_, _ = LoadSources(Source{Name: "odd.json", Data: []byte(in)})
	}
}
