package api

import (
	"bytes"
	"context"
	"encoding/json"

	"github.com/recoup/recoup/engine"
	"github.com/recoup/recoup/usecase"
)

// TryRule evaluates one version of a rule on a live invoice
// (usecase.TryRule). Nothing is written.
func (a *server) TryRule(ctx context.Context, req TryRuleRequestObject) (TryRuleResponseObject, error) {
	t, err := a.uc.TryRule(ctx, actorOf(ctx), engine.Kind(req.Kind), req.Name, req.Body.Version, req.Body.Invoice)
	if err != nil {
		return nil, err
	}
	out := TryRule200JSONResponse{Invoice: t.Invoice, At: t.At, Matched: t.Matched, Values: triedValues(t.Values),
		Effects: make([]RuleTryEffect, len(t.Effects))}
	if t.Error != "" {
		out.Error = &t.Error
	}
	for i, e := range t.Effects {
		detail, err := effectDetail(e.Effect)
		if err != nil {
			return nil, err
		}
		out.Effects[i] = RuleTryEffect{Kind: e.Kind, Summary: e.Summary, Detail: detail}
	}
	return out, nil
}

// triedValues are the values a condition read, rendered for people.
func triedValues(vs []engine.TriedValue) []RuleTryValue {
	out := make([]RuleTryValue, len(vs))
	for i, v := range vs {
		out[i] = RuleTryValue{Path: v.Path, Value: v.Value}
	}
	return out
}

// effectDetail is an effect as JSON, without its trace (the values are
// listed once, beside the effects).
func effectDetail(e engine.Effect) (map[string]any, error) {
	e.Trace = nil
	raw, err := json.Marshal(e)
	if err != nil {
		return nil, err
	}
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		return nil, err
	}
	delete(m, "trace")
	return m, nil
}

// RenderTemplate renders one version of a template for a live invoice
// (usecase.RenderTemplate). Nothing is written.
func (a *server) RenderTemplate(ctx context.Context, req RenderTemplateRequestObject) (RenderTemplateResponseObject, error) {
	r, err := a.uc.RenderTemplate(ctx, actorOf(ctx), engine.Kind(req.Kind), req.Name,
		usecase.RenderRequest{Version: req.Body.Version, Invoice: req.Body.Invoice, Locale: string(req.Body.Locale)}, a.letters)
	if err != nil {
		return nil, err
	}
	out := RenderTemplate200JSONResponse{Channel: r.Channel, Subject: r.Subject, Body: r.Body, Letter: r.Letter}
	if r.SMS != nil {
		out.Sms = &SmsLength{Characters: r.SMS.Characters, Segments: r.SMS.Segments, Encoding: SmsLengthEncoding(r.SMS.Encoding)}
	}
	return out, nil
}

// RenderLetter is the formal letter of one version of a template for a
// live invoice, as delivery would attach it (usecase.RenderLetter).
func (a *server) RenderLetter(ctx context.Context, req RenderLetterRequestObject) (RenderLetterResponseObject, error) {
	p := req.Params
	pdf, err := a.uc.RenderLetter(ctx, actorOf(ctx), engine.Kind(req.Kind), req.Name,
		usecase.RenderRequest{Version: p.Version, Invoice: p.Invoice, Locale: string(p.Locale)}, a.letters)
	if err != nil {
		return nil, err
	}
	return RenderLetter200ApplicationpdfResponse{Body: bytes.NewReader(pdf), ContentLength: int64(len(pdf))}, nil
}
