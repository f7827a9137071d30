package casetest

import (
	"reflect"
	"regexp"
	"sort"
	"strings"
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
	if s := closest(m[1], keysOf(p.typ)); s != "" {
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

// closest returns the key nearest to word when it is a plausible typo.
func closest(word string, keys []string) string {
	best, bestD := "", 3
	for _, k := range keys {
		if d := distance(strings.ToLower(word), k); d < bestD {
			best, bestD = k, d
		}
	}
	return best
}

// distance is the Levenshtein distance between a and b.
func distance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	prev, cur := make([]int, len(rb)+1), make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(rb)]
}
