package cli

import (
	"context"
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/recoup/recoup/store"
	"github.com/recoup/recoup/store/storetest"
)

// TestAuditCommands: imports leave their rows (file, SHA-256, counts);
// `audit verify` says the chain is intact, then names the row edited in
// the database and fails; `audit export --csv` writes the rows.
func TestAuditCommands(t *testing.T) {
	t.Parallel()
	storetest.EachURL(t, func(t *testing.T, url string) {
		ctx := context.Background()
		dir := t.TempDir()
		if _, _, err := run(t, ctx, "gen", "--out", dir, "--customers", "5", "--invoices", "10", "--seed", "3", "--today", "2026-11-29"); err != nil {
			t.Fatal(err)
		}
		for _, k := range []string{"users", "customers"} {
			if _, errOut, err := run(t, ctx, "import", "--db", url, k, filepath.Join(dir, k+".csv")); err != nil {
				t.Fatalf("import %s: %s %v", k, errOut, err)
			}
		}
		out, _, err := run(t, ctx, "audit", "verify", "--db", url)
		if err != nil || !regexp.MustCompile(`^audit chain intact: 2 rows, head [0-9a-f]{64}\n$`).MatchString(out) {
			t.Fatalf("verify: %q %v", out, err)
		}
		out, _, err = run(t, ctx, "audit", "export", "--csv", "--db", url, "--action", "import.completed")
		if err != nil {
			t.Fatal(err)
		}
		rows, err := csv.NewReader(strings.NewReader(out)).ReadAll()
		if err != nil || len(rows) != 3 {
			t.Fatalf("export: %d rows %v\n%s", len(rows), err, out)
		}
		data, _ := os.ReadFile(filepath.Join(dir, "customers.csv"))
		sum := sha256.Sum256(data)
		detail := strings.ReplaceAll(rows[1][7], " ", "") // PostgreSQL's JSONB prints spaces
		if rows[1][2] != "import" || !strings.Contains(detail, `"file":"customers.csv"`) ||
			!strings.Contains(detail, `"sha256":"`+hex.EncodeToString(sum[:])+`"`) || !strings.Contains(detail, `"inserted":5`) {
			t.Fatalf("customers import row: %v", rows[1])
		}

		s, err := store.Open(ctx, url)
		if err != nil {
			t.Fatal(err)
		}
		_, err = storetest.SQL(s).Exec(`UPDATE audit_log SET actor = 'someone' WHERE id = 1`)
		s.Close()
		if err != nil {
			t.Fatal(err)
		}
		out, errOut, err := run(t, ctx, "audit", "verify", "--db", url)
		if !errors.Is(err, ErrSilent) || out != "" ||
			errOut != "audit chain broken at row 1: row 1's fields do not match its hash: it was edited (or moved to another id) (0 rows before it intact)\n" {
			t.Fatalf("verify after tampering: %q %q %v", out, errOut, err)
		}
		if _, _, err := run(t, ctx, "audit", "export", "--db", url); err == nil {
			t.Fatal("export without a format accepted")
		}
	})
}
