package store

import "encoding/json"

// decodeStringMap decodes a JSON object of string values (the custom
// fields of invoices and customers) into *m. The common shape — keys and
// values without escapes — is read here; anything else (escapes, other
// value types, malformed input) goes to encoding/json, so the result and
// the errors are json.Unmarshal's.
func decodeStringMap(b []byte, m *map[string]string) error {
	if out, ok := flatStrings(b); ok {
		*m = out
		return nil
	}
	return json.Unmarshal(b, m)
}

// flatStrings reads {"k":"v",...} with optional spaces; ok is false for
// anything else.
func flatStrings(b []byte) (map[string]string, bool) {
	i := 0
	space := func() {
		for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r') {
			i++
		}
	}
	str := func() (string, bool) {
		if i >= len(b) || b[i] != '"' {
			return "", false
		}
		start := i + 1
		for j := start; j < len(b); j++ {
			switch c := b[j]; {
			case c == '"':
				i = j + 1
				return string(b[start:j]), true
			case c == '\\' || c < 0x20 || c >= 0x80:
				return "", false // escapes, control or non-ASCII bytes: encoding/json decides
			}
		}
		return "", false
	}
	space()
	if i >= len(b) || b[i] != '{' {
		return nil, false
	}
	i++
	out := map[string]string{}
	space()
	if i < len(b) && b[i] == '}' {
		i++
		space()
		return out, i == len(b)
	}
	for {
		space()
		k, ok := str()
		if !ok {
			return nil, false
		}
		space()
		if i >= len(b) || b[i] != ':' {
			return nil, false
		}
		i++
		space()
		v, ok := str()
		if !ok {
			return nil, false
		}
		out[k] = v
		space()
		if i >= len(b) {
			return nil, false
		}
		switch b[i] {
		case ',':
			i++
		case '}':
			i++
			space()
			return out, i == len(b)
		default:
			return nil, false
		}
	}
}
