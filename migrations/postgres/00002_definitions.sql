-- +goose Up
-- Definitions (forms, rules, templates, workflows) as immutable versions.
-- A row is never edited except for its status: draft → published →
-- superseded. At most one version of a definition is published at a time;
-- rolling back publishes a copy of an older version as a new version.
CREATE TABLE definitions (
    id           BIGSERIAL   PRIMARY KEY,
    kind         TEXT        NOT NULL CHECK (kind IN ('Form','Rule','Template','Workflow')),
    name         TEXT        NOT NULL,
    version      INTEGER     NOT NULL CHECK (version > 0),
    content_hash TEXT        NOT NULL,
    source       TEXT        NOT NULL,
    format       TEXT        NOT NULL CHECK (format IN ('yaml','json')),
    status       TEXT        NOT NULL DEFAULT 'draft' CHECK (status IN ('draft','published','superseded')),
    created_at   TIMESTAMPTZ NOT NULL,
    created_by   TEXT        NOT NULL DEFAULT '',
    published_at TIMESTAMPTZ,
    UNIQUE (kind, name, version)
);
CREATE UNIQUE INDEX definitions_one_published ON definitions (kind, name) WHERE status = 'published';
CREATE INDEX definitions_status ON definitions (status, kind, name);

-- +goose Down
DROP TABLE definitions;
