// The director's dashboard: tiles with numbers, every chart drawn (timed
// from navigation), the table view, a CSV export, the filters, and a click
// on an aging bar opening the invoice list filtered to its bucket and
// currency. In both languages, axe on the page, screenshots at desk and
// phone size.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { axe, languages, launch, login, newPage, pickOption, shot, startServer, users } from './harness.mjs';

const text = {
  en: { title: 'Dashboard', aging: 'Aging by amount', show: 'Show table', exportAging: 'Export CSV: Aging by amount', team: 'Team', currency: 'Currency', open: 'Open receivables', cash: 'Cash expected in the next 30 / 60 / 90 days' },
  'zh-CN': { title: '仪表盘', aging: '账龄分布（按金额）', show: '显示表格', exportAging: '导出 CSV：账龄分布（按金额）', team: '团队', currency: '币种', open: '应收余额', cash: '未来 30 / 60 / 90 天预计回款' },
};

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
