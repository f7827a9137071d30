-- +goose Up
-- The dashboard's figures kept summed (store/dashboard.go, docs/api.md),
-- so that it reads a few small tables instead of every invoice, stage
-- entry and promise. Triggers keep the sums exact inside the writer's own
-- transaction, whichever code or process writes. The tables and what they
-- hold are those of the SQLite migration of the same number; here the
-- sums are append-only: a write adds rows of differences (a payment: the
-- old balance subtracted, the new one added) and never updates a shared
-- row, so that the tick's concurrent batch transactions never wait on one
-- another's row locks. The dashboard adds the rows up, and folds them into
-- one row per key now and then (Store.FoldDashboardSums); every row takes a
-- number from the sequence dashboard_delta, so that the dashboard knows
-- how many were added since the last fold (dashboard_state.folded).
--
-- Absent values are 0 (owner, assignee), '' (region) or NULL (previous
-- entry, due time, later promise).

CREATE SEQUENCE dashboard_delta;

CREATE TABLE dashboard_open (
    owner_id      BIGINT NOT NULL,
    currency      TEXT   NOT NULL,
    region        TEXT   NOT NULL,
    due_date      DATE   NOT NULL,
    balance_minor BIGINT NOT NULL,
    invoices      BIGINT NOT NULL,
    seq BIGINT NOT NULL DEFAULT nextval('dashboard_delta')
);

CREATE TABLE dashboard_sales (
    issue_date   DATE   NOT NULL,
    owner_id     BIGINT NOT NULL,
    currency     TEXT   NOT NULL,
    region       TEXT   NOT NULL,
    amount_minor BIGINT NOT NULL,
    invoices     BIGINT NOT NULL,
    seq BIGINT NOT NULL DEFAULT nextval('dashboard_delta')
);
CREATE INDEX dashboard_sales_issued ON dashboard_sales (issue_date);

-- One row per stage entry (not summed: rows of one invoice are replaced
-- by the transaction that changes it, and the tick's batches hold whole
-- customers).
CREATE TABLE dashboard_entries (
    invoice_id    BIGINT      NOT NULL,
    source        TEXT        NOT NULL,
    at            TIMESTAMPTZ NOT NULL,
    prev_at       TIMESTAMPTZ,          -- the previous entry into the node
    owner_id      BIGINT      NOT NULL,
    currency      TEXT        NOT NULL,
    region        TEXT        NOT NULL,
    entered_minor BIGINT      NOT NULL, -- the balance at entry
    paid_minor    BIGINT      NOT NULL, -- the payments since entry
    settled       INTEGER     NOT NULL  -- 1 when the invoice owes nothing now
);
CREATE INDEX dashboard_entries_invoice ON dashboard_entries (invoice_id);

CREATE TABLE dashboard_recovery (
    at              TIMESTAMPTZ NOT NULL,
    prev_at         TIMESTAMPTZ,
    source          TEXT        NOT NULL,
    owner_id        BIGINT      NOT NULL,
    currency        TEXT        NOT NULL,
    region          TEXT        NOT NULL,
    entered         BIGINT      NOT NULL,
    entered_minor   BIGINT      NOT NULL,
    recovered       BIGINT      NOT NULL,
    recovered_minor BIGINT      NOT NULL,
    seq BIGINT NOT NULL DEFAULT nextval('dashboard_delta')
);
CREATE INDEX dashboard_recovery_at ON dashboard_recovery (at);

CREATE TABLE dashboard_tasks (
    assignee_id BIGINT      NOT NULL,
    role        TEXT        NOT NULL,
    kind        TEXT        NOT NULL,
    owner_id    BIGINT      NOT NULL, -- the invoice's owner when unassigned and role sales_manager, else 0
    due_at      TIMESTAMPTZ,
    tasks       BIGINT      NOT NULL,
    seq BIGINT NOT NULL DEFAULT nextval('dashboard_delta')
);

-- Invoices whose promises or plans the store must recompute; a writer
-- always adds a row (never "already there"), so that one the store has
-- not seen committed is never taken for done.
CREATE TABLE dashboard_dirty (invoice_id BIGINT NOT NULL);

CREATE TABLE dashboard_cash_items (
    invoice_id   BIGINT  NOT NULL,
    kind         TEXT    NOT NULL,
    day          DATE    NOT NULL,
    sup_day      DATE,
    kept         INTEGER NOT NULL,
    owner_id     BIGINT  NOT NULL,
    currency     TEXT    NOT NULL,
    region       TEXT    NOT NULL,
    amount_minor BIGINT  NOT NULL,
    expect_minor BIGINT  NOT NULL
);
CREATE INDEX dashboard_cash_items_invoice ON dashboard_cash_items (invoice_id);

CREATE TABLE dashboard_cash (
    kind         TEXT    NOT NULL,
    day          DATE    NOT NULL,
    sup_day      DATE,
    kept         INTEGER NOT NULL,
    owner_id     BIGINT  NOT NULL,
    currency     TEXT    NOT NULL,
    region       TEXT    NOT NULL,
    items        BIGINT  NOT NULL,
    amount_minor BIGINT  NOT NULL,
    expect_minor BIGINT  NOT NULL,
    seq BIGINT NOT NULL DEFAULT nextval('dashboard_delta')
);
CREATE INDEX dashboard_cash_day ON dashboard_cash (kind, day);

CREATE TABLE dashboard_state (
    id     INTEGER PRIMARY KEY CHECK (id = 1),
    zone   TEXT    NOT NULL,
    folded BIGINT  NOT NULL  -- dashboard_delta's value at the last fold
);
INSERT INTO dashboard_state (id, zone, folded) VALUES (1, '', 0);

-- +goose StatementBegin
CREATE FUNCTION dashboard_region(customer BIGINT) RETURNS TEXT LANGUAGE sql STABLE AS $$
    SELECT COALESCE((SELECT c.region FROM customers c WHERE c.id = customer), '')
$$;
-- +goose StatementEnd

-- Recomputes the stage entries of invoices ids, with the differences to
-- the recovery sums.
-- +goose StatementBegin
CREATE FUNCTION dashboard_refresh_entries(ids BIGINT[]) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    IF cardinality(ids) = 0 THEN
        RETURN;
    END IF;
    WITH gone AS (DELETE FROM dashboard_entries WHERE invoice_id = ANY (ids) RETURNING *)
    INSERT INTO dashboard_recovery (at, prev_at, source, owner_id, currency, region, entered, entered_minor, recovered, recovered_minor)
    SELECT g.at, g.prev_at, g.source, g.owner_id, g.currency, g.region,
        -COUNT(*), -SUM(g.entered_minor), -SUM(g.settled), -SUM(LEAST(g.paid_minor, g.entered_minor))
    FROM gone g WHERE g.entered_minor > 0
    GROUP BY g.at, g.prev_at, g.source, g.owner_id, g.currency, g.region;

    WITH added AS (
        INSERT INTO dashboard_entries (invoice_id, source, at, prev_at, owner_id, currency, region, entered_minor, paid_minor, settled)
        SELECT x.invoice_id, x.source, x.at, x.prev_at, x.owner_id, x.currency, x.region,
            x.balance + x.paid - x.fees, x.paid, CASE WHEN x.balance <= 0 THEN 1 ELSE 0 END
        FROM (SELECT a.invoice_id, a.source, a.at,
                (SELECT MAX(e.at) FROM effects e WHERE e.invoice_id = a.invoice_id AND e.source = a.source
                    AND e.kind = 'node' AND e.key LIKE '%/entered#0' AND e.at < a.at) AS prev_at,
                COALESCE(i.owner_id, 0) AS owner_id, i.currency, dashboard_region(i.customer_id) AS region,
                i.balance_minor AS balance,
                CASE WHEN i.last_paid_at >= a.at THEN (SELECT CAST(COALESCE(SUM(p.amount_minor), 0) AS BIGINT) FROM payments p
                    WHERE p.invoice_id = i.id AND p.paid_at >= a.at) ELSE 0 END AS paid,
                CASE WHEN i.fees_minor > 0 THEN (SELECT CAST(COALESCE(SUM(f.amount_minor), 0) AS BIGINT) FROM fees f
                    WHERE f.invoice_id = i.id AND f.created_at > a.at) ELSE 0 END AS fees
            FROM (SELECT DISTINCT e.invoice_id, e.source, e.at FROM effects e
                WHERE e.invoice_id = ANY (ids) AND e.kind = 'node' AND e.key LIKE '%/entered#0') a
            JOIN invoices i ON i.id = a.invoice_id OFFSET 0) x
        RETURNING *)
    INSERT INTO dashboard_recovery (at, prev_at, source, owner_id, currency, region, entered, entered_minor, recovered, recovered_minor)
    SELECT a.at, a.prev_at, a.source, a.owner_id, a.currency, a.region,
        COUNT(*), SUM(a.entered_minor), SUM(a.settled), SUM(LEAST(a.paid_minor, a.entered_minor))
    FROM added a WHERE a.entered_minor > 0
    GROUP BY a.at, a.prev_at, a.source, a.owner_id, a.currency, a.region;
END
$$;
-- +goose StatementEnd

-- Adds the stage entry of invoice inv into node src at t, the latest into
-- that node (the tick enters nodes in time order); any other entry is
-- recomputed with the rest of the invoice's.
-- +goose StatementBegin
CREATE FUNCTION dashboard_add_entry(inv BIGINT, src TEXT, t TIMESTAMPTZ) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM dashboard_entries e WHERE e.invoice_id = inv AND e.source = src AND e.at >= t) THEN
        PERFORM dashboard_refresh_entries(ARRAY[inv]);
        RETURN;
    END IF;
    WITH added AS (
        INSERT INTO dashboard_entries (invoice_id, source, at, prev_at, owner_id, currency, region, entered_minor, paid_minor, settled)
        SELECT x.invoice_id, src, t, x.prev_at, x.owner_id, x.currency, x.region,
            x.balance + x.paid - x.fees, x.paid, CASE WHEN x.balance <= 0 THEN 1 ELSE 0 END
        FROM (SELECT i.id AS invoice_id,
                (SELECT MAX(e.at) FROM effects e WHERE e.invoice_id = i.id AND e.source = src
                    AND e.kind = 'node' AND e.key LIKE '%/entered#0' AND e.at < t) AS prev_at,
                COALESCE(i.owner_id, 0) AS owner_id, i.currency, dashboard_region(i.customer_id) AS region,
                i.balance_minor AS balance,
                CASE WHEN i.last_paid_at >= t THEN (SELECT CAST(COALESCE(SUM(p.amount_minor), 0) AS BIGINT) FROM payments p
                    WHERE p.invoice_id = i.id AND p.paid_at >= t) ELSE 0 END AS paid,
                CASE WHEN i.fees_minor > 0 THEN (SELECT CAST(COALESCE(SUM(f.amount_minor), 0) AS BIGINT) FROM fees f
                    WHERE f.invoice_id = i.id AND f.created_at > t) ELSE 0 END AS fees
            FROM invoices i WHERE i.id = inv OFFSET 0) x
        RETURNING *)
    INSERT INTO dashboard_recovery (at, prev_at, source, owner_id, currency, region, entered, entered_minor, recovered, recovered_minor)
    SELECT a.at, a.prev_at, a.source, a.owner_id, a.currency, a.region,
        1, a.entered_minor, a.settled, LEAST(a.paid_minor, a.entered_minor)
    FROM added a WHERE a.entered_minor > 0;
END
$$;
-- +goose StatementEnd

-- Recomputes the stage entries of those of invoices ids that have any.
-- +goose StatementBegin
CREATE FUNCTION dashboard_refresh_entered(ids BIGINT[]) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    PERFORM dashboard_refresh_entries(ARRAY(SELECT DISTINCT e.invoice_id FROM dashboard_entries e WHERE e.invoice_id = ANY (ids)));
END
$$;
-- +goose StatementEnd

-- Lists those of invoices ids that have promises or plans for the store.
-- +goose StatementBegin
CREATE FUNCTION dashboard_mark(ids BIGINT[]) RETURNS void LANGUAGE sql AS $$
    INSERT INTO dashboard_dirty (invoice_id)
    SELECT DISTINCT t.invoice_id FROM tasks t
    WHERE t.invoice_id = ANY (ids) AND t.status = 'done' AND (t.outcome->>'outcome' = 'promised' OR t.outcome->>'decision' = 'payment_plan')
$$;
-- +goose StatementEnd

-- Invoices inserted, per statement (an import inserts hundreds at once).
-- +goose StatementBegin
CREATE FUNCTION dashboard_sums_invoices_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO dashboard_open (owner_id, currency, region, due_date, balance_minor, invoices)
    SELECT COALESCE(n.owner_id, 0), n.currency, COALESCE(c.region, ''), n.due_date, SUM(n.balance_minor), COUNT(*)
    FROM new_invoices n LEFT JOIN customers c ON c.id = n.customer_id
    WHERE n.balance_minor > 0
    GROUP BY 1, 2, 3, 4;
    INSERT INTO dashboard_sales (issue_date, owner_id, currency, region, amount_minor, invoices)
    SELECT n.issue_date, COALESCE(n.owner_id, 0), n.currency, COALESCE(c.region, ''), SUM(n.amount_minor), COUNT(*)
    FROM new_invoices n LEFT JOIN customers c ON c.id = n.customer_id
    GROUP BY 1, 2, 3, 4;
    RETURN NULL;
END
$$;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE FUNCTION dashboard_sums_invoice_updated() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    old_region TEXT := dashboard_region(OLD.customer_id);
    new_region TEXT := dashboard_region(NEW.customer_id);
    moved      BOOLEAN := OLD.owner_id IS DISTINCT FROM NEW.owner_id OR OLD.currency <> NEW.currency OR OLD.customer_id <> NEW.customer_id;
BEGIN
    IF moved OR OLD.due_date <> NEW.due_date OR OLD.balance_minor <> NEW.balance_minor THEN
        INSERT INTO dashboard_open (owner_id, currency, region, due_date, balance_minor, invoices)
        SELECT COALESCE(OLD.owner_id, 0), OLD.currency, old_region, OLD.due_date, -OLD.balance_minor, -1 WHERE OLD.balance_minor > 0
        UNION ALL
        SELECT COALESCE(NEW.owner_id, 0), NEW.currency, new_region, NEW.due_date, NEW.balance_minor, 1 WHERE NEW.balance_minor > 0;
    END IF;
    IF moved OR OLD.issue_date <> NEW.issue_date OR OLD.amount_minor <> NEW.amount_minor THEN
        INSERT INTO dashboard_sales (issue_date, owner_id, currency, region, amount_minor, invoices)
        VALUES (OLD.issue_date, COALESCE(OLD.owner_id, 0), OLD.currency, old_region, -OLD.amount_minor, -1),
               (NEW.issue_date, COALESCE(NEW.owner_id, 0), NEW.currency, new_region, NEW.amount_minor, 1);
    END IF;
    IF moved OR OLD.balance_minor <> NEW.balance_minor OR OLD.fees_minor <> NEW.fees_minor OR OLD.last_paid_at IS DISTINCT FROM NEW.last_paid_at THEN
        PERFORM dashboard_refresh_entered(ARRAY[NEW.id]);
    END IF;
    IF moved OR OLD.balance_minor <> NEW.balance_minor THEN
        PERFORM dashboard_mark(ARRAY[NEW.id]);
    END IF;
    IF OLD.owner_id IS DISTINCT FROM NEW.owner_id THEN
        INSERT INTO dashboard_tasks (assignee_id, role, kind, owner_id, due_at, tasks)
        SELECT 0, 'sales_manager', t.kind, o.owner_id, t.due_at, o.sign * COUNT(*)
        FROM tasks t CROSS JOIN (VALUES (COALESCE(OLD.owner_id, 0), -1), (COALESCE(NEW.owner_id, 0), 1)) o (owner_id, sign)
        WHERE t.invoice_id = NEW.id AND t.status = 'open' AND t.assignee_id IS NULL AND t.role = 'sales_manager'
        GROUP BY t.kind, t.due_at, o.owner_id, o.sign;
    END IF;
    RETURN NULL;
END
$$;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE FUNCTION dashboard_sums_invoice_deleted() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    old_region TEXT := dashboard_region(OLD.customer_id);
BEGIN
    INSERT INTO dashboard_open (owner_id, currency, region, due_date, balance_minor, invoices)
    SELECT COALESCE(OLD.owner_id, 0), OLD.currency, old_region, OLD.due_date, -OLD.balance_minor, -1 WHERE OLD.balance_minor > 0;
    INSERT INTO dashboard_sales (issue_date, owner_id, currency, region, amount_minor, invoices)
    VALUES (OLD.issue_date, COALESCE(OLD.owner_id, 0), OLD.currency, old_region, -OLD.amount_minor, -1);
    PERFORM dashboard_refresh_entered(ARRAY[OLD.id]);
    INSERT INTO dashboard_dirty (invoice_id)
    SELECT OLD.id WHERE EXISTS (SELECT 1 FROM dashboard_cash_items ci WHERE ci.invoice_id = OLD.id);
    RETURN NULL;
END
$$;
-- +goose StatementEnd

-- A customer's region moves its invoices' sums.
-- +goose StatementBegin
CREATE FUNCTION dashboard_sums_customer_region() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    ids BIGINT[] := ARRAY(SELECT i.id FROM invoices i WHERE i.customer_id = NEW.id);
BEGIN
    INSERT INTO dashboard_open (owner_id, currency, region, due_date, balance_minor, invoices)
    SELECT COALESCE(i.owner_id, 0), i.currency, r.region, i.due_date, r.sign * SUM(i.balance_minor), r.sign * COUNT(*)
    FROM invoices i CROSS JOIN (VALUES (OLD.region, -1), (NEW.region, 1)) r (region, sign)
    WHERE i.customer_id = NEW.id AND i.balance_minor > 0
    GROUP BY 1, 2, 3, 4, r.sign;
    INSERT INTO dashboard_sales (issue_date, owner_id, currency, region, amount_minor, invoices)
    SELECT i.issue_date, COALESCE(i.owner_id, 0), i.currency, r.region, r.sign * SUM(i.amount_minor), r.sign * COUNT(*)
    FROM invoices i CROSS JOIN (VALUES (OLD.region, -1), (NEW.region, 1)) r (region, sign)
    WHERE i.customer_id = NEW.id
    GROUP BY 1, 2, 3, 4, r.sign;
    PERFORM dashboard_refresh_entered(ids);
    PERFORM dashboard_mark(ids);
    RETURN NULL;
END
$$;
-- +goose StatementEnd

-- Payments and fees (the same columns matter in both).
-- +goose StatementBegin
CREATE FUNCTION dashboard_sums_money_changed() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    ids BIGINT[] := '{}';
BEGIN
    IF TG_OP <> 'INSERT' THEN
        ids := ids || OLD.invoice_id;
    END IF;
    IF TG_OP <> 'DELETE' THEN
        ids := ids || NEW.invoice_id;
    END IF;
    PERFORM dashboard_refresh_entered(ids);
    PERFORM dashboard_mark(ids);
    RETURN NULL;
END
$$;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE FUNCTION dashboard_sums_effect_changed() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    ids BIGINT[] := '{}';
BEGIN
    IF TG_OP = 'INSERT' THEN
        IF NEW.invoice_id IS NOT NULL THEN
            PERFORM dashboard_add_entry(NEW.invoice_id, NEW.source, NEW.at);
        END IF;
        RETURN NULL;
    END IF;
    IF OLD.invoice_id IS NOT NULL THEN
        ids := ids || OLD.invoice_id;
    END IF;
    IF TG_OP <> 'DELETE' AND NEW.invoice_id IS NOT NULL THEN
        ids := ids || NEW.invoice_id;
    END IF;
    PERFORM dashboard_refresh_entries(ARRAY(SELECT DISTINCT unnest(ids)));
    RETURN NULL;
END
$$;
-- +goose StatementEnd

-- Tasks: open ones are counted; done ones that promise payment or decide
-- a plan list their invoice.
-- +goose StatementBegin
CREATE FUNCTION dashboard_sums_task_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP <> 'INSERT' THEN
        IF OLD.status = 'open' THEN
            INSERT INTO dashboard_tasks (assignee_id, role, kind, owner_id, due_at, tasks)
            VALUES (COALESCE(OLD.assignee_id, 0), OLD.role, OLD.kind,
                CASE WHEN OLD.assignee_id IS NULL AND OLD.role = 'sales_manager'
                    THEN COALESCE((SELECT i.owner_id FROM invoices i WHERE i.id = OLD.invoice_id), 0) ELSE 0 END,
                OLD.due_at, -1);
        END IF;
        IF OLD.invoice_id IS NOT NULL AND OLD.status = 'done'
            AND (OLD.outcome->>'outcome' = 'promised' OR OLD.outcome->>'decision' = 'payment_plan') THEN
            INSERT INTO dashboard_dirty (invoice_id) VALUES (OLD.invoice_id);
        END IF;
    END IF;
    IF TG_OP <> 'DELETE' THEN
        IF NEW.status = 'open' THEN
            INSERT INTO dashboard_tasks (assignee_id, role, kind, owner_id, due_at, tasks)
            VALUES (COALESCE(NEW.assignee_id, 0), NEW.role, NEW.kind,
                CASE WHEN NEW.assignee_id IS NULL AND NEW.role = 'sales_manager'
                    THEN COALESCE((SELECT i.owner_id FROM invoices i WHERE i.id = NEW.invoice_id), 0) ELSE 0 END,
                NEW.due_at, 1);
        END IF;
        IF NEW.invoice_id IS NOT NULL AND NEW.status = 'done'
            AND (NEW.outcome->>'outcome' = 'promised' OR NEW.outcome->>'decision' = 'payment_plan') THEN
            INSERT INTO dashboard_dirty (invoice_id) VALUES (NEW.invoice_id);
        END IF;
    END IF;
    RETURN NULL;
END
$$;
-- +goose StatementEnd

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

SELECT dashboard_refresh_entries(ARRAY(SELECT DISTINCT e.invoice_id FROM effects e
    WHERE e.invoice_id IS NOT NULL AND e.kind = 'node' AND e.key LIKE '%/entered#0'));

INSERT INTO dashboard_tasks (assignee_id, role, kind, owner_id, due_at, tasks)
SELECT COALESCE(t.assignee_id, 0), t.role, t.kind,
    CASE WHEN t.assignee_id IS NULL AND t.role = 'sales_manager' THEN COALESCE(i.owner_id, 0) ELSE 0 END,
    t.due_at, COUNT(*)
FROM tasks t LEFT JOIN invoices i ON i.id = t.invoice_id
WHERE t.status = 'open'
GROUP BY 1, 2, 3, 4, 5;

CREATE TRIGGER dashboard_sums_invoices_insert AFTER INSERT ON invoices
    REFERENCING NEW TABLE AS new_invoices
    FOR EACH STATEMENT EXECUTE FUNCTION dashboard_sums_invoices_inserted();
CREATE TRIGGER dashboard_sums_invoices_update AFTER UPDATE ON invoices
    FOR EACH ROW
    WHEN (OLD.owner_id IS DISTINCT FROM NEW.owner_id OR OLD.currency <> NEW.currency OR OLD.customer_id <> NEW.customer_id
        OR OLD.due_date <> NEW.due_date OR OLD.issue_date <> NEW.issue_date OR OLD.amount_minor <> NEW.amount_minor
        OR OLD.balance_minor <> NEW.balance_minor OR OLD.fees_minor <> NEW.fees_minor
        OR OLD.last_paid_at IS DISTINCT FROM NEW.last_paid_at)
    EXECUTE FUNCTION dashboard_sums_invoice_updated();
CREATE TRIGGER dashboard_sums_invoices_delete AFTER DELETE ON invoices
    FOR EACH ROW EXECUTE FUNCTION dashboard_sums_invoice_deleted();
CREATE TRIGGER dashboard_sums_customers_region AFTER UPDATE OF region ON customers
    FOR EACH ROW WHEN (OLD.region IS DISTINCT FROM NEW.region)
    EXECUTE FUNCTION dashboard_sums_customer_region();
CREATE TRIGGER dashboard_sums_payments_insert AFTER INSERT OR DELETE ON payments
    FOR EACH ROW EXECUTE FUNCTION dashboard_sums_money_changed();
CREATE TRIGGER dashboard_sums_payments_update AFTER UPDATE ON payments
    FOR EACH ROW
    WHEN (OLD.invoice_id <> NEW.invoice_id OR OLD.amount_minor <> NEW.amount_minor OR OLD.paid_at <> NEW.paid_at)
    EXECUTE FUNCTION dashboard_sums_money_changed();
CREATE TRIGGER dashboard_sums_fees_insert AFTER INSERT OR DELETE ON fees
    FOR EACH ROW EXECUTE FUNCTION dashboard_sums_money_changed();
CREATE TRIGGER dashboard_sums_fees_update AFTER UPDATE ON fees
    FOR EACH ROW
    WHEN (OLD.invoice_id <> NEW.invoice_id OR OLD.amount_minor <> NEW.amount_minor OR OLD.created_at <> NEW.created_at)
    EXECUTE FUNCTION dashboard_sums_money_changed();
CREATE TRIGGER dashboard_sums_effects_insert AFTER INSERT ON effects
    FOR EACH ROW WHEN (NEW.kind = 'node' AND NEW.key LIKE '%/entered#0')
    EXECUTE FUNCTION dashboard_sums_effect_changed();
CREATE TRIGGER dashboard_sums_effects_update AFTER UPDATE ON effects
    FOR EACH ROW
    WHEN (((OLD.kind = 'node' AND OLD.key LIKE '%/entered#0') OR (NEW.kind = 'node' AND NEW.key LIKE '%/entered#0'))
        AND (OLD.kind <> NEW.kind OR OLD.key <> NEW.key OR OLD.source <> NEW.source OR OLD.at <> NEW.at
            OR OLD.invoice_id IS DISTINCT FROM NEW.invoice_id))
    EXECUTE FUNCTION dashboard_sums_effect_changed();
CREATE TRIGGER dashboard_sums_effects_delete AFTER DELETE ON effects
    FOR EACH ROW WHEN (OLD.kind = 'node' AND OLD.key LIKE '%/entered#0')
    EXECUTE FUNCTION dashboard_sums_effect_changed();
CREATE TRIGGER dashboard_sums_tasks_insert AFTER INSERT ON tasks
    FOR EACH ROW
    WHEN (NEW.status = 'open' OR (NEW.status = 'done' AND (NEW.outcome->>'outcome' = 'promised' OR NEW.outcome->>'decision' = 'payment_plan')))
    EXECUTE FUNCTION dashboard_sums_task_changed();
CREATE TRIGGER dashboard_sums_tasks_update AFTER UPDATE ON tasks
    FOR EACH ROW
    WHEN (((OLD.status = 'open' OR NEW.status = 'open')
            AND (OLD.status <> NEW.status OR OLD.assignee_id IS DISTINCT FROM NEW.assignee_id OR OLD.role <> NEW.role
                OR OLD.kind <> NEW.kind OR OLD.due_at IS DISTINCT FROM NEW.due_at OR OLD.invoice_id IS DISTINCT FROM NEW.invoice_id))
        OR (((OLD.status = 'done' AND (OLD.outcome->>'outcome' = 'promised' OR OLD.outcome->>'decision' = 'payment_plan'))
                OR (NEW.status = 'done' AND (NEW.outcome->>'outcome' = 'promised' OR NEW.outcome->>'decision' = 'payment_plan')))
            AND (OLD.status <> NEW.status OR OLD.outcome <> NEW.outcome OR OLD.invoice_id IS DISTINCT FROM NEW.invoice_id
                OR OLD.completed_at IS DISTINCT FROM NEW.completed_at)))
    EXECUTE FUNCTION dashboard_sums_task_changed();
CREATE TRIGGER dashboard_sums_tasks_delete AFTER DELETE ON tasks
    FOR EACH ROW
    WHEN (OLD.status = 'open' OR (OLD.status = 'done' AND (OLD.outcome->>'outcome' = 'promised' OR OLD.outcome->>'decision' = 'payment_plan')))
    EXECUTE FUNCTION dashboard_sums_task_changed();

-- +goose Down
DROP TRIGGER dashboard_sums_tasks_delete ON tasks;
DROP TRIGGER dashboard_sums_tasks_update ON tasks;
DROP TRIGGER dashboard_sums_tasks_insert ON tasks;
DROP TRIGGER dashboard_sums_effects_delete ON effects;
DROP TRIGGER dashboard_sums_effects_update ON effects;
DROP TRIGGER dashboard_sums_effects_insert ON effects;
DROP TRIGGER dashboard_sums_fees_update ON fees;
DROP TRIGGER dashboard_sums_fees_insert ON fees;
DROP TRIGGER dashboard_sums_payments_update ON payments;
DROP TRIGGER dashboard_sums_payments_insert ON payments;
DROP TRIGGER dashboard_sums_customers_region ON customers;
DROP TRIGGER dashboard_sums_invoices_delete ON invoices;
DROP TRIGGER dashboard_sums_invoices_update ON invoices;
DROP TRIGGER dashboard_sums_invoices_insert ON invoices;
DROP FUNCTION dashboard_sums_task_changed();
DROP FUNCTION dashboard_sums_effect_changed();
DROP FUNCTION dashboard_sums_money_changed();
DROP FUNCTION dashboard_sums_customer_region();
DROP FUNCTION dashboard_sums_invoice_deleted();
DROP FUNCTION dashboard_sums_invoice_updated();
DROP FUNCTION dashboard_sums_invoices_inserted();
DROP FUNCTION dashboard_mark(BIGINT[]);
DROP FUNCTION dashboard_refresh_entered(BIGINT[]);
DROP FUNCTION dashboard_add_entry(BIGINT, TEXT, TIMESTAMPTZ);
DROP FUNCTION dashboard_refresh_entries(BIGINT[]);
DROP FUNCTION dashboard_region(BIGINT);
DROP TABLE dashboard_state;
DROP TABLE dashboard_cash;
DROP TABLE dashboard_cash_items;
DROP TABLE dashboard_dirty;
DROP TABLE dashboard_tasks;
DROP TABLE dashboard_recovery;
DROP TABLE dashboard_entries;
DROP TABLE dashboard_sales;
DROP TABLE dashboard_open;
DROP SEQUENCE dashboard_delta;
