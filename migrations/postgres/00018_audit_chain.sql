-- +goose Up
-- The audit log becomes a hash chain (store/audit_chain.go): each row
-- carries the hash of the row before it and its own, computed over its
-- fields, so that an edited, removed or inserted row breaks the chain at
-- that row (recoup audit verify). prev_hash is unique: no two rows claim
-- the same predecessor, so concurrent writers cannot fork the chain.
-- Rows written before this migration are chained by the store the first
-- time it reads the head (audit_head.chained is false until then).
ALTER TABLE audit_log ADD COLUMN request_id TEXT NOT NULL DEFAULT '';
ALTER TABLE audit_log ADD COLUMN "before" JSONB;
ALTER TABLE audit_log ADD COLUMN "after" JSONB;
ALTER TABLE audit_log ADD COLUMN prev_hash TEXT;
ALTER TABLE audit_log ADD COLUMN hash TEXT;
CREATE UNIQUE INDEX audit_log_prev_hash ON audit_log (prev_hash);
CREATE INDEX audit_log_actor ON audit_log (actor, id);
CREATE INDEX audit_log_action ON audit_log (action, id);
-- The chain's head, one row: the last row's id and hash. Writers lock it
-- (PostgreSQL: FOR UPDATE; SQLite: the write transaction) before they
-- append.
CREATE TABLE audit_head (
    id      INTEGER PRIMARY KEY CHECK (id = 1),
    last_id BIGINT  NOT NULL DEFAULT 0,
    hash    TEXT    NOT NULL DEFAULT '',
    chained BOOLEAN NOT NULL DEFAULT false
);
INSERT INTO audit_head (id) VALUES (1);
-- Who published a definition's version (created_by is who wrote it), and
-- the note given with the publication or rollback.
ALTER TABLE definitions ADD COLUMN published_by TEXT NOT NULL DEFAULT '';
ALTER TABLE definitions ADD COLUMN note TEXT NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE definitions DROP COLUMN note;
ALTER TABLE definitions DROP COLUMN published_by;
DROP TABLE audit_head;
DROP INDEX audit_log_action;
DROP INDEX audit_log_actor;
DROP INDEX audit_log_prev_hash;
ALTER TABLE audit_log DROP COLUMN hash;
ALTER TABLE audit_log DROP COLUMN prev_hash;
ALTER TABLE audit_log DROP COLUMN "after";
ALTER TABLE audit_log DROP COLUMN "before";
ALTER TABLE audit_log DROP COLUMN request_id;
