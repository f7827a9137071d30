-- +goose Up
-- The UI language each user chose ('' follows the browser, 'en', 'zh-CN'),
-- and when the user last logged in (the admin's user list).
ALTER TABLE users ADD COLUMN language TEXT NOT NULL DEFAULT '' CHECK (language IN ('', 'en', 'zh-CN'));
ALTER TABLE users ADD COLUMN last_login_at TIMESTAMP;

-- +goose Down
ALTER TABLE users DROP COLUMN last_login_at;
ALTER TABLE users DROP COLUMN language;
