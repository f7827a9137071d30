package engine

import (
	"errors"
	"fmt"
	"reflect"
	"strings"
	"unsafe"
)

// ErrNoRule is returned by TryRule for a rule the bundle does not have.
var ErrNoRule = errors.New("no such rule")

// TriedValue is one value a rule's condition read, rendered for people:
// money as "12,000.00 CNY", dates as YYYY-MM-DD, instants in RFC 3339.
type TriedValue struct {
	Path  string
	Value string
}

// RuleTry is what one rule makes of one subject now.
type RuleTry struct {
	Matched bool
	// Err is the condition's or an action's runtime error, as the tick
	// would record it; Effects is then empty.
	Err     error
	Values  []TriedValue
	Effects []Effect // what the actions would do, had the rule not fired before
}

// TryRule evaluates the rule named name (enabled or not) on s at clock c
// with the evaluator the tick uses, ignoring whether it fired before, and
// reports every value its condition read and, when the condition holds,
// the effects its actions would produce. Nothing is recorded anywhere.
// The other rules do not run first: a set made by an earlier rule in the
// same tick is not seen.
func (b *Bundle) TryRule(name string, s *Subject, c Clock) (RuleTry, error) {
	var r *Rule
	for _, x := range append(b.Rules[:len(b.Rules):len(b.Rules)], b.disabled...) {
		if x.Name == name {
			r = x
		}
	}
	if r == nil {
		return RuleTry{}, fmt.Errorf("rule %q: %w", name, ErrNoRule)
	}
	e := b.NewEvaluator(c)
	e.env.fill(s, c, e.today)
	ptr := unsafe.Pointer(&e.env)
	var out RuleTry
	for _, rd := range r.when.reads {
		out.Values = append(out.Values, TriedValue{Path: rd.name, Value: formatRead(readTrace(rd, ptr), s.Invoice.Currency, s.Customer.CreditCurrency)})
	}
	cond, err := r.when.evalBool(ptr, &e.env, &e.vm)
	if err != nil {
		out.Err = err
		return out, nil
	}
	out.Matched = cond
	if !cond {
		return out, nil
	}
	var res Result
	e.fire(r, FireKey{Rule: r.Name, Subject: s.Invoice.ID, Period: e.period(r)}, &res)
	if len(res.Errors) > 0 {
		out.Err = res.Errors[0].Err
		return out, nil
	}
	out.Effects = append([]Effect(nil), res.Effects...)
	return out, nil
}

// moneyPaths are the environment's amounts (tag unit:"money"), by path.
var moneyPaths = func() map[string]bool {
	out := map[string]bool{}
	var walk func(t reflect.Type, prefix string)
	walk = func(t reflect.Type, prefix string) {
		for i := 0; i < t.NumField(); i++ {
			f := t.Field(i)
			name := f.Tag.Get("expr")
			if name == "" {
				continue
			}
			if f.Tag.Get("unit") == "money" {
				out[prefix+name] = true
			}
			if f.Type.Kind() == reflect.Struct && f.Type != timeType {
				walk(f.Type, prefix+name+".")
			}
		}
	}
	walk(reflect.TypeOf(Env{}), "")
	return out
}()

// formatRead renders a read value for people. Amounts are in the
// invoice's currency, a credit limit in the customer's credit currency.
func formatRead(v TraceValue, currency, creditCurrency string) string {
	if moneyPaths[v.Name] && v.k == kInt {
		cur := currency
		if v.Name == "customer.credit_limit" && creditCurrency != "" {
			cur = creditCurrency
		}
		return MoneyText(int64(v.i), cur)
	}
	return v.String()
}

// MoneyText renders minor units as "12,000.00 CNY": grouped digits, then
// the currency, the same in every language (what a person compares with
// a condition's money("12000.00 CNY")).
func MoneyText(minor int64, currency string) string {
	return strings.TrimPrefix(FormatMoney(minor, currency, "en"), currency+" ") + " " + currency
}
