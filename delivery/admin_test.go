package delivery_test

import (
	"strings"
	"testing"
	"time"

	"github.com/recoup/recoup/delivery"
	"github.com/recoup/recoup/store"
	"github.com/recoup/recoup/store/storetest"
)

func TestRequeueDeadAndInvoiceMessages(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		gw := startEndpoint(t, 401) // a wrong API key, then fixed
		f := newFixture(t, s, "UTC")
		now := time.Date(2026, 3, 17, 10, 0, 0, 0, time.UTC)
		c := f.customer(cust{Phone: "+15550123"})
		inv := f.invoice(c, "INV-D", 100_00, "2026-03-01")
		f.enqueue(msg{Key: "dead/sms", Channel: "sms", To: "+15550123", Body: "pay", Invoice: inv, Customer: c, At: now})
		clk := &clock{t: now}
		d := dispatcher(t, s, delivery.Config{SMS: &delivery.HTTPConfig{URL: gw.URL}}, clk)
		if st := runOnce(t, d); st.Dead != 1 {
			t.Fatalf("stats %+v, want dead", st)
		}
		n, err := delivery.RequeueDead(f.ctx, s, "sms", clk.Now())
		if err != nil || n != 1 {
			t.Fatalf("RequeueDead = %d, %v", n, err)
		}
		if st := f.state("dead/sms"); st.Status != "pending" || st.Attempts != 0 {
			t.Errorf("requeued row %+v", st)
		}
		if st := runOnce(t, d); st.Sent != 1 {
			t.Fatalf("stats %+v, want sent", st)
		}
		msgs, err := delivery.InvoiceMessages(f.ctx, s, inv)
		if err != nil || len(msgs) != 1 {
			t.Fatalf("InvoiceMessages = %+v, %v", msgs, err)
		}
		m := msgs[0]
		if m.Status != "sent" || m.SentAt.IsZero() || len(m.Events) != 2 || m.Events[0].Event != "dead" || m.Events[1].Event != "requeued" ||
			!strings.Contains(m.Events[0].Reason, "401") {
			t.Errorf("message %+v", m)
		}
	})
}
