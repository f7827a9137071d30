-- +goose Up
-- The invoice list's search and currency filter (store/invoice_search.go,
-- store/invoices_query.go).
-- Invoices whose number starts with a text in any case are one range of
-- this index, in the BINARY order SQLite compares text in.
CREATE INDEX invoices_number_lower ON invoices (lower(number));
-- Customers whose name or external id contains a text: no index finds a
-- substring, but a pass over this one reads a tenth of what a pass over
-- the table reads, and takes the lower-case values from it.
CREATE INDEX customers_search ON customers (lower(name), lower(external_id));
-- A currency (with a status) that few invoices have is collected through
-- this index; a common one is tested on the invoices walked.
CREATE INDEX invoices_currency_status ON invoices (currency, status);

-- +goose Down
DROP INDEX invoices_currency_status;
DROP INDEX customers_search;
DROP INDEX invoices_number_lower;
