// Admin basics: an admin adds a user (a refused password and a taken email
// first, each shown at its field), changes its role and deactivates it (the
// user can no longer sign in); issues an API token with scopes (a scope the
// user lacks first), sees its secret once, uses it, finds the secret gone from
// the page, revokes it (the secret stops working); and searches the audit log
// by actor, action and days for what the token did.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { apiCall, axe, desk, languages, login, newPage, outDir, perLanguage, phone, shot, users } from './harness.mjs';

// The words on screen are looked up in the app's catalogs (rewording a text
// does not break this test); the headings are spelled out, so a page showing
// raw keys or the wrong language does.
const catalog = (lang, ns) => JSON.parse(readFileSync(new URL(`../src/i18n/${lang}/${ns}.json`, import.meta.url), 'utf8'));
const lookup = (cat, key, vars = {}) => {
  const v = key.split('.').reduce((o, k) => o?.[k], cat);
  assert.equal(typeof v, 'string', `catalog key ${key}`);
  return v.replace(/\{\{(\w+)\}\}/g, (_, k) => String(vars[k]));
};
const headings = {
  en: { users: 'Users', tokens: 'API tokens', audit: 'Audit log' },
  'zh-CN': { users: '用户', tokens: 'API 令牌', audit: '审计日志' },
};

/** today is the calendar day in the zone the browser runs in (newPage sets Asia/Shanghai). */
const dayIn = (offsetDays = 0) => new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit', day: '2-digit' })
  .format(new Date(Date.now() + offsetDays * 86_400_000));

/** apiAs calls the API from node (not the page): with a bearer secret, or as a login. */
async function apiAs(base, method, path, { bearer, body, cookie } = {}) {
  const headers = { 'Content-Type': 'application/json' };
  if (bearer) headers.Authorization = `Bearer ${bearer}`;
  if (cookie) headers.Cookie = cookie;
  const r = await fetch(base + path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await r.text();
  let json;
  try { json = JSON.parse(text); } catch { json = text; }
  return { status: r.status, body: json, cookie: r.headers.get('set-cookie')?.split(';')[0] };
}

/** secretShown reports whether a text appears anywhere in the page: markup, visible text or the value of a field. */
const secretShown = (page, secret) => page.evaluate((s) => document.documentElement.outerHTML.includes(s)
  || document.body.innerText.includes(s)
  || [...document.querySelectorAll('input, textarea')].some((i) => i.value.includes(s)), secret);

/**
 * choose picks an option of the select labelled label: the one titled title,
 * or showing text (typed first into a searchable select with search, since
 * the list is virtual and one scrolled out of it is not in the page). It
 * clicks only once the list has finished sliding in (antd names that motion
 * "-appear" on a first opening, "-enter" after), and waits for it to close.
 */
async function choose(page, label, { title, text, search } = {}) {
  const input = page.getByLabel(label, { exact: true });
  await input.click();
  if (search) await input.fill(search);
  const dropdown = page.locator('.ant-select-dropdown:visible').first();
  await dropdown.and(page.locator(':not([class*="-enter"]):not([class*="-appear"]):not([class*="-leave"])')).waitFor();
  const options = dropdown.locator('.ant-select-item-option');
  await (title ? options.and(page.locator(`[title="${title}"]`)) : options.filter({ hasText: text })).first().click();
  await dropdown.waitFor({ state: 'hidden' });
}

/**
 * calm waits until no dialog, popover or list is still sliding in or out: a
 * click on a dialog that is still zooming in can land beside its target on a
 * loaded machine.
 */
async function calm(page) {
  await page.waitForFunction(() => !document.querySelector('.ant-modal [class*="-appear"], .ant-modal[class*="-appear"], .ant-modal[class*="-enter"], .ant-modal[class*="-leave"], '
    + '.ant-popover[class*="-enter"], .ant-popover[class*="-appear"], .ant-popover[class*="-leave"], .ant-select-dropdown[class*="-enter"], .ant-select-dropdown[class*="-leave"]'));
  await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
}

/** axeOnPhone runs axe at the phone size too (the lists are cards there), then goes back to the desk size. */
async function axeOnPhone(page) {
  await page.setViewportSize(phone);
  await page.waitForTimeout(300);
  const found = await axe(page);
  await page.setViewportSize(desk);
  await page.waitForTimeout(150);
  return found;
}

/**
 * failing runs body; when it throws it saves what the page showed as
 * out/failed-<name>.png, and its accessibility tree with the end of the
 * server's log as out/failed-<name>.txt (what a role or label lookup saw).
 */
async function failing(page, name, body, serverLog = () => '') {
  try {
    await body();
  } catch (e) {
    mkdirSync(outDir, { recursive: true });
    await page.screenshot({ path: join(outDir, `failed-${name}.png`) }).catch(() => undefined);
    const tree = await page.locator('body').ariaSnapshot().catch((x) => String(x));
    writeFileSync(join(outDir, `failed-${name}.txt`), `${tree}\n\n${serverLog().split('\n').slice(-30).join('\n')}\n`);
    throw e;
  }
}

describe('admin', () => {
  // each language works on its own copy of the demo
  const run = perLanguage('admin');

  for (const { lang, locale } of languages) {
    const a = catalog(lang, 'admin');
    const c = catalog(lang, 'common');
    const t = (key, vars) => lookup(a, key, vars);
    const tc = (key, vars) => lookup(c, key, vars);
    const base = () => run.servers[lang].url;

    test(`${lang}: an admin adds a user, changes its role and deactivates it`, async () => {
      const page = await newPage(run.browser, { locale });
      await failing(page, `users.${lang}`, async () => {
        page.setDefaultTimeout(20_000); // a shared 2-core machine
        await login(page, base(), users.admin);
        await page.goto(`${base()}/admin/users`);
        await page.getByRole('heading', { level: 1, name: headings[lang].users }).waitFor();
        const list = page.getByRole('region', { name: t('users.list') });
        await list.getByRole('row').filter({ hasText: users.rep }).waitFor();
        assert.deepEqual(await axe(page), [], 'axe on the users page');
        assert.deepEqual(await axeOnPhone(page), [], 'axe on the users page at phone size');
        await shot(page, 'admin-users', lang);

        const email = `e2e.${lang.toLowerCase()}@demo.recoup.test`;
        const name = lang === 'en' ? 'Erin Example' : '测试 用户';
        await page.getByRole('button', { name: t('users.create') }).click();
        const dialog = page.getByRole('dialog', { name: t('users.createTitle') });
        await dialog.waitFor();
        await calm(page);
        // an email that is taken and a password the server finds too short
        await dialog.getByLabel(t('users.field.email')).fill(users.rep);
        await dialog.getByLabel(t('users.field.name')).fill(name);
        await choose(page, t('users.field.role'), { title: tc('roles.finance') });
        await dialog.getByLabel(t('users.field.team')).fill('north');
        await choose(page, t('users.field.language'), { title: tc('language.zh-CN') });
        await dialog.getByLabel(t('users.field.password')).fill('short');
        await dialog.getByRole('button', { name: t('users.createSubmit'), exact: true }).click();
        await dialog.getByText(t('server.minLength', { n: 8 })).waitFor();
        assert.equal(await dialog.getByLabel(t('users.field.password')).getAttribute('aria-invalid'), 'true', 'the error is on the password field');
        // a generated password; the taken email is refused next, at its field
        await dialog.getByRole('button', { name: t('users.generate') }).click();
        const password = await dialog.getByLabel(t('users.field.password')).inputValue();
        assert.match(password, /^[A-Za-z0-9]{16}$/);
        await dialog.getByRole('button', { name: t('users.createSubmit'), exact: true }).click();
        await dialog.getByText(t('users.emailTaken')).waitFor();
        assert.equal(await dialog.getByLabel(t('users.field.email')).getAttribute('aria-invalid'), 'true', 'the error is on the email field');
        await shot(page, 'admin-user-refused', lang, { both: false, fullPage: false });
        await dialog.getByLabel(t('users.field.email')).fill(email);
        await page.waitForTimeout(300); // the field's error fades out
        assert.deepEqual(await axe(page), [], 'axe on the add-user dialog');
        await shot(page, 'admin-user-create', lang, { fullPage: false });
        await dialog.getByRole('button', { name: t('users.createSubmit'), exact: true }).click();
        await page.getByText(t('users.createdWithPassword', { email })).waitFor();
        await dialog.waitFor({ state: 'detached' });

        const listed = (await apiCall(page, 'GET', '/api/users')).body.items.find((u) => u.email === email);
        assert.ok(listed, 'the user is listed');
        assert.deepEqual({ name: listed.name, role: listed.role, team: listed.team, language: listed.language, active: listed.active, has_password: listed.has_password },
          { name, role: 'finance', team: 'north', language: 'zh-CN', active: true, has_password: true });
        const signIn = await apiAs(base(), 'POST', '/api/login', { body: { email, password } });
        assert.equal(signIn.status, 200, 'the new user signs in with the initial password');
        assert.equal(signIn.body.user.language, 'zh-CN');
        const row = list.getByRole('row').filter({ hasText: email });
        await row.getByText(tc('roles.finance'), { exact: true }).waitFor();

        // role: finance → sales manager
        await page.getByRole('button', { name: t('users.editOf', { name }) }).click();
        const edit = page.getByRole('dialog', { name: t('users.editTitle', { name }) });
        await edit.waitFor();
        await calm(page);
        await choose(page, t('users.field.role'), { title: tc('roles.sales_manager') });
        await edit.getByRole('button', { name: tc('common.save') }).click();
        await page.getByText(t('users.saved')).waitFor();
        await edit.waitFor({ state: 'detached' });
        await row.getByText(tc('roles.sales_manager'), { exact: true }).waitFor();
        assert.equal((await apiCall(page, 'GET', '/api/users')).body.items.find((u) => u.email === email).role, 'sales_manager');

        // deactivate: signed out at once, and cannot sign in again
        await page.getByRole('button', { name: t('users.deactivateOf', { name }) }).click();
        await page.getByText(t('users.deactivateConfirm', { name })).waitFor();
        await calm(page);
        await page.getByRole('button', { name: t('users.deactivate'), exact: true }).click();
        await page.getByText(t('users.deactivated', { name })).waitFor();
        await row.getByText(t('users.inactive'), { exact: true }).waitFor();
        await page.getByRole('button', { name: t('users.reactivateOf', { name }) }).waitFor();
        assert.equal((await apiCall(page, 'GET', '/api/users')).body.items.find((u) => u.email === email).active, false);
        assert.equal((await apiAs(base(), 'GET', '/api/me', { cookie: signIn.cookie })).status, 401, "the user's session ended");
        assert.equal((await apiAs(base(), 'POST', '/api/login', { body: { email, password } })).status, 401, 'a deactivated user cannot sign in');
        await shot(page, 'admin-users-after', lang, { both: false });
        assert.deepEqual(page.consoleErrors.filter((e) => !/401|409|422|Failed to load resource/.test(e)), []);
      }, () => run.servers[lang].log());
      await page.context().close();
    });

    test(`${lang}: an admin issues a token, its secret works once shown, is revoked, and the audit log shows what it did`, async (ctx) => {
      const page = await newPage(run.browser, { locale });
      await failing(page, `tokens.${lang}`, async () => {
        page.setDefaultTimeout(20_000); // a shared 2-core machine
        await login(page, base(), users.admin);
        await page.goto(`${base()}/admin/tokens`);
        await page.getByRole('heading', { level: 1, name: headings[lang].tokens }).waitFor();
        await page.getByRole('region', { name: t('tokens.list') }).waitFor();

        const name = `ERP import ${lang}`;
        await page.getByRole('button', { name: t('tokens.issue') }).click();
        const dialog = page.getByRole('dialog', { name: t('tokens.issueTitle') });
        await dialog.waitFor();
        await calm(page);
        await dialog.getByLabel(t('tokens.field.name')).fill(name);
        // a scope the chosen user's role lacks is refused at the scopes
        await choose(page, t('tokens.field.user'), { search: users.rep, text: users.rep });
        const scope = (key) => dialog.getByRole('checkbox', { name: new RegExp(`^${t(`scope.${key}`)}`) });
        await scope('tasks_read').check();
        await scope('tasks_write').check();
        await scope('users_admin').check();
        await dialog.getByLabel(t('tokens.field.expires')).fill('10'); // within 14 days: the list warns
        await dialog.getByRole('button', { name: t('tokens.issue'), exact: true }).click();
        const refused = t('server.notGranted', { role: tc('roles.sales_rep'), user: users.rep, scope: t('scope.users_admin') });
        await dialog.getByText(refused).waitFor();
        assert.deepEqual(await axe(page), [], 'axe on the issue dialog with a refused scope');
        await shot(page, 'admin-token-issue', lang, { fullPage: false });
        // acting as the admin itself, without the needless scope
        await choose(page, t('tokens.field.user'), { search: users.admin, text: users.admin });
        await scope('users_admin').uncheck();
        await dialog.getByRole('button', { name: t('tokens.issue'), exact: true }).click();

        const secretDialog = page.getByRole('dialog', { name: t('tokens.secretTitle', { name }) });
        await secretDialog.waitFor();
        await calm(page);
        const secret = await secretDialog.getByLabel(t('tokens.secretLabel')).inputValue();
        assert.match(secret, /^rcp_\S{20,}$/);
        assert.deepEqual(await axe(page), [], 'axe on the dialog with the secret');
        await shot(page, 'admin-token-secret', lang, { fullPage: false });

        // the secret works, with the scopes given
        const tasks = await apiAs(base(), 'GET', '/api/tasks?limit=1', { bearer: secret });
        assert.equal(tasks.status, 200, 'the secret authenticates');
        const note = `e2e token comment ${lang} ${Date.now()}`;
        const commented = await apiAs(base(), 'POST', `/api/tasks/${tasks.body.items[0].id}/comments`, { bearer: secret, body: { text: note } });
        assert.equal(commented.status, 201, 'the token comments on a task');
        assert.equal((await apiAs(base(), 'GET', '/api/users', { bearer: secret })).status, 403, 'no scope beyond those given');

        await secretDialog.getByRole('button', { name: t('tokens.done') }).click();
        await secretDialog.waitFor({ state: 'detached' });
        assert.equal(await secretShown(page, secret), false, 'the secret is gone from the page once its dialog closed');
        const tokens = (await apiCall(page, 'GET', '/api/tokens')).body.items;
        const token = tokens.find((x) => x.name === name);
        assert.deepEqual({ user: token.user, scopes: [...token.scopes].sort(), revoked: Boolean(token.revoked_at) },
          { user: users.admin, scopes: ['tasks:read', 'tasks:write'], revoked: false });
        assert.ok(!JSON.stringify(tokens).includes(secret), 'the API never answers the secret again');
        const list = page.getByRole('region', { name: t('tokens.list') });
        await list.getByRole('row').filter({ hasText: name }).getByText(t('tokens.expiresSoon_other', { count: 10 }), { exact: true }).waitFor();
        assert.deepEqual(await axe(page), [], 'axe on the tokens page');
        assert.deepEqual(await axeOnPhone(page), [], 'axe on the tokens page at phone size');
        await shot(page, 'admin-tokens', lang);

        // revoke: the same call is refused
        await page.getByRole('button', { name: t('tokens.revokeOf', { name }) }).click();
        await page.getByText(t('tokens.revokeConfirm', { name })).waitFor();
        await calm(page);
        await page.getByRole('button', { name: t('tokens.revoke'), exact: true }).click();
        await page.getByText(t('tokens.revokedDone', { name })).waitFor();
        await list.getByRole('row').filter({ hasText: name }).getByText(t('tokens.revoked'), { exact: true }).waitFor();
        assert.equal((await apiAs(base(), 'GET', '/api/tasks?limit=1', { bearer: secret })).status, 401, 'a revoked secret is refused');
        await shot(page, 'admin-tokens-revoked', lang, { both: false });

        // the audit log: by actor, action and days
        await page.goto(`${base()}/admin/audit`);
        await page.getByRole('heading', { level: 1, name: headings[lang].audit }).waitFor();
        await page.getByRole('region', { name: t('audit.list') }).getByRole('row').nth(5).waitFor();
        await shot(page, 'admin-audit-all', lang, { fullPage: false });
        const search = page.getByRole('search', { name: t('audit.search') });
        await choose(page, t('audit.field.action'), { title: t('audit.action.task_comment') });
        const actor = search.getByLabel(t('audit.field.actor'), { exact: true });
        await actor.fill(users.admin);
        await actor.press('Escape'); // close its suggestions
        const day = async (label, value) => {
          const input = search.getByLabel(label, { exact: true });
          await input.click();
          await input.fill(value);
          await input.press('Enter');
        };
        await day(t('audit.field.from'), dayIn(0));
        await day(t('audit.field.to'), dayIn(0));
        await search.getByRole('button', { name: tc('common.search') }).click();
        await page.waitForURL((u) => u.searchParams.get('action') === 'task.comment' && u.searchParams.get('from') === dayIn(0));
        const entries = page.getByRole('region', { name: t('audit.list') }).getByRole('row').filter({ hasText: note });
        await entries.first().waitFor();
        assert.equal(await entries.count(), 1);
        await entries.getByText(t('audit.action.task_comment'), { exact: true }).waitFor();
        const viaApi = await apiCall(page, 'GET', `/api/audit?actor=${encodeURIComponent(users.admin)}&action=task.comment&from=${encodeURIComponent(new Date(Date.now() - 86_400_000).toISOString())}`);
        assert.deepEqual(viaApi.body.items.map((e) => e.detail.text), [note], 'the API finds the same single entry');
        assert.deepEqual(await axe(page), [], 'axe on the audit page');
        assert.deepEqual(await axeOnPhone(page), [], 'axe on the audit page at phone size');
        await shot(page, 'admin-audit', lang);

        // the day before holds none of it
        await day(t('audit.field.from'), dayIn(-1));
        await day(t('audit.field.to'), dayIn(-1));
        await search.getByRole('button', { name: tc('common.search') }).click();
        await page.waitForURL((u) => u.searchParams.get('to') === dayIn(-1));
        await page.getByText(t('audit.empty')).waitFor();

        // what the admin did to users and tokens: not audited by the API yet
        const missing = [];
        for (const action of ['user.created', 'user.updated', 'user.deactivated', 'token.created', 'token.revoked', 'auth.login']) {
          const r = await apiCall(page, 'GET', `/api/audit?action=${action}&limit=1`);
          if (!r.body.items.length) missing.push(action);
        }
        const anyByAdmin = await apiCall(page, 'GET', `/api/audit?actor=${encodeURIComponent(users.admin)}&limit=50`);
        ctx.diagnostic(`not in the audit log: ${missing.join(', ') || 'none'}; the admin's entries: ${[...new Set(anyByAdmin.body.items.map((e) => e.action))].join(', ')}`);
        assert.deepEqual(page.consoleErrors.filter((e) => !/401|409|422|Failed to load resource/.test(e)), []);
      }, () => run.servers[lang].log());
      await page.context().close();
    });
  }
});
