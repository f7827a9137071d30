package casetest

import (
	"fmt"
	"time"

	"github.com/recoup/recoup/calendar"
	"github.com/recoup/recoup/engine"
	"github.com/recoup/recoup/money"
)

// A case's invoice, customer and payment history as written in a test
// file: money as "AMOUNT" text in the invoice's currency, dates as
// YYYY-MM-DD.

type invoiceData struct {
	ID         int64             `yaml:"id"`
	Number     string            `yaml:"number"`
	Currency   string            `yaml:"currency"`
	Amount     string            `yaml:"amount"`
	Balance    string            `yaml:"balance"`
	IssueDate  string            `yaml:"issue_date"`
	DueDate    string            `yaml:"due_date"`
	Status     string            `yaml:"status"`
	OwnerEmail string            `yaml:"owner_email"`
	Disputed   bool              `yaml:"disputed"`
	Custom     map[string]string `yaml:"custom"`
	Plan       *planData         `yaml:"plan"`
	Fees       string            `yaml:"fees"`             // charged so far, part of the balance
	Interest   string            `yaml:"interest"`         // of which interest
	Through    string            `yaml:"interest_through"` // interest charged through this day
}

type customerData struct {
	ID           int64  `yaml:"id"`
	Name         string `yaml:"name"`
	Email        string `yaml:"email"`
	Phone        string `yaml:"phone"`
	FinanceEmail string `yaml:"finance_email"`
	OwnerEmail   string `yaml:"owner_email"`
	CreditRating string `yaml:"credit_rating"`
	Risk         string `yaml:"risk"`
	Locale       string `yaml:"locale"`
	DoNotContact bool   `yaml:"do_not_contact"`
}

type paymentsData struct {
	Count           int     `yaml:"count"`
	Total           string  `yaml:"total"`
	AvgDaysLate     float64 `yaml:"avg_days_late"`
	LateInvoices12M int     `yaml:"late_invoices_12m"`
	OpenInvoices    int     `yaml:"open_invoices"`
}

// planData is a case's payment plan: paid is what was paid toward it.
type planData struct {
	ID           int64  `yaml:"id"`
	Status       string `yaml:"status"`
	Paid         string `yaml:"paid"`
	GraceDays    int    `yaml:"grace_days"`
	Lead         *bool  `yaml:"lead"`
	Installments []struct {
		DueDate string `yaml:"due_date"`
		Amount  string `yaml:"amount"`
	} `yaml:"installments"`
}

// conv converts a case's text into engine values, collecting every problem
// instead of stopping at the first.
type conv struct{ problems []string }

func (c *conv) add(format string, args ...any) {
	c.problems = append(c.problems, fmt.Sprintf(format, args...))
}

func (c *conv) minor(field, s, currency string) int64 {
	if s == "" {
		return 0
	}
	v, err := money.ParseMinor(s, currency)
	if err != nil {
		c.add("%s: %v", field, err)
	}
	return v
}

func (c *conv) date(field, s string) calendar.Date {
	if s == "" {
		return calendar.Date{}
	}
	d, err := calendar.Parse(s)
	if err != nil {
		c.add("%s: %v", field, err)
	}
	return d
}

func (c *conv) at(field, s string) time.Time {
	if s == "" {
		c.add("%s is required (RFC 3339, e.g. 2026-03-10T09:00:00+08:00)", field)
		return time.Time{}
	}
	at, err := time.Parse(time.RFC3339, s)
	if err != nil {
		c.add("%s: %q is not an RFC 3339 time (e.g. 2026-03-10T09:00:00+08:00)", field, s)
	}
	return at
}

func (c *conv) plan(x *planData, currency string) *engine.Plan {
	if x == nil {
		return nil
	}
	p := &engine.Plan{ID: x.ID, Status: x.Status, Currency: currency, GraceDays: x.GraceDays, Lead: x.Lead == nil || *x.Lead}
	if p.Status == "" {
		p.Status = engine.PlanActive
	}
	p.PaidMinor = c.minor("invoice.plan.paid", x.Paid, currency)
	for i, in := range x.Installments {
		a := c.minor(fmt.Sprintf("invoice.plan.installments[%d].amount", i), in.Amount, currency)
		p.Installments = append(p.Installments, engine.Installment{Seq: i + 1,
			DueDate: c.date(fmt.Sprintf("invoice.plan.installments[%d].due_date", i), in.DueDate), AmountMinor: a})
		p.PlannedMinor += a
	}
	return p
}

func (c *conv) subject(inv invoiceData, cu customerData, p paymentsData) engine.Subject {
	cur := inv.Currency
	return engine.Subject{
		Invoice: engine.Invoice{
			ID: inv.ID, Number: inv.Number, CustomerID: cu.ID, Currency: cur,
			AmountMinor: c.minor("invoice.amount", inv.Amount, cur), BalanceMinor: c.minor("invoice.balance", inv.Balance, cur),
			IssueDate: c.date("invoice.issue_date", inv.IssueDate), DueDate: c.date("invoice.due_date", inv.DueDate), Status: inv.Status,
			OwnerEmail: inv.OwnerEmail, Disputed: inv.Disputed, Custom: inv.Custom, Plan: c.plan(inv.Plan, cur),
			FeesMinor: c.minor("invoice.fees", inv.Fees, cur), InterestMinor: c.minor("invoice.interest", inv.Interest, cur),
			InterestThrough: c.date("invoice.interest_through", inv.Through),
		},
		Customer: engine.Customer{
			ID: cu.ID, Name: cu.Name, Email: cu.Email, Phone: cu.Phone, FinanceEmail: cu.FinanceEmail,
			OwnerEmail: cu.OwnerEmail, CreditRating: cu.CreditRating, Risk: engine.RiskTier(cu.Risk),
			Locale: cu.Locale, DoNotContact: cu.DoNotContact,
		},
		Payments: engine.PaymentStats{
			Count: p.Count, TotalMinor: c.minor("payments.total", p.Total, cur), AvgDaysLate: p.AvgDaysLate,
			LateInvoices12M: p.LateInvoices12M, OpenInvoices: p.OpenInvoices,
		},
	}
}
