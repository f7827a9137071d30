// Sign-in, wrong password, an expired session returning to the page the
// user was on, language from the browser and by choice, logout.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { apiCall, axe, languages, launch, login, newPage, password, settledPopup, shot, startServer, users } from './harness.mjs';

const text = {
  en: { email: 'Email', password: 'Password', submit: 'Sign in', wrong: 'Wrong email or password.', logout: 'Sign out', expired: 'Your session ended' },
  'zh-CN': { email: '邮箱', password: '密码', submit: '登录', wrong: '邮箱或密码错误。', logout: '退出登录', expired: '会话已结束' },
};

describe('sign-in', () => {
  let server, browser;
  before(async () => { [server, browser] = await Promise.all([startServer('auth'), launch()]); });
  after(async () => { await browser?.close(); await server?.stop(); });

  for (const { lang, locale } of languages) {
    const t = text[lang];
    test(`${lang}: wrong password, then sign in, expired session returns, sign out`, async () => {
      const page = await newPage(browser, { locale });
      await page.goto(server.url + '/invoices?status=overdue');
      await page.waitForURL(/\/login\?next=/);
      assert.equal(await page.evaluate(() => document.documentElement.lang), lang);
      assert.deepEqual(await axe(page), [], 'axe on sign-in');
      await shot(page, 'login', lang);

      await page.getByLabel(t.email).fill(users.rep);
      await page.getByLabel(t.password).fill('not-the-password');
      await page.getByRole('button', { name: t.submit }).click();
      await page.getByRole('alert').filter({ hasText: t.wrong }).waitFor();
      await shot(page, 'login-wrong', lang, { both: false });

      await page.getByLabel(t.password).fill(password);
      await page.getByRole('button', { name: t.submit }).click();
      await page.waitForURL((u) => u.pathname === '/invoices' && u.search === '?status=overdue');

      // The session ends on the server (as after 12 hours): the next call
      // sends the user to sign-in, and signing in brings them back.
      const r = await apiCall(page, 'POST', '/api/logout');
      assert.equal(r.status, 204);
      await page.goto(server.url + '/customers');
      await page.waitForURL(/\/login\?next=%2Fcustomers/);
      await login(page, server.url, users.rep, { next: '/customers' });
      assert.equal(new URL(page.url()).pathname, '/customers');

      await page.getByRole('button', { name: new RegExp(lang === 'en' ? 'Account menu' : '账户菜单') }).click();
      await (await settledPopup(page, '.ant-dropdown')).getByRole('menuitem', { name: t.logout }).click();
      await page.waitForURL(/\/login/);
      const me = await page.evaluate(() => fetch('/api/me').then((r) => r.status));
      assert.equal(me, 401);
      assert.deepEqual(page.consoleErrors.filter((e) => !/401|Failed to load resource/.test(e)), []);
      await page.context().close();
    });
  }

  test('the language picked is the user\'s, on every device', async () => {
    const page = await newPage(browser, { locale: 'en-US' });
    await login(page, server.url, users.rep2);
    await page.getByRole('button', { name: 'Language: switch to 中文' }).click();
    await page.getByRole('link', { name: /通知/ }).waitFor();
    const me = await apiCall(page, 'GET', '/api/me');
    assert.equal(me.body.user.language, 'zh-CN');
    await page.context().close();

    // Another device with an English browser: Chinese after sign-in.
    const other = await newPage(browser, { locale: 'en-US' });
    await login(other, server.url, users.rep2);
    await other.getByRole('link', { name: /通知/ }).waitFor();
    assert.equal(await other.evaluate(() => document.documentElement.lang), 'zh-CN');
    await other.context().close();
  });
});
