-- +goose Up
-- Issue 16 §2, §6. Adjustments reduce what an invoice owes without money
-- arriving on it: a write-off (bad debt), a credit note, a settlement, or
-- credit from a customer's overpayment applied to it. A later payment on a
-- written-off invoice recovers the write-off: a 'recovery' row, negative,
-- dated the payment's day. The balance is amount + fees − applied payments
-- − adjusted_minor (the net of the rows); written_off_minor is the net
-- write-off (write-offs less recoveries) for the status and the reports.
CREATE TABLE adjustments (
    id             INTEGER PRIMARY KEY,
    key            TEXT      NOT NULL UNIQUE, -- idempotency: the tick's ledger key, the API's reference
    invoice_id     INTEGER   NOT NULL REFERENCES invoices (id),
    customer_id    INTEGER   NOT NULL REFERENCES customers (id),
    kind           TEXT      NOT NULL CHECK (kind IN ('write_off', 'recovery', 'credit_note', 'settlement', 'credit_applied')),
    amount_minor   INTEGER   NOT NULL CHECK (amount_minor <> 0),
    currency       TEXT      NOT NULL,
    reason         TEXT      NOT NULL DEFAULT '',
    approved_by    TEXT      NOT NULL DEFAULT '',
    effective_date TEXT      NOT NULL,
    payment_id     INTEGER   REFERENCES payments (id), -- recovery: the payment that recovered; credit_applied: the payment whose credit it is
    created_at     TIMESTAMP NOT NULL
);
CREATE INDEX adjustments_invoice ON adjustments (invoice_id);
CREATE INDEX adjustments_customer ON adjustments (customer_id, kind);
CREATE INDEX adjustments_kind_date ON adjustments (kind, effective_date);
ALTER TABLE invoices ADD COLUMN adjusted_minor INTEGER NOT NULL DEFAULT 0;
ALTER TABLE invoices ADD COLUMN written_off_minor INTEGER NOT NULL DEFAULT 0;
-- A reversed payment (a bounced transfer) stays on record and applies nothing.
ALTER TABLE payments ADD COLUMN reversed_at TIMESTAMP;
ALTER TABLE payments ADD COLUMN reversal_reason TEXT NOT NULL DEFAULT '';
-- How unapplied credit and payments naming no invoice are applied:
-- oldest_due (oldest due date first), oldest_issue, or manual (kept as credit).
ALTER TABLE companies ADD COLUMN cash_application TEXT NOT NULL DEFAULT 'oldest_due';

-- +goose Down
ALTER TABLE companies DROP COLUMN cash_application;
ALTER TABLE payments DROP COLUMN reversal_reason;
ALTER TABLE payments DROP COLUMN reversed_at;
ALTER TABLE invoices DROP COLUMN written_off_minor;
ALTER TABLE invoices DROP COLUMN adjusted_minor;
DROP TABLE adjustments;
