package delivery_test

import (
	"bytes"
	"encoding/base64"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net/mail"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/recoup/recoup/delivery"
	"github.com/recoup/recoup/letter"
	"github.com/recoup/recoup/store"
	"github.com/recoup/recoup/store/storetest"
)

// part is one leaf of a parsed MIME message.
type part struct {
	ContentType string
	Filename    string
	Body        []byte
}

func parseMIME(t *testing.T, raw []byte) (*mail.Message, []part) {
	t.Helper()
	m, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		t.Fatalf("parsing message: %v\n%s", err, raw)
	}
	var parts []part
	var walk func(h map[string][]string, body io.Reader)
	walk = func(h map[string][]string, body io.Reader) {
		get := func(k string) string {
			if v := h[k]; len(v) > 0 {
				return v[0]
			}
			return ""
		}
		mt, params, err := mime.ParseMediaType(get("Content-Type"))
		if err != nil {
			t.Fatalf("content type %q: %v", get("Content-Type"), err)
		}
		if strings.HasPrefix(mt, "multipart/") {
			mr := multipart.NewReader(body, params["boundary"])
			for {
				p, err := mr.NextRawPart()
				if err == io.EOF {
					return
				}
				if err != nil {
					t.Fatal(err)
				}
				walk(p.Header, p)
			}
		}
		var r io.Reader = body
		switch strings.ToLower(get("Content-Transfer-Encoding")) {
		case "base64":
			r = base64.NewDecoder(base64.StdEncoding, body)
		case "quoted-printable":
			r = quotedprintable.NewReader(body)
		}
		data, err := io.ReadAll(r)
		if err != nil {
			t.Fatal(err)
		}
		_, dp, _ := mime.ParseMediaType(get("Content-Disposition"))
		parts = append(parts, part{ContentType: mt, Filename: dp["filename"], Body: data})
	}
	walk(m.Header, m.Body)
	return m, parts
}

func haveFonts(t *testing.T) bool {
	if _, _, err := letter.FindFonts(); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal(err)
		}
		return false
	}
	return true
}

// TestEmailOverSMTP sends a Chinese formal letter with a cc over a real
// SMTP connection and checks the MIME the server received.
func TestEmailOverSMTP(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ss := startSMTP(t)
		f := newFixture(t, s, "Asia/Shanghai")
		c := f.customer(cust{Name: "北京某某科技有限公司", Email: "ap@customer.example", Finance: "cfo@customer.example", Locale: "zh-CN"})
		inv := f.invoice(c, "INV-0042", 1_234_500, "2026-02-01")
		now := time.Date(2026, 3, 16, 2, 0, 0, 0, time.UTC) // Monday 10:00 in Shanghai
		key := "workflow/escalation/invoice/1/review#2"
		f.enqueue(msg{Key: key, Channel: "email", To: "ap@customer.example", Cc: []string{"cfo@customer.example"}, Template: "formal-letter",
			Locale: "zh-CN", Subject: "正式催款函：发票 INV-0042 已逾期 43 天", Body: "尊敬的 北京某某科技有限公司：\n\n发票 INV-0042 仍未支付。\n请于7日内付清。",
			Invoice: inv, Customer: c, At: now})

		clk := &clock{t: now}
		d := dispatcher(t, s, delivery.Config{Email: smtpConfig(ss)}, clk)
		st := runOnce(t, d)
		if st.Sent != 1 {
			t.Fatalf("stats %+v, want 1 sent", st)
		}
		got := ss.messages()
		if len(got) != 1 {
			t.Fatalf("server received %d messages, want 1", len(got))
		}
		rcv := got[0]
		if rcv.From != "ar@demo.example" {
			t.Errorf("MAIL FROM %q", rcv.From)
		}
		slices.Sort(rcv.To)
		if want := []string{"ap@customer.example", "archive@demo.example", "cfo@customer.example"}; !slices.Equal(rcv.To, want) {
			t.Errorf("RCPT TO %v, want %v (to, bcc, cc)", rcv.To, want)
		}
		m, parts := parseMIME(t, rcv.Data)
		h := m.Header
		if got, want := h.Get("Message-Id"), "<"+key+"@demo.example>"; got != want {
			t.Errorf("Message-ID %q, want %q", got, want)
		}
		if h.Get("X-Recoup-Key") != key {
			t.Errorf("X-Recoup-Key %q", h.Get("X-Recoup-Key"))
		}
		subj, _ := new(mime.WordDecoder).DecodeHeader(h.Get("Subject"))
		if subj != "正式催款函：发票 INV-0042 已逾期 43 天" {
			t.Errorf("Subject %q", subj)
		}
		for hdr, want := range map[string]string{"From": "ar@demo.example", "To": "ap@customer.example", "Cc": "cfo@customer.example", "Reply-To": "collections@demo.example"} {
			if !strings.Contains(h.Get(hdr), want) {
				t.Errorf("%s %q, want %s", hdr, h.Get(hdr), want)
			}
		}
		if h.Get("Bcc") != "" {
			t.Errorf("Bcc header leaked: %q", h.Get("Bcc"))
		}
		if !strings.Contains(h.Get("List-Unsubscribe"), "mailto:collections@demo.example") {
			t.Errorf("List-Unsubscribe %q", h.Get("List-Unsubscribe"))
		}
		var text, html, pdf *part
		for i := range parts {
			switch parts[i].ContentType {
			case "text/plain":
				text = &parts[i]
			case "text/html":
				html = &parts[i]
			case "application/pdf":
				pdf = &parts[i]
			}
		}
		if text == nil || html == nil {
			t.Fatalf("parts %v: want text/plain and text/html", parts)
		}
		if !strings.Contains(string(text.Body), "请于7日内付清") || !strings.Contains(string(text.Body), "回复“退订”") {
			t.Errorf("text part lacks the body or the unsubscribe footer:\n%s", text.Body)
		}
		if !strings.Contains(string(html.Body), "<p>尊敬的 北京某某科技有限公司：</p>") || !strings.Contains(string(html.Body), `lang="zh-CN"`) {
			t.Errorf("html part:\n%s", html.Body)
		}
		if haveFonts(t) {
			if pdf == nil {
				t.Fatalf("no PDF attachment in %d parts", len(parts))
			}
			if pdf.Filename != "letter-INV-0042.pdf" || !bytes.HasPrefix(pdf.Body, []byte("%PDF-")) {
				t.Errorf("attachment %q starts %q", pdf.Filename, pdf.Body[:min(8, len(pdf.Body))])
			}
			name, stored, err := delivery.Letter(f.ctx, s, key)
			if err != nil || name != pdf.Filename || !bytes.Equal(stored, pdf.Body) {
				t.Errorf("stored letter %q (%d bytes, err %v) differs from the attachment", name, len(stored), err)
			}
		}
		if st := f.state(key); st.Status != "sent" || st.Attempts != 1 {
			t.Errorf("outbox row %+v, want sent after 1 attempt", st)
		}
	})
}

// TestEmailRetriesThenRejects: a 451 is retried with backoff; a 550 for
// the recipient is permanent and dead-letters at once.
func TestEmailRetriesThenRejects(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ss := startSMTP(t)
		ss.failNext = 1
		f := newFixture(t, s, "UTC")
		now := time.Date(2026, 3, 17, 10, 0, 0, 0, time.UTC) // Tuesday
		ok := f.customer(cust{Email: "ok@customer.example"})
		bad := f.customer(cust{Email: "rejected@customer.example"})
		f.enqueue(msg{Key: "k/ok", Channel: "email", To: "ok@customer.example", Subject: "s", Body: "b", Customer: ok, At: now})
		f.enqueue(msg{Key: "k/bad", Channel: "email", To: "rejected@customer.example", Subject: "s", Body: "b", Customer: bad, At: now})
		clk := &clock{t: now}
		cfg := delivery.Config{Email: smtpConfig(ss), Workers: 1}
		d := dispatcher(t, s, cfg, clk)
		runOnce(t, d)
		okSt, badSt := f.state("k/ok"), f.state("k/bad")
		if badSt.Status != "dead" || !strings.Contains(badSt.LastError, "550") {
			t.Errorf("rejected recipient: %+v, want dead with the 550", badSt)
		}
		if okSt.Status != "pending" || !strings.Contains(okSt.LastError, "451") {
			t.Fatalf("temporary failure: %+v, want pending with the 451", okSt)
		}
		if wait := okSt.NextAttempt.Sub(now); wait < 27*time.Second || wait > 33*time.Second {
			t.Errorf("first retry after %s, want 30s ±10%%", wait)
		}
		clk.Add(time.Minute)
		runOnce(t, d)
		if st := f.state("k/ok"); st.Status != "sent" || st.Attempts != 2 {
			t.Errorf("after retry: %+v, want sent on attempt 2", st)
		}
		if n := len(ss.messages()); n != 1 {
			t.Errorf("server accepted %d messages, want 1", n)
		}
	})
}
