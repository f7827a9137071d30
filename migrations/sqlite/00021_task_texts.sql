-- +goose Up
-- A task's title and description in the other languages its template has
-- (JSON {"zh-CN": {"title": …, "description": …}}), so each user reads a
-- task in their own language (engine.Effect.Texts).
ALTER TABLE tasks ADD COLUMN texts TEXT;

-- +goose Down
ALTER TABLE tasks DROP COLUMN texts;
