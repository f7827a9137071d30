package store

import "time"

// NewTask is a task or approval to open. Its key makes the insert
// idempotent: a task already opened under the key is left as it is.
type NewTask struct {
	Key         string
	Kind        string // "task" or "approval"
	Title       string
	Description string
	// Texts is the title and description in other locales, as JSON of
	// engine.Effect.Texts ("": none).
	Texts      string
	AssigneeID int64 // 0: none (the role's queue)
	Role       string
	Form       string
	Priority   string
	DueAt      time.Time // zero: none
	InvoiceID  int64
	CustomerID int64
	// Workflow names the workflow whose instance on the invoice the task
	// belongs to ("" for none).
	Workflow string
	Node     string
	Source   string // the rule, or "delivery"
	At       time.Time
}

// insertTaskSQL is the one statement that opens tasks, for the tick's
// rules and delivery's fallback alike.
const insertTaskSQL = `INSERT INTO tasks (key, kind, title, description, texts, assignee_id, role, form, priority, status, due_at,
	invoice_id, customer_id, instance_id, node, source, created_at, updated_at)
	VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'open', ?, ?, ?, (SELECT id FROM workflow_instances WHERE workflow = ? AND invoice_id = ?), ?, ?, ?, ?)
	ON CONFLICT (key) DO NOTHING`

func (t NewTask) args() []any {
	var due any
	if !t.DueAt.IsZero() {
		due = t.DueAt.UTC()
	}
	var texts any
	if t.Texts != "" {
		texts = t.Texts
	}
	return []any{t.Key, t.Kind, t.Title, t.Description, texts, nullID(t.AssigneeID), t.Role, t.Form, t.Priority, due,
		nullID(t.InvoiceID), nullID(t.CustomerID), t.Workflow, t.InvoiceID, t.Node, t.Source, t.At, t.At}
}
