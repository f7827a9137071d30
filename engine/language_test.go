package engine

import (
	"bytes"
	"encoding/json"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

// generateEnvironment describes Env from its Go types (names and types by
// reflection) and its source (the field comments are the docs).
func generateEnvironment(t *testing.T) []byte {
	t.Helper()
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "env.go", nil, parser.ParseComments)
	if err != nil {
		t.Fatal(err)
	}
	docs := map[string]string{} // "InvoiceEnv.Amount" → comment
	ast.Inspect(f, func(n ast.Node) bool {
		ts, ok := n.(*ast.TypeSpec)
		if !ok {
			return true
		}
		st, ok := ts.Type.(*ast.StructType)
		if !ok {
			return false
		}
		for _, fl := range st.Fields.List {
			text := strings.TrimSpace(fl.Comment.Text() + " " + fl.Doc.Text())
			for _, n := range fl.Names {
				docs[ts.Name.Name+"."+n.Name] = strings.Join(strings.Fields(text), " ")
			}
		}
		return false
	})
	var fields func(t reflect.Type) []EnvironmentField
	fields = func(rt reflect.Type) []EnvironmentField {
		var out []EnvironmentField
		for i := 0; i < rt.NumField(); i++ {
			sf := rt.Field(i)
			name := sf.Tag.Get("expr")
			if name == "" {
				continue
			}
			doc := docs[rt.Name()+"."+sf.Name]
			ef := EnvironmentField{Name: name, Doc: doc}
			switch {
			case sf.Type == reflect.TypeFor[time.Time]() && name == "now":
				ef.Type = "time"
			case sf.Type == reflect.TypeFor[time.Time]():
				ef.Type = "date"
			case sf.Type.Kind() == reflect.Struct:
				ef.Type, ef.Fields = "object", fields(sf.Type)
			case sf.Type.Kind() == reflect.Map:
				ef.Type = "map"
			case sf.Type.Kind() == reflect.Int && strings.Contains(doc, "minor units"):
				ef.Type = "money"
			case sf.Type.Kind() == reflect.Float64:
				ef.Type = "float"
			default:
				ef.Type = sf.Type.Kind().String()
			}
			out = append(out, ef)
		}
		return out
	}
	roots := fields(reflect.TypeFor[Env]())
	for i := range roots {
		if roots[i].Doc == "" {
			roots[i].Doc = map[string]string{
				"invoice":  "The invoice being evaluated.",
				"customer": "The invoice's customer.",
				"payments": "Payment history: of this invoice (count, total, last_paid_at) and of the customer's invoices.",
				"now":      "The tick's instant in the company's time zone.",
				"today":    "The tick's calendar day in the company's time zone.",
			}[roots[i].Name]
		}
	}
	data, err := json.MarshalIndent(Environment{Roots: roots, Functions: functionDocs}, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	return append(data, '\n')
}

// TestEnvironment checks that schema/environment.json matches env.go (run
// with -update to regenerate) and that every function it offers compiles.
func TestEnvironment(t *testing.T) {
	want := generateEnvironment(t)
	path := filepath.Join("schema", "environment.json")
	if *update {
		if err := os.WriteFile(path, want, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	got, err := Schemas.ReadFile("schema/environment.json")
	if err != nil || !bytes.Equal(got, want) {
		t.Fatalf("%s is stale (%v): run go test ./engine -run 'TestSchemas|TestEnvironment' -update", path, err)
	}
	env, err := ExpressionEnvironment()
	if err != nil {
		t.Fatal(err)
	}
	if len(env.Roots) != 5 || env.Roots[0].Name != "invoice" || len(env.Roots[0].Fields) < 20 {
		t.Fatalf("roots: %+v", env.Roots)
	}
	calls := map[string]string{
		"money": `money("1.00 CNY") > 0`, "daysBetween": "daysBetween(today, invoice.due_date) > 0",
		"addDays": "addDays(today, 1) > today", "date": `date("2026-01-01") < today`, "duration": `duration("1h") > duration("1m")`,
		"len": "len(invoice.number) > 0", "abs": "abs(invoice.days_until_due) > 0", "max": "max(1, 2) > 1", "min": "min(1, 2) < 2",
		"lower": `lower(customer.risk) == "low"`, "upper": `upper(customer.risk) == "LOW"`, "trim": `trim(customer.name) != ""`,
		"hasPrefix": `hasPrefix(invoice.number, "INV")`, "hasSuffix": `hasSuffix(invoice.number, "1")`,
		"split": `len(split(invoice.number, "-")) > 1`, "round": "round(payments.avg_days_late) > 1", "int": "int(1.5) == 1",
		"string": `string(invoice.id) != ""`,
	}
	for _, fn := range env.Functions {
		src, ok := calls[fn.Name]
		if !ok {
			t.Errorf("function %s has no compile check", fn.Name)
			continue
		}
		if err := compileExpr(&Expr{Src: src}, ruleEnv(), kBool, "test"); err != nil {
			t.Errorf("%s: %s", src, err.Msg)
		}
	}
}
