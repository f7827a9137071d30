package delivery_test

import (
	"testing"
	"time"

	"github.com/recoup/recoup/delivery"
	"github.com/recoup/recoup/store"
	"github.com/recoup/recoup/store/storetest"
)

// TestNoContactWhileHeld: a customer message queued for an invoice that is
// on hold (legal or a person's), disputed or written off is suppressed at
// send time, as one for a paid invoice is; the same message for an open
// invoice goes out, and a staff message about a held invoice still does.
func TestNoContactWhileHeld(t *testing.T) {
	t.Parallel()
	tue10 := time.Date(2026, 3, 17, 10, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		name, set, status, reason string
	}{
		{"legal hold", "hold = 'legal'", "suppressed", "invoice INV-H is on legal hold"},
		{"manual hold", "hold = 'customer in administration'", "suppressed", "invoice INV-H is on hold: customer in administration"},
		{"disputed", "disputed = TRUE", "suppressed", "invoice INV-H is disputed"},
		{"written off", "status = 'written_off'", "suppressed", "invoice INV-H is written off"},
		{"open", "status = 'overdue'", "sent", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			storetest.Each(t, func(t *testing.T, s *store.Store) {
				e := &env{t: t, f: newFixture(t, s, "UTC"), smtp: startSMTP(t), sms: startEndpoint(t), clk: &clock{t: tue10}}
				e.d = dispatcher(t, s, delivery.Config{Email: smtpConfig(e.smtp), SMS: &delivery.HTTPConfig{URL: e.sms.URL}}, e.clk)
				c := e.f.customer(cust{Email: "held@customer.example"})
				inv := e.f.invoice(c, "INV-H", 500_00, "2026-03-01")
				e.f.exec("UPDATE invoices SET "+tc.set+" WHERE id = ?", inv)
				e.f.enqueue(msg{Key: "held", Channel: "email", To: "held@customer.example", Subject: "s", Body: "b", Invoice: inv, Customer: c, At: tue10})
				e.f.enqueue(msg{Key: "staff", Channel: "email", Role: "sales_manager", Subject: "s", Body: "b", Invoice: inv, Customer: c, At: tue10})
				e.run()
				e.wantState("held", tc.status, tc.reason)
				e.wantState("staff", "sent", "")
			})
		})
	}
}
