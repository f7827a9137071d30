// The dashboard's figures as the API returns them, and what the page derives
// for display only (never summed across currencies): the currencies present,
// each currency's open balance and overdue share, the promise-kept rate.
import type { Schemas } from '../../api/client';

export type Dashboard = Schemas['Dashboard'];
export type AgingRow = Dashboard['aging'][number];
export type Bucket = AgingRow['bucket'];
export type DueRow = Schemas['DashboardDueRow'];
export type StageRow = Dashboard['recovery_by_stage'][number];
export type OwnerRow = Dashboard['recovery_by_owner'][number];
export type TeamRow = Dashboard['recovery_by_team'][number];
export type PromiseRow = Dashboard['promises'][number];
export type BadDebtRow = Dashboard['bad_debt'][number];
export type PlanRow = Dashboard['plans'][number];

export const buckets: readonly Bucket[] = ['current', '1-30', '31-60', '61-90', '90+'];
export const bucketColors: Record<Bucket, string> = {
  current: '#3f8f5a',
  '1-30': '#e0b437',
  '31-60': '#e08a37',
  '61-90': '#d4542f',
  '90+': '#8f1d1d',
};

/** currencies lists every currency in the figures, in a stable order. */
export function currencies(d: Dashboard): string[] {
  const s = new Set<string>();
  for (const r of d.aging) s.add(r.currency);
  for (const r of d.dso) s.add(r.currency);
  for (const r of d.due_next) s.add(r.currency);
  for (const r of d.promised_next) s.add(r.currency);
  for (const r of d.planned_next) s.add(r.currency);
  for (const r of d.promises) s.add(r.currency);
  for (const r of d.recovery_by_stage) s.add(r.currency);
  for (const r of d.plans) s.add(r.currency);
  for (const r of d.bad_debt) s.add(r.currency);
  return [...s].sort();
}

export interface CurrencyBalance {
  currency: string;
  open: bigint;
  overdue: bigint;
  invoices: number;
  overdueInvoices: number;
  /** overdue ÷ open, 0 when nothing is open */
  overdueShare: number;
}

/** balances sums the aging buckets of each currency (within a currency only). */
export function balances(d: Dashboard): CurrencyBalance[] {
  const by = new Map<string, CurrencyBalance>();
  for (const r of d.aging) {
    let b = by.get(r.currency);
    if (!b) {
      b = { currency: r.currency, open: 0n, overdue: 0n, invoices: 0, overdueInvoices: 0, overdueShare: 0 };
      by.set(r.currency, b);
    }
    b.open += BigInt(r.balance_minor);
    b.invoices += r.invoices;
    if (r.bucket !== 'current') {
      b.overdue += BigInt(r.balance_minor);
      b.overdueInvoices += r.invoices;
    }
  }
  const out = [...by.values()].sort((a, b) => a.currency.localeCompare(b.currency));
  for (const b of out) {
    // a ratio for display: scaled to basis points in integers first
    b.overdueShare = b.open > 0n ? Number((b.overdue * 10000n) / b.open) / 10000 : 0;
  }
  return out;
}

/** promiseCounts adds up promises by count (counts, unlike amounts, add across currencies). */
export function promiseCounts(d: Dashboard): { kept: number; broken: number; pending: number; keptRate: number | undefined } {
  let kept = 0, broken = 0, pending = 0;
  for (const p of d.promises) {
    kept += p.kept;
    broken += p.broken;
    pending += p.pending;
  }
  return { kept, broken, pending, keptRate: kept + broken > 0 ? kept / (kept + broken) : undefined };
}

type StageTitle = { en?: string; 'zh-CN'?: string } | undefined;

/** A workflow stage as the charts list it: its node, and its title when the workflow gives one. */
export interface Stage {
  workflow: string;
  node: string;
  key: string;
  node_title?: StageTitle;
}

/** stages lists the workflow nodes in the order the API gives them. */
export function stages(rows: readonly { workflow: string; node: string; node_title?: StageTitle }[]): Stage[] {
  const seen = new Map<string, Stage>();
  for (const r of rows) {
    const key = `${r.workflow}/${r.node}`;
    if (!seen.has(key)) seen.set(key, { workflow: r.workflow, node: r.node, key, node_title: r.node_title });
  }
  return [...seen.values()];
}

/**
 * stageLabel names a stage by its title in the language (else its node),
 * with the workflow when several workflows have stages.
 */
export function stageLabel(s: { workflow: string; node: string; node_title?: StageTitle }, manyWorkflows: boolean, lang = 'en'): string {
  const title = (lang === 'zh-CN' ? s.node_title?.['zh-CN'] || s.node_title?.en : s.node_title?.en || s.node_title?.['zh-CN']) || s.node;
  return manyWorkflows ? `${s.workflow} / ${title}` : title;
}

/** shortUser shows an email's local part: "rep1.east@demo.recoup.test" → "rep1.east". */
export function shortUser(email: string): string {
  const at = email.indexOf('@');
  return at > 0 ? email.slice(0, at) : email;
}

/** agingHref is the invoice list filtered to a bucket and a currency. */
export function agingHref(bucket: Bucket, currency: string): string {
  return `/invoices?${new URLSearchParams({ aging: bucket, currency }).toString()}`;
}

/** A month of bad debt in one currency, with what is left written off after recoveries (net). */
export interface BadDebtLine extends BadDebtRow {
  key: string;
  /** written off − recovered, exact */
  net: bigint;
}

/** badDebtLines lists the bad debt newest month first, currencies in order within a month. */
export function badDebtLines(rows: readonly BadDebtRow[]): BadDebtLine[] {
  return [...rows]
    .sort((a, b) => b.month.localeCompare(a.month) || a.currency.localeCompare(b.currency))
    .map((r) => ({ ...r, key: `${r.month}|${r.currency}`, net: BigInt(r.written_off_minor) - BigInt(r.recovered_minor) }));
}

/** The bad debt of the last 12 months in one currency (never added across currencies). */
export interface BadDebtTotal {
  currency: string;
  writtenOff: bigint;
  recovered: bigint;
  net: bigint;
  creditNotes: bigint;
  writeOffs: number;
}

/** badDebtTotals sums the months of each currency exactly. */
export function badDebtTotals(rows: readonly BadDebtRow[]): BadDebtTotal[] {
  const by = new Map<string, BadDebtTotal>();
  for (const r of rows) {
    let t = by.get(r.currency);
    if (!t) {
      t = { currency: r.currency, writtenOff: 0n, recovered: 0n, net: 0n, creditNotes: 0n, writeOffs: 0 };
      by.set(r.currency, t);
    }
    t.writtenOff += BigInt(r.written_off_minor);
    t.recovered += BigInt(r.recovered_minor);
    t.creditNotes += BigInt(r.credit_notes_minor);
    t.writeOffs += r.write_offs;
  }
  const out = [...by.values()].sort((a, b) => a.currency.localeCompare(b.currency));
  for (const t of out) t.net = t.writtenOff - t.recovered;
  return out;
}

/** paidShare is paid ÷ planned for a progress bar, in whole tenths of a percent (0–100), from integers. */
export function paidShare(paidMinor: number, plannedMinor: number): number {
  const planned = BigInt(plannedMinor);
  if (planned <= 0n) return 0;
  const paid = BigInt(paidMinor);
  const permille = (paid * 1000n) / planned;
  const clamped = permille < 0n ? 0n : permille > 1000n ? 1000n : permille;
  return Number(clamped) / 10;
}

/** plansSorted orders the payment plans by currency. */
export function plansSorted(rows: readonly PlanRow[]): PlanRow[] {
  return [...rows].sort((a, b) => a.currency.localeCompare(b.currency));
}
