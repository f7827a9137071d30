-- +goose Up
-- Issue 16 §6. A payment that names several invoices is recorded on the
-- first; apply_to lists them all (invoice ids, comma-separated, in the
-- order named), so that what exceeds the first is applied to the others in
-- that order before the company's cash application policy applies the rest.
ALTER TABLE payments ADD COLUMN apply_to TEXT NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE payments DROP COLUMN apply_to;
