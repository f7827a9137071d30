-- +goose Up
-- SQLite keeps a version of what task inboxes show (00011 there) to serve
-- repeated inbox reads from memory. PostgreSQL, where several replicas and
-- the tick's parallel batches write at once, has none: a single counter
-- row would serialise them. This migration keeps the numbering aligned.
SELECT 1;

-- +goose Down
SELECT 1;
