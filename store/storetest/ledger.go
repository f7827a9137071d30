package storetest

import (
	"database/sql"
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

// tickRows are the rows ticks write or change, with every column that
// does not depend on which run or transaction wrote them: no surrogate ids
// of rows a tick inserts (a killed transaction spends PostgreSQL sequence
// values), no tick ids, no wall-clock times of imports.
var tickRows = []string{
	"SELECT key, at, kind, source, version, invoice_id, customer_id, field, value, old_value, detail, trace FROM effects",
	"SELECT key, rule, invoice_id, customer_id, period, at FROM rule_fires",
	"SELECT rule, invoice_id, customer_id, value, at FROM rule_conditions",
	`SELECT t.key, t.kind, t.title, t.description, t.texts, t.assignee_id, t.role, t.form, t.priority, t.status, t.outcome, t.due_at,
		t.invoice_id, t.customer_id, w.workflow, t.node, t.source, t.created_at, t.updated_at, t.completed_at, t.completed_by, t.escalated_at
		FROM tasks t LEFT JOIN workflow_instances w ON w.id = t.instance_id`,
	`SELECT key, channel, recipient, recipient_role, cc, template, locale, subject, body, texts, invoice_id, customer_id, status,
		next_attempt_at, created_at FROM outbox`,
	"SELECT key, invoice_id, amount_minor, currency, reason, kind, days, created_at FROM fees",
	"SELECT number, status, balance_minor, fees_minor, interest_minor, interest_through, plan_id, disputed, hold, custom FROM invoices",
	"SELECT external_id, risk, do_not_contact, custom FROM customers",
	"SELECT workflow, invoice_id, customer_id, version, node, status, state, created_at, updated_at FROM workflow_instances",
	"SELECT id, key, customer_id, currency, planned_minor, status, grace_days, ended_at FROM payment_plans",
	"SELECT plan_id, seq, due_date, amount_minor FROM installments",
	"SELECT plan_id, invoice_id, start_balance_minor FROM payment_plan_invoices",
	"SELECT id, invoice_id, promised_date, promised_minor, status, settled_at, paid_minor, broken_task_key FROM promises",
	"SELECT at, action, entity, entity_id, invoice_id, detail FROM audit_log WHERE actor = 'tick' AND action <> 'tick.completed'",
}

// LedgerRows renders, like Ledger, what ticks left behind, but every row in
// full: the effects ledger with each effect's detail and trace, tasks,
// outbox messages, fee and interest lines with their amounts, invoices'
// balances, workflow instances' state, payment plans and their
// installments, promises and the tick's audit entries. Two databases that
// ticked the same data the same days render the same.
func LedgerRows(t testing.TB, s *store.Store) string {
	t.Helper()
	var b strings.Builder
	for _, q := range tickRows {
		rows, err := SQL(s).Query(q)
		if err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		cols, err := rows.Columns()
		if err != nil {
			t.Fatal(err)
		}
		vals := make([]sql.NullString, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		var lines []string
		for rows.Next() {
			if err := rows.Scan(ptrs...); err != nil {
				t.Fatalf("%s: %v", q, err)
			}
			fields := make([]string, len(vals))
			for i, v := range vals {
				fields[i] = "NULL"
				if v.Valid {
					fields[i] = v.String
				}
			}
			lines = append(lines, strings.Join(fields, " | "))
		}
		if err := rows.Close(); err != nil {
			t.Fatal(err)
		}
		sort.Strings(lines)
		fmt.Fprintf(&b, "%s: %d\n%s\n", strings.Join(strings.Fields(q), " "), len(lines), strings.Join(lines, "\n"))
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
