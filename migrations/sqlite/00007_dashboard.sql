-- +goose Up
-- The dashboard (GET /api/dashboard, store/dashboard.go): indexes that
-- cover its scans, and a data version that every write changing its cached
-- figures bumps in the writer's own transaction, so that figures computed
-- at version N may be served again while the version is still N.

-- Open invoices by owner, currency and due date: aging, cash due, owners.
CREATE INDEX invoices_dashboard_open ON invoices (owner_id, currency, due_date, balance_minor, customer_id)
    WHERE balance_minor > 0;
-- Invoices by issue date: the 90 days of sales behind DSO.
CREATE INDEX invoices_dashboard_issued ON invoices (issue_date, currency, amount_minor, owner_id, customer_id);
-- Workflow stage entries (node events "entered", keys …/entered#0) by
-- invoice: recovery per stage. The query repeats the predicate word for
-- word, or SQLite will not use the index; kind and the key's end are also
-- columns so that the index covers the query (no reads of the wide rows).
CREATE INDEX effects_dashboard_entered ON effects (invoice_id, source, at, kind, substr(key, -10))
    WHERE kind = 'node' AND substr(key, -10) = '/entered#0';
-- Payments and fees of an invoice in time.
CREATE INDEX payments_dashboard ON payments (invoice_id, paid_at, amount_minor);
CREATE INDEX fees_dashboard ON fees (invoice_id, created_at, amount_minor);
-- Call outcomes promising payment, and decisions for a payment plan, with
-- what the dashboard reads of them (the index covers its query).
CREATE INDEX tasks_dashboard_promises ON tasks (invoice_id, completed_at, status, outcome)
    WHERE status = 'done' AND json_valid(outcome) AND (json_extract(outcome, '$.outcome') = 'promised' OR json_extract(outcome, '$.decision') = 'payment_plan');

-- n versions the figures, t the open tasks (their counts are cached apart,
-- as tasks change far more often than the figures).
CREATE TABLE dashboard_version (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    n  INTEGER NOT NULL,
    t  INTEGER NOT NULL
);
INSERT INTO dashboard_version (id, n, t) VALUES (1, 0, 0);

-- What the cached figures read (n): invoices (amounts, dates, owner,
-- customer, fees, payments), payments, fees, customers' region, users'
-- email and team, stage entries in the effects ledger, and done tasks that
-- promise payment or decide a payment plan. What the open task counts read
-- (t, and n for the teams and owners behind a manager's scope): open tasks'
-- status, assignee, role, kind, due time and invoice.
-- +goose StatementBegin
CREATE TRIGGER dashboard_invoices_insert AFTER INSERT ON invoices
BEGIN UPDATE dashboard_version SET n = n + 1 WHERE id = 1; END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER dashboard_invoices_update AFTER UPDATE OF customer_id, currency, amount_minor, paid_minor, balance_minor,
    issue_date, due_date, owner_id, fees_minor, last_paid_at ON invoices
BEGIN UPDATE dashboard_version SET n = n + 1 WHERE id = 1; END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER dashboard_invoices_delete AFTER DELETE ON invoices
BEGIN UPDATE dashboard_version SET n = n + 1 WHERE id = 1; END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER dashboard_payments_insert AFTER INSERT ON payments
BEGIN UPDATE dashboard_version SET n = n + 1 WHERE id = 1; END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER dashboard_payments_update AFTER UPDATE ON payments
BEGIN UPDATE dashboard_version SET n = n + 1 WHERE id = 1; END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER dashboard_payments_delete AFTER DELETE ON payments
BEGIN UPDATE dashboard_version SET n = n + 1 WHERE id = 1; END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER dashboard_fees_insert AFTER INSERT ON fees
BEGIN UPDATE dashboard_version SET n = n + 1 WHERE id = 1; END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER dashboard_fees_update AFTER UPDATE ON fees
BEGIN UPDATE dashboard_version SET n = n + 1 WHERE id = 1; END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER dashboard_fees_delete AFTER DELETE ON fees
BEGIN UPDATE dashboard_version SET n = n + 1 WHERE id = 1; END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER dashboard_customers_update AFTER UPDATE OF region ON customers
BEGIN UPDATE dashboard_version SET n = n + 1 WHERE id = 1; END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER dashboard_users_insert AFTER INSERT ON users
BEGIN UPDATE dashboard_version SET n = n + 1 WHERE id = 1; END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER dashboard_users_update AFTER UPDATE OF email, team ON users
BEGIN UPDATE dashboard_version SET n = n + 1 WHERE id = 1; END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER dashboard_users_delete AFTER DELETE ON users
BEGIN UPDATE dashboard_version SET n = n + 1 WHERE id = 1; END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER dashboard_effects_insert AFTER INSERT ON effects
WHEN NEW.kind = 'node' AND substr(NEW.key, -10) = '/entered#0'
BEGIN UPDATE dashboard_version SET n = n + 1 WHERE id = 1; END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER dashboard_effects_update AFTER UPDATE ON effects
WHEN (OLD.kind = 'node' AND substr(OLD.key, -10) = '/entered#0') OR (NEW.kind = 'node' AND substr(NEW.key, -10) = '/entered#0')
BEGIN UPDATE dashboard_version SET n = n + 1 WHERE id = 1; END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER dashboard_effects_delete AFTER DELETE ON effects
WHEN OLD.kind = 'node' AND substr(OLD.key, -10) = '/entered#0'
BEGIN UPDATE dashboard_version SET n = n + 1 WHERE id = 1; END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER dashboard_tasks_insert AFTER INSERT ON tasks
WHEN NEW.status = 'done' AND json_valid(NEW.outcome) AND (json_extract(NEW.outcome, '$.outcome') = 'promised' OR json_extract(NEW.outcome, '$.decision') = 'payment_plan')
BEGIN UPDATE dashboard_version SET n = n + 1 WHERE id = 1; END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER dashboard_tasks_update AFTER UPDATE OF status, outcome, invoice_id, completed_at ON tasks
WHEN (OLD.status = 'done' AND json_valid(OLD.outcome) AND (json_extract(OLD.outcome, '$.outcome') = 'promised' OR json_extract(OLD.outcome, '$.decision') = 'payment_plan'))
  OR (NEW.status = 'done' AND json_valid(NEW.outcome) AND (json_extract(NEW.outcome, '$.outcome') = 'promised' OR json_extract(NEW.outcome, '$.decision') = 'payment_plan'))
BEGIN UPDATE dashboard_version SET n = n + 1 WHERE id = 1; END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER dashboard_tasks_delete AFTER DELETE ON tasks
WHEN OLD.status = 'done' AND json_valid(OLD.outcome) AND (json_extract(OLD.outcome, '$.outcome') = 'promised' OR json_extract(OLD.outcome, '$.decision') = 'payment_plan')
BEGIN UPDATE dashboard_version SET n = n + 1 WHERE id = 1; END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER dashboard_open_tasks_insert AFTER INSERT ON tasks
WHEN NEW.status = 'open'
BEGIN UPDATE dashboard_version SET t = t + 1 WHERE id = 1; END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER dashboard_open_tasks_update AFTER UPDATE OF status, assignee_id, role, kind, due_at, invoice_id ON tasks
WHEN OLD.status = 'open' OR NEW.status = 'open'
BEGIN UPDATE dashboard_version SET t = t + 1 WHERE id = 1; END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER dashboard_open_tasks_delete AFTER DELETE ON tasks
WHEN OLD.status = 'open'
BEGIN UPDATE dashboard_version SET t = t + 1 WHERE id = 1; END;
-- +goose StatementEnd

-- +goose Down
DROP TRIGGER dashboard_open_tasks_delete;
DROP TRIGGER dashboard_open_tasks_update;
DROP TRIGGER dashboard_open_tasks_insert;
DROP TRIGGER dashboard_tasks_delete;
DROP TRIGGER dashboard_tasks_update;
DROP TRIGGER dashboard_tasks_insert;
DROP TRIGGER dashboard_effects_delete;
DROP TRIGGER dashboard_effects_update;
DROP TRIGGER dashboard_effects_insert;
DROP TRIGGER dashboard_users_delete;
DROP TRIGGER dashboard_users_update;
DROP TRIGGER dashboard_users_insert;
DROP TRIGGER dashboard_customers_update;
DROP TRIGGER dashboard_fees_delete;
DROP TRIGGER dashboard_fees_update;
DROP TRIGGER dashboard_fees_insert;
DROP TRIGGER dashboard_payments_delete;
DROP TRIGGER dashboard_payments_update;
DROP TRIGGER dashboard_payments_insert;
DROP TRIGGER dashboard_invoices_delete;
DROP TRIGGER dashboard_invoices_update;
DROP TRIGGER dashboard_invoices_insert;
DROP TABLE dashboard_version;
DROP INDEX tasks_dashboard_promises;
DROP INDEX fees_dashboard;
DROP INDEX payments_dashboard;
DROP INDEX effects_dashboard_entered;
DROP INDEX invoices_dashboard_issued;
DROP INDEX invoices_dashboard_open;
