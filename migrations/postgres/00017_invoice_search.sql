-- +goose Up
-- The invoice list's search and currency filter (store/invoice_search.go,
-- store/invoices_query.go).
-- Invoices whose number starts with a text in any case are one range of
-- this index. The "C" collation compares bytes, so that a prefix is a
-- range whatever the database's collation.
CREATE INDEX invoices_number_lower ON invoices ((lower(number)) COLLATE "C");
-- A currency, with a status or not, in id order within one value (as
-- 00006's indexes): the planner walks it for a currency few invoices have.
CREATE INDEX invoices_currency_status ON invoices (currency, status, id);

-- +goose Down
DROP INDEX invoices_currency_status;
DROP INDEX invoices_number_lower;
