package demo

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/recoup/recoup/money"
	"github.com/recoup/recoup/store"
)

// A customer on a payment plan pays by the plan's installments, not as
// the generated payments said: once the tick has written a plan (the
// director's payment_plan decision), the later payments of its invoices in
// the Book are replaced by the customer's installments. Most customers pay
// each installment on its due date or a little before, some a few days late
// but within the plan's grace, and a few stop paying, so that their plan
// breaks.

// Chances, in percent, that a plan's customer pays on time or late within
// the grace; the others stop paying after some installments.
const (
	planOnTime = 78
	planLate   = 17
)

// planSync applies the plans the database holds to the Book, each once,
// in the order they were created (a later plan of an invoice replaces the
// payments of an earlier one).
type planSync struct {
	s     *store.Store
	book  *Book
	staff *Staff
	limit time.Time // no payment is later: the last day's tick
	last  int64     // the last plan applied
}

// sync applies the plans created since the last call.
func (p *planSync) sync(ctx context.Context) error {
	ids, err := p.s.PlanIDs(ctx, p.last)
	if err != nil {
		return fmt.Errorf("reading the payment plans: %w", err)
	}
	for _, id := range ids {
		v, err := p.s.Plan(ctx, id, p.limit)
		if err != nil {
			return err
		}
		p.book.replan(v.Invoices, v.CreatedAt, p.staff.planPayments(v, p.limit))
		p.last = id
	}
	return nil
}

// planPayments are the payments plan v's customer makes up to limit, all
// on the plan's first invoice (the director's plans cover one): each a
// whole installment, at a time of day between 09:00 and 18:00. They are a
// function of the seed, the invoice and the plan's creation instant only,
// so that a history resumed, or run again, finds the same ones.
func (s *Staff) planPayments(v store.PlanView, limit time.Time) []BookPayment {
	if len(v.Invoices) == 0 {
		return nil
	}
	invoice := v.Invoices[0]
	key := "plan/" + invoice + "/" + v.CreatedAt.UTC().Format(time.RFC3339)
	paid := len(v.Schedule)
	shift := func(i int) int { return -int(s.roll(fmt.Sprint(key, i), "early") * 3) } // on the due date or up to 2 days before
	switch r := int(s.roll(key, "payer") * 100); {
	case r >= planOnTime+planLate: // stops paying after some installments: the plan breaks
		paid = int(s.roll(key, "stop") * float64(len(v.Schedule)))
	case r >= planOnTime: // each installment 1 to grace−1 days late (at least 1, at most the grace)
		shift = func(i int) int {
			return min(v.GraceDays, 1+int(s.roll(fmt.Sprint(key, i), "late")*float64(max(v.GraceDays-1, 1))))
		}
	}
	var out []BookPayment
	for i, x := range v.Schedule[:paid] {
		at := x.DueDate.AddDays(shift(i)).Time(s.loc).Add(9*time.Hour + time.Duration(s.roll(fmt.Sprint(key, i), "at")*9*60)*time.Minute)
		if !at.After(v.CreatedAt) {
			at = v.CreatedAt.Add(time.Hour)
		}
		if at.After(limit) {
			break
		}
		out = append(out, BookPayment{Invoice: invoice, Amount: money.FormatMinor(x.AmountMinor, v.Currency), PaidAt: at.Format(time.RFC3339),
			Reference: fmt.Sprintf("PAY-%s-%s-%d", invoice, v.CreatedAt.In(s.loc).Format("20060102"), x.Seq), At: at, Minor: x.AmountMinor})
	}
	return out
}

// replan replaces the payments of invoices after from with pays.
func (b *Book) replan(invoices []string, from time.Time, pays []BookPayment) {
	later := func(p BookPayment) bool { return p.At.After(from) && slices.Contains(invoices, p.Invoice) }
	b.Payments = slices.DeleteFunc(b.Payments, later)
	for _, n := range invoices {
		if inv := b.invoices[n]; inv != nil {
			inv.pays = slices.DeleteFunc(inv.pays, later)
		}
	}
	byTime := func(x, y BookPayment) int { return x.At.Compare(y.At) }
	for _, p := range pays {
		b.Payments = append(b.Payments, p)
		if inv := b.invoices[p.Invoice]; inv != nil {
			inv.pays = append(inv.pays, p)
			slices.SortStableFunc(inv.pays, byTime)
		}
	}
	slices.SortStableFunc(b.Payments, byTime)
}
