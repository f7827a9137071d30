// The words the graph and the side panel show for a node's condition and an
// outcome's route, in the user's language.
import type { TFunction } from 'i18next';
import { parseDays } from './workflowEdit';
import type { NodeModel, OutcomeModel } from './workflowModel';

/** shorten cuts a long expression to max characters with an ellipsis. */
export function shorten(s: string, max = 48): string {
  return s.length <= max ? s : `${s.slice(0, max - 1)}…`;
}

/** conditionText is a node's entry condition in short: its stage days as words, else the expression. */
export function conditionText(n: Pick<NodeModel, 'when' | 'after'>, t: TFunction): string {
  const days = parseDays(n.when);
  let when: string | undefined;
  if (days && days.from !== null && days.to !== null) when = t('workflowGraph:condition.days', { from: days.from, to: days.to });
  else if (days && days.from !== null) when = t('workflowGraph:condition.from', { from: days.from });
  else if (days && days.to !== null) when = t('workflowGraph:condition.to', { to: days.to });
  else if (n.when) when = shorten(n.when);
  if (when && n.after) return t('workflowGraph:condition.whenAfter', { when, after: n.after });
  if (n.after) return t('workflowGraph:condition.after', { after: n.after });
  return when ?? t('workflowGraph:condition.none');
}

/** routeText is an outcome as an edge's label: "promised → wait until form.promised_date". */
export function routeText(o: OutcomeModel, t: TFunction, long = false): string {
  const max = long ? 200 : 32;
  const base = t(`workflowGraph:route.${o.route}`, {
    value: o.value,
    target: o.target ?? '',
    until: shorten(o.until ?? '', max),
    reason: o.reason ?? '',
  });
  if (!long) return base;
  const extra = [
    o.record ? t('workflowGraph:route.record', { record: o.record }) : '',
    o.then.length > 0 ? t('workflowGraph:route.then', { count: o.then.length }) : '',
  ].filter(Boolean);
  return extra.length > 0 ? `${base}; ${extra.join('; ')}` : base;
}
