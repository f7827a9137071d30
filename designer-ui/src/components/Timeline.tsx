// Timeline shows everything that happened on an invoice, newest first: the
// effects the rules and workflows recorded (state changes, tasks, approvals,
// notifications, workflow steps) each with its "why" (the values its
// condition saw), what people did (comments, reassignments, completions with
// their values), the messages sent with their text, and payments.
//
// Usage (every list optional; the API's shapes are accepted as they are):
//   <Timeline effects={inv.effects} activity={inv.activity} messages={inv.messages}
//             payments={inv.payments} currency={inv.invoice.currency} />
import { useMemo, type ReactNode } from 'react';
import { Empty, Tag, Timeline as AntTimeline } from 'antd';
import {
  BellOutlined, BranchesOutlined, CheckCircleOutlined, CommentOutlined, DollarOutlined, EditOutlined,
  ExclamationCircleOutlined, FlagOutlined, MailOutlined, SwapOutlined, UserOutlined,
} from '@ant-design/icons';
import { useTranslation } from 'react-i18next';
import { formatDate, formatInstant, localeOf } from '../format';
import { localized, type Localized } from './formDefinition';
import { formatMoney } from '../money';
import { Money } from './Money';
import { zoneOfInstant } from './zone';
import { reasonLabel, type DisputeReason } from './cases/disputeReasons';

export { zoneOfInstant } from './zone';
import './tasks/tasks.css';

type Detail = Record<string, unknown>;

/** An effect recorded by a rule or workflow (the API's EffectEntry). */
export interface TimelineEffect {
  at: string;
  key?: string;
  kind: string;
  source?: string;
  definition?: string;
  node?: string;
  version?: number;
  field?: string;
  value?: string;
  old_value?: string;
  detail?: Detail | null;
  trace?: { name: string; value?: unknown }[] | null;
}

/** Something a person did (the API's ActionEntry or a task's Activity). */
export interface TimelineActivity {
  at: string;
  actor: string;
  actor_name?: string;
  action: string;
  task_title?: string;
  detail?: Detail | null;
  /** For a completed task: its form's field labels, types and option labels (the API's FieldLabel). */
  fields?: Record<string, { label?: Localized; type: string; options?: Record<string, Localized> }>;
}

/** A message sent (or queued) for the invoice (the API's InvoiceMessage or SentMessage). */
export interface TimelineMessage {
  id?: number;
  created_at: string;
  sent_at?: string;
  channel: string;
  recipient?: string;
  subject?: string;
  body?: string;
  status: string;
  reason?: string;
}

/** A payment received (the API's InvoicePayment). */
export interface TimelinePayment {
  reference?: string;
  amount_minor: number;
  currency: string;
  paid_at: string;
  /** When it was reversed (it then applies nothing). */
  reversed_at?: string;
}

export interface TimelineProps {
  effects?: readonly TimelineEffect[] | null;
  activity?: readonly TimelineActivity[] | null;
  messages?: readonly TimelineMessage[] | null;
  payments?: readonly TimelinePayment[] | null;
  /** The invoice's currency: amounts in the "why" (invoice.balance…) are shown in it. */
  currency?: string;
  /** The company's IANA zone; without it, times are shown in the zone the server wrote them in. */
  timeZone?: string;
  /** Hide notify effects whose message is also in messages (default true when messages are given). */
  dedupeNotifications?: boolean;
  /** The company's dispute reasons (retired ones too): a dispute opened is shown with its reason's label, else its code. */
  disputeReasons?: readonly DisputeReason[];
}

interface Entry {
  at: string;
  sortKey: number;
  key: string;
  color: string;
  icon: ReactNode;
  title: ReactNode;
  body?: ReactNode;
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' ? v : undefined;
}

const moneyNames = /(balance|amount|_minor|fee)s?$/;

function TraceList({ trace, currency }: { trace: { name: string; value?: unknown }[]; currency?: string }) {
  const { t, i18n } = useTranslation('timeline');
  const locale = localeOf(i18n);
  const cur = (trace.find((x) => x.name.endsWith('.currency'))?.value as string | undefined) ?? currency;
  const show = (name: string, v: unknown): string => {
    if (typeof v === 'number' && Number.isInteger(v) && cur && moneyNames.test(name)) return formatMoney(v, cur, locale);
    if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') return String(v);
    if (v === null || v === undefined) return t('nothing');
    return JSON.stringify(v);
  };
  return (
    <details className="timeline-why">
      <summary>{t('why')}</summary>
      <dl>
        {trace.map((x, i) => (
          <div key={`${x.name}-${i}`} className="timeline-why-row">
            <dt><code>{x.name}</code></dt>
            <dd>{show(x.name, x.value)}</dd>
          </div>
        ))}
      </dl>
    </details>
  );
}

/** moneyOf reads a {minor, currency} object the engine records (a fee, a write-off). */
function moneyOf(v: unknown): { minor: number; currency: string } | undefined {
  if (!v || typeof v !== 'object') return undefined;
  const m = v as Detail;
  return typeof m.minor === 'number' && Number.isInteger(m.minor) && typeof m.currency === 'string' && m.currency !== '' ? { minor: m.minor, currency: m.currency } : undefined;
}

/**
 * caseAdjustment reads the key and reason of an adjustment a dispute or a
 * legal case made (store/disputes.go, store/legal_cases.go: "dispute/3"
 * with "dispute upheld: <note>", "legal/2/settled" with "legal case
 * settled: <notes>"): which record, and the person's note without the
 * server's English prefix, which the line names in the user's language.
 */
export function caseAdjustment(key: string | undefined, reason: string | undefined): { from: 'dispute' | 'settled' | 'lost'; id: string; note: string } | undefined {
  const m = /^(?:dispute\/(\d+)|legal\/(\d+)\/(settled|lost))$/.exec(key ?? '');
  if (!m) return undefined;
  const from = m[1] ? 'dispute' : m[3] === 'settled' ? 'settled' : 'lost';
  const prefix = { dispute: 'dispute upheld:', settled: 'legal case settled:', lost: 'legal case lost:' }[from];
  const r = reason ?? '';
  return { from, id: m[1] ?? m[2] ?? '', note: (r.startsWith(prefix) ? r.slice(prefix.length) : r).trim() };
}

function Quote({ children }: { children: ReactNode }) {
  return <blockquote className="timeline-quote">{children}</blockquote>;
}

/** Timeline lists effects, activity, messages and payments, newest first. */
export function Timeline({ effects, activity, messages, payments, currency, timeZone, dedupeNotifications, disputeReasons }: TimelineProps) {
  const { t, i18n } = useTranslation('timeline');
  // the fields a rule may set and their values, named in the user's language
  const fieldKeys: Record<string, string> = {
    'invoice.status': 'invoiceStatus', 'invoice.disputed': 'invoiceDisputed', 'customer.risk': 'customerRisk', 'customer.do_not_contact': 'customerDoNotContact',
  };
  const fieldText = (f: string) => (fieldKeys[f] ? t(`field.${fieldKeys[f]}`) : f);
  const valueText = (f: string, v: string) => {
    if (f === 'invoice.status') return t(`invoices:status.${v}`, { defaultValue: v });
    if (f === 'customer.risk') return t(`invoices:risk.${v}`, { defaultValue: v });
    if (v === 'true' || v === 'false') return t(v === 'true' ? 'yes' : 'no');
    return v;
  };
  const locale = localeOf(i18n);
  const when = (at: string) => formatInstant(at, locale, timeZone ?? zoneOfInstant(at));

  const entries = useMemo(() => {
    const out: Entry[] = [];
    const ts = (at: string) => {
      const n = Date.parse(at);
      return Number.isNaN(n) ? 0 : n;
    };
    const hideNotify = (dedupeNotifications ?? true) && (messages?.length ?? 0) > 0;
    (effects ?? []).forEach((e, i) => {
      const d: Detail = e.detail ?? {};
      const who = str(d.assignee) ?? (str(d.role) ? t(`common:roles.${String(d.role)}`, { defaultValue: String(d.role) }) : undefined);
      const src = e.source ? <span className="muted timeline-source">{t('source', { source: e.source, version: e.version ?? '' })}</span> : null;
      const why = e.trace && e.trace.length > 0 ? <TraceList trace={e.trace} currency={currency} /> : null;
      let color = 'blue';
      let icon: ReactNode = <FlagOutlined />;
      let title: ReactNode;
      let body: ReactNode = null;
      switch (e.kind) {
        case 'set':
          color = 'orange';
          icon = <EditOutlined />;
          {
            const field = e.field ?? str(d.field) ?? '';
            title = t('effect.set', { field: fieldText(field), from: e.old_value ? valueText(field, e.old_value) : t('nothing'), to: valueText(field, e.value ?? str(d.value) ?? '') });
          }
          break;
        case 'task':
          icon = <CheckCircleOutlined />;
          title = t('effect.task', { title: str(d.title) ?? '' });
          body = who ? <div>{t('assignedTo', { who })}</div> : null;
          break;
        case 'approval':
          color = 'purple';
          icon = <ExclamationCircleOutlined />;
          title = t('effect.approval', { title: str(d.title) ?? '' });
          body = who ? <div>{t('assignedTo', { who })}</div> : null;
          break;
        case 'notify': {
          if (hideNotify && str(d.channel) !== 'in_app') return;
          color = 'cyan';
          icon = <BellOutlined />;
          const to = str(d.to) ?? (str(d.to_role) ? t(`common:roles.${String(d.to_role)}`, { defaultValue: String(d.to_role) }) : '');
          title = t('effect.notify', { channel: t(`channel.${str(d.channel) ?? 'other'}`, { defaultValue: str(d.channel) ?? '' }), to });
          const subject = str(d.subject);
          const text = str(d.body) ?? str(d.text);
          body = subject || text ? <Quote>{subject && <strong>{subject}<br /></strong>}{text}</Quote> : null;
          break;
        }
        case 'node': {
          color = 'gray';
          icon = <BranchesOutlined />;
          const event = str(d.event) ?? '';
          const node = e.node ?? str(d.node) ?? (e.source?.includes('/') ? e.source.split('/').pop() : '') ?? '';
          title = t(`node.${event}`, { node, workflow: str(d.workflow) ?? e.definition ?? '', defaultValue: t('node.other', { event, node }) });
          break;
        }
        case 'task_cancelled':
          color = 'gray';
          icon = <CheckCircleOutlined />;
          // a workflow's cancellation names the stage (and why) rather than the task's title
          title = t('effect.task_cancelled', { title: str(d.title) ?? e.node ?? str(d.node) ?? '' });
          body = str(d.reason) ? <div className="muted">{str(d.reason)}</div> : null;
          break;
        case 'escalation':
          color = 'red';
          icon = <ExclamationCircleOutlined />;
          title = t('effect.escalation', { who: who ?? '' });
          break;
        case 'add_fee': {
          color = 'red';
          icon = <DollarOutlined />;
          title = t('effect.add_fee');
          // the engine records the fee as {minor, currency}; older entries as amount_minor
          const fee = moneyOf(d.fee) ?? (typeof d.amount_minor === 'number' && (str(d.currency) ?? currency) ? { minor: d.amount_minor, currency: str(d.currency) ?? currency ?? '' } : undefined);
          if (fee) body = <Money minor={fee.minor} currency={fee.currency} />;
          break;
        }
        case 'write_off': {
          color = 'red';
          icon = <DollarOutlined />;
          const amount = moneyOf(d.write_off);
          title = amount ? t('effect.write_off_amount', { amount: formatMoney(amount.minor, amount.currency, locale) }) : t('effect.write_off');
          body = str(d.reason) ? <Quote>{str(d.reason)}</Quote> : null;
          break;
        }
        case 'start_workflow':
          icon = <BranchesOutlined />;
          title = t('effect.start_workflow', { workflow: str(d.workflow) ?? e.value ?? '' });
          break;
        default:
          title = t('effect.other', { kind: e.kind });
      }
      out.push({
        at: e.at, sortKey: ts(e.at), key: `e-${e.key ?? i}`, color, icon, title,
        body: <>{body}{src}{why}</>,
      });
    });
    (activity ?? []).forEach((a, i) => {
      const d: Detail = a.detail ?? {};
      const actor = a.actor_name || a.actor;
      let icon: ReactNode = <UserOutlined />;
      let title: ReactNode;
      let body: ReactNode = null;
      switch (a.action) {
        case 'task.comment':
          icon = <CommentOutlined />;
          title = t('activity.comment', { actor });
          body = <Quote>{str(d.text) ?? ''}</Quote>;
          break;
        case 'task.reassigned':
        case 'task.claimed':
          icon = <SwapOutlined />;
          title = t(a.action === 'task.claimed' ? 'activity.claimed' : 'activity.reassigned', {
            actor, from: str(d.from) ?? t('nothing'), to: str(d.to) ?? str(d.assignee) ?? '',
          });
          body = str(d.reason) ? <Quote>{str(d.reason)}</Quote> : null;
          break;
        case 'task.completed': {
          icon = <CheckCircleOutlined />;
          title = t('activity.completed', { actor });
          const values = (d.values ?? d.outcome ?? d) as unknown;
          if (values && typeof values === 'object' && !Array.isArray(values)) {
            const rows = Object.entries(values as Detail).filter(([, v]) => v !== null && v !== '' && typeof v !== 'object');
            if (rows.length) {
              body = (
                <dl className="timeline-values">
                  {rows.map(([k, v]) => {
                    // named as the task's form names the field and its options
                    const f = a.fields?.[k];
                    const text = String(v);
                    const shown = localized(f?.options?.[text], i18n.language)
                      || (f?.type === 'date' ? formatDate(text, locale) : f?.type === 'bool' ? t(text === 'true' ? 'yes' : 'no') : text);
                    return <div key={k}><dt>{localized(f?.label, i18n.language) || k}</dt><dd>{shown}</dd></div>;
                  })}
                </dl>
              );
            }
          }
          break;
        }
        case 'invoice.adjusted': {
          icon = <DollarOutlined />;
          const kind = str(d.kind) ?? '';
          title = t('activity.adjusted', { actor, kind: t(`invoices:adjustment.kind.${kind}`, { defaultValue: kind }) });
          const amount = typeof d.amount_minor === 'number' && str(d.currency) ? <Money minor={d.amount_minor} currency={str(d.currency) ?? ''} strong /> : null;
          const approver = str(d.approved_by);
          // a dispute's or legal case's adjustment names its record in the user's language; another key is the person's reference
          const fromCase = caseAdjustment(str(d.key), str(d.reason));
          const ref = fromCase ? t(`activity.adjustmentFrom.${fromCase.from}`, { id: fromCase.id }) : str(d.key);
          const reason = fromCase ? fromCase.note : str(d.reason);
          body = (
            <>
              {amount && <div>{amount}{ref && <span className="muted"> · {ref}</span>}</div>}
              {reason && <Quote>{reason}</Quote>}
              {approver && approver !== a.actor && <span className="muted">{t('activity.approvedBy', { name: approver })}</span>}
            </>
          );
          break;
        }
        case 'payment.reversed':
          icon = <DollarOutlined />;
          title = t('activity.reversed', { actor, reference: str(d.reference) ?? '' });
          body = (
            <>
              {typeof d.amount_minor === 'number' && str(d.currency) && <div><Money minor={d.amount_minor} currency={str(d.currency) ?? ''} strong /></div>}
              {str(d.reason) && <Quote>{str(d.reason)}</Quote>}
            </>
          );
          break;
        case 'payment.received':
          // shown from payments when they are given
          if ((payments?.length ?? 0) > 0) return;
          icon = <DollarOutlined />;
          title = t('activity.payment', { actor });
          break;
        default: {
          // disputes, promises, legal cases and holds (cases.json's records) have their own line, with their
          // outcome (upheld, settled, kept…) in the user's language; other actions the catalog names
          // (actions.<area>.<verb>), else the code; a note or reason given is quoted
          const area = a.action.split('.')[0] ?? '';
          const status = str(d.status);
          title = t(`activity.record.${a.action}`, { actor, status: status ? t(`activity.recordStatus.${area}.${status}`, { defaultValue: status }) : '',
            defaultValue: t(`actions.${a.action}`, { actor, defaultValue: t('activity.other', { actor, action: a.action }) }) });
          let quote = str(d.note) || str(d.description) || str(d.reason);
          if (a.action === 'dispute.opened' && str(d.reason)) {
            // the reason code by its label; the description is what the person wrote
            quote = str(d.description);
            body = <div>{t('activity.disputeReason', { reason: reasonLabel(disputeReasons ?? [], str(d.reason) ?? '', i18n.language) })}</div>;
          } else if (a.action.startsWith('invoice.hold_') && str(d.reason) === 'legal') {
            // the legal case's hold, not a person's reason
            quote = undefined;
            body = <div>{t(a.action === 'invoice.hold_placed' ? 'activity.legalHold' : 'activity.legalHoldReleased')}</div>;
          }
          if (quote) body = <>{body}<Quote>{quote}</Quote></>;
        }
      }
      out.push({
        at: a.at, sortKey: ts(a.at), key: `a-${i}`, color: 'green', icon, title,
        body: <>{a.task_title && <span className="muted">{a.task_title}</span>}{body}</>,
      });
    });
    (messages ?? []).forEach((m, i) => {
      const at = m.sent_at ?? m.created_at;
      out.push({
        at, sortKey: ts(at), key: `m-${m.id ?? i}`, color: m.status === 'dead' ? 'red' : 'cyan', icon: <MailOutlined />,
        title: (
          <>
            {t('message.title', { channel: t(`channel.${m.channel}`, { defaultValue: m.channel }), to: m.recipient ?? '' })}{' '}
            <Tag color={m.status === 'sent' ? 'green' : m.status === 'dead' ? 'red' : m.status === 'suppressed' ? 'default' : 'gold'}>
              {t(`status.${m.status}`, { defaultValue: m.status })}
            </Tag>
          </>
        ),
        body: (
          <>
            {(m.subject || m.body) && <Quote>{m.subject && <strong>{m.subject}<br /></strong>}{m.body}</Quote>}
            {m.reason && <span className="muted">{m.reason}</span>}
          </>
        ),
      });
    });
    (payments ?? []).forEach((p, i) => {
      out.push({
        at: p.paid_at, sortKey: ts(p.paid_at), key: `p-${p.reference ?? i}`, color: 'green', icon: <DollarOutlined />,
        title: (
          <>
            {t('payment.title')} <Money minor={p.amount_minor} currency={p.currency} strong />
            {p.reversed_at && <>{' '}<Tag color="red">{t('payment.reversed')}</Tag></>}
          </>
        ),
        body: p.reference ? <span className="muted">{t('payment.reference', { reference: p.reference })}</span> : null,
      });
    });
    // newest first; for one instant, keep the order things were recorded in, reversed
    return out.map((e, i) => ({ e, i })).sort((a, b) => b.e.sortKey - a.e.sortKey || b.i - a.i).map((x) => x.e);
  }, [effects, activity, messages, payments, currency, dedupeNotifications, disputeReasons, t, i18n.language, locale]);

  if (entries.length === 0) return <Empty description={t('empty')} />;
  return (
    <AntTimeline
      className="timeline"
      items={entries.map((e) => ({
        key: e.key,
        color: e.color,
        icon: <span aria-hidden>{e.icon}</span>,
        content: (
          <div className="timeline-entry">
            <div className="timeline-head">
              <span className="timeline-title">{e.title}</span>
              <time dateTime={e.at} className="timeline-time">{when(e.at)}</time>
            </div>
            {e.body}
          </div>
        ),
      }))}
    />
  );
}

export default Timeline;
