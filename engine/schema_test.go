package engine

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// TestSchemas checks that the embedded schemas match the Go types (run with
// -update to regenerate) and that every example document validates against
// them while broken ones do not.
func TestSchemas(t *testing.T) {
	t.Parallel()
	for name, kind := range schemaFiles {
		want, err := generateSchema(kind)
		if err != nil {
			t.Fatal(err)
		}
		want = append(want, '\n')
		path := filepath.Join("schema", name)
		if *update {
			if err := os.WriteFile(path, want, 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		got, err := Schemas.ReadFile("schema/" + name)
		if err != nil || !bytes.Equal(got, want) {
			t.Errorf("%s is stale (%v): run go test ./engine -run TestSchemas -update", path, err)
		}
	}
	if *update {
		return
	}
	c := jsonschema.NewCompiler()
	data, _ := Schemas.ReadFile("schema/recoup-v1.schema.json")
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	if err := c.AddResource(SchemaBaseURL+"recoup-v1.schema.json", doc); err != nil {
		t.Fatal(err)
	}
	sch, err := c.Compile(SchemaBaseURL + "recoup-v1.schema.json")
	if err != nil {
		t.Fatal(err)
	}
	check := func(path string, wantValid bool) {
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		docs, err := ParseDocuments(Source{Name: path, Data: data})
		if wantValid && err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		invalid := 0
		for _, d := range docs {
			root := d.Spec
			_ = root
			inst := documentValue(d)
			if err := sch.Validate(inst); err != nil {
				invalid++
				if wantValid {
					t.Errorf("%s: %s does not match the schema: %v", path, d, err)
				}
			}
		}
		if !wantValid && invalid == 0 && len(docs) > 0 {
			t.Errorf("%s: no document was rejected by the schema", path)
		}
	}
	files, _ := filepath.Glob("../rules-examples/*/*.yaml")
	for _, f := range files {
		if !strings.HasSuffix(f, ".test.yaml") {
			check(f, true)
		}
	}
	for _, f := range []string{"testdata/broken/rule-keys.yaml", "testdata/broken/actions.yaml", "testdata/broken/form.yaml"} {
		check(f, false)
	}
}
