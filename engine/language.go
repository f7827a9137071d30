package engine

import "encoding/json"

// EnvironmentField is one name an expression can read: a root (invoice,
// customer, payments, now, today) or a field of one, with its type as
// expressions see it and its documentation (from the Go source, see
// environment.json).
type EnvironmentField struct {
	Name   string             `json:"name"`
	Type   string             `json:"type"` // int, money (minor units), float, string, bool, date, time, map, object
	Doc    string             `json:"doc,omitempty"`
	Fields []EnvironmentField `json:"fields,omitempty"`
}

// EnvironmentFunction is a function expressions may call.
type EnvironmentFunction struct {
	Name      string `json:"name"`
	Signature string `json:"signature"`
	Doc       string `json:"doc"`
}

// Environment describes what rule and workflow expressions can read and
// call, for editors' completion and hover help. An outcome's expressions
// (wait_until, then) also read form.<field> of the task's form.
type Environment struct {
	Roots     []EnvironmentField    `json:"roots"`
	Functions []EnvironmentFunction `json:"functions"`
}

// ExpressionEnvironment returns the embedded schema/environment.json
// (regenerated from env.go by go test ./engine -run TestSchemas -update).
func ExpressionEnvironment() (Environment, error) {
	var e Environment
	data, err := Schemas.ReadFile("schema/environment.json")
	if err != nil {
		return e, err
	}
	err = json.Unmarshal(data, &e)
	return e, err
}

// functionDocs are the functions of newExprEnv and the expr builtins
// admins use most, as the editor offers them.
var functionDocs = []EnvironmentFunction{
	{"money", "money(text string) int", `An amount in minor units: money("1000.00 CNY") is 100000.`},
	{"daysBetween", "daysBetween(from, to date) int", "Calendar days from one date to another (negative when to is earlier)."},
	{"addDays", "addDays(d date, n int) date", "The date n days after d (before, when n is negative)."},
	{"date", "date(text string) date", `A date: date("2026-03-01").`},
	{"duration", "duration(text string) duration", `A duration: duration("72h").`},
	{"len", "len(v) int", "The length of a string, list or map."},
	{"abs", "abs(n) number", "The absolute value."},
	{"max", "max(a, b, …) number", "The largest of its arguments."},
	{"min", "min(a, b, …) number", "The smallest of its arguments."},
	{"lower", "lower(s string) string", "s in lower case."},
	{"upper", "upper(s string) string", "s in upper case."},
	{"trim", "trim(s string) string", "s without leading and trailing spaces."},
	{"hasPrefix", "hasPrefix(s, prefix string) bool", "Whether s starts with prefix."},
	{"hasSuffix", "hasSuffix(s, suffix string) bool", "Whether s ends with suffix."},
	{"split", "split(s, sep string) []string", "s cut at every sep."},
	{"round", "round(n float) float", "n rounded half away from zero."},
	{"int", "int(v) int", "v as an integer."},
	{"string", "string(v) string", "v as text."},
}
