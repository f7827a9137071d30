package delivery

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"html"
	"net/mail"
	"os"
	"strings"
	"time"

	gomail "github.com/wneessen/go-mail"
	"github.com/wneessen/go-mail/smtp"
)

// SMTPConfig is how email leaves: an SMTP relay and the sender identity.
type SMTPConfig struct {
	// Host and Port of the relay. Port defaults to 587 (465 with TLS
	// "tls", 25 with TLS "none").
	Host string `yaml:"host"`
	Port int    `yaml:"port"`
	// TLS is "starttls" (required; the default), "opportunistic"
	// (STARTTLS when offered), "tls" (implicit TLS, port 465) or "none".
	TLS string `yaml:"tls"`
	// CAFile is a PEM bundle of the certificate authorities to trust for
	// the relay's TLS certificate (a private relay); default the system's.
	CAFile string `yaml:"ca_file"`
	// Username and Password enable SMTP AUTH (PLAIN, LOGIN or CRAM-MD5,
	// whichever the server offers). Env RECOUP_SMTP_PASSWORD overrides
	// Password so the secret stays out of files.
	Username string `yaml:"username"`
	Password string `yaml:"password"`
	// From is the sender ("Acme AR <ar@acme.example>"); ReplyTo where
	// answers go; Bcc receives a copy of every email (an archive).
	From    string   `yaml:"from"`
	ReplyTo string   `yaml:"reply_to"`
	Bcc     []string `yaml:"bcc"`
	// Domain is the right-hand side of Message-IDs. Default: From's domain.
	Domain string `yaml:"domain"`
	// Timeout bounds dialing and each SMTP command. Default 30s.
	Timeout Duration `yaml:"timeout"`
	// Conns is how many idle connections are kept open for reuse.
	// Default 8.
	Conns int `yaml:"conns"`
}

func (c SMTPConfig) withDefaults() SMTPConfig {
	if c.TLS == "" {
		c.TLS = "starttls"
	}
	if c.Port == 0 {
		switch c.TLS {
		case "tls":
			c.Port = 465
		case "none":
			c.Port = 25
		default:
			c.Port = 587
		}
	}
	if c.Domain == "" {
		if a, err := mail.ParseAddress(c.From); err == nil {
			_, c.Domain, _ = strings.Cut(a.Address, "@")
		}
	}
	if c.Timeout == 0 {
		c.Timeout = Duration(30 * time.Second)
	}
	if c.Conns == 0 {
		c.Conns = 8
	}
	return c
}

func (c SMTPConfig) validate() error {
	var errs []error
	if c.Host == "" {
		errs = append(errs, errors.New("email: host is empty"))
	}
	switch c.TLS {
	case "starttls", "opportunistic", "tls", "none":
	default:
		errs = append(errs, fmt.Errorf("email: tls %q: want starttls, opportunistic, tls or none", c.TLS))
	}
	if _, err := mail.ParseAddress(c.From); err != nil {
		errs = append(errs, fmt.Errorf("email: from %q: %v", c.From, err))
	}
	if c.ReplyTo != "" {
		if _, err := mail.ParseAddress(c.ReplyTo); err != nil {
			errs = append(errs, fmt.Errorf("email: reply_to %q: %v", c.ReplyTo, err))
		}
	}
	for _, b := range c.Bcc {
		if _, err := mail.ParseAddress(b); err != nil {
			errs = append(errs, fmt.Errorf("email: bcc %q: %v", b, err))
		}
	}
	return errors.Join(errs...)
}

// Email sends over SMTP, keeping a few connections open between messages.
type Email struct {
	cfg    SMTPConfig
	client *gomail.Client
	idle   chan *smtp.Client
}

// NewEmail checks cfg and prepares the client; it does not connect yet.
func NewEmail(cfg SMTPConfig) (*Email, error) {
	cfg = cfg.withDefaults()
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	opts := []gomail.Option{gomail.WithPort(cfg.Port), gomail.WithTimeout(time.Duration(cfg.Timeout))}
	// The port is ours (withDefaults): the library's port policies would
	// move an explicit port 25 to 587.
	switch cfg.TLS {
	case "starttls":
		opts = append(opts, gomail.WithTLSPolicy(gomail.TLSMandatory))
	case "opportunistic":
		opts = append(opts, gomail.WithTLSPolicy(gomail.TLSOpportunistic))
	case "tls":
		opts = append(opts, gomail.WithSSL())
	case "none":
		opts = append(opts, gomail.WithTLSPolicy(gomail.NoTLS))
	}
	if cfg.CAFile != "" {
		pem, err := os.ReadFile(cfg.CAFile)
		if err != nil {
			return nil, fmt.Errorf("email: ca_file: %w", err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("email: ca_file %s: no PEM certificate", cfg.CAFile)
		}
		opts = append(opts, gomail.WithTLSConfig(&tls.Config{RootCAs: pool, ServerName: cfg.Host, MinVersion: tls.VersionTLS12}))
	}
	if cfg.Username != "" {
		opts = append(opts, gomail.WithSMTPAuth(gomail.SMTPAuthAutoDiscover), gomail.WithUsername(cfg.Username), gomail.WithPassword(cfg.Password))
	}
	c, err := gomail.NewClient(cfg.Host, opts...)
	if err != nil {
		return nil, fmt.Errorf("email: %w", err)
	}
	return &Email{cfg: cfg, client: c, idle: make(chan *smtp.Client, cfg.Conns)}, nil
}

// Close closes the idle connections.
func (e *Email) Close() error {
	for {
		select {
		case c := <-e.idle:
			_ = e.client.CloseWithSMTPClient(c)
		default:
			return nil
		}
	}
}

// Send delivers m. A 5xx answer from the server is permanent; anything
// else (a refused connection, a 4xx, a timeout) is retried later.
func (e *Email) Send(ctx context.Context, m *Message) error {
	msg, err := e.build(m)
	if err != nil {
		return Permanent(err)
	}
	// A pooled connection may have been closed by the server; try it,
	// then a fresh one.
	for attempt := 0; ; attempt++ {
		conn, pooled, err := e.conn(ctx)
		if err != nil {
			return fmt.Errorf("connecting to %s:%d: %w", e.cfg.Host, e.cfg.Port, err)
		}
		err = e.client.SendWithSMTPClient(conn, msg)
		if err == nil {
			e.release(conn)
			return nil
		}
		_ = e.client.CloseWithSMTPClient(conn)
		var se *gomail.SendError
		if errors.As(err, &se) && se.Reason == gomail.ErrConnCheck && pooled && attempt == 0 {
			continue
		}
		if msg.HasSendError() && !msg.SendErrorIsTemp() && errors.As(err, &se) && se.Reason != gomail.ErrConnCheck {
			return Permanent(err)
		}
		return err
	}
}

func (e *Email) conn(ctx context.Context) (*smtp.Client, bool, error) {
	select {
	case c := <-e.idle:
		return c, true, nil
	default:
	}
	c, err := e.client.DialToSMTPClientWithContext(ctx)
	return c, false, err
}

func (e *Email) release(c *smtp.Client) {
	select {
	case e.idle <- c:
	default:
		_ = e.client.CloseWithSMTPClient(c)
	}
}

// build makes the MIME message: text and HTML alternatives, attachments,
// the outbox key as Message-ID and as X-Recoup-Key.
func (e *Email) build(m *Message) (*gomail.Msg, error) {
	msg := gomail.NewMsg(gomail.WithNoDefaultUserAgent())
	if err := msg.From(e.cfg.From); err != nil {
		return nil, fmt.Errorf("from: %w", err)
	}
	if len(m.To) == 0 {
		return nil, errors.New("no recipient")
	}
	if err := msg.To(m.To...); err != nil {
		return nil, fmt.Errorf("to: %w", err)
	}
	if len(m.Cc) > 0 {
		if err := msg.Cc(m.Cc...); err != nil {
			return nil, fmt.Errorf("cc: %w", err)
		}
	}
	if len(e.cfg.Bcc) > 0 {
		if err := msg.Bcc(e.cfg.Bcc...); err != nil {
			return nil, fmt.Errorf("bcc: %w", err)
		}
	}
	if e.cfg.ReplyTo != "" {
		if err := msg.ReplyTo(e.cfg.ReplyTo); err != nil {
			return nil, fmt.Errorf("reply-to: %w", err)
		}
	}
	msg.Subject(m.Subject)
	msg.SetMessageIDWithValue(messageID(m.Key, e.cfg.Domain))
	msg.SetGenHeader("X-Recoup-Key", m.Key)
	msg.SetDate()
	if m.Locale != "" {
		msg.SetGenHeader("Content-Language", m.Locale)
	}
	if m.Unsubscribe != "" {
		msg.SetListUnsubscribe("<" + m.Unsubscribe + ">")
	}
	msg.SetBodyString(gomail.TypeTextPlain, m.Text)
	msg.AddAlternativeString(gomail.TypeTextHTML, textToHTML(m.Subject, m.Text, m.Locale))
	for _, a := range m.Attachments {
		ct := a.ContentType
		if ct == "" {
			ct = "application/octet-stream"
		}
		if err := msg.AttachReader(a.Name, bytes.NewReader(a.Data), gomail.WithFileContentType(gomail.ContentType(ct))); err != nil {
			return nil, fmt.Errorf("attaching %s: %w", a.Name, err)
		}
	}
	return msg, nil
}

// textToHTML renders a plain-text body as simple HTML: paragraphs at blank
// lines, line breaks kept, everything escaped.
func textToHTML(subject, text, locale string) string {
	var b strings.Builder
	lang := locale
	if lang == "" {
		lang = "en"
	}
	fmt.Fprintf(&b, "<!DOCTYPE html>\n<html lang=\"%s\"><head><meta charset=\"utf-8\"><title>%s</title></head>\n<body style=\"font-family: sans-serif; line-height: 1.5\">\n",
		html.EscapeString(lang), html.EscapeString(subject))
	for _, para := range strings.Split(strings.ReplaceAll(strings.TrimSpace(text), "\r\n", "\n"), "\n\n") {
		if strings.TrimSpace(para) == "" {
			continue
		}
		lines := strings.Split(para, "\n")
		for i := range lines {
			lines[i] = html.EscapeString(lines[i])
		}
		b.WriteString("<p>" + strings.Join(lines, "<br>\n") + "</p>\n")
	}
	b.WriteString("</body></html>\n")
	return b.String()
}
