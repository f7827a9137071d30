// One page of invoices at a time (keyset paging): a table on a desk, cards on
// a phone. Used by the invoice list and a customer's page.
import { useEffect } from 'react';
import { Card, Empty, Grid, List, Space, Table, Tag, Typography } from 'antd';
import type { TableColumnsType } from 'antd';
import { UserOutlined } from '@ant-design/icons';
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
import './invoices.css';

export type Invoice = Schemas['Invoice'];
type ListQuery = NonNullable<paths['/api/invoices']['get']['parameters']['query']>;
export type InvoiceFilters = Omit<ListQuery, 'cursor' | 'limit'>;

const pageSize = 50;

export interface InvoiceListProps {
  filters: InvoiceFilters;
  hideCustomer?: boolean;
  /** The list's accessible name. */
  label?: string;
  /** Told the error of the latest load (null once a load succeeds), e.g. to show a refused filter next to its field. */
  onError?: (error: unknown) => void;
}

export function InvoiceList({ filters, hideCustomer, label, onError }: InvoiceListProps) {
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
  useEffect(() => { onError?.(q.error ?? null); }, [q.error, onError]);

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

  // Eight columns fit a 1366 px desk beside the menu: the owner is under
  // the customer and the days overdue under the due date.
  const owner = (r: Invoice) => r.owner ? (
    <span className="invoice-owner"><UserOutlined aria-hidden /> <span className="detail-hidden">{t('col.owner')}: </span>{r.owner}</span>
  ) : null;
  const columns: TableColumnsType<Invoice> = [
    { key: 'number', title: t('col.number'), render: (_, r) => <Link to={invoicePath(r.number)} className="invoice-number">{r.number}</Link> },
    hideCustomer ? { key: 'owner', title: t('col.owner'), render: (_, r) => r.owner ?? '' } : {
      key: 'customer', title: t('col.customerOwner'),
      render: (_, r) => <div className="invoice-customer"><Link to={customerPath(r.customer)}>{r.customer_name || r.customer}</Link>{owner(r)}</div>,
    },
    { key: 'amount', title: t('col.amount'), align: 'right', render: (_, r) => <Money minor={r.amount_minor} currency={r.currency} /> },
    { key: 'balance', title: t('col.balance'), align: 'right', render: (_, r) => <Money minor={r.balance_minor} currency={r.currency} strong /> },
    { key: 'due', title: t('col.due'), render: (_, r) => (
      <div className="invoice-due">
        <span>{formatDate(r.due_date, locale)}</span>
        {r.days_overdue > 0 && <span className="detail-meta">{t('daysOverdue', { count: r.days_overdue })}</span>}
      </div>
    ) },
    { key: 'aging', title: t('col.aging'), render: (_, r) => <AgingTag daysOverdue={r.days_overdue} /> },
    { key: 'status', title: t('col.status'), render: (_, r) => <Space size={4} wrap><StatusTag status={r.status} />{r.disputed && <Tag color={tagColors.orange}>{t('disputed')}</Tag>}</Space> },
    { key: 'risk', title: t('col.risk'), render: (_, r) => <RiskTag risk={r.risk} /> },
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
