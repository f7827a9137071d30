// Reads a task's invoice history (GET /api/tasks/{id} history, the store's
// InvoiceHistory: effects in snake_case, payments possibly with Go's field
// names) into the Timeline's lists.
import type { TimelineEffect, TimelinePayment } from '../Timeline';

type Obj = Record<string, unknown>;

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function s(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

function n(v: unknown): number | undefined {
  return typeof v === 'number' ? v : undefined;
}

function pick(o: Obj, ...names: string[]): unknown {
  for (const k of names) if (o[k] !== undefined && o[k] !== null) return o[k];
  return undefined;
}

export function readEffects(v: unknown): TimelineEffect[] {
  if (!Array.isArray(v)) return [];
  return v.flatMap((e): TimelineEffect[] => {
    if (!isObj(e)) return [];
    const at = s(pick(e, 'at', 'At'));
    const kind = s(pick(e, 'kind', 'Kind'));
    if (!at || !kind) return [];
    const detail = pick(e, 'detail', 'Detail');
    const trace = pick(e, 'trace', 'Trace');
    return [{
      at, kind,
      key: s(pick(e, 'key', 'Key')),
      source: s(pick(e, 'source', 'Source')),
      definition: s(e.definition),
      node: s(e.node),
      version: n(pick(e, 'version', 'Version')),
      field: s(pick(e, 'field', 'Field')),
      value: s(pick(e, 'value', 'Value')),
      old_value: s(pick(e, 'old_value', 'OldValue')),
      detail: isObj(detail) ? detail : null,
      trace: Array.isArray(trace)
        ? trace.flatMap((x) => (isObj(x) && typeof x.name === 'string' ? [{ name: x.name, value: x.value }] : []))
        : null,
    }];
  });
}

export function readPayments(v: unknown): TimelinePayment[] {
  if (!Array.isArray(v)) return [];
  return v.flatMap((p): TimelinePayment[] => {
    if (!isObj(p)) return [];
    const amount = n(pick(p, 'amount_minor', 'AmountMinor'));
    const currency = s(pick(p, 'currency', 'Currency'));
    const paidAt = s(pick(p, 'paid_at', 'PaidAt'));
    if (amount === undefined || !currency || !paidAt) return [];
    return [{ amount_minor: amount, currency, paid_at: paidAt, reference: s(pick(p, 'reference', 'Reference')) }];
  });
}

/** readHistory returns the effects and payments of an invoice history. */
export function readHistory(h: unknown): { effects: TimelineEffect[]; payments: TimelinePayment[] } {
  if (!isObj(h)) return { effects: [], payments: [] };
  return { effects: readEffects(pick(h, 'effects', 'Effects')), payments: readPayments(pick(h, 'payments', 'Payments')) };
}
