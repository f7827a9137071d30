package delivery_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"io"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"

	"github.com/recoup/recoup/delivery"
)

// selfSigned makes a certificate for 127.0.0.1 and returns it with its PEM.
func selfSigned(t *testing.T) (tls.Certificate, []byte) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "test relay"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, IsCA: true, BasicConstraintsValid: true,
		KeyUsage: x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
}

// authBackend accepts mail only over TLS from an authenticated user.
type authBackend struct {
	mu     sync.Mutex
	logins []string
	tlsOK  []bool
	data   [][]byte
}

func (b *authBackend) NewSession(c *smtp.Conn) (smtp.Session, error) {
	return &authSession{b: b, c: c}, nil
}

type authSession struct {
	b    *authBackend
	c    *smtp.Conn
	user string
}

func (s *authSession) AuthMechanisms() []string { return []string{sasl.Plain} }
func (s *authSession) Auth(string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(_, user, pass string) error {
		if user != "ar@demo.example" || pass != "s3cret" {
			return errors.New("invalid credentials")
		}
		s.user = user
		return nil
	}), nil
}
func (s *authSession) Reset()        {}
func (s *authSession) Logout() error { return nil }
func (s *authSession) Mail(string, *smtp.MailOptions) error {
	if s.user == "" {
		return smtp.ErrAuthRequired
	}
	return nil
}
func (s *authSession) Rcpt(string, *smtp.RcptOptions) error { return nil }
func (s *authSession) Data(r io.Reader) error {
	data, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	_, isTLS := s.c.TLSConnectionState()
	s.b.mu.Lock()
	defer s.b.mu.Unlock()
	s.b.logins = append(s.b.logins, s.user)
	s.b.tlsOK = append(s.b.tlsOK, isTLS)
	s.b.data = append(s.b.data, data)
	return nil
}

// TestEmailSTARTTLSAndAuth: STARTTLS is required, the relay's certificate
// is verified against ca_file, and SMTP AUTH logs in.
func TestEmailSTARTTLSAndAuth(t *testing.T) {
	t.Parallel()
	cert, certPEM := selfSigned(t)
	be := &authBackend{}
	srv := smtp.NewServer(be)
	srv.Domain = "127.0.0.1"
	srv.TLSConfig = &tls.Config{Certificates: []tls.Certificate{cert}}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	ca := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(ca, certPEM, 0o600); err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	m := &delivery.Message{Key: "rule/remind/invoice/9#0", To: []string{"ap@customer.example"}, Subject: "Reminder", Text: "Please pay."}
	for _, tc := range []struct {
		name    string
		cfg     delivery.SMTPConfig
		wantErr string
	}{
		{name: "starttls and auth", cfg: delivery.SMTPConfig{TLS: "starttls", CAFile: ca, Username: "ar@demo.example", Password: "s3cret"}},
		{name: "wrong password", cfg: delivery.SMTPConfig{TLS: "starttls", CAFile: ca, Username: "ar@demo.example", Password: "nope"}, wantErr: "auth"},
		{name: "untrusted certificate", cfg: delivery.SMTPConfig{TLS: "starttls", Username: "ar@demo.example", Password: "s3cret"}, wantErr: "certificate"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := tc.cfg
			cfg.Host, cfg.Port, cfg.From, cfg.Timeout = "127.0.0.1", port, "AR <ar@demo.example>", delivery.Duration(5*time.Second)
			e, err := delivery.NewEmail(cfg)
			if err != nil {
				t.Fatal(err)
			}
			defer e.Close()
			err = e.Send(context.Background(), m)
			if tc.wantErr == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if err == nil || !strings.Contains(strings.ToLower(err.Error()), tc.wantErr) {
				t.Errorf("err = %v, want one about %s", err, tc.wantErr)
			}
		})
	}
	be.mu.Lock()
	defer be.mu.Unlock()
	if len(be.data) != 1 || be.logins[0] != "ar@demo.example" || !be.tlsOK[0] {
		t.Errorf("server accepted %d messages (logins %v, tls %v), want 1 over TLS from ar@demo.example", len(be.data), be.logins, be.tlsOK)
	}
}
