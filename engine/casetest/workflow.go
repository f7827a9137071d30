package casetest

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/recoup/recoup/calendar"
	"github.com/recoup/recoup/engine"
	"github.com/recoup/recoup/money"
)

// scenarioCase drives one invoice through the workflows day by day. The
// invoice is 12,000.00 CNY (or amount) due on 2026-01-05, owned by rep@example.com, its
// customer ap1@example.com (finance1@example.com, +86 21 5555 0000); it is
// ticked at 09:00 every day from `from` to `to` except the days the server
// is `down`. Before a day's tick its actions happen. expect lists the
// workflows' effects, one per line: the day, then the node event or the
// effect with its node.
type scenarioCase struct {
	Name string `yaml:"name"`
	From string `yaml:"from"`
	To   string `yaml:"to"`
	// Amount is the invoice's amount and balance, e.g. "3000.00 CNY".
	Amount string `yaml:"amount"`
	Down   *struct {
		From string `yaml:"from"`
		To   string `yaml:"to"`
	} `yaml:"down"`
	Actions []scenarioAction `yaml:"actions"`
	Expect  string           `yaml:"expect"`
}

// scenarioAction is what happens on a day before its tick: exactly one of
// a payment in full, a task or approval at a node completed with values, or
// the invoice's dispute flag set. As is the role of the user deciding an
// approval: a decision it may not make (the approval's routes) is refused,
// leaving the approval open, and listed as "DAY refused NODE as ROLE: why".
type scenarioAction struct {
	Day      string         `yaml:"day"`
	Pay      bool           `yaml:"pay"`
	Complete string         `yaml:"complete"`
	As       string         `yaml:"as"`
	Values   map[string]any `yaml:"values"`
	Disputed *bool          `yaml:"disputed"`
}

// scenarioDue is the scenarios' invoice's due date.
const scenarioDue = "2026-01-05"

func (c *scenarioCase) check() []string {
	var cv conv
	if c.From == "" || c.To == "" {
		cv.add("from and to are required (dates)")
	}
	from, to := cv.date("from", c.From), cv.date("to", c.To)
	if len(cv.problems) == 0 && to.Before(from) {
		cv.add("to (%s) is before from (%s)", c.To, c.From)
	}
	var downFrom, downTo calendar.Date
	if c.Down != nil {
		downFrom, downTo = cv.date("down.from", c.Down.From), cv.date("down.to", c.Down.To)
	}
	if c.Amount != "" {
		if m, err := money.Parse(c.Amount); err != nil || m.Minor <= 0 {
			cv.add("amount: want a positive amount with its currency, e.g. \"3000.00 CNY\"")
		}
	}
	dates := len(cv.problems) == 0
	for i, a := range c.Actions {
		field := fmt.Sprintf("actions[%d]", i)
		if a.Day == "" {
			cv.add("%s: day is required", field)
		}
		before := len(cv.problems)
		day := cv.date(field+".day", a.Day)
		switch {
		case !dates || a.Day == "" || len(cv.problems) > before:
		case day.Before(from) || day.After(to):
			cv.add("%s: %s is not between from and to: it would never happen", field, a.Day)
		case c.Down != nil && !day.Before(downFrom) && !day.After(downTo):
			cv.add("%s: the server is down on %s: it would never happen", field, a.Day)
		}
		n := 0
		for _, set := range []bool{a.Pay, a.Complete != "", a.Disputed != nil} {
			if set {
				n++
			}
		}
		if n != 1 {
			cv.add("%s: want exactly one of pay, complete, disputed", field)
		}
		if a.As != "" {
			if _, err := engine.ParseRole(a.As); err != nil {
				cv.add("%s.as: %v", field, err)
			} else if a.Complete == "" {
				cv.add("%s.as: the role of who decides goes with complete", field)
			}
		}
	}
	if strings.TrimSpace(c.Expect) == "" {
		cv.add("expect is required: the workflows' effects, one per line")
	}
	return named(c.Name, cv.problems)
}

func (c *scenarioCase) run(b *engine.Bundle, loc *time.Location) string {
	var cv conv
	from, to := cv.date("from", c.From), cv.date("to", c.To)
	var downFrom, downTo calendar.Date
	if c.Down != nil {
		downFrom, downTo = cv.date("down.from", c.Down.From), cv.date("down.to", c.Down.To)
	}
	if len(cv.problems) > 0 {
		return strings.Join(cv.problems, "; ")
	}
	w := NewWorld(b, loc)
	inv := &w.Invoice(1, calendar.MustParse(scenarioDue)).Invoice
	if c.Amount != "" {
		m, _ := money.Parse(c.Amount)
		inv.Currency, inv.AmountMinor, inv.BalanceMinor = m.Currency, m.Minor, m.Minor
	}
	var got []string
	for d := from; !d.After(to); d = d.AddDays(1) {
		if c.Down != nil && !d.Before(downFrom) && !d.After(downTo) {
			continue
		}
		at := d.Time(loc).Add(9 * time.Hour)
		for _, a := range c.Actions {
			if a.Day != d.String() {
				continue
			}
			switch {
			case a.Pay:
				w.Pay(1, at.Add(-time.Hour))
			case a.As != "":
				why, err := w.MayDecide(1, a.Complete, engine.Role(a.As), at.Add(-time.Hour), a.Values)
				if err != nil {
					return fmt.Sprintf("%s: %v\neffects so far:\n%s", d, err, strings.Join(got, "\n"))
				}
				if why != "" {
					got = append(got, fmt.Sprintf("%s refused %s as %s: %s", d, a.Complete, a.As, why))
					continue
				}
				fallthrough
			case a.Complete != "":
				if _, err := w.Complete(1, a.Complete, "", at.Add(-time.Hour), a.Values); err != nil {
					return fmt.Sprintf("%s: %v\neffects so far:\n%s", d, err, strings.Join(got, "\n"))
				}
			case a.Disputed != nil:
				w.Subject(1).Invoice.Disputed = *a.Disputed
			}
		}
		fresh, err := w.Tick(at)
		if err != nil {
			return fmt.Sprintf("%s: %v", d, err)
		}
		for _, ef := range fresh {
			if ef.Workflow != "" {
				got = append(got, d.String()+" "+scenarioLine(ef))
			}
		}
	}
	want := strings.Split(strings.TrimRight(c.Expect, "\n"), "\n")
	if d := diffLines(want, got); d != "" {
		return "workflow effects differ (- expected, + got):\n" + d
	}
	return ""
}

// scenarioLine renders a workflow effect the way scenarios list them.
func scenarioLine(ef engine.Effect) string {
	join := func(parts ...string) string {
		var out []string
		for _, p := range parts {
			if p != "" {
				out = append(out, p)
			}
		}
		return strings.Join(out, " ")
	}
	switch ef.Kind {
	case engine.EffectNode:
		return join(ef.Event, ef.Node, ef.Reason)
	case engine.EffectTaskCancelled:
		return join("  "+string(ef.Kind), ef.Node, ef.Reason)
	case engine.ActionTask, engine.EffectApproval:
		who := ef.Assignee
		if who == "" {
			who = "role " + string(ef.Role)
		}
		form := ""
		if ef.Form != "" {
			form = "form " + ef.Form
		}
		return join("  "+string(ef.Kind), ef.Node, "for", who, form, ef.Reason) // an approval's route
	case engine.ActionNotify:
		to := ef.To
		if to == "" {
			to = "role " + string(ef.ToRole)
		}
		cc := ""
		if len(ef.Cc) > 0 {
			cc = "cc " + strings.Join(ef.Cc, ",")
		}
		return join("  notify", ef.Node, ef.Channel, "to", to, cc)
	case engine.ActionSet:
		return join("  set", ef.Node, ef.Field+"="+ef.Value)
	case engine.EffectEscalation:
		return join("  escalation", ef.Node, "to", string(ef.Role))
	case engine.ActionWriteOff:
		by := ""
		if ef.Assignee != "" {
			by = "by " + ef.Assignee
		}
		return join("  write_off", ef.Node, ef.WriteOff.String(), by, "reason", strconv.Quote(ef.Reason))
	}
	return join("  "+string(ef.Kind), ef.Node)
}
