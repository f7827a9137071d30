-- +goose Up
-- The API's invoice lists (store/invoices_query.go): pages in id order,
-- filtered by status, owner, customer risk and due date ranges. SQLite
-- keeps an index's entries with one value in rowid order, so an equality
-- on (status) or (owner_id, status) walks matches in id order with no
-- sort; the store names the index it walks (INDEXED BY), as the planner
-- has no statistics to choose with.
CREATE INDEX invoices_status ON invoices (status);
CREATE INDEX invoices_owner_status ON invoices (owner_id, status);
-- Invoices with a balance by due date: aging buckets and overdue ranges
-- when they match few invoices (collected, then sorted by id). The other
-- columns a list filters on make it covering: no row is read but the
-- page's.
CREATE INDEX invoices_open_due ON invoices (due_date, status, owner_id, customer_id, balance_minor) WHERE balance_minor > 0;
-- The same by status first: a status with a due date range, which may
-- match nothing at all (paid, and overdue), is found without a walk.
CREATE INDEX invoices_open_status_due ON invoices (status, due_date, owner_id, customer_id, balance_minor) WHERE balance_minor > 0;
-- Customers by risk, and invoices by customer: the invoices of one
-- customer or of a rare risk level, again covering what lists filter on.
CREATE INDEX customers_risk ON customers (risk);
CREATE INDEX invoices_customer_list ON invoices (customer_id, owner_id, status, due_date, balance_minor);

-- +goose Down
DROP INDEX invoices_open_status_due;
DROP INDEX invoices_customer_list;
DROP INDEX customers_risk;
DROP INDEX invoices_open_due;
DROP INDEX invoices_owner_status;
DROP INDEX invoices_status;
