// One customer: contacts (tel: and mailto: links), risk and credit, its
// receivables per currency, all its invoices (keyset pages) and its history.
import { Card, Col, Descriptions, Empty, Row, Space, Table, Tag, Typography } from 'antd';
import type { TableColumnsType } from 'antd';
import { MailOutlined, PhoneOutlined } from '@ant-design/icons';
import { useQuery } from '@tanstack/react-query';
import { Link, useParams } from 'react-router';
import { useTranslation } from 'react-i18next';
import { api, unwrap } from '../api/client';
import { ErrorView } from '../components/ErrorView';
import { Money } from '../components/Money';
import { InvoiceList } from '../components/invoices/InvoiceList';
import { RiskTag, muted } from '../components/invoices/labels';
import { readCustomerExtras, type CurrencyAggregate } from '../components/invoices/customerDetail';
import { Timeline } from '../components/Timeline';

export default function CustomerPage() {
  const { id = '' } = useParams();
  const { t } = useTranslation('customers');
  const q = useQuery({
    queryKey: ['customers', 'detail', id],
    queryFn: async () => unwrap(await api.GET('/api/customers/{id}', { params: { path: { id } } })),
  });

  if (q.isError) {
    return (
      <Space orientation="vertical" style={{ width: '100%' }}>
        <Typography.Title level={1}>{t('detail.title', { name: id })}</Typography.Title>
        <ErrorView error={q.error} onRetry={() => void q.refetch()} />
      </Space>
    );
  }
  const c = q.data;
  if (!c) return <Card loading />;
  const extras = readCustomerExtras(c);
  const aggColumns: TableColumnsType<CurrencyAggregate> = [
    { key: 'currency', title: t('detail.currency'), dataIndex: 'currency' },
    { key: 'open', title: t('detail.openBalance'), align: 'right', render: (_, a) => (a.openMinor !== undefined ? <Money minor={a.openMinor} currency={a.currency} strong /> : '') },
    { key: 'overdue', title: t('detail.overdueBalance'), align: 'right', render: (_, a) => (a.overdueMinor !== undefined ? <Money minor={a.overdueMinor} currency={a.currency} /> : '') },
    { key: 'openN', title: t('detail.openInvoices'), align: 'right', render: (_, a) => a.openInvoices ?? '' },
    { key: 'overdueN', title: t('detail.overdueInvoices'), align: 'right', render: (_, a) => a.overdueInvoices ?? '' },
    { key: 'paid90', title: t('detail.paid90d'), align: 'right', render: (_, a) => (a.paid90dMinor !== undefined ? <Money minor={a.paid90dMinor} currency={a.currency} /> : '') },
  ];

  return (
    <Space orientation="vertical" size="middle" style={{ width: '100%' }}>
      <Link to="/customers">← {t('detail.back')}</Link>
      <Space wrap align="center">
        <Typography.Title level={1} style={{ margin: 0 }}>{c.name}</Typography.Title>
        <RiskTag risk={c.risk} />
        {c.do_not_contact && <Tag color="purple">{t('doNotContact')}</Tag>}
      </Space>
      <Row gutter={[16, 16]}>
        <Col xs={24} lg={12}>
          <Card title={<h2 className="card-title">{t('detail.profile')}</h2>} style={{ height: '100%' }}>
            <Descriptions column={1} size="small" items={[
              { key: 'id', label: t('col.id'), children: c.id },
              { key: 'region', label: t('col.region'), children: c.region || t('common:common.none') },
              { key: 'industry', label: t('col.industry'), children: c.industry || t('common:common.none') },
              { key: 'credit', label: t('col.credit'), children: c.credit_rating || t('common:common.none') },
              ...(extras.creditLimit ? [{ key: 'limit', label: t('detail.creditLimit'), children: <Money minor={extras.creditLimit.minor} currency={extras.creditLimit.currency} /> }] : []),
              { key: 'owner', label: t('col.owner'), children: c.owner ? (extras.ownerName ? `${extras.ownerName} (${c.owner})` : c.owner) : t('common:common.none') },
              ...(extras.promises ? [{ key: 'promises', label: t('detail.promises'), children: t('detail.promiseCounts', extras.promises) }] : []),
              { key: 'counts', label: t('col.open'), children: t('detail.counts', { open: c.open_invoices, overdue: c.overdue_invoices }) },
            ]} />
          </Card>
        </Col>
        <Col xs={24} lg={12}>
          <Card title={<h2 className="card-title">{t('detail.contacts')}</h2>} style={{ height: '100%' }}>
            {c.phone || c.email ? (
              <Space orientation="vertical">
                {c.phone && <a href={`tel:${c.phone.replace(/[^\d+]/g, '')}`} aria-label={t('detail.call', { phone: c.phone })}><PhoneOutlined aria-hidden /> {c.phone}</a>}
                {c.email && <a href={`mailto:${c.email}`} aria-label={t('detail.mail', { email: c.email })}><MailOutlined aria-hidden /> {c.email}</a>}
                {extras.financeEmail && extras.financeEmail !== c.email && (
                  <span>{t('detail.financeContact')}: <a href={`mailto:${extras.financeEmail}`} aria-label={t('detail.mail', { email: extras.financeEmail })}><MailOutlined aria-hidden /> {extras.financeEmail}</a></span>
                )}
              </Space>
            ) : <Typography.Text style={muted}>{t('detail.noContacts')}</Typography.Text>}
          </Card>
        </Col>
      </Row>
      {extras.aggregates && (
        <Card title={<h2 className="card-title">{t('detail.aggregates')}</h2>}>
          <Table<CurrencyAggregate> rowKey="currency" size="small" columns={aggColumns} dataSource={extras.aggregates} pagination={false}
            scroll={{ x: 'max-content' }} locale={{ emptyText: <Empty description={t('detail.noAggregates')} /> }} />
        </Card>
      )}
      <Card title={<h2 className="card-title">{t('detail.invoices')}</h2>}>
        <InvoiceList filters={{ customer: c.id }} hideCustomer label={t('detail.invoicesOf', { name: c.name })} />
      </Card>
      {extras.history && (
        <Card title={<h2 className="card-title">{t('detail.history')}</h2>}>
          <Timeline effects={extras.history.effects} activity={extras.history.activity} />
        </Card>
      )}
    </Space>
  );
}
