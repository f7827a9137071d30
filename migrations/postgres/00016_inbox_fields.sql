-- +goose Up
-- SQLite's inbox version follows more fields (00016 there); PostgreSQL
-- keeps no inbox version (see 00011). This keeps the numbering aligned.
SELECT 1;

-- +goose Down
SELECT 1;
