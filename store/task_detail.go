package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/recoup/recoup/calendar"
)

// TaskCustomer is the customer a task is about, as its header shows it.
type TaskCustomer struct {
	ID               string `json:"id"`
	Name             string `json:"name"`
	Email            string `json:"email,omitempty"`
	Phone            string `json:"phone,omitempty"`
	FinanceEmail     string `json:"finance_email,omitempty"`
	Risk             string `json:"risk"`
	CreditRating     string `json:"credit_rating,omitempty"`
	CreditLimitMinor int64  `json:"credit_limit_minor"`
	CreditCurrency   string `json:"credit_currency,omitempty"`
	DoNotContact     bool   `json:"do_not_contact"`
	Owner            string `json:"owner,omitempty"`
}

// TaskCustomer reads customer id (its database id).
func (s *Store) TaskCustomer(ctx context.Context, id int64) (TaskCustomer, error) {
	var c TaskCustomer
	var owner nullString
	err := s.sqlDB.QueryRowContext(ctx, s.rebind(`SELECT c.external_id, c.name, c.email, c.phone, c.finance_email, c.risk, c.credit_rating,
		c.credit_limit_minor, c.credit_currency, c.do_not_contact, u.email
		FROM customers c LEFT JOIN users u ON u.id = c.owner_id WHERE c.id = ?`), id).
		Scan(&c.ID, &c.Name, &c.Email, &c.Phone, &c.FinanceEmail, &c.Risk, &c.CreditRating, &c.CreditLimitMinor, &c.CreditCurrency,
			&c.DoNotContact, &owner)
	if errors.Is(err, sql.ErrNoRows) {
		return c, fmt.Errorf("customer %d: %w", id, ErrNotFound)
	}
	c.Owner = string(owner)
	return c, err
}

// TaskInvoice is the invoice a task is about: amounts and age.
type TaskInvoice struct {
	Number       string        `json:"number"`
	Currency     string        `json:"currency"`
	AmountMinor  int64         `json:"amount_minor"`
	PaidMinor    int64         `json:"paid_minor"`
	BalanceMinor int64         `json:"balance_minor"`
	IssueDate    calendar.Date `json:"issue_date"`
	DueDate      calendar.Date `json:"due_date"`
	DaysOverdue  int           `json:"days_overdue"`
	Status       string        `json:"status"`
	Risk         string        `json:"risk"`
	Disputed     bool          `json:"disputed"`
}

// TaskInvoice reads invoice id (its database id) as of today.
func (s *Store) TaskInvoice(ctx context.Context, id int64, today calendar.Date) (TaskInvoice, error) {
	var in TaskInvoice
	err := s.sqlDB.QueryRowContext(ctx, s.rebind(`SELECT i.number, i.currency, i.amount_minor, i.paid_minor, i.balance_minor, i.issue_date,
		i.due_date, i.status, c.risk, i.disputed FROM invoices i JOIN customers c ON c.id = i.customer_id WHERE i.id = ?`), id).
		Scan(&in.Number, &in.Currency, &in.AmountMinor, &in.PaidMinor, &in.BalanceMinor, &in.IssueDate, &in.DueDate, &in.Status, &in.Risk, &in.Disputed)
	if errors.Is(err, sql.ErrNoRows) {
		return in, fmt.Errorf("invoice %d: %w", id, ErrNotFound)
	}
	if in.BalanceMinor > 0 {
		in.DaysOverdue = max(0, today.DaysSince(in.DueDate))
	}
	return in, err
}

// SentMessage is a notification of an invoice, with its text.
type SentMessage struct {
	ID        int64      `json:"id"`
	Channel   string     `json:"channel"`
	Recipient string     `json:"recipient,omitempty"`
	Template  string     `json:"template,omitempty"`
	Subject   string     `json:"subject,omitempty"`
	Body      string     `json:"body,omitempty"`
	Status    string     `json:"status"`
	CreatedAt time.Time  `json:"created_at"`
	SentAt    *time.Time `json:"sent_at,omitempty"`
}

// SentMessages lists the outbox entries of invoice id (its database id),
// oldest first.
func (s *Store) SentMessages(ctx context.Context, id int64) ([]SentMessage, error) {
	rows, err := s.sqlDB.QueryContext(ctx, s.rebind(`SELECT id, channel, recipient, template, subject, body, status, `+
		s.instant("created_at")+", "+s.instant("sent_at")+` FROM outbox WHERE invoice_id = ? ORDER BY id`), id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []SentMessage{}
	for rows.Next() {
		var m SentMessage
		var created, sent dbTime
		if err := rows.Scan(&m.ID, &m.Channel, &m.Recipient, &m.Template, &m.Subject, &m.Body, &m.Status, &created, &sent); err != nil {
			return nil, err
		}
		m.CreatedAt = created.Time
		if sent.Valid {
			t := sent.Time
			m.SentAt = &t
		}
		out = append(out, m)
	}
	return out, rows.Err()
}

// ActionTaskClaimed is the audit action of a claimed task.
const ActionTaskClaimed = "task.claimed"

// ClaimTask gives the open task id, assigned to a role and to nobody yet,
// to the user with email. It returns ErrConflict when the task is not open
// or someone already has it (the caller itself included: nothing to do).
func (s *Store) ClaimTask(ctx context.Context, id int64, email string, now time.Time) error {
	to, err := s.UserByEmail(ctx, email)
	if err != nil {
		return err
	}
	tx, err := s.sqlDB.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	res, err := tx.ExecContext(ctx, s.rebind("UPDATE tasks SET assignee_id = ?, updated_at = ? WHERE id = ? AND status = 'open' AND assignee_id IS NULL"),
		to.ID, now.UTC(), id)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		var holder nullString
		var status string
		err := tx.QueryRowContext(ctx, s.rebind("SELECT t.status, u.email FROM tasks t LEFT JOIN users u ON u.id = t.assignee_id WHERE t.id = ?"), id).Scan(&status, &holder)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			return fmt.Errorf("task %d: %w", id, ErrNotFound)
		case err != nil:
			return err
		case status != "open":
			return fmt.Errorf("task %d is %s, not open: %w", id, status, ErrConflict)
		}
		return fmt.Errorf("task %d is already assigned to %s: %w", id, holder, ErrConflict)
	}
	if _, err := s.auditTask(ctx, tx, id, to.Email, ActionTaskClaimed, map[string]string{"from": "", "to": to.Email},
		map[string]string{"assignee": ""}, map[string]string{"assignee": to.Email}, now); err != nil {
		return err
	}
	return tx.Commit()
}

// UsersWithRoles lists the active users with one of roles, by name (then
// email).
func (s *Store) UsersWithRoles(ctx context.Context, roles []string) ([]User, error) {
	if len(roles) == 0 {
		return []User{}, nil
	}
	q := "SELECT " + userColumns + " FROM users WHERE role IN (?" + strings.Repeat(", ?", len(roles)-1) + ")"
	args := make([]any, len(roles))
	for i, r := range roles {
		args[i] = r
	}
	rows, err := s.sqlDB.QueryContext(ctx, s.rebind(q), args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []User{}
	for rows.Next() {
		u, err := scanUser(rows)
		if err != nil {
			return nil, err
		}
		if u.Active {
			out = append(out, u)
		}
	}
	slices.SortFunc(out, func(a, b User) int {
		if c := strings.Compare(a.Name, b.Name); c != 0 {
			return c
		}
		return strings.Compare(a.Email, b.Email)
	})
	return out, rows.Err()
}
