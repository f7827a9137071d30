-- +goose Up
-- Issue 16 §3–5: disputes, promises to pay and legal cases as records, and
-- a real hold on an invoice.
-- hold is why customer contact is stopped ('' none; 'legal' while a legal
-- case is open, or a person's reason for a manual hold).
ALTER TABLE invoices ADD COLUMN hold TEXT NOT NULL DEFAULT '';

-- A dispute of an invoice (or part of it). At most one is open per invoice;
-- while it is open the invoice is disputed. resolved_minor is what an
-- upheld dispute took off the balance.
CREATE TABLE disputes (
    id              INTEGER PRIMARY KEY,
    invoice_id      INTEGER   NOT NULL REFERENCES invoices (id),
    reason          TEXT      NOT NULL,
    description     TEXT      NOT NULL DEFAULT '',
    disputed_minor  INTEGER   NOT NULL CHECK (disputed_minor > 0),
    currency        TEXT      NOT NULL,
    owner_id        INTEGER   REFERENCES users (id),
    sla_due         TEXT      NOT NULL,
    status          TEXT      NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'upheld', 'rejected')),
    resolution_note TEXT      NOT NULL DEFAULT '',
    resolved_minor  INTEGER   NOT NULL DEFAULT 0,
    source_task_id  INTEGER   UNIQUE REFERENCES tasks (id),
    opened_by       TEXT      NOT NULL,
    opened_at       TIMESTAMP NOT NULL,
    resolved_by     TEXT      NOT NULL DEFAULT '',
    resolved_at     TIMESTAMP
);
CREATE INDEX disputes_invoice ON disputes (invoice_id);
CREATE UNIQUE INDEX disputes_one_open ON disputes (invoice_id) WHERE status = 'open';

-- A promise to pay promised_minor by promised_date. The tick settles it the
-- day after: kept when the payments since it was made, by the date, cover
-- promised_minor (paid_minor records what they summed to), else broken, and
-- broken_task_key names the task that tells the invoice's owner.
CREATE TABLE promises (
    id                INTEGER PRIMARY KEY,
    invoice_id        INTEGER   NOT NULL REFERENCES invoices (id),
    promised_date     TEXT      NOT NULL,
    promised_minor    INTEGER   NOT NULL CHECK (promised_minor > 0),
    currency          TEXT      NOT NULL,
    source_task_id    INTEGER   UNIQUE REFERENCES tasks (id),
    status            TEXT      NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'kept', 'broken', 'cancelled')),
    note              TEXT      NOT NULL DEFAULT '',
    created_by        TEXT      NOT NULL,
    created_at        TIMESTAMP NOT NULL,
    settled_at        TIMESTAMP,
    paid_minor        INTEGER   NOT NULL DEFAULT 0,
    broken_task_key   TEXT      NOT NULL DEFAULT ''
);
CREATE INDEX promises_invoice ON promises (invoice_id);
CREATE INDEX promises_pending ON promises (promised_date) WHERE status = 'pending';

-- A legal case about an invoice. documents is a JSON array of names or URLs.
CREATE TABLE legal_cases (
    id               INTEGER PRIMARY KEY,
    invoice_id       INTEGER   NOT NULL REFERENCES invoices (id),
    opened_on        TEXT      NOT NULL,
    owner_id         INTEGER   REFERENCES users (id),
    status           TEXT      NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'recovered', 'settled', 'lost')),
    notes            TEXT      NOT NULL DEFAULT '',
    documents        TEXT      NOT NULL DEFAULT '[]',
    source_task_id   INTEGER   UNIQUE REFERENCES tasks (id),
    settlement_minor INTEGER   NOT NULL DEFAULT 0,
    resolved_minor   INTEGER   NOT NULL DEFAULT 0,
    opened_by        TEXT      NOT NULL,
    opened_at        TIMESTAMP NOT NULL,
    closed_by        TEXT      NOT NULL DEFAULT '',
    closed_at        TIMESTAMP
);
CREATE INDEX legal_cases_invoice ON legal_cases (invoice_id);
CREATE UNIQUE INDEX legal_cases_one_open ON legal_cases (invoice_id) WHERE status = 'open';

-- +goose Down
DROP TABLE legal_cases;
DROP TABLE promises;
DROP TABLE disputes;
ALTER TABLE invoices DROP COLUMN hold;
