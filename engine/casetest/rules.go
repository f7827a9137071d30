package casetest

import (
	"bytes"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/recoup/recoup/engine"
)

// ruleCase evaluates the whole pack's rules on one invoice at one or more
// ticks; what fired carries from tick to tick, and so do the fields the
// rules set. expect lists every effect of a tick, in order.
type ruleCase struct {
	Name     string                    `yaml:"name"`
	Invoice  invoiceData               `yaml:"invoice"`
	Customer customerData              `yaml:"customer"`
	Payments paymentsData              `yaml:"payments"`
	At       string                    `yaml:"at"`
	Expect   []map[string]any          `yaml:"expect"`
	Trace    map[string]map[string]any `yaml:"trace"`
	Ticks    []ruleTick                `yaml:"ticks"`
}

// ruleTick is one tick of a case; invoice and customer, when given, change
// those fields before it.
type ruleTick struct {
	At       string                    `yaml:"at"`
	Invoice  yaml.Node                 `yaml:"invoice"`
	Customer yaml.Node                 `yaml:"customer"`
	Expect   []map[string]any          `yaml:"expect"`
	Trace    map[string]map[string]any `yaml:"trace"`
}

func (c *ruleCase) ticks() []ruleTick {
	if c.At == "" {
		return c.Ticks
	}
	return append([]ruleTick{{At: c.At, Expect: c.Expect, Trace: c.Trace}}, c.Ticks...)
}

// decodeStrict decodes a tick's partial invoice or customer onto v,
// refusing unknown keys as the file's decoder does.
func decodeStrict(n *yaml.Node, v any) error {
	if n.IsZero() {
		return nil
	}
	data, err := yaml.Marshal(n)
	if err != nil {
		return err
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(v); err != nil {
		msg := yamlLine.ReplaceAllString(strings.TrimPrefix(err.Error(), "yaml: unmarshal errors:\n  "), "")
		return errors.New(friendly(strings.TrimPrefix(msg, "yaml: ")))
	}
	return nil
}

// check returns the case's problems, each naming the case.
func (c *ruleCase) check() []string {
	var cv conv
	ticks := c.ticks()
	if len(ticks) == 0 {
		cv.add("at or ticks is required")
	}
	inv, cust := c.Invoice, c.Customer
	for i, tk := range ticks {
		cv.at(fmt.Sprintf("tick %d: at", i+1), tk.At)
		if err := decodeStrict(&tk.Invoice, &inv); err != nil {
			cv.add("tick %d: invoice: %v", i+1, err)
		}
		if err := decodeStrict(&tk.Customer, &cust); err != nil {
			cv.add("tick %d: customer: %v", i+1, err)
		}
		cv.subject(inv, cust, c.Payments)
	}
	return named(c.Name, cv.problems)
}

func named(name string, problems []string) []string {
	for i, p := range problems {
		problems[i] = fmt.Sprintf("case %q: %s", name, p)
	}
	return problems
}

func (c *ruleCase) run(b *engine.Bundle, loc *time.Location) string {
	var msgs []string
	inv, cust := c.Invoice, c.Customer
	state := engine.NewMemoryState()
	for i, tk := range c.ticks() {
		var cv conv
		at := cv.at("at", tk.At)
		if err := decodeStrict(&tk.Invoice, &inv); err != nil {
			cv.add("invoice: %v", err)
		}
		if err := decodeStrict(&tk.Customer, &cust); err != nil {
			cv.add("customer: %v", err)
		}
		subj := cv.subject(inv, cust, c.Payments)
		if len(cv.problems) > 0 {
			return fmt.Sprintf("tick %d: %s", i+1, strings.Join(cv.problems, "; "))
		}
		ev := b.NewEvaluator(engine.Clock{Now: at, Location: loc})
		var res engine.Result
		ev.Evaluate(&subj, state, &res)
		head := fmt.Sprintf("tick %d at %s", i+1, tk.At)
		for _, e := range res.Errors {
			msgs = append(msgs, fmt.Sprintf("%s: error: %v", head, e))
		}
		got := make([]string, len(res.Effects))
		for j, e := range res.Effects {
			got[j] = flow(summarize(e, loc))
		}
		want := make([]string, len(tk.Expect))
		for j, e := range tk.Expect {
			m := map[string]string{}
			for k, v := range e {
				if tv, ok := v.(time.Time); ok {
					v = tv.In(loc).Format(time.RFC3339)
				}
				m[k] = fmt.Sprint(v)
			}
			want[j] = flow(m)
		}
		if d := diffLines(want, got); d != "" {
			msgs = append(msgs, fmt.Sprintf("%s: effects differ (- expected, + got):\n%s", head, d))
		}
		traceKeys := make([]string, 0, len(tk.Trace))
		for k := range tk.Trace {
			traceKeys = append(traceKeys, k)
		}
		sort.Strings(traceKeys)
		for _, key := range traceKeys {
			found := false
			for _, e := range res.Effects {
				if e.Key.String() != key {
					continue
				}
				found = true
				gotTrace := map[string]string{}
				for _, tv := range e.Trace {
					gotTrace[tv.Name] = tv.String()
				}
				wantTrace := map[string]string{}
				for k, v := range tk.Trace[key] {
					wantTrace[k] = fmt.Sprint(v)
				}
				if g, w := flow(gotTrace), flow(wantTrace); g != w {
					msgs = append(msgs, fmt.Sprintf("%s: values read by %s differ:\n- %s\n+ %s", head, key, w, g))
				}
			}
			if !found {
				msgs = append(msgs, fmt.Sprintf("%s: no effect %s to check the values read of", head, key))
			}
		}
		state.Record(&res)
		// keep what the rules set, as the tick would
		env := ev.Env()
		inv.Status, inv.Disputed, inv.Custom = env.Invoice.Status, env.Invoice.Disputed, env.Invoice.Custom
		cust.Risk, cust.DoNotContact = env.Customer.Risk, env.Customer.DoNotContact
	}
	return strings.Join(msgs, "\n")
}

// effectFields are the fields of an effect test cases compare, in the order
// they are shown.
var effectFields = []string{"key", "kind", "field", "value", "old_value", "title", "assignee", "role", "form", "due_at",
	"priority", "channel", "to", "to_role", "cc", "template", "locale", "workflow", "fee"}

// flow renders a compared effect as one YAML flow line, known fields first
// in a fixed order, so that expected and got lines diff well.
func flow(m map[string]string) string {
	var parts []string
	seen := map[string]bool{}
	for _, k := range effectFields {
		if v, ok := m[k]; ok {
			parts = append(parts, k+": "+v)
			seen[k] = true
		}
	}
	var rest []string
	for k := range m {
		if !seen[k] {
			rest = append(rest, k)
		}
	}
	sort.Strings(rest)
	for _, k := range rest {
		parts = append(parts, k+": "+m[k])
	}
	return "{" + strings.Join(parts, ", ") + "}"
}

// summarize keeps the fields of an effect that test cases compare.
func summarize(e engine.Effect, loc *time.Location) map[string]string {
	m := map[string]string{"key": e.Key.String(), "kind": string(e.Kind)}
	put := func(k, v string) {
		if v != "" {
			m[k] = v
		}
	}
	put("field", e.Field)
	put("value", e.Value)
	put("old_value", e.OldValue)
	put("title", e.Title)
	put("assignee", e.Assignee)
	put("role", string(e.Role))
	put("form", e.Form)
	if !e.DueAt.IsZero() {
		put("due_at", e.DueAt.In(loc).Format(time.RFC3339))
	}
	put("priority", e.Priority)
	put("channel", e.Channel)
	put("to", e.To)
	put("to_role", string(e.ToRole))
	if len(e.Cc) > 0 {
		put("cc", fmt.Sprint(e.Cc))
	}
	put("template", e.Template)
	if e.Kind == engine.ActionNotify {
		put("locale", e.Locale)
	}
	put("workflow", e.Workflow)
	if e.Fee != nil {
		put("fee", e.Fee.String())
	}
	return m
}
