-- +goose Up
-- The dashboard reads summed tables since 00010; these two indexes of
-- 00007 only served its scans of every invoice, and cost every invoice
-- write (imports, payments, the tick's state changes).
DROP INDEX invoices_dashboard_open;
DROP INDEX invoices_dashboard_issued;

-- +goose Down
CREATE INDEX invoices_dashboard_open ON invoices (owner_id, currency, due_date, balance_minor, customer_id)
    WHERE balance_minor > 0;
CREATE INDEX invoices_dashboard_issued ON invoices (issue_date, currency, amount_minor, owner_id, customer_id);
