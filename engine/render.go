package engine

import "fmt"

// Render renders t's subject and body for env in locale ("zh-CN" or "en";
// a missing translation falls back to English), exactly as the tick renders
// a notification. Previews and the delivery of digests call it.
func (t *Template) Render(env *Env, locale string) (subject, body string, err error) {
	data := templateData(reflectValueOf(env))
	if subject, err = t.Spec.Subject.get(locale).render(data); err != nil {
		return "", "", fmt.Errorf("template %s: subject: %w", t.Name, err)
	}
	if body, err = t.Spec.Body.get(locale).render(data); err != nil {
		return "", "", fmt.Errorf("template %s: body: %w", t.Name, err)
	}
	return subject, body, nil
}
