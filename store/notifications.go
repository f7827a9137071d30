package store

import (
	"context"
	"database/sql"
	"time"
)

// Notification is one in-app message of a user.
type Notification struct {
	ID         int64      `json:"id"`
	Title      string     `json:"title"`
	Body       string     `json:"body"`
	Invoice    string     `json:"invoice,omitempty"`  // the invoice's number, when it is about one
	Customer   string     `json:"customer,omitempty"` // the customer's external id
	InvoiceID  *int64     `json:"invoice_id,omitempty"`
	CustomerID *int64     `json:"customer_id,omitempty"`
	CreatedAt  time.Time  `json:"created_at"`
	ReadAt     *time.Time `json:"read_at,omitempty"`
}

// NotificationFilter selects a page of a user's messages.
type NotificationFilter struct {
	Unread bool   // only unread ones
	Cursor string // the previous page's NextCursor
	Limit  int    // default 100, at most 500
}

// NotificationPage is one page of a user's messages, newest first, with
// how many of all its messages are unread.
type NotificationPage struct {
	Items       []Notification `json:"items"`
	UnreadCount int            `json:"unread_count"`
	NextCursor  string         `json:"next_cursor,omitempty"`
}

// Notifications lists the in-app messages of user id, newest first.
func (s *Store) Notifications(ctx context.Context, userID int64, f NotificationFilter) (NotificationPage, error) {
	page := NotificationPage{Items: []Notification{}}
	q := `SELECT m.id, m.title, m.body, m.invoice_id, COALESCE(i.number, ''), m.customer_id, COALESCE(c.external_id, ''), m.created_at, m.read_at
		FROM inapp_messages m LEFT JOIN invoices i ON i.id = m.invoice_id LEFT JOIN customers c ON c.id = m.customer_id WHERE m.user_id = ?`
	args := []any{userID}
	add := conds{&q, &args}.and
	if f.Unread {
		add("m.read_at IS NULL")
	}
	if f.Cursor != "" {
		before, err := decodeCursor(f.Cursor)
		if err != nil {
			return page, err
		}
		add("m.id < ?", before)
	}
	if f.Limit <= 0 {
		f.Limit = 100
	}
	f.Limit = min(f.Limit, 500)
	q += " ORDER BY m.id DESC LIMIT ?"
	args = append(args, f.Limit+1)
	err := s.queryRows(ctx, q, args, func(rows *sql.Rows) error {
		var n Notification
		var inv, cust sql.NullInt64
		var read sql.NullTime
		if err := rows.Scan(&n.ID, &n.Title, &n.Body, &inv, &n.Invoice, &cust, &n.Customer, &n.CreatedAt, &read); err != nil {
			return err
		}
		if inv.Valid {
			n.InvoiceID = &inv.Int64
		}
		if cust.Valid {
			n.CustomerID = &cust.Int64
		}
		n.ReadAt = nullTime(read)
		page.Items = append(page.Items, n)
		return nil
	})
	if err != nil {
		return page, err
	}
	if len(page.Items) > f.Limit {
		page.Items = page.Items[:f.Limit]
		page.NextCursor = encodeCursor(page.Items[f.Limit-1].ID)
	}
	err = s.sqlDB.QueryRowContext(ctx, s.rebind("SELECT COUNT(*) FROM inapp_messages WHERE user_id = ? AND read_at IS NULL"), userID).Scan(&page.UnreadCount)
	return page, err
}

// MarkAllNotificationsRead marks every unread message of user id read at
// at, and reports how many there were.
func (s *Store) MarkAllNotificationsRead(ctx context.Context, userID int64, at time.Time) (int, error) {
	res, err := s.sqlDB.ExecContext(ctx, s.rebind("UPDATE inapp_messages SET read_at = ? WHERE user_id = ? AND read_at IS NULL"), at.UTC(), userID)
	if err != nil {
		return 0, err
	}
	n, err := res.RowsAffected()
	return int(n), err
}
