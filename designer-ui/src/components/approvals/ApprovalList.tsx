// The approval queue, oldest first: customer, amount, days overdue, stage.
// Each row is a link to the approval; the one open is marked current.
import { Link } from 'react-router';
import { Button, Empty } from 'antd';
import { useTranslation } from 'react-i18next';
import { localized } from '../formDefinition';
import { Money } from '../Money';
import { formatInstant, localeOf } from '../../format';
import type { ApprovalRow } from './approvalApi';

export function stageOf(row: ApprovalRow, lang: string): string {
  return localized(row.stage_title, lang) || row.node || '';
}

export function ApprovalList({ rows, selected, total, hasMore, loadingMore, onMore }: {
  rows: ApprovalRow[];
  selected: number | undefined;
  total: number | undefined;
  hasMore: boolean;
  loadingMore: boolean;
  onMore: () => void;
}) {
  const { t, i18n } = useTranslation('approvals');
  const locale = localeOf(i18n);
  if (rows.length === 0) return <Empty description={t('empty')} />;
  return (
    <nav aria-label={t('queue')} className="approval-queue">
      <p className="approval-count" aria-live="polite">
        {t('countShown', { shown: rows.length, n: total ?? rows.length })}
      </p>
      <ol className="approval-list">
        {rows.map((r) => {
          const current = r.id === selected;
          const stage = stageOf(r, i18n.language);
          return (
            <li key={r.id}>
              <Link
                to={`/approvals/${r.id}`}
                className={`approval-item${current ? ' approval-item-current' : ''}`}
                aria-current={current ? 'page' : undefined}
                data-approval={r.id}
              >
                <span className="approval-line1">
                  <span className="approval-customer">{r.customer_name || r.customer || r.title}</span>
                  {r.balance_minor !== undefined && r.currency && (
                    <Money minor={r.balance_minor} currency={r.currency} strong />
                  )}
                </span>
                <span className="approval-line2">
                  {r.invoice && <span>{r.invoice}</span>}
                  {r.days_overdue !== undefined && (
                    <span className={`badge badge-${r.days_overdue > 60 ? 'red' : r.days_overdue > 30 ? 'orange' : r.days_overdue > 0 ? 'gold' : 'grey'}`}>
                      {r.days_overdue > 0 ? t('daysOverdue', { n: r.days_overdue }) : t('notOverdue')}
                    </span>
                  )}
                </span>
                {(!r.customer_name || r.balance_minor === undefined) && <span className="approval-line3">{r.title}</span>}
                <span className="approval-line3">
                  {stage && <>{t('stage', { stage })} · </>}
                  {r.overdue ? <span className="approval-late">{t('overdue')}</span> : t('waiting', { when: formatInstant(r.created_at, locale) })}
                </span>
              </Link>
            </li>
          );
        })}
      </ol>
      {hasMore && (
        <Button block onClick={onMore} loading={loadingMore} style={{ marginTop: 8 }}>{t('more')}</Button>
      )}
    </nav>
  );
}
