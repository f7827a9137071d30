package engine

import (
	"errors"
	"fmt"
	"reflect"
	"regexp"

	"strings"
	"sync"
	"time"
	"unsafe"

	"github.com/expr-lang/expr"
	"github.com/expr-lang/expr/ast"
	"github.com/expr-lang/expr/checker"
	"github.com/expr-lang/expr/compiler"
	"github.com/expr-lang/expr/conf"
	"github.com/expr-lang/expr/file"
	"github.com/expr-lang/expr/optimizer"
	"github.com/expr-lang/expr/parser"
	"github.com/expr-lang/expr/vm"
	"gopkg.in/yaml.v3"

	"github.com/recoup/recoup/money"
)

// MaxExprNodes bounds the size of one expression.
const MaxExprNodes = 500

// Expr is an expression written in a definition, compiled at load time
// against the typed environment of where it appears.
type Expr struct {
	Src string
	Pos
	src  scalarSrc
	prog *program
}

func (x *Expr) decodeNode(d *decoder, n *yaml.Node) {
	x.Pos = posOf(n)
	x.src = newScalarSrc(d.file, n)
	if n.Kind != yaml.ScalarNode || isNull(n) {
		d.errorf(n, "expected an expression, got %s", kindName(n))
		return
	}
	if strings.TrimSpace(n.Value) == "" {
		d.errorf(n, "empty expression")
		return
	}
	x.Src = n.Value
}

// posAt maps a rune offset inside the expression to its file position.
func (x *Expr) posAt(offset int) Pos {
	if x.src.file == nil {
		return x.Pos
	}
	return x.src.pos(x.Src, offset)
}

// exprEnv is a compile environment: a struct type and how to name it.
type exprEnv struct {
	name   string
	typ    reflect.Type
	sample any
	// friendly maps Go type strings in expr messages to the names users write.
	friendly map[string]string
	// fields lists expr field names per friendly name, for suggestions.
	fields map[string][]string
	// roots lists the top-level names.
	roots []string
	opts  []expr.Option
}

var functionNames = []string{"money", "daysBetween", "addDays"}

// Builtins of expr most likely to be misspelled; used for suggestions only.
var builtinNames = []string{"abs", "all", "any", "ceil", "count", "date", "duration", "filter", "first", "floor", "int", "last", "len", "lower", "map", "max", "min", "none", "now", "one", "round", "string", "trim", "upper"}

func newExprEnv(name string, typ reflect.Type, friendly map[reflect.Type]string) *exprEnv {
	e := &exprEnv{name: name, typ: typ, sample: reflect.New(typ).Elem().Interface(), friendly: map[string]string{}, fields: map[string][]string{}}
	for t, n := range friendly {
		e.friendly[t.String()] = n
		e.fields[n] = tagNames(t)
	}
	e.roots = tagNames(typ)
	e.opts = []expr.Option{
		expr.Env(e.sample),
		expr.MaxNodes(MaxExprNodes),
		// now() would read the wall clock: evaluation must be deterministic
		// for a tick's fixed now
		expr.DisableBuiltin("now"),
		expr.Function("money", moneyFunc, new(func(string) int)),
		expr.Function("daysBetween", func(p ...any) (any, error) {
			return daysBetween(p[0].(time.Time), p[1].(time.Time)), nil
		}, new(func(time.Time, time.Time) int)),
		expr.Function("addDays", func(p ...any) (any, error) {
			return p[0].(time.Time).AddDate(0, 0, p[1].(int)), nil
		}, new(func(time.Time, int) time.Time)),
	}
	return e
}

func tagNames(t reflect.Type) []string {
	var out []string
	for i := 0; i < t.NumField(); i++ {
		if n := t.Field(i).Tag.Get("expr"); n != "" {
			out = append(out, n)
		}
	}
	return out
}

func moneyFunc(p ...any) (any, error) {
	m, err := money.Parse(p[0].(string))
	if err != nil {
		return nil, err
	}
	return int(m.Minor), nil
}

var (
	ruleEnvOnce sync.Once
	ruleEnvVal  *exprEnv
)

// ruleEnv is the environment of rule and workflow expressions.
func ruleEnv() *exprEnv {
	ruleEnvOnce.Do(func() {
		ruleEnvVal = newExprEnv("rule", reflect.TypeFor[Env](), map[reflect.Type]string{
			reflect.TypeFor[Env]():         "env",
			reflect.TypeFor[InvoiceEnv]():  "invoice",
			reflect.TypeFor[CustomerEnv](): "customer",
			reflect.TypeFor[PaymentsEnv](): "payments",
		})
	})
	return ruleEnvVal
}

// moneyFolder replaces money("100.00 CNY") with its minor units at compile
// time, reporting malformed amounts as compile errors.
type moneyFolder struct{ err *file.Error }

func (m *moneyFolder) Visit(node *ast.Node) {
	call, ok := (*node).(*ast.CallNode)
	if !ok || m.err != nil {
		return
	}
	id, ok := call.Callee.(*ast.IdentifierNode)
	if !ok || id.Value != "money" || len(call.Arguments) != 1 {
		return
	}
	s, ok := call.Arguments[0].(*ast.StringNode)
	if !ok {
		return
	}
	v, err := money.Parse(s.Value)
	if err != nil {
		m.err = &file.Error{Location: s.Location(), Message: err.Error()}
		return
	}
	ast.Patch(node, &ast.IntegerNode{Value: int(v.Minor)})
}

// program is a compiled expression.
type program struct {
	vm    *vm.Program
	fast  fn
	reads []reader
	out   vkind
	owed  bool // false without error while invoice.balance <= 0 (see OwedOnly)
}

// reader captures one value an expression reads, for traces.
type reader struct {
	name string
	get  fn
}

// compileExpr compiles x against env; want is the required result kind
// (kNone: any). Errors are positioned inside the file.
func compileExpr(x *Expr, env *exprEnv, want vkind, what string) *Error {
	if x == nil || x.Src == "" {
		return nil
	}
	cfg := conf.CreateNew()
	for _, op := range env.opts {
		op(cfg)
	}
	mf := &moneyFolder{}
	cfg.Visitors = append(cfg.Visitors, mf)
	cfg.Check()
	tree, err := parseCheck(x.Src, cfg)
	if mf.err != nil {
		return x.exprError(env, mf.err)
	}
	if err != nil {
		return x.exprError(env, err)
	}
	got := kindOfType(tree.Node.Type())
	if want != kNone && got != want && tree.Node.Type() != nil && tree.Node.Type().Kind() != reflect.Interface {
		return x.errorAt(0, fmt.Sprintf("%s must be %s, but this expression is %s", what, kindWord(want), typeWord(tree.Node.Type(), env)))
	}
	if err := optimize(&tree.Node, cfg); err != nil {
		return x.exprError(env, err)
	}
	p, err := compiler.Compile(tree, cfg)
	if err != nil {
		return x.exprError(env, err)
	}
	prog := &program{vm: p, out: want}
	fc := &fastCompiler{env: env.typ}
	if f, ok := fc.compile(tree.Node); ok && (want == kNone || f.k == want) {
		prog.fast = f
	}
	prog.reads = collectReads(tree.Node, env.typ)
	prog.owed = want == kBool && impliesOwed(tree.Node)
	x.prog = prog
	return nil
}

// parseCheck guards expr's parser and checker against panics on odd input.
func parseCheck(src string, cfg *conf.Config) (tree *parser.Tree, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("invalid expression: %v", r)
		}
	}()
	return checker.ParseCheck(src, cfg)
}

func optimize(n *ast.Node, cfg *conf.Config) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("invalid expression: %v", r)
		}
	}()
	return optimizer.Optimize(n, cfg)
}

func kindWord(k vkind) string {
	switch k {
	case kBool:
		return "a boolean (true/false)"
	case kInt:
		return "an integer"
	case kFloat:
		return "a number"
	case kString:
		return "a string"
	case kTime:
		return "a date or time"
	}
	return "a value"
}

func typeWord(t reflect.Type, env *exprEnv) string {
	if n, ok := env.friendly[t.String()]; ok {
		return "the object " + n
	}
	switch kindOfType(t) {
	case kBool:
		return "a boolean"
	case kInt:
		return "an integer"
	case kFloat:
		return "a number"
	case kString:
		return "a string"
	case kTime:
		return "a date or time"
	}
	return t.String()
}

var (
	reNoField     = regexp.MustCompile(`^type (.+) has no field (\S+)$`)
	reUnknownName = regexp.MustCompile(`^unknown name (\S+)$`)
)

func (x *Expr) errorAt(offset int, msg string) *Error {
	p := x.posAt(offset)
	line := ""
	if x.src.file != nil {
		line = x.src.file.line(p.Line)
	}
	file := ""
	if x.src.file != nil {
		file = x.src.file.name
	}
	return &Error{File: file, Line: p.Line, Col: p.Col, Msg: msg, srcLine: line}
}

// exprError maps an expr error to the file and rewrites its message in the
// names users write, with a suggestion for a misspelled field or name.
func (x *Expr) exprError(env *exprEnv, err error) *Error {
	var fe *file.Error
	if !errors.As(err, &fe) {
		return x.errorAt(0, err.Error())
	}
	offset := fe.From
	if fe.Line > 0 {
		offset = lineColOffset(x.Src, fe.Line, fe.Column)
	}
	msg := fe.Message
	if m := reNoField.FindStringSubmatch(msg); m != nil {
		owner := m[1]
		if n, ok := env.friendly[owner]; ok {
			msg = fmt.Sprintf("%s has no field %q%s", n, m[2], didYouMean(m[2], env.fields[n]))
			// point at the field name rather than at the dot
			if i := strings.Index(runeSlice(x.Src, offset), m[2]); i >= 0 && i < 4 {
				offset += len([]rune(runeSlice(x.Src, offset)[:i]))
			}
		} else {
			msg = fmt.Sprintf("%s has no field %q", owner, m[2])
		}
	} else if m := reUnknownName.FindStringSubmatch(msg); m != nil {
		cands := append(append(append([]string{}, env.roots...), functionNames...), builtinNames...)
		msg = fmt.Sprintf("unknown name %q%s", m[1], didYouMean(m[1], cands))
	} else if rest := runeSlice(x.Src, offset); strings.HasSuffix(msg, "is not callable") && strings.HasPrefix(rest, "now(") || strings.HasPrefix(rest, "today(") {
		name, _, _ := strings.Cut(rest, "(")
		msg = fmt.Sprintf("%s is a value, not a function: write %s (the tick's fixed time), without parentheses", name, name)
	} else {
		for goName, n := range env.friendly {
			msg = strings.ReplaceAll(msg, goName, n)
		}
	}
	return x.errorAt(offset, msg)
}

func runeSlice(s string, from int) string {
	r := []rune(s)
	if from > len(r) {
		return ""
	}
	return string(r[from:])
}

// lineColOffset converts expr's 1-based line and 0-based column to a rune offset.
func lineColOffset(src string, line, col int) int {
	off, l := 0, 1
	for _, r := range src {
		if l == line {
			break
		}
		if r == '\n' {
			l++
		}
		off++
	}
	return off + col
}

// collectReads lists the environment values an expression reads, in order
// of appearance, for traces.
func collectReads(n ast.Node, env reflect.Type) []reader {
	var out []reader
	seen := map[string]bool{}
	var walk func(n ast.Node)
	walk = func(n ast.Node) {
		if n == nil {
			return
		}
		if path := memberPath(n); path != nil {
			if fp, ok := resolvePath(env, path); ok {
				if g, ok := getter(fp); ok {
					if !seen[fp.name] {
						seen[fp.name] = true
						out = append(out, reader{name: fp.name, get: g})
					}
					return
				}
			}
		}
		switch x := n.(type) {
		case *ast.UnaryNode:
			walk(x.Node)
		case *ast.BinaryNode:
			walk(x.Left)
			walk(x.Right)
		case *ast.ChainNode:
			walk(x.Node)
		case *ast.MemberNode:
			walk(x.Node)
			walk(x.Property)
		case *ast.SliceNode:
			walk(x.Node)
			walk(x.From)
			walk(x.To)
		case *ast.CallNode:
			walk(x.Callee)
			for _, a := range x.Arguments {
				walk(a)
			}
		case *ast.BuiltinNode:
			for _, a := range x.Arguments {
				walk(a)
			}
		case *ast.PredicateNode:
			walk(x.Node)
		case *ast.ConditionalNode:
			walk(x.Cond)
			walk(x.Exp1)
			walk(x.Exp2)
		case *ast.VariableDeclaratorNode:
			walk(x.Value)
			walk(x.Expr)
		case *ast.SequenceNode:
			for _, a := range x.Nodes {
				walk(a)
			}
		case *ast.ArrayNode:
			for _, a := range x.Nodes {
				walk(a)
			}
		case *ast.MapNode:
			for _, a := range x.Pairs {
				walk(a)
			}
		case *ast.PairNode:
			walk(x.Key)
			walk(x.Value)
		}
	}
	walk(n)
	return out
}

// ErrExprType is returned when an expression evaluates to an unexpected type.
var ErrExprType = errors.New("expression returned an unexpected type")

// evalBool runs a boolean program on env (a pointer to the env struct).
func (p *program) evalBool(env unsafe.Pointer, envAny any, m *vm.VM) (bool, error) {
	if p.fast.b != nil {
		return p.fast.b(env), nil
	}
	out, err := m.Run(p.vm, envAny)
	if err != nil {
		return false, err
	}
	b, ok := out.(bool)
	if !ok {
		return false, fmt.Errorf("%w: want bool, got %T", ErrExprType, out)
	}
	return b, nil
}

// evalString runs a string program.
func (p *program) evalString(env unsafe.Pointer, envAny any, m *vm.VM) (string, error) {
	if p.fast.s != nil {
		return p.fast.s(env), nil
	}
	out, err := m.Run(p.vm, envAny)
	if err != nil {
		return "", err
	}
	s, ok := out.(string)
	if !ok {
		return "", fmt.Errorf("%w: want string, got %T", ErrExprType, out)
	}
	return s, nil
}

// evalAny runs a program through the VM (used by tests and previews).
func (p *program) evalAny(envAny any) (any, error) {
	return vm.Run(p.vm, envAny)
}
