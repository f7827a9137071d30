package store

import (
	"context"
	"database/sql"
	"encoding/base64"
	"errors"
	"fmt"
	"slices"
	"time"
)

// UserInfo is a user as the admin's list shows it.
type UserInfo struct {
	User
	HasPassword bool       `json:"has_password"`
	CreatedAt   time.Time  `json:"created_at"`
	LastLoginAt *time.Time `json:"last_login_at,omitempty"`
}

// Users lists every user by email.
func (s *Store) Users(ctx context.Context) ([]UserInfo, error) {
	var out []UserInfo
	cursor := ""
	for {
		page, err := s.UsersPage(ctx, cursor, 500)
		if err != nil {
			return nil, err
		}
		out = append(out, page.Items...)
		if cursor = page.NextCursor; cursor == "" {
			return append([]UserInfo{}, out...), nil
		}
	}
}

// UserPage is one page of users by email.
type UserPage struct {
	Items      []UserInfo `json:"items"`
	NextCursor string     `json:"next_cursor,omitempty"`
}

// UsersPage lists users by email, limit (default 100, at most 500) at a
// time after the page whose NextCursor is cursor.
func (s *Store) UsersPage(ctx context.Context, cursor string, limit int) (UserPage, error) {
	page := UserPage{Items: []UserInfo{}}
	if limit <= 0 {
		limit = 100
	}
	limit = min(limit, 500)
	q, args := "SELECT "+userColumns+", password_hash IS NOT NULL, created_at, last_login_at FROM users", []any{}
	if cursor != "" {
		b, err := base64.RawURLEncoding.DecodeString(cursor)
		if err != nil || len(b) < 2 || b[0] != 'e' {
			return page, ErrInvalidCursor
		}
		q += " WHERE email > ?"
		args = append(args, string(b[1:]))
	}
	rows, err := s.sqlDB.QueryContext(ctx, s.rebind(q+" ORDER BY email LIMIT ?"), append(args, limit+1)...)
	if err != nil {
		return page, err
	}
	defer rows.Close()
	for rows.Next() {
		var u UserInfo
		var last sql.NullTime
		if u.User, err = scanUser(rows, &u.HasPassword, &u.CreatedAt, &last); err != nil {
			return page, err
		}
		u.LastLoginAt = nullTime(last)
		page.Items = append(page.Items, u)
	}
	if len(page.Items) > limit {
		page.Items = page.Items[:limit]
		page.NextCursor = base64.RawURLEncoding.EncodeToString([]byte("e" + page.Items[limit-1].Email))
	}
	return page, rows.Err()
}

// UserChange is a new user or the fields of one to change (nil: unchanged).
type UserChange struct {
	Email    string // new users only
	Name     *string
	Role     *string
	Team     *string
	Active   *bool
	Password *string
	Language *string // one of Languages
}

// ErrInvalid is returned for a value a field does not take.
var ErrInvalid = errors.New("invalid")

// checkLanguage refuses a language other than Languages.
func checkLanguage(lang *string) error {
	if lang != nil && !slices.Contains(Languages, *lang) {
		return fmt.Errorf("language %q: want one of en, zh-CN or empty: %w", *lang, ErrInvalid)
	}
	return nil
}

// boolValue is b as the dialect stores it: INTEGER on SQLite, BOOLEAN on
// PostgreSQL.
func (s *Store) boolValue(b bool) any {
	if s.dialect == Postgres {
		return b
	}
	if b {
		return 1
	}
	return 0
}

// CreateUser adds a user; ErrConflict if the email is taken.
func (s *Store) CreateUser(ctx context.Context, c UserChange, now time.Time) (User, error) {
	email := normEmail(c.Email)
	if _, err := s.UserByEmail(ctx, email); err == nil {
		return User{}, fmt.Errorf("user %s already exists: %w", email, ErrConflict)
	} else if !errors.Is(err, ErrNotFound) {
		return User{}, err
	}
	deref := func(p *string) string {
		if p == nil {
			return ""
		}
		return *p
	}
	active := c.Active == nil || *c.Active
	if err := checkLanguage(c.Language); err != nil {
		return User{}, err
	}
	if _, err := s.sqlDB.ExecContext(ctx, s.rebind("INSERT INTO users (email, name, role, team, active, language, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"),
		email, deref(c.Name), deref(c.Role), deref(c.Team), s.boolValue(active), deref(c.Language), now.UTC(), now.UTC()); err != nil {
		return User{}, err
	}
	if c.Password != nil {
		if err := s.SetPassword(ctx, email, *c.Password, now); err != nil {
			return User{}, err
		}
	}
	return s.UserByEmail(ctx, email)
}

// UpdateUser changes the given fields of user id. Deactivating a user or
// changing its password ends its sessions; deactivating also revokes its
// API tokens for good (reactivating the user does not revive them).
func (s *Store) UpdateUser(ctx context.Context, id int64, c UserChange, now time.Time) (User, error) {
	u, err := s.UserByID(ctx, id)
	if err != nil {
		return User{}, fmt.Errorf("user %d: %w", id, err)
	}
	if err := checkLanguage(c.Language); err != nil {
		return User{}, err
	}
	set, args := "updated_at = ?", []any{now.UTC()}
	for col, v := range map[string]*string{"name": c.Name, "role": c.Role, "team": c.Team, "language": c.Language} {
		if v != nil {
			set += ", " + col + " = ?"
			args = append(args, *v)
		}
	}
	if c.Active != nil {
		set += ", active = ?"
		args = append(args, s.boolValue(*c.Active))
	}
	if _, err := s.sqlDB.ExecContext(ctx, s.rebind("UPDATE users SET "+set+" WHERE id = ?"), append(args, id)...); err != nil {
		return User{}, err
	}
	if c.Password != nil {
		if err := s.SetPassword(ctx, u.Email, *c.Password, now); err != nil {
			return User{}, err
		}
	}
	if c.Password != nil || (c.Active != nil && !*c.Active) {
		if _, err := s.sqlDB.ExecContext(ctx, s.rebind("DELETE FROM sessions WHERE user_id = ?"), id); err != nil {
			return User{}, err
		}
	}
	if c.Active != nil && !*c.Active {
		if _, err := s.sqlDB.ExecContext(ctx, s.rebind("UPDATE api_tokens SET revoked_at = ? WHERE user_id = ? AND revoked_at IS NULL"), now.UTC(), id); err != nil {
			return User{}, err
		}
	}
	return s.UserByID(ctx, id)
}
