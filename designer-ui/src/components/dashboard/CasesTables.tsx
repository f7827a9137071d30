// Disputes (open ones by age and past their SLA, those resolved in the
// window) and the promise-to-pay records (kept rate = kept / (kept +
// broken)), per currency, from GET /api/dashboard's disputes and
// promise_records.
import { Card, Empty, Table } from 'antd';
import { useTranslation } from 'react-i18next';
import type { Schemas } from '../../api/client';
import { formatNumber, formatPercent, localeOf } from '../../format';
import { Money } from '../Money';

type Dashboard = Schemas['Dashboard'];

export function CasesTables({ d }: { d: Dashboard }) {
  const { t, i18n } = useTranslation('dashboard');
  const locale = localeOf(i18n);
  const num = (n: number) => formatNumber(n, locale);
  return (
    <>
      <Card id="chart-disputes" title={<h2 className="card-title">{t('disputes.title')}</h2>}>
        <p className="muted">{t('disputes.description')}</p>
        {d.disputes.length === 0 ? (
          <Empty className="table-card-empty" image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('disputes.none')} />
        ) : (
        <div className="chart-table" tabIndex={0} role="region" aria-label={t('disputes.title')}>
        <Table size="small" pagination={false} rowKey="currency" dataSource={d.disputes} scroll={{ x: 'max-content' }}
          columns={[
            { key: 'currency', title: t('col.currency'), dataIndex: 'currency' },
            { key: 'open', title: t('disputes.open'), align: 'right', render: (_, r) => num(r.open) },
            { key: 'openAmount', title: t('disputes.openAmount'), align: 'right', render: (_, r) => <Money minor={r.open_minor} currency={r.currency} /> },
            { key: 'a7', title: t('disputes.age0to7'), align: 'right', render: (_, r) => num(r.age_0_7) },
            { key: 'a30', title: t('disputes.age8to30'), align: 'right', render: (_, r) => num(r.age_8_30) },
            { key: 'a31', title: t('disputes.age31'), align: 'right', render: (_, r) => num(r.age_31_plus) },
            { key: 'sla', title: t('disputes.pastSla'), align: 'right', render: (_, r) => num(r.past_sla) },
            { key: 'upheld', title: t('disputes.upheld'), align: 'right', render: (_, r) => num(r.upheld) },
            { key: 'rejected', title: t('disputes.rejected'), align: 'right', render: (_, r) => num(r.rejected) },
          ]} />
        </div>
        )}
      </Card>
      <Card id="chart-promise-records" title={<h2 className="card-title">{t('promiseRecords.title')}</h2>}>
        <p className="muted">{t('promiseRecords.description')}</p>
        {d.promise_records.length === 0 ? (
          <Empty className="table-card-empty" image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('promiseRecords.none')} />
        ) : (
        <div className="chart-table" tabIndex={0} role="region" aria-label={t('promiseRecords.title')}>
        <Table size="small" pagination={false} rowKey="currency" dataSource={d.promise_records} scroll={{ x: 'max-content' }}
          columns={[
            { key: 'currency', title: t('col.currency'), dataIndex: 'currency' },
            { key: 'kept', title: t('col.kept'), align: 'right', render: (_, r) => num(r.kept) },
            { key: 'broken', title: t('col.broken'), align: 'right', render: (_, r) => num(r.broken) },
            { key: 'pending', title: t('col.pending'), align: 'right', render: (_, r) => num(r.pending) },
            { key: 'cancelled', title: t('promiseRecords.cancelled'), align: 'right', render: (_, r) => num(r.cancelled) },
            { key: 'rate', title: t('col.keptRate'), align: 'right',
              render: (_, r) => (r.kept + r.broken > 0 ? formatPercent(r.kept / (r.kept + r.broken), locale) : '—') },
          ]} />
        </div>
        )}
      </Card>
    </>
  );
}
