// One page of invoices at a time (keyset paging): a table on a desk, cards on
// a phone. Used by the invoice list and a customer's page.
import { Card, Empty, Grid, List, Space, Table, Tag, Typography } from 'antd';
import type { TableColumnsType } from 'antd';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { Link } from 'react-router';
import { useTranslation } from 'react-i18next';
import { api, unwrap, type Schemas } from '../../api/client';
import type { paths } from '../../api/schema.gen';
import { ErrorView } from '../ErrorView';
import { Money } from '../Money';
import { formatDate, localeOf } from '../../format';
import { AgingTag, RiskTag, StatusTag, customerPath, invoicePath, muted, tagColors } from './labels';
import { Pager } from './Pager';
import { usePaging } from './usePaging';

export type Invoice = Schemas['Invoice'];
type ListQuery = NonNullable<paths['/api/invoices']['get']['parameters']['query']>;
export type InvoiceFilters = Omit<ListQuery, 'cursor' | 'limit'>;

const pageSize = 50;

export function InvoiceList({ filters, hideCustomer, label }: { filters: InvoiceFilters; hideCustomer?: boolean; label?: string }) {
  const { t, i18n } = useTranslation('invoices');
  const locale = localeOf(i18n);
  const screens = Grid.useBreakpoint();
  const phone = !screens.md;
  const key = JSON.stringify(filters);
  const paging = usePaging(key);
  const q = useQuery({
    queryKey: ['invoices', 'list', filters, paging.cursor ?? ''],
    queryFn: async () => unwrap(await api.GET('/api/invoices', { params: { query: { ...filters, cursor: paging.cursor, limit: pageSize } } })),
    placeholderData: keepPreviousData,
  });

  if (q.isError) return <ErrorView error={q.error} onRetry={() => void q.refetch()} />;
  const items = q.data?.items ?? [];
  const pager = (
    <Pager page={paging.page} hasPrev={paging.hasPrev} nextCursor={q.data?.next_cursor} busy={q.isFetching}
      onFirst={paging.first} onPrev={paging.prev} onNext={paging.next} />
  );

  if (phone) {
    return (
      <section aria-label={label ?? t('list')}>
        <List
          loading={q.isPending}
          dataSource={items}
          locale={{ emptyText: <Empty description={t('empty')} /> }}
          renderItem={(inv) => (
            <List.Item key={inv.number} style={{ padding: '6px 0', border: 0 }}>
              <Card size="small" style={{ width: '100%' }}>
                <Space orientation="vertical" size={4} style={{ width: '100%' }}>
                  <Space style={{ justifyContent: 'space-between', width: '100%' }} wrap>
                    <Link to={invoicePath(inv.number)}><strong>{inv.number}</strong></Link>
                    <Money minor={inv.balance_minor} currency={inv.currency} strong />
                  </Space>
                  {!hideCustomer && <Typography.Text>{inv.customer_name}</Typography.Text>}
                  <Typography.Text style={muted}>
                    {t('col.due')} {formatDate(inv.due_date, locale)} · {inv.days_overdue > 0 ? t('daysOverdue', { count: inv.days_overdue }) : t('notDue')}
                  </Typography.Text>
                  <Space size={4} wrap>
                    <StatusTag status={inv.status} />
                    <RiskTag risk={inv.risk} />
                    {inv.disputed && <Tag color={tagColors.orange}>{t('disputed')}</Tag>}
                  </Space>
                </Space>
              </Card>
            </List.Item>
          )}
        />
        {pager}
      </section>
    );
  }

  const columns: TableColumnsType<Invoice> = [
    { key: 'number', title: t('col.number'), render: (_, r) => <Link to={invoicePath(r.number)}>{r.number}</Link> },
    ...(hideCustomer ? [] : [{
      key: 'customer', title: t('col.customer'),
      render: (_: unknown, r: Invoice) => <Link to={customerPath(r.customer)}>{r.customer_name || r.customer}</Link>,
    }]),
    { key: 'amount', title: t('col.amount'), align: 'right', render: (_, r) => <Money minor={r.amount_minor} currency={r.currency} /> },
    { key: 'balance', title: t('col.balance'), align: 'right', render: (_, r) => <Money minor={r.balance_minor} currency={r.currency} strong /> },
    { key: 'due', title: t('col.due'), render: (_, r) => <span style={{ whiteSpace: 'nowrap' }}>{formatDate(r.due_date, locale)}</span> },
    { key: 'days', title: t('col.daysOverdue'), align: 'right', render: (_, r) => (r.days_overdue > 0 ? r.days_overdue : '') },
    { key: 'aging', title: t('col.aging'), render: (_, r) => <AgingTag daysOverdue={r.days_overdue} /> },
    { key: 'status', title: t('col.status'), render: (_, r) => <Space size={4}><StatusTag status={r.status} />{r.disputed && <Tag color={tagColors.orange}>{t('disputed')}</Tag>}</Space> },
    { key: 'risk', title: t('col.risk'), render: (_, r) => <RiskTag risk={r.risk} /> },
    { key: 'owner', title: t('col.owner'), render: (_, r) => r.owner ?? '' },
  ];
  return (
    <section aria-label={label ?? t('list')}>
      <Table<Invoice>
        rowKey="number"
        size="middle"
        columns={columns}
        dataSource={items}
        loading={q.isFetching}
        pagination={false}
        scroll={{ x: 'max-content' }}
        locale={{ emptyText: <Empty description={t('empty')} /> }}
      />
      <div style={{ marginTop: 12 }}>{pager}</div>
    </section>
  );
}
