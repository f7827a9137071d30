package engine

import (
	"fmt"
	"math/big"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/recoup/recoup/calendar"
	"github.com/recoup/recoup/money"
)

// Interest (issue 16 §8): an annual rate accrued per day on what is owed
// of the invoice's amount (its principal: never on fees or interest),
// ACT/365 or ACT/360, exact to the minor unit, with a cap per invoice. Each
// charge covers the days since the last one (or since the due date), so
// days the server was down are caught up exactly by the next charge.

// InterestAction accrues interest. annual_rate is a percentage with up to
// 6 decimals ("12.5" is 12.5 % a year); basis act365 (default) or act360;
// cap (money in the invoice's currency) or cap_percent (of the invoice's
// amount, up to 6 decimals) bounds the interest of an invoice.
type InterestAction struct {
	AnnualRate Literal   `yaml:"annual_rate" def:"required"`
	Basis      string    `yaml:"basis" def:"enum=act365|act360"`
	Cap        Literal   `yaml:"cap"`
	CapPercent Literal   `yaml:"cap_percent"`
	Reason     Localized `yaml:"reason"`
	Pos        `yaml:"-"`
}

func (a *InterestAction) decodeNode(d *decoder, n *yaml.Node) {
	a.Pos = posOf(n)
	d.decodeStruct(n, reflectValueOf(a))
}

// interestPlan is a compiled accrue_interest action.
type interestPlan struct {
	rate       *big.Rat // annual, as a fraction (12.5 % → 1/8)
	basis      int64    // 365 or 360
	basisName  string
	cap        money.Money // zero: none
	capPercent *big.Rat    // of the amount; nil: none
}

// parsePercent parses a percentage with at most 6 decimals into a fraction.
func parsePercent(s string) (*big.Rat, error) {
	s = strings.TrimSpace(s)
	if i := strings.IndexByte(s, '.'); i >= 0 && len(s)-i-1 > 6 {
		return nil, fmt.Errorf("at most 6 decimals")
	}
	r, ok := new(big.Rat).SetString(s)
	if !ok || r.Sign() < 0 {
		return nil, fmt.Errorf("want a percentage such as 12.5")
	}
	return r.Quo(r, big.NewRat(100, 1)), nil
}

// compileInterest checks an accrue_interest action.
func compileInterest(a *InterestAction) (*interestPlan, []string) {
	var errs []string
	p := &interestPlan{basis: 365, basisName: "ACT/365"}
	if a.Basis == "act360" {
		p.basis, p.basisName = 360, "ACT/360"
	}
	r, err := parsePercent(a.AnnualRate.Value)
	switch {
	case err != nil:
		errs = append(errs, "annual_rate: "+err.Error())
	case r.Sign() == 0 || r.Cmp(big.NewRat(1, 1)) > 0:
		errs = append(errs, "annual_rate: want more than 0 and at most 100 (percent a year)")
	}
	p.rate = r
	if a.Cap.Set && a.CapPercent.Set {
		errs = append(errs, "give cap or cap_percent, not both")
	}
	if a.Cap.Set {
		m, err := money.Parse(a.Cap.Value)
		if err != nil || m.Minor <= 0 {
			errs = append(errs, "cap: want a positive amount such as \"500.00 CNY\"")
		}
		p.cap = m
	}
	if a.CapPercent.Set {
		c, err := parsePercent(a.CapPercent.Value)
		if err != nil || c.Sign() <= 0 {
			errs = append(errs, "cap_percent: want a positive percentage of the amount")
		}
		p.capPercent = c
	}
	return p, errs
}

// InterestFor is the interest on principal minor units for days at the
// annual rate over the basis, rounded half away from zero to the minor
// unit: principal × rate × days / basis.
func InterestFor(principal int64, rate *big.Rat, days, basis int64) int64 {
	if principal <= 0 || days <= 0 {
		return 0
	}
	x := new(big.Rat).Mul(rate, new(big.Rat).SetFrac64(principal*days, basis))
	num, den := new(big.Int).Set(x.Num()), x.Denom()
	q, r := new(big.Int).QuoRem(num, den, new(big.Int))
	if new(big.Int).Mul(r.Abs(r), big.NewInt(2)).Cmp(den) >= 0 {
		q.Add(q, big.NewInt(int64(num.Sign())))
	}
	return q.Int64()
}

// interest evaluates an accrue_interest action: the interest on the
// principal from the day after the last charge (or the due date) to today,
// within the cap. No effect when nothing accrues.
func (e *Evaluator) interest(ef Effect, p *interestPlan, reason string) Effect {
	inv := &e.env.Invoice
	principal := int64(inv.Principal)
	from := calendar.Of(inv.DueDate)
	if !inv.InterestThrough.IsZero() {
		from = calendar.Of(inv.InterestThrough)
	}
	days := int64(e.today.DaysSince(from))
	if principal <= 0 || days <= 0 {
		return ef
	}
	amount := InterestFor(principal, p.rate, days, p.basis)
	limit := int64(-1)
	switch {
	case p.cap.Minor > 0 && p.cap.Currency == inv.Currency:
		limit = p.cap.Minor
	case p.capPercent != nil:
		limit = InterestFor(int64(inv.Amount), p.capPercent, 1, 1)
	}
	if limit >= 0 {
		amount = min(amount, max(limit-int64(inv.Interest), 0))
	}
	if amount <= 0 {
		return ef
	}
	m := money.New(amount, inv.Currency)
	ef.Fee, ef.Interest = &m, &InterestCharge{From: from.AddDays(1), Through: e.today, Days: int(days), Principal: principal}
	rate := new(big.Rat).Mul(p.rate, big.NewRat(100, 1)).FloatString(6)
	rate = strings.TrimRight(strings.TrimRight(rate, "0"), ".")
	ef.Reason = fmt.Sprintf("interest %s%% a year (%s) on %s, %s to %s (%d days)", rate, p.basisName, money.New(principal, inv.Currency), from.AddDays(1), e.today, days)
	if reason != "" {
		ef.Reason = reason + ": " + ef.Reason
	}
	return ef
}

// InterestCharge is what an interest effect covers.
type InterestCharge struct {
	From      calendar.Date `json:"from"`
	Through   calendar.Date `json:"through"`
	Days      int           `json:"days"`
	Principal int64         `json:"principal_minor"`
}
