package delivery

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/recoup/recoup/letter"
)

// Config is the delivery configuration: channels, the contact policy,
// retries. It is read from a YAML file (RECOUP_DELIVERY); secrets may come
// from the environment instead. A channel left out is not drained: its
// rows wait in the outbox until it is configured.
type Config struct {
	Email   *SMTPConfig    `yaml:"email"`
	SMS     *HTTPConfig    `yaml:"sms"`
	Webhook *WebhookConfig `yaml:"webhook"`
	// InApp delivers in_app messages into users' inboxes. Default true.
	InApp *bool `yaml:"in_app"`
	// Policy is the company's contact policy.
	Policy Policy `yaml:"policy"`
	// Letterhead of formal letters; the name defaults to the company's.
	Letterhead letter.Party `yaml:"letterhead"`
	// LetterFont and LetterLatinFont are TrueType files for the PDF
	// letters (see package letter for the defaults).
	LetterFont      string `yaml:"letter_font"`
	LetterLatinFont string `yaml:"letter_latin_font"`
	// MaxAttempts before a message is dead-lettered. Default 8.
	MaxAttempts int `yaml:"max_attempts"`
	// BackoffBase doubles per failed attempt up to BackoffMax. Defaults
	// 30s and 6h.
	BackoffBase Duration `yaml:"backoff_base"`
	BackoffMax  Duration `yaml:"backoff_max"`
	// Lease is how long a claimed message may stay "sending" before
	// another dispatcher takes it over (after a crash). Default 5m.
	Lease Duration `yaml:"lease"`
	// Batch is how many rows one claim takes; Workers how many messages
	// are sent at once. Defaults 200 and 8.
	Batch   int `yaml:"batch"`
	Workers int `yaml:"workers"`
	// Poll is how often serve's dispatcher looks for due rows. Default 10s.
	Poll Duration `yaml:"poll"`
}

// WebhookConfig is the receiver of integration events.
type WebhookConfig struct {
	HTTPConfig `yaml:",inline"`
	// Events to send; default all: invoice.overdue, workflow.node_entered,
	// task.created, approval.requested, approval.decided.
	Events []string `yaml:"events"`
}

// Webhook event types.
const (
	EventInvoiceOverdue    = "invoice.overdue"
	EventNodeEntered       = "workflow.node_entered"
	EventTaskCreated       = "task.created"
	EventApprovalRequested = "approval.requested"
	EventApprovalDecided   = "approval.decided"
)

var allEvents = []string{EventInvoiceOverdue, EventNodeEntered, EventTaskCreated, EventApprovalRequested, EventApprovalDecided}

// LoadConfig reads path (an empty path gives the defaults) and applies the
// secret environment variables RECOUP_SMTP_PASSWORD, RECOUP_SMS_SECRET and
// RECOUP_WEBHOOK_SECRET.
func LoadConfig(path string) (Config, error) {
	var c Config
	if path != "" {
		raw, err := os.ReadFile(path)
		if err != nil {
			return Config{}, err
		}
		dec := yaml.NewDecoder(bytes.NewReader(raw))
		dec.KnownFields(true)
		if err := dec.Decode(&c); err != nil && !errors.Is(err, io.EOF) {
			return Config{}, fmt.Errorf("%s: %w", path, err)
		}
	}
	if v := os.Getenv("RECOUP_SMTP_PASSWORD"); v != "" && c.Email != nil {
		c.Email.Password = v
	}
	if v := os.Getenv("RECOUP_SMS_SECRET"); v != "" && c.SMS != nil {
		c.SMS.Secret = v
	}
	if v := os.Getenv("RECOUP_WEBHOOK_SECRET"); v != "" && c.Webhook != nil {
		c.Webhook.Secret = v
	}
	c = c.WithDefaults()
	if err := c.Validate(); err != nil {
		if path != "" {
			return Config{}, fmt.Errorf("%s: %w", path, err)
		}
		return Config{}, err
	}
	return c, nil
}

// WithDefaults fills unset fields.
func (c Config) WithDefaults() Config {
	if c.InApp == nil {
		t := true
		c.InApp = &t
	}
	c.Policy = c.Policy.WithDefaults()
	if c.MaxAttempts == 0 {
		c.MaxAttempts = 8
	}
	if c.BackoffBase == 0 {
		c.BackoffBase = Duration(30 * time.Second)
	}
	if c.BackoffMax == 0 {
		c.BackoffMax = Duration(6 * time.Hour)
	}
	if c.Lease == 0 {
		c.Lease = Duration(5 * time.Minute)
	}
	if c.Batch == 0 {
		c.Batch = 200
	}
	if c.Workers == 0 {
		c.Workers = 8
	}
	if c.Poll == 0 {
		c.Poll = Duration(10 * time.Second)
	}
	if c.Email != nil {
		e := c.Email.withDefaults()
		c.Email = &e
	}
	if c.Webhook != nil && len(c.Webhook.Events) == 0 {
		c.Webhook.Events = allEvents
	}
	return c
}

// Validate reports every invalid setting at once.
func (c Config) Validate() error {
	var errs []error
	if c.Email != nil {
		errs = append(errs, c.Email.validate())
	}
	if c.SMS != nil {
		errs = append(errs, c.SMS.validate("sms"))
	}
	if c.Webhook != nil {
		errs = append(errs, c.Webhook.validate("webhook"))
		for _, e := range c.Webhook.Events {
			known := false
			for _, a := range allEvents {
				known = known || a == e
			}
			if !known {
				errs = append(errs, fmt.Errorf("webhook: unknown event %q (want one of %v)", e, allEvents))
			}
		}
	}
	errs = append(errs, c.Policy.Validate())
	if c.MaxAttempts < 1 {
		errs = append(errs, fmt.Errorf("max_attempts %d: want at least 1", c.MaxAttempts))
	}
	if c.Batch < 1 || c.Workers < 1 {
		errs = append(errs, errors.New("batch and workers must be at least 1"))
	}
	return errors.Join(errs...)
}
