package casetest

import (
	"reflect"
	"regexp"
	"sort"
	"strings"

	"github.com/recoup/recoup/engine"
)

// The parts of a test file, by the Go type that decodes them: what an
// unknown key is reported in, and which keys it knows.
var parts = map[string]struct {
	what string
	typ  reflect.Type
}{
	"fileDoc":        {"a test file", reflect.TypeFor[fileDoc]()},
	"ruleCase":       {"a rule case", reflect.TypeFor[ruleCase]()},
	"ruleTick":       {"a tick", reflect.TypeFor[ruleTick]()},
	"formCase":       {"a form case", reflect.TypeFor[formCase]()},
	"scenarioCase":   {"a scenario", reflect.TypeFor[scenarioCase]()},
	"scenarioAction": {"a scenario's action", reflect.TypeFor[scenarioAction]()},
	"invoiceData":    {"an invoice", reflect.TypeFor[invoiceData]()},
	"customerData":   {"a customer", reflect.TypeFor[customerData]()},
	"paymentsData":   {"payments", reflect.TypeFor[paymentsData]()},
	"planData":       {"a plan", reflect.TypeFor[planData]()},
}

var unknownKey = regexp.MustCompile(`^field (\S+) not found in type casetest\.(\w+)$`)

// friendly rewrites the YAML library's "field x not found in type
// casetest.ruleCase" as `unknown key "x" in a rule case; did you mean "y"?`.
func friendly(msg string) string {
	m := unknownKey.FindStringSubmatch(msg)
	if m == nil {
		return msg
	}
	p, ok := parts[m[2]]
	if !ok {
		return msg
	}
	out := `unknown key "` + m[1] + `" in ` + p.what
	if s := engine.Suggest(m[1], keysOf(p.typ)); s != "" {
		out += `; did you mean "` + s + `"?`
	}
	return out
}

func keysOf(t reflect.Type) []string {
	var keys []string
	for f := range t.Fields() {
		if k, _, _ := strings.Cut(f.Tag.Get("yaml"), ","); k != "" && k != "-" {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	return keys
}
