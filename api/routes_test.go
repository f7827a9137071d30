package api

import (
	"regexp"
	"slices"
	"strings"
	"testing"
)

// TestEveryRouteInSpec: the routes served and the operations of
// openapi.yaml are the same set, and every route but login needs a login.
func TestEveryRouteInSpec(t *testing.T) {
	t.Parallel()
	doc, _, err := loadSpec()
	if err != nil {
		t.Fatal(err)
	}
	var spec, served []string
	for path, item := range doc.Paths.Map() {
		for method := range item.Operations() {
			if path != "/api/openapi.yaml" {
				spec = append(spec, method+" "+path)
			}
		}
	}
	param := regexp.MustCompile(`:(\w+)`)
	for _, r := range (&server{}).routes() {
		served = append(served, r.method+" /api"+param.ReplaceAllString(r.path, "{$1}"))
		if r.public != (r.path == "/login") {
			t.Errorf("%s %s: public %v", r.method, r.path, r.public)
		}
	}
	slices.Sort(spec)
	slices.Sort(served)
	if !slices.Equal(spec, served) {
		t.Fatalf("spec:\n%s\nserved:\n%s", strings.Join(spec, "\n"), strings.Join(served, "\n"))
	}
}

func TestUnifiedDiff(t *testing.T) {
	t.Parallel()
	a := "a\nb\nc\nd\ne\nf\ng\nh\ni\nj\n"
	b := "a\nB\nc\nd\ne\nf\ng\nh\ni\nj\nk\n"
	want := `--- x
+++ y
@@ -1,5 +1,5 @@
 a
-b
+B
 c
 d
 e
@@ -8,3 +8,4 @@
 h
 i
 j
+k
`
	if got := unifiedDiff("x", "y", a, b); got != want {
		t.Fatalf("got\n%s\nwant\n%s", got, want)
	}
	if got := unifiedDiff("x", "y", a, a); got != "" {
		t.Fatalf("equal: %q", got)
	}
}
