// ECharts options built from the dashboard's figures. Bars are drawn from
// minor units as numbers (a drawing needs no exactness); every label and
// tooltip formats the exact minor units with formatMoney. Amounts of
// different currencies never share a stack or an axis: each currency has a
// grid of its own.
import { formatMoney, formatMoneyCompact } from '../../money';
import { formatNumber, formatPercent } from '../../format';
import type { BarSeries, ChartOption } from './echarts';
import {
  bucketColors, buckets, shortUser, type AgingRow, type Bucket, type Dashboard, type DueRow, type OwnerRow,
  type StageRow, type TeamRow,
} from './model';

export interface Labels {
  bucket(b: Bucket): string;
  invoices(n: number): string;
  due: string;
  promised: string;
  planned: string;
  horizon(days: number): string;
  kept: string;
  broken: string;
  pending: string;
  rate: string;
  noOwner: string;
  noTeam: string;
}

const font = { fontFamily: 'system-ui, "Noto Sans CJK SC", "PingFang SC", "Microsoft YaHei", sans-serif' };
const animation = { animationDuration: 300, animationDurationUpdate: 200 };

interface TooltipParam { seriesId?: string; seriesName?: string; dataIndex: number; name: string; value: unknown; marker?: unknown }

function asParams(p: unknown): TooltipParam[] {
  return (Array.isArray(p) ? p : [p]) as TooltipParam[];
}

function esc(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** agingHeight is the chart's height for a number of currencies. */
export function agingHeight(n: number): number {
  return 72 + Math.max(1, n) * 84;
}

/**
 * agingOption draws one stacked horizontal bar per currency, each on its own
 * axis; a segment is a bucket. A series' id is "<currency>|<bucket>" so a
 * click tells which bucket of which currency was clicked.
 */
export function agingOption(rows: readonly AgingRow[], curs: readonly string[], l: Labels, locale: string): ChartOption {
  const rowH = 84;
  const top = 56;
  const byKey = new Map(rows.map((r) => [`${r.currency}|${r.bucket}`, r]));
  const series: BarSeries[] = [];
  curs.forEach((cur, i) => {
    for (const b of buckets) {
      const r = byKey.get(`${cur}|${b}`);
      series.push({
        type: 'bar',
        id: `${cur}|${b}`,
        name: l.bucket(b),
        stack: cur,
        xAxisIndex: i,
        yAxisIndex: i,
        barWidth: 30,
        itemStyle: { color: bucketColors[b] },
        emphasis: { focus: 'series' },
        data: [r ? Number(r.balance_minor) : 0],
      });
    }
  });
  return {
    ...animation,
    textStyle: font,
    legend: { top: 0, data: buckets.map((b) => l.bucket(b)) },
    tooltip: {
      trigger: 'item',
      formatter: (p: unknown) => {
        const q = asParams(p)[0];
        const r = q?.seriesId ? byKey.get(q.seriesId) : undefined;
        if (!q || !r) return '';
        return `${esc(r.currency)} · ${esc(l.bucket(r.bucket))}<br/><b>${esc(formatMoney(r.balance_minor, r.currency, locale))}</b><br/>${esc(l.invoices(r.invoices))}`;
      },
    },
    grid: curs.map((_, i) => ({ left: 56, right: 24, top: top + i * rowH, height: rowH - 44 })),
    xAxis: curs.map((cur, i) => ({
      type: 'value',
      gridIndex: i,
      splitNumber: 4,
      axisLabel: { formatter: (v: number) => formatMoneyCompact(Math.round(v), cur, locale), hideOverlap: true },
    })),
    yAxis: curs.map((cur, i) => ({ type: 'category', gridIndex: i, data: [cur], axisTick: { show: false } })),
    series,
  };
}

/** rateOption draws recovery rates (ratios, comparable across currencies) by category, a series per currency. */
export function rateOption(
  categories: readonly { key: string; label: string }[],
  curs: readonly string[],
  rate: (category: string, currency: string) => { rate: number; detail: string } | undefined,
  locale: string,
  horizontal: boolean,
): ChartOption {
  const series: BarSeries[] = curs.map((cur) => ({
    type: 'bar',
    id: cur,
    name: cur,
    barMaxWidth: 22,
    data: categories.map((c) => rate(c.key, cur)?.rate ?? 0),
  }));
  const cat = {
    type: 'category' as const,
    data: categories.map((c) => c.label),
    axisLabel: horizontal ? { width: 110, overflow: 'truncate' as const } : { interval: 0, hideOverlap: true },
    inverse: horizontal,
  };
  const val = {
    type: 'value' as const,
    axisLabel: { formatter: (v: number) => formatPercent(v, locale) },
  };
  return {
    ...animation,
    textStyle: font,
    legend: { top: 0 },
    tooltip: {
      trigger: 'axis',
      axisPointer: { type: 'shadow' },
      formatter: (p: unknown) => {
        const ps = asParams(p);
        const first = ps[0];
        if (!first) return '';
        const c = categories[first.dataIndex];
        if (!c) return '';
        const lines = ps.map((q) => {
          const cur = q.seriesName ?? '';
          const r = rate(c.key, cur);
          return r ? `${esc(cur)}: <b>${esc(formatPercent(r.rate, locale))}</b> · ${esc(r.detail)}` : '';
        }).filter(Boolean);
        return [`<b>${esc(c.label)}</b>`, ...lines].join('<br/>');
      },
    },
    grid: { left: horizontal ? 120 : 48, right: 24, top: 40, bottom: 32, containLabel: false },
    xAxis: horizontal ? val : cat,
    yAxis: horizontal ? cat : val,
    series,
  };
}

/** rateRows builds the lookup rateOption needs from recovery rows. */
export function rateLookup<R extends StageRow | OwnerRow | TeamRow>(
  rows: readonly R[],
  keyOf: (r: R) => string,
  locale: string,
): (category: string, currency: string) => { rate: number; detail: string } | undefined {
  const m = new Map<string, R>();
  for (const r of rows) m.set(`${keyOf(r)}|${r.currency}`, r);
  return (category, currency) => {
    const r = m.get(`${category}|${currency}`);
    if (!r) return undefined;
    return {
      rate: r.rate,
      detail: `${formatMoney(r.recovered_minor, r.currency, locale)} / ${formatMoney(r.entered_minor, r.currency, locale)} (${formatNumber(r.entered, locale)})`,
    };
  };
}

/** ownerLabel names an owner by name, else by the local part of the email. */
export function ownerLabel(owner: string, l: Labels, name?: string): string {
  return owner ? name || shortUser(owner) : l.noOwner;
}

export function teamLabel(team: string, l: Labels): string {
  return team || l.noTeam;
}

/** promisesOption stacks promise counts (kept, broken, pending) per currency. */
export function promisesOption(d: Dashboard, l: Labels, locale: string): ChartOption {
  const rows = [...d.promises].sort((a, b) => a.currency.localeCompare(b.currency));
  const kinds = [
    { id: 'kept', name: l.kept, color: '#3f8f5a', count: (r: (typeof rows)[number]) => r.kept, minor: (r: (typeof rows)[number]) => r.kept_minor },
    { id: 'broken', name: l.broken, color: '#d4542f', count: (r: (typeof rows)[number]) => r.broken, minor: (r: (typeof rows)[number]) => r.broken_minor },
    { id: 'pending', name: l.pending, color: '#8c9bb0', count: (r: (typeof rows)[number]) => r.pending, minor: (r: (typeof rows)[number]) => r.pending_minor },
  ];
  return {
    ...animation,
    textStyle: font,
    legend: { top: 0 },
    tooltip: {
      trigger: 'item',
      formatter: (p: unknown) => {
        const q = asParams(p)[0];
        const r = q ? rows[q.dataIndex] : undefined;
        const k = kinds.find((x) => x.id === q?.seriesId);
        if (!r || !k) return '';
        return `${esc(r.currency)} · ${esc(k.name)}<br/><b>${esc(formatNumber(k.count(r), locale))}</b> · ${esc(formatMoney(k.minor(r), r.currency, locale))}`;
      },
    },
    grid: { left: 56, right: 24, top: 40, bottom: 32 },
    xAxis: { type: 'category', data: rows.map((r) => r.currency) },
    yAxis: { type: 'value', minInterval: 1 },
    series: kinds.map((k) => ({
      type: 'bar',
      id: k.id,
      name: k.name,
      stack: 'promises',
      barMaxWidth: 48,
      itemStyle: { color: k.color },
      data: rows.map((r) => k.count(r)),
    })),
  };
}

export const horizons = [30, 60, 90] as const;

export function dueAt(r: DueRow, days: (typeof horizons)[number]): number {
  return days === 30 ? r.days_30_minor : days === 60 ? r.days_60_minor : r.days_90_minor;
}

export function cashHeight(n: number): number {
  return 48 + Math.max(1, n) * 150;
}

/**
 * cashOption draws, per currency on its own axis, the three series of cash
 * expected (due, promised, planned) side by side per horizon: they overlap,
 * so they are never stacked.
 */
export function cashOption(d: Dashboard, curs: readonly string[], l: Labels, locale: string): ChartOption {
  const rowH = 150;
  const top = 40;
  const kinds = [
    { id: 'due', name: l.due, color: '#1f5fbf', rows: d.due_next },
    { id: 'promised', name: l.promised, color: '#3f8f5a', rows: d.promised_next },
    { id: 'planned', name: l.planned, color: '#e0b437', rows: d.planned_next },
  ];
  const find = (rows: readonly DueRow[], cur: string) => rows.find((r) => r.currency === cur);
  const series: BarSeries[] = [];
  curs.forEach((cur, i) => {
    for (const k of kinds) {
      const r = find(k.rows, cur);
      series.push({
        type: 'bar',
        id: `${cur}|${k.id}`,
        name: k.name,
        xAxisIndex: i,
        yAxisIndex: i,
        barMaxWidth: 12,
        itemStyle: { color: k.color },
        data: horizons.map((h) => (r ? Number(dueAt(r, h)) : 0)),
      });
    }
  });
  return {
    ...animation,
    textStyle: font,
    legend: { top: 0, data: kinds.map((k) => k.name) },
    tooltip: {
      trigger: 'item',
      formatter: (p: unknown) => {
        const q = asParams(p)[0];
        if (!q?.seriesId) return '';
        const [cur, id] = q.seriesId.split('|');
        const k = kinds.find((x) => x.id === id);
        const h = horizons[q.dataIndex];
        if (!cur || !k || !h) return '';
        const r = find(k.rows, cur);
        return `${esc(cur)} · ${esc(k.name)} · ${esc(l.horizon(h))}<br/><b>${esc(formatMoney(r ? dueAt(r, h) : 0, cur, locale))}</b>`;
      },
    },
    grid: curs.map((_, i) => ({ left: 112, right: 24, top: top + i * rowH, height: rowH - 48 })),
    xAxis: curs.map((cur, i) => ({
      type: 'value',
      gridIndex: i,
      splitNumber: 4,
      axisLabel: { formatter: (v: number) => formatMoneyCompact(Math.round(v), cur, locale), hideOverlap: true },
    })),
    yAxis: curs.map((cur, i) => ({
      type: 'category',
      gridIndex: i,
      inverse: true,
      data: horizons.map((h) => `${cur} · ${l.horizon(h)}`),
      axisTick: { show: false },
    })),
    series,
  };
}
