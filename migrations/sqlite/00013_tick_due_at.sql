-- +goose Up
-- The open workflow tasks past their due time that an SLA may escalate,
-- by due time. tasks_tick_due (00008) finds them by invoice range, which
-- reads every open task of the range to find the few that are due; a tick
-- uses this index instead when few are due (see Store.loadWorkflows).
CREATE INDEX tasks_tick_due_at ON tasks (due_at, invoice_id)
    WHERE status = 'open' AND escalated_at IS NULL AND instance_id IS NOT NULL AND due_at IS NOT NULL;

-- +goose Down
DROP INDEX tasks_tick_due_at;
