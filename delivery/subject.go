package delivery

import (
	"context"
	"time"

	"github.com/recoup/recoup/calendar"
	"github.com/recoup/recoup/engine"
	"github.com/recoup/recoup/letter"
)

// SubjectStore reads an invoice as the tick sees it.
type SubjectStore interface {
	InvoiceSubject(ctx context.Context, ref string, c engine.Clock) (*engine.Subject, error)
}

// LoadSubject reads the invoice ref (its number, or its id), its customer
// and the payment aggregates at clock c: what a template preview renders
// against.
func LoadSubject(ctx context.Context, s SubjectStore, ref string, c engine.Clock) (*engine.Subject, error) {
	return s.InvoiceSubject(ctx, ref, c)
}

// PreviewLetter is the formal letter a message about subj would carry,
// dated today, with head as letterhead (its name defaults to company).
func PreviewLetter(company string, head letter.Party, subj *engine.Subject, locale, body string, today calendar.Date) letter.Letter {
	if head.Name == "" {
		head.Name = company
	}
	iv := &subj.Invoice
	return letter.Letter{
		Locale: locale, Company: head, Customer: letter.Party{Name: subj.Customer.Name},
		Date: engine.FormatDate(today.Time(time.UTC), locale), Reference: iv.Number, Body: body, Signature: head.Name,
		Invoices: []letter.Line{{Number: iv.Number, DueDate: engine.FormatDate(iv.DueDate.Time(time.UTC), locale),
			Amount: engine.FormatMoney(iv.AmountMinor, iv.Currency, locale), Balance: engine.FormatMoney(iv.BalanceMinor, iv.Currency, locale),
			DaysOverdue: max(0, today.DaysSince(iv.DueDate))}},
		Total: engine.FormatMoney(iv.BalanceMinor, iv.Currency, locale),
	}
}
