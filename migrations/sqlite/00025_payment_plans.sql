-- +goose Up
-- Issue 16 §1. A payment plan covers one or several invoices of a customer
-- in one currency: the installments (dates and exact amounts summing to the
-- planned amount) and, per invoice, its balance when the plan began, so
-- that what was paid toward the plan is what those balances fell since.
-- invoices.plan_id names an invoice's latest plan: the tick reads plans only
-- for the invoices that have one.
CREATE TABLE payment_plans (
    id            INTEGER PRIMARY KEY,
    key           TEXT      NOT NULL UNIQUE, -- idempotency: the tick's ledger key, the API's reference
    customer_id   INTEGER   NOT NULL REFERENCES customers (id),
    currency      TEXT      NOT NULL,
    planned_minor INTEGER   NOT NULL CHECK (planned_minor > 0),
    status        TEXT      NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'completed', 'broken', 'cancelled')),
    grace_days    INTEGER   NOT NULL DEFAULT 5,
    created_by    TEXT      NOT NULL DEFAULT '',
    note          TEXT      NOT NULL DEFAULT '',
    created_at    TIMESTAMP NOT NULL,
    ended_at      TIMESTAMP
);
CREATE INDEX payment_plans_customer ON payment_plans (customer_id);
CREATE TABLE payment_plan_invoices (
    plan_id             INTEGER NOT NULL REFERENCES payment_plans (id),
    invoice_id          INTEGER NOT NULL REFERENCES invoices (id),
    start_balance_minor INTEGER NOT NULL,
    PRIMARY KEY (plan_id, invoice_id)
);
CREATE INDEX payment_plan_invoices_invoice ON payment_plan_invoices (invoice_id);
CREATE TABLE installments (
    plan_id      INTEGER NOT NULL REFERENCES payment_plans (id),
    seq          INTEGER NOT NULL,
    due_date     TEXT    NOT NULL,
    amount_minor INTEGER NOT NULL CHECK (amount_minor > 0),
    PRIMARY KEY (plan_id, seq)
);
CREATE INDEX installments_due ON installments (due_date);
ALTER TABLE invoices ADD COLUMN plan_id INTEGER REFERENCES payment_plans (id);

-- +goose Down
ALTER TABLE invoices DROP COLUMN plan_id;
DROP TABLE installments;
DROP TABLE payment_plan_invoices;
DROP TABLE payment_plans;
