// The director's dashboard: tiles with numbers, every chart drawn (timed
// from navigation), the table view, a CSV export, the filters, and a click
// on an aging bar opening the invoice list filtered to its bucket and
// currency. In both languages, axe on the page, screenshots at desk and
// phone size.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { apiCall, axe, desk, languages, launch, login, newPage, outDir, phone, pickOption, shot, startServer, users } from './harness.mjs';

const text = {
  en: { title: 'Dashboard', aging: 'Aging by amount', show: 'Show table', exportAging: 'Export CSV: Aging by amount', team: 'Team', currency: 'Currency', open: 'Open receivables', cash: 'Cash expected in the next 30 / 60 / 90 days' },
  'zh-CN': { title: '仪表盘', aging: '账龄分布（按金额）', show: '显示表格', exportAging: '导出 CSV：账龄分布（按金额）', team: '团队', currency: '币种', open: '应收余额', cash: '未来 30 / 60 / 90 天预计回款' },
};

const cardText = {
  en: {
    plans: 'Payment plans', plansNone: 'No payment plans', progress: (c) => `Paid of planned, ${c}`, onTrack: 'On track',
    badDebt: 'Bad debt', badDebtNone: 'No write-offs in the last 12 months', writtenOff: 'Written off', exportBadDebt: 'Export CSV: Bad debt',
    exportPlans: 'Export CSV: Payment plans', show: 'Show table',
  },
  'zh-CN': {
    plans: '分期付款计划', plansNone: '暂无分期付款计划', progress: (c) => `${c} 已付占计划金额`, onTrack: '正常',
    badDebt: '坏账', badDebtNone: '近 12 个月无核销', writtenOff: '核销金额', exportBadDebt: '导出 CSV：坏账',
    exportPlans: '导出 CSV：分期付款计划', show: '显示表格',
  },
};

/** csvLines downloads a card's CSV export and answers its lines. */
async function csvLines(page, button) {
  const [download] = await Promise.all([page.waitForEvent('download'), button.click()]);
  return readFileSync(await download.path(), 'utf8').replace(/^\uFEFF/, '').trim().split(/\r\n/);
}

/** cardShot scrolls a card just under the sticky app header and saves what of it the viewport shows. */
async function cardShot(page, card, file) {
  await card.evaluate((e) => window.scrollTo(0, e.getBoundingClientRect().top + window.scrollY - 72));
  await page.waitForTimeout(150);
  const box = await card.boundingBox();
  const vp = page.viewportSize();
  await page.screenshot({ path: join(outDir, file), clip: { x: box.x, y: box.y, width: box.width, height: Math.min(box.height, vp.height - box.y) } });
}

const charts = ['chart-aging', 'chart-cash', 'chart-stage', 'chart-promises', 'chart-rep', 'chart-team'];

/** allDrawn waits until every chart has drawn and answers the page's clock then (ms since navigation). */
async function allDrawn(page) {
  const h = await page.waitForFunction((n) => {
    const els = [...document.querySelectorAll('[data-chart]')];
    return els.length === n && els.every((e) => e.dataset.drawn === 'true' && e.querySelector('canvas')) ? performance.now() : false;
  }, charts.length, { polling: 'raf', timeout: 60_000 });
  return h.jsonValue();
}

describe('dashboard', () => {
  let server, browser;
  before(async () => { [server, browser] = await Promise.all([startServer('dashboard'), launch()]); });
  after(async () => { await browser?.close(); await server?.stop(); });

  for (const { lang, locale } of languages) {
    const t = text[lang];
    test(`${lang}: the director's dashboard draws, shows tables, exports CSV and drills into aging`, async () => {
      const page = await newPage(browser, { locale });
      page.setDefaultTimeout(45_000); // the shared machine is often loaded
      await login(page, server.url, users.director);

      // Time from navigation to every chart drawn (twice: cold chunk, then warm).
      const timings = [];
      for (let i = 0; i < 2; i++) {
        const t0 = Date.now();
        await page.goto(server.url + '/dashboard');
        const inPage = await allDrawn(page);
        timings.push({ wall: Date.now() - t0, sinceNavigation: Math.round(inPage) });
      }
      console.log(`dashboard ${lang}: navigation → every chart drawn: ${timings.map((x) => `${x.sinceNavigation} ms (wall ${x.wall} ms)`).join(', ')}`);

      await page.getByRole('heading', { level: 1, name: t.title }).waitFor();
      for (const id of charts) {
        const card = page.getByTestId(id);
        assert.equal(await card.locator('[data-chart][role="img"] canvas').count() > 0, true, `${id} has a canvas`);
        assert.ok((await card.locator('[data-chart]').getAttribute('aria-label')).length > 5, `${id} chart has a name`);
      }
      // Tiles carry numbers.
      const open = await page.getByTestId('kpi-open').innerText();
      assert.match(open, new RegExp(t.open));
      assert.match(open, /\d/);
      for (const id of ['kpi-overdue', 'kpi-dso', 'kpi-tasks']) assert.match(await page.getByTestId(id).innerText(), /\d/, id);

      await shot(page, 'dashboard', lang);
      assert.deepEqual(await axe(page), [], 'axe on the dashboard');

      // The table view of the aging chart shows its numbers.
      const aging = page.getByTestId('chart-aging');
      await aging.getByRole('button', { name: t.show }).click();
      const table = aging.getByRole('table');
      await table.waitFor();
      const cells = await table.locator('tbody tr').count();
      assert.ok(cells >= 5, `aging table rows: ${cells}`);
      assert.match(await table.locator('tbody').innerText(), /\d[\d,]*\.\d\d/);
      const cash = page.getByTestId('chart-cash');
      await cash.getByRole('button', { name: t.show }).click();
      await cash.getByRole('table').waitFor();
      await page.mouse.move(0, 0);
      await page.waitForTimeout(300);
      await shot(page, 'dashboard-tables', lang);
      assert.deepEqual(await axe(page), [], 'axe with the tables shown');

      // CSV export downloads a file with exact decimals.
      const [download] = await Promise.all([
        page.waitForEvent('download'),
        aging.getByRole('button', { name: t.exportAging }).click(),
      ]);
      assert.match(download.suggestedFilename(), /^aging-\d{4}-\d{2}-\d{2}\.csv$/);
      const csv = readFileSync(await download.path(), 'utf8');
      const lines = csv.replace(/^\uFEFF/, '').trim().split(/\r\n/);
      assert.ok(lines.length >= 6, csv);
      assert.match(lines[1], /^[A-Z]{3},.*,\d+,\d+(\.\d+)?,\/invoices\?aging=/);

      // Filters: a currency narrows every figure to it.
      await pickOption(page, t.currency, null, { title: 'USD' });
      await page.waitForURL(/currency=USD/);
      // Only USD is left once the filtered figures arrive.
      await page.waitForFunction(() => {
        const el = document.querySelector('[data-testid="kpi-open"]');
        return el && /\$/.test(el.textContent ?? '') && !/¥/.test(el.textContent ?? '');
      });
      await allDrawn(page);
      await shot(page, 'dashboard-usd', lang, { both: false });

      // Clicking the first currency's first segment ("not yet due") opens the filtered list.
      await page.goto(server.url + '/dashboard');
      await allDrawn(page);
      const box = await page.getByTestId('chart-aging').locator('[data-chart]').boundingBox();
      // The grid starts 56 px from the left and 56 px from the top (under the legend); the first currency's bar is 20 px lower.
      await page.mouse.click(box.x + 64, box.y + 76);
      await page.waitForURL((u) => u.pathname === '/invoices');
      const url = new URL(page.url());
      assert.equal(url.searchParams.get('aging'), 'current');
      assert.match(url.searchParams.get('currency') ?? '', /^[A-Z]{3}$/);

      assert.deepEqual(page.consoleErrors.filter((e) => !/Failed to load resource/.test(e)), []);
      await page.context().close();
    });
  }

  for (const { lang, locale } of languages) {
    const t = cardText[lang];
    test(`${lang}: the payment plans and bad debt cards show what the API gives, or say there is none`, async () => {
      const page = await newPage(browser, { locale });
      page.setDefaultTimeout(45_000);
      await login(page, server.url, users.director);
      await page.goto(server.url + '/dashboard');
      await allDrawn(page);
      // What the server says decides what the cards must show (the demo data may hold no write-off or no plan).
      const { status, body: d } = await apiCall(page, 'GET', '/api/dashboard');
      assert.equal(status, 200);
      assert.ok(Array.isArray(d.plans) && Array.isArray(d.bad_debt), 'the dashboard has plans and bad_debt');
      console.log(`dashboard ${lang}: ${d.plans.length} plan currencies, ${d.bad_debt.length} bad debt rows`);

      // Payment plans: one block per currency with its counts and a named progress bar, or the empty state.
      const plans = page.getByTestId('card-plans');
      await plans.getByRole('heading', { level: 2, name: t.plans }).waitFor();
      if (d.plans.length === 0) {
        await plans.getByText(t.plansNone).waitFor();
      } else {
        for (const p of d.plans) {
          const block = plans.getByTestId(`plans-${p.currency}`);
          await block.getByRole('heading', { level: 3, name: p.currency }).waitFor();
          const counts = await block.locator('dd').allInnerTexts();
          assert.deepEqual(counts.slice(0, 4).map((x) => Number(x.replace(/\D/g, ''))), [p.on_track, p.late, p.broken, p.completed], `${p.currency} counts`);
          if (p.planned_minor > 0) {
            const bar = block.getByRole('progressbar', { name: t.progress(p.currency) });
            const expected = Math.floor(Math.min(1000, Math.max(0, (p.paid_minor * 1000) / p.planned_minor))) / 10;
            assert.equal(Number(await bar.getAttribute('aria-valuenow')), expected, `${p.currency} paid share`);
          }
        }
        await plans.getByRole('button', { name: t.show }).click();
        assert.equal(await plans.getByRole('table').locator('tbody tr[data-row-key]').count(), d.plans.length);
        const lines = await csvLines(page, plans.getByRole('button', { name: t.exportPlans }));
        assert.equal(lines.length, d.plans.length + 1, lines.join('\n'));
        assert.match(lines[1], /^[A-Z]{3},\d+,\d+,\d+,\d+,-?\d+(\.\d+)?,/);
      }

      // Bad debt: a table of months and currencies with exact amounts, or the empty state.
      const bad = page.getByTestId('card-bad-debt');
      await bad.getByRole('heading', { level: 2, name: t.badDebt }).waitFor();
      if (d.bad_debt.length === 0) {
        await bad.getByText(t.badDebtNone).waitFor();
        assert.equal(await bad.getByRole('table').count(), 0);
      } else {
        const table = bad.getByRole('table');
        await table.waitFor();
        assert.ok(await table.getByRole('columnheader', { name: t.writtenOff }).count() > 0);
        assert.equal(await table.locator('tbody tr[data-row-key]').count(), Math.min(24, d.bad_debt.length));
        assert.match(await table.locator('tbody').innerText(), /\d[\d,]*\.\d\d/);
        const lines = await csvLines(page, bad.getByRole('button', { name: t.exportBadDebt }));
        assert.equal(lines.length, d.bad_debt.length + 1, lines.join('\n'));
        assert.match(lines[1], /^\d{4}-\d{2},[A-Z]{3},\d+,-?\d+(\.\d+)?,/);
      }
      assert.deepEqual(await axe(page), [], 'axe with the plan and bad debt cards');

      // The two cards close up, at desk and phone width.
      mkdirSync(outDir, { recursive: true });
      for (const [kind, size] of [['desk', desk], ['phone', phone]]) {
        await page.setViewportSize(size);
        await page.waitForTimeout(300);
        await page.mouse.move(0, 0);
        for (const [name, card] of [['plans', plans], ['bad-debt', bad]]) await cardShot(page, card, `dashboard-${name}.${lang}.${kind}.png`);
      }
      // At phone width the month table scrolls sideways with its first column kept in view.
      if (d.bad_debt.length > 0) {
        const scroller = bad.locator('.ant-table-content, .ant-table-body').first();
        await scroller.evaluate((e) => { e.scrollLeft = e.scrollWidth; });
        await page.waitForTimeout(200);
        await cardShot(page, bad, `dashboard-bad-debt-scrolled.${lang}.phone.png`);
      }
      assert.deepEqual(page.consoleErrors.filter((e) => !/Failed to load resource/.test(e)), []);
      await page.context().close();
    });
  }

  test('a manager sees its team only', async () => {
    const page = await newPage(browser, { locale: 'en-US' });
    page.setDefaultTimeout(45_000);
    await login(page, server.url, users.manager);
    await page.goto(server.url + '/dashboard');
    await allDrawn(page);
    await page.getByText("Your team's invoices only.").waitFor();
    await page.getByTestId('chart-team').getByRole('button', { name: 'Show table' }).click();
    const teams = await page.getByTestId('chart-team').getByRole('table').locator('tbody tr[data-row-key] td:first-child').allInnerTexts();
    assert.ok(teams.length > 0);
    assert.deepEqual([...new Set(teams)], ['east']);
    await page.context().close();
  });
});
