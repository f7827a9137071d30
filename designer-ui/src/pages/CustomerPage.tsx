// One customer: contacts (tel: and mailto: links), risk and credit, its
// receivables per currency (a table on a desk, one block per currency on a
// phone) and promises, all its invoices (keyset pages) and its history
// across invoices (Timeline), and its edit form (CustomerEdit).
import { useMemo } from 'react';
import { Card, Col, Descriptions, Empty, Grid, Row, Space, Table, Tag, Typography } from 'antd';
import type { TableColumnsType } from 'antd';
import { MailOutlined, PhoneOutlined } from '@ant-design/icons';
import { useQuery } from '@tanstack/react-query';
import { Link, useParams } from 'react-router';
import { useTranslation } from 'react-i18next';
import { api, unwrap, type Schemas } from '../api/client';
import { ErrorView } from '../components/ErrorView';
import { Money } from '../components/Money';
import { InvoiceList } from '../components/invoices/InvoiceList';
import { RiskTag, muted } from '../components/invoices/labels';
import { Timeline } from '../components/Timeline';
import { CustomerEdit } from '../components/customers/CustomerEdit';
import '../components/invoices/invoices.css';

type Balance = Schemas['CustomerBalance'];
type Event = Schemas['CustomerEvent'];

/** telHref keeps the digits and a leading plus of a phone number for a tel: link. */
function telHref(phone: string): string {
  return `tel:${phone.replace(/[^\d+]/g, '')}`;
}

function useHistory(history: Event[] | undefined) {
  return useMemo(() => {
    const effects: NonNullable<Event['effect']>[] = [];
    const activity: NonNullable<Event['action']>[] = [];
    for (const ev of history ?? []) {
      if (ev.effect) effects.push(ev.effect);
      if (ev.action) activity.push(ev.action);
    }
    return { effects, activity };
  }, [history]);
}

export default function CustomerPage() {
  const { id = '' } = useParams();
  const { t } = useTranslation('customers');
  const q = useQuery({
    queryKey: ['customers', 'detail', id],
    queryFn: async () => unwrap(await api.GET('/api/customers/{id}', { params: { path: { id } } })),
  });
  const history = useHistory(q.data?.history);
  const screens = Grid.useBreakpoint();
  const phone = !screens.md;

  if (q.isError) {
    return (
      <Space orientation="vertical" style={{ width: '100%' }}>
        <Link to="/customers">← {t('detail.back')}</Link>
        <Typography.Title level={1}>{t('detail.title', { name: id })}</Typography.Title>
        <ErrorView error={q.error} onRetry={() => void q.refetch()} />
      </Space>
    );
  }
  const c = q.data;
  if (!c) return <Card loading />;
  const none = t('common:common.none');
  const balanceColumns: TableColumnsType<Balance> = [
    { key: 'currency', title: t('detail.currency'), dataIndex: 'currency' },
    { key: 'open', title: t('detail.openBalance'), align: 'right', render: (_, a) => <Money minor={a.open_minor} currency={a.currency} strong /> },
    { key: 'overdue', title: t('detail.overdueBalance'), align: 'right', render: (_, a) => <Money minor={a.overdue_minor} currency={a.currency} /> },
    { key: 'openN', title: t('detail.openInvoices'), align: 'right', dataIndex: 'open_invoices' },
    { key: 'overdueN', title: t('detail.overdueInvoices'), align: 'right', dataIndex: 'overdue_invoices' },
    { key: 'oldest', title: t('detail.oldestOverdue'), align: 'right', render: (_, a) => (a.oldest_days_overdue > 0 ? a.oldest_days_overdue : '') },
    { key: 'paid90', title: t('detail.paid90d'), align: 'right', render: (_, a) => <Money minor={a.paid_90d_minor} currency={a.currency} /> },
  ];
  const contacts = [
    c.phone ? <a key="tel" href={telHref(c.phone)} aria-label={t('detail.call', { phone: c.phone })}><PhoneOutlined aria-hidden /> {c.phone}</a> : null,
    c.email ? <a key="mail" href={`mailto:${c.email}`} aria-label={t('detail.mail', { email: c.email })}><MailOutlined aria-hidden /> {c.email}</a> : null,
    c.finance_email && c.finance_email !== c.email ? (
      <span key="finance" className="contact-line">{t('detail.financeContactIs')}<a href={`mailto:${c.finance_email}`} aria-label={t('detail.mail', { email: c.finance_email })}><MailOutlined aria-hidden /> {c.finance_email}</a></span>
    ) : null,
  ].filter(Boolean);

  return (
    <Space orientation="vertical" size="middle" style={{ width: '100%' }}>
      <Link to="/customers">← {t('detail.back')}</Link>
      <Space wrap align="center">
        <Typography.Title level={1} style={{ margin: 0 }}>{c.name}</Typography.Title>
        <RiskTag risk={c.risk} />
        {c.do_not_contact && <Tag color="#531dab">{t('doNotContact')}</Tag>}
      </Space>
      <Row gutter={[16, 16]}>
        <Col xs={24} lg={12}>
          <Card title={<h2 className="card-title">{t('detail.profile')}</h2>} style={{ height: '100%' }}>
            <Descriptions column={1} size="small" items={[
              { key: 'id', label: t('col.id'), children: c.id },
              { key: 'region', label: t('col.region'), children: c.region || none },
              { key: 'industry', label: t('col.industry'), children: c.industry || none },
              { key: 'credit', label: t('col.credit'), children: c.credit_rating || none },
              { key: 'limit', label: t('detail.creditLimit'), children: c.credit_limit_minor > 0 && c.credit_currency ? <Money minor={c.credit_limit_minor} currency={c.credit_currency} /> : none },
              { key: 'owner', label: t('col.owner'), children: c.owner ? (c.owner_name ? `${c.owner_name} (${c.owner})` : c.owner) : none },
              { key: 'counts', label: t('col.open'), children: t('detail.counts', { open: c.open_invoices, overdue: c.overdue_invoices }) },
              { key: 'promises', label: t('detail.promises'), children: t('detail.promiseCounts', c.promises) },
            ]} />
          </Card>
        </Col>
        <Col xs={24} lg={12}>
          <Card title={<h2 className="card-title">{t('detail.contacts')}</h2>} style={{ height: '100%' }}>
            {contacts.length ? <Space orientation="vertical">{contacts}</Space> : <Typography.Text style={muted}>{t('detail.noContacts')}</Typography.Text>}
          </Card>
        </Col>
      </Row>
      <CustomerEdit id={c.id} />
      <Card title={<h2 className="card-title">{t('detail.aggregates')}</h2>}>
        {phone && c.balances.length > 0 ? (
          <Space orientation="vertical" size="middle" style={{ width: '100%' }}>
            {c.balances.map((a) => (
              <Descriptions key={a.currency} size="small" column={1} bordered title={<h3 className="card-title">{a.currency}</h3>} items={[
                { key: 'open', label: t('detail.openBalance'), children: <Money minor={a.open_minor} currency={a.currency} strong /> },
                { key: 'overdue', label: t('detail.overdueBalance'), children: <Money minor={a.overdue_minor} currency={a.currency} /> },
                { key: 'openN', label: t('detail.openInvoices'), children: a.open_invoices },
                { key: 'overdueN', label: t('detail.overdueInvoices'), children: a.overdue_invoices },
                { key: 'oldest', label: t('detail.oldestOverdue'), children: a.oldest_days_overdue > 0 ? a.oldest_days_overdue : none },
                { key: 'paid90', label: t('detail.paid90d'), children: <Money minor={a.paid_90d_minor} currency={a.currency} /> },
              ]} />
            ))}
          </Space>
        ) : (
          <Table<Balance> rowKey="currency" size="small" columns={balanceColumns} dataSource={c.balances} pagination={false}
            scroll={{ x: 'max-content' }} locale={{ emptyText: <Empty description={t('detail.noAggregates')} /> }} />
        )}
        {c.unapplied_credit.length > 0 && (
          <Descriptions size="small" column={1} style={{ marginTop: 16 }} title={<h3 className="card-title">{t('detail.unappliedCredit')}</h3>}
            items={c.unapplied_credit.map((cr) => ({
              key: cr.currency, label: `${t('detail.unappliedCredit')} (${cr.currency})`,
              children: <Space orientation="vertical" size={0}><Money minor={cr.amount_minor} currency={cr.currency} strong />
                <Typography.Text style={muted}>{t('detail.unappliedCreditHelp')}</Typography.Text></Space>,
            }))} />
        )}
      </Card>
      <Card title={<h2 className="card-title">{t('detail.invoices')}</h2>}>
        <InvoiceList filters={{ customer: c.id }} hideCustomer label={t('detail.invoicesOf', { name: c.name })} />
      </Card>
      <Card title={<h2 className="card-title">{t('detail.history')}</h2>}>
        <Timeline effects={history.effects} activity={history.activity} />
      </Card>
    </Space>
  );
}
