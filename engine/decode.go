package engine

import (
	"fmt"
	"math"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"sync"

	"gopkg.in/yaml.v3"
)

// srcFile is one definition file being loaded.
type srcFile struct {
	name   string
	format string // "yaml" or "json"
	data   []byte
	lines  []string
}

func newSrcFile(name string, data []byte) *srcFile {
	format := "yaml"
	if strings.HasSuffix(strings.ToLower(name), ".json") {
		format = "json"
	}
	return &srcFile{name: name, format: format, data: data, lines: strings.Split(string(data), "\n")}
}

func (f *srcFile) line(n int) string {
	if n < 1 || n > len(f.lines) {
		return ""
	}
	return strings.TrimRight(f.lines[n-1], "\r")
}

// Pos is a 1-based line and column in a definition file.
type Pos struct {
	Line int `json:"line"`
	Col  int `json:"col"`
}

func posOf(n *yaml.Node) Pos { return Pos{Line: n.Line, Col: n.Column} }

// decoder turns yaml.Node trees into definition structs, collecting every
// problem instead of stopping at the first.
type decoder struct {
	file *srcFile
	errs *ErrorList
}

func (d *decoder) errAt(p Pos, format string, args ...any) {
	*d.errs = append(*d.errs, &Error{File: d.file.name, Line: p.Line, Col: p.Col, Msg: fmt.Sprintf(format, args...), srcLine: d.file.line(p.Line)})
}

func (d *decoder) errorf(n *yaml.Node, format string, args ...any) {
	d.errAt(posOf(n), format, args...)
}

// nodeDecoder is implemented by types that decode themselves.
type nodeDecoder interface {
	decodeNode(d *decoder, n *yaml.Node)
}

var nodeDecoderType = reflect.TypeFor[nodeDecoder]()

// fieldInfo describes one key of a mapping-backed struct.
type fieldInfo struct {
	key      string
	index    int
	required bool
	enum     []string
	pattern  *regexp.Regexp
	doc      string
}

type structInfo struct {
	fields []fieldInfo
	byKey  map[string]*fieldInfo
	keys   []string
}

var structCache sync.Map // reflect.Type → *structInfo

// infoOf reads the yaml and def tags of t. A def tag is a comma-separated
// list of: required, enum=a|b|c, pattern=REGEXP (pattern last).
func infoOf(t reflect.Type) *structInfo {
	if v, ok := structCache.Load(t); ok {
		return v.(*structInfo)
	}
	si := &structInfo{byKey: map[string]*fieldInfo{}}
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		key, _, _ := strings.Cut(f.Tag.Get("yaml"), ",")
		if key == "" || key == "-" {
			continue
		}
		fi := fieldInfo{key: key, index: i, doc: f.Tag.Get("doc")}
		tag := f.Tag.Get("def")
		for tag != "" {
			var part string
			if strings.HasPrefix(tag, "pattern=") {
				part, tag = tag, ""
			} else {
				part, tag, _ = strings.Cut(tag, ",")
			}
			switch {
			case part == "required":
				fi.required = true
			case strings.HasPrefix(part, "enum="):
				fi.enum = strings.Split(strings.TrimPrefix(part, "enum="), "|")
			case strings.HasPrefix(part, "pattern="):
				fi.pattern = regexp.MustCompile(strings.TrimPrefix(part, "pattern="))
			}
		}
		si.fields = append(si.fields, fi)
		si.keys = append(si.keys, key)
	}
	for i := range si.fields {
		si.byKey[si.fields[i].key] = &si.fields[i]
	}
	structCache.Store(t, si)
	return si
}

// kindName names a YAML node's type for messages.
func kindName(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.AliasNode:
		return "an alias"
	case yaml.ScalarNode:
		switch n.ShortTag() {
		case "!!str":
			return fmt.Sprintf("the string %q", n.Value)
		case "!!int":
			return "the integer " + n.Value
		case "!!float":
			return "the number " + n.Value
		case "!!bool":
			return "the boolean " + n.Value
		case "!!null":
			return "null"
		}
		return "the value " + n.Value
	}
	return "nothing"
}

func isNull(n *yaml.Node) bool { return n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null" }

// decode fills v (addressable) from n.
func (d *decoder) decode(n *yaml.Node, v reflect.Value) {
	if n.Kind == yaml.AliasNode {
		d.errorf(n, "aliases are not supported; repeat the value instead")
		return
	}
	if v.CanAddr() && v.Addr().Type().Implements(nodeDecoderType) {
		v.Addr().Interface().(nodeDecoder).decodeNode(d, n)
		return
	}
	switch v.Kind() {
	case reflect.Pointer:
		if isNull(n) {
			return
		}
		p := reflect.New(v.Type().Elem())
		d.decode(n, p.Elem())
		v.Set(p)
	case reflect.Struct:
		d.decodeStruct(n, v)
	case reflect.Slice:
		if isNull(n) {
			return
		}
		if n.Kind != yaml.SequenceNode {
			d.errorf(n, "expected a list, got %s", kindName(n))
			return
		}
		s := reflect.MakeSlice(v.Type(), len(n.Content), len(n.Content))
		for i, c := range n.Content {
			d.decode(c, s.Index(i))
		}
		v.Set(s)
	case reflect.Map:
		if isNull(n) {
			return
		}
		if n.Kind != yaml.MappingNode {
			d.errorf(n, "expected a mapping, got %s", kindName(n))
			return
		}
		m := reflect.MakeMapWithSize(v.Type(), len(n.Content)/2)
		seen := map[string]int{}
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, val := n.Content[i], n.Content[i+1]
			if !d.checkKey(k, seen) {
				continue
			}
			e := reflect.New(v.Type().Elem()).Elem()
			d.decode(val, e)
			m.SetMapIndex(reflect.ValueOf(k.Value).Convert(v.Type().Key()), e)
		}
		v.Set(m)
	case reflect.String:
		if s, ok := d.scalarString(n); ok {
			v.SetString(s)
		}
	case reflect.Int, reflect.Int64:
		if isNull(n) {
			return
		}
		if n.Kind != yaml.ScalarNode || n.ShortTag() != "!!int" {
			d.errorf(n, "expected an integer, got %s", kindName(n))
			return
		}
		i, err := strconv.ParseInt(strings.ReplaceAll(n.Value, "_", ""), 0, 64)
		if err != nil || i > math.MaxInt32 || i < math.MinInt32 {
			d.errorf(n, "integer %s is out of range", n.Value)
			return
		}
		v.SetInt(i)
	case reflect.Bool:
		if isNull(n) {
			return
		}
		if n.Kind != yaml.ScalarNode || n.ShortTag() != "!!bool" {
			d.errorf(n, "expected true or false, got %s", kindName(n))
			return
		}
		v.SetBool(n.Value == "true" || n.Value == "True" || n.Value == "TRUE")
	default:
		d.errorf(n, "internal: cannot decode into %s", v.Type())
	}
}

// scalarString accepts a string scalar; null yields "" without error.
func (d *decoder) scalarString(n *yaml.Node) (string, bool) {
	if isNull(n) {
		return "", false
	}
	if n.Kind != yaml.ScalarNode || n.ShortTag() != "!!str" {
		if n.Kind == yaml.ScalarNode {
			d.errorf(n, "expected a string, got %s (quote it)", kindName(n))
		} else {
			d.errorf(n, "expected a string, got %s", kindName(n))
		}
		return "", false
	}
	return n.Value, true
}

// checkKey validates a mapping key and reports duplicates.
func (d *decoder) checkKey(k *yaml.Node, seen map[string]int) bool {
	if k.Kind != yaml.ScalarNode || (k.ShortTag() != "!!str" && k.ShortTag() != "!!int") {
		d.errorf(k, "expected a string key, got %s", kindName(k))
		return false
	}
	if line, dup := seen[k.Value]; dup {
		d.errorf(k, "duplicate key %q (first defined on line %d)", k.Value, line)
		return false
	}
	seen[k.Value] = k.Line
	return true
}

func (d *decoder) decodeStruct(n *yaml.Node, v reflect.Value) {
	if isNull(n) {
		n = &yaml.Node{Kind: yaml.MappingNode, Line: n.Line, Column: n.Column}
	}
	if n.Kind != yaml.MappingNode {
		d.errorf(n, "expected a mapping, got %s", kindName(n))
		return
	}
	si := infoOf(v.Type())
	seen := map[string]int{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, val := n.Content[i], n.Content[i+1]
		if !d.checkKey(k, seen) {
			continue
		}
		fi, ok := si.byKey[k.Value]
		if !ok {
			d.errorf(k, "unknown key %q%s", k.Value, didYouMean(k.Value, si.keys))
			continue
		}
		if fi.required && isNull(val) {
			d.errorf(val, "%s must not be empty", fi.key)
			continue
		}
		if (fi.enum != nil || fi.pattern != nil) && val.Kind == yaml.ScalarNode && !isNull(val) {
			if !d.checkValue(val, fi) {
				continue
			}
		}
		d.decode(val, v.Field(fi.index))
	}
	for _, fi := range si.fields {
		if _, ok := seen[fi.key]; !ok && fi.required {
			d.errorf(n, "missing required key %q", fi.key)
		}
	}
}

// checkValue validates a scalar against an enum or pattern.
func (d *decoder) checkValue(val *yaml.Node, fi *fieldInfo) bool {
	if fi.enum != nil {
		for _, e := range fi.enum {
			if val.Value == e {
				return true
			}
		}
		d.errorf(val, "invalid %s %q: want one of %s%s", fi.key, val.Value, strings.Join(fi.enum, ", "), didYouMean(val.Value, fi.enum))
		return false
	}
	if !fi.pattern.MatchString(val.Value) {
		d.errorf(val, "invalid %s %q: %s", fi.key, val.Value, patternHint(fi.pattern.String()))
		return false
	}
	return true
}

func patternHint(p string) string {
	if p == namePattern {
		return "want lowercase letters, digits and dashes, starting with a letter, at most 63 characters"
	}
	if p == identPattern {
		return "want lowercase letters, digits and underscores, starting with a letter"
	}
	return "must match " + p
}

const (
	namePattern  = `^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$`
	identPattern = `^[a-z][a-z0-9_]{0,62}$`
)

// reflectValueOf returns the addressable struct behind pointer p.
func reflectValueOf(p any) reflect.Value { return reflect.ValueOf(p).Elem() }
