package delivery_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/recoup/recoup/delivery"
	"github.com/recoup/recoup/store"
	"github.com/recoup/recoup/store/storetest"
)

// BenchmarkDispatchEmail measures end-to-end dispatcher throughput: b.N
// customer emails, each to its own customer, claimed from the outbox,
// checked against the policy, sent over SMTP to a loopback server and
// marked sent. Target ≥ 500 emails/s.
//
//	go test -run XXX -bench DispatchEmail ./delivery/
func BenchmarkDispatchEmail(b *testing.B) {
	for _, dialect := range []string{store.SQLite, store.Postgres} {
		b.Run(dialect, func(b *testing.B) {
			var s *store.Store
			if dialect == store.SQLite {
				s = storetest.SQLite(b)
			} else {
				s = storetest.Postgres(b)
			}
			ss := startSMTP(b)
			f := newFixture(b, s, "UTC")
			now := time.Date(2026, 3, 17, 10, 0, 0, 0, time.UTC)
			tx, err := storetest.SQL(s).Begin()
			if err != nil {
				b.Fatal(err)
			}
			for i := range b.N {
				var c int64
				if err := tx.QueryRow(storetest.Rebind(s, `INSERT INTO customers (external_id, name, email, owner_id, locale, created_at, updated_at)
					VALUES (?, ?, ?, ?, 'en', ?, ?) RETURNING id`), fmt.Sprintf("B%07d", i), fmt.Sprintf("Customer %d", i),
					fmt.Sprintf("ap%d@customer.example", i), f.owner, now, now).Scan(&c); err != nil {
					b.Fatal(err)
				}
				if _, err := tx.Exec(storetest.Rebind(s, `INSERT INTO outbox (key, channel, recipient, cc, template, locale, subject, body, customer_id, status, next_attempt_at, created_at)
					VALUES (?, 'email', ?, '[]', 'reminder-email', 'en', ?, ?, ?, 'pending', ?, ?)`),
					fmt.Sprintf("workflow/escalation/invoice/%d/reminder#0", i), fmt.Sprintf("ap%d@customer.example", i),
					"Reminder: invoice is past due", "Dear customer,\n\nOur records show that your invoice is still open.\n\nThank you.", c, now, now); err != nil {
					b.Fatal(err)
				}
			}
			if err := tx.Commit(); err != nil {
				b.Fatal(err)
			}
			cfg := delivery.Config{Email: smtpConfig(ss), Workers: 8, Batch: 500}
			cfg.Email.Bcc = nil
			d := dispatcher(b, s, cfg, &clock{t: now})
			b.ResetTimer()
			st, err := d.RunOnce(context.Background())
			b.StopTimer()
			if err != nil {
				b.Fatal(err)
			}
			if st.Sent != b.N || len(ss.messages()) != b.N {
				b.Fatalf("sent %d, server got %d, want %d", st.Sent, len(ss.messages()), b.N)
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "emails/s")
		})
	}
}
