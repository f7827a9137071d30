// One approval: who owes what and for how long, the decision, and the
// history report the director decides on: every communication and
// follow-up on the invoice (Timeline), the customer (risk, credit), its
// other open invoices, promises to pay and payments.
import { forwardRef } from 'react';
import { Link } from 'react-router';
import { Card, Descriptions, Empty, Skeleton, Table, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { ErrorView } from '../ErrorView';
import { Money } from '../Money';
import { Timeline } from '../Timeline';
import { CustomerHeader } from '../CustomerHeader';
import { formatDate, formatInstant, localeOf } from '../../format';
import { formatMoney } from '../../money';
import { DecisionPanel } from './DecisionPanel';
import { stageOf } from './ApprovalList';
import { useApproval, useInvoiceHistory, type ApprovalDetail as Detail, type InvoiceDetail } from './approvalApi';

type Obj = Record<string, unknown>;

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A promise to pay as recorded by a completed task (its form values). */
interface PromiseMade {
  at: string;
  who: string;
  date: string;
  amount?: string;
}

/** promisesMade reads the promises recorded on the invoice from its activity (display only). */
export function promisesMade(inv: { activity?: InvoiceDetail['activity'] } | undefined): PromiseMade[] {
  const out: PromiseMade[] = [];
  for (const a of inv?.activity ?? []) {
    if (a.action !== 'task.completed' || !isObj(a.detail)) continue;
    const v = isObj(a.detail.values) ? a.detail.values : isObj(a.detail.outcome) ? a.detail.outcome : a.detail;
    if (v.outcome !== 'promised' || typeof v.promised_date !== 'string') continue;
    out.push({
      at: a.at,
      who: a.actor_name || a.actor,
      date: v.promised_date,
      amount: typeof v.promised_amount === 'string' || typeof v.promised_amount === 'number' ? String(v.promised_amount) : undefined,
    });
  }
  return out;
}

function Head({ task }: { task: Detail }) {
  const { t, i18n } = useTranslation('approvals');
  const locale = localeOf(i18n);
  const inv = task.invoice_summary;
  const name = task.customer_detail?.name || task.customer_name || task.customer || '';
  const balance = inv?.balance_minor ?? task.balance_minor;
  const currency = inv?.currency ?? task.currency;
  const days = inv?.days_overdue ?? task.days_overdue;
  const stage = stageOf(task, i18n.language);
  return (
    <div className="approval-head">
      {(!inv || !name) && <Typography.Text className="approval-task-title">{task.title}</Typography.Text>}
      <div className="approval-facts">
        {task.invoice && <Link to={`/invoices/${encodeURIComponent(task.invoice)}`} aria-label={t('openInvoice', { number: task.invoice })}>{t('invoice', { number: task.invoice })}</Link>}
        {balance !== undefined && currency && <Money minor={balance} currency={currency} strong />}
        {days !== undefined && <span>{days > 0 ? t('daysOverdue', { n: days }) : t('notOverdue')}</span>}
        {stage && <span>{t('stage', { stage })}</span>}
        {task.due_at && <span className={task.overdue ? 'approval-late' : undefined}>{task.overdue ? t('overdue') : t('due', { when: formatInstant(task.due_at, locale) })}</span>}
      </div>
      {task.description && <Typography.Paragraph className="approval-desc">{task.description}</Typography.Paragraph>}
    </div>
  );
}

function InvoiceFacts({ task, inv }: { task: Detail; inv: InvoiceDetail | undefined }) {
  const { t, i18n } = useTranslation('approvals');
  const locale = localeOf(i18n);
  const s = task.invoice_summary;
  const view = isObj(inv?.invoice) && typeof inv.invoice.currency === 'string' ? inv.invoice : undefined;
  const items = [];
  if (s) {
    items.push(
      { key: 'amount', label: t('summary.amount'), children: <Money minor={s.amount_minor} currency={s.currency} /> },
      { key: 'paid', label: t('summary.paid'), children: <Money minor={s.paid_minor} currency={s.currency} /> },
      { key: 'balance', label: t('summary.balance'), children: <Money minor={s.balance_minor} currency={s.currency} strong /> },
      { key: 'issued', label: t('summary.issued'), children: formatDate(s.issue_date, locale) },
      { key: 'due', label: t('summary.dueDate'), children: formatDate(s.due_date, locale) },
      { key: 'days', label: t('summary.daysOverdue'), children: String(s.days_overdue) },
      { key: 'status', label: t('summary.status'), children: s.status + (s.disputed ? ` · ${t('summary.disputed')}` : '') },
    );
  }
  if (view?.owner_name || view?.owner) items.push({ key: 'owner', label: t('summary.owner'), children: view.owner_name || view.owner });
  return (
    <Card size="small" title={<h3 className="card-title">{t('summary.title')}</h3>}>
      {items.length > 0 && <Descriptions size="small" column={{ xs: 1, sm: 2, lg: 3 }} items={items} />}
    </Card>
  );
}

function History({ task, inv, loading }: { task: Detail; inv: InvoiceDetail | undefined; loading: boolean }) {
  const { t, i18n } = useTranslation('approvals');
  const locale = localeOf(i18n);
  const currency = task.invoice_summary?.currency ?? task.currency;
  const payments = inv?.payments ?? [];
  const promises = promisesMade(inv);
  const amountOf = (a: string) => {
    // the form's money value as typed ("5000.00" or "5000.00 CNY"); minor units as a number
    if (/^-?\d+$/.test(a) && currency) return formatMoney(Number(a), currency, locale);
    return a;
  };
  return (
    <Card size="small" title={<h3 className="card-title">{t('history.title')}</h3>}>
      <section aria-labelledby={`promises-${task.id}`} className="history-section">
        <h4 id={`promises-${task.id}`} className="option-heading">{t('history.promises')}</h4>
        <p>
          {task.promise_date
            ? <>{t('history.latestPromise', { date: formatDate(task.promise_date, locale) })}{' · '}
              {task.promise_broken ? <span className="promise-broken">{t('history.broken')}</span> : t('history.pendingPromise')}</>
            : t('history.noPromise')}
        </p>
        {promises.length > 0 && (
          <ul>
            {promises.map((p, i) => (
              <li key={i}>
                {t('history.promiseMade', { who: p.who, date: formatDate(p.date, locale) })}
                {p.amount && <> {t('history.promiseAmount', { amount: amountOf(p.amount) })}</>}
                {' · '}{formatInstant(p.at, locale)}
              </li>
            ))}
          </ul>
        )}
      </section>

      <section aria-labelledby={`payments-${task.id}`} className="history-section">
        <h4 id={`payments-${task.id}`} className="option-heading">{t('history.payments')}</h4>
        {payments.length === 0
          ? <p>{loading ? '…' : t('history.noPayments')}</p>
          : (
            <div className="history-table" tabIndex={0} role="region" aria-label={t('history.payments')}>
            <Table
              size="small"
              rowKey={(p) => p.reference}
              pagination={false}
              dataSource={payments}
              columns={[
                { key: 'ref', title: t('history.reference'), render: (_: unknown, p) => p.reference },
                { key: 'at', title: t('history.paidAt'), render: (_: unknown, p) => formatInstant(p.paid_at, locale) },
                { key: 'amt', title: t('history.amount'), align: 'right', render: (_: unknown, p) => <Money minor={p.amount_minor} currency={p.currency} /> },
              ]}
            />
            </div>
          )}
      </section>

      <section aria-labelledby={`timeline-${task.id}`} className="history-section">
        <h4 id={`timeline-${task.id}`} className="option-heading">{t('history.timeline')}</h4>
        {loading && <Skeleton active />}
        {inv && (
          <Timeline
            effects={inv.effects ?? []}
            activity={inv.activity ?? task.activity ?? []}
            messages={inv.messages ?? task.messages ?? []}
            payments={payments}
            currency={currency}
          />
        )}
      </section>
    </Card>
  );
}

export const ApprovalDetailView = forwardRef<HTMLHeadingElement, { id: number; onDecided: (task: Detail) => void }>(
  function ApprovalDetailView({ id, onDecided }, headingRef) {
    const q = useApproval(id);
    const task = q.data;
    const inv = useInvoiceHistory(task?.invoice);
    if (q.isPending) return <Skeleton active paragraph={{ rows: 10 }} />;
    if (q.isError) return <ErrorView error={q.error} onRetry={() => void q.refetch()} />;
    if (!task) return <Empty />;
    return (
      <article className="approval-detail" aria-labelledby={`approval-${id}`}>
        <h2 id={`approval-${id}`} ref={headingRef} tabIndex={-1} className="approval-h2">
          {task.customer_detail?.name || task.customer_name || task.title}
        </h2>
        <Head task={task} />
        <DecisionPanel task={task} onDecided={() => onDecided(task)} />
        <InvoiceFacts task={task} inv={inv.data} />
        {task.customer_detail && <CustomerHeader customer={task.customer_detail} otherInvoices={task.other_invoices ?? []} />}
        {inv.isError && <ErrorView error={inv.error} onRetry={() => void inv.refetch()} />}
        <History task={task} inv={inv.data} loading={inv.isPending} />
      </article>
    );
  },
);
