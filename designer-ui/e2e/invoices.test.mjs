// Invoices and customers: finance searches the invoice list by a customer's
// name and by an invoice number, filters it by status, aging bucket and
// currency (every row shown checked, and the rows compared with what the API
// answers for the same filters), pages forward, opens an invoice (summary,
// history, payments, tasks, approvals, messages sent) and then its customer
// (receivables by currency, all its invoices, history). A sales rep's list
// holds only the rep's own invoices, and another rep's invoice is not
// shown. In both languages, axe on every page, screenshots at desk and
// phone size.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { apiCall, axe, desk, languages, launch, login, newPage, phone, pickOption, shot, startServer, users } from './harness.mjs';

const text = {
  en: {
    title: 'Invoices', list: 'Invoice list', search: 'Search', status: 'Status', aging: 'Aging', currency: 'Currency',
    overdue: 'Overdue', bucket: '31–60 days', next: 'Next page', page2: 'Page 2', invoice: (n) => `Invoice ${n}`,
    summary: 'Summary', history: 'History', payments: 'Payments', tasks: 'Tasks', approvals: 'Approvals', messages: 'Messages sent',
    openCustomer: (name) => `Open customer ${name}`, aggregates: 'Receivables by currency', invoicesOf: (name) => `Invoices of ${name}`,
    customers: 'Customers', expand: 'Expand', credit: 'Unapplied credit', notFound: 'Not found, or not yours to see.', remove: (f) => `Remove the filter ${f}`,
  },
  'zh-CN': {
    title: '发票', list: '发票列表', search: '搜索', status: '状态', aging: '账龄', currency: '币种',
    overdue: '已逾期', bucket: '31–60 天', next: '下一页', page2: '第 2 页', invoice: (n) => `发票 ${n}`,
    summary: '概要', history: '历史记录', payments: '回款记录', tasks: '任务', approvals: '审批', messages: '已发送的消息',
    openCustomer: (name) => `查看客户 ${name}`, aggregates: '按币种汇总的应收账款', invoicesOf: (name) => `${name} 的发票`,
    customers: '客户', expand: '展开', credit: '未核销预收款', notFound: '未找到，或您无权查看。', remove: (f) => `移除筛选条件：${f}`,
  },
};

/** rowKeys are the invoice numbers the list's table shows, in order. */
function rowKeys(list) {
  return list.locator('tbody tr.ant-table-row').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-row-key')));
}

/** showsExactly waits until the list's table shows exactly these invoice numbers, in this order. */
async function showsExactly(page, listName, numbers) {
  await page.waitForFunction(({ listName, numbers }) => {
    const section = [...document.querySelectorAll('section[aria-label]')].find((s) => s.getAttribute('aria-label') === listName);
    if (!section || section.querySelector('.ant-spin-spinning')) return false;
    const keys = [...section.querySelectorAll('tbody tr.ant-table-row')].map((r) => r.getAttribute('data-row-key'));
    return JSON.stringify(keys) === JSON.stringify(numbers);
  }, { listName, numbers });
}

/** apiNumbers asks the API for the first page (50) of invoices matching query and answers their numbers and the page. */
async function apiPage(page, query) {
  const r = await apiCall(page, 'GET', `/api/invoices?limit=50${query ? `&${query}` : ''}`);
  assert.equal(r.status, 200, `GET /api/invoices?${query}: ${JSON.stringify(r.body)}`);
  return r.body;
}

/** pickCurrency types a code into the currency select (its list holds every ISO code) and picks it. */
async function pickCurrency(page, label, code) {
  await page.getByLabel(label, { exact: true }).click();
  await page.keyboard.type(code);
  const dropdown = page.locator('.ant-select-dropdown:visible').first();
  await dropdown.and(page.locator(':not([class*="-enter"])')).waitFor();
  await dropdown.locator('.ant-select-item-option').filter({ hasText: new RegExp(`^${code} ·`) }).first().click();
  await dropdown.waitFor({ state: 'hidden' });
}

/** top scrolls to the top, so that a full-page screenshot has the sticky header where it belongs. */
async function top(page) {
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.waitForTimeout(100);
}

/** cellTexts are the texts of column n (1-based) of the list's rows. */
function cellTexts(list, n) {
  return list.locator(`tbody tr.ant-table-row > td:nth-child(${n})`).allInnerTexts();
}

describe('invoices and customers', () => {
  let server, browser;
  before(async () => { [server, browser] = await Promise.all([startServer('invoices'), launch()]); });
  after(async () => { await browser?.close(); await server?.stop(); });

  for (const { lang, locale } of languages) {
    const t = text[lang];
    test(`${lang}: finance searches, filters and pages the invoices, opens one and its customer`, async () => {
      const page = await newPage(browser, { locale });
      page.setDefaultTimeout(45_000); // the shared machine is often loaded
      await login(page, server.url, users.finance);
      await page.goto(server.url + '/invoices');
      await page.getByRole('heading', { level: 1, name: t.title }).waitFor();
      const list = page.getByRole('region', { name: t.list });
      const first = await apiPage(page, '');
      await showsExactly(page, t.list, first.items.map((x) => x.number));
      assert.deepEqual(await axe(page), [], 'axe on the invoice list');
      await top(page);
      await shot(page, 'invoices', lang);

      // Pages forward: page 2 is the API's page after page 1's cursor.
      assert.ok(first.next_cursor, 'more than one page of invoices');
      const second = await apiPage(page, `cursor=${first.next_cursor}`);
      await page.getByRole('button', { name: t.next }).click();
      await page.getByText(t.page2, { exact: true }).waitFor();
      await showsExactly(page, t.list, second.items.map((x) => x.number));

      // Search by a customer's name, typed in lower case.
      const someone = first.items.find((x) => /[A-Za-z]/.test(x.customer_name)) ?? first.items[0];
      const name = someone.customer_name.toLowerCase();
      const byName = await apiPage(page, `q=${encodeURIComponent(name)}`);
      assert.ok(byName.items.length > 0 && byName.items.some((x) => x.number === someone.number), `searching ${name} finds ${someone.number}`);
      for (const x of byName.items) {
        assert.ok(x.customer_name.toLowerCase().includes(name) || x.customer.toLowerCase().includes(name) || x.number.toLowerCase().startsWith(name),
          `${x.number} of ${x.customer_name} matches ${name}`);
      }
      const box = page.getByLabel(t.search, { exact: true });
      await box.fill(name);
      await box.press('Enter');
      await page.waitForURL((u) => u.searchParams.get('q') === name);
      await showsExactly(page, t.list, byName.items.map((x) => x.number));
      for (const c of await cellTexts(list, 2)) assert.ok(c.toLowerCase().includes(name), `customer ${c} holds ${name}`);
      await top(page);
      await shot(page, 'invoices-search-customer', lang, { both: false });

      // Search by an invoice number's start, in lower case.
      const prefix = someone.number.slice(0, -1).toLowerCase();
      const byNumber = await apiPage(page, `q=${encodeURIComponent(prefix)}`);
      assert.ok(byNumber.items.some((x) => x.number === someone.number));
      await box.fill(prefix);
      await box.press('Enter');
      await page.waitForURL((u) => u.searchParams.get('q') === prefix);
      await showsExactly(page, t.list, byNumber.items.map((x) => x.number));
      for (const n of await rowKeys(list)) {
        assert.ok(n.toLowerCase().startsWith(prefix) || byNumber.items.find((x) => x.number === n).customer_name.toLowerCase().includes(prefix), n);
      }
      assert.deepEqual(await axe(page), [], 'axe on a search');
      await top(page);
      await shot(page, 'invoices-search', lang);

      // Filters: status, aging bucket and currency, one after the other.
      await page.goto(server.url + '/invoices');
      await showsExactly(page, t.list, first.items.map((x) => x.number));
      await pickOption(page, t.status, t.overdue);
      await page.waitForURL((u) => u.searchParams.get('status') === 'overdue');
      await pickOption(page, t.aging, t.bucket);
      await page.waitForURL((u) => u.searchParams.get('aging') === '31-60');
      await pickCurrency(page, t.currency, 'USD');
      await page.waitForURL((u) => u.searchParams.get('currency') === 'USD');
      const filtered = await apiPage(page, 'status=overdue&aging=31-60&currency=USD');
      assert.ok(filtered.items.length > 0, 'the demo has overdue USD invoices 31–60 days late');
      for (const x of filtered.items) {
        assert.equal(x.currency, 'USD', x.number);
        assert.equal(x.status, 'overdue', x.number);
        assert.ok(x.days_overdue >= 31 && x.days_overdue <= 60, `${x.number}: ${x.days_overdue} days`);
      }
      await showsExactly(page, t.list, filtered.items.map((x) => x.number));
      for (const c of await cellTexts(list, 6)) assert.equal(c.trim(), t.bucket);
      for (const c of await cellTexts(list, 7)) assert.equal(c.split('\n')[0].trim(), t.overdue); // then "disputed", maybe
      for (const c of await cellTexts(list, 4)) assert.match(c, /\$/, `balance ${c} in dollars`);
      for (const c of await cellTexts(list, 4)) assert.doesNotMatch(c, /¥/, `balance ${c} not in yuan`);
      assert.deepEqual(await axe(page), [], 'axe on the filtered list');
      await top(page);
      await shot(page, 'invoices-filtered', lang);
      // On a phone the filters are folded away; those in force are buttons that remove them.
      await page.setViewportSize(phone);
      await page.getByRole('button', { name: t.remove(t.bucket) }).click();
      await page.waitForURL((u) => !u.searchParams.has('aging') && u.searchParams.get('status') === 'overdue' && u.searchParams.get('currency') === 'USD');
      await page.setViewportSize(desk);

      // The dashboard's drill-down link filters by currency too.
      await page.goto(server.url + '/invoices?aging=current&currency=CNY');
      const current = await apiPage(page, 'aging=current&currency=CNY');
      assert.ok(current.items.every((x) => x.currency === 'CNY' && x.days_overdue === 0));
      await showsExactly(page, t.list, current.items.map((x) => x.number));
      assert.equal((await page.locator('.ant-select', { has: page.getByLabel(t.currency, { exact: true }) }).innerText()).trim(), 'CNY');

      // An invoice with payments, tasks and messages (and approvals when one has them).
      const candidates = (await apiCall(page, 'GET', '/api/invoices?status=overdue&limit=200')).body.items;
      let inv;
      for (const c of candidates.slice(0, 60)) {
        const d = (await apiCall(page, 'GET', `/api/invoices/${encodeURIComponent(c.number)}`)).body;
        if (d.payments.length && d.tasks.length && d.messages.length && (!inv || d.approvals.length > inv.approvals.length)) inv = d;
        if (inv?.approvals.length) break;
      }
      assert.ok(inv, 'an overdue invoice with payments, tasks and messages');
      const number = inv.invoice.number;
      await page.goto(server.url + '/invoices');
      await box.fill(number);
      await box.press('Enter');
      await list.getByRole('link', { name: number, exact: true }).click();
      await page.waitForURL((u) => decodeURIComponent(u.pathname) === `/invoices/${number}`);
      await page.getByRole('heading', { level: 1, name: t.invoice(number) }).waitFor();
      for (const h of [t.summary, t.history, t.payments, t.tasks, t.messages]) await page.getByRole('heading', { level: 2, name: h }).waitFor();
      const entries = async (label) => page.getByRole('list', { name: label, exact: true }).getByRole('listitem').count();
      assert.equal(await entries(t.payments), Math.min(inv.payments.length, 8));
      assert.equal(await entries(t.tasks), Math.min(inv.tasks.length, 8));
      assert.equal(await entries(t.messages), Math.min(inv.messages.length, 8));
      if (inv.approvals.length) assert.equal(await entries(t.approvals), Math.min(inv.approvals.length, 8));
      assert.ok(await page.locator('.ant-timeline-item').count() > 0, 'the history has entries');
      // Tasks link to their page; a message's text opens in place.
      const task = inv.tasks[0];
      assert.equal(await page.getByRole('list', { name: t.tasks, exact: true }).getByRole('link', { name: task.title }).first().getAttribute('href'),
        task.kind === 'approval' ? `/approvals/${task.id}` : `/tasks/${task.id}`);
      const expand = page.getByRole('list', { name: t.messages, exact: true }).getByRole('button', { name: t.expand }).first();
      if (await expand.count()) {
        await expand.click();
        await page.waitForTimeout(200);
      }
      // Nothing on the page scrolls sideways, on a desk or a phone.
      const wide = () => page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
      assert.ok(await wide() <= 0, 'the invoice page is not wider than the window');
      assert.deepEqual(await axe(page), [], 'axe on the invoice page');
      await top(page);
      await shot(page, 'invoice', lang);
      await page.setViewportSize(phone);
      await page.waitForTimeout(300);
      assert.ok(await wide() <= 0, 'the invoice page is not wider than a phone');
      await page.setViewportSize(desk);

      // The customer pays 123.45 more than the invoice owes: the invoice
      // settles at zero and the excess is the customer's unapplied credit.
      const paid = await apiCall(page, 'POST', '/api/payments', { reference: `e2e-over-${lang}`, invoice: number,
        amount_minor: inv.invoice.balance_minor + 12345, currency: inv.invoice.currency, paid_at: new Date().toISOString() });
      assert.equal(paid.status, 201, JSON.stringify(paid.body));
      assert.equal(paid.body.balance_minor, 0);
      assert.equal(paid.body.unapplied_minor, 12345);

      // Its customer: the receivables per currency, every invoice, the
      // history, the credit.
      const customer = (await apiCall(page, 'GET', `/api/customers/${encodeURIComponent(inv.invoice.customer)}`)).body;
      const credit = customer.unapplied_credit.find((c) => c.currency === inv.invoice.currency);
      assert.ok(credit && credit.amount_minor >= 12345, JSON.stringify(customer.unapplied_credit));
      await page.getByRole('link', { name: t.openCustomer(customer.name) }).click();
      await page.waitForURL((u) => decodeURIComponent(u.pathname) === `/customers/${customer.id}`);
      await page.getByRole('heading', { level: 1, name: customer.name }).waitFor();
      await page.getByRole('heading', { level: 2, name: t.aggregates }).waitFor();
      const aggregates = page.locator('.ant-card', { has: page.getByRole('heading', { level: 2, name: t.aggregates }) });
      assert.equal(await aggregates.locator('tbody tr.ant-table-row').count(), customer.balances.length);
      const all = (await apiCall(page, 'GET', `/api/invoices?customer=${encodeURIComponent(customer.id)}&limit=500`)).body.items;
      assert.ok(all.some((x) => x.number === number));
      await showsExactly(page, t.invoicesOf(customer.name), all.slice(0, 50).map((x) => x.number));
      await page.getByRole('heading', { level: 2, name: t.history }).waitFor();
      await page.getByRole('heading', { level: 3, name: t.credit }).waitFor();
      assert.ok(await page.getByText(`${t.credit} (${inv.invoice.currency})`).isVisible(), 'the credit in the invoice\'s currency');
      assert.deepEqual(await axe(page), [], 'axe on the customer page');
      await top(page);
      await shot(page, 'customer', lang);

      // The customer list.
      await page.goto(server.url + '/customers');
      await page.getByRole('heading', { level: 1, name: t.customers }).waitFor();
      await page.locator('tbody tr.ant-table-row').first().waitFor();
      assert.deepEqual(await axe(page), [], 'axe on the customer list');
      await top(page);
      await shot(page, 'customers', lang);

      assert.deepEqual(page.consoleErrors.filter((e) => !/Failed to load resource/.test(e)), []);
      await page.context().close();
    });

    test(`${lang}: a sales rep's list holds only the rep's invoices`, async () => {
      // Another rep's invoice, as finance sees it.
      const fin = await newPage(browser, { locale });
      await login(fin, server.url, users.finance);
      const others = (await apiCall(fin, 'GET', `/api/invoices?owner=${encodeURIComponent(users.rep2)}&limit=1`)).body.items;
      assert.equal(others.length, 1, 'rep2 owns invoices');
      const foreign = others[0];
      await fin.context().close();

      const page = await newPage(browser, { locale });
      page.setDefaultTimeout(45_000);
      await login(page, server.url, users.rep);
      await page.goto(server.url + '/invoices');
      await page.getByRole('heading', { level: 1, name: t.title }).waitFor();
      const list = page.getByRole('region', { name: t.list });
      const mine = await apiPage(page, '');
      assert.ok(mine.items.length > 0 && mine.items.every((x) => x.owner === users.rep), 'the API gives the rep its own invoices');
      await showsExactly(page, t.list, mine.items.map((x) => x.number));
      // The owner is under the customer's name.
      const customers = await cellTexts(list, 2);
      assert.ok(customers.length > 0);
      for (const c of customers) assert.match(c, new RegExp(`${users.rep.replace(/\./g, '\\.')}$`), c);
      assert.ok(customers.every((c) => !c.includes(users.rep2)));
      // Searching for the other rep's invoice finds none of the other rep's.
      const box = page.getByLabel(t.search, { exact: true });
      await box.fill(foreign.number);
      await box.press('Enter');
      await page.waitForURL((u) => u.searchParams.get('q') === foreign.number);
      const found = await apiPage(page, `q=${encodeURIComponent(foreign.number)}`);
      assert.ok(!found.items.some((x) => x.number === foreign.number));
      await showsExactly(page, t.list, found.items.map((x) => x.number));
      await page.goto(server.url + '/invoices');
      await showsExactly(page, t.list, mine.items.map((x) => x.number));
      assert.deepEqual(await axe(page), [], 'axe on the rep\'s list');
      await top(page);
      await shot(page, 'invoices-rep', lang);
      // Its page is not shown either.
      await page.goto(server.url + `/invoices/${encodeURIComponent(foreign.number)}`);
      await page.getByRole('alert').getByText(t.notFound).waitFor();
      await page.context().close();
    });
  }
});
