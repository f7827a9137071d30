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

-- Invoices the bug left below zero are settled here as the store settles
-- them from now on (money.Allocate): payments apply in the order they were
-- paid, the excess of each is credit on the customer, the balance is zero.
UPDATE payments SET applied_minor = MAX(0, MIN(amount_minor,
        (SELECT i.amount_minor + i.fees_minor FROM invoices i WHERE i.id = payments.invoice_id)
        - (SELECT COALESCE(SUM(q.amount_minor), 0) FROM payments q WHERE q.invoice_id = payments.invoice_id
            AND (q.paid_at < payments.paid_at OR (q.paid_at = payments.paid_at AND q.id < payments.id)))))
    WHERE invoice_id IN (SELECT id FROM invoices WHERE balance_minor < 0);
INSERT INTO customer_credits (customer_id, payment_id, amount_minor, currency, created_at, updated_at)
    SELECT i.customer_id, p.id, p.amount_minor - p.applied_minor, p.currency, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP
    FROM payments p JOIN invoices i ON i.id = p.invoice_id WHERE p.applied_minor < p.amount_minor;
UPDATE invoices SET paid_minor = (SELECT COALESCE(SUM(p.applied_minor), 0) FROM payments p WHERE p.invoice_id = invoices.id),
    balance_minor = amount_minor + fees_minor - (SELECT COALESCE(SUM(p.applied_minor), 0) FROM payments p WHERE p.invoice_id = invoices.id)
    WHERE balance_minor < 0;

-- +goose Down
DROP TABLE customer_credits;
DROP INDEX payments_key;
ALTER TABLE payments DROP COLUMN applied_minor;
ALTER TABLE payments DROP COLUMN reference_key;
