// The finance director's approvals: the queue with its count, oldest first;
// one approval's history report; a payment-plan decision submitted invalid
// first (each field's error shown next to it), then valid; the next
// approval opens; and the invoice's history shows the decision. In both
// languages, axe on each page, screenshots at desk and phone size.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { apiCall, axe, outDir, languages, launch, login, newPage, phone, desk, shot, startServer, users } from './harness.mjs';

const text = {
  en: {
    title: 'Approvals', queue: 'Approval queue', history: 'History report', timeline: 'Communications and follow-up',
    decision: 'Decision', plan: 'Payment plan', installments: 'Number of installments', first: 'First installment due',
    submit: 'Decide', back: 'Back to the queue', customer: 'Customer', what: 'What each decision does',
  },
  'zh-CN': {
    title: '审批', queue: '审批队列', history: '历史报告', timeline: '沟通与跟进记录',
    decision: '决定', plan: '分期付款', installments: '分期期数', first: '首期付款日',
    submit: '提交决定', back: '返回审批队列', customer: '客户', what: '各项决定的后续处理',
  },
};

function isoDays(from, days) {
  const d = new Date(Date.UTC(+from.slice(0, 4), +from.slice(5, 7) - 1, +from.slice(8, 10) + days));
  return d.toISOString().slice(0, 10);
}

describe('approvals', () => {
  let server, browser;
  before(async () => { [server, browser] = await Promise.all([startServer('approvals'), launch()]); });
  after(async () => { await browser?.close(); await server?.stop(); });

  for (const [n, { lang, locale }] of languages.entries()) {
    const t = text[lang];
    test(`${lang}: the director reads an approval's history and decides a payment plan`, async () => {
      const page = await newPage(browser, { locale });
      page.setDefaultTimeout(45_000); // the shared machine is often loaded
      await login(page, server.url, users.director);
      await page.waitForURL((u) => u.pathname === '/approvals');

      // The queue: its count, oldest first (as the API orders it).
      const api = await apiCall(page, 'GET', '/api/approvals?counts=true&limit=5');
      assert.equal(api.status, 200);
      const open = api.body.counts.open;
      assert.ok(open > 0, 'the demo has open approvals');
      await page.waitForFunction((n) => (document.querySelector('h1')?.textContent ?? '').replace(/[,\s]/g, '').includes(String(n)), open);
      const h1 = await page.getByRole('heading', { level: 1 }).innerText();
      assert.match(h1.replace(/[,\s]/g, ''), new RegExp(String(open)), `the count ${open} is shown: ${h1}`);
      const queue = page.getByRole('navigation', { name: t.queue });
      const links = queue.getByRole('link');
      await links.first().waitFor();
      const ids = await links.evaluateAll((els) => els.slice(0, 5).map((e) => Number(e.getAttribute('data-approval'))));
      assert.deepEqual(ids, api.body.items.map((r) => r.id), 'oldest first, as the API orders them');
      // Each language decides a different approval (the first decided one leaves the queue).
      const target = api.body.items[0];
      await shot(page, 'approvals', lang);
      assert.deepEqual(await axe(page), [], 'axe on the queue');

      await links.first().click();
      await page.waitForURL(new RegExp(`/approvals/${target.id}$`));
      await page.getByRole('heading', { name: t.history }).waitFor();
      await page.getByRole('heading', { name: t.timeline }).waitFor();
      await page.getByRole('heading', { name: t.customer, exact: true }).waitFor();
      // The timeline has the invoice's history (at least the workflow's steps).
      await page.locator('.ant-timeline-item').first().waitFor();
      assert.ok(await page.locator('.ant-timeline-item').count() > 2, 'the timeline has entries');
      await shot(page, 'approval', lang);
      await page.locator('article.approval-detail').screenshot({ path: join(outDir, `approval-detail.${lang}.desk.png`) });
      assert.deepEqual(await axe(page), [], 'axe on an approval');

      // Decide: payment plan with nothing else first — the server's errors show per field.
      // antd's radio buttons hide the input: click its label.
      await page.locator('label.ant-radio-button-wrapper', { hasText: t.plan }).click();
      assert.equal(await page.getByRole('radio', { name: t.plan }).isChecked(), true);
      await page.getByRole('button', { name: t.submit }).click();
      const installments = page.getByLabel(t.installments);
      const first = page.getByLabel(t.first);
      await page.waitForFunction(() => document.querySelectorAll('[aria-invalid="true"]').length >= 2);
      assert.equal(await installments.getAttribute('aria-invalid'), 'true');
      assert.equal(await first.getAttribute('aria-invalid'), 'true');
      assert.equal(new URL(page.url()).pathname, `/approvals/${target.id}`, 'still on the approval');
      await shot(page, 'approval-errors', lang, { both: false });

      // Then the valid decision on the same form: the choice made stays,
      // the missing fields are filled in.
      assert.equal(await page.getByRole('radio', { name: t.plan }).isChecked(), true, 'the choice survives the refusal');
      const today = (await apiCall(page, 'GET', '/api/dashboard')).body.today;
      await installments.fill(String(6 + n));
      await first.fill(isoDays(today, 14));
      const t0 = Date.now();
      await page.getByRole('button', { name: t.submit }).click();
      // The next approval opens, and the decision is recorded.
      await page.waitForURL((u) => /^\/approvals\/\d+$/.test(u.pathname) && u.pathname !== `/approvals/${target.id}`);
      const now = await apiCall(page, 'GET', `/api/tasks/${target.id}`);
      assert.notEqual(now.body.status, 'open', 'the decision is recorded');
      console.log(`approvals ${lang}: decide → recorded: ${Date.now() - t0} ms`);

      // The invoice's history shows the decision.
      const inv = await apiCall(page, 'GET', `/api/invoices/${encodeURIComponent(target.invoice)}`);
      assert.equal(inv.status, 200);
      const body = JSON.stringify(inv.body);
      assert.match(body, /payment_plan/, 'the decision is in the invoice history');
      await page.goto(server.url + `/invoices/${encodeURIComponent(target.invoice)}`);
      await page.waitForLoadState('networkidle');
      await shot(page, 'approval-invoice-after', lang, { both: false });
      const decided = await apiCall(page, 'GET', `/api/tasks/${target.id}`);
      assert.notEqual(decided.body.status, 'open');

      // On a phone: the list, then the approval with a way back.
      await page.setViewportSize(phone);
      await page.goto(server.url + '/approvals');
      await page.getByRole('navigation', { name: t.queue }).getByRole('link').first().click();
      await page.getByRole('link', { name: t.back }).waitFor();
      assert.equal(await page.getByRole('navigation', { name: t.queue }).count(), 0, 'the phone shows the approval alone');
      await shot(page, 'approval-phone', lang, { both: false });
      await page.setViewportSize(desk);

      assert.deepEqual(page.consoleErrors.filter((e) => !/Failed to load resource|422/.test(e)), []);
      await page.context().close();
    });
  }
});
