-- +goose Up
-- Issue 16 §8. Interest accrues per day on what is owed of the invoice's
-- amount (never on fees or interest), charged as a fee line of kind
-- 'interest' covering the days from the day after interest_through (or the
-- due date) to the day charged; interest_minor is the interest so far (in
-- fees_minor too, so in the balance), for the cap.
ALTER TABLE invoices ADD COLUMN interest_minor BIGINT NOT NULL DEFAULT 0;
ALTER TABLE invoices ADD COLUMN interest_through DATE;
ALTER TABLE fees ADD COLUMN kind TEXT NOT NULL DEFAULT 'fee';
ALTER TABLE fees ADD COLUMN days INTEGER NOT NULL DEFAULT 0;

-- +goose Down
ALTER TABLE fees DROP COLUMN days;
ALTER TABLE fees DROP COLUMN kind;
ALTER TABLE invoices DROP COLUMN interest_through;
ALTER TABLE invoices DROP COLUMN interest_minor;
