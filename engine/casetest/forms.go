package casetest

import (
	"fmt"
	"strings"
	"time"

	"github.com/recoup/recoup/engine"
)

// formCase submits values to a form and expects every error, in order.
type formCase struct {
	Name   string              `yaml:"name"`
	Form   string              `yaml:"form"`
	Locale string              `yaml:"locale"`
	At     string              `yaml:"at"`
	Values map[string]any      `yaml:"values"`
	Errors []engine.FieldError `yaml:"errors"`
	// Invoice, when given, is the task's subject: money in its currency,
	// bounds such as max: invoice.balance.
	Invoice *invoiceData `yaml:"invoice"`
}

func (c *formCase) check() []string {
	var cv conv
	if c.Form == "" {
		cv.add("form is required")
	}
	cv.at("at", c.At)
	if c.Invoice != nil {
		cv.subject(*c.Invoice, customerData{}, paymentsData{})
	}
	return named(c.Name, cv.problems)
}

func (c *formCase) run(b *engine.Bundle, loc *time.Location) string {
	f := b.Form(c.Form)
	if f == nil {
		return fmt.Sprintf("unknown form %q", c.Form)
	}
	var cv conv
	clock := engine.Clock{Now: cv.at("at", c.At), Location: loc}
	var env *engine.Env
	if c.Invoice != nil {
		sub := cv.subject(*c.Invoice, customerData{}, paymentsData{})
		env = engine.NewEnv(&sub, clock)
	}
	if len(cv.problems) > 0 {
		return strings.Join(cv.problems, "; ")
	}
	_, errs := f.ValidateFor(c.Values, clock, c.Locale, env)
	line := func(e engine.FieldError) string { return e.Field + ": " + e.Message }
	got, want := make([]string, len(errs)), make([]string, len(c.Errors))
	for i, e := range errs {
		got[i] = line(e)
	}
	for i, e := range c.Errors {
		want[i] = line(e)
	}
	if d := diffLines(want, got); d != "" {
		return "form errors differ (- expected, + got):\n" + d
	}
	return ""
}
