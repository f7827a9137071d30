// Payment plans (issue 16 §1). The director opens an escalation approval,
// picks a payment plan, sees the server's schedule (3 installments adding up
// to the balance) before deciding, decides, and finds the plan on the
// invoice (in both languages, each on its own approval). Finance then
// creates a plan on another invoice through the dialog: equal installments
// previewed, then edited one by one (the difference to the balance shown
// live), a date in the past refused at its field, then created; and
// cancels it with a reason. Screenshots at desk and phone size.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { apiCall, axe, desk, languages, launch, login, newPage, outDir, phone, shot, startServer, users } from './harness.mjs';

const text = {
  en: {
    plan: 'Payment plan', installments: 'Number of installments', first: 'First installment due', submit: 'Decide',
    preview: 'Installments preview', adds: 'The installments add up to the balance.', card: 'Payment plan', rows: 'Installments',
    onTrack: 'On track',
  },
  'zh-CN': {
    plan: '分期付款', installments: '分期期数', first: '首期付款日', submit: '提交决定',
    preview: '分期预览', adds: '各期合计等于未付余额。', card: '分期付款计划', rows: '各期明细',
    onTrack: '正常',
  },
};

function isoDays(from, days) {
  const d = new Date(Date.UTC(+from.slice(0, 4), +from.slice(5, 7) - 1, +from.slice(8, 10) + days));
  return d.toISOString().slice(0, 10);
}

/** planCard waits for the invoice page's plan card (reloading once if the plan is not there yet). */
async function planCard(page, name) {
  const heading = page.getByRole('heading', { level: 2, name: new RegExp(`^${name}`) });
  try {
    await heading.waitFor({ timeout: 8_000 });
  } catch {
    await page.reload();
    await heading.waitFor();
  }
  return page.locator('.ant-card').filter({ has: heading });
}

describe('payment plans', () => {
  let server, browser, today;
  const decided = [];
  before(async () => { [server, browser] = await Promise.all([startServer('plans'), launch()]); });
  after(async () => { await browser?.close(); await server?.stop(); });

  for (const { lang, locale } of languages) {
    const t = text[lang];
    test(`${lang}: the director previews a payment plan, decides it, and sees it on the invoice`, async () => {
      const page = await newPage(browser, { locale });
      page.setDefaultTimeout(45_000);
      await login(page, server.url, users.director);
      today = (await apiCall(page, 'GET', '/api/dashboard')).body.today;
      const q = await apiCall(page, 'GET', '/api/approvals?limit=5');
      assert.equal(q.status, 200);
      const target = q.body.items.find((a) => a.invoice && !decided.includes(a.invoice));
      assert.ok(target, 'an open approval on an invoice');
      decided.push(target.invoice);
      // The form keeps what was typed only while the layout stays (desk or phone): English decides at a desk, Chinese on a phone.
      const size = lang === 'en' ? desk : phone;
      await page.setViewportSize(size);
      await page.goto(server.url + `/approvals/${target.id}`);

      await page.locator('label.ant-radio-button-wrapper', { hasText: t.plan }).click();
      const preview = page.getByRole('region', { name: t.preview });
      await preview.waitFor();
      await page.getByLabel(t.installments).fill('3');
      await page.getByLabel(t.first).fill(isoDays(today, 14));
      // The server's schedule: 3 installments (plus the header and the total rows), adding up to the balance.
      const rows = preview.getByRole('region', { name: t.rows }).getByRole('row');
      await page.waitForFunction((n) => document.querySelectorAll('.plan-preview tbody tr.ant-table-row').length === n, 3);
      assert.equal(await rows.count(), 5, 'header, 3 installments, total');
      await preview.getByText(t.adds).waitFor();
      const schedule = await apiCall(page, 'POST', '/api/payment-plans/preview', { invoices: [target.invoice], count: 3, first_due: isoDays(today, 14) });
      assert.equal(schedule.status, 200);
      assert.equal(schedule.body.installments.length, 3);
      assert.equal(schedule.body.installments[0].due_date, isoDays(today, 14));
      await page.waitForTimeout(300);
      await shot(page, 'plan-decision', lang, { both: false });
      await preview.screenshot({ path: join(outDir, `plan-preview.${lang}.${size === phone ? 'phone' : 'desk'}.png`) });
      assert.deepEqual(await axe(page), [], 'axe on the approval with the preview');

      await page.getByRole('button', { name: t.submit }).click();
      await page.waitForURL((u) => u.pathname !== `/approvals/${target.id}`);

      // Deciding runs the invoice's workflow at once: the plan is there.
      const inv = await apiCall(page, 'GET', `/api/invoices/${encodeURIComponent(target.invoice)}`);
      assert.equal(inv.status, 200);
      if (!inv.body.plan) console.log(`plans ${lang}: no plan on ${target.invoice} right after deciding; the page is reloaded`);
      await page.setViewportSize(desk);
      await page.goto(server.url + `/invoices/${encodeURIComponent(target.invoice)}`);
      const card = await planCard(page, t.card);
      await card.getByText(t.onTrack).first().waitFor();
      const installments = card.getByRole('region', { name: t.rows }).locator('tbody tr.ant-table-row');
      assert.equal(await installments.count(), 3, 'the plan has 3 installments');
      const plan = (await apiCall(page, 'GET', `/api/invoices/${encodeURIComponent(target.invoice)}`)).body.plan;
      assert.ok(plan, 'the invoice has its plan');
      assert.equal(plan.installments.length, 3);
      assert.equal(plan.installments[0].due_date, isoDays(today, 14));
      assert.deepEqual(plan.installments.map((i) => i.amount_minor), schedule.body.installments.map((i) => i.amount_minor), 'the plan is what was previewed');
      await shot(page, 'plan-invoice', lang);
      await card.screenshot({ path: join(outDir, `plan-card.${lang}.desk.png`) });
      assert.deepEqual(await axe(page), [], 'axe on the invoice with its plan');
      assert.deepEqual(page.consoleErrors.filter((e) => !/Failed to load resource/.test(e)), []);
      await page.context().close();
    });
  }

  test('en: finance creates a plan through the dialog (previewed, edited, refused, created) and cancels it', async () => {
    const page = await newPage(browser, { locale: 'en-US' });
    page.setDefaultTimeout(45_000);
    await login(page, server.url, users.finance);
    const list = await apiCall(page, 'GET', '/api/invoices?status=overdue&limit=50');
    assert.equal(list.status, 200);
    const items = list.body.items ?? list.body;
    let number;
    for (const i of items) {
      if (decided.includes(i.number) || !(i.balance_minor > 0)) continue;
      const d = await apiCall(page, 'GET', `/api/invoices/${encodeURIComponent(i.number)}`);
      if (d.status === 200 && !d.body.plan && !d.body.invoice.disputed) { number = i.number; break; }
    }
    assert.ok(number, 'an overdue invoice without a plan');
    const day = today ?? new Date().toISOString().slice(0, 10);
    await page.goto(server.url + `/invoices/${encodeURIComponent(number)}`);
    await page.getByRole('button', { name: 'Create payment plan' }).click();
    const dialog = page.getByRole('dialog', { name: `Payment plan for invoice ${number}` });
    await dialog.waitFor();

    // Equal installments, previewed by the server.
    await dialog.getByLabel('Number of installments').fill('3');
    await dialog.getByLabel('First installment due').fill(isoDays(day, 10));
    await page.waitForFunction(() => document.querySelectorAll('.ant-modal .plan-preview tbody tr.ant-table-row').length === 3);
    await dialog.getByText('The installments add up to the balance.').waitFor();
    await page.waitForTimeout(300);
    await shot(page, 'plan-dialog', 'en');

    // Edited one by one: the difference to the balance is shown as it is typed.
    await dialog.getByRole('button', { name: 'Edit these installments one by one' }).click();
    const amount1 = dialog.getByLabel('Installment 1 amount');
    const was = await amount1.inputValue();
    assert.match(was, /^\d+\.\d{2}$/, 'the rows start from the preview');
    await amount1.fill('1.00');
    const status = dialog.getByRole('status');
    await status.getByText('Still to plan:').waitFor();
    await shot(page, 'plan-dialog-manual', 'en');
    await amount1.fill(was);
    await status.getByText('Adds up to the balance').waitFor();

    // A first installment in the past: the server's error at that date.
    const due1 = dialog.getByLabel('Installment 1 due date');
    await due1.fill(isoDays(day, -3));
    await dialog.getByRole('button', { name: 'Create plan' }).click();
    await page.waitForFunction(() => document.querySelector('[aria-label="Installment 1 due date"]')?.getAttribute('aria-invalid') === 'true');
    await dialog.getByText(/before today/).waitFor();
    await shot(page, 'plan-dialog-error', 'en', { both: false });
    await due1.fill(isoDays(day, 10));
    await dialog.getByRole('button', { name: 'Create plan' }).click();
    await dialog.waitFor({ state: 'hidden' });

    const card = await planCard(page, 'Payment plan');
    await card.getByText('On track').first().waitFor();
    assert.equal(await card.getByRole('region', { name: 'Installments' }).locator('tbody tr.ant-table-row').count(), 3);
    await shot(page, 'plan-created', 'en');
    assert.equal(await page.getByRole('button', { name: 'Create payment plan' }).count(), 0, 'no second plan while one is active');

    // Cancel it, with a reason.
    await card.getByRole('button', { name: 'Cancel plan' }).click();
    const confirm = page.getByRole('dialog', { name: 'Cancel the payment plan?' });
    await confirm.getByLabel('Reason').fill('The customer paid through a settlement instead');
    await page.waitForTimeout(300);
    await shot(page, 'plan-cancel', 'en', { both: false });
    await confirm.getByRole('button', { name: 'Cancel plan' }).click();
    await confirm.waitFor({ state: 'hidden' });
    await card.getByText('Cancelled').first().waitFor();
    const after = (await apiCall(page, 'GET', `/api/invoices/${encodeURIComponent(number)}`)).body.plan;
    assert.equal(after.status, 'cancelled');
    await page.getByRole('button', { name: 'Create payment plan' }).waitFor();
    assert.deepEqual(page.consoleErrors.filter((e) => !/Failed to load resource|422/.test(e)), []);
    await page.context().close();
  });
});
