-- +goose Up
-- The dashboard's figures kept summed (store/dashboard.go, docs/api.md),
-- so that it reads a few small tables instead of every invoice, stage
-- entry and promise. Triggers keep the sums exact inside the writer's own
-- transaction, whichever code or process writes:
--
--   dashboard_open      open balance and invoices by owner, currency,
--                       customer region and due date (aging, cash due,
--                       DSO's balance, owners)
--   dashboard_sales     amounts invoiced by issue date and the same keys
--                       (DSO's sales)
--   dashboard_entries   one row per stage entry (invoice, node, instant),
--                       with the entry before it into the same node, the
--                       balance at entry and the payments since; its own
--                       triggers sum it into
--   dashboard_recovery  recovery by entry instant, previous entry, node,
--                       owner, currency and region: an entry is the first
--                       in a window from F when at >= F > prev_at
--   dashboard_tasks     open tasks by assignee, role, kind, due time and,
--                       for unassigned manager tasks, the invoice's owner
--
-- Owners' teams and emails are not copied: the dashboard joins users.
-- Promises and payment plans need Go to read (JSON outcomes, amounts as
-- text, calendar months, the company zone): triggers only list the
-- invoices whose promises or plans may have changed in dashboard_dirty,
-- and the dashboard recomputes those (dashboard_cash_items, summed in
-- dashboard_cash) before it reads.
--
-- Absent values are 0 (owner, assignee) or '' (region, previous entry, due
-- time): primary keys hold no NULLs.

CREATE TABLE dashboard_open (
    owner_id      INTEGER NOT NULL,
    currency      TEXT    NOT NULL,
    region        TEXT    NOT NULL,
    due_date      TEXT    NOT NULL,
    balance_minor INTEGER NOT NULL,
    invoices      INTEGER NOT NULL,
    PRIMARY KEY (owner_id, currency, region, due_date)
) WITHOUT ROWID;

CREATE TABLE dashboard_sales (
    issue_date   TEXT    NOT NULL,
    owner_id     INTEGER NOT NULL,
    currency     TEXT    NOT NULL,
    region       TEXT    NOT NULL,
    amount_minor INTEGER NOT NULL,
    invoices     INTEGER NOT NULL,
    PRIMARY KEY (issue_date, owner_id, currency, region)
) WITHOUT ROWID;

CREATE TABLE dashboard_entries (
    invoice_id    INTEGER   NOT NULL,
    source        TEXT      NOT NULL,
    at            TIMESTAMP NOT NULL,
    prev_at       TIMESTAMP NOT NULL, -- the previous entry into the node, '' for none
    owner_id      INTEGER   NOT NULL,
    currency      TEXT      NOT NULL,
    region        TEXT      NOT NULL,
    entered_minor INTEGER   NOT NULL, -- the balance at entry
    paid_minor    INTEGER   NOT NULL, -- the payments since entry
    settled       INTEGER   NOT NULL, -- 1 when the invoice owes nothing now
    PRIMARY KEY (invoice_id, source, at)
) WITHOUT ROWID;

CREATE TABLE dashboard_recovery (
    at              TIMESTAMP NOT NULL,
    prev_at         TIMESTAMP NOT NULL,
    source          TEXT      NOT NULL,
    owner_id        INTEGER   NOT NULL,
    currency        TEXT      NOT NULL,
    region          TEXT      NOT NULL,
    entered         INTEGER   NOT NULL,
    entered_minor   INTEGER   NOT NULL,
    recovered       INTEGER   NOT NULL,
    recovered_minor INTEGER   NOT NULL,
    PRIMARY KEY (at, prev_at, source, owner_id, currency, region)
) WITHOUT ROWID;

-- A queue whose trigger recomputes one invoice's stage entries and deletes
-- the request: SQLite has no procedures, and the triggers on payments,
-- fees, effects, invoices and customers all need this one.
CREATE TABLE dashboard_refresh (invoice_id INTEGER NOT NULL);

CREATE TABLE dashboard_tasks (
    assignee_id INTEGER   NOT NULL,
    role        TEXT      NOT NULL,
    kind        TEXT      NOT NULL,
    owner_id    INTEGER   NOT NULL, -- the invoice's owner when unassigned and role sales_manager, else 0
    due_at      TIMESTAMP NOT NULL,
    tasks       INTEGER   NOT NULL,
    PRIMARY KEY (assignee_id, role, kind, owner_id, due_at)
) WITHOUT ROWID;

CREATE TABLE dashboard_dirty (invoice_id INTEGER PRIMARY KEY);

-- Written by the store (store/dashboard_sums.go): each promise (kind
-- 'promise': promised date, the latest promised date of the invoice's
-- later promises or '', kept, amount, what is still expected of it) and
-- each installment still expected of the latest plan (kind 'plan': due
-- date, amount expected).
CREATE TABLE dashboard_cash_items (
    invoice_id   INTEGER NOT NULL,
    kind         TEXT    NOT NULL,
    day          TEXT    NOT NULL,
    sup_day      TEXT    NOT NULL,
    kept         INTEGER NOT NULL,
    owner_id     INTEGER NOT NULL,
    currency     TEXT    NOT NULL,
    region       TEXT    NOT NULL,
    amount_minor INTEGER NOT NULL,
    expect_minor INTEGER NOT NULL
);
CREATE INDEX dashboard_cash_items_invoice ON dashboard_cash_items (invoice_id);

CREATE TABLE dashboard_cash (
    kind         TEXT    NOT NULL,
    day          TEXT    NOT NULL,
    sup_day      TEXT    NOT NULL,
    kept         INTEGER NOT NULL,
    owner_id     INTEGER NOT NULL,
    currency     TEXT    NOT NULL,
    region       TEXT    NOT NULL,
    items        INTEGER NOT NULL,
    amount_minor INTEGER NOT NULL,
    expect_minor INTEGER NOT NULL,
    PRIMARY KEY (kind, day, sup_day, kept, owner_id, currency, region)
) WITHOUT ROWID;

-- The zone the cash items were computed in ('' for none yet: the first
-- dashboard computes them all).
CREATE TABLE dashboard_state (
    id   INTEGER PRIMARY KEY CHECK (id = 1),
    zone TEXT    NOT NULL
);
INSERT INTO dashboard_state (id, zone) VALUES (1, '');

-- What is there already.
INSERT INTO dashboard_open (owner_id, currency, region, due_date, balance_minor, invoices)
SELECT COALESCE(i.owner_id, 0), i.currency, COALESCE(c.region, ''), i.due_date, SUM(i.balance_minor), COUNT(*)
FROM invoices i LEFT JOIN customers c ON c.id = i.customer_id
WHERE i.balance_minor > 0
GROUP BY 1, 2, 3, 4;

INSERT INTO dashboard_sales (issue_date, owner_id, currency, region, amount_minor, invoices)
SELECT i.issue_date, COALESCE(i.owner_id, 0), i.currency, COALESCE(c.region, ''), SUM(i.amount_minor), COUNT(*)
FROM invoices i LEFT JOIN customers c ON c.id = i.customer_id
GROUP BY 1, 2, 3, 4;

INSERT INTO dashboard_entries (invoice_id, source, at, prev_at, owner_id, currency, region, entered_minor, paid_minor, settled)
SELECT x.invoice_id, x.source, x.at, x.prev_at, x.owner_id, x.currency, x.region, x.balance + x.paid - x.fees, x.paid, x.balance <= 0
FROM (SELECT a.invoice_id, a.source, a.at,
        COALESCE((SELECT MAX(e.at) FROM effects e WHERE e.invoice_id = a.invoice_id AND e.source = a.source
            AND e.kind = 'node' AND substr(e.key, -10) = '/entered#0' AND e.at < a.at), '') AS prev_at,
        COALESCE(i.owner_id, 0) AS owner_id, i.currency, COALESCE((SELECT c.region FROM customers c WHERE c.id = i.customer_id), '') AS region,
        i.balance_minor AS balance,
        CASE WHEN i.last_paid_at >= a.at THEN (SELECT COALESCE(SUM(p.amount_minor), 0) FROM payments p
            WHERE p.invoice_id = i.id AND p.paid_at >= a.at) ELSE 0 END AS paid,
        CASE WHEN i.fees_minor > 0 THEN (SELECT COALESCE(SUM(f.amount_minor), 0) FROM fees f
            WHERE f.invoice_id = i.id AND f.created_at > a.at) ELSE 0 END AS fees
    FROM (SELECT DISTINCT e.invoice_id, e.source, e.at FROM effects e
        WHERE e.kind = 'node' AND substr(e.key, -10) = '/entered#0') a
    JOIN invoices i ON i.id = a.invoice_id LIMIT -1) x;

INSERT INTO dashboard_recovery (at, prev_at, source, owner_id, currency, region, entered, entered_minor, recovered, recovered_minor)
SELECT at, prev_at, source, owner_id, currency, region, COUNT(*), SUM(entered_minor), SUM(settled), SUM(MIN(paid_minor, entered_minor))
FROM dashboard_entries WHERE entered_minor > 0
GROUP BY at, prev_at, source, owner_id, currency, region;

INSERT INTO dashboard_tasks (assignee_id, role, kind, owner_id, due_at, tasks)
SELECT COALESCE(t.assignee_id, 0), t.role, t.kind,
    CASE WHEN t.assignee_id IS NULL AND t.role = 'sales_manager' THEN COALESCE(i.owner_id, 0) ELSE 0 END,
    COALESCE(t.due_at, ''), COUNT(*)
FROM tasks t LEFT JOIN invoices i ON i.id = t.invoice_id
WHERE t.status = 'open'
GROUP BY 1, 2, 3, 4, 5;

-- Open balance and sales.
-- +goose StatementBegin
CREATE TRIGGER dashboard_sums_invoices_insert AFTER INSERT ON invoices
BEGIN
    INSERT INTO dashboard_open (owner_id, currency, region, due_date, balance_minor, invoices)
    SELECT COALESCE(NEW.owner_id, 0), NEW.currency, COALESCE((SELECT c.region FROM customers c WHERE c.id = NEW.customer_id), ''),
        NEW.due_date, NEW.balance_minor, 1
    WHERE NEW.balance_minor > 0
    ON CONFLICT (owner_id, currency, region, due_date) DO UPDATE
        SET balance_minor = balance_minor + excluded.balance_minor, invoices = invoices + 1;
    INSERT INTO dashboard_sales (issue_date, owner_id, currency, region, amount_minor, invoices)
    VALUES (NEW.issue_date, COALESCE(NEW.owner_id, 0), NEW.currency,
        COALESCE((SELECT c.region FROM customers c WHERE c.id = NEW.customer_id), ''), NEW.amount_minor, 1)
    ON CONFLICT (issue_date, owner_id, currency, region) DO UPDATE
        SET amount_minor = amount_minor + excluded.amount_minor, invoices = invoices + 1;
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER dashboard_sums_invoices_update_open AFTER UPDATE OF owner_id, currency, customer_id, due_date, balance_minor ON invoices
WHEN OLD.owner_id IS NOT NEW.owner_id OR OLD.currency IS NOT NEW.currency OR OLD.customer_id IS NOT NEW.customer_id
  OR OLD.due_date IS NOT NEW.due_date OR OLD.balance_minor IS NOT NEW.balance_minor
BEGIN
    UPDATE dashboard_open SET balance_minor = balance_minor - OLD.balance_minor, invoices = invoices - 1
    WHERE OLD.balance_minor > 0 AND owner_id = COALESCE(OLD.owner_id, 0) AND currency = OLD.currency
      AND region = COALESCE((SELECT c.region FROM customers c WHERE c.id = OLD.customer_id), '') AND due_date = OLD.due_date;
    DELETE FROM dashboard_open
    WHERE OLD.balance_minor > 0 AND owner_id = COALESCE(OLD.owner_id, 0) AND currency = OLD.currency
      AND region = COALESCE((SELECT c.region FROM customers c WHERE c.id = OLD.customer_id), '') AND due_date = OLD.due_date
      AND invoices = 0;
    INSERT INTO dashboard_open (owner_id, currency, region, due_date, balance_minor, invoices)
    SELECT COALESCE(NEW.owner_id, 0), NEW.currency, COALESCE((SELECT c.region FROM customers c WHERE c.id = NEW.customer_id), ''),
        NEW.due_date, NEW.balance_minor, 1
    WHERE NEW.balance_minor > 0
    ON CONFLICT (owner_id, currency, region, due_date) DO UPDATE
        SET balance_minor = balance_minor + excluded.balance_minor, invoices = invoices + 1;
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER dashboard_sums_invoices_update_sales AFTER UPDATE OF owner_id, currency, customer_id, issue_date, amount_minor ON invoices
WHEN OLD.owner_id IS NOT NEW.owner_id OR OLD.currency IS NOT NEW.currency OR OLD.customer_id IS NOT NEW.customer_id
  OR OLD.issue_date IS NOT NEW.issue_date OR OLD.amount_minor IS NOT NEW.amount_minor
BEGIN
    UPDATE dashboard_sales SET amount_minor = amount_minor - OLD.amount_minor, invoices = invoices - 1
    WHERE issue_date = OLD.issue_date AND owner_id = COALESCE(OLD.owner_id, 0) AND currency = OLD.currency
      AND region = COALESCE((SELECT c.region FROM customers c WHERE c.id = OLD.customer_id), '');
    INSERT INTO dashboard_sales (issue_date, owner_id, currency, region, amount_minor, invoices)
    VALUES (NEW.issue_date, COALESCE(NEW.owner_id, 0), NEW.currency,
        COALESCE((SELECT c.region FROM customers c WHERE c.id = NEW.customer_id), ''), NEW.amount_minor, 1)
    ON CONFLICT (issue_date, owner_id, currency, region) DO UPDATE
        SET amount_minor = amount_minor + excluded.amount_minor, invoices = invoices + 1;
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER dashboard_sums_invoices_update_entries AFTER UPDATE OF balance_minor, owner_id, currency, customer_id, last_paid_at, fees_minor ON invoices
WHEN OLD.balance_minor IS NOT NEW.balance_minor OR OLD.owner_id IS NOT NEW.owner_id OR OLD.currency IS NOT NEW.currency
  OR OLD.customer_id IS NOT NEW.customer_id OR OLD.last_paid_at IS NOT NEW.last_paid_at OR OLD.fees_minor IS NOT NEW.fees_minor
BEGIN
    INSERT INTO dashboard_refresh (invoice_id)
    SELECT NEW.id WHERE EXISTS (SELECT 1 FROM dashboard_entries e WHERE e.invoice_id = NEW.id);
    INSERT OR IGNORE INTO dashboard_dirty (invoice_id)
    SELECT NEW.id
    WHERE (OLD.balance_minor IS NOT NEW.balance_minor OR OLD.owner_id IS NOT NEW.owner_id OR OLD.currency IS NOT NEW.currency
        OR OLD.customer_id IS NOT NEW.customer_id)
      AND EXISTS (SELECT 1 FROM tasks t WHERE t.invoice_id = NEW.id AND t.status = 'done' AND json_valid(t.outcome)
        AND (json_extract(t.outcome, '$.outcome') = 'promised' OR json_extract(t.outcome, '$.decision') = 'payment_plan'));
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER dashboard_sums_invoices_update_tasks AFTER UPDATE OF owner_id ON invoices
WHEN OLD.owner_id IS NOT NEW.owner_id
BEGIN
    UPDATE dashboard_tasks SET tasks = dashboard_tasks.tasks - m.n
    FROM (SELECT t.kind, COALESCE(t.due_at, '') AS due_at, COUNT(*) AS n FROM tasks t
        WHERE t.invoice_id = NEW.id AND t.status = 'open' AND t.assignee_id IS NULL AND t.role = 'sales_manager'
        GROUP BY 1, 2) m
    WHERE dashboard_tasks.assignee_id = 0 AND dashboard_tasks.role = 'sales_manager' AND dashboard_tasks.kind = m.kind
      AND dashboard_tasks.owner_id = COALESCE(OLD.owner_id, 0) AND dashboard_tasks.due_at = m.due_at;
    DELETE FROM dashboard_tasks WHERE assignee_id = 0 AND role = 'sales_manager' AND owner_id = COALESCE(OLD.owner_id, 0) AND tasks = 0;
    INSERT INTO dashboard_tasks (assignee_id, role, kind, owner_id, due_at, tasks)
    SELECT 0, 'sales_manager', t.kind, COALESCE(NEW.owner_id, 0), COALESCE(t.due_at, ''), COUNT(*) FROM tasks t
    WHERE t.invoice_id = NEW.id AND t.status = 'open' AND t.assignee_id IS NULL AND t.role = 'sales_manager'
    GROUP BY t.kind, COALESCE(t.due_at, '')
    ON CONFLICT (assignee_id, role, kind, owner_id, due_at) DO UPDATE SET tasks = tasks + excluded.tasks;
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER dashboard_sums_invoices_delete AFTER DELETE ON invoices
BEGIN
    UPDATE dashboard_open SET balance_minor = balance_minor - OLD.balance_minor, invoices = invoices - 1
    WHERE OLD.balance_minor > 0 AND owner_id = COALESCE(OLD.owner_id, 0) AND currency = OLD.currency
      AND region = COALESCE((SELECT c.region FROM customers c WHERE c.id = OLD.customer_id), '') AND due_date = OLD.due_date;
    DELETE FROM dashboard_open
    WHERE OLD.balance_minor > 0 AND owner_id = COALESCE(OLD.owner_id, 0) AND currency = OLD.currency
      AND region = COALESCE((SELECT c.region FROM customers c WHERE c.id = OLD.customer_id), '') AND due_date = OLD.due_date
      AND invoices = 0;
    UPDATE dashboard_sales SET amount_minor = amount_minor - OLD.amount_minor, invoices = invoices - 1
    WHERE issue_date = OLD.issue_date AND owner_id = COALESCE(OLD.owner_id, 0) AND currency = OLD.currency
      AND region = COALESCE((SELECT c.region FROM customers c WHERE c.id = OLD.customer_id), '');
    INSERT INTO dashboard_refresh (invoice_id)
    SELECT OLD.id WHERE EXISTS (SELECT 1 FROM dashboard_entries e WHERE e.invoice_id = OLD.id);
    INSERT OR IGNORE INTO dashboard_dirty (invoice_id)
    SELECT OLD.id WHERE EXISTS (SELECT 1 FROM dashboard_cash_items ci WHERE ci.invoice_id = OLD.id);
END;
-- +goose StatementEnd

-- A customer's region moves its invoices' sums.
-- +goose StatementBegin
CREATE TRIGGER dashboard_sums_customers_region AFTER UPDATE OF region ON customers
WHEN OLD.region IS NOT NEW.region
BEGIN
    UPDATE dashboard_open SET balance_minor = dashboard_open.balance_minor - m.b, invoices = dashboard_open.invoices - m.n
    FROM (SELECT COALESCE(i.owner_id, 0) AS o, i.currency AS c, i.due_date AS d, SUM(i.balance_minor) AS b, COUNT(*) AS n
        FROM invoices i WHERE i.customer_id = NEW.id AND i.balance_minor > 0 GROUP BY 1, 2, 3) m
    WHERE dashboard_open.owner_id = m.o AND dashboard_open.currency = m.c AND dashboard_open.region = OLD.region
      AND dashboard_open.due_date = m.d;
    DELETE FROM dashboard_open WHERE region = OLD.region AND invoices = 0;
    INSERT INTO dashboard_open (owner_id, currency, region, due_date, balance_minor, invoices)
    SELECT COALESCE(i.owner_id, 0), i.currency, NEW.region, i.due_date, SUM(i.balance_minor), COUNT(*)
    FROM invoices i WHERE i.customer_id = NEW.id AND i.balance_minor > 0
    GROUP BY 1, 2, 4
    ON CONFLICT (owner_id, currency, region, due_date) DO UPDATE
        SET balance_minor = balance_minor + excluded.balance_minor, invoices = invoices + excluded.invoices;
    UPDATE dashboard_sales SET amount_minor = dashboard_sales.amount_minor - m.a, invoices = dashboard_sales.invoices - m.n
    FROM (SELECT i.issue_date AS d, COALESCE(i.owner_id, 0) AS o, i.currency AS c, SUM(i.amount_minor) AS a, COUNT(*) AS n
        FROM invoices i WHERE i.customer_id = NEW.id GROUP BY 1, 2, 3) m
    WHERE dashboard_sales.issue_date = m.d AND dashboard_sales.owner_id = m.o AND dashboard_sales.currency = m.c
      AND dashboard_sales.region = OLD.region;
    INSERT INTO dashboard_sales (issue_date, owner_id, currency, region, amount_minor, invoices)
    SELECT i.issue_date, COALESCE(i.owner_id, 0), i.currency, NEW.region, SUM(i.amount_minor), COUNT(*)
    FROM invoices i WHERE i.customer_id = NEW.id
    GROUP BY 1, 2, 3
    ON CONFLICT (issue_date, owner_id, currency, region) DO UPDATE
        SET amount_minor = amount_minor + excluded.amount_minor, invoices = invoices + excluded.invoices;
    INSERT INTO dashboard_refresh (invoice_id)
    SELECT i.id FROM invoices i WHERE i.customer_id = NEW.id
      AND EXISTS (SELECT 1 FROM dashboard_entries e WHERE e.invoice_id = i.id);
    INSERT OR IGNORE INTO dashboard_dirty (invoice_id)
    SELECT i.id FROM invoices i WHERE i.customer_id = NEW.id
      AND EXISTS (SELECT 1 FROM tasks t WHERE t.invoice_id = i.id AND t.status = 'done' AND json_valid(t.outcome)
        AND (json_extract(t.outcome, '$.outcome') = 'promised' OR json_extract(t.outcome, '$.decision') = 'payment_plan'));
END;
-- +goose StatementEnd

-- Stage entries: recomputed per invoice when its entries, payments, fees,
-- balance, owner, currency or customer (region) change.
-- +goose StatementBegin
CREATE TRIGGER dashboard_sums_refresh AFTER INSERT ON dashboard_refresh
BEGIN
    DELETE FROM dashboard_entries WHERE invoice_id = NEW.invoice_id;
    INSERT INTO dashboard_entries (invoice_id, source, at, prev_at, owner_id, currency, region, entered_minor, paid_minor, settled)
    SELECT x.invoice_id, x.source, x.at, x.prev_at, x.owner_id, x.currency, x.region, x.balance + x.paid - x.fees, x.paid, x.balance <= 0
    FROM (SELECT a.invoice_id, a.source, a.at,
            COALESCE((SELECT MAX(e.at) FROM effects e WHERE e.invoice_id = a.invoice_id AND e.source = a.source
                AND e.kind = 'node' AND substr(e.key, -10) = '/entered#0' AND e.at < a.at), '') AS prev_at,
            COALESCE(i.owner_id, 0) AS owner_id, i.currency, COALESCE((SELECT c.region FROM customers c WHERE c.id = i.customer_id), '') AS region,
            i.balance_minor AS balance,
            CASE WHEN i.last_paid_at >= a.at THEN (SELECT COALESCE(SUM(p.amount_minor), 0) FROM payments p
                WHERE p.invoice_id = i.id AND p.paid_at >= a.at) ELSE 0 END AS paid,
            CASE WHEN i.fees_minor > 0 THEN (SELECT COALESCE(SUM(f.amount_minor), 0) FROM fees f
                WHERE f.invoice_id = i.id AND f.created_at > a.at) ELSE 0 END AS fees
        FROM (SELECT DISTINCT e.invoice_id, e.source, e.at FROM effects e
            WHERE e.invoice_id = NEW.invoice_id AND e.kind = 'node' AND substr(e.key, -10) = '/entered#0') a
        JOIN invoices i ON i.id = a.invoice_id LIMIT -1) x;
    DELETE FROM dashboard_refresh WHERE rowid = NEW.rowid;
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER dashboard_sums_entries_insert AFTER INSERT ON dashboard_entries
WHEN NEW.entered_minor > 0
BEGIN
    INSERT INTO dashboard_recovery (at, prev_at, source, owner_id, currency, region, entered, entered_minor, recovered, recovered_minor)
    VALUES (NEW.at, NEW.prev_at, NEW.source, NEW.owner_id, NEW.currency, NEW.region,
        1, NEW.entered_minor, NEW.settled, MIN(NEW.paid_minor, NEW.entered_minor))
    ON CONFLICT (at, prev_at, source, owner_id, currency, region) DO UPDATE
        SET entered = entered + 1, entered_minor = entered_minor + excluded.entered_minor,
            recovered = recovered + excluded.recovered, recovered_minor = recovered_minor + excluded.recovered_minor;
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER dashboard_sums_entries_delete AFTER DELETE ON dashboard_entries
WHEN OLD.entered_minor > 0
BEGIN
    UPDATE dashboard_recovery
    SET entered = entered - 1, entered_minor = entered_minor - OLD.entered_minor,
        recovered = recovered - OLD.settled, recovered_minor = recovered_minor - MIN(OLD.paid_minor, OLD.entered_minor)
    WHERE at = OLD.at AND prev_at = OLD.prev_at AND source = OLD.source AND owner_id = OLD.owner_id
      AND currency = OLD.currency AND region = OLD.region;
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER dashboard_sums_effects_insert AFTER INSERT ON effects
WHEN NEW.kind = 'node' AND substr(NEW.key, -10) = '/entered#0' AND NEW.invoice_id IS NOT NULL
BEGIN
    -- An entry before another into the same node (or at the same instant)
    -- changes that one's previous entry: the invoice is recomputed.
    INSERT INTO dashboard_refresh (invoice_id)
    SELECT NEW.invoice_id WHERE EXISTS (SELECT 1 FROM dashboard_entries e
        WHERE e.invoice_id = NEW.invoice_id AND e.source = NEW.source AND e.at >= NEW.at);
    -- Otherwise (the tick enters nodes in time order) it is one row more.
    INSERT INTO dashboard_entries (invoice_id, source, at, prev_at, owner_id, currency, region, entered_minor, paid_minor, settled)
    SELECT x.invoice_id, x.source, x.at, x.prev_at, x.owner_id, x.currency, x.region, x.balance + x.paid - x.fees, x.paid, x.balance <= 0
    FROM (SELECT i.id AS invoice_id, NEW.source AS source, NEW.at AS at,
            COALESCE((SELECT MAX(e.at) FROM effects e WHERE e.invoice_id = i.id AND e.source = NEW.source
                AND e.kind = 'node' AND substr(e.key, -10) = '/entered#0' AND e.at < NEW.at), '') AS prev_at,
            COALESCE(i.owner_id, 0) AS owner_id, i.currency, COALESCE((SELECT c.region FROM customers c WHERE c.id = i.customer_id), '') AS region,
            i.balance_minor AS balance,
            CASE WHEN i.last_paid_at >= NEW.at THEN (SELECT COALESCE(SUM(p.amount_minor), 0) FROM payments p
                WHERE p.invoice_id = i.id AND p.paid_at >= NEW.at) ELSE 0 END AS paid,
            CASE WHEN i.fees_minor > 0 THEN (SELECT COALESCE(SUM(f.amount_minor), 0) FROM fees f
                WHERE f.invoice_id = i.id AND f.created_at > NEW.at) ELSE 0 END AS fees
        FROM invoices i
        WHERE i.id = NEW.invoice_id AND NOT EXISTS (SELECT 1 FROM dashboard_entries e
            WHERE e.invoice_id = NEW.invoice_id AND e.source = NEW.source AND e.at >= NEW.at)
        LIMIT -1) x;
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER dashboard_sums_effects_update AFTER UPDATE OF kind, key, source, at, invoice_id ON effects
WHEN (OLD.kind = 'node' AND substr(OLD.key, -10) = '/entered#0') OR (NEW.kind = 'node' AND substr(NEW.key, -10) = '/entered#0')
BEGIN
    INSERT INTO dashboard_refresh (invoice_id) SELECT OLD.invoice_id WHERE OLD.invoice_id IS NOT NULL;
    INSERT INTO dashboard_refresh (invoice_id) SELECT NEW.invoice_id WHERE NEW.invoice_id IS NOT NULL AND NEW.invoice_id IS NOT OLD.invoice_id;
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER dashboard_sums_effects_delete AFTER DELETE ON effects
WHEN OLD.kind = 'node' AND substr(OLD.key, -10) = '/entered#0' AND OLD.invoice_id IS NOT NULL
BEGIN
    INSERT INTO dashboard_refresh (invoice_id) VALUES (OLD.invoice_id);
END;
-- +goose StatementEnd

-- Payments and fees change the balance at entry and what was recovered,
-- and what promises and plans still expect.
-- +goose StatementBegin
CREATE TRIGGER dashboard_sums_payments_insert AFTER INSERT ON payments
BEGIN
    INSERT INTO dashboard_refresh (invoice_id)
    SELECT NEW.invoice_id WHERE EXISTS (SELECT 1 FROM dashboard_entries e WHERE e.invoice_id = NEW.invoice_id);
    INSERT OR IGNORE INTO dashboard_dirty (invoice_id)
    SELECT NEW.invoice_id WHERE EXISTS (SELECT 1 FROM tasks t WHERE t.invoice_id = NEW.invoice_id AND t.status = 'done' AND json_valid(t.outcome)
        AND (json_extract(t.outcome, '$.outcome') = 'promised' OR json_extract(t.outcome, '$.decision') = 'payment_plan'));
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER dashboard_sums_payments_update AFTER UPDATE OF invoice_id, amount_minor, paid_at ON payments
WHEN OLD.invoice_id IS NOT NEW.invoice_id OR OLD.amount_minor IS NOT NEW.amount_minor OR OLD.paid_at IS NOT NEW.paid_at
BEGIN
    INSERT INTO dashboard_refresh (invoice_id)
    SELECT DISTINCT e.invoice_id FROM dashboard_entries e WHERE e.invoice_id IN (OLD.invoice_id, NEW.invoice_id);
    INSERT OR IGNORE INTO dashboard_dirty (invoice_id)
    SELECT DISTINCT t.invoice_id FROM tasks t WHERE t.invoice_id IN (OLD.invoice_id, NEW.invoice_id) AND t.status = 'done' AND json_valid(t.outcome)
        AND (json_extract(t.outcome, '$.outcome') = 'promised' OR json_extract(t.outcome, '$.decision') = 'payment_plan');
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER dashboard_sums_payments_delete AFTER DELETE ON payments
BEGIN
    INSERT INTO dashboard_refresh (invoice_id)
    SELECT OLD.invoice_id WHERE EXISTS (SELECT 1 FROM dashboard_entries e WHERE e.invoice_id = OLD.invoice_id);
    INSERT OR IGNORE INTO dashboard_dirty (invoice_id)
    SELECT OLD.invoice_id WHERE EXISTS (SELECT 1 FROM tasks t WHERE t.invoice_id = OLD.invoice_id AND t.status = 'done' AND json_valid(t.outcome)
        AND (json_extract(t.outcome, '$.outcome') = 'promised' OR json_extract(t.outcome, '$.decision') = 'payment_plan'));
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER dashboard_sums_fees_insert AFTER INSERT ON fees
BEGIN
    INSERT INTO dashboard_refresh (invoice_id)
    SELECT NEW.invoice_id WHERE EXISTS (SELECT 1 FROM dashboard_entries e WHERE e.invoice_id = NEW.invoice_id);
    INSERT OR IGNORE INTO dashboard_dirty (invoice_id)
    SELECT NEW.invoice_id WHERE EXISTS (SELECT 1 FROM tasks t WHERE t.invoice_id = NEW.invoice_id AND t.status = 'done' AND json_valid(t.outcome)
        AND (json_extract(t.outcome, '$.outcome') = 'promised' OR json_extract(t.outcome, '$.decision') = 'payment_plan'));
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER dashboard_sums_fees_update AFTER UPDATE OF invoice_id, amount_minor, created_at ON fees
WHEN OLD.invoice_id IS NOT NEW.invoice_id OR OLD.amount_minor IS NOT NEW.amount_minor OR OLD.created_at IS NOT NEW.created_at
BEGIN
    INSERT INTO dashboard_refresh (invoice_id)
    SELECT DISTINCT e.invoice_id FROM dashboard_entries e WHERE e.invoice_id IN (OLD.invoice_id, NEW.invoice_id);
    INSERT OR IGNORE INTO dashboard_dirty (invoice_id)
    SELECT DISTINCT t.invoice_id FROM tasks t WHERE t.invoice_id IN (OLD.invoice_id, NEW.invoice_id) AND t.status = 'done' AND json_valid(t.outcome)
        AND (json_extract(t.outcome, '$.outcome') = 'promised' OR json_extract(t.outcome, '$.decision') = 'payment_plan');
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER dashboard_sums_fees_delete AFTER DELETE ON fees
BEGIN
    INSERT INTO dashboard_refresh (invoice_id)
    SELECT OLD.invoice_id WHERE EXISTS (SELECT 1 FROM dashboard_entries e WHERE e.invoice_id = OLD.invoice_id);
    INSERT OR IGNORE INTO dashboard_dirty (invoice_id)
    SELECT OLD.invoice_id WHERE EXISTS (SELECT 1 FROM tasks t WHERE t.invoice_id = OLD.invoice_id AND t.status = 'done' AND json_valid(t.outcome)
        AND (json_extract(t.outcome, '$.outcome') = 'promised' OR json_extract(t.outcome, '$.decision') = 'payment_plan'));
END;
-- +goose StatementEnd

-- Tasks: open ones are counted; done ones that promise payment or decide
-- a plan mark their invoice.
-- +goose StatementBegin
CREATE TRIGGER dashboard_sums_tasks_insert AFTER INSERT ON tasks
WHEN NEW.status = 'open'
BEGIN
    INSERT INTO dashboard_tasks (assignee_id, role, kind, owner_id, due_at, tasks)
    VALUES (COALESCE(NEW.assignee_id, 0), NEW.role, NEW.kind,
        CASE WHEN NEW.assignee_id IS NULL AND NEW.role = 'sales_manager'
            THEN COALESCE((SELECT i.owner_id FROM invoices i WHERE i.id = NEW.invoice_id), 0) ELSE 0 END,
        COALESCE(NEW.due_at, ''), 1)
    ON CONFLICT (assignee_id, role, kind, owner_id, due_at) DO UPDATE SET tasks = tasks + 1;
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER dashboard_sums_tasks_update AFTER UPDATE OF status, assignee_id, role, kind, due_at, invoice_id ON tasks
WHEN OLD.status = 'open' OR NEW.status = 'open'
BEGIN
    UPDATE dashboard_tasks SET tasks = tasks - 1
    WHERE OLD.status = 'open' AND assignee_id = COALESCE(OLD.assignee_id, 0) AND role = OLD.role AND kind = OLD.kind
      AND owner_id = CASE WHEN OLD.assignee_id IS NULL AND OLD.role = 'sales_manager'
            THEN COALESCE((SELECT i.owner_id FROM invoices i WHERE i.id = OLD.invoice_id), 0) ELSE 0 END
      AND due_at = COALESCE(OLD.due_at, '');
    DELETE FROM dashboard_tasks
    WHERE OLD.status = 'open' AND assignee_id = COALESCE(OLD.assignee_id, 0) AND role = OLD.role AND kind = OLD.kind
      AND owner_id = CASE WHEN OLD.assignee_id IS NULL AND OLD.role = 'sales_manager'
            THEN COALESCE((SELECT i.owner_id FROM invoices i WHERE i.id = OLD.invoice_id), 0) ELSE 0 END
      AND due_at = COALESCE(OLD.due_at, '') AND tasks = 0;
    INSERT INTO dashboard_tasks (assignee_id, role, kind, owner_id, due_at, tasks)
    SELECT COALESCE(NEW.assignee_id, 0), NEW.role, NEW.kind,
        CASE WHEN NEW.assignee_id IS NULL AND NEW.role = 'sales_manager'
            THEN COALESCE((SELECT i.owner_id FROM invoices i WHERE i.id = NEW.invoice_id), 0) ELSE 0 END,
        COALESCE(NEW.due_at, ''), 1
    WHERE NEW.status = 'open'
    ON CONFLICT (assignee_id, role, kind, owner_id, due_at) DO UPDATE SET tasks = tasks + 1;
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER dashboard_sums_tasks_delete AFTER DELETE ON tasks
WHEN OLD.status = 'open'
BEGIN
    UPDATE dashboard_tasks SET tasks = tasks - 1
    WHERE assignee_id = COALESCE(OLD.assignee_id, 0) AND role = OLD.role AND kind = OLD.kind
      AND owner_id = CASE WHEN OLD.assignee_id IS NULL AND OLD.role = 'sales_manager'
            THEN COALESCE((SELECT i.owner_id FROM invoices i WHERE i.id = OLD.invoice_id), 0) ELSE 0 END
      AND due_at = COALESCE(OLD.due_at, '');
    DELETE FROM dashboard_tasks
    WHERE assignee_id = COALESCE(OLD.assignee_id, 0) AND role = OLD.role AND kind = OLD.kind
      AND owner_id = CASE WHEN OLD.assignee_id IS NULL AND OLD.role = 'sales_manager'
            THEN COALESCE((SELECT i.owner_id FROM invoices i WHERE i.id = OLD.invoice_id), 0) ELSE 0 END
      AND due_at = COALESCE(OLD.due_at, '') AND tasks = 0;
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER dashboard_sums_promises_insert AFTER INSERT ON tasks
WHEN NEW.invoice_id IS NOT NULL AND NEW.status = 'done' AND json_valid(NEW.outcome)
  AND (json_extract(NEW.outcome, '$.outcome') = 'promised' OR json_extract(NEW.outcome, '$.decision') = 'payment_plan')
BEGIN
    INSERT OR IGNORE INTO dashboard_dirty (invoice_id) VALUES (NEW.invoice_id);
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER dashboard_sums_promises_update AFTER UPDATE OF status, outcome, invoice_id, completed_at ON tasks
WHEN (OLD.status = 'done' AND json_valid(OLD.outcome) AND (json_extract(OLD.outcome, '$.outcome') = 'promised' OR json_extract(OLD.outcome, '$.decision') = 'payment_plan'))
  OR (NEW.status = 'done' AND json_valid(NEW.outcome) AND (json_extract(NEW.outcome, '$.outcome') = 'promised' OR json_extract(NEW.outcome, '$.decision') = 'payment_plan'))
BEGIN
    INSERT OR IGNORE INTO dashboard_dirty (invoice_id) SELECT OLD.invoice_id WHERE OLD.invoice_id IS NOT NULL;
    INSERT OR IGNORE INTO dashboard_dirty (invoice_id) SELECT NEW.invoice_id WHERE NEW.invoice_id IS NOT NULL;
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER dashboard_sums_promises_delete AFTER DELETE ON tasks
WHEN OLD.invoice_id IS NOT NULL AND OLD.status = 'done' AND json_valid(OLD.outcome)
  AND (json_extract(OLD.outcome, '$.outcome') = 'promised' OR json_extract(OLD.outcome, '$.decision') = 'payment_plan')
BEGIN
    INSERT OR IGNORE INTO dashboard_dirty (invoice_id) VALUES (OLD.invoice_id);
END;
-- +goose StatementEnd

-- The open tasks are counted from dashboard_tasks now: their data version
-- (dashboard_version.t) is no longer read.
DROP TRIGGER dashboard_open_tasks_insert;
DROP TRIGGER dashboard_open_tasks_update;
DROP TRIGGER dashboard_open_tasks_delete;

-- +goose Down
-- +goose StatementBegin
CREATE TRIGGER dashboard_open_tasks_insert AFTER INSERT ON tasks
WHEN NEW.status = 'open'
BEGIN UPDATE dashboard_version SET t = t + 1 WHERE id = 1; END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER dashboard_open_tasks_update AFTER UPDATE OF status, assignee_id, role, kind, due_at, invoice_id ON tasks
WHEN OLD.status = 'open' OR NEW.status = 'open'
BEGIN UPDATE dashboard_version SET t = t + 1 WHERE id = 1; END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER dashboard_open_tasks_delete AFTER DELETE ON tasks
WHEN OLD.status = 'open'
BEGIN UPDATE dashboard_version SET t = t + 1 WHERE id = 1; END;
-- +goose StatementEnd
DROP TRIGGER dashboard_sums_promises_delete;
DROP TRIGGER dashboard_sums_promises_update;
DROP TRIGGER dashboard_sums_promises_insert;
DROP TRIGGER dashboard_sums_tasks_delete;
DROP TRIGGER dashboard_sums_tasks_update;
DROP TRIGGER dashboard_sums_tasks_insert;
DROP TRIGGER dashboard_sums_fees_delete;
DROP TRIGGER dashboard_sums_fees_update;
DROP TRIGGER dashboard_sums_fees_insert;
DROP TRIGGER dashboard_sums_payments_delete;
DROP TRIGGER dashboard_sums_payments_update;
DROP TRIGGER dashboard_sums_payments_insert;
DROP TRIGGER dashboard_sums_effects_delete;
DROP TRIGGER dashboard_sums_effects_update;
DROP TRIGGER dashboard_sums_effects_insert;
DROP TRIGGER dashboard_sums_entries_delete;
DROP TRIGGER dashboard_sums_entries_insert;
DROP TRIGGER dashboard_sums_refresh;
DROP TRIGGER dashboard_sums_customers_region;
DROP TRIGGER dashboard_sums_invoices_delete;
DROP TRIGGER dashboard_sums_invoices_update_tasks;
DROP TRIGGER dashboard_sums_invoices_update_entries;
DROP TRIGGER dashboard_sums_invoices_update_sales;
DROP TRIGGER dashboard_sums_invoices_update_open;
DROP TRIGGER dashboard_sums_invoices_insert;
DROP TABLE dashboard_state;
DROP TABLE dashboard_cash;
DROP TABLE dashboard_cash_items;
DROP TABLE dashboard_dirty;
DROP TABLE dashboard_tasks;
DROP TABLE dashboard_refresh;
DROP TABLE dashboard_recovery;
DROP TABLE dashboard_entries;
DROP TABLE dashboard_sales;
DROP TABLE dashboard_open;
