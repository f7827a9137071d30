package delivery_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-smtp"

	"github.com/recoup/recoup/calendar"
	"github.com/recoup/recoup/delivery"
	"github.com/recoup/recoup/engine"
	"github.com/recoup/recoup/store"
	"github.com/recoup/recoup/store/storetest"
)

// ---- a real SMTP server ----

type received struct {
	From string
	To   []string
	Data []byte
}

// smtpServer is an in-process SMTP server on loopback that records what
// it accepts. failNext makes the next DATA commands fail with 451.
type smtpServer struct {
	Addr string
	Port int

	mu       sync.Mutex
	msgs     []received
	failNext int
}

func startSMTP(t testing.TB) *smtpServer {
	t.Helper()
	ss := &smtpServer{}
	srv := smtp.NewServer(smtpBackend{ss})
	srv.Domain = "localhost"
	srv.AllowInsecureAuth = true
	srv.MaxRecipients = 100
	srv.ReadTimeout = 10 * time.Second
	srv.WriteTimeout = 10 * time.Second
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	ss.Addr = ln.Addr().String()
	ss.Port = ln.Addr().(*net.TCPAddr).Port
	return ss
}

func (ss *smtpServer) messages() []received {
	ss.mu.Lock()
	defer ss.mu.Unlock()
	return append([]received(nil), ss.msgs...)
}

type smtpBackend struct{ ss *smtpServer }

func (b smtpBackend) NewSession(*smtp.Conn) (smtp.Session, error) { return &smtpSession{ss: b.ss}, nil }

type smtpSession struct {
	ss  *smtpServer
	cur received
}

func (s *smtpSession) Reset()        { s.cur = received{} }
func (s *smtpSession) Logout() error { return nil }
func (s *smtpSession) Mail(from string, _ *smtp.MailOptions) error {
	s.cur.From = from
	return nil
}
func (s *smtpSession) Rcpt(to string, _ *smtp.RcptOptions) error {
	if strings.HasPrefix(to, "reject") {
		return &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "no such user"}
	}
	s.cur.To = append(s.cur.To, to)
	return nil
}
func (s *smtpSession) Data(r io.Reader) error {
	data, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	s.ss.mu.Lock()
	defer s.ss.mu.Unlock()
	if s.ss.failNext > 0 {
		s.ss.failNext--
		return &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "try again later"}
	}
	s.cur.Data = data
	s.ss.msgs = append(s.ss.msgs, s.cur)
	return nil
}

// ---- a real HTTP endpoint ----

type hit struct {
	Header http.Header
	Body   []byte
}

// endpoint is an HTTP server on loopback answering with the statuses of
// script in turn (then 200), sleeping first when delay is set.
type endpoint struct {
	*httptest.Server
	mu     sync.Mutex
	hits   []hit
	script []int
	delay  time.Duration
}

func startEndpoint(t testing.TB, script ...int) *endpoint {
	t.Helper()
	e := &endpoint{script: script}
	e.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		e.mu.Lock()
		e.hits = append(e.hits, hit{Header: r.Header.Clone(), Body: body})
		status := http.StatusOK
		if len(e.script) > 0 {
			status, e.script = e.script[0], e.script[1:]
		}
		delay := e.delay
		e.mu.Unlock()
		if delay > 0 {
			select {
			case <-time.After(delay):
			case <-r.Context().Done():
				return
			}
		}
		w.WriteHeader(status)
		fmt.Fprintf(w, `{"status":%d}`, status)
	}))
	t.Cleanup(e.Close)
	return e
}

func (e *endpoint) received() []hit {
	e.mu.Lock()
	defer e.mu.Unlock()
	return append([]hit(nil), e.hits...)
}

// ---- clock ----

type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Set(t time.Time) {
	c.mu.Lock()
	c.t = t
	c.mu.Unlock()
}

func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// ---- data ----

// fixture is a company, two users and whatever customers a test adds.
type fixture struct {
	t       testing.TB
	s       *store.Store
	ctx     context.Context
	owner   int64 // sales rep
	manager int64
	n       int
}

func newFixture(t testing.TB, s *store.Store, zone string) *fixture {
	t.Helper()
	ctx := context.Background()
	if _, err := s.EnsureCompany(ctx, engine.Company{Name: "Demo Trading Co.", TimeZone: zone, Currency: "CNY", TickTime: "09:00"}); err != nil {
		t.Fatal(err)
	}
	f := &fixture{t: t, s: s, ctx: ctx}
	f.owner = f.insertID(`INSERT INTO users (email, name, role, created_at, updated_at) VALUES (?, ?, ?, ?, ?) RETURNING id`,
		"rep@demo.example", "Rita Rep", "sales_rep", time.Now(), time.Now())
	f.manager = f.insertID(`INSERT INTO users (email, name, role, created_at, updated_at) VALUES (?, ?, ?, ?, ?) RETURNING id`,
		"boss@demo.example", "Max Manager", "sales_manager", time.Now(), time.Now())
	return f
}

func (f *fixture) insertID(q string, args ...any) int64 {
	f.t.Helper()
	var id int64
	if err := storetest.SQL(f.s).QueryRowContext(f.ctx, storetest.Rebind(f.s, q), args...).Scan(&id); err != nil {
		f.t.Fatalf("%s: %v", q, err)
	}
	return id
}

func (f *fixture) exec(q string, args ...any) {
	f.t.Helper()
	if _, err := storetest.SQL(f.s).ExecContext(f.ctx, storetest.Rebind(f.s, q), args...); err != nil {
		f.t.Fatalf("%s: %v", q, err)
	}
}

type cust struct {
	Name, Email, Phone, Finance, Locale, Zone string
	DNC                                       bool
	NoOwner                                   bool
}

func (f *fixture) customer(c cust) int64 {
	f.t.Helper()
	f.n++
	if c.Name == "" {
		c.Name = fmt.Sprintf("Customer %d", f.n)
	}
	if c.Locale == "" {
		c.Locale = "en"
	}
	var owner any = f.owner
	if c.NoOwner {
		owner = nil
	}
	return f.insertID(`INSERT INTO customers (external_id, name, email, phone, finance_email, owner_id, locale, time_zone, do_not_contact, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		fmt.Sprintf("C%05d", f.n), c.Name, c.Email, c.Phone, c.Finance, owner, c.Locale, c.Zone, c.DNC, time.Now(), time.Now())
}

func (f *fixture) invoice(customer int64, number string, balance int64, due string) int64 {
	f.t.Helper()
	return f.insertID(`INSERT INTO invoices (number, customer_id, currency, amount_minor, balance_minor, issue_date, due_date, status, owner_id, created_at, updated_at)
		VALUES (?, ?, 'CNY', ?, ?, ?, ?, 'overdue', ?, ?, ?) RETURNING id`,
		number, customer, max(balance, 100_00), balance, calendar.MustParse(due).AddDays(-30), calendar.MustParse(due), f.owner, time.Now(), time.Now())
}

// msg is an outbox row as the tick writes it (store/tick.go).
type msg struct {
	Key, Channel, To, Role, Template, Locale, Subject, Body string
	Cc                                                      []string
	Invoice, Customer                                       int64
	At                                                      time.Time
}

func (f *fixture) enqueue(m msg) int64 {
	f.t.Helper()
	cc, _ := json.Marshal(m.Cc)
	if m.Cc == nil {
		cc = []byte("[]")
	}
	if m.Locale == "" {
		m.Locale = "en"
	}
	var inv, cu any
	if m.Invoice != 0 {
		inv = m.Invoice
	}
	if m.Customer != 0 {
		cu = m.Customer
	}
	return f.insertID(`INSERT INTO outbox (key, channel, recipient, recipient_role, cc, template, locale, subject, body,
		invoice_id, customer_id, status, next_attempt_at, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'pending', ?, ?) RETURNING id`,
		m.Key, m.Channel, m.To, m.Role, string(cc), m.Template, m.Locale, m.Subject, m.Body, inv, cu, m.At.UTC(), m.At.UTC())
}

type outboxState struct {
	Status, Reason, LastError string
	Attempts                  int
	NextAttempt               time.Time
	MergedInto                *int64
	Channel                   string
}

func (f *fixture) state(key string) outboxState {
	f.t.Helper()
	var st outboxState
	err := storetest.SQL(f.s).QueryRowContext(f.ctx, storetest.Rebind(f.s, `SELECT status, reason, last_error, attempts, next_attempt_at, merged_into, channel FROM outbox WHERE key = ?`), key).
		Scan(&st.Status, &st.Reason, &st.LastError, &st.Attempts, &st.NextAttempt, &st.MergedInto, &st.Channel)
	if err != nil {
		f.t.Fatalf("outbox %s: %v", key, err)
	}
	return st
}

func (f *fixture) count(q string, args ...any) int {
	f.t.Helper()
	var n int
	if err := storetest.SQL(f.s).QueryRowContext(f.ctx, storetest.Rebind(f.s, q), args...).Scan(&n); err != nil {
		f.t.Fatalf("%s: %v", q, err)
	}
	return n
}

func (f *fixture) events(key string) []string {
	f.t.Helper()
	evs, err := delivery.Events(f.ctx, f.s, key)
	if err != nil {
		f.t.Fatal(err)
	}
	var out []string
	for _, e := range evs {
		out = append(out, e.Event+": "+e.Reason)
	}
	return out
}

func smtpConfig(ss *smtpServer) *delivery.SMTPConfig {
	return &delivery.SMTPConfig{Host: "127.0.0.1", Port: ss.Port, TLS: "none", From: "Demo AR <ar@demo.example>",
		ReplyTo: "collections@demo.example", Bcc: []string{"archive@demo.example"}, Timeout: delivery.Duration(5 * time.Second)}
}

func dispatcher(t testing.TB, s *store.Store, cfg delivery.Config, c *clock) *delivery.Dispatcher {
	t.Helper()
	d, err := delivery.New(s, cfg, delivery.Options{Now: c.Now, Worker: "test"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	return d
}

func runOnce(t testing.TB, d *delivery.Dispatcher) delivery.Stats {
	t.Helper()
	st, err := d.RunOnce(context.Background())
	if err != nil {
		t.Fatalf("RunOnce: %v", err)
	}
	return st
}

func mustJSON(t testing.TB, b []byte) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatalf("%s: %v", b, err)
	}
	return m
}

func contains(list []string, sub string) bool {
	for _, s := range list {
		if strings.Contains(s, sub) {
			return true
		}
	}
	return false
}

func itoa(i int) string { return strconv.Itoa(i) }

// fmtSscanf reads the timestamp of an X-Recoup-Signature value.
func fmtSscanf(sig string, ts *int64) (int, error) { return fmt.Sscanf(sig, "t=%d,", ts) }

func (f *fixture) wantNoUser(key string) {
	f.t.Helper()
	if st := f.state(key); st.Status != "suppressed" || st.Reason != `no active user for role "finance"` && st.Reason != `no user to deliver to (recipient "", role "finance")` {
		f.t.Errorf("%s: %+v, want suppressed for lack of a user", key, st)
	}
}
