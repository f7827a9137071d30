package store

import "context"

// Name is the database's URL without its password, for logs.
func (s *Store) Name() string { return redact(s.url) }

// FirstAdmin returns the admin user created first (active or not), or
// ErrNotFound when there is none.
func (s *Store) FirstAdmin(ctx context.Context) (User, error) {
	return scanUser(s.sqlDB.QueryRowContext(ctx, "SELECT "+userColumns+" FROM users WHERE role = 'admin' ORDER BY id LIMIT 1"))
}
