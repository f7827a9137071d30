// Which nodes two versions of a workflow add, change and remove, by name, for
// WorkflowGraph's highlight: draw the newer version with added and changed,
// the older with removed (and changed).
import type { GraphHighlight } from './WorkflowGraph';
import type { ActionModel, ApprovalRouteModel, NodeModel, OutcomeModel, WorkflowModel } from './workflowModel';

/** what a node means, without where it is written (lines, paths, index). */
function meaning(n: NodeModel): unknown {
  const action = ({ path: _p, line: _l, ...a }: ActionModel) => a;
  const outcome = ({ path: _p, line: _l, then, ...o }: OutcomeModel) => ({ ...o, then: then.map(action) });
  const { range: _r, path: _p, index: _i, actions, outcomes: _o, task, approval, ...rest } = n;
  return {
    ...rest,
    actions: actions.map(action),
    task: task && { ...task, outcomes: task.outcomes.map(outcome) },
    approval: approval && { ...approval, route: approval.route.map(({ line: _l, ...r }: ApprovalRouteModel) => r), outcomes: approval.outcomes.map(outcome) },
  };
}

/**
 * compareWorkflows lists the node names only in newer (added), only in older
 * (removed), and in both with a different meaning (changed): a comment or a
 * reformatting is not a change, a different title, condition, action or
 * route is.
 */
export function compareWorkflows(older: WorkflowModel, newer: WorkflowModel): Required<GraphHighlight> {
  const before = new Map(older.nodes.map((n) => [n.name, JSON.stringify(meaning(n))]));
  const after = new Map(newer.nodes.map((n) => [n.name, JSON.stringify(meaning(n))]));
  return {
    added: [...after.keys()].filter((k) => !before.has(k)),
    removed: [...before.keys()].filter((k) => !after.has(k)),
    changed: [...after.keys()].filter((k) => before.has(k) && before.get(k) !== after.get(k)),
  };
}
