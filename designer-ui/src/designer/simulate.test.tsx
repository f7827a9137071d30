// The simulate and test-case tabs against a stubbed server: global fetch
// answers with Response objects, as the API would, and records each
// request so the tests can check what the panels sent.
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { act, cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { App as AntApp, ConfigProvider } from 'antd';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { MemoryRouter } from 'react-router';
import type { ReactElement } from 'react';

type Handler = (req: Request, body: unknown) => Response | Promise<Response>;
const server = vi.hoisted(() => {
  // openapi-fetch takes Request and fetch when the client is created, and
  // builds relative URLs: both are in place before it is imported.
  const Base = globalThis.Request;
  globalThis.Request = class extends Base {
    constructor(input: RequestInfo | URL, init?: RequestInit) {
      super(typeof input === 'string' && input.startsWith('/') ? `http://localhost${input}` : input, init);
    }
  };
  const s = { handler: undefined as Handler | undefined, requests: [] as { method: string; path: string; body: unknown }[] };
  globalThis.fetch = async (input: RequestInfo | URL, init?: RequestInit) => {
    const req = input instanceof Request ? input : new Request(input, init);
    const text = req.method === 'GET' ? '' : await req.clone().text();
    const body: unknown = text ? JSON.parse(text) : undefined;
    const url = new URL(req.url);
    s.requests.push({ method: req.method, path: url.pathname + url.search, body });
    if (!s.handler) throw new Error('no handler');
    return s.handler(req, body);
  };
  return s;
});

import i18n, { designerNamespaces, ready } from '../i18n';
import { parseValues, SimulatePanel, today } from './SimulatePanel';
import { TestsPanel, TestsSummary } from './TestsPanel';
import { simulationTabs } from './simulationTabs';
import { addDays } from './simulation';
import { simulation } from './simulation.fixture';
import { stubBrowser } from '../testStubs';

beforeAll(() => {
  stubBrowser();
});

// the designer's catalogs load with its pages, not with the app
beforeAll(async () => {
  await ready;
  await i18n.loadNamespaces(designerNamespaces);
});
afterEach(() => {
  cleanup();
  server.handler = undefined;
  server.requests = [];
});

const wrap = (ui: ReactElement) => render(
  <QueryClientProvider client={new QueryClient({ defaultOptions: { queries: { retry: false } } })}>
    <ConfigProvider button={{ autoInsertSpace: false }}><AntApp><MemoryRouter>{ui}</MemoryRouter></AntApp></ConfigProvider>
  </QueryClientProvider>,
);

const json = (v: unknown, status = 200) => new Response(JSON.stringify(v), { status, headers: { 'Content-Type': status < 400 ? 'application/json' : 'application/problem+json' } });

const testRun = {
  version: 4, passed: 1, failed: 1,
  items: [
    { file: 'tests/workflows/escalation.test.yaml', line: 12, name: 'a call on day 8', passed: true, message: '' },
    { file: 'tests/workflows/escalation.test.yaml', line: 40, name: 'the review on day 16', passed: false,
      message: 'effects on 2026-11-21:\n- node review entered\n+ node call entered' },
  ],
};

describe('TestsPanel', () => {
  it('en: runs the cases against the saved version and shows each with PASS/FAIL, file:line and expected/got', async () => {
    await i18n.changeLanguage('en');
    server.handler = () => json(testRun);
    wrap(<TestsPanel kind="Workflow" name="overdue-escalation" version={4} dirty />);
    expect(screen.getByText('Runs the saved v4: save the draft to include your unsaved changes.')).toBeTruthy();
    fireEvent.click(screen.getByRole('button', { name: 'Run the test cases against v4' }));
    expect((await screen.findByRole('status')).textContent).toBe('v4: 1 passed, 1 failed');
    expect(server.requests).toEqual([{ method: 'POST', path: '/api/definitions/Workflow/overdue-escalation/tests', body: { version: 4 } }]);
    const cases = within(screen.getByRole('list', { name: 'Test cases' })).getAllByRole('listitem');
    expect(cases.map((c) => c.querySelector('.ant-tag')?.textContent)).toEqual(['PASS', 'FAIL']);
    expect(cases[1]?.textContent).toContain('tests/workflows/escalation.test.yaml:40');
    const pre = cases[1]?.querySelector('pre');
    expect(pre?.querySelector('.sim-diff-del')?.textContent).toBe('- node review entered\n');
    expect(pre?.querySelector('.sim-diff-add')?.textContent).toBe('+ node call entered\n');
    fireEvent.click(screen.getByRole('checkbox', { name: 'Show only failed cases' }));
    expect(within(screen.getByRole('list', { name: 'Test cases' })).getAllByRole('listitem')).toHaveLength(1);
  });
  it('zh-CN: without a saved version there is nothing to run', async () => {
    await i18n.changeLanguage('zh-CN');
    wrap(<TestsPanel kind="Rule" name="late-fee" version={undefined} />);
    expect(screen.getByText('请先保存草稿：只能运行已保存的版本。')).toBeTruthy();
    expect(screen.getByRole('button', { name: '运行测试用例' }).hasAttribute('disabled')).toBe(true);
  });
});

describe('TestsSummary', () => {
  it('zh-CN: runs by itself and warns how many cases the draft breaks', async () => {
    await i18n.changeLanguage('zh-CN');
    server.handler = () => json(testRun);
    wrap(<TestsSummary kind="Workflow" name="overdue-escalation" version={4} />);
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toContain('v4 使 1 个测试用例失败：');
    expect(alert.textContent).toContain('the review on day 16');
    expect(alert.textContent).not.toContain('a call on day 8');
  });
  it('en: says so when every case passes', async () => {
    await i18n.changeLanguage('en');
    server.handler = () => json({ ...testRun, passed: 2, failed: 0, items: testRun.items.map((c) => ({ ...c, passed: true, message: '' })) });
    wrap(<TestsSummary kind="Workflow" name="overdue-escalation" version={4} />);
    expect(await screen.findByText('v4 passes all 2 test cases.')).toBeTruthy();
    expect(screen.queryByRole('alert')).toBeNull();
  });
});

const workflowYaml = `apiVersion: recoup/v1
kind: Workflow
metadata:
  name: overdue-escalation
spec:
  on: invoice
  nodes:
    - name: reminder
      when: invoice.days_overdue >= 1
    - name: call
      when: invoice.days_overdue >= 8
      task: {form: call-outcome, outcomes: {default: {next: true}}}
    - name: review
      when: invoice.days_overdue >= 16
`;

const callOutcome = `apiVersion: recoup/v1
kind: Form
metadata:
  name: call-outcome
spec:
  fields:
    - name: outcome
      type: enum
      required: true
      label: {en: Outcome, zh-CN: 结果}
      options:
        - {value: promised, label: {en: Promised to pay, zh-CN: 承诺付款}}
        - {value: disputed, label: {en: Disputes the invoice, zh-CN: 对账单有异议}}
    - name: promised_date
      type: date
      label: {en: Promised payment date, zh-CN: 承诺付款日期}
      required_if: form.outcome == "promised"
`;

const invoicePage = {
  items: [
    { number: 'INV-0000041', customer: 'C00007', customer_name: 'Umbrella Corp', currency: 'CNY', amount_minor: 954000, balance_minor: 954000,
      issue_date: '2026-10-01', due_date: '2026-11-23', days_overdue: 14, status: 'overdue', risk: 'medium', disputed: false },
  ],
};

describe('SimulatePanel', () => {
  it('en: simulates a chosen invoice with the saved version and a promise answered on the call, and draws the stages', async () => {
    await i18n.changeLanguage('en');
    let simulateCalls = 0;
    server.handler = (req) => {
      const path = new URL(req.url).pathname;
      if (path === '/api/invoices') return json(invoicePage);
      if (path === '/api/definitions/Form/call-outcome') {
        return json({ id: 3, kind: 'Form', name: 'call-outcome', version: 1, content_hash: 'x', source: callOutcome, format: 'yaml', status: 'published', created_at: '2026-12-01T00:00:00Z', created_by: 'admin' });
      }
      if (path === '/api/simulate') {
        simulateCalls++;
        if (simulateCalls === 1) {
          return json({ title: 'Unprocessable', status: 422, detail: 'the answers are wrong',
            errors: [{ field: '/answers/0/values/promised_date', message: 'The promised date cannot be in the past' }] }, 422);
        }
        return json(simulation);
      }
      return json({ title: 'Not found', status: 404 }, 404);
    };
    const seen: { sims: (string | undefined)[]; days: string[] } = { sims: [], days: [] };
    wrap(<SimulatePanel kind="Workflow" name="overdue-escalation" version={4} dirty={false} source={workflowYaml}
      onSimulation={(s) => seen.sims.push(s?.from)} onDay={(d) => seen.days.push(d)} />);

    const from = today();
    fireEvent.change(screen.getByLabelText('Last day'), { target: { value: addDays(from, 366) } });
    expect(screen.getByText('The last day must be on or after the first day, at most 366 days in all.')).toBeTruthy();
    fireEvent.change(screen.getByLabelText('Last day'), { target: { value: addDays(from, 60) } });
    expect((screen.getByLabelText('First day') as HTMLInputElement).value).toBe(from);
    expect((screen.getByLabelText('Last day') as HTMLInputElement).value).toBe(addDays(from, 60));
    const useVersion = screen.getByRole('checkbox', { name: 'Simulate v4 of overdue-escalation in place of the published version' }) as HTMLInputElement;
    expect(useVersion.checked).toBe(true);
    expect(screen.getByRole('button', { name: 'Simulate with v4' }).hasAttribute('disabled')).toBe(true);

    // choose the invoice: search, then pick it
    const picker = screen.getByLabelText('Invoices');
    fireEvent.mouseDown(picker);
    fireEvent.change(picker, { target: { value: 'Umbrella' } });
    // the search goes out once typing pauses (picking clears it, so wait first)
    await waitFor(() => expect(server.requests.some((r) => r.path.startsWith('/api/invoices?') && r.path.includes('q=Umbrella'))).toBe(true));
    fireEvent.click(await screen.findByText('INV-0000041 · Umbrella Corp', undefined, { timeout: 5000 }));

    // answer the call: the only invoice and the only answerable node are chosen
    fireEvent.click(screen.getByRole('button', { name: 'Add an answer' }));
    const editor = screen.getByRole('group', { name: 'Answer' });
    const day = addDays(from, 9);
    expect((within(editor).getByLabelText('On day') as HTMLInputElement).value).toBe(day);
    expect(within(editor).getByText('Day 10 of the simulation')).toBeTruthy();
    fireEvent.click(await within(editor).findByRole('radio', { name: 'Promised to pay' }));
    fireEvent.change(within(editor).getByLabelText('Promised payment date'), { target: { value: addDays(from, 19) } });
    fireEvent.click(within(editor).getByRole('button', { name: 'Keep this answer' }));
    const answers = await screen.findByRole('list', { name: 'Answers' });
    expect(answers.textContent).toContain(`answer call of INV-0000041 with outcome: promised, promised_date: ${addDays(from, 19)}`);
    expect(answers.textContent).toContain('(day 10)');

    // the server refuses the answer: shown on it
    fireEvent.click(screen.getByRole('button', { name: 'Simulate with v4' }));
    expect((await within(answers).findByRole('alert')).textContent).toBe('promised_date: The promised date cannot be in the past');
    const sent = server.requests.filter((r) => r.path === '/api/simulate').map((r) => r.body);
    expect(sent[0]).toEqual({
      invoices: ['INV-0000041'], from, to: addDays(from, 60),
      definition: { kind: 'Workflow', name: 'overdue-escalation', version: 4 },
      answers: [{ invoice: 'INV-0000041', day, node: 'call', values: { outcome: 'promised', promised_date: addDays(from, 19) } }],
    });

    // then it answers: totals, the stages of each invoice, where they are on a day, effects by day
    fireEvent.click(screen.getByRole('button', { name: 'Simulate with v4' }));
    const totals = await screen.findByRole('table', { name: 'Effects by kind' });
    expect(within(totals).getByText('Stage changes').closest('tr')?.textContent).toContain('29');
    const stages = screen.getByRole('list', { name: 'Stages of INV-0000041' });
    expect(within(stages).getAllByRole('listitem').map((li) => li.textContent)).toEqual([
      'reminder: Dec 1, 2026 – Dec 7, 2026 (7 days)',
      'call: Dec 8, 2026 – Dec 9, 2026 (2 days)',
      'call (waiting): Dec 10, 2026 – Dec 20, 2026 (11 days)',
      'review: Dec 21, 2026 – Jan 29, 2027 (40 days)',
    ]);
    expect(within(screen.getByRole('list', { name: 'Stages of INV-0000043' })).getByRole('listitem').textContent).toBe('reminder: Dec 1, 2026 – Dec 4, 2026 (4 days)');
    fireEvent.change(screen.getByLabelText('Where the invoices are on'), { target: { value: '2026-12-16' } });
    const on = screen.getByRole('list', { name: 'Stages on Dec 16, 2026' });
    expect(seen).toEqual({ sims: [undefined, '2026-12-01'], days: ['2026-12-16'] });
    expect(within(on).getAllByRole('listitem').map((li) => li.textContent)).toEqual([
      'call: INV-0000041, INV-0000042', 'review: INV-0000036', 'decision: INV-0000002',
    ]);
    const byDay = screen.getByRole('region', { name: 'Effects by day' });
    fireEvent.click(within(byDay).getByText('Dec 4, 2026 · day 4 of 60 · 2 effects'));
    const effects = await within(byDay).findByRole('table', { name: 'Effects on Dec 4, 2026' });
    expect(effects.textContent).toContain('CN¥25.00');
    expect(effects.textContent).toContain('escalated to finance_director');
  });

  it('zh-CN: a rule has no answers; without a saved version it simulates what is published', async () => {
    await i18n.changeLanguage('zh-CN');
    server.handler = () => json(invoicePage);
    wrap(<SimulatePanel kind="Rule" name="late-fee" version={undefined} dirty source="kind: Rule" />);
    const box = screen.getByRole('checkbox', { name: '模拟已保存的版本（请先保存草稿）' }) as HTMLInputElement;
    expect(box.checked).toBe(false);
    expect(box.disabled).toBe(true);
    expect(screen.queryByRole('region', { name: '人工任务的答复' })).toBeNull();
    expect(screen.getByRole('button', { name: '用已发布的定义模拟' })).toBeTruthy();
    expect(screen.getByLabelText('开始日期')).toBeTruthy();
    await act(async () => { await Promise.resolve(); });
  });
});

describe('answers without their form', () => {
  it('reads "name: value" lines', () => {
    expect(parseValues('outcome: disputed\ndispute_reason: wrong quantity: 12 not 21\ninstallments: 6\nurgent: true\n\nblank:')).toEqual({
      outcome: 'disputed', dispute_reason: 'wrong quantity: 12 not 21', installments: 6, urgent: true,
    });
  });
  it('zh-CN: a form that cannot be loaded is answered by field name (disputed on day 12)', async () => {
    await i18n.changeLanguage('zh-CN');
    server.handler = (req) => {
      const path = new URL(req.url).pathname;
      if (path === '/api/invoices') return json(invoicePage);
      if (path === '/api/simulate') return json(simulation);
      return json({ title: 'Not Found', status: 404 }, 404);
    };
    wrap(<SimulatePanel kind="Workflow" name="overdue-escalation" version={4} dirty={false} source={workflowYaml} />);
    const picker = screen.getByLabelText('发票');
    fireEvent.mouseDown(picker);
    fireEvent.click(await screen.findByText('INV-0000041 · Umbrella Corp', undefined, { timeout: 5000 }));
    fireEvent.click(screen.getByRole('button', { name: '添加答复' }));
    const editor = screen.getByRole('group', { name: '答复' });
    const from = today();
    fireEvent.change(within(editor).getByLabelText('日期'), { target: { value: addDays(from, 11) } });
    const values = await within(editor).findByLabelText('填写内容，每行一个“字段名: 值”');
    fireEvent.change(values, { target: { value: 'outcome: disputed\ndispute_reason: wrong quantity' } });
    fireEvent.click(within(editor).getByRole('button', { name: '保存此答复' }));
    fireEvent.click(screen.getByRole('button', { name: '用 v4 模拟' }));
    await screen.findByRole('table', { name: '按类型统计的效果' });
    const sent = server.requests.find((r) => r.path === '/api/simulate')?.body;
    expect(sent).toMatchObject({ answers: [{ invoice: 'INV-0000041', day: addDays(from, 11), node: 'call', values: { outcome: 'disputed', dispute_reason: 'wrong quantity' } }] });
  });
});

describe('simulationTabs', () => {
  it('gives workflows and rules both tabs, other kinds the test cases only', async () => {
    await i18n.changeLanguage('en');
    const input = { name: 'x', version: 1, dirty: false, source: '' };
    expect(simulationTabs({ ...input, kind: 'Workflow' }).map((t) => [t.key, t.label])).toEqual([['simulate', 'Simulate'], ['tests', 'Test cases']]);
    expect(simulationTabs({ ...input, kind: 'Rule' }).map((t) => t.key)).toEqual(['simulate', 'tests']);
    expect(simulationTabs({ ...input, kind: 'Form' }).map((t) => t.key)).toEqual(['tests']);
    await i18n.changeLanguage('zh-CN');
    expect(simulationTabs({ ...input, kind: 'Template' }).map((t) => t.label)).toEqual(['测试用例']);
  });
});
