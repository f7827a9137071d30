-- +goose Up
-- Money is integer minor units plus an ISO 4217 code; dates are YYYY-MM-DD
-- text; instants are UTC timestamps.
CREATE TABLE companies (
    id          INTEGER PRIMARY KEY,
    name        TEXT    NOT NULL,
    time_zone   TEXT    NOT NULL DEFAULT 'UTC',
    currency    TEXT    NOT NULL DEFAULT 'CNY',
    tick_time   TEXT    NOT NULL DEFAULT '09:00',
    created_at  TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP
);

CREATE TABLE users (
    id            INTEGER PRIMARY KEY,
    email         TEXT    NOT NULL UNIQUE,
    name          TEXT    NOT NULL,
    role          TEXT    NOT NULL CHECK (role IN ('admin','sales_rep','sales_manager','finance','finance_director')),
    team          TEXT    NOT NULL DEFAULT '',
    password_hash TEXT,
    active        INTEGER NOT NULL DEFAULT 1,
    import_hash   INTEGER NOT NULL DEFAULT 0,
    created_at    TIMESTAMP NOT NULL,
    updated_at    TIMESTAMP NOT NULL
);
CREATE INDEX users_team ON users (team, role);

CREATE TABLE customers (
    id                 INTEGER PRIMARY KEY,
    external_id        TEXT    NOT NULL UNIQUE,
    name               TEXT    NOT NULL,
    email              TEXT    NOT NULL DEFAULT '',
    phone              TEXT    NOT NULL DEFAULT '',
    finance_email      TEXT    NOT NULL DEFAULT '',
    owner_id           INTEGER REFERENCES users (id),
    region             TEXT    NOT NULL DEFAULT '',
    industry           TEXT    NOT NULL DEFAULT '',
    credit_limit_minor INTEGER NOT NULL DEFAULT 0,
    credit_currency    TEXT    NOT NULL DEFAULT '',
    credit_rating      TEXT    NOT NULL DEFAULT '',
    risk               TEXT    NOT NULL DEFAULT 'low' CHECK (risk IN ('low','medium','high')),
    locale             TEXT    NOT NULL DEFAULT 'en',
    time_zone          TEXT    NOT NULL DEFAULT '',
    do_not_contact     INTEGER NOT NULL DEFAULT 0,
    import_hash        INTEGER NOT NULL DEFAULT 0,
    created_at         TIMESTAMP NOT NULL,
    updated_at         TIMESTAMP NOT NULL
);
CREATE INDEX customers_owner ON customers (owner_id);

CREATE TABLE invoices (
    id             INTEGER PRIMARY KEY,
    number         TEXT    NOT NULL UNIQUE,
    customer_id    INTEGER NOT NULL REFERENCES customers (id),
    currency       TEXT    NOT NULL,
    amount_minor   INTEGER NOT NULL CHECK (amount_minor > 0),
    paid_minor     INTEGER NOT NULL DEFAULT 0,
    balance_minor  INTEGER NOT NULL,
    issue_date     TEXT    NOT NULL,
    due_date       TEXT    NOT NULL,
    status         TEXT    NOT NULL DEFAULT 'open',
    owner_id       INTEGER REFERENCES users (id),
    disputed       INTEGER NOT NULL DEFAULT 0,
    custom         TEXT    NOT NULL DEFAULT '{}',
    import_hash    INTEGER NOT NULL DEFAULT 0,
    created_at     TIMESTAMP NOT NULL,
    updated_at     TIMESTAMP NOT NULL
);
CREATE INDEX invoices_customer ON invoices (customer_id);
CREATE INDEX invoices_owner ON invoices (owner_id);

CREATE TABLE payments (
    id           INTEGER PRIMARY KEY,
    reference    TEXT    NOT NULL UNIQUE,
    invoice_id   INTEGER NOT NULL REFERENCES invoices (id),
    amount_minor INTEGER NOT NULL CHECK (amount_minor > 0),
    currency     TEXT    NOT NULL,
    paid_at      TIMESTAMP NOT NULL,
    import_hash  INTEGER NOT NULL DEFAULT 0,
    created_at   TIMESTAMP NOT NULL
);
CREATE INDEX payments_invoice ON payments (invoice_id);

-- +goose Down
DROP TABLE payments;
DROP TABLE invoices;
DROP TABLE customers;
DROP TABLE users;
DROP TABLE companies;
