// Package delivery drains the notification outbox the tick writes: it
// claims due rows, applies the company's contact policy (quiet hours and
// business days in the recipient's zone, a per-customer frequency cap
// across channels, one digest per customer instead of several messages,
// channel fallback email → SMS → a task for the owner, do-not-contact,
// nothing after payment), sends them over real channels (SMTP email, an
// HTTP SMS gateway, in-app messages, signed outgoing webhooks), retries
// failures with exponential backoff and dead-letters a message after too
// many tries, keeping the last error.
//
// Every message carries its outbox key as an idempotency key (the SMTP
// Message-ID, the Idempotency-Key HTTP header), so that a message sent
// again after a crash between "sent" and "marked sent" can be recognized
// by the provider. Every decision other than a plain send — delayed,
// suppressed, merged, rerouted, retried, dead — is recorded in
// outbox_events with its reason, and the row keeps the latest reason.
//
// On PostgreSQL several replicas drain one outbox: rows are claimed with
// FOR UPDATE SKIP LOCKED and a claim locks the customers it decides for, so
// the frequency cap holds across replicas. On SQLite one dispatcher runs.
package delivery

import (
	"context"
	"errors"
	"fmt"
	"strings"
)

// Channels of the outbox.
const (
	ChannelEmail   = "email"
	ChannelSMS     = "sms"
	ChannelInApp   = "in_app"
	ChannelWebhook = "webhook"
)

// Message is what a channel sends: one outbox row, or a digest of several.
type Message struct {
	// Key is the outbox key, the idempotency key every provider sees.
	Key     string
	Channel string
	To      []string
	Cc      []string
	Subject string
	Text    string // plain text; the email channel derives the HTML part
	Locale  string
	// Unsubscribe is a List-Unsubscribe URI (mailto: or https:) for
	// customer-facing email.
	Unsubscribe string
	Attachments []Attachment
	// Event and Payload are a webhook's event type and JSON body.
	Event   string
	Payload []byte
}

// Attachment is a file sent with an email.
type Attachment struct {
	Name        string
	ContentType string
	Data        []byte
}

// Sender delivers messages over one channel. Send must be safe for
// concurrent use. An error wrapped with [Permanent] is not retried.
type Sender interface {
	Send(ctx context.Context, m *Message) error
}

// permanentError marks a failure that retrying cannot fix (a rejected
// address, a 4xx from a gateway).
type permanentError struct{ err error }

func (e permanentError) Error() string { return e.err.Error() }
func (e permanentError) Unwrap() error { return e.err }

// Permanent marks err as not worth retrying.
func Permanent(err error) error {
	if err == nil {
		return nil
	}
	return permanentError{err}
}

// IsPermanent reports whether err was marked with [Permanent].
func IsPermanent(err error) bool {
	var p permanentError
	return errors.As(err, &p)
}

// messageID turns an outbox key into the left part of an RFC 5322
// Message-ID. Keys are made of atext characters ("workflow/x/invoice/1#0");
// anything else is percent-encoded, so distinct keys stay distinct.
func messageID(key, domain string) string {
	var b strings.Builder
	for i := 0; i < len(key); i++ {
		c := key[i]
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte("!#$&'*+-/=?^_`{|}~.", c) >= 0 {
			b.WriteByte(c)
			continue
		}
		fmt.Fprintf(&b, "%%%02X", c)
	}
	return b.String() + "@" + domain
}
