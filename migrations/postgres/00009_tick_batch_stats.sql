-- +goose Up
-- Each batch keeps what it wrote, so that a tick's stats are the sum over
-- every replica that worked on it, not what the last one saw.
ALTER TABLE tick_batches ADD COLUMN stats TEXT NOT NULL DEFAULT '{}';

-- +goose Down
ALTER TABLE tick_batches DROP COLUMN stats;
