package usecase

import (
	"context"
	"fmt"
	"net/mail"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/recoup/recoup/engine"
	"github.com/recoup/recoup/store"
)

// Manual account actions (issue 16 §7): edit a customer's contacts and
// language, turn do-not-contact on and off, lower or raise its risk tier,
// create a task by hand. Each checks the actor's role and that it may see
// the customer (a rep its own customers, a manager its team's), validates
// every field at once (engine.FormErrors, a 422 with the field list), and
// writes and audits in one transaction.

// riskRoles may change a customer's risk tier: it decides how hard the
// customer is chased, which is not the owning rep's call.
var riskRoles = []string{store.RoleAdmin, store.RoleSalesManager, store.RoleFinance, store.RoleFinanceDirector}

// maxReason is the longest reason recorded with a change.
const maxReason = 500

// ContactsEdit is an edit of a customer's contacts and language; a nil
// field is left as it is, "" clears it (not the locale).
type ContactsEdit struct {
	Email        *string
	Phone        *string
	FinanceEmail *string
	Locale       *string
}

// CustomerContacts returns the editable fields of customer id.
func (s *Service) CustomerContacts(ctx context.Context, by Actor, id string) (store.CustomerContacts, error) {
	if err := by.Authorize(InvoicesRead); err != nil {
		return store.CustomerContacts{}, err
	}
	return s.store.CustomerContactsOf(ctx, by.Viewer(), id)
}

// EditCustomerContacts changes customer id's email, phone, finance email
// and language (en or zh-CN: the language its messages are written in).
func (s *Service) EditCustomerContacts(ctx context.Context, by Actor, id string, e ContactsEdit) (store.CustomerContacts, error) {
	if err := by.Authorize(TasksWrite); err != nil {
		return store.CustomerContacts{}, err
	}
	var errs engine.FormErrors
	trim := func(p *string) {
		if p != nil {
			*p = strings.TrimSpace(*p)
		}
	}
	trim(e.Email)
	trim(e.Phone)
	trim(e.FinanceEmail)
	trim(e.Locale)
	for _, f := range []struct {
		name string
		v    *string
	}{{"email", e.Email}, {"finance_email", e.FinanceEmail}} {
		if f.v != nil && *f.v != "" && !validEmail(*f.v) {
			errs = append(errs, engine.FieldError{Field: f.name, Message: fmt.Sprintf("%q is not an email address", *f.v)})
		}
	}
	if e.Phone != nil && *e.Phone != "" && !validPhone(*e.Phone) {
		errs = append(errs, engine.FieldError{Field: "phone", Message: fmt.Sprintf("%q is not a phone number: digits, spaces and + - ( ) . only, at least 5 digits", *e.Phone)})
	}
	if e.Locale != nil && !slices.Contains(engine.Locales, *e.Locale) {
		errs = append(errs, engine.FieldError{Field: "locale", Message: fmt.Sprintf("%q is not a language recoup writes in: want one of %s", *e.Locale, strings.Join(engine.Locales, ", "))})
	}
	if e.Email == nil && e.Phone == nil && e.FinanceEmail == nil && e.Locale == nil {
		errs = append(errs, engine.FieldError{Field: "email", Message: "nothing to change: give email, phone, finance_email or locale"})
	}
	if len(errs) > 0 {
		return store.CustomerContacts{}, errs
	}
	_, after, err := s.store.ChangeCustomer(ctx, by.Viewer(), id, store.CustomerChange{Email: e.Email, Phone: e.Phone,
		FinanceEmail: e.FinanceEmail, Locale: e.Locale, Action: store.ActionCustomerContacts, Actor: by.Name(), RequestID: by.RequestID, At: s.now()})
	return after, err
}

// SetDoNotContact turns do-not-contact on or off for customer id, with a
// reason (a customer's "STOP", a lawyer's letter). While on, the example
// escalation pauses and delivery suppresses the customer's messages.
func (s *Service) SetDoNotContact(ctx context.Context, by Actor, id string, on bool, reason string) (store.CustomerContacts, error) {
	if err := by.Authorize(TasksWrite); err != nil {
		return store.CustomerContacts{}, err
	}
	reason = strings.TrimSpace(reason)
	if errs := reasonErrors(reason); len(errs) > 0 {
		return store.CustomerContacts{}, errs
	}
	_, after, err := s.store.ChangeCustomer(ctx, by.Viewer(), id, store.CustomerChange{DoNotContact: &on, Reason: reason,
		Action: store.ActionCustomerDoNotContact, Actor: by.Name(), RequestID: by.RequestID, At: s.now()})
	return after, err
}

// SetRiskTier sets customer id's risk tier (low, medium, high), lower or
// higher, with a reason; only managers, finance, the director and admins
// may. Rules raise tiers, never lower them, so a tier lowered by hand
// stays until a rule's condition newly holds (docs/customers.md).
func (s *Service) SetRiskTier(ctx context.Context, by Actor, id, risk, reason string) (store.CustomerContacts, error) {
	if err := by.Authorize(TasksWrite); err != nil {
		return store.CustomerContacts{}, err
	}
	if by.Via != ViaSystem && !slices.Contains(riskRoles, by.User.Role) {
		return store.CustomerContacts{}, fmt.Errorf("%s (%s) may not change a risk tier (%s may): %w", by.User.Email, by.User.Role, strings.Join(riskRoles, ", "), ErrForbidden)
	}
	reason = strings.TrimSpace(reason)
	errs := reasonErrors(reason)
	if !slices.Contains([]string{string(engine.RiskLow), string(engine.RiskMedium), string(engine.RiskHigh)}, risk) {
		errs = append(errs, engine.FieldError{Field: "risk", Message: fmt.Sprintf("%q is not a risk tier: want low, medium or high", risk)})
	}
	if len(errs) > 0 {
		return store.CustomerContacts{}, errs
	}
	_, after, err := s.store.ChangeCustomer(ctx, by.Viewer(), id, store.CustomerChange{Risk: &risk, Reason: reason,
		Action: store.ActionCustomerRisk, Actor: by.Name(), RequestID: by.RequestID, At: s.now()})
	return after, err
}

// NewTask is a task created by hand.
type NewTask struct {
	Invoice     string // an invoice number, or
	Customer    string // a customer's id
	Title       string
	Description string
	Assignee    string // a user's email, or
	Role        string // a role's queue
	Priority    string // low, normal (default), high, urgent
	DueAt       time.Time
}

// CreatedTask is a task created by hand.
type CreatedTask struct {
	ID  int64  `json:"id"`
	Key string `json:"key"`
}

// CreateTask creates a task on an invoice or a customer for a user or a
// role, due at a time not in the past. A rep creates tasks for itself only.
func (s *Service) CreateTask(ctx context.Context, by Actor, t NewTask) (CreatedTask, error) {
	if err := by.Authorize(TasksWrite); err != nil {
		return CreatedTask{}, err
	}
	now := s.now()
	t.Title, t.Description = strings.TrimSpace(t.Title), strings.TrimSpace(t.Description)
	t.Assignee, t.Invoice, t.Customer = strings.ToLower(strings.TrimSpace(t.Assignee)), strings.TrimSpace(t.Invoice), strings.TrimSpace(t.Customer)
	if t.Priority == "" {
		t.Priority = "normal"
	}
	var errs engine.FormErrors
	if (t.Invoice == "") == (t.Customer == "") {
		errs = append(errs, engine.FieldError{Field: "invoice", Message: "give an invoice or a customer, one of them"})
	}
	if t.Title == "" || utf8.RuneCountInString(t.Title) > 200 {
		errs = append(errs, engine.FieldError{Field: "title", Message: "is required, at most 200 characters"})
	}
	if utf8.RuneCountInString(t.Description) > 2000 {
		errs = append(errs, engine.FieldError{Field: "description", Message: "at most 2000 characters"})
	}
	if (t.Assignee == "") == (t.Role == "") {
		errs = append(errs, engine.FieldError{Field: "assignee", Message: "give a user or a role, one of them"})
	}
	if t.Role != "" && !slices.Contains(taskRoles, t.Role) {
		errs = append(errs, engine.FieldError{Field: "role", Message: fmt.Sprintf("%q is not a role", t.Role)})
	}
	if !slices.Contains([]string{"low", "normal", "high", "urgent"}, t.Priority) {
		errs = append(errs, engine.FieldError{Field: "priority", Message: fmt.Sprintf("%q is not a priority: want low, normal, high or urgent", t.Priority)})
	}
	if t.DueAt.IsZero() || t.DueAt.Before(now) {
		errs = append(errs, engine.FieldError{Field: "due_at", Message: "is required and must not be in the past"})
	}
	if by.Via != ViaSystem && by.User.Role == store.RoleSalesRep && (t.Role != "" || t.Assignee != strings.ToLower(by.User.Email)) {
		errs = append(errs, engine.FieldError{Field: "assignee", Message: "a sales rep creates tasks for itself only"})
	}
	if len(errs) > 0 {
		return CreatedTask{}, errs
	}
	id, key, err := s.store.CreateManualTask(ctx, by.Viewer(), store.ManualTask{Invoice: t.Invoice, Customer: t.Customer, Title: t.Title,
		Description: t.Description, Assignee: t.Assignee, Role: t.Role, Priority: t.Priority, DueAt: t.DueAt,
		Actor: by.Name(), RequestID: by.RequestID, At: now})
	return CreatedTask{ID: id, Key: key}, err
}

func reasonErrors(reason string) engine.FormErrors {
	if reason == "" || utf8.RuneCountInString(reason) > maxReason {
		return engine.FormErrors{{Field: "reason", Message: fmt.Sprintf("is required, at most %d characters", maxReason)}}
	}
	return nil
}

func validEmail(s string) bool {
	a, err := mail.ParseAddress(s)
	return err == nil && a.Address == s && strings.Contains(s, "@")
}

func validPhone(s string) bool {
	digits := 0
	for _, r := range s {
		switch {
		case r >= '0' && r <= '9':
			digits++
		case strings.ContainsRune("+-() .", r):
		default:
			return false
		}
	}
	return digits >= 5
}

// taskRoles are the roles a task may be queued for.
var taskRoles = []string{store.RoleAdmin, store.RoleSalesRep, store.RoleSalesManager, store.RoleFinance, store.RoleFinanceDirector}
