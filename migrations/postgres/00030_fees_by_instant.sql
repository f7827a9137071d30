-- +goose Up
-- A tick run again at the same instant reads each invoice as it was
-- before the fee and interest lines of that instant (store/tick_rerun.go):
-- it finds them by their instant, per batch.
CREATE INDEX fees_created ON fees (created_at, invoice_id);

-- +goose Down
DROP INDEX fees_created;
