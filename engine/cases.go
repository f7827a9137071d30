package engine

import (
	"fmt"
	"strings"

	"github.com/recoup/recoup/calendar"
)

// What follows escalation as records (issue 16 §3–5): disputes, promises to
// pay, legal cases and holds. This file holds their vocabulary and the
// checks of what a person asks for; package store writes them, in one
// transaction each, only once these checks pass.

// StatusWrittenOff is the status of an invoice written off (the director's
// write_off decision, a legal case lost).
const StatusWrittenOff = "written_off"

// DisputeSLADays is how many days a dispute has to be resolved when its
// opener names no SLA date.
const DisputeSLADays = 14

// Dispute, promise and legal case statuses.
const (
	DisputeOpen     = "open"
	DisputeUpheld   = "upheld"
	DisputeRejected = "rejected"

	PromisePending   = "pending"
	PromiseKept      = "kept"
	PromiseBroken    = "broken"
	PromiseCancelled = "cancelled"

	CaseOpen      = "open"
	CaseRecovered = "recovered"
	CaseSettled   = "settled"
	CaseLost      = "lost"
)

// HoldLegal is the hold reason of an invoice with an open legal case.
const HoldLegal = "legal"

// Amount is an amount asked for against an invoice: what the person
// typed, and the invoice's currency and balance it must fit.
type Amount struct {
	Minor, BalanceMinor       int64
	Currency, InvoiceCurrency string
}

// check reports the amount's problems under field: positive, in the
// invoice's currency, at most its balance (when capped).
func (a Amount) check(field string, capped bool) []FieldError {
	var errs []FieldError
	if a.Currency != "" && !strings.EqualFold(a.Currency, a.InvoiceCurrency) {
		errs = append(errs, FieldError{Field: "/currency", Message: fmt.Sprintf("must be the invoice's currency, %s", a.InvoiceCurrency)})
	}
	switch {
	case a.Minor <= 0:
		errs = append(errs, FieldError{Field: field, Message: "must be more than zero"})
	case capped && a.Minor > a.BalanceMinor:
		errs = append(errs, FieldError{Field: field, Message: fmt.Sprintf("must be at most the invoice's balance, %s",
			FormatMoney(a.BalanceMinor, a.InvoiceCurrency, "en"))})
	}
	return errs
}

// DisputeCheck is a dispute as asked for.
type DisputeCheck struct {
	Reason string
	// Reasons is the company's list (store.DisputeReasons); the reason
	// must be one of its active ones.
	Reasons []DisputeReason
	Amount  Amount
	SLADue  calendar.Date // zero: DisputeSLADays from today
	Today   calendar.Date
}

// CheckDispute returns every problem of a dispute asked for, as
// FormErrors (nil when it may be opened).
func CheckDispute(d DisputeCheck) error {
	var errs []FieldError
	if !IsDisputeReason(d.Reason, d.Reasons) {
		var codes []string
		for _, r := range ActiveDisputeReasons(d.Reasons) {
			codes = append(codes, r.Code)
		}
		errs = append(errs, FieldError{Field: "/reason", Message: "must be one of " + strings.Join(codes, ", ")})
	}
	errs = append(errs, d.Amount.check("/disputed_minor", true)...)
	if !d.SLADue.IsZero() && d.SLADue.Before(d.Today) {
		errs = append(errs, FieldError{Field: "/sla_due", Message: fmt.Sprintf("cannot be before today, %s", d.Today)})
	}
	return formErrors(errs)
}

// PromiseCheck is a promise to pay as asked for.
type PromiseCheck struct {
	Date   calendar.Date
	Amount Amount
	Today  calendar.Date // in the company's zone
}

// CheckPromise returns every problem of a promise asked for: a date after
// today (in the company's zone) and an amount up to the balance.
func CheckPromise(p PromiseCheck) error {
	var errs []FieldError
	switch {
	case p.Date.IsZero():
		errs = append(errs, FieldError{Field: "/promised_date", Message: "is required"})
	case !p.Date.After(p.Today):
		errs = append(errs, FieldError{Field: "/promised_date", Message: fmt.Sprintf("must be in the future (after %s)", p.Today)})
	}
	errs = append(errs, p.Amount.check("/promised_minor", true)...)
	return formErrors(errs)
}

// CaseClose is the closing of a legal case as asked for.
type CaseClose struct {
	Status string
	// Settlement is what the customer pays in a settlement; the rest of
	// the balance is taken off it.
	Settlement Amount
}

// CheckCaseClose returns the problems of closing a legal case.
func CheckCaseClose(c CaseClose) error {
	var errs []FieldError
	switch c.Status {
	case CaseRecovered, CaseLost:
	case CaseSettled:
		if c.Settlement.Minor < 0 {
			errs = append(errs, FieldError{Field: "/settlement_minor", Message: "cannot be negative"})
		} else if c.Settlement.Minor > c.Settlement.BalanceMinor {
			errs = append(errs, FieldError{Field: "/settlement_minor", Message: fmt.Sprintf("must be at most the invoice's balance, %s",
				FormatMoney(c.Settlement.BalanceMinor, c.Settlement.InvoiceCurrency, "en"))})
		}
	default:
		errs = append(errs, FieldError{Field: "/status", Message: "must be recovered, settled or lost"})
	}
	return formErrors(errs)
}

// PromiseOutcome decides a pending promise whose date has passed: kept
// when paid (the payments since it was made, by its date) covers it.
func PromiseOutcome(promisedMinor, paidMinor int64) string {
	if paidMinor >= promisedMinor {
		return PromiseKept
	}
	return PromiseBroken
}

func formErrors(errs []FieldError) error {
	if len(errs) == 0 {
		return nil
	}
	return FormErrors(errs)
}

// Records an outcome may open (Route.Record), written by the use case that
// completes the task once the workflow has routed the outcome.
const (
	RecordDispute   = "dispute"
	RecordPromise   = "promise"
	RecordLegalCase = "legal_case"
)

// OutcomeRecord returns the record (RecordDispute, …; "" none) that outcome
// of the workflow task or approval keyed key opens: its route's record,
// or the default route's when the outcome has none of its own.
func (b *Bundle) OutcomeRecord(key, outcome string) string {
	k, ok := ParseWorkflowKey(key)
	if !ok {
		return ""
	}
	w := b.Workflows[k.Workflow]
	if w == nil {
		return ""
	}
	i, ok := w.NodeIndex[k.Node]
	if !ok {
		return ""
	}
	n := &w.Spec.Nodes[i]
	var outcomes Outcomes
	switch {
	case k.Part == "task" && n.Task != nil:
		outcomes = n.Task.Outcomes
	case k.Part == "approval" && n.Approval != nil:
		outcomes = n.Approval.Outcomes
	}
	record := ""
	for _, o := range outcomes {
		switch o.Value.Value {
		case outcome:
			return o.Route.Record
		case "default":
			record = o.Route.Record
		}
	}
	return record
}
