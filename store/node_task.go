package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// OpenNodeTask returns the id and key of the open task or approval that
// workflow node node opened on the invoice numbered number (the latest,
// should there be several), or ErrNotFound. A simulation answers it.
func (s *Store) OpenNodeTask(ctx context.Context, number, node string) (id int64, key string, err error) {
	err = s.sqlDB.QueryRowContext(ctx, s.rebind(`SELECT t.id, t.key FROM tasks t JOIN invoices i ON i.id = t.invoice_id
		WHERE i.number = ? AND t.node = ? AND t.status = 'open' AND t.instance_id IS NOT NULL ORDER BY t.id DESC LIMIT 1`), number, node).Scan(&id, &key)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, "", fmt.Errorf("no open task or approval of node %q on invoice %s: %w", node, number, ErrNotFound)
	}
	return id, key, err
}
