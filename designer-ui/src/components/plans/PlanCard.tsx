// An invoice's payment plan: its state (on track, late within its grace,
// broken, completed, cancelled), what was planned, paid and is in arrears,
// each installment with what covers it, who made it; and, for those who may
// (plans:write), cancelling it with a reason.
import { useId, useState } from 'react';
import { Alert, App, Button, Card, Descriptions, Form, Input, Modal, Table, Tag } from 'antd';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { api, ApiError, unwrap } from '../../api/client';
import { useSession } from '../../auth/session';
import { useErrorMessage } from '../ErrorView';
import { Money } from '../Money';
import { tagColors } from '../invoices/labels';
import { formatDate, formatInstant, localeOf } from '../../format';
import type { Plan } from './planApi';
import './plans.css';

const stateColor: Record<Plan['state'], string> = {
  on_track: tagColors.green, late: tagColors.gold, broken: tagColors.red, completed: tagColors.blue, cancelled: tagColors.grey,
};
const installmentColor: Record<Plan['installments'][number]['status'], string> = {
  paid: tagColors.green, partly_paid: tagColors.gold, due: tagColors.blue, late: tagColors.red,
};

export function PlanStateTag({ state }: { state: Plan['state'] }) {
  const { t } = useTranslation('plans');
  return <Tag color={stateColor[state] ?? tagColors.grey}>{t(`state.${state}`, { defaultValue: state })}</Tag>;
}

function CancelDialog({ plan, open, onClose }: { plan: Plan; open: boolean; onClose: () => void }) {
  const { t } = useTranslation('plans');
  const { message } = App.useApp();
  const qc = useQueryClient();
  const errorText = useErrorMessage();
  const id = useId();
  const [reason, setReason] = useState('');
  const cancel = useMutation({
    mutationFn: async () => unwrap(await api.POST('/api/payment-plans/{id}/cancel', { params: { path: { id: plan.id } }, body: { reason } })),
    onSuccess: async () => {
      void message.success(t('cancel.done'));
      setReason('');
      onClose();
      await qc.invalidateQueries({ queryKey: ['invoices'] });
    },
  });
  const err = cancel.error;
  const fieldErr = err instanceof ApiError && err.status === 422 ? err.fieldErrors().reason?.join(' ') : undefined;
  const otherErr = err && !fieldErr
    ? (err instanceof ApiError && err.status === 409 ? t('cancel.conflict') : errorText(err))
    : undefined;
  return (
    <Modal
      open={open}
      title={t('cancel.title')}
      onCancel={() => { cancel.reset(); onClose(); }}
      okText={t('cancel.confirm')}
      cancelText={t('cancel.keep')}
      okButtonProps={{ danger: true, loading: cancel.isPending, disabled: !reason.trim() }}
      onOk={() => cancel.mutate()}
      destroyOnHidden
    >
      <p>{t('cancel.explain')}</p>
      {otherErr && <Alert type="error" showIcon role="alert" title={otherErr} style={{ marginBottom: 12 }} />}
      <Form layout="vertical" component="form" onFinish={() => cancel.mutate()}>
        <Form.Item label={t('cancel.reason')} htmlFor={`${id}-reason`} required validateStatus={fieldErr ? 'error' : undefined} help={fieldErr}>
          <Input.TextArea id={`${id}-reason`} value={reason} onChange={(e) => setReason(e.target.value)} autoSize={{ minRows: 2, maxRows: 6 }}
            aria-required aria-invalid={fieldErr ? true : undefined} />
        </Form.Item>
      </Form>
    </Modal>
  );
}

/** PlanCard shows an invoice's (latest) payment plan. */
export function PlanCard({ plan }: { plan: Plan }) {
  const { t, i18n } = useTranslation('plans');
  const locale = localeOf(i18n);
  const { can } = useSession();
  const [cancelling, setCancelling] = useState(false);
  const cur = plan.currency;
  const headingId = useId();
  const items = [
    { key: 'planned', label: t('card.planned'), children: <Money minor={plan.planned_minor} currency={cur} strong /> },
    { key: 'paid', label: t('card.paid'), children: <Money minor={plan.paid_minor} currency={cur} /> },
    { key: 'arrears', label: t('card.arrears'), children: plan.arrears_minor > 0
      ? <span className="plan-off"><Money minor={plan.arrears_minor} currency={cur} strong /></span>
      : <Money minor={0} currency={cur} /> },
    { key: 'grace', label: t('card.grace'), children: t('card.graceDays', { count: plan.grace_days }) },
    { key: 'by', label: t('card.createdBy'), children: t('card.createdAt', { who: plan.created_by, at: formatInstant(plan.created_at, locale) }) },
    ...(plan.ended_at ? [{ key: 'ended', label: t('card.ended'), children: formatInstant(plan.ended_at, locale) }] : []),
    ...(plan.invoices.length > 1 ? [{ key: 'invoices', label: t('card.invoices'), children: plan.invoices.join(', ') }] : []),
    ...(plan.note ? [{ key: 'note', label: t('card.note'), children: plan.note }] : []),
  ];
  return (
    <Card
      aria-labelledby={headingId}
      title={<h2 id={headingId} className="card-title">{t('card.title')} <PlanStateTag state={plan.state} /></h2>}
      extra={plan.status === 'active' && can('plans:write')
        ? <Button danger onClick={() => setCancelling(true)}>{t('cancel.action')}</Button>
        : undefined}
    >
      {plan.state === 'broken' && <Alert type="error" showIcon title={t('card.brokenHelp')} style={{ marginBottom: 12 }} />}
      {plan.state === 'late' && <Alert type="warning" showIcon title={t('card.lateHelp', { count: plan.grace_days })} style={{ marginBottom: 12 }} />}
      <Descriptions className="plan-facts" size="small" column={{ xs: 1, sm: 2, lg: 3 }} items={items} />
      <div className="plan-table" role="region" aria-label={t('card.installments')} tabIndex={0} style={{ marginTop: 12 }}>
        <Table
          size="small"
          pagination={false}
          rowKey={(r) => r.seq}
          dataSource={plan.installments}
          columns={[
            { key: 'seq', title: t('col.seq'), width: 48, responsive: ['sm'], render: (_: unknown, r) => r.seq },
            { key: 'due', title: t('col.due'), className: 'plan-nowrap', render: (_: unknown, r) => formatDate(r.due_date, locale) },
            { key: 'amount', title: t('col.amount'), align: 'right', render: (_: unknown, r) => <Money minor={r.amount_minor} currency={cur} /> },
            { key: 'covered', title: t('col.covered'), align: 'right', render: (_: unknown, r) => <Money minor={r.covered_minor} currency={cur} /> },
            { key: 'status', title: t('col.status'), render: (_: unknown, r) => (
              <Tag color={installmentColor[r.status] ?? tagColors.grey}>{t(`installment.${r.status}`, { defaultValue: r.status })}</Tag>
            ) },
          ]}
        />
      </div>
      <CancelDialog plan={plan} open={cancelling} onClose={() => setCancelling(false)} />
    </Card>
  );
}
