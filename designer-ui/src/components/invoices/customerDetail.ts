// What the customer detail carries beyond the Customer schema (being added
// to the API): receivables per currency, the credit limit, the finance
// contact, promise counts and its history across invoices. Read by name
// with run-time type checks: absent fields stay undefined and the page
// leaves their sections out.
import type { TimelineActivity, TimelineEffect } from '../Timeline';
import { isObject, type Json, type JsonObject } from './json';

export interface CurrencyAggregate {
  currency: string;
  openMinor: number | undefined;
  overdueMinor: number | undefined;
  openInvoices: number | undefined;
  overdueInvoices: number | undefined;
  paid90dMinor: number | undefined;
}
export interface CustomerExtras {
  aggregates: CurrencyAggregate[] | undefined;
  creditLimit: { minor: number; currency: string } | undefined;
  financeEmail: string;
  ownerName: string;
  promises: { kept: number; broken: number; pending: number } | undefined;
  history: { effects: TimelineEffect[]; activity: TimelineActivity[] } | undefined;
}

function get(o: JsonObject, ...names: string[]): Json | undefined {
  for (const n of names) if (o[n] !== undefined && o[n] !== null) return o[n];
  return undefined;
}
function n(o: JsonObject, ...names: string[]): number | undefined {
  const v = get(o, ...names);
  return typeof v === 'number' ? v : undefined;
}
function s(o: JsonObject, ...names: string[]): string {
  const v = get(o, ...names);
  return typeof v === 'string' ? v : '';
}
function os(o: JsonObject, name: string): string | undefined {
  const v = o[name];
  return typeof v === 'string' ? v : undefined;
}

function effectOf(r: JsonObject): TimelineEffect | undefined {
  const at = os(r, 'at');
  const kind = os(r, 'kind');
  if (!at || !kind) return undefined;
  const trace = Array.isArray(r.trace)
    ? r.trace.filter(isObject).flatMap((x) => (typeof x.name === 'string' ? [{ name: x.name, value: x.value }] : []))
    : undefined;
  const detail = isObject(r.detail) ? r.detail : undefined;
  return { at, kind, key: os(r, 'key'), source: os(r, 'source'), definition: os(r, 'definition'), node: os(r, 'node'),
    version: n(r, 'version'), field: os(r, 'field'), value: os(r, 'value'), old_value: os(r, 'old_value'), detail, trace };
}
function actionOf(r: JsonObject): TimelineActivity | undefined {
  const at = os(r, 'at');
  const actor = os(r, 'actor');
  const action = os(r, 'action');
  if (!at || actor === undefined || !action) return undefined;
  return { at, actor, action, actor_name: os(r, 'actor_name'), task_title: os(r, 'task_title'), detail: isObject(r.detail) ? r.detail : undefined };
}

export function readCustomerExtras(raw: unknown): CustomerExtras {
  const o: JsonObject = isObject(raw) ? raw : {};
  const agg = get(o, 'balances');
  const aggregates = Array.isArray(agg)
    ? agg.filter(isObject).map((a) => ({
      currency: s(a, 'currency'),
      openMinor: n(a, 'open_minor'),
      overdueMinor: n(a, 'overdue_minor'),
      openInvoices: n(a, 'open_invoices'),
      overdueInvoices: n(a, 'overdue_invoices'),
      paid90dMinor: n(a, 'paid_90d_minor'),
    }))
    : undefined;
  const limit = n(o, 'credit_limit_minor');
  const limitCurrency = s(o, 'credit_currency');
  const p = get(o, 'promises');
  const promises = isObject(p) ? { kept: n(p, 'kept') ?? 0, broken: n(p, 'broken') ?? 0, pending: n(p, 'pending') ?? 0 } : undefined;
  const h = get(o, 'history');
  let history: CustomerExtras['history'];
  if (Array.isArray(h)) {
    const effects: TimelineEffect[] = [];
    const activity: TimelineActivity[] = [];
    for (const ev of h.filter(isObject)) {
      const e = isObject(ev.effect) ? effectOf(ev.effect) : undefined;
      if (e) effects.push(e);
      const a = isObject(ev.action) ? actionOf(ev.action) : undefined;
      if (a) activity.push(a);
    }
    history = { effects, activity };
  }
  return {
    aggregates,
    creditLimit: limit ? { minor: limit, currency: limitCurrency || 'CNY' } : undefined,
    financeEmail: s(o, 'finance_email'),
    ownerName: s(o, 'owner_name'),
    promises,
    history,
  };
}
