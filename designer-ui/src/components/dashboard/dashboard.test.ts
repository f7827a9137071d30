import { describe, expect, it } from 'vitest';
import {
  agingHref, badDebtLines, badDebtTotals, balances, currencies, paidShare, promiseCounts, stageLabel, stages, type Dashboard,
} from './model';
import { formatMonth } from '../../format';
import { agingOption, cashOption, type Labels } from './options';

const l: Labels = {
  bucket: (b) => `b:${b}`, invoices: (n) => `${n} inv`, due: 'due', promised: 'promised', planned: 'planned',
  horizon: (d) => `${d}d`, kept: 'kept', broken: 'broken', pending: 'pending', rate: 'rate', noOwner: '-', noTeam: '-',
};

const d: Dashboard = {
  today: '2026-12-07',
  window_from: '2026-09-09',
  aging: [
    { currency: 'CNY', bucket: 'current', balance_minor: 100_00, invoices: 1 },
    { currency: 'CNY', bucket: '1-30', balance_minor: 300_00, invoices: 2 },
    { currency: 'USD', bucket: 'current', balance_minor: 5, invoices: 1 },
    { currency: 'USD', bucket: '90+', balance_minor: 9_007_199_254_740_991, invoices: 1 },
  ],
  due_next: [{ currency: 'CNY', days_30_minor: 1, days_60_minor: 2, days_90_minor: 3 }],
  promised_next: [],
  planned_next: [{ currency: 'USD', days_30_minor: 7, days_60_minor: 7, days_90_minor: 7 }],
  dso: [],
  by_owner: [],
  recovery_by_stage: [
    { workflow: 'w', node: 'call', currency: 'CNY', entered: 1, entered_minor: 1, recovered: 0, recovered_minor: 0, rate: 0 },
    { workflow: 'w', node: 'call', currency: 'USD', entered: 1, entered_minor: 1, recovered: 0, recovered_minor: 0, rate: 0 },
    { workflow: 'w', node: 'review', currency: 'CNY', entered: 1, entered_minor: 1, recovered: 0, recovered_minor: 0, rate: 0 },
  ],
  recovery_by_owner: [],
  recovery_by_team: [],
  promises: [
    { currency: 'CNY', kept: 3, kept_minor: 1, broken: 1, broken_minor: 1, pending: 2, pending_minor: 1 },
    { currency: 'USD', kept: 1, kept_minor: 1, broken: 0, broken_minor: 0, pending: 0, pending_minor: 0 },
  ],
  disputes: [],
  promise_records: [],
  tasks_open: 3,
  tasks_overdue: 1,
  bad_debt: [
    { month: '2026-11', currency: 'USD', written_off_minor: 500_00, recovered_minor: 0, write_offs: 1, credit_notes_minor: 0 },
    { month: '2026-12', currency: 'USD', written_off_minor: 0, recovered_minor: 120_00, write_offs: 0, credit_notes_minor: 30_00 },
    { month: '2026-12', currency: 'EUR', written_off_minor: 9_007_199_254_740_991, recovered_minor: 1, write_offs: 2, credit_notes_minor: 0 },
  ],
  plans: [
    { currency: 'CNY', on_track: 2, late: 1, broken: 1, completed: 0, arrears_minor: 10_00, planned_minor: 300_00, paid_minor: 100_00 },
  ],
};

describe('dashboard model', () => {
  it('sums balances within each currency only, exactly', () => {
    const b = balances(d);
    expect(b.map((x) => x.currency)).toEqual(['CNY', 'USD']);
    expect(b[0]).toMatchObject({ open: 400_00n, overdue: 300_00n, invoices: 3, overdueInvoices: 2, overdueShare: 0.75 });
    expect(b[1]?.open).toBe(9_007_199_254_740_996n);
  });
  it('lists currencies and stages in order', () => {
    expect(currencies(d)).toEqual(['CNY', 'EUR', 'USD']);
    expect(stages(d.recovery_by_stage).map((s) => s.node)).toEqual(['call', 'review']);
  });
  it('rates promises kept over kept and broken', () => {
    expect(promiseCounts(d)).toEqual({ kept: 4, broken: 1, pending: 2, keptRate: 0.8 });
  });
  it('lists bad debt newest month first, with an exact net', () => {
    const lines = badDebtLines(d.bad_debt);
    expect(lines.map((x) => x.key)).toEqual(['2026-12|EUR', '2026-12|USD', '2026-11|USD']);
    expect(lines[0]?.net).toBe(9_007_199_254_740_990n);
    expect(lines[1]?.net).toBe(-120_00n);
  });
  it('totals bad debt within each currency only', () => {
    const t = badDebtTotals(d.bad_debt);
    expect(t.map((x) => x.currency)).toEqual(['EUR', 'USD']);
    expect(t[1]).toMatchObject({ writtenOff: 500_00n, recovered: 120_00n, net: 380_00n, creditNotes: 30_00n, writeOffs: 1 });
  });
  it('gives the paid share of a plan from integers, within 0–100', () => {
    expect(paidShare(100_00, 300_00)).toBe(33.3);
    expect(paidShare(0, 0)).toBe(0);
    expect(paidShare(500, 300)).toBe(100);
    expect(paidShare(9_007_199_254_740_991, 9_007_199_254_740_991)).toBe(100);
  });
  it('formats a month without moving it across zones', () => {
    expect(formatMonth('2026-01', 'en')).toBe('Jan 2026');
    expect(formatMonth('2026-12', 'zh-CN')).toBe('2026年12月');
  });
  it('links a bucket to the filtered invoice list', () => {
    expect(agingHref('90+', 'USD')).toBe('/invoices?aging=90%2B&currency=USD');
  });
});

describe('chart options', () => {
  it('gives each currency its own axis and stack in the aging chart', () => {
    const o = agingOption(d.aging, ['CNY', 'USD'], l, 'en');
    expect(Array.isArray(o.grid) && o.grid.length).toBe(2);
    const series = Array.isArray(o.series) ? o.series : [];
    expect(series).toHaveLength(10);
    for (const s of series) {
      const [cur] = String(s.id).split('|');
      expect(s.stack).toBe(cur);
      expect(s.xAxisIndex).toBe(cur === 'CNY' ? 0 : 1);
    }
    expect(series.find((s) => s.id === 'CNY|1-30')?.data).toEqual([300_00]);
    expect(series.find((s) => s.id === 'USD|61-90')?.data).toEqual([0]);
  });
  it('never stacks the cash series', () => {
    const o = cashOption(d, ['CNY', 'USD'], l, 'en');
    const series = Array.isArray(o.series) ? o.series : [];
    expect(series).toHaveLength(6);
    expect(series.every((s) => !('stack' in s) || s.stack === undefined)).toBe(true);
    expect(series.find((s) => s.id === 'CNY|due')?.data).toEqual([1, 2, 3]);
    expect(series.find((s) => s.id === 'USD|planned')?.data).toEqual([7, 7, 7]);
  });
});

describe('stageLabel', () => {
  const call = { workflow: 'overdue-escalation', node: 'call', node_title: { en: 'Phone call', 'zh-CN': '电话催收' } };
  it('names a stage by its title in the language, with the workflow when there are several', () => {
    expect(stageLabel(call, false, 'en')).toBe('Phone call');
    expect(stageLabel(call, false, 'zh-CN')).toBe('电话催收');
    expect(stageLabel(call, true, 'zh-CN')).toBe('overdue-escalation / 电话催收');
  });
  it('falls back to the other language, then to the node', () => {
    expect(stageLabel({ ...call, node_title: { en: 'Phone call' } }, false, 'zh-CN')).toBe('Phone call');
    expect(stageLabel({ workflow: 'w', node: 'call' }, false, 'zh-CN')).toBe('call');
  });
});
