-- +goose Up
-- Task rows now show the invoice's balance, currency and due date (for
-- days overdue and the priority), the customer's name and the assignee's
-- name and team (store/task_inbox.go): writes to them bump the inbox
-- version (00011) too, so that a kept inbox list is never older than them.
-- A payment changes an invoice's balance; promises are tasks, already
-- covered.
-- +goose StatementBegin
CREATE TRIGGER inbox_invoices_fields AFTER UPDATE OF balance_minor, currency, due_date, customer_id ON invoices
BEGIN UPDATE inbox_version SET n = n + 1 WHERE id = 1; END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER inbox_customers_fields AFTER UPDATE OF name ON customers
BEGIN UPDATE inbox_version SET n = n + 1 WHERE id = 1; END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER inbox_users_fields AFTER UPDATE OF name ON users
BEGIN UPDATE inbox_version SET n = n + 1 WHERE id = 1; END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER inbox_payments_insert AFTER INSERT ON payments
BEGIN UPDATE inbox_version SET n = n + 1 WHERE id = 1; END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER inbox_payments_update AFTER UPDATE OF invoice_id, amount_minor, paid_at ON payments
BEGIN UPDATE inbox_version SET n = n + 1 WHERE id = 1; END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER inbox_payments_delete AFTER DELETE ON payments
BEGIN UPDATE inbox_version SET n = n + 1 WHERE id = 1; END;
-- +goose StatementEnd

-- +goose Down
DROP TRIGGER inbox_payments_delete;
DROP TRIGGER inbox_payments_update;
DROP TRIGGER inbox_payments_insert;
DROP TRIGGER inbox_users_fields;
DROP TRIGGER inbox_customers_fields;
DROP TRIGGER inbox_invoices_fields;
