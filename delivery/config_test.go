package delivery_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/recoup/recoup/delivery"
)

// TestDocumentedConfig loads the example of docs/delivery.md: the docs
// stay true.
func TestDocumentedConfig(t *testing.T) {
	doc, err := os.ReadFile("../docs/delivery.md")
	if err != nil {
		t.Fatal(err)
	}
	_, rest, _ := strings.Cut(string(doc), "## Configuration")
	_, rest, _ = strings.Cut(rest, "```yaml\n")
	example, _, ok := strings.Cut(rest, "```")
	if !ok {
		t.Fatal("no yaml example under ## Configuration")
	}
	path := filepath.Join(t.TempDir(), "delivery.yaml")
	if err := os.WriteFile(path, []byte(example), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("RECOUP_SMTP_PASSWORD", "from-env")
	cfg, err := delivery.LoadConfig(path)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Email.Password != "from-env" || cfg.Email.Port != 587 || cfg.Policy.CapWindow != delivery.Duration(72*time.Hour) ||
		cfg.Policy.MaxDelay != delivery.Duration(7*24*time.Hour) || len(cfg.Webhook.Events) != 2 || cfg.Letterhead.Name != "Example Trading Co." {
		t.Errorf("loaded %+v", cfg)
	}
}

func TestLoadConfigErrors(t *testing.T) {
	for _, tc := range []struct{ name, yaml, want string }{
		{"unknown key", "emial: {}\n", "field emial not found"},
		{"bad duration", "policy: {cap_window: 3 days}\n", `duration "3 days"`},
		{"email without host", "email: {from: a@b.example}\n", "email: host is empty"},
		{"bad tls", "email: {host: h, from: a@b.example, tls: ssl}\n", `email: tls "ssl"`},
		{"sms url", "sms: {url: ftp://x}\n", `sms: url "ftp://x"`},
		{"webhook event", "webhook: {url: 'https://h/x', events: [invoice.paid]}\n", `webhook: unknown event "invoice.paid"`},
		{"bad body template", "sms: {url: 'https://h/x', body: '{{.To'}\n", "sms: body:"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "d.yaml")
			if err := os.WriteFile(path, []byte(tc.yaml), 0o600); err != nil {
				t.Fatal(err)
			}
			_, err := delivery.LoadConfig(path)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("LoadConfig = %v, want an error containing %q", err, tc.want)
			}
		})
	}
	if _, err := delivery.LoadConfig(""); err != nil {
		t.Errorf("no file: %v", err)
	}
}
