package engine

import (
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"math"
	"reflect"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/expr-lang/expr/vm"

	"github.com/recoup/recoup/calendar"
	"github.com/recoup/recoup/money"
)

// Form is a compiled Form document.
type Form struct {
	Name    string
	Version int
	Doc     *Document
	Spec    *FormSpec
	// OutcomeField is the enum field whose value routes a task or approval
	// ("" when the form has none).
	OutcomeField string

	valuesType reflect.Type // struct of the field values, expr-tagged
	env        *exprEnv     // {form, now, today}
	index      map[string]int
	limits     []fieldLimits
	outOnce    sync.Once
	outEnv     *exprEnv
	// checkReads lists, per Spec.Validate rule, the fields it reads: a rule
	// is evaluated whenever none of them has an error.
	checkReads [][]string
	// needsSubject: a bound reads the invoice, customer or payments, or a
	// money field takes the invoice's currency.
	needsSubject bool
}

// NeedsSubject reports whether validating a submission reads the subject
// (ValidateFor's env): a bound such as max: invoice.balance, or a money
// field without a currency of its own, which must be in the invoice's.
func (f *Form) NeedsSubject() bool { return f.needsSubject }

// bound is a min or max written as an expression (max: invoice.balance,
// min: today), evaluated against the subject at each submission.
type bound struct {
	x       *Expr
	subject bool // reads the invoice, customer or payments
}

type fieldLimits struct {
	min, max     *float64 // number, length of strings
	minI, maxI   *int64   // money minor units
	minD, maxD   *time.Time
	pattern      *regexp.Regexp
	def          any
	requiredIf   *program
	currency     string
	optionValues []string
	minX, maxX   *bound
	negative     bool // a money field whose min allows amounts below zero
	integer      bool // an integer field: int values are counts, not minor units
}

// Outcomes returns the values of the outcome field, in order.
func (f *Form) Outcomes() []string {
	if f.OutcomeField == "" {
		return nil
	}
	return f.limits[f.index[f.OutcomeField]].optionValues
}

func fieldGoType(t FieldType) reflect.Type {
	switch t {
	case FieldNumber:
		return reflect.TypeFor[float64]()
	case FieldInteger, FieldMoney:
		return reflect.TypeFor[int]()
	case FieldDate, FieldDateTime:
		return timeType
	case FieldBool:
		return reflect.TypeFor[bool]()
	}
	return reflect.TypeFor[string]()
}

// formEnvType returns struct{Form V `expr:"form"`; Now; Today}.
func formEnvType(values reflect.Type) reflect.Type {
	return reflect.StructOf([]reflect.StructField{
		{Name: "Form", Type: values, Tag: `expr:"form"`},
		{Name: "Now", Type: timeType, Tag: `expr:"now"`},
		{Name: "Today", Type: timeType, Tag: `expr:"today"`},
	})
}

// outcomeEnvType returns Env's fields plus form, for workflow outcome routes.
func outcomeEnvType(values reflect.Type) reflect.Type {
	base := reflect.TypeFor[Env]()
	fields := make([]reflect.StructField, 0, base.NumField()+1)
	for i := 0; i < base.NumField(); i++ {
		f := base.Field(i)
		fields = append(fields, reflect.StructField{Name: f.Name, Type: f.Type, Tag: f.Tag})
	}
	fields = append(fields, reflect.StructField{Name: "Form", Type: values, Tag: `expr:"form"`})
	return reflect.StructOf(fields)
}

// compileForm checks a form document and builds its types.
func compileForm(doc *Document, add func(*Error)) *Form {
	spec := doc.Form
	f := &Form{Name: doc.Metadata.Name.Value, Version: doc.Version, Doc: doc, Spec: spec, index: map[string]int{}}
	var sf []reflect.StructField
	errAt := func(p Pos, format string, args ...any) { add(docError(doc, p, fmt.Sprintf(format, args...))) }
	for i := range spec.Fields {
		fd := &spec.Fields[i]
		if fd.Name.Value == "" {
			continue
		}
		if first, dup := f.index[fd.Name.Value]; dup {
			errAt(fd.Name.Pos, "duplicate field %q (first defined on line %d)", fd.Name.Value, spec.Fields[first].Name.Line)
			continue
		}
		f.index[fd.Name.Value] = i
		sf = append(sf, reflect.StructField{Name: "F" + strconv.Itoa(i), Type: fieldGoType(fd.Type), Tag: reflect.StructTag(`expr:"` + fd.Name.Value + `"`)})
	}
	f.valuesType = reflect.StructOf(sf)
	f.env = newExprEnv("form", formEnvType(f.valuesType), map[reflect.Type]string{f.valuesType: "form"})
	f.limits = make([]fieldLimits, len(spec.Fields))
	for i := range spec.Fields {
		fd := &spec.Fields[i]
		lim := &f.limits[i]
		if fd.Type == "" {
			continue
		}
		lim.integer = fd.Type == FieldInteger
		if fd.Type == FieldEnum {
			if len(fd.Options) == 0 {
				errAt(fd.Name.Pos, "enum field %q needs options", fd.Name.Value)
			}
			seen := map[string]bool{}
			for _, o := range fd.Options {
				if seen[o.Value.Value] {
					errAt(o.Value.Pos, "duplicate option %q", o.Value.Value)
				}
				seen[o.Value.Value] = true
				lim.optionValues = append(lim.optionValues, o.Value.Value)
			}
		} else if len(fd.Options) > 0 {
			errAt(fd.Options[0].Value.Pos, "options are only allowed on enum fields")
		}
		if fd.Role != "" && fd.Type != FieldUser {
			errAt(fd.Name.Pos, "role is only allowed on user fields")
		}
		if fd.Type == FieldMoney {
			lim.currency = fd.Currency
			if fd.Currency != "" && !money.ValidCurrency(fd.Currency) {
				errAt(fd.Name.Pos, "unknown currency %q", fd.Currency)
			}
		} else if fd.Currency != "" {
			errAt(fd.Name.Pos, "currency is only allowed on money fields")
		}
		if fd.Pattern != "" {
			if fd.Type != FieldString && fd.Type != FieldText {
				errAt(fd.Name.Pos, "pattern is only allowed on string and text fields")
			} else if re, err := regexp.Compile("^(?:" + fd.Pattern + ")$"); err != nil {
				errAt(fd.Name.Pos, "invalid pattern: %v", err)
			} else {
				lim.pattern = re
			}
		}
		for _, b := range []struct {
			lit  Literal
			what string
		}{{fd.Min, "min"}, {fd.Max, "max"}} {
			if !b.lit.Set {
				continue
			}
			if isBoundExpr(fd.Type, b.lit) {
				x := &Expr{Src: b.lit.Value, Pos: b.lit.Pos, src: b.lit.src}
				want := map[FieldType]vkind{FieldNumber: kNone, FieldInteger: kInt, FieldMoney: kInt, FieldDate: kTime}[fd.Type]
				if e := compileExpr(x, ruleEnv(), want, fd.Name.Value+"'s "+b.what); e != nil {
					add(e)
					continue
				}
				if k := kindOfType(reflectTypeOfProgram(x)); fd.Type == FieldNumber && k != kInt && k != kFloat {
					errAt(b.lit.Pos, "%s of a number field must be a number expression", b.what)
					continue
				}
				bd := &bound{x: x, subject: readsSubject.MatchString(x.Src)}
				f.needsSubject = f.needsSubject || bd.subject
				if b.what == "min" {
					lim.minX = bd
					lim.negative = true // the expression decides
				} else {
					lim.maxX = bd
				}
				continue
			}
			switch fd.Type {
			case FieldNumber, FieldString, FieldText:
				v, err := strconv.ParseFloat(b.lit.Value, 64)
				if err != nil || b.lit.Tag == "!!str" {
					errAt(b.lit.Pos, "%s of a %s field must be a number", b.what, fd.Type)
					continue
				}
				if b.what == "min" {
					lim.min = &v
				} else {
					lim.max = &v
				}
			case FieldInteger:
				v, err := strconv.ParseInt(b.lit.Value, 10, 64)
				if err != nil || b.lit.Tag == "!!str" {
					errAt(b.lit.Pos, "%s of an integer field must be a whole number or an expression", b.what)
					continue
				}
				if b.what == "min" {
					lim.minI = &v
				} else {
					lim.maxI = &v
				}
			case FieldMoney:
				v, err := parseFormMoney(b.lit.Value, fd.Currency)
				if err != nil {
					errAt(b.lit.Pos, "%s: %v", b.what, err)
					continue
				}
				if b.what == "min" {
					lim.minI = &v
					lim.negative = v < 0
				} else {
					lim.maxI = &v
				}
			case FieldDate:
				d, err := calendar.Parse(b.lit.Value)
				if err != nil {
					errAt(b.lit.Pos, "%s: %v", b.what, err)
					continue
				}
				t := dateTime(d)
				if b.what == "min" {
					lim.minD = &t
				} else {
					lim.maxD = &t
				}
			default:
				errAt(b.lit.Pos, "%s is not allowed on %s fields", b.what, fd.Type)
			}
		}
		if fd.Type == FieldMoney && fd.Currency == "" {
			f.needsSubject = true // the invoice's currency
		}
		if fd.Default.Set {
			v, err := normalizeValue(fd, lim, literalAny(fd.Default))
			if err != nil {
				errAt(fd.Default.Pos, "default: %v", err)
			} else {
				lim.def = v
			}
		}
		if fd.RequiredIf != nil {
			if e := compileExpr(fd.RequiredIf, f.env, kBool, "required_if"); e != nil {
				add(e)
			} else {
				lim.requiredIf = fd.RequiredIf.prog
			}
		}
	}
	f.checkReads = make([][]string, len(spec.Validate))
	for i := range spec.Validate {
		c := &spec.Validate[i]
		if e := compileExpr(&c.Expr, f.env, kBool, "a validate expression"); e != nil {
			add(e)
		}
		for _, m := range formRead.FindAllStringSubmatch(c.Expr.Src, -1) {
			if !slices.Contains(f.checkReads[i], m[1]) {
				f.checkReads[i] = append(f.checkReads[i], m[1])
			}
		}
		if c.Field.Value != "" {
			if _, ok := f.index[c.Field.Value]; !ok {
				errAt(c.Field.Pos, "unknown field %q%s", c.Field.Value, didYouMean(c.Field.Value, f.fieldNames()))
			}
		}
	}
	switch of := spec.OutcomeField.Value; {
	case of != "":
		i, ok := f.index[of]
		if !ok {
			errAt(spec.OutcomeField.Pos, "unknown field %q%s", of, didYouMean(of, f.fieldNames()))
		} else if spec.Fields[i].Type != FieldEnum {
			errAt(spec.OutcomeField.Pos, "outcome_field %q must be an enum field", of)
		} else {
			f.OutcomeField = of
		}
	default:
		for _, name := range []string{"outcome", "decision"} {
			if i, ok := f.index[name]; ok && spec.Fields[i].Type == FieldEnum {
				f.OutcomeField = name
				break
			}
		}
	}
	return f
}

var (
	// readsSubject matches an expression that reads the subject.
	readsSubject = regexp.MustCompile(`\b(invoice|customer|payments)\b`)
	// formRead matches a form field an expression reads.
	formRead = regexp.MustCompile(`\bform\.([a-z][a-z0-9_]*)`)
)

// isBoundExpr reports whether a min or max of a field of type t is an
// expression rather than a constant: it starts with a letter or a
// parenthesis (invoice.balance, today, (invoice.amount * 2)), where
// constants start with a digit or a sign (100, -5.00 CNY, 2026-01-01).
func isBoundExpr(t FieldType, l Literal) bool {
	switch t {
	case FieldNumber, FieldInteger, FieldMoney, FieldDate:
	default:
		return false
	}
	v := strings.TrimSpace(l.Value)
	return v != "" && l.Tag == "!!str" && (v[0] == '(' || v[0] == '_' || (v[0]|0x20 >= 'a' && v[0]|0x20 <= 'z'))
}

// reflectTypeOfProgram is the result type of a compiled bound.
func reflectTypeOfProgram(x *Expr) reflect.Type {
	if x.prog == nil || x.prog.vm == nil || x.prog.vm.Node() == nil {
		return nil
	}
	return x.prog.vm.Node().Type()
}

func (f *Form) fieldNames() []string {
	out := make([]string, 0, len(f.Spec.Fields))
	for _, fd := range f.Spec.Fields {
		out = append(out, fd.Name.Value)
	}
	return out
}

func literalAny(l Literal) any {
	switch l.Tag {
	case "!!bool":
		return l.Value == "true"
	case "!!int", "!!float":
		v, _ := strconv.ParseFloat(l.Value, 64)
		return v
	}
	return l.Value
}

func parseFormMoney(s, currency string) (int64, error) {
	if strings.Contains(strings.TrimSpace(s), " ") {
		m, err := money.Parse(s)
		if err != nil {
			return 0, err
		}
		if currency != "" && m.Currency != currency {
			return 0, fmt.Errorf("currency %s, want %s", m.Currency, currency)
		}
		return m.Minor, nil
	}
	if currency == "" {
		return 0, fmt.Errorf("amount %q needs a currency, e.g. \"%s CNY\"", s, s)
	}
	return money.ParseMinor(s, currency)
}

// normalizeValue converts a submitted value (as decoded from JSON) to the
// field's expression type and checks type-level constraints.
func normalizeValue(fd *FormField, lim *fieldLimits, v any) (any, error) {
	return normalizeValueIn(fd, lim, v, "")
}

// normalizeValueIn is normalizeValue for a subject invoice in currency (""
// when unknown): a money field without a currency of its own must be in
// the invoice's.
func normalizeValueIn(fd *FormField, lim *fieldLimits, v any, currency string) (any, error) {
	switch fd.Type {
	case FieldString, FieldText, FieldUser, FieldRole, FieldEnum:
		s, ok := v.(string)
		if !ok {
			return nil, fmt.Errorf("must be text")
		}
		switch fd.Type {
		case FieldEnum:
			for _, o := range lim.optionValues {
				if o == s {
					return s, nil
				}
			}
			return nil, fmt.Errorf("must be one of %s", strings.Join(lim.optionValues, ", "))
		case FieldRole:
			if _, err := ParseRole(s); err != nil {
				return nil, err
			}
		}
		return s, nil
	case FieldNumber:
		switch n := v.(type) {
		case float64:
			return n, nil
		case int:
			return float64(n), nil
		case json.Number:
			return n.Float64()
		case string:
			f, err := strconv.ParseFloat(n, 64)
			if err != nil {
				return nil, fmt.Errorf("must be a number")
			}
			return f, nil
		}
		return nil, fmt.Errorf("must be a number")
	case FieldInteger:
		var i int64
		var err error
		switch n := v.(type) {
		case float64:
			if n != math.Trunc(n) {
				return nil, fmt.Errorf("must be a whole number, got %v", n)
			}
			if n >= 9.2e18 || n <= -9.2e18 {
				return nil, fmt.Errorf("%v is out of range", n)
			}
			i = int64(n)
		case int:
			i = int64(n)
		case json.Number:
			i, err = parseInteger(n.String())
		case string:
			i, err = parseInteger(n)
		default:
			err = fmt.Errorf("must be a whole number")
		}
		if err != nil {
			return nil, err
		}
		return int(i), nil
	case FieldMoney:
		s, ok := v.(string)
		if !ok {
			if n, isNum := v.(json.Number); isNum {
				s = n.String()
			} else {
				return nil, fmt.Errorf("must be an amount written as text, e.g. \"100.00\"")
			}
		}
		m, err := parseFormMoney(s, lim.currency)
		if err != nil {
			return nil, err
		}
		if lim.currency == "" && currency != "" {
			if _, cur, _ := strings.Cut(strings.TrimSpace(s), " "); strings.ToUpper(strings.TrimSpace(cur)) != currency {
				return nil, fmt.Errorf("must be in the invoice's currency %s, got %q", currency, s)
			}
		}
		switch {
		case m < 0 && !lim.negative:
			return nil, fmt.Errorf("must not be negative, got %q", s)
		case m > money.MaxMinor || m < -money.MaxMinor:
			return nil, fmt.Errorf("%q is beyond the largest amount recoup accepts (%d minor units)", s, money.MaxMinor)
		}
		return int(m), nil
	case FieldDate:
		s, ok := v.(string)
		if !ok {
			return nil, fmt.Errorf("must be a date YYYY-MM-DD")
		}
		d, err := calendar.Parse(s)
		if err != nil {
			return nil, fmt.Errorf("must be a date YYYY-MM-DD")
		}
		return dateTime(d), nil
	case FieldDateTime:
		s, ok := v.(string)
		if !ok {
			return nil, fmt.Errorf("must be a date and time (RFC 3339)")
		}
		t, err := time.Parse(time.RFC3339, s)
		if err != nil {
			return nil, fmt.Errorf("must be a date and time (RFC 3339)")
		}
		return t, nil
	case FieldBool:
		b, ok := v.(bool)
		if !ok {
			return nil, fmt.Errorf("must be true or false")
		}
		return b, nil
	}
	return nil, fmt.Errorf("unsupported field type %s", fd.Type)
}

// parseInteger reads a whole number written in decimal ("3", "-2").
func parseInteger(s string) (int64, error) {
	i, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
	if err != nil {
		if _, ferr := strconv.ParseFloat(strings.TrimSpace(s), 64); ferr == nil && !errors.Is(err, strconv.ErrRange) {
			return 0, fmt.Errorf("must be a whole number, got %s", s)
		}
		if errors.Is(err, strconv.ErrRange) {
			return 0, fmt.Errorf("%s is out of range", s)
		}
		return 0, fmt.Errorf("must be a whole number")
	}
	return i, nil
}

// FieldError is one problem with a submitted form; Field is "" for a
// problem with the form as a whole.
type FieldError struct {
	Field   string `json:"field"`
	Message string `json:"message"`
}

var requiredMsg = Localized{En: "is required", ZhCN: "为必填项"}

func localizedf(locale, en, zh string, args ...any) string {
	if locale == "zh-CN" {
		return fmt.Sprintf(zh, args...)
	}
	return fmt.Sprintf(en, args...)
}

// Validate checks a submission (values as decoded from JSON: strings,
// numbers, booleans; money as decimal text; dates as YYYY-MM-DD) at clock
// c. It returns the normalized values (money as int minor units, dates as
// time.Time) and every problem at once, messages in locale.
func (f *Form) Validate(values map[string]any, c Clock, locale string) (map[string]any, []FieldError) {
	return f.ValidateFor(values, c, locale, nil)
}

// ValidateFor is Validate for a submission about subject (the task's
// invoice, its customer and payments at c; nil when unknown): money fields
// without a currency of their own must be in the invoice's currency, and
// bounds written as expressions (max: invoice.balance, min: today) are
// evaluated against it. Without a subject, the bounds that read it are not
// checked. Cross-field rules (validate) are checked whenever none of the
// fields they read has an error, and reported with the field errors.
func (f *Form) ValidateFor(values map[string]any, c Clock, locale string, subject *Env) (map[string]any, []FieldError) {
	var errs []FieldError
	currency := ""
	benv := subject
	if subject != nil {
		currency = subject.Invoice.Currency
	} else {
		loc := c.Location
		if loc == nil {
			loc = time.UTC
		}
		benv = &Env{Now: c.Now.In(loc), Today: dateTime(c.Today())}
	}
	out := make(map[string]any, len(f.Spec.Fields))
	for _, k := range slices.Sorted(maps.Keys(values)) {
		if _, ok := f.index[k]; !ok {
			errs = append(errs, FieldError{Field: k, Message: localizedf(locale, "unknown field%s", "未知字段%s", didYouMean(k, f.fieldNames()))})
		}
	}
	envV := reflect.New(f.env.typ).Elem()
	envV.Field(1).Set(reflect.ValueOf(c.Now))
	envV.Field(2).Set(reflect.ValueOf(dateTime(c.Today())))
	form := envV.Field(0)
	present := make([]bool, len(f.Spec.Fields))
	for i := range f.Spec.Fields {
		fd := &f.Spec.Fields[i]
		lim := &f.limits[i]
		raw, ok := values[fd.Name.Value]
		if ok && raw != nil && raw != "" {
			v, err := normalizeValueIn(fd, lim, raw, currency)
			if err != nil {
				errs = append(errs, FieldError{Field: fd.Name.Value, Message: localizeValueErr(err, locale)})
				continue
			}
			cur := lim.currency
			if cur == "" && fd.Type == FieldMoney {
				cur = currency
			}
			msg := lim.check(v, locale)
			if msg == "" {
				msg = lim.checkBounds(v, benv, subject != nil, cur, locale)
			}
			if msg != "" {
				errs = append(errs, FieldError{Field: fd.Name.Value, Message: msg})
				continue
			}
			out[fd.Name.Value] = v
			present[i] = true
		} else if lim.def != nil {
			out[fd.Name.Value] = lim.def
			present[i] = true
		}
		if present[i] {
			form.Field(f.structIndex(fd.Name.Value)).Set(reflect.ValueOf(out[fd.Name.Value]))
		}
	}
	ptr := envV.Addr().UnsafePointer()
	envAny := envV.Addr().Interface()
	m := new(vm.VM)
	for i := range f.Spec.Fields {
		fd := &f.Spec.Fields[i]
		if present[i] || hasErr(errs, fd.Name.Value) {
			continue
		}
		required := fd.Required
		if !required && f.limits[i].requiredIf != nil {
			r, err := f.limits[i].requiredIf.evalBool(ptr, envAny, m)
			required = err == nil && r
		}
		if required {
			errs = append(errs, FieldError{Field: fd.Name.Value, Message: requiredMsg.Get(locale)})
		}
	}
rules:
	for i := range f.Spec.Validate {
		chk := &f.Spec.Validate[i]
		if chk.Expr.prog == nil {
			continue
		}
		for _, name := range f.checkReads[i] {
			if hasErr(errs, name) {
				continue rules // the rule would read a value that did not parse
			}
		}
		ok, err := chk.Expr.prog.evalBool(ptr, envAny, m)
		if err != nil || !ok {
			errs = append(errs, FieldError{Field: chk.Field.Value, Message: chk.Message.Get(locale)})
		}
	}
	// report in the form's field order, unknown fields and form-level
	// problems first
	order := func(e FieldError) int {
		if i, ok := f.index[e.Field]; ok {
			return i
		}
		return -1
	}
	sort.SliceStable(errs, func(i, j int) bool { return order(errs[i]) < order(errs[j]) })
	return out, errs
}

func hasErr(errs []FieldError, field string) bool {
	for _, e := range errs {
		if e.Field == field {
			return true
		}
	}
	return false
}

// structIndex maps a field name to its index in valuesType (fields with
// duplicate names were dropped, so indexes can differ from the spec's).
func (f *Form) structIndex(name string) int {
	sf, _ := fieldByTag(f.valuesType, name)
	return sf.Index[0]
}

func localizeValueErr(err error, locale string) string {
	if locale != "zh-CN" {
		return err.Error()
	}
	msg := err.Error()
	switch {
	case strings.HasPrefix(msg, "must be one of"):
		return "必须是以下之一：" + strings.TrimPrefix(msg, "must be one of ")
	case strings.HasPrefix(msg, "must be a date YYYY"):
		return "必须是日期（YYYY-MM-DD）"
	case strings.HasPrefix(msg, "must be a number"):
		return "必须是数字"
	}
	return msg
}

func (lim *fieldLimits) check(v any, locale string) string {
	switch x := v.(type) {
	case float64:
		if lim.min != nil && x < *lim.min {
			return localizedf(locale, "must be at least %v", "不能小于 %v", *lim.min)
		}
		if lim.max != nil && x > *lim.max {
			return localizedf(locale, "must be at most %v", "不能大于 %v", *lim.max)
		}
	case int:
		if lim.integer {
			if lim.minI != nil && int64(x) < *lim.minI {
				return localizedf(locale, "must be at least %d", "不能小于 %d", *lim.minI)
			}
			if lim.maxI != nil && int64(x) > *lim.maxI {
				return localizedf(locale, "must be at most %d", "不能大于 %d", *lim.maxI)
			}
			break
		}
		if lim.minI != nil && int64(x) < *lim.minI {
			return localizedf(locale, "must be at least %s", "不能小于 %s", money.FormatMinor(*lim.minI, lim.currency))
		}
		if lim.maxI != nil && int64(x) > *lim.maxI {
			return localizedf(locale, "must be at most %s", "不能大于 %s", money.FormatMinor(*lim.maxI, lim.currency))
		}
	case string:
		n := float64(utf8.RuneCountInString(x))
		if lim.min != nil && n < *lim.min {
			return localizedf(locale, "must be at least %v characters", "至少 %v 个字符", *lim.min)
		}
		if lim.max != nil && n > *lim.max {
			return localizedf(locale, "must be at most %v characters", "最多 %v 个字符", *lim.max)
		}
		if lim.pattern != nil && !lim.pattern.MatchString(x) {
			return localizedf(locale, "has an invalid format", "格式不正确")
		}
	case time.Time:
		if lim.minD != nil && x.Before(*lim.minD) {
			return localizedf(locale, "must be on or after %s", "不能早于 %s", lim.minD.Format(calendar.Layout))
		}
		if lim.maxD != nil && x.After(*lim.maxD) {
			return localizedf(locale, "must be on or before %s", "不能晚于 %s", lim.maxD.Format(calendar.Layout))
		}
	}
	return ""
}

// checkBounds checks v against the bounds written as expressions, evaluated
// on env; those reading the subject only when haveSubject. cur is the
// currency money is shown in.
func (lim *fieldLimits) checkBounds(v any, env *Env, haveSubject bool, cur, locale string) string {
	for _, b := range []struct {
		bd  *bound
		max bool
	}{{lim.minX, false}, {lim.maxX, true}} {
		if b.bd == nil || (b.bd.subject && !haveSubject) {
			continue
		}
		out, err := b.bd.x.prog.evalAny(env)
		if err != nil {
			return localizedf(locale, "cannot be checked against %s: %v", "无法按 %s 检查：%v", b.bd.x.Src, err)
		}
		var bad bool
		var shown string
		switch x := v.(type) {
		case int:
			n, ok := out.(int)
			if !ok {
				return localizedf(locale, "cannot be checked against %s", "无法按 %s 检查", b.bd.x.Src)
			}
			bad = (b.max && x > n) || (!b.max && x < n)
			shown = strconv.Itoa(n)
			if cur != "" {
				shown = money.FormatMinor(int64(n), cur) + " " + cur
			}
		case float64:
			var n float64
			switch o := out.(type) {
			case int:
				n = float64(o)
			case float64:
				n = o
			default:
				return localizedf(locale, "cannot be checked against %s", "无法按 %s 检查", b.bd.x.Src)
			}
			bad = (b.max && x > n) || (!b.max && x < n)
			shown = strconv.FormatFloat(n, 'f', -1, 64)
		case time.Time:
			t, ok := out.(time.Time)
			if !ok {
				return localizedf(locale, "cannot be checked against %s", "无法按 %s 检查", b.bd.x.Src)
			}
			d := dateTime(calendar.Of(t))
			bad = (b.max && x.After(d)) || (!b.max && x.Before(d))
			shown = d.Format(calendar.Layout)
			if bad && b.max {
				return localizedf(locale, "must be on or before %s (%s)", "不能晚于 %s（%s）", shown, b.bd.x.Src)
			}
			if bad {
				return localizedf(locale, "must be on or after %s (%s)", "不能早于 %s（%s）", shown, b.bd.x.Src)
			}
			continue
		}
		if bad && b.max {
			return localizedf(locale, "must be at most %s (%s)", "不能大于 %s（%s）", shown, b.bd.x.Src)
		}
		if bad {
			return localizedf(locale, "must be at least %s (%s)", "不能小于 %s（%s）", shown, b.bd.x.Src)
		}
	}
	return ""
}
