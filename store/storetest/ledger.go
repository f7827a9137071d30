package storetest

import (
	"fmt"
	"sort"
	"strings"
	"testing"

	"github.com/recoup/recoup/store"
)

// Ledger renders what ticks left behind (effect, fire, task and outbox keys,
// invoice statuses, customer risks and workflow instances) in a comparable, sorted form.
func Ledger(t testing.TB, s *store.Store) string {
	t.Helper()
	var b strings.Builder
	for _, q := range []string{
		"SELECT key FROM effects",
		"SELECT key FROM rule_fires",
		"SELECT key || ' ' || status || ' ' || title FROM tasks",
		"SELECT key || ' ' || channel || ' ' || recipient FROM outbox",
		"SELECT number || ' ' || status || ' ' || balance_minor || ' ' || fees_minor FROM invoices",
		"SELECT key || ' ' || invoice_id || ' ' || amount_minor FROM fees",
		"SELECT external_id || ' ' || risk FROM customers",
		"SELECT workflow || ' ' || invoice_id || ' ' || status || ' ' || node || ' ' || state FROM workflow_instances",
	} {
		rows, err := SQL(s).Query(q)
		if err != nil {
			t.Fatal(err)
		}
		var lines []string
		for rows.Next() {
			var l string
			if err := rows.Scan(&l); err != nil {
				t.Fatal(err)
			}
			lines = append(lines, l)
		}
		rows.Close()
		sort.Strings(lines)
		fmt.Fprintf(&b, "%s: %d\n%s\n", q, len(lines), strings.Join(lines, "\n"))
	}
	return b.String()
}

// DiffLines shows the first line where two renderings differ.
func DiffLines(want, got string) string {
	w, g := strings.Split(want, "\n"), strings.Split(got, "\n")
	for i := 0; i < len(w) || i < len(g); i++ {
		var a, b string
		if i < len(w) {
			a = w[i]
		}
		if i < len(g) {
			b = g[i]
		}
		if a != b {
			return fmt.Sprintf("line %d:\nwant %q\ngot  %q", i+1, a, b)
		}
	}
	return "(identical)"
}
