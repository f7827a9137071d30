-- +goose Up
-- Issue 15 §3. A payment is idempotent by its reference normalised (trimmed,
-- case-folded: engine.PaymentKey), the reference as sent kept for display.
-- Rows recorded before this migration get their key here with lower(trim()),
-- which equals PaymentKey for ASCII references; where two of them fold to one
-- key (the bug this closes recorded "bank-1" beside "BANK-1"), every one but
-- the first keeps its own key with "#id" appended, so no payment is merged
-- behind the user's back.
ALTER TABLE payments ADD COLUMN reference_key TEXT; -- set by the store on every write (UpsertPayments)
-- applied_minor is the part of the payment that settles its invoice; the
-- rest (amount_minor − applied_minor) is the customer's unapplied credit,
-- held in customer_credits, so an invoice's balance never goes below zero.
ALTER TABLE payments ADD COLUMN applied_minor INTEGER NOT NULL DEFAULT 0 CHECK (applied_minor >= 0);
CREATE INDEX payments_reference_fold ON payments (lower(trim(reference)));
UPDATE payments SET applied_minor = amount_minor,
    reference_key = lower(trim(reference)) || CASE WHEN EXISTS (SELECT 1 FROM payments q
        WHERE lower(trim(q.reference)) = lower(trim(payments.reference)) AND q.id < payments.id) THEN '#' || id ELSE '' END;
DROP INDEX payments_reference_fold;
CREATE UNIQUE INDEX payments_key ON payments (reference_key);

-- One row per payment that paid more than its invoice owed: the excess, in
-- the payment's currency, for cash application to use later.
CREATE TABLE customer_credits (
    id           INTEGER PRIMARY KEY,
    customer_id  INTEGER   NOT NULL REFERENCES customers (id),
    payment_id   INTEGER   NOT NULL UNIQUE REFERENCES payments (id),
    amount_minor INTEGER   NOT NULL CHECK (amount_minor > 0),
    currency     TEXT      NOT NULL,
    created_at   TIMESTAMP NOT NULL,
    updated_at   TIMESTAMP NOT NULL
);
CREATE INDEX customer_credits_customer ON customer_credits (customer_id, currency);

-- +goose Down
DROP TABLE customer_credits;
DROP INDEX payments_key;
ALTER TABLE payments DROP COLUMN applied_minor;
ALTER TABLE payments DROP COLUMN reference_key;
