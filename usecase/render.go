package usecase

import (
	"context"
	"fmt"
	"sync"

	"github.com/recoup/recoup/calendar"
	"github.com/recoup/recoup/delivery"
	"github.com/recoup/recoup/engine"
	"github.com/recoup/recoup/letter"
	"github.com/recoup/recoup/store"
)

// Letters is how delivery makes formal letters and SMS: the delivery
// configuration (letterhead, fonts, which templates carry a letter, the
// SMS footer). Its renderer is built on first use and shared.
type Letters struct {
	Config delivery.Config

	once     sync.Once
	renderer *letter.Renderer
	err      error
}

// NewLetters returns the letters of cfg (its defaults filled).
func NewLetters(cfg delivery.Config) *Letters {
	return &Letters{Config: cfg.WithDefaults()}
}

func (l *Letters) render(doc letter.Letter) ([]byte, error) {
	l.once.Do(func() { l.renderer, l.err = letter.NewRenderer(l.Config.LetterLatinFont, l.Config.LetterFont) })
	if l.err != nil {
		return nil, l.err
	}
	return l.renderer.Render(doc)
}

// RenderRequest is a template version rendered for a live invoice.
type RenderRequest struct {
	Version int
	Invoice string // its number
	Locale  string // en or zh-CN
}

// Rendering is a template rendered as delivery would send it.
type Rendering struct {
	Channel       string // as the template declares it ("" when it leaves it to the action)
	Subject, Body string
	// SMS measures an SMS template's text as sent (with the footer).
	SMS *delivery.SMSLength
	// Letter: an email of this template carries the formal letter (PDF).
	Letter bool

	doc letter.Letter
}

// RenderTemplate renders one stored version of a template (a draft, say)
// for the live invoice in.Invoice, loaded as the tick loads it, now: the
// subject and body a notification would carry, an SMS's length and parts,
// and whether delivery attaches the formal letter. Nothing is written.
func (s *Service) RenderTemplate(ctx context.Context, by Actor, kind engine.Kind, name string, in RenderRequest, l *Letters) (Rendering, error) {
	if err := by.Authorize(DefinitionsWrite); err != nil {
		return Rendering{}, err
	}
	if kind != engine.KindTemplate {
		return Rendering{}, ErrKind{Got: kind, Want: engine.KindTemplate, What: "rendered"}
	}
	if in.Locale != "en" && in.Locale != "zh-CN" {
		return Rendering{}, fmt.Errorf("locale %q: want en or zh-CN: %w", in.Locale, store.ErrInvalid)
	}
	subj, clk, b, err := s.liveSubject(ctx, by, kind, name, in.Version, in.Invoice)
	if err != nil {
		return Rendering{}, err
	}
	t := b.Template(name)
	if t == nil { // BundleWith compiled it: cannot happen
		return Rendering{}, fmt.Errorf("template %q is not in its bundle", name)
	}
	subject, body, err := t.Render(engine.NewEnv(subj, clk), in.Locale)
	if err != nil {
		return Rendering{}, err
	}
	out := Rendering{Channel: t.Spec.Channel, Subject: subject, Body: body}
	pol := &l.Config.Policy
	switch t.Spec.Channel {
	case delivery.ChannelSMS:
		n := delivery.CountSMS(pol.SMSText(body, in.Locale))
		out.SMS = &n
	case delivery.ChannelEmail, "":
		out.Letter = pol.AttachesLetter(name)
	}
	company, err := s.store.Company(ctx)
	if err != nil {
		return Rendering{}, err
	}
	out.doc = delivery.PreviewLetter(company.Name, l.Config.Letterhead, subj, in.Locale, body, calendar.In(clk.Now, clk.Location))
	return out, nil
}

// RenderLetter is the formal letter of RenderTemplate's rendering as the
// PDF delivery would attach: its letterhead, fonts and layout.
func (s *Service) RenderLetter(ctx context.Context, by Actor, kind engine.Kind, name string, in RenderRequest, l *Letters) ([]byte, error) {
	r, err := s.RenderTemplate(ctx, by, kind, name, in, l)
	if err != nil {
		return nil, err
	}
	return l.render(r.doc)
}
