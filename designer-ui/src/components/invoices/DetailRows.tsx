// The invoice's payments, tasks and approvals (the rows GET /api/tasks
// answers) and the messages sent for it, as compact lists that fit the
// invoice page's narrow column and a phone without scrolling sideways: each
// entry wraps onto two or three short lines instead of a table's columns.
// Long lists show their first entries and a button for the rest.
import { useState, type ReactNode } from 'react';
import { Button, Card, Empty, Tag, Typography } from 'antd';
import { Link } from 'react-router';
import { useTranslation } from 'react-i18next';
import type { Schemas } from '../../api/client';
import { formatDate, formatInstant, localeOf } from '../../format';
import { localized } from '../formDefinition';
import { Money } from '../Money';
import { zoneOfInstant } from '../zone';
import { invoicePath, tagColors } from './labels';
import './invoices.css';

type Task = Schemas['Task'];
type Message = Schemas['InvoiceMessage'];
type Payment = Schemas['InvoicePayment'];
type Adjustment = Schemas['InvoiceAdjustment'];

const taskStatusColor: Record<string, string> = { open: tagColors.blue, done: tagColors.green, cancelled: tagColors.grey, expired: tagColors.grey };
const messageStatusColor: Record<string, string> = { pending: tagColors.gold, sending: tagColors.gold, sent: tagColors.green, dead: tagColors.red, suppressed: tagColors.grey };

/** How many entries a list shows before "Show all". */
const firstEntries = 8;

/** instant formats an instant in the zone the server wrote it in (the company's). */
function useInstant(): (at: string) => string {
  const { i18n } = useTranslation();
  const locale = localeOf(i18n);
  return (at) => formatInstant(at, locale, zoneOfInstant(at));
}

/** DetailCard is a card with a heading, its entries as a list (or an empty note), and "Show all" for a long list. */
function DetailCard<T>({ title, label, rows, empty, entry, rowKey }: {
  title: string;
  label: string;
  rows: T[];
  empty: string;
  entry: (row: T) => ReactNode;
  rowKey: (row: T) => string | number;
}) {
  const { t } = useTranslation('invoices');
  const [all, setAll] = useState(false);
  const shown = all ? rows : rows.slice(0, firstEntries);
  return (
    <Card title={<h2 className="card-title">{title}{rows.length > 0 && <span className="detail-count"> ({rows.length})</span>}</h2>}>
      {rows.length === 0 ? (
        <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={empty} />
      ) : (
        <ul className="detail-list" aria-label={label}>
          {shown.map((r) => <li key={rowKey(r)} className="detail-entry">{entry(r)}</li>)}
        </ul>
      )}
      {rows.length > firstEntries && (
        <Button type="link" className="detail-more" aria-expanded={all} onClick={() => setAll(!all)}>
          {all ? t('detail.showFewer') : t('detail.showAll', { count: rows.length })}
        </Button>
      )}
    </Card>
  );
}

export function PaymentRows({ rows, onReverse }: { rows: Payment[]; onReverse?: (p: Payment) => void }) {
  const { t } = useTranslation('invoices');
  const instant = useInstant();
  return (
    <DetailCard title={t('detail.payments')} label={t('detail.payments')} rows={rows} empty={t('detail.noPayments')}
      rowKey={(p) => p.reference + p.paid_at}
      entry={(p) => {
        const reversed = p.reversed_at !== undefined && p.reversed_at !== '';
        const unapplied = p.amount_minor - p.applied_minor;
        return (
          <>
            <div className="detail-head">
              <span className={reversed ? 'payment-reversed' : undefined}><Money minor={p.amount_minor} currency={p.currency} strong /></span>
              {reversed && <Tag color={tagColors.red}>{t('paymentLine.reversed')}</Tag>}
              <time className="detail-meta detail-when" dateTime={p.paid_at}>{instant(p.paid_at)}</time>
            </div>
            <div className="detail-meta detail-code">{t('payment.referenceIs', { reference: p.reference })}</div>
            {!reversed && (
              <div className="detail-meta">
                <span className="detail-when">{t('paymentLine.applied')}: <Money minor={p.applied_minor} currency={p.currency} /></span>
                {unapplied > 0 && <span className="detail-when">{' · '}{t('paymentLine.unapplied')}: <Money minor={unapplied} currency={p.currency} /></span>}
              </div>
            )}
            {reversed && (
              <div className="detail-meta">
                <time className="detail-when" dateTime={p.reversed_at}>{t('paymentLine.reversedAt', { when: instant(p.reversed_at ?? '') })}</time>
                {p.reversal_reason && <span>{' · '}{t('paymentLine.reasonIs', { reason: p.reversal_reason })}</span>}
              </div>
            )}
            {!reversed && onReverse && (
              <Button size="small" danger className="detail-action" aria-label={t('paymentLine.reverseLabel', { reference: p.reference })} onClick={() => onReverse(p)}>
                {t('paymentLine.reverse')}
              </Button>
            )}
          </>
        );
      }} />
  );
}

const adjustmentColor: Record<string, string> = {
  write_off: tagColors.red, recovery: tagColors.green, credit_note: tagColors.blue, settlement: tagColors.gold, credit_applied: tagColors.green,
};

/** AdjustmentRows lists what adjustments took off the balance (a recovery put back), oldest first as the API gives them. */
export function AdjustmentRows({ rows }: { rows: Adjustment[] }) {
  const { t, i18n } = useTranslation('invoices');
  const locale = localeOf(i18n);
  return (
    <DetailCard title={t('adjustment.title')} label={t('adjustment.title')} rows={rows} empty={t('adjustment.none')}
      rowKey={(a) => `${a.kind}-${a.created_at}-${a.payment ?? ''}-${a.amount_minor}`}
      entry={(a) => (
        <>
          <div className="detail-head">
            <span className="detail-title">
              <Tag color={adjustmentColor[a.kind] ?? tagColors.grey} className="adjust-kind">{t(`adjustment.kind.${a.kind}`, { defaultValue: a.kind })}</Tag>
              <Money minor={a.amount_minor} currency={a.currency} strong />
            </span>
            <span className="detail-meta detail-when">{t('adjustment.effective', { date: formatDate(a.effective_date, locale) })}</span>
          </div>
          {a.reason && <div className="detail-subject">{a.reason}</div>}
          {a.approved_by && <div className="detail-meta">{t('adjustment.approvedBy', { name: a.approved_by })}</div>}
          {a.payment && (
            <div className="detail-meta">
              <span className="detail-code">{t(a.kind === 'recovery' ? 'adjustment.recoveredBy' : 'adjustment.fromPayment', { reference: a.payment })}</span>
              {a.payment_invoice && (
                <>
                  {' · '}{t('adjustment.paymentOn')}{' '}
                  <Link to={invoicePath(a.payment_invoice)} aria-label={t('adjustment.openInvoice', { number: a.payment_invoice })} className="detail-code">
                    {a.payment_invoice}
                  </Link>
                </>
              )}
            </div>
          )}
        </>
      )} />
  );
}

export function TaskRows({ kind, rows }: { kind: 'tasks' | 'approvals'; rows: Task[] }) {
  const { t, i18n } = useTranslation('invoices');
  const instant = useInstant();
  const assignee = (r: Task) => r.assignee_name || r.assignee || (r.role ? t(`common:roles.${r.role}`, { defaultValue: r.role }) : t('task.nobody'));
  return (
    <DetailCard title={t(`detail.${kind}`)} label={t(`detail.${kind}`)} rows={rows} empty={t(kind === 'tasks' ? 'detail.noTasks' : 'detail.noApprovals')}
      rowKey={(r) => r.id}
      entry={(r) => {
        const to = r.kind === 'approval' ? `/approvals/${r.id}` : `/tasks/${r.id}`;
        const stage = localized(r.stage_title, i18n.language);
        return (
          <>
            <div className="detail-head">
              <Link to={to} className="detail-title">{r.title}</Link>
              <Tag color={taskStatusColor[r.status] ?? tagColors.grey}>{t(`taskStatus.${r.status}`, { defaultValue: r.status })}</Tag>
            </div>
            {stage && <div className="detail-meta">{t('task.stageIs', { stage })}</div>}
            <div className="detail-meta">
              <span>{t('task.assigneeIs', { name: assignee(r) })}</span>
              {r.due_at && (
                <span>
                  {' · '}<time className="detail-when" dateTime={r.due_at}>{t('task.dueAt', { when: instant(r.due_at) })}</time>
                  {r.overdue && <Tag color={tagColors.red} className="detail-inline-tag">{t('task.overdue')}</Tag>}
                </span>
              )}
            </div>
          </>
        );
      }} />
  );
}

export function MessageRows({ rows }: { rows: Message[] }) {
  const { t } = useTranslation('invoices');
  const instant = useInstant();
  return (
    <DetailCard title={t('detail.messages')} label={t('detail.messages')} rows={rows} empty={t('detail.noMessages')}
      rowKey={(m) => m.id}
      entry={(m) => {
        const at = m.sent_at ?? m.created_at;
        return (
          <>
            <div className="detail-head">
              <span className="detail-title">
                {t(`channel.${m.channel}`, { defaultValue: m.channel })}
                {m.recipient && (
                  <>
                    <span aria-hidden> → </span><span className="detail-hidden"> {t('message.to')} </span>
                    <span className="detail-code">{m.recipient}</span>
                  </>
                )}
              </span>
              <Tag color={messageStatusColor[m.status] ?? tagColors.grey}>{t(`messageStatus.${m.status}`, { defaultValue: m.status })}</Tag>
            </div>
            <div className="detail-meta">
              <time className="detail-when" dateTime={at}>{instant(at)}</time>
              {m.reason && <span>{' · '}{m.reason}</span>}
            </div>
            {m.subject && <div className="detail-subject">{m.subject}</div>}
            {m.body && (
              <Typography.Paragraph className="detail-text" ellipsis={{ rows: 2, expandable: 'collapsible' }}>{m.body}</Typography.Paragraph>
            )}
          </>
        );
      }} />
  );
}
