// Credit, write-offs and reversals on an invoice (issue 16 §2, §6): finance
// opens an overdue invoice with a payment, reads its balance breakdown,
// records a credit note for more than the balance (the amount field shows
// the server's error) and then for 10.00 (the balance falls by exactly
// that, the adjustment is listed), reverses the payment (a reason is
// required; the payment shows reversed and the balance rises by what it
// had applied). The finance director then writes off the whole rest: the
// invoice is written off at zero and the history says so. Finance is not
// offered a write-off. In both languages, axe on the page and the dialog,
// screenshots at desk and phone size.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { apiCall, axe, desk, languages, login, newPage, perLanguage, phone, shot, users } from './harness.mjs';

const text = {
  en: {
    invoice: (n) => `Invoice ${n}`, balance: 'Balance', breakdown: 'Balance breakdown', adjustments: 'Adjustments', payments: 'Payments',
    record: 'Record adjustment', dialog: (n) => `Record an adjustment on invoice ${n}`, kind: 'Kind', creditNote: 'Credit note', writeOff: 'Write-off',
    amount: 'Amount', reason: 'Reason', reference: 'Reference', submit: 'Record', whole: 'Whole balance',
    reverse: (r) => `Reverse payment ${r}`, reverseDo: 'Reverse payment', reversed: 'Reversed', writtenOff: 'Written off', due: 'Balance due',
    adjustedBy: 'recorded an adjustment', reversedBy: 'reversed payment',
  },
  'zh-CN': {
    invoice: (n) => `发票 ${n}`, balance: '余额', breakdown: '余额明细', adjustments: '调整记录', payments: '回款记录',
    record: '登记调整', dialog: (n) => `为发票 ${n} 登记调整`, kind: '类型', creditNote: '贷项通知单', writeOff: '坏账核销',
    amount: '金额', reason: '原因', reference: '参考号', submit: '登记', whole: '全部余额',
    reverse: (r) => `撤销回款 ${r}`, reverseDo: '撤销回款', reversed: '已撤销', writtenOff: '已核销', due: '应收余额',
    adjustedBy: '登记了调整', reversedBy: '撤销了回款',
  },
};

/** decimal writes CNY minor units as the decimal a person types: 12345 → "123.45". */
function decimal(minor) {
  return `${Math.floor(minor / 100)}.${String(minor % 100).padStart(2, '0')}`;
}

/** money formats minor units as the page does (the browser's Intl, in the page's language). */
function money(page, minor, currency, locale) {
  return page.evaluate(({ minor, currency, locale }) => new Intl.NumberFormat(locale, { style: 'currency', currency, minimumFractionDigits: 2 })
    .format(`${Math.floor(minor / 100)}.${String(minor % 100).padStart(2, '0')}`), { minor, currency, locale });
}

async function detail(page, number) {
  const r = await apiCall(page, 'GET', `/api/invoices/${encodeURIComponent(number)}`);
  assert.equal(r.status, 200, JSON.stringify(r.body));
  return r.body;
}

/** balanceShown is the "Balance due" value of the balance card. */
async function balanceShown(page) {
  return (await page.locator('.balance-due').innerText()).trim();
}

/** top scrolls to the top, so that a full-page screenshot has the sticky header where it belongs. */
async function top(page) {
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.waitForTimeout(100);
}

const wide = (page) => page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);

describe('adjustments', () => {
  const run = perLanguage('adjustments');

  for (const { lang, locale } of languages) {
    const t = text[lang];
    test(`${lang}: finance credits and reverses, the director writes off the rest`, async () => {
      const server = run.servers[lang];
      const page = await newPage(run.browser, { locale });
      page.setDefaultTimeout(45_000); // the shared machine is often loaded
      await login(page, server.url, users.finance);

      // An overdue CNY invoice with a payment it applied, owing more than 20.00.
      const candidates = (await apiCall(page, 'GET', '/api/invoices?status=overdue&currency=CNY&limit=100')).body.items;
      let inv;
      for (const c of candidates) {
        if (c.disputed || c.balance_minor <= 2000) continue;
        const d = await detail(page, c.number);
        if (d.payments.some((p) => !p.reversed_at && p.applied_minor > 0)) { inv = d; break; }
      }
      assert.ok(inv, 'an overdue CNY invoice with an applied payment');
      const number = inv.invoice.number;
      const cur = inv.invoice.currency;
      const url = `${server.url}/invoices/${encodeURIComponent(number)}`;
      await page.goto(url);
      await page.getByRole('heading', { level: 1, name: t.invoice(number) }).waitFor();
      // (a list's heading carries its count: "Payments (2)")
      for (const h of [t.balance, t.adjustments, t.payments]) await page.getByRole('heading', { level: 2, name: new RegExp(`^${h}( \\(\\d+\\))?$`) }).waitFor();
      assert.equal(await balanceShown(page), await money(page, inv.invoice.balance_minor, cur, locale));

      // Finance is offered credit notes and settlements, not a write-off.
      await page.getByRole('button', { name: t.record }).click();
      const dialog = page.getByRole('dialog', { name: t.dialog(number) });
      await dialog.waitFor();
      assert.equal(await dialog.getByRole('radio', { name: t.creditNote }).isChecked(), true);
      assert.equal(await dialog.getByRole('radio', { name: t.writeOff }).count(), 0, 'no write-off for finance');
      assert.match(await dialog.getByLabel(t.reference).inputValue(), new RegExp(`^CN-${number.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}-`), 'a suggested reference');

      // More than the balance: the amount field says so (the server's words), nothing recorded.
      const amount = dialog.getByLabel(t.amount);
      await amount.fill(decimal(inv.invoice.balance_minor + 100));
      await dialog.getByLabel(t.reason).fill('Damaged goods returned (e2e)');
      await dialog.getByRole('button', { name: t.submit }).click();
      await page.waitForFunction(() => document.querySelector('#adj-amount')?.getAttribute('aria-invalid') === 'true');
      const error = (await dialog.locator('#adj-amount-error').innerText()).trim();
      assert.match(error, /more than the balance/, error);
      assert.equal((await detail(page, number)).invoice.balance_minor, inv.invoice.balance_minor, 'nothing recorded');
      assert.deepEqual(await axe(page), [], 'axe on the dialog with an error');
      await shot(page, 'adjust-dialog-error', lang, { fullPage: false });

      // 10.00: recorded, the dialog closes, the balance falls by exactly that, the line is listed.
      await amount.fill('10.00');
      await dialog.getByRole('button', { name: t.submit }).click();
      await dialog.waitFor({ state: 'hidden' });
      const afterCredit = await detail(page, number);
      assert.equal(afterCredit.invoice.balance_minor, inv.invoice.balance_minor - 1000);
      assert.equal(afterCredit.invoice.adjusted_minor, inv.invoice.adjusted_minor + 1000);
      const creditLine = afterCredit.adjustments.find((a) => a.kind === 'credit_note' && a.amount_minor === 1000);
      assert.ok(creditLine, JSON.stringify(afterCredit.adjustments));
      const want = await money(page, afterCredit.invoice.balance_minor, cur, locale);
      await page.waitForFunction((w) => document.querySelector('.balance-due')?.textContent?.trim() === w, want);
      const adjustments = page.getByRole('list', { name: t.adjustments, exact: true });
      await adjustments.getByText(t.creditNote).waitFor();
      await adjustments.getByText('Damaged goods returned (e2e)').waitFor();

      // Reverse the payment: a reason is required; then it shows reversed and the balance rises by what it applied.
      const pay = afterCredit.payments.find((p) => !p.reversed_at && p.applied_minor > 0);
      await page.getByRole('button', { name: t.reverse(pay.reference) }).click();
      const rdialog = page.getByRole('dialog', { name: t.reverse(pay.reference) });
      await rdialog.waitFor();
      await rdialog.getByRole('button', { name: t.reverseDo }).click();
      await page.waitForFunction(() => document.querySelector('#reverse-reason')?.getAttribute('aria-invalid') === 'true');
      await rdialog.getByLabel(t.reason).fill('Transfer bounced (e2e)');
      await rdialog.getByRole('button', { name: t.reverseDo }).click();
      await rdialog.waitFor({ state: 'hidden' });
      const afterReversal = await detail(page, number);
      assert.ok(afterReversal.payments.find((p) => p.reference === pay.reference).reversed_at, 'reversed');
      assert.equal(afterReversal.invoice.balance_minor, afterCredit.invoice.balance_minor + pay.applied_minor);
      const payments = page.getByRole('list', { name: t.payments, exact: true });
      await payments.getByText('Transfer bounced (e2e)', { exact: false }).waitFor();
      await payments.getByText(t.reversed, { exact: true }).first().waitFor();
      assert.equal(await page.getByRole('button', { name: t.reverse(pay.reference) }).count(), 0, 'a reversed payment is not offered again');
      await page.locator('.timeline-title', { hasText: t.reversedBy }).first().waitFor();
      await page.locator('.timeline-title', { hasText: t.adjustedBy }).first().waitFor();
      assert.deepEqual(await axe(page), [], 'axe on the invoice page');
      await top(page);
      await shot(page, 'adjust-invoice', lang);
      await page.setViewportSize(phone);
      await page.waitForTimeout(300);
      assert.ok(await wide(page) <= 0, 'the invoice page is not wider than a phone');
      await page.setViewportSize(desk);
      assert.deepEqual(page.consoleErrors.filter((e) => !/Failed to load resource/.test(e)), []);
      await page.context().close();

      // The director writes off the whole rest.
      const dir = await newPage(run.browser, { locale });
      dir.setDefaultTimeout(45_000);
      await login(dir, server.url, users.director);
      await dir.goto(url);
      await dir.getByRole('heading', { level: 1, name: t.invoice(number) }).waitFor();
      await dir.getByRole('button', { name: t.record }).click();
      const ddialog = dir.getByRole('dialog', { name: t.dialog(number) });
      await ddialog.waitFor();
      // antd's radio buttons hide the input: click its label.
      await ddialog.locator('label.ant-radio-button-wrapper', { hasText: t.writeOff }).click();
      assert.equal(await ddialog.getByRole('checkbox', { name: t.whole }).isChecked(), true);
      assert.equal(await ddialog.getByLabel(t.amount).count(), 0, 'the whole balance: no amount to type');
      assert.match(await ddialog.getByLabel(t.reference).inputValue(), /^WO-/);
      await ddialog.getByLabel(t.reason).fill('Customer insolvent (e2e)');
      assert.deepEqual(await axe(dir), [], 'axe on the write-off dialog');
      await shot(dir, 'adjust-writeoff-dialog', lang, { fullPage: false });
      await ddialog.getByRole('button', { name: t.submit }).click();
      await ddialog.waitFor({ state: 'hidden' });
      const done = await detail(dir, number);
      assert.equal(done.invoice.balance_minor, 0);
      assert.equal(done.invoice.status, 'written_off');
      assert.equal(done.invoice.written_off_minor, afterReversal.invoice.balance_minor);
      await dir.locator('.ant-tag', { hasText: t.writtenOff }).first().waitFor();
      await dir.waitForFunction((w) => document.querySelector('.balance-due')?.textContent?.trim() === w, await money(dir, 0, cur, locale));
      await dir.getByRole('list', { name: t.adjustments, exact: true }).getByText('Customer insolvent (e2e)').waitFor();
      // Nothing is owed: no more adjustments offered.
      assert.equal(await dir.getByRole('button', { name: t.record }).count(), 0);
      assert.deepEqual(await axe(dir), [], 'axe on the written-off invoice');
      await top(dir);
      await shot(dir, 'adjust-written-off', lang);
      assert.deepEqual(dir.consoleErrors.filter((e) => !/Failed to load resource/.test(e)), []);
      await dir.context().close();
    });
  }
});
