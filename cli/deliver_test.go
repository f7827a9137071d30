package cli

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/mail"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-smtp"

	"github.com/recoup/recoup/calendar"
	"github.com/recoup/recoup/store"
	"github.com/recoup/recoup/store/storetest"
)

// sink is an SMTP server on loopback that accepts everything.
type sink struct {
	mu  sync.Mutex
	ids []string // Message-IDs received
}

func (s *sink) NewSession(*smtp.Conn) (smtp.Session, error) { return &sinkSession{s}, nil }

type sinkSession struct{ s *sink }

func (*sinkSession) Reset()                               {}
func (*sinkSession) Logout() error                        { return nil }
func (*sinkSession) Mail(string, *smtp.MailOptions) error { return nil }
func (*sinkSession) Rcpt(string, *smtp.RcptOptions) error { return nil }
func (ss *sinkSession) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	m, err := mail.ReadMessage(bytes.NewReader(b))
	if err != nil {
		return err
	}
	ss.s.mu.Lock()
	ss.s.ids = append(ss.s.ids, m.Header.Get("Message-Id"))
	ss.s.mu.Unlock()
	return nil
}

// TestDeliverySimulation runs the example pack over generated data for 60
// days — a tick every morning, delivery four times a day — with real
// SMTP and SMS endpoints, then checks what customers received: never more
// than the cap allows, nothing at night or on weekends in their zone,
// nothing about an invoice after it was paid; and that `render` previews.
func TestDeliverySimulation(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("60 simulated days")
	}
	storetest.EachURL(t, func(t *testing.T, url string) {
		ctx := context.Background()
		dir := t.TempDir()

		inbox := &sink{}
		srv := smtp.NewServer(inbox)
		srv.Domain = "localhost"
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		go srv.Serve(ln)
		t.Cleanup(func() { srv.Close() })
		var smsCount sync.Map
		gw := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			smsCount.Store(r.Header.Get("Idempotency-Key"), true)
		}))
		t.Cleanup(gw.Close)
		cfgPath := filepath.Join(dir, "delivery.yaml")
		if err := os.WriteFile(cfgPath, []byte(fmt.Sprintf(`
email: {host: 127.0.0.1, port: %d, tls: none, from: "Demo AR <ar@demo.example>"}
sms: {url: %q, secret: test}
policy: {cap_count: 1, cap_window: 72h}
`, ln.Addr().(*net.TCPAddr).Port, gw.URL)), 0o644); err != nil {
			t.Fatal(err)
		}

		flags := []string{"--db", url, "--timezone", "Asia/Shanghai"}
		if out, _, err := run(t, ctx, "gen", "--out", dir, "--customers", "25", "--invoices", "150", "--seed", "7", "--today", "2026-11-02"); err != nil {
			t.Fatalf("gen: %q %v", out, err)
		}
		for _, k := range []string{"users", "customers", "invoices", "payments"} {
			if out, errOut, err := run(t, ctx, append([]string{"import", k, filepath.Join(dir, k+".csv")}, flags...)...); err != nil {
				t.Fatalf("import %s: %q %q %v", k, out, errOut, err)
			}
		}
		if out, errOut, err := run(t, ctx, append([]string{"apply", "../rules-examples/"}, flags...)...); err != nil {
			t.Fatalf("apply: %q %q %v", out, errOut, err)
		}
		first := calendar.MustParse("2026-11-02")
		sent := 0
		for day := range 60 {
			d := first.AddDays(day).String()
			if out, errOut, err := run(t, ctx, append([]string{"tick", "--at", d + " 09:00"}, flags...)...); err != nil {
				t.Fatalf("tick %s: %q %q %v", d, out, errOut, err)
			}
			for _, at := range []string{"07:00", "09:30", "15:00", "22:00"} {
				out, errOut, err := run(t, ctx, append([]string{"deliver", "--once", "--delivery", cfgPath, "--at", d + " " + at}, flags...)...)
				if err != nil {
					t.Fatalf("deliver %s %s: %q %q %v", d, at, out, errOut, err)
				}
				var n int
				fmt.Sscanf(out[strings.Index(out, "claimed, ")+len("claimed, "):], "%d sent", &n)
				sent += n
			}
		}
		if sent == 0 {
			t.Fatal("nothing was delivered in 60 days")
		}

		s, err := store.Open(ctx, url)
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		// Every customer contact: when, in which zone, about which invoice.
		rows, err := storetest.SQL(s).QueryContext(ctx, `SELECT o.key, o.customer_id, o.contact_at, c.time_zone, COALESCE(o.invoice_id, 0)
				FROM outbox o JOIN customers c ON c.id = o.customer_id
				WHERE o.status = 'sent' AND o.contact_at IS NOT NULL ORDER BY o.customer_id, o.contact_at`)
		if err != nil {
			t.Fatal(err)
		}
		type contact struct {
			key  string
			at   time.Time
			zone string
			inv  int64
		}
		byCustomer := map[int64][]contact{}
		total := 0
		for rows.Next() {
			var c contact
			var cust int64
			if err := rows.Scan(&c.key, &cust, &c.at, &c.zone, &c.inv); err != nil {
				t.Fatal(err)
			}
			byCustomer[cust] = append(byCustomer[cust], c)
			total++
		}
		rows.Close()
		if total == 0 {
			t.Fatal("no customer contact recorded")
		}
		for cust, cs := range byCustomer {
			for i, c := range cs {
				zone := c.zone
				if zone == "" {
					zone = "Asia/Shanghai"
				}
				loc, _ := time.LoadLocation(zone)
				lt := c.at.In(loc)
				if h := lt.Hour(); h < 8 || h >= 21 || lt.Weekday() == time.Saturday || lt.Weekday() == time.Sunday {
					t.Errorf("customer %d contacted %s local (%s): %s", cust, lt.Format("Mon 2006-01-02 15:04"), zone, c.key)
				}
				if i > 0 && c.at.Sub(cs[i-1].at) < 72*time.Hour {
					t.Errorf("customer %d contacted at %s and again at %s (%s)", cust, cs[i-1].at, c.at, c.key)
				}
			}
		}
		// Nothing about an invoice after its balance reached zero.
		var afterPaid int
		if err := storetest.SQL(s).QueryRowContext(ctx, `SELECT COUNT(*) FROM outbox o JOIN invoices i ON i.id = o.invoice_id
				WHERE o.status = 'sent' AND o.contact_at IS NOT NULL AND i.balance_minor <= 0 AND i.last_paid_at IS NOT NULL AND o.sent_at > i.last_paid_at`).Scan(&afterPaid); err != nil {
			t.Fatal(err)
		}
		if afterPaid != 0 {
			t.Errorf("%d messages about invoices already paid", afterPaid)
		}
		inbox.mu.Lock()
		emails := len(inbox.ids)
		inbox.mu.Unlock()
		texts := 0
		smsCount.Range(func(any, any) bool { texts++; return true })
		if emails == 0 || texts == 0 {
			t.Errorf("%d emails and %d SMS received, want both", emails, texts)
		}
		t.Logf("60 days: %d contacts with %d customers; %d emails, %d SMS received", total, len(byCustomer), emails, texts)

		// render: a preview of the formal letter against an invoice.
		var number string
		if err := storetest.SQL(s).QueryRowContext(ctx, `SELECT number FROM invoices ORDER BY id LIMIT 1`).Scan(&number); err != nil {
			t.Fatal(err)
		}
		out, errOut, err := run(t, ctx, append([]string{"render", "formal-letter", "--invoice", number, "--locale", "en", "--at", "2026-12-01"}, flags...)...)
		if err != nil || !strings.Contains(out, "Subject:  Formal notice: invoice "+number) || !strings.Contains(out, "Despite our earlier reminder") {
			t.Errorf("render: %q %q %v", out, errOut, err)
		}
	})
}
