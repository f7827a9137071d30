// One invoice: what it owes (amount, paid, balance, aging), its status, risk,
// owner and custom fields; its history (Timeline), payments, tasks,
// approvals and the messages sent about it (compact lists beside the
// history on a desk, above it on a phone). The number may contain slashes:
// it travels as one encoded path segment.
import { useState, type ReactNode } from 'react';
import { Button, Card, Col, Descriptions, Row, Space, Tag, Typography } from 'antd';
import { useQuery } from '@tanstack/react-query';
import { Link, useParams } from 'react-router';
import { useTranslation } from 'react-i18next';
import { api, unwrap, type Schemas } from '../api/client';
import { useSession } from '../auth/session';
import { ErrorView } from '../components/ErrorView';
import { Money } from '../components/Money';
import { formatDate, localeOf } from '../format';
import { AgingTag, RiskTag, StatusTag, customerPath, tagColors } from '../components/invoices/labels';
import { AdjustmentRows, MessageRows, PaymentRows, TaskRows } from '../components/invoices/DetailRows';
import { AdjustmentDialog } from '../components/invoices/AdjustmentDialog';
import { ReversePaymentDialog } from '../components/invoices/ReversePaymentDialog';
import { Timeline } from '../components/Timeline';
import { CasesCard } from '../components/cases/CasesCard';
import { useDisputeReasons } from '../components/cases/disputeReasons';
import { PlanCard } from '../components/plans/PlanCard';
import { CreatePlanButton } from '../components/plans/PlanDialog';

type Payment = Schemas['InvoicePayment'];
type InvoiceView = Schemas['InvoiceView'];

/**
 * BalanceCard shows how the balance comes about: the amount and fees, less
 * what was paid and what adjustments took off (of which written off).
 */
function BalanceCard({ invoice: inv, action }: { invoice: InvoiceView; action?: ReactNode }) {
  const { t } = useTranslation('invoices');
  const m = (minor: number, strong?: boolean) => <Money minor={minor} currency={inv.currency} strong={strong} />;
  const less = (minor: number) => (minor === 0 ? m(0) : <span>−&#8202;{m(minor)}</span>);
  return (
    <Card title={<h2 className="card-title">{t('balance.title')}</h2>} extra={action} style={{ height: '100%' }}>
      <Descriptions className="balance-list" bordered size="small" column={1} items={[
        { key: 'amount', label: t('balance.amount'), children: m(inv.amount_minor) },
        { key: 'fees', label: t('balance.fees'), children: m(inv.fees_minor ?? 0) },
        { key: 'paid', label: t('balance.paid'), children: less(inv.paid_minor) },
        { key: 'adjusted', label: <span title={t('balance.adjustedHelp')}>{t('balance.adjusted')}</span>, children: less(inv.adjusted_minor) },
        { key: 'writtenOff', label: <span className="balance-sub">{t('balance.writtenOff')}</span>, children: m(inv.written_off_minor) },
        { key: 'balance', label: <strong>{t('balance.balance')}</strong>, children: <span className="balance-due">{m(inv.balance_minor, true)}</span>, className: 'balance-total' },
      ]} />
    </Card>
  );
}

export default function InvoicePage() {
  const { number = '' } = useParams();
  const { t, i18n } = useTranslation('invoices');
  const locale = localeOf(i18n);
  const { can, me } = useSession();
  const [adjusting, setAdjusting] = useState(false);
  const [reversing, setReversing] = useState<Payment>();
  const disputeReasons = useDisputeReasons();
  const q = useQuery({
    queryKey: ['invoices', 'detail', number],
    queryFn: async () => unwrap(await api.GET('/api/invoices/{number}', { params: { path: { number } } })),
  });

  const title = <Typography.Title level={1} style={{ margin: 0 }}>{t('detail.title', { number })}</Typography.Title>;
  const back = <Link to="/invoices">← {t('detail.back')}</Link>;
  if (q.isError) return <Space orientation="vertical" style={{ width: '100%' }}>{back}{title}<ErrorView error={q.error} onRetry={() => void q.refetch()} /></Space>;
  const d = q.data;
  if (!d) return <Space orientation="vertical" style={{ width: '100%' }}>{back}{title}<Card loading /></Space>;
  const inv = d.invoice;
  const none = t('common:common.none');
  const mayAdjust = can('adjustments:write');

  const custom = Object.entries(inv.custom ?? {});

  return (
    <Space orientation="vertical" size="middle" style={{ width: '100%' }}>
      {back}
      <Space wrap align="center">
        {title}
        <StatusTag status={inv.status} />
        <RiskTag risk={inv.risk} />
        {inv.disputed && <Tag color={tagColors.orange}>{t('disputed')}</Tag>}
        {inv.on_hold && <Tag color={tagColors.red}>{t('cases:hold.tag')}</Tag>}
        <CreatePlanButton invoice={inv.number} balanceMinor={inv.balance_minor} currency={inv.currency} plan={d.plan} />
      </Space>
      {/* On a desk the balance stands beside the summary; on a phone below it. */}
      <Row gutter={[16, 16]}>
        <Col xs={24} xl={14}>
          <Card title={<h2 className="card-title">{t('detail.summary')}</h2>} style={{ height: '100%' }}>
            <Descriptions
              column={{ xs: 1, sm: 2, xxl: 3 }}
              items={[
                { key: 'customer', label: t('detail.customer'), children: (
                  <Link to={customerPath(inv.customer)} aria-label={t('detail.openCustomer', { name: inv.customer_name || inv.customer })}>{inv.customer_name || inv.customer}</Link>
                ) },
                { key: 'issued', label: t('col.issued'), children: formatDate(inv.issue_date, locale) },
                { key: 'due', label: t('col.due'), children: formatDate(inv.due_date, locale) },
                { key: 'aging', label: t('col.aging'), children: (
                  <Space size={4} wrap><AgingTag daysOverdue={inv.days_overdue} />{inv.days_overdue > 0 ? t('daysOverdue', { count: inv.days_overdue }) : t('notDue')}</Space>
                ) },
                { key: 'risk', label: t('col.risk'), children: inv.risk ? <RiskTag risk={inv.risk} /> : none },
                { key: 'owner', label: t('col.owner'), children: inv.owner ? (inv.owner_name ? `${inv.owner_name} (${inv.owner})` : inv.owner) : t('detail.noOwner') },
              ]}
            />
            {custom.length > 0 && (
              <>
                <h3 className="card-title" style={{ marginTop: 16, marginBottom: 8 }}>{t('detail.custom')}</h3>
                <Descriptions size="small" column={{ xs: 1, sm: 2, xxl: 3 }} items={custom.map(([k, v]) => ({ key: k, label: k, children: v }))} />
              </>
            )}
          </Card>
        </Col>
        <Col xs={24} xl={10}>
          <BalanceCard invoice={inv} action={mayAdjust && inv.balance_minor > 0 ? (
            <Button type="primary" onClick={() => setAdjusting(true)}>{t('adjustment.record')}</Button>
          ) : undefined} />
        </Col>
      </Row>
      {d.plan && <PlanCard plan={d.plan} />}
      {/* The short lists come first (on a phone, above the long history); on a desk the history is on the left. */}
      <Row gutter={[16, 16]}>
        <Col xs={24} xl={{ span: 10, order: 2 }}>
          <Space orientation="vertical" size="middle" style={{ width: '100%' }}>
            <CasesCard detail={d} />
            <PaymentRows rows={d.payments} onReverse={can('payments:write') ? setReversing : undefined} />
            <AdjustmentRows rows={d.adjustments} />
            <TaskRows kind="tasks" rows={d.tasks} />
            {d.approvals.length > 0 && <TaskRows kind="approvals" rows={d.approvals} />}
            <MessageRows rows={d.messages} />
          </Space>
        </Col>
        <Col xs={24} xl={{ span: 14, order: 1 }}>
          <Card title={<h2 className="card-title">{t('detail.timeline')}</h2>}>
            <Timeline effects={d.effects} activity={d.activity} messages={d.messages} payments={d.payments} currency={inv.currency} disputeReasons={disputeReasons} />
          </Card>
        </Col>
      </Row>
      {mayAdjust && (
        <AdjustmentDialog open={adjusting} onClose={() => setAdjusting(false)} number={inv.number} currency={inv.currency}
          balanceMinor={inv.balance_minor} mayWriteOff={me?.user.role === 'finance_director' || me?.user.role === 'admin'} />
      )}
      <ReversePaymentDialog payment={reversing} onClose={() => setReversing(undefined)} />
    </Space>
  );
}
