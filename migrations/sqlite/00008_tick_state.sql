-- +goose Up
-- What a tick reads besides the invoices, made small.
-- Rising-edge conditions are kept only while true: an absent row means the
-- condition is false (or was never evaluated, which counts as false).
DELETE FROM rule_conditions WHERE value = 0;
-- The workflow tasks a tick needs: open ones an SLA may escalate, and done
-- ones whose outcome may still have to be routed. Most open tasks are
-- neither and are read only when their instance ends.
CREATE INDEX tasks_tick_due ON tasks (invoice_id, due_at)
    WHERE status = 'open' AND escalated_at IS NULL AND instance_id IS NOT NULL AND due_at IS NOT NULL;
CREATE INDEX tasks_tick_done ON tasks (invoice_id, completed_at)
    WHERE status = 'done' AND instance_id IS NOT NULL;

-- +goose Down
DROP INDEX tasks_tick_done;
DROP INDEX tasks_tick_due;
