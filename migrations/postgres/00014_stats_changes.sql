-- +goose Up
-- SQLite keeps a log of the customers whose payment aggregates changed
-- (its 00014), for the aggregates a process keeps between ticks. On
-- PostgreSQL the aggregates are summed by the database every tick and
-- nothing is kept (it has no data version to number the changes by). The
-- version is here so that both schemas number alike.
SELECT 1;

-- +goose Down
SELECT 1;
