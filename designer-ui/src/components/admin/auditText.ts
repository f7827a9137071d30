// How an audit entry reads to a person: the action and the entity in the
// user's language (the code stays visible beside it, it is what the API and
// exports carry), and the detail as labelled parts rather than JSON. An
// action the catalog does not know yet is shown as its code.
import type { TFunction } from 'i18next';
import type { Schemas } from '../../api/client';
import { formatMoney } from '../../money';

type Entry = Schemas['AuditEntry'];

/** auditActions are the actions the server records today, offered in the search. */
export const auditActions = ['task.completed', 'task.comment', 'task.reassigned', 'task.claimed', 'payment.received',
  'auth.login.succeeded', 'auth.login.failed', 'user.created', 'user.updated', 'user.deactivated', 'user.reactivated', 'user.password_changed',
  'token.created', 'token.revoked', 'definition.drafted', 'definition.published', 'definition.rolled_back', 'import.completed', 'tick.completed',
  'dispute_reason.added', 'dispute_reason.updated', 'dispute_reason.retired'] as const;
/** auditEntities are the kinds of record audit entries are about. */
export const auditEntities = ['task', 'payment', 'user', 'token', 'definition', 'import', 'tick', 'dispute_reason'] as const;

const catalogKey = (s: string) => s.replace(/[.:]/g, '_');

export function actionLabel(action: string, t: TFunction): string {
  return t(`admin:audit.action.${catalogKey(action)}`, { defaultValue: action });
}

export function entityLabel(entity: string, t: TFunction): string {
  return t(`admin:audit.entity.${catalogKey(entity)}`, { defaultValue: entity });
}

/** entityText is "Task #12" in the user's language. */
export function entityText(e: Pick<Entry, 'entity' | 'entity_id'>, t: TFunction): string {
  const name = entityLabel(e.entity, t);
  return e.entity_id ? `${name} #${e.entity_id}` : name;
}

export interface DetailPart { label: string; value: string }

// An instant as the server writes it (RFC 3339, maybe with nanoseconds).
const instant = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

function plain(v: unknown, locale = 'en'): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'string' && instant.test(v)) {
    const d = new Date(v);
    if (!Number.isNaN(d.getTime())) return new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short' }).format(d);
  }
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (Array.isArray(v)) return v.map((x) => plain(x, locale)).join(', ');
  return Object.entries(v as Record<string, unknown>).map(([k, x]) => `${k}: ${plain(x, locale)}`).join(', ');
}

/**
 * detailParts turns an entry's detail into labelled parts: known keys get
 * their label, an amount in minor units with its currency becomes money, a
 * task outcome is listed field by field, and the internal task key is left
 * to the export.
 */
export function detailParts(detail: Entry['detail'], t: TFunction, locale: string): DetailPart[] {
  if (!detail) return [];
  const d = detail as Record<string, unknown>;
  const parts: DetailPart[] = [];
  const label = (k: string) => t(`admin:audit.detailKey.${catalogKey(k)}`, { defaultValue: k });
  for (const [k, v] of Object.entries(d)) {
    if (k === 'key' || k === 'currency') continue;
    if (k === 'amount_minor' && typeof v === 'number' && typeof d.currency === 'string') {
      parts.push({ label: label('amount'), value: formatMoney(v, d.currency, locale) });
      continue;
    }
    if (k === 'outcome' && typeof v === 'object' && v !== null && !Array.isArray(v)) {
      const fields = Object.entries(v as Record<string, unknown>);
      if (fields.length === 0) parts.push({ label: label('outcome'), value: t('admin:audit.noOutcome') });
      for (const [f, x] of fields) parts.push({ label: label(f), value: plain(x) });
      continue;
    }
    const value = plain(v, locale);
    if (value !== '') parts.push({ label: label(k), value });
  }
  return parts;
}
