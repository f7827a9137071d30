package engine

import (
	"math/rand/v2"
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
