-- +goose Up
-- The task inbox (GET /api/tasks, store.Inbox) is read far more often than
-- tasks change (between ticks, only when someone acts on one). Every write
-- to what an inbox shows or scopes by bumps this version in the writer's
-- own transaction; an inbox read at version N may be served again while
-- the version is still N (store/inbox_cache.go).
CREATE TABLE inbox_version (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    n  INTEGER NOT NULL
);
INSERT INTO inbox_version (id, n) VALUES (1, 0);

-- An inbox shows tasks and, by join, the assignee's email, the invoice's
-- number and the customer's key; a manager's inbox is scoped by the
-- team of users and the owner of invoices.
-- +goose StatementBegin
CREATE TRIGGER inbox_tasks_insert AFTER INSERT ON tasks
BEGIN UPDATE inbox_version SET n = n + 1 WHERE id = 1; END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER inbox_tasks_update AFTER UPDATE ON tasks
BEGIN UPDATE inbox_version SET n = n + 1 WHERE id = 1; END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER inbox_tasks_delete AFTER DELETE ON tasks
BEGIN UPDATE inbox_version SET n = n + 1 WHERE id = 1; END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER inbox_users_update AFTER UPDATE OF email, team, role, active ON users
BEGIN UPDATE inbox_version SET n = n + 1 WHERE id = 1; END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER inbox_users_delete AFTER DELETE ON users
BEGIN UPDATE inbox_version SET n = n + 1 WHERE id = 1; END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER inbox_invoices_update AFTER UPDATE OF number, owner_id ON invoices
BEGIN UPDATE inbox_version SET n = n + 1 WHERE id = 1; END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER inbox_invoices_delete AFTER DELETE ON invoices
BEGIN UPDATE inbox_version SET n = n + 1 WHERE id = 1; END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER inbox_customers_update AFTER UPDATE OF external_id ON customers
BEGIN UPDATE inbox_version SET n = n + 1 WHERE id = 1; END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER inbox_customers_delete AFTER DELETE ON customers
BEGIN UPDATE inbox_version SET n = n + 1 WHERE id = 1; END;
-- +goose StatementEnd

-- +goose Down
DROP TRIGGER inbox_customers_delete;
DROP TRIGGER inbox_customers_update;
DROP TRIGGER inbox_invoices_delete;
DROP TRIGGER inbox_invoices_update;
DROP TRIGGER inbox_users_delete;
DROP TRIGGER inbox_users_update;
DROP TRIGGER inbox_tasks_delete;
DROP TRIGGER inbox_tasks_update;
DROP TRIGGER inbox_tasks_insert;
DROP TABLE inbox_version;
