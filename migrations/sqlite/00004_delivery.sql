-- +goose Up
-- Delivery of the outbox: claim leases (a row left 'sending' past its lease
-- was claimed by a dispatcher that crashed and is claimed again, with the
-- same key), the customer contact that counts against the frequency cap,
-- digests (merged rows point at the digest row), the reason of the last
-- delay/suppression/reroute, and a history of every decision.

ALTER TABLE outbox ADD COLUMN lease_until TIMESTAMP;
ALTER TABLE outbox ADD COLUMN claimed_by  TEXT NOT NULL DEFAULT '';
ALTER TABLE outbox ADD COLUMN contact_at  TIMESTAMP; -- counted against the customer's frequency cap
ALTER TABLE outbox ADD COLUMN merged_into INTEGER;   -- the digest row this one was merged into
ALTER TABLE outbox ADD COLUMN reason      TEXT NOT NULL DEFAULT '';
ALTER TABLE outbox ADD COLUMN payload     TEXT NOT NULL DEFAULT ''; -- webhook event JSON
CREATE INDEX outbox_contact ON outbox (customer_id, contact_at);
CREATE INDEX outbox_lease ON outbox (status, lease_until);

-- Every decision about a message: sent, failed, retry, dead, delayed,
-- suppressed, merged, rerouted, recovered.
CREATE TABLE outbox_events (
    id        INTEGER PRIMARY KEY,
    outbox_id INTEGER NOT NULL REFERENCES outbox (id) ON DELETE CASCADE,
    at        TIMESTAMP NOT NULL,
    event     TEXT    NOT NULL,
    reason    TEXT    NOT NULL DEFAULT '',
    detail    TEXT    NOT NULL DEFAULT '{}'
);
CREATE INDEX outbox_events_outbox ON outbox_events (outbox_id, id);

-- In-app messages, one per user and message.
CREATE TABLE inapp_messages (
    id          INTEGER PRIMARY KEY,
    key         TEXT    NOT NULL,
    user_id     INTEGER NOT NULL REFERENCES users (id),
    outbox_id   INTEGER REFERENCES outbox (id),
    title       TEXT    NOT NULL DEFAULT '',
    body        TEXT    NOT NULL DEFAULT '',
    invoice_id  INTEGER REFERENCES invoices (id),
    customer_id INTEGER REFERENCES customers (id),
    created_at  TIMESTAMP NOT NULL,
    read_at     TIMESTAMP,
    UNIQUE (key, user_id)
);
CREATE INDEX inapp_messages_user ON inapp_messages (user_id, read_at, id);

-- Formal letters as sent (PDF), kept for download.
CREATE TABLE letters (
    id          INTEGER PRIMARY KEY,
    key         TEXT    NOT NULL UNIQUE, -- the outbox key of the message that carried it
    invoice_id  INTEGER REFERENCES invoices (id),
    customer_id INTEGER REFERENCES customers (id),
    locale      TEXT    NOT NULL DEFAULT '',
    filename    TEXT    NOT NULL,
    pdf         BLOB    NOT NULL,
    created_at  TIMESTAMP NOT NULL
);
CREATE INDEX letters_invoice ON letters (invoice_id);

-- Positions of feeders that turn ledger rows into outbox rows (webhooks).
CREATE TABLE delivery_cursors (
    name     TEXT    PRIMARY KEY,
    position INTEGER NOT NULL DEFAULT 0
);

-- +goose Down
DROP TABLE delivery_cursors;
DROP TABLE letters;
DROP TABLE inapp_messages;
DROP TABLE outbox_events;
DROP INDEX outbox_lease;
DROP INDEX outbox_contact;
ALTER TABLE outbox DROP COLUMN payload;
ALTER TABLE outbox DROP COLUMN reason;
ALTER TABLE outbox DROP COLUMN merged_into;
ALTER TABLE outbox DROP COLUMN contact_at;
ALTER TABLE outbox DROP COLUMN claimed_by;
ALTER TABLE outbox DROP COLUMN lease_until;
