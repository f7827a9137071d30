package engine

import (
	"fmt"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"text/template"
	"text/template/parse"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/recoup/recoup/money"
)

// LocalizedTemplate is a text/template source per locale; a plain string is
// English.
type LocalizedTemplate struct {
	En   TemplateText `yaml:"en"`
	ZhCN TemplateText `yaml:"zh-CN"`
}

func (l *LocalizedTemplate) decodeNode(d *decoder, n *yaml.Node) {
	if n.Kind == yaml.ScalarNode && n.ShortTag() == "!!str" {
		l.En.decodeNode(d, n)
		return
	}
	if n.Kind != yaml.MappingNode && !isNull(n) {
		d.errorf(n, "expected a text or a mapping of locales (en, zh-CN), got %s", kindName(n))
		return
	}
	d.decodeStruct(n, reflectValueOf(l))
}

// IsZero reports whether no locale has a text.
func (l *LocalizedTemplate) IsZero() bool { return l.En.Src == "" && l.ZhCN.Src == "" }

// has reports whether locale has a text of its own (not the English
// fallback).
func (l *LocalizedTemplate) has(locale string) bool {
	switch locale {
	case "zh-CN":
		return l.ZhCN.Src != ""
	case "en":
		return l.En.Src != ""
	}
	return false
}

// get returns the template for locale, falling back to English.
func (l *LocalizedTemplate) get(locale string) *TemplateText {
	if locale == "zh-CN" && l.ZhCN.Src != "" {
		return &l.ZhCN
	}
	return &l.En
}

// TemplateText is one template source, parsed at load time.
type TemplateText struct {
	Src string
	Pos
	src    scalarSrc
	locale string
	tmpl   *template.Template
}

func (t *TemplateText) decodeNode(d *decoder, n *yaml.Node) {
	t.Pos = posOf(n)
	t.src = newScalarSrc(d.file, n)
	if s, ok := d.scalarString(n); ok {
		t.Src = s
	}
}

func (t *TemplateText) errorAt(byteOffset int, msg string) *Error {
	if byteOffset > len(t.Src) {
		byteOffset = len(t.Src)
	}
	if byteOffset < 0 {
		byteOffset = 0
	}
	p := t.src.pos(t.Src, len([]rune(t.Src[:byteOffset])))
	e := &Error{Line: p.Line, Col: p.Col, Msg: msg}
	if t.src.file != nil {
		e.File, e.srcLine = t.src.file.name, t.src.file.line(p.Line)
	}
	return e
}

// templateFuncs is the whitelisted function set, bound to a locale.
func templateFuncs(locale string) template.FuncMap {
	return template.FuncMap{
		"money":    func(minor int, currency string) string { return FormatMoney(int64(minor), currency, locale) },
		"date":     func(t time.Time) string { return FormatDate(t, locale) },
		"datetime": func(t time.Time) string { return FormatDateTime(t, locale) },
		"upper":    strings.ToUpper,
		"lower":    strings.ToLower,
	}
}

// FormatMoney renders minor units for people: "CNY 1,234.50" in English,
// "¥1,234.50" (CNY) or "1,234.50 USD" in Chinese.
func FormatMoney(minor int64, currency, locale string) string {
	s := money.FormatMinor(minor, currency)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	intPart, frac, hasFrac := strings.Cut(s, ".")
	var b strings.Builder
	for i, r := range intPart {
		if i > 0 && (len(intPart)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	if hasFrac {
		b.WriteString("." + frac)
	}
	num := b.String()
	if neg {
		num = "-" + num
	}
	if locale == "zh-CN" {
		if currency == "CNY" {
			return "¥" + num
		}
		return num + " " + currency
	}
	return currency + " " + num
}

// FormatDate renders a date for people: "Jan 2, 2006" or "2006年1月2日".
func FormatDate(t time.Time, locale string) string {
	if t.IsZero() {
		return ""
	}
	if locale == "zh-CN" {
		return fmt.Sprintf("%d年%d月%d日", t.Year(), int(t.Month()), t.Day())
	}
	return t.Format("Jan 2, 2006")
}

// FormatDateTime renders an instant for people in its own location.
func FormatDateTime(t time.Time, locale string) string {
	if t.IsZero() {
		return ""
	}
	return FormatDate(t, locale) + " " + t.Format("15:04")
}

var (
	reTmplParseErr = regexp.MustCompile(`^template: [^:]*:(\d+):(?:(\d+):)? ?(.*)$`)
	reTmplExecErr  = regexp.MustCompile(`^template: [^:]*:(\d+):(\d+): executing "[^"]*" at <[^>]*>: (.*)$`)
)

// compileTemplate parses t and checks it against env, rendering it once on
// sample data so that type errors surface at load time.
func compileTemplate(t *TemplateText, locale string, env *exprEnv, sample any) *Error {
	if t.Src == "" {
		return nil
	}
	t.locale = locale
	tm, err := template.New(locale).Funcs(templateFuncs(locale)).Option("missingkey=zero").Parse(t.Src)
	if err != nil {
		msg := err.Error()
		off := 0
		if m := reTmplParseErr.FindStringSubmatch(msg); m != nil {
			line, _ := strconv.Atoi(m[1])
			off = lineByteOffset(t.Src, line)
			msg = m[3]
		}
		return t.errorAt(off, "template: "+msg)
	}
	if e := checkTemplateFields(t, tm.Tree, env); e != nil {
		return e
	}
	if err := tm.Execute(discard{}, sample); err != nil {
		msg := err.Error()
		off := 0
		if m := reTmplExecErr.FindStringSubmatch(msg); m != nil {
			line, _ := strconv.Atoi(m[1])
			col, _ := strconv.Atoi(m[2])
			off = lineByteOffset(t.Src, line) + col
			msg = m[3]
		}
		return t.errorAt(off, "template: "+msg)
	}
	t.tmpl = tm
	return nil
}

type discard struct{}

func (discard) Write(p []byte) (int, error) { return len(p), nil }

func lineByteOffset(s string, line int) int {
	off := 0
	for l := 1; l < line; l++ {
		i := strings.IndexByte(s[off:], '\n')
		if i < 0 {
			return len(s)
		}
		off += i + 1
	}
	return off
}

// checkTemplateFields reports a field path that does not exist in env, with
// a suggestion. Inside range and with blocks the dot changes, so fields
// there are checked only through $.
func checkTemplateFields(t *TemplateText, tree *parse.Tree, env *exprEnv) *Error {
	var found *Error
	check := func(pos parse.Pos, path []string) {
		// point at the offending segment: parse positions are not always
		// at the start of a field chain, so search around them
		at := func(i int) int {
			seg := "." + path[i]
			from := max(0, int(pos)-len(strings.Join(path, "."))-2)
			if j := strings.Index(t.Src[min(from, len(t.Src)):], seg); j >= 0 {
				return from + j + 1
			}
			return int(pos)
		}
		if found != nil || len(path) == 0 {
			return
		}
		ty := env.typ
		for i, name := range path {
			if ty.Kind() == reflect.Map {
				return
			}
			if ty.Kind() != reflect.Struct {
				found = t.errorAt(at(i-1), fmt.Sprintf("template: %s is not an object", strings.Join(path[:i], ".")))
				return
			}
			f, ok := fieldByTag(ty, name)
			if !ok {
				owner := "the template data"
				if i > 0 {
					owner = strings.Join(path[:i], ".")
				}
				found = t.errorAt(at(i), fmt.Sprintf("template: %s has no field %q%s", owner, name, didYouMean(name, tagNames(ty))))
				return
			}
			ty = f.Type
		}
	}
	var walk func(n parse.Node, dotIsRoot bool)
	walkPipe := func(p *parse.PipeNode, dotIsRoot bool) {
		if p == nil {
			return
		}
		for _, c := range p.Cmds {
			for _, a := range c.Args {
				walk(a, dotIsRoot)
			}
		}
	}
	walk = func(n parse.Node, dotIsRoot bool) {
		switch x := n.(type) {
		case *parse.ListNode:
			if x == nil {
				return
			}
			for _, c := range x.Nodes {
				walk(c, dotIsRoot)
			}
		case *parse.ActionNode:
			walkPipe(x.Pipe, dotIsRoot)
		case *parse.FieldNode:
			if dotIsRoot {
				check(x.Position(), x.Ident)
			}
		case *parse.VariableNode:
			if len(x.Ident) > 1 && x.Ident[0] == "$" {
				check(x.Position(), x.Ident[1:])
			}
		case *parse.PipeNode:
			walkPipe(x, dotIsRoot)
		case *parse.IfNode:
			walkPipe(x.Pipe, dotIsRoot)
			walk(x.List, dotIsRoot)
			walk(x.ElseList, dotIsRoot)
		case *parse.RangeNode:
			// ranging over a number would loop that many times at render
			// time (an amount in minor units could stall a tick)
			if found == nil && rangesOverNumber(x.Pipe, env, dotIsRoot) {
				found = t.errorAt(int(x.Position()), "template: range over a number is not allowed")
			}
			walkPipe(x.Pipe, dotIsRoot)
			walk(x.List, false)
			walk(x.ElseList, dotIsRoot)
		case *parse.WithNode:
			walkPipe(x.Pipe, dotIsRoot)
			walk(x.List, false)
			walk(x.ElseList, dotIsRoot)
		}
	}
	walk(tree.Root, true)
	return found
}

// rangesOverNumber reports whether a range pipeline yields a number: a
// literal, a numeric field of the environment, or anything that is not a
// plain field or variable (a function result could be a number).
func rangesOverNumber(p *parse.PipeNode, env *exprEnv, dotIsRoot bool) bool {
	if p == nil || len(p.Cmds) != 1 || len(p.Cmds[0].Args) != 1 {
		return true
	}
	var path []string
	switch a := p.Cmds[0].Args[0].(type) {
	case *parse.FieldNode:
		if !dotIsRoot {
			return false
		}
		path = a.Ident
	case *parse.VariableNode:
		if len(a.Ident) < 2 || a.Ident[0] != "$" {
			return false
		}
		path = a.Ident[1:]
	case *parse.DotNode:
		return false
	default:
		return true
	}
	ty := env.typ
	for _, name := range path {
		if ty.Kind() != reflect.Struct {
			return false
		}
		f, ok := fieldByTag(ty, name)
		if !ok {
			return false
		}
		ty = f.Type
	}
	switch ty.Kind() {
	case reflect.Int, reflect.Int64, reflect.Float64:
		return true
	}
	return false
}

// templateData converts an expression environment struct into nested maps
// keyed by expr tags, so templates use the same names as expressions.
func templateData(v reflect.Value) any {
	if v.Kind() == reflect.Pointer {
		v = v.Elem()
	}
	if v.Kind() != reflect.Struct || v.Type() == timeType {
		return v.Interface()
	}
	t := v.Type()
	m := make(map[string]any, t.NumField())
	for i := 0; i < t.NumField(); i++ {
		if name := t.Field(i).Tag.Get("expr"); name != "" {
			m[name] = templateData(v.Field(i))
		}
	}
	return m
}

// render executes t on data.
func (t *TemplateText) render(data any) (string, error) {
	if t.tmpl == nil {
		return t.Src, nil
	}
	var b strings.Builder
	if err := t.tmpl.Execute(&b, data); err != nil {
		return "", err
	}
	return b.String(), nil
}
