package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// Customer audit actions (issue 16 §7): each manual change of a customer
// is one audit entry with the values it replaced and set.
const (
	ActionCustomerContacts     = "customer.contacts_changed"
	ActionCustomerDoNotContact = "customer.do_not_contact"
	ActionCustomerRisk         = "customer.risk_changed"
	ActionTaskCreated          = "task.created"
)

// CustomerContacts is what people edit of a customer by hand: how to reach
// it and in which language, whether to at all, and its risk tier.
type CustomerContacts struct {
	ID           string `json:"id"`
	Name         string `json:"name"`
	Email        string `json:"email"`
	Phone        string `json:"phone"`
	FinanceEmail string `json:"finance_email"`
	Locale       string `json:"locale"`
	DoNotContact bool   `json:"do_not_contact"`
	Risk         string `json:"risk"`
}

// CustomerChange is one manual change of a customer: the fields to set
// (nil: unchanged), why, and who, for the audit.
type CustomerChange struct {
	Email, Phone, FinanceEmail, Locale, Risk *string
	DoNotContact                             *bool
	Reason                                   string
	Action                                   string // the audit action
	Actor, RequestID                         string
	At                                       time.Time
}

// CustomerContactsOf returns customer id (its external id) if v may see it.
func (s *Store) CustomerContactsOf(ctx context.Context, v Viewer, id string) (CustomerContacts, error) {
	c, _, err := s.customerContacts(ctx, s.sqlDB, v, id)
	return c, err
}

func (s *Store) customerContacts(ctx context.Context, q querier, v Viewer, id string) (CustomerContacts, int64, error) {
	scope, sargs := v.customerScope()
	var (
		c       CustomerContacts
		rowID   int64
		visible bool
	)
	err := q.QueryRowContext(ctx, s.rebind(`SELECT c.id, c.external_id, c.name, c.email, c.phone, c.finance_email, c.locale, c.do_not_contact, c.risk,
		CASE WHEN `+scope+` THEN 1 ELSE 0 END = 1 FROM customers c WHERE c.external_id = ?`), append(sargs, id)...).
		Scan(&rowID, &c.ID, &c.Name, &c.Email, &c.Phone, &c.FinanceEmail, &c.Locale, &c.DoNotContact, &c.Risk, &visible)
	if errors.Is(err, sql.ErrNoRows) {
		return c, 0, fmt.Errorf("customer %q: %w", id, ErrNotFound)
	}
	if err != nil {
		return c, 0, err
	}
	if !visible {
		return CustomerContacts{}, 0, fmt.Errorf("customer %q: %w", id, ErrHidden)
	}
	return c, rowID, nil
}

// ChangeCustomer applies ch to customer id (which v must see) and audits
// it, in one transaction; it returns the customer before and after. A
// change that sets every field to what it was writes nothing.
func (s *Store) ChangeCustomer(ctx context.Context, v Viewer, id string, ch CustomerChange) (before, after CustomerContacts, err error) {
	tx, err := s.sqlDB.BeginTx(ctx, nil)
	if err != nil {
		return before, after, err
	}
	defer tx.Rollback()
	before, rowID, err := s.customerContacts(ctx, tx, v, id)
	if err != nil {
		return before, after, err
	}
	after = before
	was, set := map[string]any{}, map[string]any{}
	str := func(name string, p *string, field *string) {
		if p != nil && *p != *field {
			was[name], set[name] = *field, *p
			*field = *p
		}
	}
	str("email", ch.Email, &after.Email)
	str("phone", ch.Phone, &after.Phone)
	str("finance_email", ch.FinanceEmail, &after.FinanceEmail)
	str("locale", ch.Locale, &after.Locale)
	str("risk", ch.Risk, &after.Risk)
	if ch.DoNotContact != nil && *ch.DoNotContact != after.DoNotContact {
		was["do_not_contact"], set["do_not_contact"] = after.DoNotContact, *ch.DoNotContact
		after.DoNotContact = *ch.DoNotContact
	}
	if len(set) == 0 {
		return before, after, nil
	}
	if _, err := tx.ExecContext(ctx, s.rebind(`UPDATE customers SET email = ?, phone = ?, finance_email = ?, locale = ?, risk = ?, do_not_contact = ?, updated_at = ?
		WHERE id = ?`), after.Email, after.Phone, after.FinanceEmail, after.Locale, after.Risk, after.DoNotContact, ch.At.UTC(), rowID); err != nil {
		return before, after, err
	}
	detail := map[string]any{"customer": id}
	if ch.Reason != "" {
		detail["reason"] = ch.Reason
	}
	if err := s.appendAudit(ctx, tx, AuditRecord{At: ch.At, Actor: ch.Actor, Action: ch.Action, Entity: "customer", EntityID: rowID,
		Detail: detail, Before: was, After: set, RequestID: ch.RequestID}); err != nil {
		return before, after, err
	}
	return before, after, tx.Commit()
}

// ManualTask is a task a person creates by hand, on an invoice or a
// customer, for a user or a role's queue.
type ManualTask struct {
	Invoice     string // an invoice number, or
	Customer    string // a customer's external id
	Title       string
	Description string
	Assignee    string // a user's email ("": the role's queue)
	Role        string
	Priority    string
	DueAt       time.Time
	Actor       string
	RequestID   string
	At          time.Time
}

// CreateManualTask opens t, which v must be allowed to see the invoice or
// customer of, and audits it; it returns the task's id and key. The
// assignee must be an active user (ErrNotAssignable).
func (s *Store) CreateManualTask(ctx context.Context, v Viewer, t ManualTask) (int64, string, error) {
	var invoiceID, customerID int64
	var subject string
	switch {
	case t.Invoice != "":
		inv, err := s.visibleInvoiceIDs(ctx, v, t.Invoice)
		if err != nil {
			return 0, "", err
		}
		invoiceID, customerID, subject = inv[0], inv[1], "invoice/"+t.Invoice
	default:
		_, id, err := s.customerContacts(ctx, s.sqlDB, v, t.Customer)
		if err != nil {
			return 0, "", err
		}
		customerID, subject = id, "customer/"+t.Customer
	}
	var assignee int64
	if t.Assignee != "" {
		u, err := s.UserByEmail(ctx, t.Assignee)
		if errors.Is(err, ErrNotFound) || err == nil && !u.Active {
			return 0, "", fmt.Errorf("user %q: %w", t.Assignee, ErrNotAssignable)
		}
		if err != nil {
			return 0, "", err
		}
		assignee = u.ID
		if t.Role == "" {
			t.Role = u.Role
		}
	}
	key := fmt.Sprintf("manual/%s/%d", subject, t.At.UnixNano())
	tx, err := s.sqlDB.BeginTx(ctx, nil)
	if err != nil {
		return 0, "", err
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, s.rebind(insertTaskSQL), NewTask{Key: key, Kind: "task", Title: t.Title, Description: t.Description,
		AssigneeID: assignee, Role: t.Role, Priority: t.Priority, DueAt: t.DueAt, InvoiceID: invoiceID, CustomerID: customerID,
		Source: "manual", At: t.At.UTC()}.args()...); err != nil {
		return 0, "", err
	}
	var id int64
	if err := tx.QueryRowContext(ctx, s.rebind("SELECT id FROM tasks WHERE key = ?"), key).Scan(&id); err != nil {
		return 0, "", err
	}
	if err := s.appendAudit(ctx, tx, AuditRecord{At: t.At, Actor: t.Actor, Action: ActionTaskCreated, Entity: "task", EntityID: id,
		InvoiceID: invoiceID, Detail: map[string]any{"key": key, "title": t.Title, "assignee": t.Assignee, "role": t.Role,
			"due_at": t.DueAt.UTC().Format(time.RFC3339), "subject": subject}, RequestID: t.RequestID}); err != nil {
		return 0, "", err
	}
	return id, key, tx.Commit()
}

// visibleInvoiceIDs returns the row ids of invoice number and its customer
// if v may see it.
func (s *Store) visibleInvoiceIDs(ctx context.Context, v Viewer, number string) ([2]int64, error) {
	scope, sargs := v.invoiceScope()
	var ids [2]int64
	var visible bool
	err := s.sqlDB.QueryRowContext(ctx, s.rebind(`SELECT i.id, i.customer_id, CASE WHEN `+scope+` THEN 1 ELSE 0 END = 1
		FROM invoices i JOIN customers c ON c.id = i.customer_id WHERE i.number = ?`), append(sargs, number)...).Scan(&ids[0], &ids[1], &visible)
	if errors.Is(err, sql.ErrNoRows) {
		return ids, fmt.Errorf("invoice %q: %w", number, ErrNotFound)
	}
	if err != nil {
		return ids, err
	}
	if !visible {
		return ids, fmt.Errorf("invoice %q: %w", number, ErrHidden)
	}
	return ids, nil
}
