package engine

import (
	"reflect"
	"regexp"
	"strings"
	"time"
	"unsafe"

	"github.com/expr-lang/expr/ast"
)

// The fast path: a checked and optimized expr AST is translated into a tree
// of typed Go closures reading the environment struct through precomputed
// field offsets. It avoids expr's per-field reflection (runtime.FetchField)
// and boxing, which dominate the VM's cost for rule conditions. Only a
// well-understood subset of the language is translated; anything else makes
// the whole expression fall back to the expr VM, so results never differ.
// A differential test runs both paths on the same inputs.

type vkind uint8

const (
	kNone vkind = iota
	kBool
	kInt
	kFloat
	kString
	kTime
)

var timeType = reflect.TypeFor[time.Time]()

func kindOfType(t reflect.Type) vkind {
	if t == nil {
		return kNone
	}
	if t == timeType {
		return kTime
	}
	switch t.Kind() {
	case reflect.Bool:
		return kBool
	case reflect.Int:
		return kInt
	case reflect.Float64:
		return kFloat
	case reflect.String:
		return kString
	}
	return kNone
}

// fn is a compiled expression of one kind; exactly the matching closure is set.
type fn struct {
	k vkind
	b func(unsafe.Pointer) bool
	i func(unsafe.Pointer) int
	f func(unsafe.Pointer) float64
	s func(unsafe.Pointer) string
	t func(unsafe.Pointer) time.Time
}

// asFloat promotes an int fn to float.
func (x fn) asFloat() func(unsafe.Pointer) float64 {
	if x.k == kFloat {
		return x.f
	}
	i := x.i
	return func(p unsafe.Pointer) float64 { return float64(i(p)) }
}

// fieldPath locates a value inside the environment struct: a byte offset
// from the struct's start, its type, and for map[string]string fields the
// key to look up.
type fieldPath struct {
	name   string
	off    uintptr
	typ    reflect.Type
	mapKey string
	isMap  bool
}

// resolvePath follows expr-tagged struct fields from root type t.
func resolvePath(t reflect.Type, names []string) (fieldPath, bool) {
	fp := fieldPath{name: strings.Join(names, "."), typ: t}
	for i, n := range names {
		if fp.typ.Kind() == reflect.Map && fp.typ.Key().Kind() == reflect.String && fp.typ.Elem().Kind() == reflect.String && i == len(names)-1 {
			fp.isMap, fp.mapKey, fp.typ = true, n, fp.typ.Elem()
			return fp, true
		}
		if fp.typ.Kind() != reflect.Struct {
			return fp, false
		}
		f, ok := fieldByTag(fp.typ, n)
		if !ok {
			return fp, false
		}
		fp.off += f.Offset
		fp.typ = f.Type
	}
	return fp, true
}

func fieldByTag(t reflect.Type, name string) (reflect.StructField, bool) {
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		if f.Tag.Get("expr") == name {
			return f, true
		}
	}
	return reflect.StructField{}, false
}

// memberPath returns the names of a plain member chain such as
// invoice.custom.region, or nil.
func memberPath(n ast.Node) []string {
	switch x := n.(type) {
	case *ast.IdentifierNode:
		return []string{x.Value}
	case *ast.MemberNode:
		if x.Optional || x.Method {
			return nil
		}
		prop, ok := x.Property.(*ast.StringNode)
		if !ok {
			return nil
		}
		base := memberPath(x.Node)
		if base == nil {
			return nil
		}
		return append(base, prop.Value)
	}
	return nil
}

func getter(fp fieldPath) (fn, bool) {
	off := fp.off
	if fp.isMap {
		key := fp.mapKey
		return fn{k: kString, s: func(p unsafe.Pointer) string {
			return (*(*map[string]string)(unsafe.Add(p, off)))[key]
		}}, true
	}
	switch kindOfType(fp.typ) {
	case kBool:
		return fn{k: kBool, b: func(p unsafe.Pointer) bool { return *(*bool)(unsafe.Add(p, off)) }}, true
	case kInt:
		return fn{k: kInt, i: func(p unsafe.Pointer) int { return *(*int)(unsafe.Add(p, off)) }}, true
	case kFloat:
		return fn{k: kFloat, f: func(p unsafe.Pointer) float64 { return *(*float64)(unsafe.Add(p, off)) }}, true
	case kString:
		return fn{k: kString, s: func(p unsafe.Pointer) string { return *(*string)(unsafe.Add(p, off)) }}, true
	case kTime:
		return fn{k: kTime, t: func(p unsafe.Pointer) time.Time { return *(*time.Time)(unsafe.Add(p, off)) }}, true
	}
	return fn{}, false
}

// fastCompiler translates one AST.
type fastCompiler struct {
	env reflect.Type
}

func constFn(v any) (fn, bool) {
	switch c := v.(type) {
	case bool:
		return fn{k: kBool, b: func(unsafe.Pointer) bool { return c }}, true
	case int:
		return fn{k: kInt, i: func(unsafe.Pointer) int { return c }}, true
	case float64:
		return fn{k: kFloat, f: func(unsafe.Pointer) float64 { return c }}, true
	case string:
		return fn{k: kString, s: func(unsafe.Pointer) string { return c }}, true
	case time.Time:
		return fn{k: kTime, t: func(unsafe.Pointer) time.Time { return c }}, true
	}
	return fn{}, false
}

func (c *fastCompiler) compile(n ast.Node) (fn, bool) {
	switch x := n.(type) {
	case *ast.BoolNode:
		return constFn(x.Value)
	case *ast.IntegerNode:
		if x.Type() != nil && x.Type().Kind() != reflect.Int {
			return fn{}, false
		}
		return constFn(x.Value)
	case *ast.FloatNode:
		return constFn(x.Value)
	case *ast.StringNode:
		return constFn(x.Value)
	case *ast.ConstantNode:
		return constFn(x.Value)
	case *ast.IdentifierNode, *ast.MemberNode:
		path := memberPath(n)
		if path == nil {
			return fn{}, false
		}
		fp, ok := resolvePath(c.env, path)
		if !ok {
			return fn{}, false
		}
		return getter(fp)
	case *ast.UnaryNode:
		return c.unary(x)
	case *ast.BinaryNode:
		return c.binary(x)
	case *ast.ConditionalNode:
		return c.conditional(x)
	case *ast.CallNode:
		return c.call(x)
	case *ast.BuiltinNode:
		return c.builtin(x)
	}
	return fn{}, false
}

func (c *fastCompiler) unary(x *ast.UnaryNode) (fn, bool) {
	a, ok := c.compile(x.Node)
	if !ok {
		return fn{}, false
	}
	switch {
	case (x.Operator == "!" || x.Operator == "not") && a.k == kBool:
		f := a.b
		return fn{k: kBool, b: func(p unsafe.Pointer) bool { return !f(p) }}, true
	case x.Operator == "-" && a.k == kInt:
		f := a.i
		return fn{k: kInt, i: func(p unsafe.Pointer) int { return -f(p) }}, true
	case x.Operator == "-" && a.k == kFloat:
		f := a.f
		return fn{k: kFloat, f: func(p unsafe.Pointer) float64 { return -f(p) }}, true
	case x.Operator == "+" && (a.k == kInt || a.k == kFloat):
		return a, true
	}
	return fn{}, false
}

func (c *fastCompiler) conditional(x *ast.ConditionalNode) (fn, bool) {
	cond, ok1 := c.compile(x.Cond)
	a, ok2 := c.compile(x.Exp1)
	b, ok3 := c.compile(x.Exp2)
	if !ok1 || !ok2 || !ok3 || cond.k != kBool || a.k != b.k {
		return fn{}, false
	}
	cf := cond.b
	switch a.k {
	case kBool:
		af, bf := a.b, b.b
		return fn{k: kBool, b: func(p unsafe.Pointer) bool {
			if cf(p) {
				return af(p)
			}
			return bf(p)
		}}, true
	case kInt:
		af, bf := a.i, b.i
		return fn{k: kInt, i: func(p unsafe.Pointer) int {
			if cf(p) {
				return af(p)
			}
			return bf(p)
		}}, true
	case kString:
		af, bf := a.s, b.s
		return fn{k: kString, s: func(p unsafe.Pointer) string {
			if cf(p) {
				return af(p)
			}
			return bf(p)
		}}, true
	}
	return fn{}, false
}

func (c *fastCompiler) call(x *ast.CallNode) (fn, bool) {
	id, ok := x.Callee.(*ast.IdentifierNode)
	if !ok {
		return fn{}, false
	}
	args := make([]fn, len(x.Arguments))
	for i, a := range x.Arguments {
		f, ok := c.compile(a)
		if !ok {
			return fn{}, false
		}
		args[i] = f
	}
	switch {
	case id.Value == "daysBetween" && len(args) == 2 && args[0].k == kTime && args[1].k == kTime:
		a, b := args[0].t, args[1].t
		return fn{k: kInt, i: func(p unsafe.Pointer) int { return daysBetween(a(p), b(p)) }}, true
	case id.Value == "addDays" && len(args) == 2 && args[0].k == kTime && args[1].k == kInt:
		a, b := args[0].t, args[1].i
		return fn{k: kTime, t: func(p unsafe.Pointer) time.Time { return a(p).AddDate(0, 0, b(p)) }}, true
	}
	return fn{}, false
}

func (c *fastCompiler) builtin(x *ast.BuiltinNode) (fn, bool) {
	if x.Name != "abs" || len(x.Arguments) != 1 {
		return fn{}, false
	}
	a, ok := c.compile(x.Arguments[0])
	if !ok {
		return fn{}, false
	}
	switch a.k {
	case kInt:
		f := a.i
		return fn{k: kInt, i: func(p unsafe.Pointer) int {
			if v := f(p); v < 0 {
				return -v
			} else {
				return v
			}
		}}, true
	case kFloat:
		f := a.f
		return fn{k: kFloat, f: func(p unsafe.Pointer) float64 {
			if v := f(p); v < 0 {
				return -v
			} else {
				return v
			}
		}}, true
	}
	return fn{}, false
}

func (c *fastCompiler) binary(x *ast.BinaryNode) (fn, bool) {
	// membership in a constant set, folded by expr's optimizer
	if x.Operator == "in" || x.Operator == "not in" {
		return c.in(x)
	}
	a, ok1 := c.compile(x.Left)
	b, ok2 := c.compile(x.Right)
	if !ok1 || !ok2 {
		return fn{}, false
	}
	op := x.Operator
	switch op {
	case "&&", "and", "||", "or":
		if a.k != kBool || b.k != kBool {
			return fn{}, false
		}
		af, bf := a.b, b.b
		if op == "&&" || op == "and" {
			return fn{k: kBool, b: func(p unsafe.Pointer) bool { return af(p) && bf(p) }}, true
		}
		return fn{k: kBool, b: func(p unsafe.Pointer) bool { return af(p) || bf(p) }}, true
	case "==", "!=", "<", "<=", ">", ">=":
		return compare(op, a, b)
	case "+", "-", "*":
		return arith(op, a, b)
	case "/":
		if (a.k != kInt && a.k != kFloat) || (b.k != kInt && b.k != kFloat) {
			return fn{}, false
		}
		af, bf := a.asFloat(), b.asFloat()
		return fn{k: kFloat, f: func(p unsafe.Pointer) float64 { return af(p) / bf(p) }}, true
	case "contains", "startsWith", "endsWith":
		if a.k != kString || b.k != kString {
			return fn{}, false
		}
		af, bf := a.s, b.s
		var f func(string, string) bool
		switch op {
		case "contains":
			f = strings.Contains
		case "startsWith":
			f = strings.HasPrefix
		default:
			f = strings.HasSuffix
		}
		return fn{k: kBool, b: func(p unsafe.Pointer) bool { return f(af(p), bf(p)) }}, true
	case "matches":
		lit, ok := x.Right.(*ast.StringNode)
		if !ok || a.k != kString {
			return fn{}, false
		}
		re, err := regexp.Compile(lit.Value)
		if err != nil {
			return fn{}, false
		}
		af := a.s
		return fn{k: kBool, b: func(p unsafe.Pointer) bool { return re.MatchString(af(p)) }}, true
	}
	return fn{}, false
}

func (c *fastCompiler) in(x *ast.BinaryNode) (fn, bool) {
	a, ok := c.compile(x.Left)
	if !ok {
		return fn{}, false
	}
	cn, ok := x.Right.(*ast.ConstantNode)
	if !ok {
		return fn{}, false
	}
	neg := x.Operator == "not in"
	switch set := cn.Value.(type) {
	case map[string]struct{}:
		if a.k != kString {
			return fn{}, false
		}
		af := a.s
		return fn{k: kBool, b: func(p unsafe.Pointer) bool { _, ok := set[af(p)]; return ok != neg }}, true
	case map[int]struct{}:
		if a.k != kInt {
			return fn{}, false
		}
		af := a.i
		return fn{k: kBool, b: func(p unsafe.Pointer) bool { _, ok := set[af(p)]; return ok != neg }}, true
	}
	return fn{}, false
}

func compare(op string, a, b fn) (fn, bool) {
	k := a.k
	if a.k != b.k {
		if (a.k == kInt || a.k == kFloat) && (b.k == kInt || b.k == kFloat) {
			k = kFloat
		} else {
			return fn{}, false
		}
	}
	var r func(unsafe.Pointer) bool
	switch k {
	case kInt:
		af, bf := a.i, b.i
		switch op {
		case "==":
			r = func(p unsafe.Pointer) bool { return af(p) == bf(p) }
		case "!=":
			r = func(p unsafe.Pointer) bool { return af(p) != bf(p) }
		case "<":
			r = func(p unsafe.Pointer) bool { return af(p) < bf(p) }
		case "<=":
			r = func(p unsafe.Pointer) bool { return af(p) <= bf(p) }
		case ">":
			r = func(p unsafe.Pointer) bool { return af(p) > bf(p) }
		case ">=":
			r = func(p unsafe.Pointer) bool { return af(p) >= bf(p) }
		}
	case kFloat:
		af, bf := a.asFloat(), b.asFloat()
		switch op {
		case "==":
			r = func(p unsafe.Pointer) bool { return af(p) == bf(p) }
		case "!=":
			r = func(p unsafe.Pointer) bool { return af(p) != bf(p) }
		case "<":
			r = func(p unsafe.Pointer) bool { return af(p) < bf(p) }
		case "<=":
			r = func(p unsafe.Pointer) bool { return af(p) <= bf(p) }
		case ">":
			r = func(p unsafe.Pointer) bool { return af(p) > bf(p) }
		case ">=":
			r = func(p unsafe.Pointer) bool { return af(p) >= bf(p) }
		}
	case kString:
		af, bf := a.s, b.s
		switch op {
		case "==":
			r = func(p unsafe.Pointer) bool { return af(p) == bf(p) }
		case "!=":
			r = func(p unsafe.Pointer) bool { return af(p) != bf(p) }
		case "<":
			r = func(p unsafe.Pointer) bool { return af(p) < bf(p) }
		case "<=":
			r = func(p unsafe.Pointer) bool { return af(p) <= bf(p) }
		case ">":
			r = func(p unsafe.Pointer) bool { return af(p) > bf(p) }
		case ">=":
			r = func(p unsafe.Pointer) bool { return af(p) >= bf(p) }
		}
	case kBool:
		af, bf := a.b, b.b
		switch op {
		case "==":
			r = func(p unsafe.Pointer) bool { return af(p) == bf(p) }
		case "!=":
			r = func(p unsafe.Pointer) bool { return af(p) != bf(p) }
		}
	case kTime:
		af, bf := a.t, b.t
		switch op {
		case "==":
			r = func(p unsafe.Pointer) bool { return af(p).Equal(bf(p)) }
		case "!=":
			r = func(p unsafe.Pointer) bool { return !af(p).Equal(bf(p)) }
		case "<":
			r = func(p unsafe.Pointer) bool { return af(p).Before(bf(p)) }
		case "<=":
			r = func(p unsafe.Pointer) bool { return !af(p).After(bf(p)) }
		case ">":
			r = func(p unsafe.Pointer) bool { return af(p).After(bf(p)) }
		case ">=":
			r = func(p unsafe.Pointer) bool { return !af(p).Before(bf(p)) }
		}
	}
	if r == nil {
		return fn{}, false
	}
	return fn{k: kBool, b: r}, true
}

func arith(op string, a, b fn) (fn, bool) {
	if a.k == kString && b.k == kString && op == "+" {
		af, bf := a.s, b.s
		return fn{k: kString, s: func(p unsafe.Pointer) string { return af(p) + bf(p) }}, true
	}
	if a.k == kInt && b.k == kInt {
		af, bf := a.i, b.i
		switch op {
		case "+":
			return fn{k: kInt, i: func(p unsafe.Pointer) int { return af(p) + bf(p) }}, true
		case "-":
			return fn{k: kInt, i: func(p unsafe.Pointer) int { return af(p) - bf(p) }}, true
		default:
			return fn{k: kInt, i: func(p unsafe.Pointer) int { return af(p) * bf(p) }}, true
		}
	}
	if (a.k == kInt || a.k == kFloat) && (b.k == kInt || b.k == kFloat) {
		af, bf := a.asFloat(), b.asFloat()
		switch op {
		case "+":
			return fn{k: kFloat, f: func(p unsafe.Pointer) float64 { return af(p) + bf(p) }}, true
		case "-":
			return fn{k: kFloat, f: func(p unsafe.Pointer) float64 { return af(p) - bf(p) }}, true
		default:
			return fn{k: kFloat, f: func(p unsafe.Pointer) float64 { return af(p) * bf(p) }}, true
		}
	}
	return fn{}, false
}

// daysBetween counts calendar days from a to b (b − a), each taken as the
// civil date in its own location.
func daysBetween(a, b time.Time) int {
	ay, am, ad := a.Date()
	by, bm, bd := b.Date()
	ta := time.Date(ay, am, ad, 0, 0, 0, 0, time.UTC)
	tb := time.Date(by, bm, bd, 0, 0, 0, 0, time.UTC)
	return int(tb.Sub(ta).Hours() / 24)
}
