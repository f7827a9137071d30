// The plan card (state, figures, installments; cancelling only for
// plans:write) and the create dialog's live difference to the balance.
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { cleanup, fireEvent, render, screen, within } from '@testing-library/react';
import { App as AntApp } from 'antd';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import type { ReactElement } from 'react';
import i18n from '../../i18n';
import { PlanCard } from './PlanCard';
import { PlanDialog } from './PlanDialog';
import type { Plan } from './planApi';
import { stubBrowser } from '../../testStubs';

const perms = vi.hoisted(() => ({ list: [] as string[] }));
vi.mock('../../auth/session', () => ({ useSession: () => ({ can: (p: string) => perms.list.includes(p) }) }));

beforeAll(() => {
  stubBrowser();
});
afterEach(cleanup);

const wrap = (ui: ReactElement) => render(
  <QueryClientProvider client={new QueryClient({ defaultOptions: { queries: { retry: false } } })}><AntApp>{ui}</AntApp></QueryClientProvider>,
);

const plan: Plan = {
  id: 7, status: 'active', state: 'late', currency: 'CNY', planned_minor: 100000, paid_minor: 20000, arrears_minor: 13333, grace_days: 5,
  invoices: ['INV-1'], created_by: 'director@demo.recoup.test', note: '', created_at: '2026-12-01T02:00:00Z',
  installments: [
    { seq: 1, due_date: '2026-12-05', amount_minor: 33333, covered_minor: 20000, status: 'late' },
    { seq: 2, due_date: '2027-01-05', amount_minor: 33333, covered_minor: 0, status: 'due' },
    { seq: 3, due_date: '2027-02-05', amount_minor: 33334, covered_minor: 0, status: 'due' },
  ],
};

describe('PlanCard', () => {
  it('en: state, figures and installments; cancel only with plans:write', async () => {
    await i18n.changeLanguage('en');
    perms.list = [];
    const r = wrap(<PlanCard plan={plan} />);
    expect(screen.getByRole('heading', { name: /Payment plan/ }).textContent).toContain('Late');
    expect(screen.getByText('CN¥1,000.00')).toBeTruthy();
    expect(screen.getByText('CN¥133.33')).toBeTruthy();
    const rows = within(screen.getByRole('region', { name: 'Installments' })).getAllByRole('row');
    expect(rows).toHaveLength(4);
    expect(rows[1]?.textContent).toContain('Late');
    expect(rows[1]?.textContent).toContain('CN¥200.00');
    expect(screen.queryByRole('button', { name: 'Cancel plan' })).toBeNull();
    r.unmount();
    perms.list = ['plans:write'];
    wrap(<PlanCard plan={plan} />);
    expect(screen.getByRole('button', { name: 'Cancel plan' })).toBeTruthy();
  });
  it('zh-CN: the state in Chinese; no cancel for an ended plan', async () => {
    await i18n.changeLanguage('zh-CN');
    perms.list = ['plans:write'];
    wrap(<PlanCard plan={{ ...plan, status: 'cancelled', state: 'cancelled', ended_at: '2026-12-06T02:00:00Z' }} />);
    expect(screen.getByRole('heading', { name: /分期付款计划/ }).textContent).toContain('已取消');
    expect(screen.queryByRole('button', { name: '取消计划' })).toBeNull();
  });
});

describe('PlanDialog', () => {
  it('en: edited installments show what is still to plan, or over, as they are typed', async () => {
    await i18n.changeLanguage('en');
    wrap(<PlanDialog invoice="INV-1" balanceMinor={100000} currency="CNY" open onClose={() => {}} />);
    fireEvent.click(screen.getByRole('radio', { name: 'Edit installments' }));
    fireEvent.change(screen.getByLabelText('Installment 1 amount'), { target: { value: '400' } });
    fireEvent.change(screen.getByLabelText('Installment 2 amount'), { target: { value: '500.00' } });
    const status = screen.getByRole('status');
    expect(status.textContent).toContain('Still to plan: CN¥100.00');
    fireEvent.change(screen.getByLabelText('Installment 2 amount'), { target: { value: '700' } });
    expect(status.textContent).toContain('Over the balance by CN¥100.00');
    fireEvent.change(screen.getByLabelText('Installment 2 amount'), { target: { value: '600' } });
    expect(status.textContent).toContain('Adds up to the balance');
    fireEvent.change(screen.getByLabelText('Installment 2 amount'), { target: { value: '6.001' } });
    expect(screen.getByText('Not an amount in CNY')).toBeTruthy();
  });
});
