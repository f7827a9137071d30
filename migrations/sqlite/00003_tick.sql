-- +goose Up
-- The tick: runs and their batches, the effects ledger (one row per effect,
-- unique by its idempotency key: the "why" of every change), the rule fire
-- ledger, rising-edge condition memory, tasks and approvals, the
-- notification outbox, fees, workflow instances and the audit log.

ALTER TABLE invoices ADD COLUMN fees_minor INTEGER NOT NULL DEFAULT 0;
ALTER TABLE invoices ADD COLUMN payment_count INTEGER NOT NULL DEFAULT 0;
ALTER TABLE invoices ADD COLUMN last_paid_at TIMESTAMP;
ALTER TABLE customers ADD COLUMN custom TEXT NOT NULL DEFAULT '{}';
-- Covers the tick's per-customer payment aggregates, read in one pass.
DROP INDEX invoices_customer;
CREATE INDEX invoices_customer_stats ON invoices (customer_id, currency, balance_minor, due_date, last_paid_at);

CREATE TABLE ticks (
    id          INTEGER PRIMARY KEY,
    slot        TEXT    NOT NULL UNIQUE, -- one tick per scheduled slot, shared by replicas
    at          TIMESTAMP NOT NULL,      -- the tick's fixed "now"
    status      TEXT    NOT NULL DEFAULT 'running' CHECK (status IN ('running','done','failed')),
    leader      TEXT    NOT NULL,
    started_at  TIMESTAMP NOT NULL,
    finished_at TIMESTAMP,
    stats       TEXT    NOT NULL DEFAULT '{}'
);

CREATE TABLE tick_batches (
    tick_id     INTEGER NOT NULL REFERENCES ticks (id) ON DELETE CASCADE,
    seq         INTEGER NOT NULL,
    lo_id       INTEGER NOT NULL, -- invoice ids
    hi_id       INTEGER NOT NULL,
    status      TEXT    NOT NULL DEFAULT 'pending' CHECK (status IN ('pending','running','done')),
    worker      TEXT    NOT NULL DEFAULT '',
    lease_until TIMESTAMP,
    PRIMARY KEY (tick_id, seq)
);

CREATE TABLE effects (
    id          INTEGER PRIMARY KEY,
    key         TEXT    NOT NULL UNIQUE,
    tick_id     INTEGER,
    at          TIMESTAMP NOT NULL,
    kind        TEXT    NOT NULL,
    source      TEXT    NOT NULL,           -- rule name or workflow/node
    version     INTEGER NOT NULL DEFAULT 0, -- definition version that caused it
    invoice_id  INTEGER REFERENCES invoices (id),
    customer_id INTEGER REFERENCES customers (id),
    field       TEXT    NOT NULL DEFAULT '',
    value       TEXT    NOT NULL DEFAULT '',
    old_value   TEXT    NOT NULL DEFAULT '',
    detail      TEXT    NOT NULL DEFAULT '{}', -- the whole effect as JSON
    trace       TEXT    NOT NULL DEFAULT '[]'  -- the values its condition read
);
CREATE INDEX effects_invoice ON effects (invoice_id, id);
CREATE INDEX effects_tick ON effects (tick_id);

CREATE TABLE rule_fires (
    key        TEXT    PRIMARY KEY,
    rule       TEXT    NOT NULL,
    invoice_id INTEGER NOT NULL REFERENCES invoices (id),
    customer_id INTEGER NOT NULL REFERENCES customers (id),
    period     TEXT    NOT NULL DEFAULT '',
    tick_id    INTEGER,
    at         TIMESTAMP NOT NULL
);
CREATE INDEX rule_fires_invoice ON rule_fires (invoice_id, period);
CREATE INDEX rule_fires_customer ON rule_fires (customer_id, period);

CREATE TABLE rule_conditions (
    rule       TEXT    NOT NULL,
    invoice_id INTEGER NOT NULL REFERENCES invoices (id),
    customer_id INTEGER NOT NULL REFERENCES customers (id),
    value      INTEGER NOT NULL,
    at         TIMESTAMP NOT NULL,
    PRIMARY KEY (invoice_id, rule)
);
CREATE INDEX rule_conditions_customer ON rule_conditions (customer_id);

CREATE TABLE workflow_instances (
    id          INTEGER PRIMARY KEY,
    workflow    TEXT    NOT NULL,
    invoice_id  INTEGER NOT NULL REFERENCES invoices (id),
    customer_id INTEGER NOT NULL REFERENCES customers (id),
    version     INTEGER NOT NULL DEFAULT 0,
    node        TEXT    NOT NULL DEFAULT '',
    status      TEXT    NOT NULL,
    state       TEXT    NOT NULL DEFAULT '{}',
    created_at  TIMESTAMP NOT NULL,
    updated_at  TIMESTAMP NOT NULL,
    UNIQUE (workflow, invoice_id)
);
CREATE INDEX workflow_instances_customer ON workflow_instances (customer_id);
CREATE INDEX workflow_instances_invoice ON workflow_instances (invoice_id);

CREATE TABLE tasks (
    id           INTEGER PRIMARY KEY,
    key          TEXT    NOT NULL UNIQUE,
    kind         TEXT    NOT NULL DEFAULT 'task' CHECK (kind IN ('task','approval')),
    title        TEXT    NOT NULL,
    description  TEXT    NOT NULL DEFAULT '',
    assignee_id  INTEGER REFERENCES users (id),
    role         TEXT    NOT NULL DEFAULT '',
    form         TEXT    NOT NULL DEFAULT '',
    priority     TEXT    NOT NULL DEFAULT '',
    status       TEXT    NOT NULL DEFAULT 'open' CHECK (status IN ('open','done','cancelled','expired')),
    outcome      TEXT    NOT NULL DEFAULT '{}',
    due_at       TIMESTAMP,
    invoice_id   INTEGER REFERENCES invoices (id),
    customer_id  INTEGER REFERENCES customers (id),
    instance_id  INTEGER REFERENCES workflow_instances (id),
    node         TEXT    NOT NULL DEFAULT '',
    source       TEXT    NOT NULL DEFAULT '',
    created_at   TIMESTAMP NOT NULL,
    updated_at   TIMESTAMP NOT NULL,
    completed_at TIMESTAMP,
    completed_by INTEGER REFERENCES users (id),
    escalated_at TIMESTAMP
);
CREATE INDEX tasks_assignee ON tasks (assignee_id, status, due_at);
CREATE INDEX tasks_role ON tasks (role, status, due_at);
CREATE INDEX tasks_invoice ON tasks (invoice_id);
CREATE INDEX tasks_customer ON tasks (customer_id);
CREATE INDEX tasks_instance ON tasks (instance_id, status);

CREATE TABLE outbox (
    id              INTEGER PRIMARY KEY,
    key             TEXT    NOT NULL UNIQUE, -- also the provider idempotency key
    channel         TEXT    NOT NULL,
    recipient       TEXT    NOT NULL DEFAULT '',
    recipient_role  TEXT    NOT NULL DEFAULT '',
    cc              TEXT    NOT NULL DEFAULT '[]',
    template        TEXT    NOT NULL DEFAULT '',
    locale          TEXT    NOT NULL DEFAULT '',
    subject         TEXT    NOT NULL DEFAULT '',
    body            TEXT    NOT NULL DEFAULT '',
    invoice_id      INTEGER REFERENCES invoices (id),
    customer_id     INTEGER REFERENCES customers (id),
    status          TEXT    NOT NULL DEFAULT 'pending' CHECK (status IN ('pending','sending','sent','dead','suppressed')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TIMESTAMP NOT NULL,
    last_error      TEXT    NOT NULL DEFAULT '',
    created_at      TIMESTAMP NOT NULL,
    sent_at         TIMESTAMP
);
CREATE INDEX outbox_due ON outbox (status, next_attempt_at);
CREATE INDEX outbox_customer ON outbox (customer_id, created_at);

CREATE TABLE fees (
    id           INTEGER PRIMARY KEY,
    key          TEXT    NOT NULL UNIQUE,
    invoice_id   INTEGER NOT NULL REFERENCES invoices (id),
    amount_minor INTEGER NOT NULL CHECK (amount_minor > 0),
    currency     TEXT    NOT NULL,
    reason       TEXT    NOT NULL DEFAULT '',
    created_at   TIMESTAMP NOT NULL
);
CREATE INDEX fees_invoice ON fees (invoice_id);

CREATE TABLE audit_log (
    id         INTEGER PRIMARY KEY,
    at         TIMESTAMP NOT NULL,
    actor      TEXT    NOT NULL,          -- user email, "tick", "import", …
    action     TEXT    NOT NULL,
    entity     TEXT    NOT NULL,
    entity_id  INTEGER,
    invoice_id INTEGER REFERENCES invoices (id),
    detail     TEXT    NOT NULL DEFAULT '{}'
);
CREATE INDEX audit_log_invoice ON audit_log (invoice_id, id);
CREATE INDEX audit_log_entity ON audit_log (entity, entity_id);

-- +goose Down
DROP TABLE audit_log;
DROP TABLE fees;
DROP TABLE outbox;
DROP TABLE tasks;
DROP TABLE workflow_instances;
DROP TABLE rule_conditions;
DROP TABLE rule_fires;
DROP TABLE effects;
DROP TABLE tick_batches;
DROP TABLE ticks;
DROP INDEX invoices_customer_stats;
CREATE INDEX invoices_customer ON invoices (customer_id);
ALTER TABLE customers DROP COLUMN custom;
ALTER TABLE invoices DROP COLUMN last_paid_at;
ALTER TABLE invoices DROP COLUMN payment_count;
ALTER TABLE invoices DROP COLUMN fees_minor;
