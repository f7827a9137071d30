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
-- Customers by risk: the invoices of a rare risk level.
CREATE INDEX customers_risk ON customers (risk);

-- +goose Down
DROP INDEX customers_risk;
DROP INDEX invoices_open_due;
CREATE INDEX invoices_owner ON invoices (owner_id);
DROP INDEX invoices_owner_status;
DROP INDEX invoices_owner_id;
DROP INDEX invoices_status;
