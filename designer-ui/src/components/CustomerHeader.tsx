// The customer at the top of a task: name, contacts as tel:/mailto: links,
// risk tier, credit rating and limit, and its other open invoices.
import { Link } from 'react-router';
import { Card, Descriptions, Space, Table, Tag, Typography } from 'antd';
import { MailOutlined, PhoneOutlined, StopOutlined } from '@ant-design/icons';
import { useTranslation } from 'react-i18next';
import type { Schemas } from '../api/client';
import { Money } from './Money';
import { formatDate, formatNumber, localeOf } from '../format';

export type TaskCustomer = Schemas['TaskCustomer'];
type Invoice = Schemas['Invoice'];

const riskColor: Record<string, string> = { high: 'red', medium: 'orange', low: 'green' };

export interface CustomerHeaderProps {
  customer: TaskCustomer;
  /** The customer's other open invoices. */
  otherInvoices?: Invoice[];
}

/** RiskTag shows a risk tier in the user's language. */
export function RiskTag({ risk }: { risk: string }) {
  const { t } = useTranslation('task');
  if (!risk) return null;
  return <Tag color={riskColor[risk] ?? 'default'}>{t(`risk.${risk}`, { defaultValue: risk })}</Tag>;
}

export function CustomerHeader({ customer: c, otherInvoices }: CustomerHeaderProps) {
  const { t, i18n } = useTranslation('task');
  const locale = localeOf(i18n);
  return (
    <Card
      size="small"
      title={<h2 className="card-title">{t('customer.title')}</h2>}
      extra={<Link to={`/customers/${encodeURIComponent(c.id)}`}>{t('customer.open')}</Link>}
    >
      <Typography.Title level={3} style={{ margin: '0 0 8px', fontSize: 18 }}>{c.name}</Typography.Title>
      {c.do_not_contact && <Tag color="red" icon={<StopOutlined aria-hidden />}>{t('customer.doNotContact')}</Tag>}
      <Space orientation="vertical" size={4} style={{ display: 'flex', margin: '8px 0' }}>
        {c.phone && (
          <a href={`tel:${c.phone.replace(/[^\d+]/g, '')}`} className="contact-link">
            <PhoneOutlined aria-hidden /> {c.phone}
          </a>
        )}
        {c.email && (
          <a href={`mailto:${c.email}`} className="contact-link">
            <MailOutlined aria-hidden /> {c.email}
          </a>
        )}
        {c.finance_email && c.finance_email !== c.email && (
          <a href={`mailto:${c.finance_email}`} className="contact-link">
            <MailOutlined aria-hidden /> {t('customer.financeEmail', { email: c.finance_email })}
          </a>
        )}
      </Space>
      <Descriptions size="small" column={1} items={[
        { key: 'risk', label: t('customer.risk'), children: <RiskTag risk={c.risk} /> },
        { key: 'rating', label: t('customer.rating'), children: c.credit_rating || t('common:common.none') },
        {
          key: 'limit', label: t('customer.limit'),
          children: c.credit_limit_minor && c.credit_currency
            ? <Money minor={c.credit_limit_minor} currency={c.credit_currency} />
            : t('common:common.none'),
        },
        ...(c.owner ? [{ key: 'owner', label: t('customer.owner'), children: c.owner }] : []),
      ]} />
      {otherInvoices !== undefined && (
        <>
          <Typography.Title level={4} style={{ fontSize: 14, margin: '12px 0 4px' }}>
            {t('customer.others', { count: otherInvoices.length })}
          </Typography.Title>
          {otherInvoices.length === 0 ? (
            <span className="muted">{t('customer.noOthers')}</span>
          ) : (
            <Table<Invoice>
              size="small"
              rowKey="number"
              pagination={false}
              scroll={{ x: true }}
              dataSource={otherInvoices}
              columns={[
                { key: 'n', title: t('invoice.number'), render: (_, x) => <Link to={`/invoices/${encodeURIComponent(x.number)}`}>{x.number}</Link> },
                { key: 'b', title: t('invoice.balance'), align: 'right', render: (_, x) => <Money minor={x.balance_minor} currency={x.currency} /> },
                { key: 'd', title: t('invoice.due'), render: (_, x) => formatDate(x.due_date, locale) },
                { key: 'o', title: t('invoice.daysOverdue'), align: 'right', render: (_, x) => formatNumber(x.days_overdue, locale) },
              ]}
            />
          )}
        </>
      )}
    </Card>
  );
}

export default CustomerHeader;
