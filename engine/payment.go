package engine

import (
	"fmt"
	"strings"
	"time"

	"golang.org/x/text/cases"
	"golang.org/x/text/unicode/norm"

	"github.com/recoup/recoup/calendar"
	"github.com/recoup/recoup/money"
)

// PaymentClockSkew is how far in the future a payment's paid_at may lie:
// a bank's clock a little ahead of ours is not an error, a payment dated
// tomorrow is.
const PaymentClockSkew = 5 * time.Minute

// PaymentCheck is a payment to be recorded, with what it is checked
// against: its invoice and the present.
type PaymentCheck struct {
	AmountMinor     int64
	Currency        string
	PaidAt          time.Time
	Reference       string
	InvoiceCurrency string
	IssueDate       calendar.Date // of the invoice
	Now             time.Time
	Location        *time.Location // the company's zone, in which paid_at's date is compared with the issue date
}

// PaymentProblem is one refused part of a payment: the field, as the
// payment webhook names it (amount_minor, currency, paid_at, reference),
// and why.
type PaymentProblem struct {
	Field   string
	Message string
}

// CheckPayment returns every reason to refuse p, none when it may be
// recorded: the amount positive and at most money.MaxMinor, in the
// invoice's currency, paid not after now plus PaymentClockSkew and not
// before the invoice's issue date (compared as dates in the company's zone:
// a payment at 08:00 in Shanghai on the issue day is on that day, though
// it is the day before in UTC), and a reference that is not blank.
func CheckPayment(p PaymentCheck) []PaymentProblem {
	var out []PaymentProblem
	add := func(field, format string, args ...any) {
		out = append(out, PaymentProblem{Field: field, Message: fmt.Sprintf(format, args...)})
	}
	switch {
	case p.AmountMinor <= 0:
		add("amount_minor", "must be positive, got %d", p.AmountMinor)
	case p.AmountMinor > money.MaxMinor:
		add("amount_minor", "%d is above the largest payment recoup accepts (%d minor units)", p.AmountMinor, money.MaxMinor)
	}
	if p.InvoiceCurrency != "" && p.Currency != p.InvoiceCurrency {
		add("currency", "%s differs from the invoice's currency %s", p.Currency, p.InvoiceCurrency)
	}
	loc := p.Location
	if loc == nil {
		loc = time.UTC
	}
	switch {
	case p.PaidAt.IsZero():
		add("paid_at", "is required")
	case !p.Now.IsZero() && p.PaidAt.After(p.Now.Add(PaymentClockSkew)):
		add("paid_at", "%s is in the future (now is %s)", p.PaidAt.UTC().Format(time.RFC3339), p.Now.UTC().Format(time.RFC3339))
	case !p.IssueDate.IsZero() && calendar.In(p.PaidAt, loc).Before(p.IssueDate):
		add("paid_at", "%s is before the invoice's issue date %s", calendar.In(p.PaidAt, loc), p.IssueDate)
	}
	if PaymentKey(p.Reference) == "" {
		add("reference", "must not be blank")
	}
	return out
}

var fold = cases.Fold()

// PaymentKey is the idempotency key of a payment reference: trimmed of
// spaces, in Unicode normal form C and case-folded, so that
// " BANK-2026-0001 ", "bank-2026-0001" and "BANK-2026-0001" are one payment.
// The reference as sent is kept for display.
func PaymentKey(reference string) string {
	return fold.String(norm.NFC.String(strings.TrimSpace(reference)))
}
