package engine

import (
	"embed"
	"encoding/json"
	"reflect"
	"strings"
)

// Schemas holds the published JSON Schemas (draft 2020-12) of the
// definition language, generated from the Go types the loader decodes into
// (go test ./engine -run TestSchemas -update regenerates them):
// recoup-v1.schema.json accepts any document (or a list of documents);
// form, rule, template and workflow.schema.json accept one kind. Editors use
// them for completion; the loader's own validation is stricter (expressions,
// references, templates).
//
//go:embed schema/*.json
var Schemas embed.FS

// SchemaBaseURL prefixes the schemas' $id.
const SchemaBaseURL = "https://recoup.dev/schema/"

// schemaGen builds a JSON Schema from Go types, one $defs entry per named
// struct.
type schemaGen struct {
	defs map[string]any
}

var (
	identType     = reflect.TypeFor[Ident]()
	localizedType = reflect.TypeFor[Localized]()
	ltemplateType = reflect.TypeFor[LocalizedTemplate]()
	exprType      = reflect.TypeFor[Expr]()
	durationType  = reflect.TypeFor[Duration]()
	literalType   = reflect.TypeFor[Literal]()
	setType       = reflect.TypeFor[SetAction]()
	outcomesType  = reflect.TypeFor[Outcomes]()
	posType       = reflect.TypeFor[Pos]()
)

func ref(name string) map[string]any { return map[string]any{"$ref": "#/$defs/" + name} }

func (g *schemaGen) schema(t reflect.Type, fi *fieldInfo) map[string]any {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	withEnum := func(m map[string]any) map[string]any {
		if fi != nil && fi.enum != nil {
			m["enum"] = fi.enum
		}
		if fi != nil && fi.pattern != nil {
			m["pattern"] = fi.pattern.String()
		}
		return m
	}
	switch t {
	case identType:
		return withEnum(map[string]any{"type": "string"})
	case exprType:
		return map[string]any{"type": []string{"string", "boolean"}, "description": "an expr expression over the typed environment (see docs/language.md)"}
	case durationType:
		return map[string]any{"type": "string", "pattern": `^([0-9]{1,5}[wdhm])+$`, "description": "a duration such as 3d, 1w, 36h, 1d12h"}
	case literalType:
		return map[string]any{"type": []string{"string", "number", "boolean"}}
	case localizedType, ltemplateType:
		g.define("Localized", func() any {
			return map[string]any{
				"description": "a text, or a text per locale",
				"oneOf": []any{
					map[string]any{"type": "string"},
					map[string]any{"type": "object", "additionalProperties": false, "properties": map[string]any{
						"en": map[string]any{"type": "string"}, "zh-CN": map[string]any{"type": "string"},
					}},
				},
			}
		})
		return ref("Localized")
	case setType:
		return map[string]any{"type": "object", "minProperties": 1,
			"propertyNames":        map[string]any{"pattern": `^(invoice|customer)\.[a-z][a-z0-9_.]*$`},
			"additionalProperties": map[string]any{"type": []string{"string", "number", "boolean"}}}
	case outcomesType:
		return map[string]any{"type": "object", "additionalProperties": g.schema(reflect.TypeFor[Route](), nil)}
	}
	switch t.Kind() {
	case reflect.String:
		return withEnum(map[string]any{"type": "string"})
	case reflect.Int, reflect.Int64:
		return map[string]any{"type": "integer"}
	case reflect.Bool:
		return map[string]any{"type": "boolean"}
	case reflect.Slice:
		return map[string]any{"type": "array", "items": g.schema(t.Elem(), nil)}
	case reflect.Map:
		return map[string]any{"type": "object", "additionalProperties": g.schema(t.Elem(), nil)}
	case reflect.Struct:
		name := t.Name()
		g.define(name, func() any { return g.object(t) })
		return ref(name)
	}
	return map[string]any{}
}

func (g *schemaGen) define(name string, build func() any) {
	if _, ok := g.defs[name]; ok {
		return
	}
	g.defs[name] = nil // guard recursion
	g.defs[name] = build()
}

func (g *schemaGen) object(t reflect.Type) map[string]any {
	si := infoOf(t)
	props := map[string]any{}
	var required []string
	for i := range si.fields {
		fi := &si.fields[i]
		f := t.Field(fi.index)
		if f.Type == posType || f.Name == "Spec" && f.Type == reflect.TypeFor[rawNode]() {
			continue
		}
		props[fi.key] = g.schema(f.Type, fi)
		if fi.required {
			required = append(required, fi.key)
		}
	}
	m := map[string]any{"type": "object", "additionalProperties": false, "properties": props}
	if len(required) > 0 {
		m["required"] = required
	}
	if t == reflect.TypeFor[Action]() {
		m["minProperties"], m["maxProperties"] = 1, 1
	}
	return m
}

var specTypes = map[Kind]reflect.Type{
	KindForm:     reflect.TypeFor[FormSpec](),
	KindRule:     reflect.TypeFor[RuleSpec](),
	KindTemplate: reflect.TypeFor[TemplateSpec](),
	KindWorkflow: reflect.TypeFor[WorkflowSpec](),
}

// generateSchema returns the schema for one kind, or for every kind when
// kind is "".
func generateSchema(kind Kind) ([]byte, error) {
	g := &schemaGen{defs: map[string]any{}}
	meta := g.schema(reflect.TypeFor[Metadata](), nil)
	doc := func(k Kind) map[string]any {
		return map[string]any{
			"type": "object", "additionalProperties": false,
			"required": []string{"apiVersion", "kind", "metadata", "spec"},
			"properties": map[string]any{
				"apiVersion": map[string]any{"const": APIVersion},
				"kind":       map[string]any{"const": string(k)},
				"metadata":   meta,
				"spec":       g.schema(specTypes[k], nil),
			},
		}
	}
	root := map[string]any{"$schema": "https://json-schema.org/draft/2020-12/schema"}
	if kind == "" {
		var one []any
		for _, k := range Kinds {
			g.defs[string(k)] = doc(k)
			one = append(one, ref(string(k)))
		}
		docSchema := map[string]any{"oneOf": one}
		g.defs["Document"] = docSchema
		root["$id"] = SchemaBaseURL + "recoup-v1.schema.json"
		root["title"] = "recoup/v1 definitions"
		root["description"] = "One recoup/v1 document (Form, Rule, Template or Workflow) or a list of documents."
		root["oneOf"] = []any{ref("Document"), map[string]any{"type": "array", "items": ref("Document")}}
	} else {
		d := doc(kind)
		for k, v := range d {
			root[k] = v
		}
		root["$id"] = SchemaBaseURL + strings.ToLower(string(kind)) + ".schema.json"
		root["title"] = "recoup/v1 " + string(kind)
	}
	root["$defs"] = g.defs
	return json.MarshalIndent(root, "", "  ")
}

// schemaFiles maps file names under schema/ to the kind they describe.
var schemaFiles = map[string]Kind{
	"recoup-v1.schema.json": "",
	"form.schema.json":      KindForm,
	"rule.schema.json":      KindRule,
	"template.schema.json":  KindTemplate,
	"workflow.schema.json":  KindWorkflow,
}
