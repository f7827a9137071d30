package demo

import (
	"slices"
	"testing"
	"time"

	"github.com/recoup/recoup/calendar"
	"github.com/recoup/recoup/engine"
	"github.com/recoup/recoup/store"
)

// TestPlanPayments: the customers of payment plans pay whole installments,
// most on time (on the due date or up to two days before), some late
// within the grace, a few stop paying; never before the plan began nor
// after the limit; the same plan always gives the same payments. The
// book's later payments of a plan's invoice are replaced by them.
func TestPlanPayments(t *testing.T) {
	t.Parallel()
	b := setup(t)
	created := b.today.AddDays(-150).Time(b.loc).Add(9 * time.Hour)
	limit := b.today.Time(b.loc).Add(9 * time.Hour)
	var numbers []string
	for n := range b.book.invoices {
		numbers = append(numbers, n)
	}
	slices.Sort(numbers)
	var onTime, late, stopped int
	for _, n := range numbers {
		first := calendar.In(created, b.loc).AddDays(14)
		sched, err := engine.SplitInstallments(100001, 4, first, 1)
		if err != nil {
			t.Fatal(err)
		}
		v := store.PlanView{Currency: "CNY", GraceDays: 5, Invoices: []string{n}, CreatedAt: created, Schedule: sched}
		pays := b.staff.planPayments(v, limit)
		if again := b.staff.planPayments(v, limit); !slices.Equal(pays, again) {
			t.Fatalf("%s: two draws differ", n)
		}
		worst := -3
		for i, p := range pays {
			x := sched[i]
			due := calendar.In(p.At, b.loc).DaysSince(x.DueDate)
			worst = max(worst, due)
			if p.Invoice != n || p.Minor != x.AmountMinor || !p.At.After(created) || p.At.After(limit) || due < -2 || due > v.GraceDays {
				t.Fatalf("%s: installment %+v paid %+v (%d days after its due date)", n, x, p, due)
			}
		}
		switch {
		case len(pays) < len(sched):
			stopped++
		case worst <= 0:
			onTime++
		default:
			late++
		}
	}
	t.Logf("of %d plans: %d paid on time, %d late within the grace, %d stopped paying", len(numbers), onTime, late, stopped)
	if onTime*10 < len(numbers)*7 || late*10 < len(numbers) || stopped == 0 || stopped*10 > len(numbers) {
		t.Errorf("of %d plans: %d paid on time, %d late, %d stopped; want about 78%%, 17%% and 5%%", len(numbers), onTime, late, stopped)
	}

	// A plan replaces its invoice's later payments in the book.
	var n string
	for _, x := range numbers {
		if inv := b.book.invoices[x]; len(inv.pays) > 0 && inv.pays[0].At.After(created) {
			n = x
			break
		}
	}
	if n == "" {
		t.Fatal("no invoice paid after the plan began")
	}
	sched, _ := engine.SplitInstallments(b.book.invoices[n].amount, 3, calendar.In(created, b.loc).AddDays(14), 1)
	v := store.PlanView{Currency: b.book.invoices[n].currency, GraceDays: 5, Invoices: []string{n}, CreatedAt: created, Schedule: sched}
	pays := b.staff.planPayments(v, limit)
	before := len(b.book.Payments)
	old := len(b.book.invoices[n].pays)
	b.book.replan(v.Invoices, created, pays)
	if got := b.book.invoices[n].pays; !slices.Equal(got, pays) {
		t.Fatalf("%s pays %+v, want the plan's %+v", n, got, pays)
	}
	if len(b.book.Payments) != before-old+len(pays) || !slices.IsSortedFunc(b.book.Payments, func(x, y BookPayment) int { return x.At.Compare(y.At) }) {
		t.Fatalf("%d payments in the book (%d before, %d of %s replaced by %d), or not in time order", len(b.book.Payments), before, old, n, len(pays))
	}
}
