-- +goose Up
-- What was paid toward a payment plan is what its invoices' balances fell
-- since it began, not counting the fees and interest charged since: a
-- charge is not a missed payment. start_fees_minor is each invoice's
-- fees_minor when the plan began. Plans begun before it are given their
-- fees then as the fee lines tell them (the invoice's fees less those
-- charged after the plan began).
ALTER TABLE payment_plan_invoices ADD COLUMN start_fees_minor INTEGER NOT NULL DEFAULT 0;
UPDATE payment_plan_invoices SET start_fees_minor =
    (SELECT i.fees_minor FROM invoices i WHERE i.id = payment_plan_invoices.invoice_id)
    - COALESCE((SELECT SUM(f.amount_minor) FROM fees f JOIN payment_plans p ON p.id = payment_plan_invoices.plan_id
        WHERE f.invoice_id = payment_plan_invoices.invoice_id AND f.created_at > p.created_at), 0);

-- +goose Down
ALTER TABLE payment_plan_invoices DROP COLUMN start_fees_minor;
