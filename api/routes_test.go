package api

import (
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/labstack/echo/v4"

	"github.com/recoup/recoup/store"
)

// TestEveryOperationGuarded: the operations of openapi.yaml, the access
// table and the routes served are the same set; every operation but login
// needs a login; an operation missing from the table is refused.
func TestEveryOperationGuarded(t *testing.T) {
	t.Parallel()
	doc, _, err := loadSpec()
	if err != nil {
		t.Fatal(err)
	}
	var spec, guarded, served []string
	for path, item := range doc.Paths.Map() {
		for method, op := range item.Operations() {
			spec = append(spec, method+" "+path+" "+op.OperationID)
			if _, ok := operations[op.OperationID]; ok {
				guarded = append(guarded, method+" "+path+" "+op.OperationID)
			}
		}
	}
	for id, op := range operations {
		if !slices.ContainsFunc(spec, func(s string) bool { return strings.HasSuffix(s, " "+id) }) {
			t.Errorf("operations has %s, which openapi.yaml lacks", id)
		}
		if op.public != (id == "login") {
			t.Errorf("%s: public %v", id, op.public)
		}
		// Every operation has exactly one kind of access, so that an API
		// token reaches only what its scopes name.
		kinds := 0
		for _, k := range []bool{op.perm != "", op.public, op.self, op.session} {
			if k {
				kinds++
			}
		}
		if kinds != 1 {
			t.Errorf("%s: %d kinds of access (perm %q, public, self, session), want exactly one", id, kinds, op.perm)
		}
		if op.self != (id == "getMe") {
			t.Errorf("%s: self %v: only getMe is open to every token without a scope", id, op.self)
		}
		if op.perm != "" && !op.perm.Valid() {
			t.Errorf("%s: permission %q is not in openapi.yaml's Permission", id, op.perm)
		}
	}
	param := regexp.MustCompile(`:(\w+)`)
	for _, r := range New(Options{}).Routes() {
		if strings.HasPrefix(r.Path, "/api/") && r.Path != "/api/openapi.yaml" && r.Path != "/api/*" {
			served = append(served, r.Method+" "+param.ReplaceAllString(r.Path, "{$1}"))
		}
	}
	slices.Sort(spec)
	slices.Sort(guarded)
	if !slices.Equal(spec, guarded) {
		t.Errorf("operations of openapi.yaml:\n%s\nin api.operations:\n%s", strings.Join(spec, "\n"), strings.Join(guarded, "\n"))
	}
	routes := make([]string, len(spec))
	for i, s := range spec {
		routes[i] = s[:strings.LastIndex(s, " ")]
	}
	slices.Sort(served)
	if !slices.Equal(routes, served) {
		t.Errorf("operations of openapi.yaml:\n%s\nserved:\n%s", strings.Join(routes, "\n"), strings.Join(served, "\n"))
	}

	// Fail closed: an operation the table lacks never reaches its handler.
	e := echo.New()
	c := e.NewContext(httptest.NewRequest(http.MethodGet, "/api/new", nil), httptest.NewRecorder())
	c.Set(principalKey, &principal{User: store.User{Role: store.RoleAdmin}, Via: MeAuthSession})
	reached := false
	err = guard("newOperation")(func(echo.Context) error { reached = true; return nil })(c)
	if reached || err == nil {
		t.Fatalf("an operation missing from api.operations: reached %v, error %v", reached, err)
	}
	// An operation in the table without an access kind is refused too.
	err = access("noAccess", operation{}, true)(func(echo.Context) error { reached = true; return nil })(c)
	if reached || err == nil {
		t.Fatalf("an operation without access kind: reached %v, error %v", reached, err)
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
