package delivery

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"text/template"
	"time"
)

// HTTPConfig is a provider-neutral HTTP endpoint: an SMS gateway, or the
// receiver of outgoing webhooks.
type HTTPConfig struct {
	// URL receives a POST per message.
	URL string `yaml:"url"`
	// Headers are added to every request (an API key, a tenant id).
	Headers map[string]string `yaml:"headers"`
	// Body is a text/template producing the request body. Fields: .Key
	// (idempotency key), .To (first recipient), .Text, .Subject, .Locale,
	// .Event, .Payload (raw JSON); function json quotes a value as JSON.
	// Default for SMS: {"to":…,"text":…,"reference":…}; for webhooks the
	// event JSON itself.
	Body string `yaml:"body"`
	// ContentType of the body. Default application/json.
	ContentType string `yaml:"content_type"`
	// Secret signs each request: header X-Recoup-Signature is
	// "t=UNIX,v1=HEX" with HEX = HMAC-SHA256(secret, "UNIX." + body).
	// Env RECOUP_SMS_SECRET / RECOUP_WEBHOOK_SECRET override it.
	Secret string `yaml:"secret"`
	// Timeout of one request. Default 10s.
	Timeout Duration `yaml:"timeout"`
}

// Headers every request carries.
const (
	HeaderIdempotencyKey = "Idempotency-Key"
	HeaderSignature      = "X-Recoup-Signature"
	HeaderEvent          = "X-Recoup-Event"
)

// Default request bodies.
const (
	DefaultSMSBody     = `{"to":{{json .To}},"text":{{json .Text}},"reference":{{json .Key}}}`
	DefaultWebhookBody = `{{.Payload}}`
)

func (c HTTPConfig) validate(what string) error {
	u, err := url.Parse(c.URL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("%s: url %q: want http(s)://host/…", what, c.URL)
	}
	if _, err := template.New("body").Funcs(bodyFuncs).Parse(c.Body); err != nil {
		return fmt.Errorf("%s: body: %w", what, err)
	}
	return nil
}

var bodyFuncs = template.FuncMap{
	"json": func(v any) (string, error) {
		b, err := json.Marshal(v)
		return string(b), err
	},
}

// HTTP posts messages to an endpoint, signed with HMAC-SHA256.
type HTTP struct {
	cfg    HTTPConfig
	body   *template.Template
	client *http.Client
	now    func() time.Time
}

// NewHTTP checks cfg; defaultBody is used when cfg.Body is empty.
func NewHTTP(cfg HTTPConfig, defaultBody string, now func() time.Time) (*HTTP, error) {
	if cfg.Body == "" {
		cfg.Body = defaultBody
	}
	if cfg.ContentType == "" {
		cfg.ContentType = "application/json"
	}
	if cfg.Timeout == 0 {
		cfg.Timeout = Duration(10 * time.Second)
	}
	if err := cfg.validate("http"); err != nil {
		return nil, err
	}
	if now == nil {
		now = time.Now
	}
	t := template.Must(template.New("body").Funcs(bodyFuncs).Option("missingkey=error").Parse(cfg.Body))
	return &HTTP{cfg: cfg, body: t, client: &http.Client{Timeout: time.Duration(cfg.Timeout)}, now: now}, nil
}

type bodyData struct {
	Key, To, Text, Subject, Locale, Event string
	Payload                               string
}

// Sign returns the X-Recoup-Signature value of body at t: receivers
// recompute it with the shared secret and reject stale timestamps.
func Sign(secret string, t time.Time, body []byte) string {
	ts := strconv.FormatInt(t.Unix(), 10)
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(ts + "."))
	mac.Write(body)
	return "t=" + ts + ",v1=" + hex.EncodeToString(mac.Sum(nil))
}

// Send posts m. 2xx is success; 408, 429 and 5xx are retried; other 4xx
// answers are permanent.
func (h *HTTP) Send(ctx context.Context, m *Message) error {
	d := bodyData{Key: m.Key, Text: m.Text, Subject: m.Subject, Locale: m.Locale, Event: m.Event, Payload: string(m.Payload)}
	if len(m.To) > 0 {
		d.To = m.To[0]
	}
	var body bytes.Buffer
	if err := h.body.Execute(&body, d); err != nil {
		return Permanent(fmt.Errorf("rendering the request body: %w", err))
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, h.cfg.URL, bytes.NewReader(body.Bytes()))
	if err != nil {
		return Permanent(err)
	}
	for k, v := range h.cfg.Headers {
		req.Header.Set(k, v)
	}
	req.Header.Set("Content-Type", h.cfg.ContentType)
	req.Header.Set("User-Agent", "recoup-delivery")
	req.Header.Set(HeaderIdempotencyKey, m.Key)
	if m.Event != "" {
		req.Header.Set(HeaderEvent, m.Event)
	}
	if h.cfg.Secret != "" {
		req.Header.Set(HeaderSignature, Sign(h.cfg.Secret, h.now(), body.Bytes()))
	}
	resp, err := h.client.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) { // its message repeats the URL, query and all
			err = ue.Err
			if ue.Timeout() {
				err = fmt.Errorf("timeout after %s: %w", h.cfg.Timeout, err)
			}
		}
		return fmt.Errorf("posting to %s: %w", redactURL(h.cfg.URL), err)
	}
	defer resp.Body.Close()
	snippet, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
	if resp.StatusCode >= 200 && resp.StatusCode < 300 {
		return nil
	}
	err = fmt.Errorf("%s answered %s: %s", redactURL(h.cfg.URL), resp.Status, bytes.TrimSpace(snippet))
	switch {
	case resp.StatusCode == http.StatusRequestTimeout, resp.StatusCode == http.StatusTooManyRequests, resp.StatusCode >= 500:
		return err
	}
	return Permanent(err)
}

// redactURL drops credentials and the query (which may hold an API key).
func redactURL(s string) string {
	u, err := url.Parse(s)
	if err != nil {
		return "endpoint"
	}
	u.User = nil
	u.RawQuery = ""
	return u.String()
}
