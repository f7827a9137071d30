package engine

import (
	"fmt"
	"reflect"
	"sort"
	"strings"
	"time"

	"github.com/recoup/recoup/money"
)

// Bundle is a validated, compiled set of definitions. It is immutable and
// safe for concurrent use; evaluation state lives in [Evaluator].
type Bundle struct {
	// Documents in load order.
	Documents []*Document
	Forms     map[string]*Form
	Templates map[string]*Template
	Workflows map[string]*Workflow
	// Rules sorted by evaluation order: priority descending, then name.
	Rules []*Rule

	disabled []*Rule // compiled but not evaluated (enabled: false), for TryRule
}

// Template is a compiled Template document.
type Template struct {
	Name    string
	Version int
	Doc     *Document
	Spec    *TemplateSpec
}

// Workflow is a validated Workflow document; its execution belongs to the
// tick.
type Workflow struct {
	Name    string
	Version int
	Doc     *Document
	Spec    *WorkflowSpec
	// NodeIndex maps node names to their position in Spec.Nodes.
	NodeIndex map[string]int
}

// Rule is a compiled Rule document.
type Rule struct {
	Name     string
	Version  int
	Doc      *Document
	Spec     *RuleSpec
	Priority int
	Refire   string
	Period   string

	when    *program
	actions []*action
}

// Reads lists the environment paths the rule's condition reads.
func (r *Rule) Reads() []string {
	out := make([]string, len(r.when.reads))
	for i, rd := range r.when.reads {
		out[i] = rd.name
	}
	return out
}

// Fast reports whether the rule's condition runs on the closure-compiled
// fast path rather than the expr VM.
func (r *Rule) Fast() bool { return r.when.fast.b != nil }

// Form returns the form named name or nil.
func (b *Bundle) Form(name string) *Form { return b.Forms[name] }

// Template returns the template named name or nil.
func (b *Bundle) Template(name string) *Template { return b.Templates[name] }

// Workflow returns the workflow named name or nil.
func (b *Bundle) Workflow(name string) *Workflow { return b.Workflows[name] }

// Rule returns the rule named name or nil.
func (b *Bundle) Rule(name string) *Rule {
	for _, r := range b.Rules {
		if r.Name == name {
			return r
		}
	}
	return nil
}

// Summary describes the bundle in one line: "12 documents: 2 forms, 6 rules, 3 templates, 1 workflow".
func (b *Bundle) Summary() string {
	plural := func(n int, s string) string {
		if n == 1 {
			return fmt.Sprintf("%d %s", n, s)
		}
		return fmt.Sprintf("%d %ss", n, s)
	}
	return fmt.Sprintf("%s: %s, %s, %s, %s", plural(len(b.Documents), "document"),
		plural(len(b.Forms), "form"), plural(len(b.Rules), "rule"), plural(len(b.Templates), "template"), plural(len(b.Workflows), "workflow"))
}

// linker checks references between documents and compiles them.
type linker struct {
	b    *Bundle
	errs *ErrorList
	byKd map[Kind]map[string]*Document
	data any // sample template data
	// outEnv is the environment of the outcome route being linked (the
	// rule environment plus the form), nil elsewhere.
	outEnv *exprEnv
}

func (l *linker) add(e *Error) { *l.errs = append(*l.errs, e) }

func (l *linker) errAt(doc *Document, p Pos, format string, args ...any) {
	l.add(docError(doc, p, fmt.Sprintf(format, args...)))
}

func link(docs []*Document, errs *ErrorList) *Bundle {
	b := &Bundle{Documents: docs, Forms: map[string]*Form{}, Templates: map[string]*Template{}, Workflows: map[string]*Workflow{}}
	l := &linker{b: b, errs: errs, byKd: map[Kind]map[string]*Document{}, data: templateData(reflectValueOf(new(Env)))}
	for _, d := range docs {
		if d.Metadata.Name.Value == "" || !d.Kind.valid() {
			continue
		}
		m := l.byKd[d.Kind]
		if m == nil {
			m = map[string]*Document{}
			l.byKd[d.Kind] = m
		}
		if first, dup := m[d.Name()]; dup {
			l.errAt(d, d.Metadata.Name.Pos, "duplicate %s %q (first defined at %s:%d)", d.Kind, d.Name(), first.File, first.Metadata.Name.Line)
			continue
		}
		m[d.Name()] = d
	}
	for _, d := range docs {
		if d.Form != nil && l.byKd[KindForm][d.Name()] == d {
			b.Forms[d.Name()] = compileForm(d, l.add)
		}
	}
	for _, d := range docs {
		if d.Template != nil && l.byKd[KindTemplate][d.Name()] == d {
			l.template(d)
		}
	}
	for _, d := range docs {
		if d.Workflow != nil && l.byKd[KindWorkflow][d.Name()] == d {
			l.workflow(d)
		}
	}
	for _, d := range docs {
		if d.Rule != nil && l.byKd[KindRule][d.Name()] == d {
			l.rule(d)
		}
	}
	sort.SliceStable(b.Rules, func(i, j int) bool {
		if b.Rules[i].Priority != b.Rules[j].Priority {
			return b.Rules[i].Priority > b.Rules[j].Priority
		}
		return b.Rules[i].Name < b.Rules[j].Name
	})
	return b
}

func (l *linker) template(d *Document) {
	s := d.Template
	t := &Template{Name: d.Name(), Version: d.Version, Doc: d, Spec: s}
	l.b.Templates[t.Name] = t
	l.localized(d, &s.Subject)
	l.localized(d, &s.Body)
	if s.Body.En.Src == "" && s.Body.ZhCN.Src != "" {
		l.errAt(d, s.Body.ZhCN.Pos, "body needs an en text (the fallback locale)")
	}
	if s.Channel == "email" || s.Channel == "task" {
		if s.Subject.IsZero() {
			l.errAt(d, d.Pos, "a %s template needs a subject", s.Channel)
		}
	}
}

func (l *linker) localized(d *Document, t *LocalizedTemplate) {
	if e := compileTemplate(&t.En, "en", ruleEnv(), l.data); e != nil {
		l.add(e)
	}
	if e := compileTemplate(&t.ZhCN, "zh-CN", ruleEnv(), l.data); e != nil {
		l.add(e)
	}
}

func (l *linker) expr(x *Expr, want vkind, what string) *program {
	if x == nil || x.Src == "" {
		return nil
	}
	if e := compileExpr(x, ruleEnv(), want, what); e != nil {
		l.add(e)
		return nil
	}
	return x.prog
}

func (l *linker) rule(d *Document) {
	s := d.Rule
	r := &Rule{Name: d.Name(), Version: d.Version, Doc: d, Spec: s, Priority: s.Priority, Refire: s.Refire.Value, Period: s.Period.Value}
	if r.Refire == "" {
		r.Refire = RefireOnce
	}
	ok := true
	if r.Refire == RefireOncePerPeriod && r.Period == "" {
		l.errAt(d, s.Refire.Pos, "refire once_per_period needs a period (day, week or month)")
		ok = false
	}
	if r.Refire != RefireOncePerPeriod && r.Period != "" {
		l.errAt(d, s.Period.Pos, "period is only used with refire: once_per_period")
		ok = false
	}
	r.when = l.expr(&s.When, kBool, "when")
	if s.Then != nil && len(s.Then) == 0 {
		l.errAt(d, s.When.Pos, "a rule needs at least one action in then")
	}
	for i := range s.Then {
		a := l.action(d, &s.Then[i])
		if a == nil {
			ok = false
			continue
		}
		r.actions = append(r.actions, a)
	}
	if r.when == nil || !ok {
		return
	}
	if s.IsEnabled() {
		l.b.Rules = append(l.b.Rules, r)
	} else {
		l.b.disabled = append(l.b.disabled, r)
	}
}

// action is a compiled rule or node action.
type action struct {
	def      *Action
	kind     ActionKind
	sets     []setOp
	title    *LocalizedTemplate
	desc     *LocalizedTemplate
	assignee *program
	role     Role
	dueIn    time.Duration
	form     string
	priority string
	channel  string
	to       *program
	toRole   Role
	cc       []*program
	template *Template
	workflow string
	feeFlat  money.Money
	feeBP    int64
	reason   Localized
	// write_off: its amount (minor units) and reason, compiled against the
	// outcome environment in a route with a form
	woAmount, woReason *program
	// payment_plan: its installments and first due date
	planCount, planFirst *program
	interest             *interestPlan
}

// setOp is one assignment of a set action.
type setOp struct {
	path  string
	field settable
	key   string // custom field key
	str   string
	b     bool
}

type settable int

const (
	setInvoiceStatus settable = iota + 1
	setInvoiceDisputed
	setInvoiceCustom
	setCustomerRisk
	setCustomerDoNotContact
	setCustomerCustom
)

var settableNames = []string{"invoice.status", "invoice.disputed", "invoice.custom.<key>", "customer.risk", "customer.do_not_contact", "customer.custom.<key>"}

func (l *linker) action(d *Document, a *Action) *action {
	if a.count() != 1 {
		return nil
	}
	c := &action{def: a, kind: a.Kind()}
	before := len(*l.errs)
	switch c.kind {
	case ActionSet:
		for _, f := range a.Set.Fields {
			op, err := parseSet(f)
			if err != "" {
				p := f.Path.Pos
				if strings.HasPrefix(err, "invalid") {
					p = f.Value.Pos
				}
				l.errAt(d, p, "%s", err)
				continue
			}
			if op.path == "" {
				l.errAt(d, f.Value.Pos, "invalid value for %s", f.Path.Value)
				continue
			}
			c.sets = append(c.sets, op)
		}
	case ActionTask:
		l.task(d, a.Task, c)
	case ActionNotify:
		n := a.Notify
		c.channel, c.toRole = n.Channel, n.ToRole
		if (n.To == nil) == (n.ToRole == "") {
			l.errAt(d, n.Pos, "notify needs exactly one of to, to_role")
		}
		c.to = l.expr(n.To, kString, "to")
		for i := range n.Cc {
			if p := l.expr(&n.Cc[i], kString, "cc"); p != nil {
				c.cc = append(c.cc, p)
			}
		}
		c.template = l.templateRef(d, &n.Template)
		mismatch := c.template != nil && n.Channel != "" && c.template.Spec.Channel != "" && c.template.Spec.Channel != n.Channel
		if mismatch {
			l.errAt(d, n.Template.Pos, "template %q is for %s, not %s", n.Template.Value, c.template.Spec.Channel, n.Channel)
		}
		if c.template != nil && !mismatch && n.Channel == "email" && c.template.Spec.Subject.IsZero() {
			l.errAt(d, n.Template.Pos, "template %q has no subject, which email needs", n.Template.Value)
		}
	case ActionStartWorkflow:
		c.workflow = a.StartWorkflow.Value
		if _, ok := l.byKd[KindWorkflow][c.workflow]; !ok {
			l.errAt(d, a.StartWorkflow.Pos, "unknown workflow %q%s", c.workflow, didYouMean(c.workflow, l.names(KindWorkflow)))
		}
	case ActionAddFee:
		f := a.AddFee
		c.reason = f.Reason
		switch {
		case f.Flat.Set == f.Percent.Set:
			l.errAt(d, f.Pos, "add_fee needs exactly one of flat, percent")
		case f.Flat.Set:
			m, err := money.Parse(f.Flat.Value)
			if err != nil {
				l.errAt(d, f.Flat.Pos, "flat: %v", err)
			} else if m.Minor <= 0 {
				l.errAt(d, f.Flat.Pos, "flat: the fee must be positive")
			}
			c.feeFlat = m
		default:
			bp, err := money.ParseMinor(f.Percent.Value, "CNY") // hundredths of a percent = basis points
			if err != nil || bp <= 0 || bp > 10000 {
				l.errAt(d, f.Percent.Pos, "percent: want a number between 0.01 and 100 with at most 2 decimals, e.g. 1.5")
			}
			c.feeBP = bp
		}
	case ActionInterest:
		p, errs := compileInterest(a.AccrueInterest)
		for _, e := range errs {
			l.errAt(d, a.AccrueInterest.Pos, "accrue_interest %s", e)
		}
		c.interest, c.reason = p, a.AccrueInterest.Reason
	case ActionWriteOff, ActionPaymentPlan:
		env := ruleEnv()
		if l.outEnv != nil {
			env = l.outEnv
		}
		type part struct {
			e    *Expr
			want vkind
			what string
			p    **program
		}
		var parts []part
		if c.kind == ActionWriteOff {
			parts = []part{{a.WriteOff.Amount, kInt, "write_off amount", &c.woAmount}, {a.WriteOff.Reason, kString, "write_off reason", &c.woReason}}
		} else {
			pa := a.PaymentPlan
			parts = []part{{pa.Installments, kInt, "payment_plan installments", &c.planCount}, {pa.FirstDue, kTime, "payment_plan first_due", &c.planFirst}}
			if pa.EveryMonths < 0 || pa.EveryMonths > 12 {
				l.errAt(d, pa.Pos, "payment_plan every_months: want 1 to 12")
			}
			if pa.GraceDays != nil && (*pa.GraceDays < 0 || *pa.GraceDays > 90) {
				l.errAt(d, pa.Pos, "payment_plan grace_days: want 0 to 90")
			}
		}
		for _, x := range parts {
			if x.e == nil || x.e.Src == "" {
				continue
			}
			if e := compileExpr(x.e, env, x.want, x.what); e != nil {
				l.add(e)
				continue
			}
			*x.p = x.e.prog
		}
	}
	if len(*l.errs) > before {
		return nil
	}
	return c
}

func parseSet(f SetField) (setOp, string) {
	op := setOp{path: f.Path.Value}
	path := f.Path.Value
	val := f.Value
	boolVal := func() bool {
		if val.Tag != "!!bool" {
			op.path = ""
			return false
		}
		return val.Value == "true"
	}
	switch {
	case path == "invoice.status":
		op.field, op.str = setInvoiceStatus, val.Value
		if !isIdent(val.Value) {
			return op, fmt.Sprintf("invalid status %q: want lowercase letters, digits and underscores", val.Value)
		}
	case path == "invoice.disputed":
		op.field = setInvoiceDisputed
		op.b = boolVal()
	case path == "customer.risk":
		op.field, op.str = setCustomerRisk, val.Value
		if _, err := ParseRiskTier(val.Value); err != nil || val.Value == "" {
			return op, fmt.Sprintf("invalid risk %q: want low, medium or high%s", val.Value, didYouMean(val.Value, []string{"low", "medium", "high"}))
		}
	case path == "customer.do_not_contact":
		op.field = setCustomerDoNotContact
		op.b = boolVal()
	case strings.HasPrefix(path, "invoice.custom.") && isIdent(strings.TrimPrefix(path, "invoice.custom.")):
		op.field, op.key, op.str = setInvoiceCustom, strings.TrimPrefix(path, "invoice.custom."), val.Value
	case strings.HasPrefix(path, "customer.custom.") && isIdent(strings.TrimPrefix(path, "customer.custom.")):
		op.field, op.key, op.str = setCustomerCustom, strings.TrimPrefix(path, "customer.custom."), val.Value
	default:
		return op, fmt.Sprintf("cannot set %q: settable fields are %s%s", path, strings.Join(settableNames, ", "), didYouMean(path, settableNames))
	}
	if !val.Set {
		op.path = ""
	}
	return op, ""
}

func isIdent(s string) bool {
	if s == "" || len(s) > 63 || s[0] < 'a' || s[0] > 'z' {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_' || c == '-') {
			return false
		}
	}
	return true
}

func (l *linker) names(k Kind) []string {
	var out []string
	for n := range l.byKd[k] {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

func (l *linker) templateRef(d *Document, id *Ident) *Template {
	if id == nil || id.Value == "" {
		return nil
	}
	if _, ok := l.byKd[KindTemplate][id.Value]; !ok {
		l.errAt(d, id.Pos, "unknown template %q%s", id.Value, didYouMean(id.Value, l.names(KindTemplate)))
		return nil
	}
	return l.b.Templates[id.Value]
}

func (l *linker) formRef(d *Document, id *Ident) *Form {
	if id == nil || id.Value == "" {
		return nil
	}
	if _, ok := l.byKd[KindForm][id.Value]; !ok {
		l.errAt(d, id.Pos, "unknown form %q%s", id.Value, didYouMean(id.Value, l.names(KindForm)))
		return nil
	}
	return l.b.Forms[id.Value]
}

func (l *linker) task(d *Document, t *TaskAction, c *action) {
	c.role, c.dueIn, c.priority = t.Role, t.DueIn.D, t.Priority
	if (t.Assignee == nil) == (t.Role == "") {
		l.errAt(d, t.Pos, "task needs exactly one of assignee, role")
	}
	c.assignee = l.expr(t.Assignee, kString, "assignee")
	switch {
	case t.Template != nil && !t.Title.IsZero():
		l.errAt(d, t.Pos, "task needs exactly one of title, template")
	case t.Template != nil:
		if tp := l.templateRef(d, t.Template); tp != nil {
			c.title, c.desc = &tp.Spec.Subject, &tp.Spec.Body
			if tp.Spec.Subject.IsZero() {
				l.errAt(d, t.Template.Pos, "template %q has no subject, which a task title needs", t.Template.Value)
			}
		}
	case t.Title.IsZero():
		l.errAt(d, t.Pos, "task needs exactly one of title, template")
	default:
		l.localized(d, &t.Title)
		l.localized(d, &t.Description)
		c.title, c.desc = &t.Title, &t.Description
	}
	if f := l.formRef(d, t.Form); f != nil {
		c.form = f.Name
	}
}

func (l *linker) workflow(d *Document) {
	s := d.Workflow
	w := &Workflow{Name: d.Name(), Version: d.Version, Doc: d, Spec: s, NodeIndex: map[string]int{}}
	l.b.Workflows[w.Name] = w
	l.expr(&s.StartWhen, kBool, "start_when")
	l.expr(s.StopWhen, kBool, "stop_when")
	for i := range s.PauseWhen {
		p := &s.PauseWhen[i]
		l.expr(&p.When, kBool, "pause_when.when")
		l.expr(p.Until, kTime, "until")
		if p.Reason.Value != "" && !isIdent(p.Reason.Value) {
			l.errAt(d, p.Reason.Pos, "invalid reason %q: want lowercase letters, digits and underscores", p.Reason.Value)
		}
	}
	if len(s.Nodes) == 0 && s.StartWhen.Src != "" {
		l.errAt(d, d.Pos, "a workflow needs at least one node")
	}
	for i := range s.Nodes {
		n := &s.Nodes[i]
		if n.Name.Value == "" {
			continue
		}
		if first, dup := w.NodeIndex[n.Name.Value]; dup {
			l.errAt(d, n.Name.Pos, "duplicate node %q (first defined on line %d)", n.Name.Value, s.Nodes[first].Name.Line)
			continue
		}
		w.NodeIndex[n.Name.Value] = i
	}
	nodeNames := make([]string, 0, len(s.Nodes))
	for _, n := range s.Nodes {
		nodeNames = append(nodeNames, n.Name.Value)
	}
	for i := range s.Nodes {
		n := &s.Nodes[i]
		if n.When == nil && n.After.D == 0 && i > 0 {
			l.errAt(d, n.Pos, "node %q needs when (an entry condition) or after (a delay after the previous node)", n.Name.Value)
		}
		l.expr(n.When, kBool, "when")
		for j := range n.Actions {
			l.action(d, &n.Actions[j])
		}
		if n.Task != nil {
			c := &action{}
			l.task(d, n.Task.asTask(), c)
			f := l.b.Forms[c.form]
			if len(n.Task.Outcomes) > 0 && n.Task.Form == nil {
				l.errAt(d, n.Task.Pos, "a task with outcomes needs a form")
			}
			l.outcomes(d, w, f, n.Task.Outcomes, nodeNames)
			l.sla(d, n.Task.SLA)
		}
		if a := n.Approval; a != nil {
			f := l.formRef(d, &a.Form)
			if a.Template != nil && !a.Title.IsZero() {
				l.errAt(d, a.Pos, "approval needs at most one of title, template")
			}
			l.templateRef(d, a.Template)
			l.localized(d, &a.Title)
			if f != nil && f.OutcomeField == "" {
				l.errAt(d, a.Form.Pos, "form %q has no outcome field (an enum field named outcome or decision, or set outcome_field)", f.Name)
			}
			l.approvalRoutes(f, a.Route)
			l.outcomes(d, w, f, a.Outcomes, nodeNames)
			l.sla(d, a.SLA)
		}
	}
}

func (l *linker) sla(d *Document, s *SLA) {
	if s == nil {
		return
	}
	l.templateRef(d, s.Notify)
}

func (l *linker) outcomes(d *Document, w *Workflow, f *Form, outs Outcomes, nodes []string) {
	var valid []string
	if f != nil {
		valid = append(f.Outcomes(), "default")
	}
	seen := map[string]bool{}
	for i := range outs {
		o := &outs[i]
		if seen[o.Value.Value] {
			l.errAt(d, o.Value.Pos, "duplicate outcome %q", o.Value.Value)
		}
		seen[o.Value.Value] = true
		if f != nil && f.OutcomeField != "" && !contains(valid, o.Value.Value) {
			l.errAt(d, o.Value.Pos, "unknown outcome %q: form %q allows %s%s", o.Value.Value, f.Name, strings.Join(valid, ", "), didYouMean(o.Value.Value, valid))
		}
		r := &o.Route
		if r.Goto != nil {
			if _, ok := w.NodeIndex[r.Goto.Value]; !ok {
				l.errAt(d, r.Goto.Pos, "unknown node %q%s", r.Goto.Value, didYouMean(r.Goto.Value, nodes))
			}
		}
		if r.WaitUntil != nil {
			env := ruleEnv()
			if f != nil {
				env = f.outcomeEnv()
			}
			if e := compileExpr(r.WaitUntil, env, kTime, "wait_until"); e != nil {
				l.add(e)
			}
		}
		if r.Pause != nil && !isIdent(r.Pause.Value) {
			l.errAt(d, r.Pause.Pos, "invalid pause reason %q: want lowercase letters, digits and underscores", r.Pause.Value)
		}
		if f != nil {
			l.outEnv = f.outcomeEnv()
		}
		for j := range r.Then {
			l.action(d, &r.Then[j])
		}
		l.outEnv = nil
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// outcomeEnv is the environment of a workflow route: the rule environment
// plus the submitted form.
func (f *Form) outcomeEnv() *exprEnv {
	f.outOnce.Do(func() {
		friendly := map[reflect.Type]string{
			reflect.TypeFor[InvoiceEnv]():  "invoice",
			reflect.TypeFor[CustomerEnv](): "customer",
			reflect.TypeFor[PaymentsEnv](): "payments",
			f.valuesType:                   "form",
		}
		f.outEnv = newExprEnv("outcome", outcomeEnvType(f.valuesType), friendly)
	})
	return f.outEnv
}
