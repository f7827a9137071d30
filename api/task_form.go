package api

import (
	"github.com/recoup/recoup/engine"
	"github.com/recoup/recoup/store"
)

// formDefinition is a Form definition in the shape a renderer needs
// (FormDefinition in openapi.yaml): the task detail carries its task's
// form, so that an assignee without definitions:read can fill it in.
type formDefinition struct {
	Name         string               `json:"name"`
	Version      int                  `json:"version,omitempty"`
	Title        store.LocalizedText  `json:"title"`
	OutcomeField string               `json:"outcome_field,omitempty"`
	Fields       []formField          `json:"fields"`
	Validate     []formCheckReference `json:"validate,omitempty"`
}

// formField is one field of a formDefinition (FormFieldDefinition).
type formField struct {
	Name       string               `json:"name"`
	Type       string               `json:"type"`
	Label      store.LocalizedText  `json:"label"`
	Help       *store.LocalizedText `json:"help,omitempty"`
	Required   bool                 `json:"required"`
	RequiredIf string               `json:"required_if,omitempty"`
	Min        string               `json:"min,omitempty"`
	Max        string               `json:"max,omitempty"`
	Pattern    string               `json:"pattern,omitempty"`
	Default    string               `json:"default,omitempty"`
	Currency   string               `json:"currency,omitempty"`
	Role       string               `json:"role,omitempty"`
	Options    []formOption         `json:"options,omitempty"`
}

type formOption struct {
	Value string              `json:"value"`
	Label store.LocalizedText `json:"label"`
}

type formCheckReference struct {
	Expr    string              `json:"expr"`
	Field   string              `json:"field,omitempty"`
	Message store.LocalizedText `json:"message"`
}

func text(l engine.Localized) store.LocalizedText { return store.LocalizedText{En: l.En, ZhCN: l.ZhCN} }

// formDefinitionOf renders form f.
func formDefinitionOf(f *engine.Form) formDefinition {
	out := formDefinition{Name: f.Name, Version: f.Version, OutcomeField: f.OutcomeField, Fields: []formField{}}
	if f.Doc != nil {
		out.Title = text(f.Doc.Metadata.Title)
	}
	if out.Title.En == "" {
		out.Title.En = f.Name
	}
	for _, fd := range f.Spec.Fields {
		ff := formField{Name: fd.Name.Value, Type: string(fd.Type), Label: text(fd.Label), Required: fd.Required, Pattern: fd.Pattern,
			Currency: fd.Currency, Role: string(fd.Role), Help: localized(fd.Help)}
		if ff.Label.En == "" {
			ff.Label.En = ff.Name
		}
		if fd.RequiredIf != nil {
			ff.RequiredIf = fd.RequiredIf.Src
		}
		if fd.Min.Set {
			ff.Min = fd.Min.Value
		}
		if fd.Max.Set {
			ff.Max = fd.Max.Value
		}
		if fd.Default.Set {
			ff.Default = fd.Default.Value
		}
		for _, o := range fd.Options {
			label := text(o.Label)
			if label.En == "" {
				label.En = o.Value.Value
			}
			ff.Options = append(ff.Options, formOption{Value: o.Value.Value, Label: label})
		}
		out.Fields = append(out.Fields, ff)
	}
	for _, c := range f.Spec.Validate {
		out.Validate = append(out.Validate, formCheckReference{Expr: c.Expr.Src, Field: c.Field.Value, Message: text(c.Message)})
	}
	return out
}

// decisionOption is one value of a task's outcome field and what choosing
// it does (DecisionOption in openapi.yaml).
type decisionOption struct {
	Value   string              `json:"value"`
	Label   store.LocalizedText `json:"label"`
	Effects []optionEffect      `json:"effects"`
}

// optionEffect is one step of what an outcome does (OptionEffect).
type optionEffect struct {
	Kind   string               `json:"kind"`
	Node   string               `json:"node,omitempty"`
	Title  *store.LocalizedText `json:"title,omitempty"`
	Until  string               `json:"until,omitempty"`
	Reason string               `json:"reason,omitempty"`
	Field  string               `json:"field,omitempty"`
	Value  string               `json:"value,omitempty"`
	Detail string               `json:"detail,omitempty"`
}

// decisionOptions lists, for each value of form's outcome field, what node
// n of workflow w does when the task or approval is completed with it:
// its route's actions, then where the route leads. The route of a value
// is its own, else "default", else on to the next node.
func decisionOptions(b *engine.Bundle, w *engine.Workflow, n *engine.WorkflowNode, form *engine.Form) []decisionOption {
	if w == nil || form == nil || form.OutcomeField == "" {
		return nil
	}
	var outcomes engine.Outcomes
	switch {
	case n.Approval != nil:
		outcomes = n.Approval.Outcomes
	case n.Task != nil:
		outcomes = n.Task.Outcomes
	default:
		return nil
	}
	var field *engine.FormField
	for i := range form.Spec.Fields {
		if form.Spec.Fields[i].Name.Value == form.OutcomeField {
			field = &form.Spec.Fields[i]
		}
	}
	if field == nil {
		return nil
	}
	route := func(value string) *engine.Route {
		var def *engine.Route
		for i := range outcomes {
			switch outcomes[i].Value.Value {
			case value:
				return &outcomes[i].Route
			case "default":
				def = &outcomes[i].Route
			}
		}
		return def
	}
	out := []decisionOption{}
	for _, o := range field.Options {
		opt := decisionOption{Value: o.Value.Value, Label: text(o.Label), Effects: []optionEffect{}}
		if opt.Label.En == "" {
			opt.Label.En = opt.Value
		}
		r := route(opt.Value)
		if r == nil {
			r = &engine.Route{Next: true}
		}
		for _, act := range r.Then {
			opt.Effects = append(opt.Effects, actionEffects(act)...)
		}
		if r.Record != "" {
			opt.Effects = append(opt.Effects, optionEffect{Kind: "record", Value: r.Record})
		}
		opt.Effects = append(opt.Effects, routeEffect(w, n, r))
		out = append(out, opt)
	}
	return out
}

// routeEffect is where route r of node n leads.
func routeEffect(w *engine.Workflow, n *engine.WorkflowNode, r *engine.Route) optionEffect {
	node := func(kind, name string) optionEffect {
		e := optionEffect{Kind: kind, Node: name}
		if i, ok := w.NodeIndex[name]; ok {
			e.Title = localized(w.Spec.Nodes[i].Title)
		}
		return e
	}
	switch {
	case r.Goto != nil:
		return node("goto", r.Goto.Value)
	case r.WaitUntil != nil:
		return optionEffect{Kind: "wait", Until: r.WaitUntil.Src}
	case r.Pause != nil:
		return optionEffect{Kind: "pause", Reason: r.Pause.Value}
	case r.Complete:
		return optionEffect{Kind: "complete"}
	}
	if i, ok := w.NodeIndex[n.Name.Value]; ok && i+1 < len(w.Spec.Nodes) {
		return node("next", w.Spec.Nodes[i+1].Name.Value)
	}
	return optionEffect{Kind: "next"}
}

// actionEffects describes action act of a route's then list.
func actionEffects(act engine.Action) []optionEffect {
	switch {
	case act.Set != nil:
		var out []optionEffect
		for _, f := range act.Set.Fields {
			out = append(out, optionEffect{Kind: "set", Field: f.Path.Value, Value: f.Value.Value})
		}
		return out
	case act.Task != nil:
		e := optionEffect{Kind: "task", Detail: string(act.Task.Role)}
		if act.Task.Template != nil {
			e.Detail = act.Task.Template.Value
		}
		return []optionEffect{e}
	case act.Notify != nil:
		return []optionEffect{{Kind: "notify", Detail: act.Notify.Channel + " " + act.Notify.Template.Value}}
	case act.StartWorkflow != nil:
		return []optionEffect{{Kind: "start_workflow", Detail: act.StartWorkflow.Value}}
	case act.AddFee != nil:
		return []optionEffect{{Kind: "add_fee"}}
	case act.WriteOff != nil:
		return []optionEffect{{Kind: "write_off"}}
	case act.PaymentPlan != nil:
		return []optionEffect{{Kind: "payment_plan"}}
	case act.AccrueInterest != nil:
		return []optionEffect{{Kind: "accrue_interest"}}
	}
	return nil
}
