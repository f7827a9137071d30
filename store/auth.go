package store

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"

	"golang.org/x/crypto/bcrypt"
)

// Auth errors.
var (
	// ErrBadCredentials is returned for an unknown email, a wrong password
	// or an inactive user alike, so callers cannot tell which.
	ErrBadCredentials = errors.New("invalid email or password")
	// ErrConflict is returned when a write contradicts what is stored
	// (a payment reference reused for another invoice or amount).
	ErrConflict = errors.New("conflict")
	// ErrTokenExpired and ErrTokenRevoked are a known API token that no
	// longer works: past its expiry, or revoked (by an admin, or when its
	// user was deactivated).
	ErrTokenExpired = errors.New("the API token expired")
	ErrTokenRevoked = errors.New("the API token was revoked")
)

// BcryptCost is the cost of password hashes (about 60 ms here).
var BcryptCost = bcrypt.DefaultCost

// User is a person who logs in, with the role and team that decide what
// they may see.
type User struct {
	ID     int64  `json:"id"`
	Email  string `json:"email"`
	Name   string `json:"name"`
	Role   string `json:"role"`
	Team   string `json:"team"`
	Active bool   `json:"active"`
	// Language is the UI language the user chose: "" (follow the
	// browser), "en" or "zh-CN".
	Language string `json:"language"`
}

// Languages are the values of User.Language.
var Languages = []string{"", "en", "zh-CN"}

const userColumns = "id, email, name, role, team, active, language"

func scanUser(row interface{ Scan(...any) error }, extra ...any) (User, error) {
	var u User
	err := row.Scan(append([]any{&u.ID, &u.Email, &u.Name, &u.Role, &u.Team, &u.Active, &u.Language}, extra...)...)
	if errors.Is(err, sql.ErrNoRows) {
		return u, ErrNotFound
	}
	return u, err
}

// UserByID returns the user with id, or ErrNotFound.
func (s *Store) UserByID(ctx context.Context, id int64) (User, error) {
	return scanUser(s.queryRow(ctx, s.rebind("SELECT "+userColumns+" FROM users WHERE id = ?"), id))
}

// UserByEmail returns the user with email (case-insensitive), or ErrNotFound.
func (s *Store) UserByEmail(ctx context.Context, email string) (User, error) {
	return scanUser(s.sqlDB.QueryRowContext(ctx, s.rebind("SELECT "+userColumns+" FROM users WHERE email = ?"), normEmail(email)))
}

func normEmail(email string) string { return strings.ToLower(strings.TrimSpace(email)) }

// dummyHash is compared against when the email is unknown, so that a login
// takes as long whether or not the user exists.
var dummyHash, _ = bcrypt.GenerateFromPassword([]byte("recoup-no-such-user"), bcrypt.DefaultCost)

// Authenticate checks email and password and returns the active user, or
// ErrBadCredentials.
func (s *Store) Authenticate(ctx context.Context, email, password string) (User, error) {
	var hash sql.NullString
	u, err := scanUser(s.sqlDB.QueryRowContext(ctx, s.rebind("SELECT "+userColumns+", password_hash FROM users WHERE email = ?"), normEmail(email)), &hash)
	if errors.Is(err, ErrNotFound) || (err == nil && !hash.Valid) {
		bcrypt.CompareHashAndPassword(dummyHash, []byte(password))
		return User{}, ErrBadCredentials
	}
	if err != nil {
		return User{}, err
	}
	if bcrypt.CompareHashAndPassword([]byte(hash.String), []byte(password)) != nil || !u.Active {
		return User{}, ErrBadCredentials
	}
	return u, nil
}

// SetPassword stores a bcrypt hash of password for the user with email.
func (s *Store) SetPassword(ctx context.Context, email, password string, now time.Time) error {
	if len(password) < 8 {
		return fmt.Errorf("password: at least 8 characters")
	}
	hash, err := bcrypt.GenerateFromPassword([]byte(password), BcryptCost)
	if err != nil {
		return err
	}
	res, err := s.sqlDB.ExecContext(ctx, s.rebind("UPDATE users SET password_hash = ?, updated_at = ? WHERE email = ?"), string(hash), now.UTC(), normEmail(email))
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("user %q: %w", email, ErrNotFound)
	}
	return nil
}

// EnsureAdmin makes sure an admin can log in on a new installation: when no
// admin has a password yet, it creates (or promotes) the user email as an
// active admin with password and reports true. It does nothing otherwise.
func (s *Store) EnsureAdmin(ctx context.Context, email, password string, now time.Time) (bool, error) {
	var n int
	if err := s.sqlDB.QueryRowContext(ctx, "SELECT COUNT(*) FROM users WHERE role = 'admin' AND password_hash IS NOT NULL").Scan(&n); err != nil {
		return false, err
	}
	if n > 0 {
		return false, nil
	}
	email = normEmail(email)
	if _, err := s.UserByEmail(ctx, email); errors.Is(err, ErrNotFound) {
		if _, err := s.sqlDB.ExecContext(ctx, s.rebind("INSERT INTO users (email, name, role, team, created_at, updated_at) VALUES (?, 'Administrator', 'admin', '', ?, ?)"),
			email, now.UTC(), now.UTC()); err != nil {
			return false, err
		}
	} else if err != nil {
		return false, err
	}
	// active is INTEGER on SQLite and BOOLEAN on PostgreSQL.
	active := "1"
	if s.dialect == Postgres {
		active = "TRUE"
	}
	if _, err := s.sqlDB.ExecContext(ctx, s.rebind("UPDATE users SET role = 'admin', active = "+active+" WHERE email = ?"), email); err != nil {
		return false, err
	}
	return true, s.SetPassword(ctx, email, password, now)
}

// RandomSecret returns n random bytes, URL-safe base64 encoded.
func RandomSecret(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

func secretHash(secret string) string {
	h := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(h[:])
}

// Session is a logged-in browser.
type Session struct {
	Token     string // the cookie value; only its hash is stored
	CSRFToken string
	ExpiresAt time.Time
}

// CreateSession opens a session for user that lasts ttl.
func (s *Store) CreateSession(ctx context.Context, userID int64, ttl time.Duration, ip, userAgent string, now time.Time) (Session, error) {
	sess := Session{Token: RandomSecret(32), CSRFToken: RandomSecret(24), ExpiresAt: now.Add(ttl).UTC()}
	if len(userAgent) > 200 {
		userAgent = userAgent[:200]
	}
	_, err := s.sqlDB.ExecContext(ctx, s.rebind(`INSERT INTO sessions (token_hash, user_id, csrf_token, created_at, expires_at, ip, user_agent)
		VALUES (?, ?, ?, ?, ?, ?, ?)`), secretHash(sess.Token), userID, sess.CSRFToken, now.UTC(), sess.ExpiresAt, ip, userAgent)
	if err != nil {
		return Session{}, err
	}
	if _, err := s.sqlDB.ExecContext(ctx, s.rebind("UPDATE users SET last_login_at = ? WHERE id = ?"), now.UTC(), userID); err != nil {
		return Session{}, err
	}
	// Expired sessions are swept as new ones open.
	if _, err := s.sqlDB.ExecContext(ctx, s.rebind("DELETE FROM sessions WHERE expires_at < ?"), now.UTC()); err != nil {
		return Session{}, err
	}
	return sess, nil
}

// SessionUser returns the active user of an unexpired session and the
// session's CSRF token, or ErrNotFound.
func (s *Store) SessionUser(ctx context.Context, token string, now time.Time) (User, string, error) {
	var csrf string
	var expires dbTime
	u, err := scanUser(s.queryRow(ctx, s.rebind(`SELECT u.id, u.email, u.name, u.role, u.team, u.active, u.language, s.csrf_token, `+s.instant("s.expires_at")+`
		FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.token_hash = ?`), secretHash(token)), &csrf, &expires)
	if err != nil {
		return User{}, "", err
	}
	if !u.Active || !expires.Valid || !now.Before(expires.Time) {
		return User{}, "", ErrNotFound
	}
	return u, csrf, nil
}

// DeleteSession ends a session (logout).
func (s *Store) DeleteSession(ctx context.Context, token string) error {
	_, err := s.sqlDB.ExecContext(ctx, s.rebind("DELETE FROM sessions WHERE token_hash = ?"), secretHash(token))
	return err
}

// APIToken is an integration's credential, as lists show it (never the
// secret, which is shown once when created).
type APIToken struct {
	ID         int64      `json:"id"`
	Name       string     `json:"name"`
	Prefix     string     `json:"prefix"`
	User       string     `json:"user"`
	Scopes     []string   `json:"scopes"`
	CreatedBy  string     `json:"created_by"`
	CreatedAt  time.Time  `json:"created_at"`
	ExpiresAt  *time.Time `json:"expires_at,omitempty"`
	LastUsedAt *time.Time `json:"last_used_at,omitempty"`
	RevokedAt  *time.Time `json:"revoked_at,omitempty"`
}

// TokenPrefix starts every API token, so that secret scanners recognise it.
const TokenPrefix = "rcp_"

// Token lifetimes: a token lives TokenDefaultDays unless its issuer asks
// for another span, at most TokenMaxDays. A token issued before tokens
// expired (expires_at empty) expires TokenMaxDays after it was created.
const (
	TokenDefaultDays = 90
	TokenMaxDays     = 365
)

// tokenExpiry is when a token created at created with expiry expires
// (nil: issued before tokens expired).
func tokenExpiry(created time.Time, expires *time.Time) time.Time {
	if expires != nil {
		return *expires
	}
	return created.AddDate(0, 0, TokenMaxDays)
}

// CreateToken issues a token acting as the user with email, limited to
// scopes, until expires (after now, at most TokenMaxDays later). It
// returns the token and its secret; only the secret's hash is kept.
func (s *Store) CreateToken(ctx context.Context, email, name string, scopes []string, by string, expires, now time.Time) (APIToken, string, error) {
	if !expires.After(now) || expires.After(now.AddDate(0, 0, TokenMaxDays)) {
		return APIToken{}, "", fmt.Errorf("token expiry %s: want after now and at most %d days from now: %w", expires.UTC().Format(time.RFC3339), TokenMaxDays, ErrInvalid)
	}
	u, err := s.UserByEmail(ctx, email)
	if err != nil {
		return APIToken{}, "", fmt.Errorf("user %q: %w", email, err)
	}
	secret := TokenPrefix + RandomSecret(32)
	exp := expires.UTC()
	t := APIToken{Name: name, Prefix: secret[:len(TokenPrefix)+6], User: u.Email, Scopes: scopes, CreatedBy: by, CreatedAt: now.UTC(), ExpiresAt: &exp}
	q := `INSERT INTO api_tokens (name, prefix, token_hash, user_id, scopes, created_by, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`
	if err := s.sqlDB.QueryRowContext(ctx, s.rebind(q), name, t.Prefix, secretHash(secret), u.ID, strings.Join(scopes, " "), by, t.CreatedAt, exp).Scan(&t.ID); err != nil {
		return APIToken{}, "", err
	}
	return t, secret, nil
}

// TokenUser returns the active user a valid (unrevoked, unexpired) token
// acts as and its scopes, and notes when it was last used. An unknown
// secret is ErrNotFound; a known one that no longer works is
// ErrTokenExpired or ErrTokenRevoked, wrapped with when.
func (s *Store) TokenUser(ctx context.Context, secret string, now time.Time) (User, []string, error) {
	var (
		id               int64
		scopes           string
		created          time.Time
		expires, revoked sql.NullTime
	)
	u, err := scanUser(s.sqlDB.QueryRowContext(ctx, s.rebind(`SELECT u.id, u.email, u.name, u.role, u.team, u.active, u.language, t.id, t.scopes, t.created_at, t.expires_at, t.revoked_at
		FROM api_tokens t JOIN users u ON u.id = t.user_id WHERE t.token_hash = ?`), secretHash(secret)), &id, &scopes, &created, &expires, &revoked)
	if err != nil {
		return User{}, nil, err
	}
	switch exp := tokenExpiry(created, nullTime(expires)); {
	case revoked.Valid:
		return User{}, nil, fmt.Errorf("%w on %s: ask an admin for a new one", ErrTokenRevoked, revoked.Time.UTC().Format(time.RFC3339))
	case !u.Active:
		return User{}, nil, fmt.Errorf("%w: its user is deactivated", ErrTokenRevoked)
	case !now.Before(exp):
		return User{}, nil, fmt.Errorf("%w on %s: ask an admin for a new one", ErrTokenExpired, exp.UTC().Format(time.RFC3339))
	}
	// Noted at most once a minute: a busy integration must not turn every
	// read into a write.
	if _, err := s.sqlDB.ExecContext(ctx, s.rebind("UPDATE api_tokens SET last_used_at = ? WHERE id = ? AND (last_used_at IS NULL OR last_used_at < ?)"),
		now.UTC(), id, now.Add(-time.Minute).UTC()); err != nil {
		return User{}, nil, err
	}
	return u, strings.Fields(scopes), nil
}

// Tokens lists every API token, newest first.
func (s *Store) Tokens(ctx context.Context) ([]APIToken, error) {
	page, err := s.TokensPage(ctx, "", 0)
	var out []APIToken
	for err == nil {
		out = append(out, page.Items...)
		if page.NextCursor == "" {
			return append([]APIToken{}, out...), nil
		}
		page, err = s.TokensPage(ctx, page.NextCursor, 500)
	}
	return nil, err
}

// TokenPage is one page of API tokens, newest first.
type TokenPage struct {
	Items      []APIToken `json:"items"`
	NextCursor string     `json:"next_cursor,omitempty"`
}

// TokensPage lists API tokens newest first, limit (default 100, at most
// 500) at a time after the page whose NextCursor is cursor.
func (s *Store) TokensPage(ctx context.Context, cursor string, limit int) (TokenPage, error) {
	page := TokenPage{Items: []APIToken{}}
	if limit <= 0 {
		limit = 100
	}
	limit = min(limit, 500)
	q, args := `SELECT t.id, t.name, t.prefix, u.email, t.scopes, t.created_by, t.created_at, t.expires_at, t.last_used_at, t.revoked_at
		FROM api_tokens t JOIN users u ON u.id = t.user_id`, []any{}
	if cursor != "" {
		before, err := decodeCursor(cursor)
		if err != nil {
			return page, err
		}
		q += " WHERE t.id < ?"
		args = append(args, before)
	}
	rows, err := s.sqlDB.QueryContext(ctx, s.rebind(q+" ORDER BY t.id DESC LIMIT ?"), append(args, limit+1)...)
	if err != nil {
		return page, err
	}
	defer rows.Close()
	out := page.Items
	for rows.Next() {
		var t APIToken
		var scopes string
		var exp, used, rev sql.NullTime
		if err := rows.Scan(&t.ID, &t.Name, &t.Prefix, &t.User, &scopes, &t.CreatedBy, &t.CreatedAt, &exp, &used, &rev); err != nil {
			return page, err
		}
		t.Scopes = strings.Fields(scopes)
		expires := tokenExpiry(t.CreatedAt, nullTime(exp))
		t.ExpiresAt, t.LastUsedAt, t.RevokedAt = &expires, nullTime(used), nullTime(rev)
		out = append(out, t)
	}
	if len(out) > limit {
		out = out[:limit]
		page.NextCursor = encodeCursor(out[limit-1].ID)
	}
	page.Items = out
	return page, rows.Err()
}

func nullTime(t sql.NullTime) *time.Time {
	if !t.Valid {
		return nil
	}
	return &t.Time
}

// RevokeToken revokes token id at once; ErrNotFound if there is none.
// Revoking twice keeps the first time.
func (s *Store) RevokeToken(ctx context.Context, id int64, now time.Time) error {
	res, err := s.sqlDB.ExecContext(ctx, s.rebind("UPDATE api_tokens SET revoked_at = COALESCE(revoked_at, ?) WHERE id = ?"), now.UTC(), id)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("token %d: %w", id, ErrNotFound)
	}
	return nil
}

// EndOtherSessions ends every session of user but the one whose cookie is
// keep (after a password change).
func (s *Store) EndOtherSessions(ctx context.Context, userID int64, keep string) error {
	_, err := s.sqlDB.ExecContext(ctx, s.rebind("DELETE FROM sessions WHERE user_id = ? AND token_hash <> ?"), userID, secretHash(keep))
	return err
}
