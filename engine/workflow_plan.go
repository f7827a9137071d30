package engine

import (
	"reflect"
	"runtime"
	"sort"
	"sync"
	"weak"

	"github.com/recoup/recoup/money"
)

// A plan is the executable form of a workflow: its nodes' actions, human
// tasks and approvals as compiled actions, and its outcome routes. Plans
// are built from the already validated and compiled definitions without
// touching them, once per bundle, and shared by every evaluator.

type wfPlan struct {
	w     *Workflow
	nodes []nodePlan
}

type nodePlan struct {
	n        *WorkflowNode
	actions  []*action
	task     *stepPlan
	approval *stepPlan
}

// stepPlan is a node's human task or approval.
type stepPlan struct {
	act    *action // a task action; approvals become kind approval
	form   *Form
	routes []routePlan
	sla    *slaPlan
	// approvers: an approval's routes, which choose its role (approval_route.go)
	approvers []approverPlan
}

type routePlan struct {
	value string
	r     *Route
	then  []*action
	// readsForm: a then action (write_off) evaluates against the
	// submitted form, so the route builds the outcome environment.
	readsForm bool
}

type slaPlan struct {
	to     Role
	notify *action // nil without a notify template
}

// route returns the route of outcome value, else the default one, else nil
// (which means next).
func (s *stepPlan) route(value string) *routePlan {
	var def *routePlan
	for i := range s.routes {
		switch s.routes[i].value {
		case value:
			return &s.routes[i]
		case "default":
			def = &s.routes[i]
		}
	}
	return def
}

type bundlePlans struct {
	names []string // workflow names, sorted: the order of evaluation
	plans map[string]*wfPlan
}

// planCache holds the plans of live bundles; an entry goes when its bundle
// is garbage collected.
var planCache sync.Map // weak.Pointer[Bundle] -> *bundlePlans

func plansFor(b *Bundle) *bundlePlans {
	k := weak.Make(b)
	if v, ok := planCache.Load(k); ok {
		return v.(*bundlePlans)
	}
	p := buildPlans(b)
	if v, loaded := planCache.LoadOrStore(k, p); loaded {
		return v.(*bundlePlans)
	}
	runtime.AddCleanup(b, func(k weak.Pointer[Bundle]) { planCache.Delete(k) }, k)
	return p
}

func buildPlans(b *Bundle) *bundlePlans {
	bp := &bundlePlans{plans: map[string]*wfPlan{}}
	sample := templateData(reflectValueOf(new(Env)))
	for name, w := range b.Workflows {
		bp.names = append(bp.names, name)
		p := &wfPlan{w: w}
		for i := range w.Spec.Nodes {
			n := &w.Spec.Nodes[i]
			np := nodePlan{n: n}
			for j := range n.Actions {
				np.actions = append(np.actions, planAction(b, &n.Actions[j], sample))
			}
			if h := n.Task; h != nil {
				np.task = &stepPlan{act: planTask(b, h.asTask(), sample), form: formOf(b, h.Form), sla: planSLA(b, h.SLA)}
				np.task.routes = planRoutes(b, h.Outcomes, sample)
			}
			if a := n.Approval; a != nil {
				t := &TaskAction{Title: a.Title, Template: a.Template, Role: a.Role, DueIn: a.DueIn, Form: &a.Form, Pos: a.Pos}
				if a.Template == nil && a.Title.IsZero() {
					t.Title.En.Src = n.Title.Get("en")
					t.Title.ZhCN.Src = n.Title.ZhCN
					if t.Title.En.Src == "" {
						t.Title.En.Src = n.Name.Value
					}
				}
				np.approval = &stepPlan{act: planTask(b, t, sample), form: formOf(b, &a.Form), sla: planSLA(b, a.SLA)}
				np.approval.routes = planRoutes(b, a.Outcomes, sample)
				np.approval.approvers = planApprovers(a.Route)
			}
			p.nodes = append(p.nodes, np)
		}
		bp.plans[name] = p
	}
	sort.Strings(bp.names)
	return bp
}

func formOf(b *Bundle, id *Ident) *Form {
	if id == nil {
		return nil
	}
	return b.Forms[id.Value]
}

func planRoutes(b *Bundle, outs Outcomes, sample any) []routePlan {
	var rs []routePlan
	for i := range outs {
		o := &outs[i]
		rp := routePlan{value: o.Value.Value, r: &o.Route}
		for j := range o.Route.Then {
			a := planAction(b, &o.Route.Then[j], sample)
			rp.then = append(rp.then, a)
			rp.readsForm = rp.readsForm || a.kind == ActionWriteOff || a.kind == ActionPaymentPlan
		}
		rs = append(rs, rp)
	}
	return rs
}

func planSLA(b *Bundle, s *SLA) *slaPlan {
	if s == nil {
		return nil
	}
	sp := &slaPlan{to: s.EscalateTo}
	if s.Notify != nil {
		if t := b.Templates[s.Notify.Value]; t != nil {
			ch := t.Spec.Channel
			if ch == "" || ch == "task" {
				ch = "in_app"
			}
			to := s.EscalateTo
			if to == "" {
				to = RoleSalesManager
			}
			sp.notify = &action{kind: ActionNotify, channel: ch, toRole: to, template: t}
		}
	}
	return sp
}

// planAction rebuilds the compiled form of a validated action, reusing the
// programs the linker compiled into its expressions.
func planAction(b *Bundle, a *Action, sample any) *action {
	c := &action{def: a, kind: a.Kind()}
	switch c.kind {
	case ActionSet:
		for _, f := range a.Set.Fields {
			if op, msg := parseSet(f); msg == "" && op.path != "" {
				c.sets = append(c.sets, op)
			}
		}
	case ActionTask:
		return planTask(b, a.Task, sample)
	case ActionNotify:
		n := a.Notify
		c.channel, c.toRole = n.Channel, n.ToRole
		if n.To != nil {
			c.to = n.To.prog
		}
		for i := range n.Cc {
			if p := n.Cc[i].prog; p != nil {
				c.cc = append(c.cc, p)
			}
		}
		c.template = b.Templates[n.Template.Value]
	case ActionStartWorkflow:
		c.workflow = a.StartWorkflow.Value
	case ActionPaymentPlan:
		c.planCount, c.planFirst = a.PaymentPlan.Installments.prog, a.PaymentPlan.FirstDue.prog
	case ActionInterest:
		c.interest, _ = compileInterest(a.AccrueInterest)
		c.reason = a.AccrueInterest.Reason
	case ActionWriteOff:
		if x := a.WriteOff.Amount; x != nil {
			c.woAmount = x.prog
		}
		if x := a.WriteOff.Reason; x != nil {
			c.woReason = x.prog
		}
	case ActionAddFee:
		f := a.AddFee
		c.reason = f.Reason
		if f.Flat.Set {
			c.feeFlat, _ = money.Parse(f.Flat.Value)
		} else {
			c.feeBP, _ = money.ParseMinor(f.Percent.Value, "CNY")
		}
	}
	return c
}

// planTask builds a task action. Inline titles are compiled into copies,
// so that the definitions stay untouched.
func planTask(b *Bundle, t *TaskAction, sample any) *action {
	c := &action{kind: ActionTask, role: t.Role, dueIn: t.DueIn.D, priority: t.Priority}
	if t.Assignee != nil {
		c.assignee = t.Assignee.prog
	}
	if t.Form != nil {
		c.form = t.Form.Value
	}
	if t.Template != nil {
		if tp := b.Templates[t.Template.Value]; tp != nil {
			c.title, c.desc = &tp.Spec.Subject, &tp.Spec.Body
			return c
		}
	}
	title, desc := t.Title, t.Description
	for _, lt := range []*LocalizedTemplate{&title, &desc} {
		compileTemplate(&lt.En, "en", ruleEnv(), sample)
		compileTemplate(&lt.ZhCN, "zh-CN", ruleEnv(), sample)
	}
	c.title, c.desc = &title, &desc
	return c
}

// outcomeValue builds the environment of an outcome route: the rule
// environment plus the submitted form values.
func outcomeValue(f *Form, env *Env, values map[string]any) (reflect.Value, error) {
	v := reflect.New(f.outcomeEnv().typ).Elem()
	ev := reflect.ValueOf(env).Elem()
	for i := 0; i < ev.NumField(); i++ {
		v.Field(i).Set(ev.Field(i))
	}
	form := v.Field(ev.NumField())
	for i := range f.Spec.Fields {
		fd := &f.Spec.Fields[i]
		raw, ok := values[fd.Name.Value]
		if !ok || raw == nil || raw == "" {
			continue
		}
		want := fieldGoType(fd.Type)
		rv := reflect.ValueOf(raw)
		if rv.Type() != want {
			n, err := normalizeValue(fd, &f.limits[i], raw)
			if err != nil {
				return v, &fieldErr{field: fd.Name.Value, err: err}
			}
			rv = reflect.ValueOf(n)
		}
		form.Field(f.structIndex(fd.Name.Value)).Set(rv)
	}
	return v, nil
}

type fieldErr struct {
	field string
	err   error
}

func (e *fieldErr) Error() string { return "form field " + e.field + ": " + e.err.Error() }
