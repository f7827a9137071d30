package engine

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
)

// APIVersion is the only apiVersion recoup/v1 documents may declare.
const APIVersion = "recoup/v1"

// Kind is a document kind.
type Kind string

// The document kinds.
const (
	KindForm     Kind = "Form"
	KindRule     Kind = "Rule"
	KindTemplate Kind = "Template"
	KindWorkflow Kind = "Workflow"
)

// Kinds lists every kind in a stable order.
var Kinds = []Kind{KindForm, KindRule, KindTemplate, KindWorkflow}

// Locales recoup renders texts in; the first is the fallback.
var Locales = []string{"en", "zh-CN"}

// Document is one definition: a Kubernetes-style envelope around the spec
// of its kind. Exactly one of Form, Rule, Template and Workflow is set.
type Document struct {
	APIVersion string   `yaml:"apiVersion" def:"required,enum=recoup/v1"`
	Kind       Kind     `yaml:"kind" def:"required,enum=Form|Rule|Template|Workflow"`
	Metadata   Metadata `yaml:"metadata" def:"required"`
	Spec       yaml.Node

	Form     *FormSpec     `yaml:"-"`
	Rule     *RuleSpec     `yaml:"-"`
	Template *TemplateSpec `yaml:"-"`
	Workflow *WorkflowSpec `yaml:"-"`

	// File is the file the document came from and Pos where it starts.
	File string `yaml:"-"`
	Pos  Pos    `yaml:"-"`
	// Format is "yaml" or "json".
	Format string `yaml:"-"`
	// Source is the document's own text (one document of a multi-document
	// file) and Hash the SHA-256 of its canonical JSON form, so that
	// reformatting or comments do not make a new version.
	Source string `yaml:"-"`
	Hash   string `yaml:"-"`
	// Version is the published version number, 0 for files not yet applied.
	Version int `yaml:"-"`

	file *srcFile
	root *yaml.Node
}

// Metadata names and describes a document.
type Metadata struct {
	Name        Ident             `yaml:"name" def:"required,pattern=^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$"`
	Title       Localized         `yaml:"title"`
	Description Localized         `yaml:"description"`
	Labels      map[string]string `yaml:"labels"`
}

// Ident is a string scalar that remembers where it was written, used for
// names and references so that a bad reference is reported in place.
type Ident struct {
	Value string
	Pos
}

func (i *Ident) decodeNode(d *decoder, n *yaml.Node) {
	i.Pos = posOf(n)
	if s, ok := d.scalarString(n); ok {
		i.Value = s
	}
}

// Localized is a text in several locales. A plain string is English.
type Localized struct {
	En   string `yaml:"en"`
	ZhCN string `yaml:"zh-CN"`
}

func (l *Localized) decodeNode(d *decoder, n *yaml.Node) {
	if n.Kind == yaml.ScalarNode && n.ShortTag() == "!!str" {
		l.En = n.Value
		return
	}
	if n.Kind != yaml.MappingNode && !isNull(n) {
		d.errorf(n, "expected a text or a mapping of locales (en, zh-CN), got %s", kindName(n))
		return
	}
	d.decodeStruct(n, reflectValueOf(l))
}

// Get returns the text in locale, falling back to English.
func (l Localized) Get(locale string) string {
	if locale == "zh-CN" && l.ZhCN != "" {
		return l.ZhCN
	}
	return l.En
}

// IsZero reports whether no locale has a text.
func (l Localized) IsZero() bool { return l.En == "" && l.ZhCN == "" }

// Duration is a span written as a sequence of number+unit (w, d, h, m), e.g.
// "3d", "1w", "36h", "1d12h".
type Duration struct {
	D    time.Duration
	Text string
	Pos
}

func (du *Duration) decodeNode(d *decoder, n *yaml.Node) {
	du.Pos = posOf(n)
	if isNull(n) {
		return
	}
	if n.Kind != yaml.ScalarNode {
		d.errorf(n, "expected a duration such as \"3d\" or \"4h\", got %s", kindName(n))
		return
	}
	v, err := parseDuration(n.Value)
	if err != nil {
		d.errorf(n, "%v", err)
		return
	}
	du.D, du.Text = v, n.Value
}

func parseDuration(s string) (time.Duration, error) {
	orig := s
	if s == "" {
		return 0, fmt.Errorf("empty duration")
	}
	if strings.ContainsAny(s, " \t") {
		return 0, fmt.Errorf("invalid duration %q: write a number and a unit w, d, h or m without spaces, e.g. \"3d\"", orig)
	}
	var total time.Duration
	for s != "" {
		i := 0
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
		}
		if i == 0 || i == len(s) || i > 5 {
			return 0, fmt.Errorf("invalid duration %q: want a number and a unit w, d, h or m, e.g. \"3d\"", orig)
		}
		n, _ := strconv.Atoi(s[:i])
		var unit time.Duration
		switch s[i] {
		case 'w':
			unit = 7 * 24 * time.Hour
		case 'd':
			unit = 24 * time.Hour
		case 'h':
			unit = time.Hour
		case 'm':
			unit = time.Minute
		default:
			return 0, fmt.Errorf("invalid duration %q: unknown unit %q (want w, d, h or m)", orig, s[i:i+1])
		}
		total += time.Duration(n) * unit
		s = s[i+1:]
	}
	if total > 3650*24*time.Hour {
		return 0, fmt.Errorf("duration %q is longer than ten years", orig)
	}
	return total, nil
}

// Literal is a raw scalar whose type depends on context (a form field's
// min, max and default), checked after decoding.
type Literal struct {
	Value string
	Tag   string
	Set   bool
	Pos
	src scalarSrc // where Value is, when it is read as an expression (a form field's min or max)
}

func (l *Literal) decodeNode(d *decoder, n *yaml.Node) {
	l.Pos = posOf(n)
	if isNull(n) {
		return
	}
	if n.Kind != yaml.ScalarNode {
		d.errorf(n, "expected a single value, got %s", kindName(n))
		return
	}
	l.Value, l.Tag, l.Set = n.Value, n.ShortTag(), true
	l.src = newScalarSrc(d.file, n)
}

// ---- Form ----

// FormSpec describes a form: typed fields and cross-field checks.
type FormSpec struct {
	Fields   []FormField `yaml:"fields" def:"required"`
	Validate []FormCheck `yaml:"validate"`
	// OutcomeField names the enum field whose value routes a workflow task
	// or approval; "outcome" by default, or "decision" when that exists.
	OutcomeField Ident `yaml:"outcome_field"`
}

// FieldType is a form field's type.
type FieldType string

// The form field types.
const (
	FieldString   FieldType = "string"
	FieldText     FieldType = "text"
	FieldNumber   FieldType = "number"
	FieldInteger  FieldType = "integer"
	FieldMoney    FieldType = "money"
	FieldDate     FieldType = "date"
	FieldDateTime FieldType = "datetime"
	FieldBool     FieldType = "bool"
	FieldEnum     FieldType = "enum"
	FieldUser     FieldType = "user"
	FieldRole     FieldType = "role"
)

// FormField is one input of a form.
type FormField struct {
	Name       Ident        `yaml:"name" def:"required,pattern=^[a-z][a-z0-9_]{0,62}$"`
	Type       FieldType    `yaml:"type" def:"required,enum=string|text|number|integer|money|date|datetime|bool|enum|user|role"`
	Label      Localized    `yaml:"label"`
	Help       Localized    `yaml:"help"`
	Required   bool         `yaml:"required"`
	RequiredIf *Expr        `yaml:"required_if"`
	Min        Literal      `yaml:"min"`
	Max        Literal      `yaml:"max"`
	Pattern    string       `yaml:"pattern"`
	Default    Literal      `yaml:"default"`
	Options    []FormOption `yaml:"options"`
	Role       Role         `yaml:"role" def:"enum=admin|sales_rep|sales_manager|finance|finance_director"`
	Currency   string       `yaml:"currency"`
}

// FormOption is one choice of an enum field.
type FormOption struct {
	Value Ident     `yaml:"value" def:"required,pattern=^[a-z][a-z0-9_]{0,62}$"`
	Label Localized `yaml:"label"`
}

// FormCheck is a cross-field validation: Expr must hold, else Message is
// reported (on Field when given).
type FormCheck struct {
	Expr    Expr      `yaml:"expr" def:"required"`
	Message Localized `yaml:"message" def:"required"`
	Field   Ident     `yaml:"field"`
}

// ---- Template ----

// TemplateSpec is a localized notification or task text.
type TemplateSpec struct {
	Channel string            `yaml:"channel" def:"enum=email|sms|in_app|task"`
	Subject LocalizedTemplate `yaml:"subject"`
	Body    LocalizedTemplate `yaml:"body" def:"required"`
}

// ---- Rule ----

// Refire policies.
const (
	RefireOnce          = "once"
	RefireOncePerPeriod = "once_per_period"
	RefireRisingEdge    = "rising_edge"
)

// RuleSpec is an if-then rule over one invoice.
type RuleSpec struct {
	On       string   `yaml:"on" def:"required,enum=invoice"`
	When     Expr     `yaml:"when" def:"required"`
	Then     []Action `yaml:"then" def:"required"`
	Priority int      `yaml:"priority"`
	Enabled  *bool    `yaml:"enabled"`
	Refire   Ident    `yaml:"refire" def:"enum=once|once_per_period|rising_edge"`
	Period   Ident    `yaml:"period" def:"enum=day|week|month"`
}

// IsEnabled reports whether the rule runs (rules are enabled by default).
func (r *RuleSpec) IsEnabled() bool { return r.Enabled == nil || *r.Enabled }

// Action is one step of a rule's then list or a workflow node's actions;
// exactly one field is set.
type Action struct {
	Set            *SetAction      `yaml:"set"`
	Task           *TaskAction     `yaml:"task"`
	Notify         *NotifyAction   `yaml:"notify"`
	StartWorkflow  *Ident          `yaml:"start_workflow"`
	AddFee         *FeeAction      `yaml:"add_fee"`
	WriteOff       *WriteOffAction `yaml:"write_off"`
	PaymentPlan    *PlanAction     `yaml:"payment_plan"`
	AccrueInterest *InterestAction `yaml:"accrue_interest"`
	Pos            `yaml:"-"`
}

func (a *Action) decodeNode(d *decoder, n *yaml.Node) {
	a.Pos = posOf(n)
	before := len(*d.errs)
	d.decodeStruct(n, reflectValueOf(a))
	if len(*d.errs) > before || n.Kind != yaml.MappingNode {
		return
	}
	if c := a.count(); c != 1 {
		d.errorf(n, "an action needs exactly one of set, task, notify, start_workflow, add_fee, write_off, payment_plan, accrue_interest (found %d)", c)
	}
}

func (a *Action) count() int {
	c := 0
	for _, set := range []bool{a.Set != nil, a.Task != nil, a.Notify != nil, a.StartWorkflow != nil, a.AddFee != nil, a.WriteOff != nil, a.PaymentPlan != nil, a.AccrueInterest != nil} {
		if set {
			c++
		}
	}
	return c
}

// ActionKind names an action (and the effect it produces).
type ActionKind string

// The action kinds.
const (
	ActionSet           ActionKind = "set"
	ActionTask          ActionKind = "task"
	ActionNotify        ActionKind = "notify"
	ActionStartWorkflow ActionKind = "start_workflow"
	ActionAddFee        ActionKind = "add_fee"
	ActionWriteOff      ActionKind = "write_off"
	ActionPaymentPlan   ActionKind = "payment_plan"
	ActionInterest      ActionKind = "accrue_interest"
)

// Kind returns the action's kind.
func (a *Action) Kind() ActionKind {
	switch {
	case a.Set != nil:
		return ActionSet
	case a.Task != nil:
		return ActionTask
	case a.Notify != nil:
		return ActionNotify
	case a.StartWorkflow != nil:
		return ActionStartWorkflow
	case a.WriteOff != nil:
		return ActionWriteOff
	case a.PaymentPlan != nil:
		return ActionPaymentPlan
	case a.AccrueInterest != nil:
		return ActionInterest
	}
	return ActionAddFee
}

// SetAction assigns fields, in the order written: {invoice.status: overdue}.
type SetAction struct {
	Fields []SetField
}

// SetField is one assignment of a set action.
type SetField struct {
	Path  Ident
	Value Literal
}

func (s *SetAction) decodeNode(d *decoder, n *yaml.Node) {
	if n.Kind != yaml.MappingNode {
		d.errorf(n, "set: expected a mapping of field: value, got %s", kindName(n))
		return
	}
	if len(n.Content) == 0 {
		d.errorf(n, "set: needs at least one field")
	}
	seen := map[string]int{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if !d.checkKey(k, seen) {
			continue
		}
		var f SetField
		f.Path = Ident{Value: k.Value, Pos: posOf(k)}
		f.Value.decodeNode(d, v)
		s.Fields = append(s.Fields, f)
	}
}

// TaskAction creates a todo item. The title comes from Title or from the
// subject of Template (whose body becomes the description).
type TaskAction struct {
	Title       LocalizedTemplate `yaml:"title"`
	Description LocalizedTemplate `yaml:"description"`
	Template    *Ident            `yaml:"template"`
	Assignee    *Expr             `yaml:"assignee"`
	Role        Role              `yaml:"role" def:"enum=admin|sales_rep|sales_manager|finance|finance_director"`
	DueIn       Duration          `yaml:"due_in"`
	Form        *Ident            `yaml:"form"`
	Priority    string            `yaml:"priority" def:"enum=low|normal|high|urgent"`
	Pos         `yaml:"-"`
}

func (t *TaskAction) decodeNode(d *decoder, n *yaml.Node) {
	t.Pos = posOf(n)
	d.decodeStruct(n, reflectValueOf(t))
}

// NotifyAction sends a message through the outbox.
type NotifyAction struct {
	Channel  string `yaml:"channel" def:"required,enum=email|sms|in_app"`
	To       *Expr  `yaml:"to"`
	ToRole   Role   `yaml:"to_role" def:"enum=admin|sales_rep|sales_manager|finance|finance_director"`
	Cc       []Expr `yaml:"cc"`
	Template Ident  `yaml:"template" def:"required"`
	Pos      `yaml:"-"`
}

func (a *NotifyAction) decodeNode(d *decoder, n *yaml.Node) {
	a.Pos = posOf(n)
	d.decodeStruct(n, reflectValueOf(a))
}

// FeeAction adds a late fee: a flat amount ("50.00 CNY") or a percentage of
// the open balance ("1.5" is 1.5 %), exact to the minor unit.
type FeeAction struct {
	Flat    Literal   `yaml:"flat"`
	Percent Literal   `yaml:"percent"`
	Reason  Localized `yaml:"reason"`
	Pos     `yaml:"-"`
}

func (f *FeeAction) decodeNode(d *decoder, n *yaml.Node) {
	f.Pos = posOf(n)
	d.decodeStruct(n, reflectValueOf(f))
}

// WriteOffAction writes off the invoice's balance, or part of it, as bad
// debt: an adjustment with its reason and approver, exactly once. amount
// is an expression in minor units (absent, or not above zero: the whole
// balance; above the balance: the balance); reason an expression giving a
// text. In the outcome route of a task or approval with a form both may
// read the submitted form, e.g. {amount: form.write_off_amount, reason:
// form.comment}.
type WriteOffAction struct {
	Amount *Expr `yaml:"amount"`
	Reason *Expr `yaml:"reason"`
	Pos    `yaml:"-"`
}

func (w *WriteOffAction) decodeNode(d *decoder, n *yaml.Node) {
	w.Pos = posOf(n)
	d.decodeStruct(n, reflectValueOf(w))
}

// PlanAction puts the invoice's balance on a payment plan: installments
// (an expression giving their number) of equal amounts, the remainder on
// the last, the first due on first_due (an expression giving a date) and
// each next every_months later (default 1); the plan breaks when an
// installment is more than grace_days late (default 5). In the outcome
// route of a decision both expressions may read the form, e.g.
// {installments: form.installments, first_due: form.first_installment_date}.
type PlanAction struct {
	Installments *Expr `yaml:"installments" def:"required"`
	FirstDue     *Expr `yaml:"first_due" def:"required"`
	EveryMonths  int   `yaml:"every_months"`
	GraceDays    *int  `yaml:"grace_days"`
	Pos          `yaml:"-"`
}

func (p *PlanAction) decodeNode(d *decoder, n *yaml.Node) {
	p.Pos = posOf(n)
	d.decodeStruct(n, reflectValueOf(p))
}

// ---- Workflow (structure only; execution belongs to the tick) ----

// WorkflowSpec is a multi-node escalation over one invoice.
type WorkflowSpec struct {
	On        string           `yaml:"on" def:"required,enum=invoice"`
	StartWhen Expr             `yaml:"start_when" def:"required"`
	StopWhen  *Expr            `yaml:"stop_when"`
	PauseWhen []PauseCondition `yaml:"pause_when"`
	Nodes     []WorkflowNode   `yaml:"nodes" def:"required"`
}

// PauseCondition pauses a workflow while When holds (optionally until a time).
type PauseCondition struct {
	When   Expr  `yaml:"when" def:"required"`
	Reason Ident `yaml:"reason" def:"required"`
	Until  *Expr `yaml:"until"`
}

// WorkflowNode is one stage of a workflow.
type WorkflowNode struct {
	Name     Ident         `yaml:"name" def:"required,pattern=^[a-z][a-z0-9_]{0,62}$"`
	Title    Localized     `yaml:"title"`
	When     *Expr         `yaml:"when"`
	After    Duration      `yaml:"after"`
	CatchUp  string        `yaml:"catch_up" def:"enum=skip|fire"`
	KeepOpen bool          `yaml:"keep_open"` // its open work survives moving on (workflow_supersede.go)
	Actions  []Action      `yaml:"actions"`
	Task     *HumanTask    `yaml:"task"`
	Approval *ApprovalStep `yaml:"approval"`
	Pos      `yaml:"-"`
}

func (w *WorkflowNode) decodeNode(d *decoder, n *yaml.Node) {
	w.Pos = posOf(n)
	d.decodeStruct(n, reflectValueOf(w))
}

// HumanTask is a node's task for a person, whose form outcome routes.
type HumanTask struct {
	Title       LocalizedTemplate `yaml:"title"`
	Description LocalizedTemplate `yaml:"description"`
	Template    *Ident            `yaml:"template"`
	Assignee    *Expr             `yaml:"assignee"`
	Role        Role              `yaml:"role" def:"enum=admin|sales_rep|sales_manager|finance|finance_director"`
	DueIn       Duration          `yaml:"due_in"`
	Form        *Ident            `yaml:"form"`
	Priority    string            `yaml:"priority" def:"enum=low|normal|high|urgent"`
	Outcomes    Outcomes          `yaml:"outcomes"`
	SLA         *SLA              `yaml:"sla"`
	Pos         `yaml:"-"`
}

func (h *HumanTask) decodeNode(d *decoder, n *yaml.Node) {
	h.Pos = posOf(n)
	d.decodeStruct(n, reflectValueOf(h))
}

// asTask views the human task as a task action, for shared validation.
func (h *HumanTask) asTask() *TaskAction {
	return &TaskAction{Title: h.Title, Description: h.Description, Template: h.Template, Assignee: h.Assignee,
		Role: h.Role, DueIn: h.DueIn, Form: h.Form, Priority: h.Priority, Pos: h.Pos}
}

// ApprovalStep asks a role to decide, with a decision form. Role is the
// approver unless one of Route holds (approval_route.go).
type ApprovalStep struct {
	Role     Role              `yaml:"role" def:"required,enum=admin|sales_rep|sales_manager|finance|finance_director"`
	Route    []ApprovalRoute   `yaml:"route"`
	Form     Ident             `yaml:"form" def:"required"`
	Title    LocalizedTemplate `yaml:"title"`
	Template *Ident            `yaml:"template"`
	DueIn    Duration          `yaml:"due_in"`
	Outcomes Outcomes          `yaml:"outcomes"`
	SLA      *SLA              `yaml:"sla"`
	Pos      `yaml:"-"`
}

func (a *ApprovalStep) decodeNode(d *decoder, n *yaml.Node) {
	a.Pos = posOf(n)
	d.decodeStruct(n, reflectValueOf(a))
}

// ApprovalRoute gives an approval to Role when When holds. An approval's
// routes are tried in order and the first that holds wins; when none
// does, the approval's own role decides. When reads the rule environment
// and form.* of the approval's form: empty when the approval is created,
// the submitted values when someone decides it.
type ApprovalRoute struct {
	When Expr `yaml:"when" def:"required"`
	Role Role `yaml:"role" def:"required,enum=admin|sales_rep|sales_manager|finance|finance_director"`
	Pos  `yaml:"-"`
}

func (a *ApprovalRoute) decodeNode(d *decoder, n *yaml.Node) {
	a.Pos = posOf(n)
	d.decodeStruct(n, reflectValueOf(a))
}

// SLA escalates a task or approval still open after its due time.
type SLA struct {
	EscalateTo Role   `yaml:"escalate_to" def:"enum=admin|sales_rep|sales_manager|finance|finance_director"`
	Notify     *Ident `yaml:"notify"`
}

// Outcomes maps a form outcome value (or "default") to a route, in order.
type Outcomes []Outcome

// Outcome is one routed outcome value.
type Outcome struct {
	Value Ident
	Route Route
}

func (o *Outcomes) decodeNode(d *decoder, n *yaml.Node) {
	if isNull(n) {
		return
	}
	if n.Kind != yaml.MappingNode {
		d.errorf(n, "outcomes: expected a mapping of outcome: route, got %s", kindName(n))
		return
	}
	seen := map[string]int{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if !d.checkKey(k, seen) {
			continue
		}
		oc := Outcome{Value: Ident{Value: k.Value, Pos: posOf(k)}}
		oc.Route.decodeNode(d, v)
		*o = append(*o, oc)
	}
}

// Route says where an outcome leads: exactly one of next, goto, wait_until,
// pause, complete; Then actions run first.
type Route struct {
	Next      bool     `yaml:"next"`
	Goto      *Ident   `yaml:"goto"`
	WaitUntil *Expr    `yaml:"wait_until"`
	Pause     *Ident   `yaml:"pause"`
	Complete  bool     `yaml:"complete"`
	Then      []Action `yaml:"then"`
	// Record opens a record from the outcome's form values (cases.go).
	Record string `yaml:"record" def:"enum=dispute|promise|legal_case"`
	Pos    `yaml:"-"`
}

func (r *Route) decodeNode(d *decoder, n *yaml.Node) {
	r.Pos = posOf(n)
	before := len(*d.errs)
	d.decodeStruct(n, reflectValueOf(r))
	if len(*d.errs) > before || n.Kind != yaml.MappingNode {
		return
	}
	c := 0
	for _, set := range []bool{r.Next, r.Goto != nil, r.WaitUntil != nil, r.Pause != nil, r.Complete} {
		if set {
			c++
		}
	}
	if c != 1 {
		d.errorf(n, "a route needs exactly one of next, goto, wait_until, pause, complete (found %d)", c)
	}
}

func (k Kind) valid() bool {
	for _, x := range Kinds {
		if k == x {
			return true
		}
	}
	return false
}

func kindList() string {
	s := make([]string, len(Kinds))
	for i, k := range Kinds {
		s[i] = string(k)
	}
	return strings.Join(s, ", ")
}
