package engine

import (
	"time"

	"github.com/recoup/recoup/calendar"
)

// Env is the typed expression environment of rules and workflows. Field
// names in expressions are the expr tags (snake_case).
//
// Money is exact: every amount is an integer number of minor units (fen,
// cents) of the invoice's currency, so `invoice.balance > 100000` means more
// than 1,000.00 CNY; write `money("1000.00 CNY")` for readability. Dates are
// civil dates (the calendar day in the company's time zone) represented as
// midnight UTC, so they compare exactly with `today` and with date("…");
// `now` is the tick's instant in the company's time zone. Amounts carry the
// tag unit:"money", so that what a condition read can be shown as money
// (TryRule).
type Env struct {
	Invoice  InvoiceEnv  `expr:"invoice"`
	Customer CustomerEnv `expr:"customer"`
	Payments PaymentsEnv `expr:"payments"`
	Now      time.Time   `expr:"now"`
	Today    time.Time   `expr:"today"`
}

// InvoiceEnv is the invoice as expressions see it, with derived fields
// precomputed once per tick.
type InvoiceEnv struct {
	ID              int               `expr:"id"`
	Number          string            `expr:"number"`
	Currency        string            `expr:"currency"`
	Amount          int               `expr:"amount" unit:"money"`  // minor units
	Balance         int               `expr:"balance" unit:"money"` // minor units still owed
	Paid            int               `expr:"paid" unit:"money"`    // amount − balance
	IssueDate       time.Time         `expr:"issue_date"`
	DueDate         time.Time         `expr:"due_date"`
	Status          string            `expr:"status"`
	OwnerEmail      string            `expr:"owner_email"`
	Disputed        bool              `expr:"disputed"`
	OnHold          bool              `expr:"on_hold"`        // a hold stops customer contact
	HoldReason      string            `expr:"hold_reason"`    // "legal" for a legal case, else a person's reason
	DaysOverdue     int               `expr:"days_overdue"`   // max(0, today − due_date)
	DaysUntilDue    int               `expr:"days_until_due"` // due_date − today, negative once overdue
	AgingBucket     string            `expr:"aging_bucket"`   // current, 1-30, 31-60, 61-90, 90+
	Custom          map[string]string `expr:"custom"`
	Plan            PlanEnv           `expr:"plan"`                   // the invoice's payment plan; zero (status "") when it has none
	Fees            int               `expr:"fees" unit:"money"`      // fees and interest charged, minor units
	Interest        int               `expr:"interest" unit:"money"`  // interest charged so far, minor units
	Principal       int               `expr:"principal" unit:"money"` // what is owed of the amount: balance − fees, at least 0
	InterestThrough time.Time         `expr:"interest_through"`       // the last day interest was charged for (zero: none yet)
}

// PlanEnv is the invoice's payment plan (its latest) as expressions see it.
// Amounts are minor units of the plan's currency; dates civil dates.
type PlanEnv struct {
	Active           bool      `expr:"active"`                   // status on_track or late
	Status           string    `expr:"status"`                   // on_track, late, broken, completed, cancelled; "" without a plan
	Lead             bool      `expr:"lead"`                     // the plan's first invoice: say things once per plan
	Planned          int       `expr:"planned" unit:"money"`     // the plan's total
	Paid             int       `expr:"paid" unit:"money"`        // paid toward it so far
	Arrears          int       `expr:"arrears" unit:"money"`     // fallen due and not paid
	NextDue          time.Time `expr:"next_due"`                 // the first installment not paid in full
	NextAmount       int       `expr:"next_amount" unit:"money"` // what is left of it
	DaysToNext       int       `expr:"days_to_next"`             // next_due − today (negative once late)
	DaysLate         int       `expr:"days_late"`                // days the oldest unpaid installment is past due
	InstallmentsLeft int       `expr:"installments_left"`        // installments not paid in full
	Installments     int       `expr:"installments"`             // installments in all
	GraceDays        int       `expr:"grace_days"`               // days late before the plan breaks
}

// CustomerEnv is the invoice's customer.
type CustomerEnv struct {
	ID           int               `expr:"id"`
	ExternalID   string            `expr:"external_id"`
	Name         string            `expr:"name"`
	Email        string            `expr:"email"`
	Phone        string            `expr:"phone"`
	FinanceEmail string            `expr:"finance_email"`
	OwnerEmail   string            `expr:"owner_email"`
	Region       string            `expr:"region"`
	Industry     string            `expr:"industry"`
	CreditLimit  int               `expr:"credit_limit" unit:"money"` // minor units
	CreditRating string            `expr:"credit_rating"`
	Risk         string            `expr:"risk"` // low, medium, high
	Locale       string            `expr:"locale"`
	DoNotContact bool              `expr:"do_not_contact"`
	Custom       map[string]string `expr:"custom"`
}

// PaymentsEnv aggregates payment history: Count, Total and LastPaidAt for
// this invoice; the rest over the customer's invoices.
type PaymentsEnv struct {
	Count           int       `expr:"count"`
	Total           int       `expr:"total" unit:"money"` // minor units paid on this invoice
	LastPaidAt      time.Time `expr:"last_paid_at"`
	AvgDaysLate     float64   `expr:"avg_days_late"`             // customer's average days paid after due, paid invoices
	LateInvoices12M int       `expr:"late_invoices_12m"`         // customer's invoices paid late or overdue >0 days, last 12 months
	OpenInvoices    int       `expr:"open_invoices"`             // customer's invoices with a balance
	OpenBalance     int       `expr:"open_balance" unit:"money"` // customer's total open balance, minor units (same currency)
}

// PaymentStats is the payment history the caller (the tick, a test)
// computes for a subject; see [ComputePaymentStats].
type PaymentStats struct {
	Count            int
	TotalMinor       int64
	LastPaidAt       time.Time
	AvgDaysLate      float64
	LateInvoices12M  int
	OpenInvoices     int
	OpenBalanceMinor int64
}

// Subject is what one evaluation looks at: an invoice, its customer and
// payment aggregates.
type Subject struct {
	Invoice        Invoice
	Customer       Customer
	Payments       PaymentStats
	CustomerCustom map[string]string
}

// Clock fixes the instant of a tick and the company's zone.
type Clock struct {
	Now      time.Time
	Location *time.Location
}

// Today returns the civil date of the tick in the company's zone.
func (c Clock) Today() calendar.Date {
	loc := c.Location
	if loc == nil {
		loc = time.UTC
	}
	return calendar.In(c.Now, loc)
}

// dateTime represents a civil date as midnight UTC, the form used in Env.
func dateTime(d calendar.Date) time.Time {
	if d.IsZero() {
		return time.Time{}
	}
	return d.Time(time.UTC)
}

// AgingBucket returns the bucket of an invoice days overdue.
func AgingBucket(daysOverdue int) string {
	switch {
	case daysOverdue <= 0:
		return "current"
	case daysOverdue <= 30:
		return "1-30"
	case daysOverdue <= 60:
		return "31-60"
	case daysOverdue <= 90:
		return "61-90"
	}
	return "90+"
}

// fill sets e from s at clock c, computing derived fields.
func (e *Env) fill(s *Subject, c Clock, today calendar.Date) {
	loc := c.Location
	if loc == nil {
		loc = time.UTC
	}
	inv := &s.Invoice
	e.Now = c.Now.In(loc)
	e.Today = dateTime(today)
	days := 0
	if !inv.DueDate.IsZero() {
		days = today.DaysSince(inv.DueDate)
	}
	e.Invoice = InvoiceEnv{
		ID:           int(inv.ID),
		Number:       inv.Number,
		Currency:     inv.Currency,
		Amount:       int(inv.AmountMinor),
		Balance:      int(inv.BalanceMinor),
		Paid:         int(inv.AmountMinor - inv.BalanceMinor),
		IssueDate:    dateTime(inv.IssueDate),
		DueDate:      dateTime(inv.DueDate),
		Status:       inv.Status,
		OwnerEmail:   inv.OwnerEmail,
		Disputed:     inv.Disputed,
		OnHold:       inv.Hold != "",
		HoldReason:   inv.Hold,
		DaysOverdue:  max(0, days),
		DaysUntilDue: -days,
		AgingBucket:  AgingBucket(days),
		Custom:       inv.Custom,
	}
	if inv.Plan != nil {
		e.Invoice.Plan = planEnv(inv.Plan, today)
	}
	if inv.FeesMinor != 0 || inv.InterestMinor != 0 || !inv.InterestThrough.IsZero() {
		e.Invoice.Fees, e.Invoice.Interest = int(inv.FeesMinor), int(inv.InterestMinor)
		e.Invoice.InterestThrough = dateTime(inv.InterestThrough)
	}
	e.Invoice.Principal = max(int(inv.BalanceMinor-inv.FeesMinor), 0)
	cu := &s.Customer
	risk := string(cu.Risk)
	if risk == "" {
		risk = string(RiskLow)
	}
	e.Customer = CustomerEnv{
		ID:           int(cu.ID),
		ExternalID:   cu.ExternalID,
		Name:         cu.Name,
		Email:        cu.Email,
		Phone:        cu.Phone,
		FinanceEmail: cu.FinanceEmail,
		OwnerEmail:   cu.OwnerEmail,
		Region:       cu.Region,
		Industry:     cu.Industry,
		CreditLimit:  int(cu.CreditLimitMinor),
		CreditRating: cu.CreditRating,
		Risk:         risk,
		Locale:       cu.Locale,
		DoNotContact: cu.DoNotContact,
		Custom:       s.CustomerCustom,
	}
	p := &s.Payments
	e.Payments = PaymentsEnv{
		Count:           p.Count,
		Total:           int(p.TotalMinor),
		LastPaidAt:      p.LastPaidAt,
		AvgDaysLate:     p.AvgDaysLate,
		LateInvoices12M: p.LateInvoices12M,
		OpenInvoices:    p.OpenInvoices,
		OpenBalance:     int(p.OpenBalanceMinor),
	}
}

// NewEnv returns the expression environment of s at clock c, as rules see
// it. The tick does not need it (the evaluator fills its own); it serves
// previews, templates and tests.
func NewEnv(s *Subject, c Clock) *Env {
	e := new(Env)
	e.fill(s, c, c.Today())
	return e
}

// ComputePaymentStats derives the aggregates of subject invoice inv from
// the customer's invoices and their payments (all of one customer), at
// clock c, with the same [CustomerStats] the tick uses; simulations and
// tests call it.
func ComputePaymentStats(inv Invoice, customerInvoices []Invoice, payments []Payment, c Clock) PaymentStats {
	last := make(map[int64]InvoicePayments, len(customerInvoices))
	for _, p := range payments {
		if p.PaidAt.After(c.Now) {
			continue
		}
		ip := last[p.InvoiceID]
		ip.Count++
		ip.PaidMinor += p.AmountMinor
		if p.PaidAt.After(ip.LastPaidAt) {
			ip.LastPaidAt = p.PaidAt
		}
		last[p.InvoiceID] = ip
	}
	cs := NewCustomerStats(c)
	for _, ci := range customerInvoices {
		cs.Add(inv.CustomerID, ci.Currency, ci.BalanceMinor, ci.DueDate, last[ci.ID].LastPaidAt)
	}
	return cs.Stats(inv.CustomerID, inv.Currency, last[inv.ID])
}

func planEnv(p *Plan, today calendar.Date) PlanEnv {
	st := p.State(today)
	pe := PlanEnv{Status: st.Status, Lead: p.Lead, Planned: int(p.PlannedMinor), Paid: int(max(p.PaidMinor, 0)),
		Arrears: int(st.ArrearsMinor), NextAmount: int(st.NextAmountMinor), DaysLate: st.DaysLate,
		InstallmentsLeft: st.InstallmentsLeft, Installments: len(p.Installments), GraceDays: p.GraceDays}
	pe.Active = pe.Status == PlanOnTrack || pe.Status == PlanLate
	if !st.NextDue.IsZero() {
		pe.NextDue, pe.DaysToNext = dateTime(st.NextDue), st.NextDue.DaysSince(today)
	}
	return pe
}
