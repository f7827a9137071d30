package usecase

import (
	"cmp"
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/recoup/recoup/engine"
	"github.com/recoup/recoup/store"
)

// ErrKind is a definition of a kind the use case does not take: only a
// Rule is tried on an invoice, only a Template rendered.
type ErrKind struct {
	Got, Want engine.Kind
	What      string // what the use case does, e.g. "tried on an invoice"
}

func (e ErrKind) Error() string {
	return fmt.Sprintf("a %s cannot be %s: only a %s can", e.Got, e.What, e.Want)
}

// TriedEffect is what one of a tried rule's actions would do now.
type TriedEffect struct {
	Kind    string
	Summary string // in words, for people
	Effect  engine.Effect
}

// RuleTry is one version of a rule evaluated on a live invoice.
type RuleTry struct {
	Invoice string
	At      time.Time
	Matched bool
	Error   string // the evaluation error, as the tick would record it
	Values  []engine.TriedValue
	Effects []TriedEffect
}

// TryRule evaluates one stored version of a rule (a draft, say) on the
// live invoice numbered invoice, loaded exactly as the tick loads it, with
// the tick's evaluator, now: every value its condition read and, when it
// holds, what its actions would do, whether or not the rule fired on the
// invoice before. Nothing is written.
func (s *Service) TryRule(ctx context.Context, by Actor, kind engine.Kind, name string, version int, invoice string) (RuleTry, error) {
	if err := by.Authorize(DefinitionsWrite); err != nil {
		return RuleTry{}, err
	}
	if kind != engine.KindRule {
		return RuleTry{}, ErrKind{Got: kind, Want: engine.KindRule, What: "tried on an invoice"}
	}
	subj, clk, b, err := s.liveSubject(ctx, by, kind, name, version, invoice)
	if err != nil {
		return RuleTry{}, err
	}
	t, err := b.TryRule(name, subj, clk)
	if err != nil {
		return RuleTry{}, err
	}
	out := RuleTry{Invoice: subj.Invoice.Number, At: clk.Now, Matched: t.Matched, Values: t.Values, Effects: []TriedEffect{}}
	if out.Values == nil {
		out.Values = []engine.TriedValue{}
	}
	if t.Err != nil {
		out.Error = t.Err.Error()
	}
	for _, e := range t.Effects {
		out.Effects = append(out.Effects, TriedEffect{Kind: string(e.Kind), Summary: EffectSummary(e), Effect: e})
	}
	return out, nil
}

// liveSubject is what trying and rendering a version share: the invoice,
// if the actor may see it, loaded as the tick loads it now, and the
// published definitions with the version in place of its published one.
func (s *Service) liveSubject(ctx context.Context, by Actor, kind engine.Kind, name string, version int, invoice string) (*engine.Subject, engine.Clock, *engine.Bundle, error) {
	ok, err := s.store.CanSeeInvoice(ctx, by.Viewer(), invoice)
	if err != nil {
		return nil, engine.Clock{}, nil, err
	}
	if !ok {
		return nil, engine.Clock{}, nil, fmt.Errorf("invoice %q: %w", invoice, store.ErrHidden)
	}
	b, _, err := s.BundleWith(ctx, kind, name, version)
	if err != nil {
		return nil, engine.Clock{}, nil, err
	}
	clk, err := s.Clock(ctx)
	if err != nil {
		return nil, clk, nil, err
	}
	subj, err := s.store.TickSubject(ctx, invoice, clk)
	return subj, clk, b, err
}

// EffectSummary says in a line what an effect does.
func EffectSummary(e engine.Effect) string {
	switch e.Kind {
	case engine.ActionSet:
		return fmt.Sprintf("set %s: %s → %s", e.Field, cmp.Or(e.OldValue, "(none)"), e.Value)
	case engine.ActionTask:
		who := cmp.Or(e.Assignee, string(e.Role))
		s := "task " + quote(e.Title)
		if who != "" {
			s += " for " + who
		}
		if e.Form != "" {
			s += ", form " + e.Form
		}
		if !e.DueAt.IsZero() {
			s += ", due " + e.DueAt.Format(time.RFC3339)
		}
		return s
	case engine.ActionNotify:
		to := cmp.Or(e.To, string(e.ToRole), "(no address)")
		s := fmt.Sprintf("%s to %s", cmp.Or(e.Channel, "message"), to)
		if len(e.Cc) > 0 {
			s += " cc " + strings.Join(e.Cc, ", ")
		}
		s += ": " + e.Template
		if e.Subject != "" {
			s += " " + quote(e.Subject)
		}
		return s
	case engine.ActionStartWorkflow:
		return "start workflow " + e.Workflow
	case engine.ActionAddFee, engine.ActionInterest:
		s := string(e.Kind)
		if e.Fee != nil {
			s += " " + engine.MoneyText(e.Fee.Minor, e.Fee.Currency)
		}
		if e.Interest != nil {
			s += fmt.Sprintf(" for %d days, %s to %s", e.Interest.Days, e.Interest.From, e.Interest.Through)
		}
		if e.Reason != "" {
			s += ": " + e.Reason
		}
		return s
	case engine.ActionWriteOff:
		s := "write off"
		if e.WriteOff != nil {
			s += " " + engine.MoneyText(e.WriteOff.Minor, e.WriteOff.Currency)
		}
		if e.Reason != "" {
			s += ": " + e.Reason
		}
		return s
	case engine.ActionPaymentPlan:
		if p := e.Plan; p != nil {
			return fmt.Sprintf("payment plan of %d installments from %s", p.Installments, p.FirstDue)
		}
	}
	return string(e.Kind)
}

func quote(s string) string { return "“" + s + "”" }
