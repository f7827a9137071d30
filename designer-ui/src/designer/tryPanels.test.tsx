// The try and render tabs against answers shaped as the API sends them
// (api/openapi.yaml: RuleTry, TemplateRendering, InvoicePage), served by a
// stub of fetch; the browser test against a running server comes with the
// designer's end-to-end suite.
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { cleanup, render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { ConfigProvider } from 'antd';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { MemoryRouter } from 'react-router';
import type { ReactElement } from 'react';
import type { Schemas } from '../api/client';
import i18n, { applyLanguage, designerNamespaces, ready } from '../i18n';
import { TryRulePanel } from './TryRulePanel';
import { TemplatePreviewPanel } from './TemplatePreviewPanel';
import { tryTabs } from './tryTabs';
import { stubBrowser } from '../testStubs';

// openapi-fetch takes fetch and Request when the client module loads, so
// they are replaced before any import. Requests are made with paths
// ("/api/…"), which Node's Request does not take alone: they are resolved
// against the page's address as a browser does.
const server = vi.hoisted(() => {
  type Handler = (req: Request, url: URL) => Response | Promise<Response>;
  const state: { handler: Handler; calls: { method: string; url: URL; body: unknown }[] } = {
    handler: () => new Response(null, { status: 404 }),
    calls: [],
  };
  const NodeRequest = globalThis.Request;
  class PageRequest extends NodeRequest {
    constructor(input: RequestInfo | URL, init?: RequestInit) {
      super(typeof input === 'string' ? new URL(input, globalThis.location.href) : input, init);
    }
  }
  globalThis.Request = PageRequest;
  globalThis.fetch = async (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
    const req = input instanceof NodeRequest ? input : new PageRequest(input, init);
    const url = new URL(req.url);
    const text = req.method === 'GET' ? '' : await req.clone().text();
    state.calls.push({ method: req.method, url, body: text ? JSON.parse(text) as unknown : undefined });
    return state.handler(req, url);
  };
  return state;
});

const json = (body: unknown, status = 200) => new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } });

const invoices: Schemas['Invoice'][] = [
  { number: 'INV-1', customer: 'C-7', customer_name: 'Acme Trading', currency: 'CNY', amount_minor: 1500000, balance_minor: 1200000, issue_date: '2026-09-01', due_date: '2026-10-23', days_overdue: 45, status: 'overdue', risk: 'high', disputed: false },
  { number: 'INV/2026/2', customer: 'C-8', customer_name: 'Beta Ltd', currency: 'USD', amount_minor: 9900, balance_minor: 9900, issue_date: '2026-11-20', due_date: '2026-12-20', days_overdue: 0, status: 'open', risk: 'low', disputed: false },
];

const matched: Schemas['RuleTry'] = {
  invoice: 'INV-1', at: '2026-12-07T09:30:00Z', matched: true,
  values: [
    { path: 'invoice.days_overdue', value: '45' },
    { path: 'invoice.balance', value: '12,000.00 CNY' },
  ],
  effects: [
    { kind: 'task', summary: 'task “Call the customer” for collector, due 2026-12-09T09:30:00Z', detail: { kind: 'task', rule: 'big-overdue' } },
    { kind: 'notify', summary: 'email to ap@acme.example: reminder-2', detail: { kind: 'notify' } },
  ],
};

type Rendering = Schemas['TemplateRendering'];
const sms: Record<'en' | 'zh-CN', Rendering> = {
  en: { channel: 'sms', subject: '', body: 'Invoice INV-1: 12,000.00 CNY is 45 days overdue. Please pay today. Reply STOP to opt out.', letter: false, sms: { characters: 96, segments: 1, encoding: 'GSM-7' } },
  'zh-CN': { channel: 'sms', subject: '', body: '发票 INV-1：12,000.00 CNY 已逾期 45 天，请今天付款。回复 TD 退订。', letter: false, sms: { characters: 88, segments: 2, encoding: 'UCS-2' } },
};
const email: Rendering = { channel: 'email', subject: 'Final notice: INV-1', body: 'Dear Acme Trading,\n\nINV-1 is 45 days overdue.\n\nRegards', letter: true };

function handle(routes: { tryRule?: Schemas['RuleTry'] | Response; render?: (locale: string) => Rendering | Response }) {
  server.handler = async (req, url) => {
    if (req.method === 'GET' && url.pathname === '/api/invoices') {
      const q = (url.searchParams.get('q') ?? '').toLowerCase();
      return json({ items: invoices.filter((i) => i.number.toLowerCase().startsWith(q) || i.customer_name.toLowerCase().includes(q)) });
    }
    if (req.method === 'POST' && url.pathname.endsWith('/try') && routes.tryRule) {
      return routes.tryRule instanceof Response ? routes.tryRule : json(routes.tryRule);
    }
    if (req.method === 'POST' && url.pathname.endsWith('/render') && routes.render) {
      const body = await req.json() as { locale: string };
      const out = routes.render(body.locale);
      return out instanceof Response ? out : json(out);
    }
    return json({ title: 'Not Found', status: 404 }, 404);
  };
}

beforeAll(async () => {
  stubBrowser();
  await ready;
});

// the designer's catalogs load with its pages, not with the app
beforeAll(async () => {
  await ready;
  await i18n.loadNamespaces(designerNamespaces);
});

beforeEach(async () => {
  server.calls = [];
  await applyLanguage('en');
});

afterEach(cleanup);

function wrap(ui: ReactElement) {
  const client = new QueryClient({ defaultOptions: { queries: { retry: false }, mutations: { retry: false } } });
  return render(
    <ConfigProvider button={{ autoInsertSpace: false }}>
      <QueryClientProvider client={client}>
        <MemoryRouter>{ui}</MemoryRouter>
      </QueryClientProvider>
    </ConfigProvider>,
  );
}

const disabled = (el: HTMLElement) => (el as HTMLButtonElement).disabled;

/** pick searches the invoice picker for text and takes the first invoice it offers. */
async function pick(user: ReturnType<typeof userEvent.setup>, text: string, number: string) {
  const box = screen.getByRole('combobox', { name: 'Invoice' });
  await user.click(box);
  await user.type(box, text);
  await waitFor(() => expect(server.calls.some((c) => c.url.pathname === '/api/invoices' && c.url.searchParams.get('q') === text)).toBe(true));
  // the option as shown: its number in bold beside the customer, balance and days overdue
  const shown = await screen.findAllByText(number, { selector: 'strong' });
  await user.click(shown[0] as HTMLElement);
  await waitFor(() => expect(disabled(screen.getByRole('button', { name: /^(Try|Render) v\d+$/ }))).toBe(false));
}

describe('TryRulePanel', () => {
  it('tries the saved version on the picked invoice: matched, the values read, the effects', async () => {
    handle({ tryRule: matched });
    const user = userEvent.setup();
    wrap(<TryRulePanel kind="Rule" name="big-overdue" version={3} dirty={false} />);
    expect(screen.queryByText(/unsaved changes/)).toBeNull();
    const tryButton = screen.getByRole('button', { name: 'Try v3' });
    expect(disabled(tryButton)).toBe(true);

    await pick(user, 'acme', 'INV-1');
    // the picker shows the balance from minor units, and the days overdue
    expect(screen.getAllByText('CN¥12,000.00').length).toBeGreaterThan(0);
    expect(screen.getAllByText('45 days overdue').length).toBeGreaterThan(0);

    await user.click(tryButton);
    const verdict = await screen.findByRole('status');
    expect(verdict.textContent).toContain('Matches: the condition holds for INV-1');
    const sent = server.calls.find((c) => c.url.pathname.endsWith('/try'));
    expect(sent?.method).toBe('POST');
    expect(sent?.url.pathname).toBe('/api/definitions/Rule/big-overdue/try');
    expect(sent?.body).toEqual({ version: 3, invoice: 'INV-1' });

    const values = screen.getByRole('table', { name: 'Values the condition read' });
    const rows = within(values).getAllByRole('row').slice(1).map((r) => within(r).getAllByRole('cell').map((c) => c.textContent));
    expect(rows).toEqual([['invoice.days_overdue', '45'], ['invoice.balance', '12,000.00 CNY']]);

    const effects = screen.getByRole('table', { name: 'What its actions would do' });
    const effectRows = within(effects).getAllByRole('row').slice(1).map((r) => within(r).getAllByRole('cell').map((c) => c.textContent));
    expect(effectRows).toEqual([
      ['Create a task', 'task “Call the customer” for collector, due 2026-12-09T09:30:00Z'],
      ['Send a message', 'email to ap@acme.example: reminder-2'],
    ]);
    expect(screen.getByRole('link', { name: 'Open invoice INV-1' }).getAttribute('href')).toBe('/invoices/INV-1');
  });

  it('shows the evaluation error and that nothing would be done', async () => {
    handle({ tryRule: { invoice: 'INV-1', at: '2026-12-07T09:30:00Z', matched: false, error: 'invalid operation: int + string (1:22)', values: [{ path: 'invoice.days_overdue', value: '45' }], effects: [] } });
    const user = userEvent.setup();
    wrap(<TryRulePanel kind="Rule" name="big-overdue" version={3} dirty={false} />);
    await pick(user, 'INV-1', 'INV-1');
    await user.click(screen.getByRole('button', { name: 'Try v3' }));
    const verdict = await screen.findByRole('status');
    expect(verdict.textContent).toContain('Evaluation error');
    expect(verdict.textContent).toContain('invalid operation: int + string (1:22)');
    expect(verdict.textContent).not.toContain('Matches');
    expect(screen.getByText('Nothing: the rule does not match.')).toBeTruthy();
  });

  it('shows the server refusing as an alert', async () => {
    handle({ tryRule: json({ title: 'Unprocessable', status: 422, detail: 'version 9 of rule big-overdue does not exist' }, 422) });
    const user = userEvent.setup();
    wrap(<TryRulePanel kind="Rule" name="big-overdue" version={9} dirty={false} />);
    await pick(user, 'INV-1', 'INV-1');
    await user.click(screen.getByRole('button', { name: 'Try v9' }));
    expect((await screen.findByRole('alert')).textContent).toContain('version 9 of rule big-overdue does not exist');
  });

  it('says to save first when the text is not saved, and still tries the saved version', async () => {
    handle({ tryRule: matched });
    const user = userEvent.setup();
    wrap(<TryRulePanel kind="Rule" name="big-overdue" version={3} dirty />);
    expect(screen.getByText(/save the draft first to try your changes/)).toBeTruthy();
    expect(screen.getByText(/this tries the saved v3/)).toBeTruthy();
    await pick(user, 'acme', 'INV-1');
    await user.click(screen.getByRole('button', { name: 'Try v3' }));
    await screen.findByRole('status');
    expect(server.calls.find((c) => c.url.pathname.endsWith('/try'))?.body).toEqual({ version: 3, invoice: 'INV-1' });
  });

  it('cannot try before anything is saved', () => {
    handle({});
    wrap(<TryRulePanel kind="Rule" name="new-rule" version={undefined} dirty />);
    expect(screen.getByText('Nothing is saved yet: save the draft first to try it.')).toBeTruthy();
    expect(disabled(screen.getByRole('button', { name: 'Try' }))).toBe(true);
  });

  it('speaks Chinese', async () => {
    handle({});
    await applyLanguage('zh-CN');
    wrap(<TryRulePanel kind="Rule" name="big-overdue" version={3} dirty />);
    expect(screen.getByRole('combobox', { name: '发票' })).toBeTruthy();
    expect(disabled(screen.getByRole('button', { name: '试运行 v3' }))).toBe(true);
    expect(screen.getByText(/请先保存草稿再试运行您的修改/)).toBeTruthy();
  });
});

describe('TemplatePreviewPanel', () => {
  it('renders an SMS in both languages side by side, warning when it takes more than one message', async () => {
    handle({ render: (locale) => sms[locale === 'zh-CN' ? 'zh-CN' : 'en'] });
    const user = userEvent.setup();
    wrap(<TemplatePreviewPanel kind="Template" name="sms-reminder" version={2} dirty={false} />);
    expect(screen.getByRole('radiogroup', { name: 'Languages' })).toBeTruthy();
    await pick(user, 'INV-1', 'INV-1');
    await user.click(screen.getByRole('button', { name: 'Render v2' }));
    await screen.findByText(sms.en.body);

    const posts = server.calls.filter((c) => c.url.pathname === '/api/definitions/Template/sms-reminder/render');
    expect(posts.map((c) => c.body)).toEqual([
      { version: 2, invoice: 'INV-1', locale: 'en' },
      { version: 2, invoice: 'INV-1', locale: 'zh-CN' },
    ]);
    const en = screen.getByRole('region', { name: 'English' });
    const zh = screen.getByRole('region', { name: 'Chinese (Simplified)' });
    expect(within(en).getByText(sms.en.body).tagName).toBe('PRE');
    expect(within(zh).getByText(sms['zh-CN'].body).getAttribute('lang')).toBe('zh-CN');
    expect(within(en).getByText('GSM-7')).toBeTruthy();
    expect(within(en).getByText('96')).toBeTruthy();
    expect(within(zh).getByText('UCS-2')).toBeTruthy();
    expect(within(zh).getByText('88')).toBeTruthy();
    // the Chinese text takes two messages and says so; the English one fits in one
    expect(within(zh).getByText('Sent as 2 messages')).toBeTruthy();
    expect(within(en).queryByText(/^Sent as/)).toBeNull();
    // an SMS has no subject
    expect(within(en).queryByText('Subject')).toBeNull();
    expect(screen.queryByTitle(/Formal letter/)).toBeNull();
  });

  it('renders one language when asked, with the email subject and body and the letter as its PDF', async () => {
    handle({ render: () => email });
    const user = userEvent.setup();
    wrap(<TemplatePreviewPanel kind="Template" name="final-notice" version={4} dirty={false} />);
    // the radio input itself takes no pointer: its label does
    await user.click(screen.getByText('Chinese (Simplified)'));
    expect((screen.getByRole('radio', { name: 'Chinese (Simplified)' }) as HTMLInputElement).checked).toBe(true);
    await pick(user, 'beta', 'INV/2026/2');
    await user.click(screen.getByRole('button', { name: 'Render v4' }));
    await screen.findByText('Final notice: INV-1');
    const posts = server.calls.filter((c) => c.url.pathname.endsWith('/render'));
    expect(posts.map((c) => c.body)).toEqual([{ version: 4, invoice: 'INV/2026/2', locale: 'zh-CN' }]);
    expect(screen.getByText(/INV-1 is 45 days overdue/).tagName).toBe('PRE');

    const pdf = '/api/definitions/Template/final-notice/render.pdf?version=4&invoice=INV%2F2026%2F2&locale=zh-CN';
    const frame = screen.getByTitle('Formal letter of final-notice v4 for INV/2026/2 in Chinese (Simplified) (PDF)');
    expect(frame.tagName).toBe('IFRAME');
    expect(frame.getAttribute('src')).toBe(pdf);
    const download = screen.getByRole('link', { name: 'Download the PDF' });
    expect(download.getAttribute('href')).toBe(pdf);
    expect(download.getAttribute('download')).toBe('final-notice-v4-INV_2026_2-zh-CN.pdf');
    expect(screen.getByRole('link', { name: 'Open invoice INV/2026/2' }).getAttribute('href')).toBe('/invoices/INV%2F2026%2F2');
  });

  it('shows a language that failed beside the one that rendered', async () => {
    handle({ render: (locale) => locale === 'en' ? email : json({ title: 'Unprocessable', status: 422, detail: 'template final-notice has no zh-CN text' }, 422) });
    const user = userEvent.setup();
    wrap(<TemplatePreviewPanel kind="Template" name="final-notice" version={4} dirty />);
    expect(screen.getByText(/save the draft first to see them rendered/)).toBeTruthy();
    await pick(user, 'INV-1', 'INV-1');
    await user.click(screen.getByRole('button', { name: 'Render v4' }));
    expect((await screen.findByRole('alert')).textContent).toContain('template final-notice has no zh-CN text');
    expect(screen.getByText('Final notice: INV-1')).toBeTruthy();
  });
});

describe('tryTabs', () => {
  it('gives a Rule the try tab and a Template the render tab, labelled in the language on screen', async () => {
    expect(tryTabs({ kind: 'Rule', name: 'r', version: 1, dirty: false }).map((t) => [t.key, t.label])).toEqual([['try', 'Try on an invoice']]);
    expect(tryTabs({ kind: 'Template', name: 't', version: 1, dirty: false }).map((t) => [t.key, t.label])).toEqual([['render', 'Preview']]);
    expect(tryTabs({ kind: 'Workflow', name: 'w', version: 1, dirty: false })).toEqual([]);
    expect(tryTabs({ kind: 'Form', name: 'f', version: 1, dirty: false })).toEqual([]);
    await applyLanguage('zh-CN');
    expect(tryTabs({ kind: 'Rule', name: 'r', version: 1, dirty: false })[0]?.label).toBe('用发票试运行');
    expect(i18n.language).toBe('zh-CN');
  });
});
