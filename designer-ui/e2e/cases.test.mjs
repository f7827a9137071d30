// Disputes, promises to pay, legal cases and holds (issue 16): a rep opens
// a dispute on its own invoice from the invoice page (an amount above the
// balance is refused with the server's message under the amount, nothing
// recorded), then records a promise to pay (a past date refused the same
// way); the task detail offers the dispute dialog too. Finance upholds the
// dispute (the balance falls by the disputed amount), opens a legal case
// (the invoice shows the legal hold) and closes it as recovered (the hold
// is gone). An admin adds a dispute reason on the settings page (a code
// the server refuses is shown under the code), which the rep's dispute
// dialog then offers and a dispute gives; retired, it is no longer offered
// while the dispute keeps its label. In both languages, axe on every state
// shown, screenshots at desk and phone size.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { apiCall, axe, languages, login, newPage, perLanguage, pickOption, settledPopup, shot, users } from './harness.mjs';

const text = {
  en: {
    card: 'Disputes, promises and legal cases', openDispute: 'Open dispute', reason: 'Reason', pricing: 'Pricing',
    amount: 'Disputed amount', description: 'What is disputed', disputes: 'Disputes', open: 'Open', disputed: 'Disputed',
    recordPromise: 'Record promise', promisedDate: 'Promised date', promisedAmount: 'Promised amount', promises: 'Promises to pay', pending: 'Pending',
    resolve: 'Resolve', resolution: 'Resolution', upheld: 'Upheld', note: 'Note (why)', openCase: 'Open legal case', documents: 'Documents',
    legalHold: 'On legal hold: a legal case is open', closeCase: 'Close case', outcome: 'Outcome', recovered: 'Recovered', cancel: 'Cancel',
    settings: 'Settings', reasons: 'Dispute reasons', reasonList: 'Dispute reason list', addReason: 'Add reason', code: 'Code',
    enLabel: 'English label', zhLabel: 'Chinese label', newReason: 'Late delivery', retire: 'Retire', retireOf: 'Retire Late delivery', retired: 'Retired',
    timelineReason: 'Reason: Late delivery',
  },
  'zh-CN': {
    card: '异议、付款承诺与法律案件', openDispute: '登记异议', reason: '异议原因', pricing: '价格有误',
    amount: '异议金额', description: '异议内容', disputes: '异议', open: '处理中', disputed: '有争议',
    recordPromise: '登记付款承诺', promisedDate: '承诺付款日期', promisedAmount: '承诺金额', promises: '付款承诺', pending: '待兑现',
    resolve: '处理', resolution: '处理结果', upheld: '成立', note: '说明（原因）', openCase: '立案', documents: '相关文件',
    legalHold: '法律暂停：有进行中的法律案件', closeCase: '结案', outcome: '结案结果', recovered: '已追回', cancel: '取消',
    settings: '设置', reasons: '异议原因', reasonList: '异议原因列表', addReason: '添加原因', code: '代码',
    enLabel: '英文名称', zhLabel: '中文名称', newReason: '延迟交货', retire: '停用', retireOf: '停用延迟交货', retired: '已停用',
    timelineReason: '异议原因：延迟交货',
  },
};

/** shanghaiDate is the date n days from now in the company's zone, YYYY-MM-DD. */
function shanghaiDate(days) {
  return new Date(Date.now() + days * 86_400_000).toLocaleDateString('en-CA', { timeZone: 'Asia/Shanghai' });
}

/** decimal renders minor units as the dialog's amount input takes them. */
function decimal(minor) {
  return `${Math.trunc(minor / 100)}.${String(minor % 100).padStart(2, '0')}`;
}

/** dialog is the open modal titled by a text containing title. */
function dialog(page, title) {
  return page.getByRole('dialog').filter({ hasText: title });
}

async function noAxe(page, what) {
  assert.deepEqual(await axe(page), [], `axe on ${what}`);
}

describe('disputes, promises and legal cases', () => {
  const ctx = perLanguage('cases');

  for (const { lang, locale } of languages) {
    const t = text[lang];
    test(`${lang}: a rep disputes and records a promise; finance upholds, opens and closes a legal case`, async () => {
      const server = ctx.servers[lang];
      const page = await newPage(ctx.browser, { locale });
      page.setDefaultTimeout(45_000);
      await login(page, server.url, users.rep);
      const mine = await apiCall(page, 'GET', '/api/invoices?limit=200');
      assert.equal(mine.status, 200);
      const inv = mine.body.items.find((x) => x.balance_minor > 20000 && !x.disputed && x.currency === 'CNY');
      assert.ok(inv, 'the rep has an open CNY invoice');
      const path = `/invoices/${encodeURIComponent(inv.number)}`;
      await page.goto(server.url + path);
      const card = page.getByRole('heading', { level: 2, name: t.card });
      await card.waitFor();

      // A dispute above the balance: the server's message under the amount, nothing recorded.
      await page.getByRole('button', { name: t.openDispute, exact: true }).first().click();
      const dd = dialog(page, inv.number);
      await dd.waitFor();
      await pickOption(page, t.reason, t.pricing);
      await dd.getByLabel(t.amount).fill(decimal(inv.balance_minor + 1));
      await dd.getByLabel(t.description).fill('unit price 12.00, invoiced 12.50');
      await dd.getByRole('button', { name: t.openDispute }).click();
      await dd.getByText("must be at most the invoice's balance").waitFor();
      await noAxe(page, 'the refused dispute');
      await shot(page, 'cases-dispute-refused', lang, { both: false, fullPage: false });
      const none = await apiCall(page, 'GET', `/api/invoices/${encodeURIComponent(inv.number)}`);
      assert.equal(none.body.disputes.length, 0, 'a refused dispute is not recorded');

      await dd.getByLabel(t.amount).fill('100.00');
      await dd.getByRole('button', { name: t.openDispute }).click();
      await dd.waitFor({ state: 'hidden' });
      const disputes = page.getByRole('region', { name: t.disputes });
      await disputes.getByText(t.open, { exact: true }).waitFor();
      await page.getByText(t.disputed, { exact: true }).first().waitFor();

      // A promise in the past is refused under its date; one next week is recorded.
      await page.getByRole('button', { name: t.recordPromise, exact: true }).click();
      const pd = dialog(page, inv.number);
      await pd.getByLabel(t.promisedDate).fill(shanghaiDate(-1));
      await pd.getByLabel(t.promisedAmount).fill('50.00');
      await pd.getByRole('button', { name: t.recordPromise }).click();
      await pd.getByText('must be in the future').waitFor();
      await pd.getByLabel(t.promisedDate).fill(shanghaiDate(7));
      await pd.getByRole('button', { name: t.recordPromise }).click();
      await pd.waitFor({ state: 'hidden' });
      await page.getByRole('region', { name: t.promises }).getByText(t.pending, { exact: true }).waitFor();
      await noAxe(page, 'the invoice with a dispute and a promise');
      await shot(page, 'cases-invoice-rep', lang);

      // The task detail offers the dispute dialog for its invoice.
      const tasks = await apiCall(page, 'GET', '/api/tasks?status=open&limit=50');
      const undisputed = new Set(mine.body.items.filter((x) => !x.disputed).map((x) => x.number));
      const call = tasks.body.items.find((x) => undisputed.has(x.invoice) && x.invoice !== inv.number && x.kind === 'task');
      assert.ok(call, 'the rep has an open task on another undisputed invoice');
      {
        await page.goto(`${server.url}/tasks/${call.id}`);
        await page.getByRole('button', { name: t.openDispute, exact: true }).click();
        const td = dialog(page, call.invoice);
        await td.waitFor();
        await noAxe(page, 'the dispute dialog on the task detail');
        await shot(page, 'cases-task-dispute', lang, { both: false, fullPage: false });
        await td.getByRole('button', { name: t.cancel }).click();
        await td.waitFor({ state: 'hidden' });
      }

      // Finance upholds the dispute: the balance falls by 100.00.
      const fin = await newPage(ctx.browser, { locale });
      fin.setDefaultTimeout(45_000);
      await login(fin, server.url, users.finance);
      await fin.goto(server.url + path);
      await fin.getByRole('heading', { level: 2, name: t.card }).waitFor();
      await fin.getByRole('region', { name: t.disputes }).getByRole('button', { name: t.resolve }).first().click();
      const rd = fin.getByRole('dialog');
      await pickOption(fin, t.resolution, t.upheld);
      await rd.getByLabel(t.note).fill('price list checked');
      await rd.getByRole('button', { name: t.resolve }).click();
      await rd.waitFor({ state: 'hidden' });
      await fin.getByRole('region', { name: t.disputes }).getByText(t.upheld, { exact: true }).waitFor();
      const after = await apiCall(fin, 'GET', `/api/invoices/${encodeURIComponent(inv.number)}`);
      assert.equal(after.body.invoice.balance_minor, inv.balance_minor - 10000, 'the upheld dispute takes 100.00 off the balance');
      assert.equal(after.body.invoice.disputed, false);

      // A legal case puts the invoice on legal hold; closing it releases the hold.
      await fin.getByRole('button', { name: t.openCase, exact: true }).click();
      const ld = dialog(fin, inv.number);
      await ld.getByLabel(t.documents).fill('complaint.pdf\nhttps://court.example/case/1');
      await ld.getByRole('button', { name: t.openCase }).click();
      await ld.waitFor({ state: 'hidden' });
      await fin.getByText(t.legalHold).waitFor();
      await noAxe(fin, 'the invoice on legal hold');
      await shot(fin, 'cases-invoice-legal-hold', lang);
      await fin.getByRole('button', { name: t.closeCase, exact: true }).click();
      const cd = fin.getByRole('dialog');
      await pickOption(fin, t.outcome, t.recovered);
      await cd.getByRole('button', { name: t.closeCase }).click();
      await cd.waitFor({ state: 'hidden' });
      await fin.getByText(t.recovered, { exact: true }).first().waitFor();
      assert.equal(await fin.getByText(t.legalHold).count(), 0, 'the hold is released');
      const closed = await apiCall(fin, 'GET', `/api/invoices/${encodeURIComponent(inv.number)}`);
      assert.equal(closed.body.invoice.on_hold, false);
      assert.equal(closed.body.legal_cases[0].status, 'recovered');
      assert.deepEqual([...page.consoleErrors, ...fin.consoleErrors].filter((e) => !/401|422|Failed to load resource/.test(e)), [], 'no console errors');
    });

    test(`${lang}: an admin adds a dispute reason, the rep's dispute dialog offers it; retired, it is offered no more`, async () => {
      const server = ctx.servers[lang];
      const adm = await newPage(ctx.browser, { locale });
      adm.setDefaultTimeout(45_000);
      await login(adm, server.url, users.admin);
      await adm.getByRole('link', { name: t.settings }).click();
      await adm.getByRole('heading', { level: 2, name: t.reasons }).waitFor();
      const list = adm.getByRole('region', { name: t.reasonList });
      await list.getByText('not_received', { exact: true }).waitFor();

      // A code with capitals and a space: the server's message under the code, nothing added.
      await adm.getByRole('button', { name: t.addReason }).click();
      const add = adm.getByRole('dialog');
      await add.getByLabel(t.code).fill('Late delivery');
      await add.getByLabel(t.enLabel).fill('Late delivery');
      await add.getByLabel(t.zhLabel).fill('延迟交货');
      await add.getByRole('button', { name: t.addReason }).click();
      await add.getByText('must be lowercase letters, digits and _').waitFor();
      await noAxe(adm, 'the refused reason');
      await shot(adm, 'cases-reason-refused', lang, { both: false, fullPage: false });
      await add.getByLabel(t.code).fill('late_delivery');
      await add.getByRole('button', { name: t.addReason }).click();
      await add.waitFor({ state: 'hidden' });
      await list.getByText('late_delivery', { exact: true }).waitFor();
      await noAxe(adm, 'the settings page');
      await shot(adm, 'cases-settings-reasons', lang);

      // The rep's dispute dialog offers it; a dispute gives it and shows its label.
      const page = await newPage(ctx.browser, { locale });
      page.setDefaultTimeout(45_000);
      await login(page, server.url, users.rep);
      const mine = await apiCall(page, 'GET', '/api/invoices?limit=200');
      const open = mine.body.items.filter((x) => x.balance_minor > 20000 && !x.disputed && !x.on_hold && x.currency === 'CNY');
      assert.ok(open.length >= 2, 'the rep has two open undisputed CNY invoices');
      const [inv, other] = open;
      await page.goto(`${server.url}/invoices/${encodeURIComponent(inv.number)}`);
      await page.getByRole('button', { name: t.openDispute, exact: true }).first().click();
      const dd = dialog(page, inv.number);
      await dd.waitFor();
      await page.getByLabel(t.reason, { exact: true }).click();
      const offered = await settledPopup(page, '.ant-select-dropdown');
      await offered.locator('.ant-select-item-option').filter({ hasText: t.newReason }).waitFor();
      await noAxe(page, 'the dispute dialog offering the new reason');
      await shot(page, 'cases-dispute-new-reason', lang, { both: false, fullPage: false });
      await offered.locator('.ant-select-item-option').filter({ hasText: t.newReason }).click();
      await offered.waitFor({ state: 'hidden' });
      await dd.getByLabel(t.amount).fill('10.00');
      await dd.getByRole('button', { name: t.openDispute }).click();
      await dd.waitFor({ state: 'hidden' });
      const disputes = page.getByRole('region', { name: t.disputes });
      await disputes.getByText(t.newReason, { exact: true }).waitFor();
      await page.getByText(t.timelineReason, { exact: true }).waitFor();
      const after = await apiCall(page, 'GET', `/api/invoices/${encodeURIComponent(inv.number)}`);
      assert.equal(after.body.disputes.find((d) => d.status === 'open')?.reason, 'late_delivery');

      // Retired: no longer offered; the dispute that gave it keeps its label.
      await adm.getByRole('button', { name: t.retireOf }).click();
      await adm.getByRole('button', { name: t.retire, exact: true }).click();
      await list.getByText(t.retired, { exact: true }).waitFor();
      await noAxe(adm, 'the settings page with a retired reason');
      await shot(adm, 'cases-settings-retired', lang);
      await page.goto(`${server.url}/invoices/${encodeURIComponent(other.number)}`);
      await page.getByRole('button', { name: t.openDispute, exact: true }).first().click();
      await dialog(page, other.number).waitFor();
      await page.getByLabel(t.reason, { exact: true }).click();
      const options = (await settledPopup(page, '.ant-select-dropdown')).locator('.ant-select-item-option');
      await options.filter({ hasText: t.pricing }).waitFor();
      assert.equal(await options.filter({ hasText: t.newReason }).count(), 0, 'a retired reason is not offered');
      await page.keyboard.press('Escape');
      await page.goto(`${server.url}/invoices/${encodeURIComponent(inv.number)}`);
      await page.getByRole('region', { name: t.disputes }).getByText(t.newReason, { exact: true }).waitFor();
      assert.deepEqual([...page.consoleErrors, ...adm.consoleErrors].filter((e) => !/401|422|Failed to load resource/.test(e)), [], 'no console errors');
    });
  }
});
