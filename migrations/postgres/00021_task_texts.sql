-- +goose Up
-- A task's title and description, and a staff notification's subject and
-- body, in the other languages their template has (JSON {"zh-CN":
-- {"title": …, "body": …}}), so each staff member reads them in their own
-- language (engine.Effect.Texts).
ALTER TABLE tasks ADD COLUMN texts TEXT;
ALTER TABLE outbox ADD COLUMN texts TEXT;

-- +goose Down
ALTER TABLE outbox DROP COLUMN texts;
ALTER TABLE tasks DROP COLUMN texts;
