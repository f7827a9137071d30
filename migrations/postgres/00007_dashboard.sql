-- +goose Up
-- The dashboard (GET /api/dashboard, store/dashboard.go): indexes that
-- cover its scans. Unlike SQLite, PostgreSQL gets no data version for a
-- cache of the figures: one counter row bumped by every write would
-- serialise the tick's concurrent batch transactions on its row lock.

-- Open invoices by owner, currency and due date: aging, cash due, owners.
CREATE INDEX invoices_dashboard_open ON invoices (owner_id, currency, due_date, balance_minor, customer_id)
    WHERE balance_minor > 0;
-- Invoices by issue date: the 90 days of sales behind DSO.
CREATE INDEX invoices_dashboard_issued ON invoices (issue_date, currency, amount_minor, owner_id, customer_id);
-- Workflow stage entries by invoice (recovery per stage); the query repeats
-- the predicate.
CREATE INDEX effects_dashboard_entered ON effects (invoice_id, source, at)
    WHERE kind = 'node' AND key LIKE '%/entered#0';
-- Payments and fees of an invoice in time.
CREATE INDEX payments_dashboard ON payments (invoice_id, paid_at, amount_minor);
CREATE INDEX fees_dashboard ON fees (invoice_id, created_at, amount_minor);
-- Call outcomes promising payment, and decisions for a payment plan.
CREATE INDEX tasks_dashboard_promises ON tasks (invoice_id, completed_at)
    WHERE status = 'done' AND (outcome->>'outcome' = 'promised' OR outcome->>'decision' = 'payment_plan');

-- +goose Down
DROP INDEX tasks_dashboard_promises;
DROP INDEX fees_dashboard;
DROP INDEX payments_dashboard;
DROP INDEX effects_dashboard_entered;
DROP INDEX invoices_dashboard_issued;
DROP INDEX invoices_dashboard_open;
