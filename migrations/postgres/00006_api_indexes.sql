-- +goose Up
-- The API's invoice lists (store/invoices_query.go): pages in id order,
-- filtered by status, owner, customer risk and due date ranges. With the
-- id last, an equality on status or owner (and status) walks its matches
-- in id order; PostgreSQL's planner picks between walking and collecting
-- then sorting from its statistics. (owner_id, id) replaces (owner_id).
CREATE INDEX invoices_status ON invoices (status, id);
CREATE INDEX invoices_owner_id ON invoices (owner_id, id);
CREATE INDEX invoices_owner_status ON invoices (owner_id, status, id);
DROP INDEX invoices_owner;
-- Invoices with a balance by due date: aging buckets and overdue ranges.
CREATE INDEX invoices_open_due ON invoices (due_date) INCLUDE (status, owner_id, customer_id, balance_minor) WHERE balance_minor > 0;
-- The same by status first: a status with a due date range, which may
-- match nothing at all (paid, and overdue), is found without a walk.
CREATE INDEX invoices_open_status_due ON invoices (status, due_date) INCLUDE (owner_id, customer_id, balance_minor) WHERE balance_minor > 0;
-- Customers by risk, and invoices by customer: the invoices of one
-- customer or of a rare risk level.
CREATE INDEX customers_risk ON customers (risk);
CREATE INDEX invoices_customer_list ON invoices (customer_id) INCLUDE (owner_id, status, due_date, balance_minor);

-- +goose Down
DROP INDEX invoices_open_status_due;
DROP INDEX invoices_customer_list;
DROP INDEX customers_risk;
DROP INDEX invoices_open_due;
CREATE INDEX invoices_owner ON invoices (owner_id);
DROP INDEX invoices_owner_status;
DROP INDEX invoices_owner_id;
DROP INDEX invoices_status;
