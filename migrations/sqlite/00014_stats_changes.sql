-- +goose Up
-- The customers whose payment aggregates may have changed, and when: each
-- write of the invoice columns the aggregates read (customer, currency,
-- balance, due date, last payment) records its customers with a number
-- above the dashboard data version it saw (dashboard_version.n, 00007,
-- which only grows). Aggregates computed after reading version v are then
-- stale for the customers recorded above v, and only for them (see
-- Store.tickStats). One row per customer: the latest number.
CREATE TABLE stats_changes (
    customer_id INTEGER PRIMARY KEY,
    n           INTEGER NOT NULL
);

-- +goose StatementBegin
CREATE TRIGGER stats_invoices_insert AFTER INSERT ON invoices
BEGIN
    INSERT INTO stats_changes (customer_id, n) VALUES (NEW.customer_id, (SELECT n + 1 FROM dashboard_version WHERE id = 1))
        ON CONFLICT (customer_id) DO UPDATE SET n = max(n, excluded.n);
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER stats_invoices_update AFTER UPDATE OF customer_id, currency, balance_minor, due_date, last_paid_at ON invoices
WHEN OLD.customer_id IS NOT NEW.customer_id OR OLD.currency IS NOT NEW.currency OR OLD.balance_minor IS NOT NEW.balance_minor
    OR OLD.due_date IS NOT NEW.due_date OR OLD.last_paid_at IS NOT NEW.last_paid_at
BEGIN
    INSERT INTO stats_changes (customer_id, n) VALUES (NEW.customer_id, (SELECT n + 1 FROM dashboard_version WHERE id = 1))
        ON CONFLICT (customer_id) DO UPDATE SET n = max(n, excluded.n);
    INSERT INTO stats_changes (customer_id, n) SELECT OLD.customer_id, n + 1 FROM dashboard_version
        WHERE id = 1 AND OLD.customer_id IS NOT NEW.customer_id
        ON CONFLICT (customer_id) DO UPDATE SET n = max(n, excluded.n);
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER stats_invoices_delete AFTER DELETE ON invoices
BEGIN
    INSERT INTO stats_changes (customer_id, n) VALUES (OLD.customer_id, (SELECT n + 1 FROM dashboard_version WHERE id = 1))
        ON CONFLICT (customer_id) DO UPDATE SET n = max(n, excluded.n);
END;
-- +goose StatementEnd

-- +goose Down
DROP TRIGGER stats_invoices_delete;
DROP TRIGGER stats_invoices_update;
DROP TRIGGER stats_invoices_insert;
DROP TABLE stats_changes;
