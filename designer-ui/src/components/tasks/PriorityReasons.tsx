// Why a task ranks where it does, from the server's priority_reasons:
// "CN¥120,000.00, 34 days overdue, promise broken".
import { useTranslation } from 'react-i18next';
import { formatMoney } from '../../money';
import { formatDate, localeOf } from '../../format';
import type { PriorityReason } from './taskApi';

export function useReasonText(): (r: PriorityReason) => string {
  const { t, i18n } = useTranslation('inbox');
  const locale = localeOf(i18n);
  return (r) => {
    switch (r.code) {
      case 'amount':
        return r.amount_minor !== undefined && r.currency ? formatMoney(r.amount_minor, r.currency, locale) : t('reason.amount');
      case 'days_overdue':
        return t('reason.days_overdue', { count: r.days ?? 0 });
      case 'promise_broken':
        return r.date ? t('reason.promise_broken_on', { date: formatDate(r.date, locale) }) : t('reason.promise_broken');
      case 'promise_due':
        return r.date ? t('reason.promise_due_on', { date: formatDate(r.date, locale) }) : t('reason.promise_due');
      case 'task_overdue':
        return t('reason.task_overdue');
      default:
        return String(r.code);
    }
  };
}

/** PriorityReasons says, in one short line, why the task is where it is in the list. */
export function PriorityReasons({ reasons, first }: { reasons: PriorityReason[] | undefined; first?: boolean }) {
  const { t } = useTranslation('inbox');
  const text = useReasonText();
  if (!reasons || reasons.length === 0) return null;
  return (
    <span className="task-reasons">
      {t(first ? 'firstBecause' : 'because', { reasons: reasons.map(text).join(t('reasonSeparator')) })}
    </span>
  );
}
