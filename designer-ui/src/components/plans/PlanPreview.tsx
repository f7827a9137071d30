// The schedule the server will write for a plan (POST
// /api/payment-plans/preview): each installment's due date and amount, and
// the total against the balance. Shown while the user types (debounced); the
// server's errors (a date in the past, too many installments) are shown as
// it words them.
import { useId } from 'react';
import { Alert, Skeleton, Table, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { ApiError } from '../../api/client';
import { useErrorMessage } from '../ErrorView';
import { Money } from '../Money';
import { formatDate, localeOf } from '../../format';
import { planFromDecision, usePlanPreview, type PlanPreviewData, type PreviewQuery } from './planApi';
import './plans.css';

/** ScheduleTable lists installments with their total (and, given a balance, whether they add up to it). */
export function ScheduleTable({ preview, balanceMinor, label }: { preview: PlanPreviewData; balanceMinor?: number; label: string }) {
  const { t, i18n } = useTranslation('plans');
  const locale = localeOf(i18n);
  const cur = preview.currency;
  return (
    <div className="plan-table" role="region" aria-label={label} tabIndex={0}>
      <Table
        size="small"
        pagination={false}
        rowKey={(r) => r.seq}
        dataSource={preview.installments}
        columns={[
          { key: 'seq', title: t('col.seq'), width: 48, render: (_: unknown, r) => r.seq },
          { key: 'due', title: t('col.due'), className: 'plan-nowrap', render: (_: unknown, r) => formatDate(r.due_date, locale) },
          { key: 'amount', title: t('col.amount'), align: 'right', render: (_: unknown, r) => <Money minor={r.amount_minor} currency={cur} /> },
        ]}
        summary={() => (
          <Table.Summary.Row>
            <Table.Summary.Cell index={0} colSpan={2}><strong>{t('total')}</strong></Table.Summary.Cell>
            <Table.Summary.Cell index={1} align="right"><Money minor={preview.planned_minor} currency={cur} strong /></Table.Summary.Cell>
          </Table.Summary.Row>
        )}
      />
      {balanceMinor !== undefined && (
        <Typography.Paragraph className={balanceMinor === preview.planned_minor ? 'plan-ok' : 'plan-off'} style={{ margin: '6px 0 0' }}>
          {balanceMinor === preview.planned_minor
            ? t('preview.equalsBalance')
            : t('preview.notBalance')}
        </Typography.Paragraph>
      )}
    </div>
  );
}

/**
 * PlanPreview shows the server's schedule for query (nothing while it is
 * undefined); hint says what to fill in meanwhile.
 */
export function PlanPreview({ query, balanceMinor, hint }: { query: PreviewQuery | undefined; balanceMinor?: number; hint?: string }) {
  const { t } = useTranslation('plans');
  const message = useErrorMessage();
  const headingId = useId();
  const p = usePlanPreview(query);
  const errors = p.error instanceof ApiError && p.error.status === 422
    ? (p.error.problem.errors ?? []).map((e) => e.message)
    : p.error ? [message(p.error)] : [];
  const busy = query !== undefined && (!p.settled || p.isFetching);
  return (
    <section className="plan-preview" aria-labelledby={headingId} aria-busy={busy || undefined}>
      <h4 id={headingId} className="option-heading">{t('preview.title')}</h4>
      <div aria-live="polite">
        {query === undefined
          ? <Typography.Text type="secondary">{hint ?? t('preview.hint')}</Typography.Text>
          : errors.length > 0 && p.settled && !p.isFetching
            ? <Alert type="warning" showIcon title={t('preview.refused')} description={errors.length > 1 ? <ul className="plan-errors">{errors.map((e, i) => <li key={i}>{e}</li>)}</ul> : errors[0]} />
            : p.data
              ? <div className={busy ? 'plan-stale' : undefined}><ScheduleTable preview={p.data} balanceMinor={balanceMinor} label={t('card.installments')} /></div>
              : <Skeleton active paragraph={{ rows: 3 }} title={false} />}
      </div>
    </section>
  );
}

/**
 * DecisionPlanPreview is the preview beside a decision form whose values
 * choose a payment plan (decision = payment_plan, with installments and
 * first_installment_date, as the escalation decision has them); nothing for
 * any other decision.
 */
export function DecisionPlanPreview({ values, invoice, balanceMinor }: { values: Record<string, unknown>; invoice: string | undefined; balanceMinor?: number }) {
  if (!invoice || values.decision !== 'payment_plan') return null;
  return <PlanPreview query={planFromDecision(values, invoice)} balanceMinor={balanceMinor} />;
}
