package store

import (
	"testing"

	"github.com/recoup/recoup/engine"
)

// TestCustomerTable: every customer set is got back, whatever the ids
// (dense from 1, sparse, a sparse one later covered by the array) and
// the order they come in; an absent id is absent.
func TestCustomerTable(t *testing.T) {
	for _, reserve := range []int{0, 1, 3} {
		var tb customerTable
		if reserve == 1 {
			tb.reserve(6_000, 6_000) // as a tick does, from MAX(id) and COUNT(*)
		}
		testCustomerTable(t, &tb, reserve == 3)
	}
}

func testCustomerTable(t *testing.T, tb *customerTable, reserveLate bool) {
	want := map[int64]string{}
	ids := []int64{9_000, 1 << 40, 5_000_000}
	for i := int64(1); i <= 6_000; i++ {
		ids = append(ids, i)
	}
	ids = append(ids, 8_999, 3, 12_000)
	for i, id := range ids {
		name := string(rune('a' + i%26))
		tb.set(customerRow{Customer: engine.Customer{ID: id, Name: name}})
		want[id] = name
		if reserveLate && i == 2 {
			tb.reserve(9_500, 6_006) // over the sparse ids set so far
		}
	}
	if tb.n != len(want) {
		t.Fatalf("%d customers counted, want %d", tb.n, len(want))
	}
	for id, name := range want {
		if c, ok := tb.get(id); !ok || c.Name != name || c.ID != id {
			t.Fatalf("customer %d: %+v %v, want %q", id, c.Customer, ok, name)
		}
		sub := engine.Subject{Invoice: engine.Invoice{CustomerID: id}}
		if tb.applyTo(&sub); sub.Customer.ID != id || sub.Customer.Name != name {
			t.Fatalf("customer %d applied to an invoice: %+v, want %q", id, sub.Customer, name)
		}
	}
	for _, id := range []int64{0, -1, 6_001, 8_998, 1<<40 + 1} {
		if _, ok := tb.get(id); ok {
			t.Fatalf("customer %d found, never set", id)
		}
		sub := engine.Subject{Invoice: engine.Invoice{CustomerID: id}, Customer: engine.Customer{ID: 99, Name: "stale"}}
		if tb.applyTo(&sub); sub.Customer.ID != 0 || sub.Customer.Name != "" {
			t.Fatalf("customer %d never set, applied as %+v", id, sub.Customer)
		}
	}
	if len(tb.dense) <= 9_000 {
		t.Fatalf("the array did not grow over the sparse id 9000 (%d)", len(tb.dense))
	}
}
