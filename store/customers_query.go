package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/recoup/recoup/calendar"
)

// customerScope returns the SQL condition (on customers c) for the
// customers v may see: a rep those it owns, a manager its team's, everyone
// else all.
func (v Viewer) customerScope() (string, []any) {
	switch v.Role {
	case RoleSalesRep:
		return "c.owner_id = ?", []any{v.UserID}
	case RoleSalesManager:
		return "c.owner_id IN (SELECT tm.id FROM users tm WHERE tm.team = ? AND tm.team <> '')", []any{v.Team}
	case RoleAdmin, RoleFinance, RoleFinanceDirector:
		return "1 = 1", nil
	}
	return "1 = 0", nil
}

// CustomerSummary is a customer as lists show it, with its open invoices.
type CustomerSummary struct {
	ID              string `json:"id"`
	Name            string `json:"name"`
	Email           string `json:"email,omitempty"`
	Phone           string `json:"phone,omitempty"`
	Region          string `json:"region,omitempty"`
	Industry        string `json:"industry,omitempty"`
	CreditRating    string `json:"credit_rating,omitempty"`
	Risk            string `json:"risk"`
	Owner           string `json:"owner,omitempty"`
	DoNotContact    bool   `json:"do_not_contact"`
	OpenInvoices    int    `json:"open_invoices"`
	OverdueInvoices int    `json:"overdue_invoices"`
}

// CustomerFilter selects customers; zero fields do not filter.
type CustomerFilter struct {
	Risk, Region, Owner string
	Search              string        // in the name or external id
	Today               calendar.Date // for overdue counts
	Cursor              string
	Limit               int // default 50, at most 500
}

// CustomerPage is one page of customers.
type CustomerPage struct {
	Items      []CustomerSummary `json:"items"`
	NextCursor string            `json:"next_cursor,omitempty"`
}

const customerColumns = `c.id, c.external_id, c.name, c.email, c.phone, c.region, c.industry, c.credit_rating, c.risk,
	COALESCE(u.email, ''), c.do_not_contact,
	(SELECT COUNT(*) FROM invoices oi WHERE oi.customer_id = c.id AND oi.balance_minor > 0),
	(SELECT COUNT(*) FROM invoices oi WHERE oi.customer_id = c.id AND oi.balance_minor > 0 AND oi.due_date < ?)`

func scanCustomer(row interface{ Scan(...any) error }, id *int64) (CustomerSummary, error) {
	var c CustomerSummary
	err := row.Scan(id, &c.ID, &c.Name, &c.Email, &c.Phone, &c.Region, &c.Industry, &c.CreditRating, &c.Risk, &c.Owner,
		&c.DoNotContact, &c.OpenInvoices, &c.OverdueInvoices)
	return c, err
}

// Customers lists the customers v may see that match f, one page at a time.
func (s *Store) Customers(ctx context.Context, v Viewer, f CustomerFilter) (CustomerPage, error) {
	scope, sargs := v.customerScope()
	args := append([]any{f.Today.String()}, sargs...)
	q := "SELECT " + customerColumns + " FROM customers c LEFT JOIN users u ON u.id = c.owner_id WHERE " + scope
	add := conds{&q, &args}.and
	if f.Cursor != "" {
		after, err := decodeCursor(f.Cursor)
		if err != nil {
			return CustomerPage{}, err
		}
		add("c.id > ?", after)
	}
	if f.Risk != "" {
		add("c.risk = ?", f.Risk)
	}
	if f.Region != "" {
		add("c.region = ?", f.Region)
	}
	if f.Owner != "" {
		add("u.email = ?", normEmail(f.Owner))
	}
	if f.Search != "" {
		like := "%" + strings.NewReplacer(`\`, `\\`, "%", `\%`, "_", `\_`).Replace(strings.ToLower(f.Search)) + "%"
		add(`(LOWER(c.name) LIKE ? ESCAPE '\' OR LOWER(c.external_id) LIKE ? ESCAPE '\')`, like, like)
	}
	if f.Limit <= 0 {
		f.Limit = 50
	}
	f.Limit = min(f.Limit, 500)
	q += " ORDER BY c.id LIMIT ?"
	args = append(args, f.Limit+1)
	rows, err := s.sqlDB.QueryContext(ctx, s.rebind(q), args...)
	if err != nil {
		return CustomerPage{}, err
	}
	defer rows.Close()
	page := CustomerPage{Items: []CustomerSummary{}}
	var lastID int64
	for rows.Next() {
		if len(page.Items) == f.Limit {
			page.NextCursor = encodeCursor(lastID)
			break
		}
		c, err := scanCustomer(rows, &lastID)
		if err != nil {
			return CustomerPage{}, err
		}
		page.Items = append(page.Items, c)
	}
	return page, rows.Err()
}

// VisibleCustomer returns the customer with external id if v may see it;
// ErrNotFound or ErrHidden otherwise.
func (s *Store) VisibleCustomer(ctx context.Context, v Viewer, id string, today calendar.Date) (CustomerSummary, error) {
	scope, sargs := v.customerScope()
	var (
		rowID   int64
		visible bool
	)
	row := s.sqlDB.QueryRowContext(ctx, s.rebind("SELECT "+customerColumns+", CASE WHEN "+scope+
		" THEN 1 ELSE 0 END = 1 FROM customers c LEFT JOIN users u ON u.id = c.owner_id WHERE c.external_id = ?"),
		append(append([]any{today.String()}, sargs...), id)...)
	var c CustomerSummary
	err := row.Scan(&rowID, &c.ID, &c.Name, &c.Email, &c.Phone, &c.Region, &c.Industry, &c.CreditRating, &c.Risk, &c.Owner,
		&c.DoNotContact, &c.OpenInvoices, &c.OverdueInvoices, &visible)
	if errors.Is(err, sql.ErrNoRows) {
		return c, fmt.Errorf("customer %q: %w", id, ErrNotFound)
	}
	if err != nil {
		return c, err
	}
	if !visible {
		return c, fmt.Errorf("customer %q: %w", id, ErrHidden)
	}
	return c, nil
}
