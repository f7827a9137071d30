-- +goose Up
-- Issue 17 §9. The definition pack's test files (tests/**/*.test.yaml: rule
-- cases, form cases, workflow scenarios), stored so that the server can run
-- them against a draft. recoup apply and demo --rules replace the whole set
-- with the pack's; path is relative to the pack (tests/forms.test.yaml).
CREATE TABLE definition_tests (
    path       TEXT      PRIMARY KEY,
    source     TEXT      NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    updated_by TEXT      NOT NULL DEFAULT ''
);

-- +goose Down
DROP TABLE definition_tests;
