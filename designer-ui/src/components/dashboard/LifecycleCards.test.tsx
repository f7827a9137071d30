// The payment plans and bad debt cards rendered from figures: the empty
// states in both languages, and a plan's counts, named progress bar and
// exact paid-of-planned text.
import { afterEach, describe, expect, it } from 'vitest';
import { cleanup, render, screen, within } from '@testing-library/react';
import i18next from 'i18next';
import { I18nextProvider, initReactI18next } from 'react-i18next';
import en from '../../i18n/en/dashboard.json';
import zh from '../../i18n/zh-CN/dashboard.json';
import { BadDebtCard, PlansCard } from './LifecycleCards';
import type { Dashboard } from './model';

async function i18nFor(lng: 'en' | 'zh-CN') {
  const i = i18next.createInstance();
  await i.use(initReactI18next).init({
    lng, ns: ['dashboard'], defaultNS: 'dashboard', interpolation: { escapeValue: false },
    resources: { en: { dashboard: en }, 'zh-CN': { dashboard: zh } },
  });
  return i;
}

const empty: Dashboard = {
  today: '2026-12-07', window_from: '2026-09-09', aging: [], due_next: [], promised_next: [], planned_next: [], dso: [],
  by_owner: [], recovery_by_stage: [], recovery_by_owner: [], recovery_by_team: [], promises: [], tasks_open: 0, tasks_overdue: 0,
  disputes: [], promise_records: [], bad_debt: [], plans: [],
};

describe('lifecycle cards', () => {
  afterEach(cleanup);
  it.each([
    ['en', 'No write-offs in the last 12 months', 'No payment plans'],
    ['zh-CN', '近 12 个月无核销', '暂无分期付款计划'],
  ] as const)('%s: say there is nothing, with no table', async (lng, noBadDebt, noPlans) => {
    const i = await i18nFor(lng);
    render(<I18nextProvider i18n={i}><BadDebtCard d={empty} /><PlansCard d={empty} /></I18nextProvider>);
    expect(within(screen.getByTestId('card-bad-debt')).getByText(noBadDebt)).toBeTruthy();
    expect(within(screen.getByTestId('card-plans')).getByText(noPlans)).toBeTruthy();
    expect(screen.queryByRole('table')).toBeNull();
  });
  it('shows a plan: counts, arrears and paid of planned, exact', async () => {
    const i = await i18nFor('en');
    const d: Dashboard = {
      ...empty,
      plans: [{ currency: 'CNY', on_track: 2, late: 1, broken: 4, completed: 3, arrears_minor: 10_00, planned_minor: 300_00, paid_minor: 100_00 }],
    };
    render(<I18nextProvider i18n={i}><PlansCard d={d} /></I18nextProvider>);
    const block = screen.getByTestId('plans-CNY');
    expect(within(block).getAllByRole('definition').map((e) => e.textContent)).toEqual(['2', '1', '4', '3']);
    const bar = within(block).getByRole('progressbar', { name: 'Paid of planned, CNY' });
    expect(bar.getAttribute('aria-valuenow')).toBe('33.3');
    expect(block.textContent).toContain('Arrears: CN¥10.00');
    expect(block.textContent).toContain('CN¥100.00 paid of CN¥300.00 (33.3%)');
  });
});
