// What the rep's inbox costs to open: the JavaScript the browser downloads
// (as served: gzipped) for /inbox on a cold cache, which must stay within
// 400 KB and carry no chart code; and the time from navigation until the
// rep's tasks are on screen (printed as a figure, not asserted: timings
// belong to benchmarks, not tests).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { launch, login, newPage, startServer, users } from './harness.mjs';

const budgetKB = 400;

describe('inbox budget', () => {
  let browser;
  let server;
  before(async () => { [browser, server] = await Promise.all([launch(), startServer('budget')]); });
  after(async () => { await browser?.close(); await server?.stop(); });

  test('the inbox route downloads at most 400 KB of gzipped JavaScript, and no charts', async () => {
    // sign in once, then open /inbox in a new context with the session but an empty cache
    const signIn = await newPage(browser);
    await login(signIn, server.url, users.rep);
    const state = await signIn.context().storageState();
    await signIn.context().close();

    const context = await browser.newContext({ storageState: state, viewport: { width: 1366, height: 768 } });
    const page = await context.newPage();
    const scripts = [];
    page.on('requestfinished', async (req) => {
      if (req.resourceType() !== 'script') return;
      const res = await req.response();
      const sizes = await req.sizes();
      scripts.push({ url: req.url(), encoding: res?.headers()['content-encoding'] ?? '', bytes: sizes.responseBodySize });
    });
    const t0 = Date.now();
    await page.goto(`${server.url}/inbox`);
    await page.locator('tbody tr[data-row-key]').first().waitFor();
    const shown = Date.now() - t0;
    await page.waitForLoadState('networkidle');

    const total = scripts.reduce((n, s) => n + s.bytes, 0);
    const list = scripts.map((s) => `${new URL(s.url).pathname} ${(s.bytes / 1024).toFixed(1)} KB ${s.encoding}`).join('\n  ');
    console.log(`inbox: ${scripts.length} scripts, ${(total / 1024).toFixed(1)} KB as served; tasks on screen ${shown} ms after navigation\n  ${list}`);
    assert.ok(scripts.length > 0, 'scripts were seen');
    assert.ok(scripts.every((s) => s.encoding === 'gzip'), `every script is served gzipped:\n  ${list}`);
    assert.ok(total <= budgetKB * 1024, `the inbox downloads ${(total / 1024).toFixed(1)} KB of JavaScript (budget ${budgetKB} KB):\n  ${list}`);
    assert.ok(!scripts.some((s) => /\/charts-/.test(s.url)), `no chart code on the inbox:\n  ${list}`);
    await context.close();
  });
});
