package engine

import (
	"math/rand/v2"
	"slices"
	"testing"
	"time"
)

// TestCustomerStatsIDs: aggregates come back right whatever the customer
// ids (dense from 1, sparse, a sparse one later covered by the dense
// array) and the order they arrive in, and merged parts equal one whole.
func TestCustomerStatsIDs(t *testing.T) {
	c := Clock{Now: time.Date(2026, 11, 29, 1, 0, 0, 0, time.UTC), Location: time.UTC}
	today := c.Today()
	type want struct {
		open         map[string]int64
		openInvoices int
	}
	ids := []int64{70_000, 3_000_000_000}
	for i := int64(1); i <= 10_000; i++ {
		ids = append(ids, i)
	}
	ids = append(ids, 80_000, 69_999, 1<<40)
	r := rand.New(rand.NewPCG(3, 4))
	whole, parts := NewCustomerStats(c), []*CustomerStats{NewCustomerStats(c), NewCustomerStats(c)}
	wants := map[int64]*want{}
	for _, id := range ids {
		w := &want{open: map[string]int64{}}
		wants[id] = w
		for range 1 + r.IntN(3) {
			cur := []string{"CNY", "USD", "EUR"}[r.IntN(3)]
			bal := int64(r.IntN(3)) * 1000 // 0: paid
			whole.Add(id, cur, bal, today.AddDays(-5), time.Time{})
			parts[id%2].Add(id, cur, bal, today.AddDays(-5), time.Time{})
			if bal > 0 {
				w.open[cur] += bal
				w.openInvoices++
			}
		}
	}
	merged := NewCustomerStats(c)
	merged.Merge(parts[0])
	merged.Merge(parts[1])
	for _, cs := range []*CustomerStats{whole, merged} {
		for id, w := range wants {
			for _, cur := range []string{"CNY", "USD", "EUR"} {
				st := cs.Stats(id, cur, InvoicePayments{})
				if st.OpenBalanceMinor != w.open[cur] || st.OpenInvoices != w.openInvoices {
					t.Fatalf("customer %d %s: %+v, want open %d in %d invoices", id, cur, st, w.open[cur], w.openInvoices)
				}
			}
		}
		if st := cs.Stats(123_456, "CNY", InvoicePayments{}); st != (PaymentStats{}) {
			t.Fatalf("unknown customer: %+v", st)
		}
	}
}

// TestCustomerStatsReplaced: replacing the changed customers' aggregates
// with theirs summed again gives the aggregates of the changed book, and
// leaves the original as it was.
func TestCustomerStatsReplaced(t *testing.T) {
	c := Clock{Now: time.Date(2026, 11, 29, 1, 0, 0, 0, time.UTC), Location: time.UTC}
	today := c.Today()
	type invoice struct {
		customer int64
		currency string
		balance  int64
		due      int
		paid     time.Time
	}
	r := rand.New(rand.NewPCG(5, 6))
	gen := func(customer int64) []invoice {
		var out []invoice
		for range r.IntN(4) { // some customers have none
			inv := invoice{customer: customer, currency: []string{"CNY", "USD", "EUR"}[r.IntN(3)], due: r.IntN(400) - 200}
			if r.IntN(2) == 0 {
				inv.paid = c.Now.Add(-time.Duration(r.IntN(300)) * 24 * time.Hour)
			} else {
				inv.balance = int64(1 + r.IntN(5000))
			}
			out = append(out, inv)
		}
		return out
	}
	sum := func(book map[int64][]invoice, only []int64) *CustomerStats {
		cs := NewCustomerStats(c)
		add := func(id int64) {
			for _, inv := range book[id] {
				cs.Add(inv.customer, inv.currency, inv.balance, today.AddDays(inv.due), inv.paid)
			}
		}
		if only != nil {
			for _, id := range only {
				add(id)
			}
			return cs
		}
		for id := range book {
			add(id)
		}
		return cs
	}
	ids := []int64{70_000, 3_000_000_000, 1 << 40}
	for i := int64(1); i <= 2_000; i++ {
		ids = append(ids, i)
	}
	before := map[int64][]invoice{}
	for _, id := range ids {
		before[id] = gen(id)
	}
	after := map[int64][]invoice{}
	for id, invs := range before {
		after[id] = invs
	}
	// Changed: dense and sparse customers, one that loses every invoice,
	// and new ones beyond the dense array and far off it.
	changed := []int64{1, 17, 1_999, 70_000, 3_000_000_000, 5_000, 9_000_000_000}
	for _, id := range changed {
		after[id] = gen(id)
	}
	after[17] = nil
	after[5_000] = append(gen(5_000), invoice{customer: 5_000, currency: "CNY", balance: 1})
	old := sum(before, nil)
	oldCopy := sum(before, nil)
	got := old.Replaced(changed, sum(after, changed))
	want := sum(after, nil)
	all := append(slices.Clone(ids), 5_000, 9_000_000_000, 123_456)
	for _, id := range all {
		for _, cur := range []string{"CNY", "USD", "EUR"} {
			if g, w := got.Stats(id, cur, InvoicePayments{}), want.Stats(id, cur, InvoicePayments{}); g != w {
				t.Fatalf("customer %d %s: replaced %+v, want %+v", id, cur, g, w)
			}
			if g, w := old.Stats(id, cur, InvoicePayments{}), oldCopy.Stats(id, cur, InvoicePayments{}); g != w {
				t.Fatalf("customer %d %s: the original became %+v, was %+v", id, cur, g, w)
			}
		}
	}
	if got.count != want.count {
		t.Fatalf("replaced counts %d customers, want %d", got.count, want.count)
	}
}
