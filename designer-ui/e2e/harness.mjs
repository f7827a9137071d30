// The browser tests' harness: a real `recoup serve` on its own copy of a
// SQLite database with the demo data (prepared once by run.mjs), and
// Debian's chromium driven by playwright-core. Screenshots go to e2e/out/
// (ignored by git) in both languages at desk and phone size.
import { after, before } from 'node:test';
import { spawn } from 'node:child_process';
import { copyFileSync, mkdirSync, existsSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import AxeBuilder from '@axe-core/playwright';

const here = dirname(fileURLToPath(import.meta.url));
export const root = join(here, '..', '..');
export const outDir = process.env.RECOUP_E2E_OUT || join(here, 'out');
export const bin = process.env.RECOUP_BIN || join(root, 'bin', 'recoup');
export const password = 'recoup-demo';
export const desk = { width: 1366, height: 768 };
export const phone = { width: 390, height: 844 };

/** users are the demo logins by role. */
export const users = {
  admin: 'admin@demo.recoup.test',
  director: 'director@demo.recoup.test',
  finance: 'finance1@demo.recoup.test',
  manager: 'manager.east@demo.recoup.test',
  rep: 'rep1.east@demo.recoup.test',
  rep2: 'rep2.east@demo.recoup.test',
};

/** languages each journey runs in: the browser's locale picks the app's language. */
export const languages = [
  { lang: 'en', locale: 'en-US' },
  { lang: 'zh-CN', locale: 'zh-CN' },
];

let seq = 0;

/**
 * startServer starts `recoup serve` on a fresh copy of the demo database and
 * resolves to { url, stop }. The tick and delivery are off: a test sees the
 * data as the demo left it, and acts on it itself.
 */
export async function startServer(name) {
  const template = process.env.RECOUP_E2E_TEMPLATE;
  if (!template || !existsSync(template)) throw new Error('RECOUP_E2E_TEMPLATE is not set: run the browser tests with `npm run e2e` (e2e/run.mjs)');
  mkdirSync(join(outDir, 'db'), { recursive: true });
  const db = join(outDir, 'db', `${name}-${process.pid}-${seq++}.db`);
  copyFileSync(template, db);
  const flags = JSON.parse(process.env.RECOUP_E2E_FLAGS ?? '[]');
  const child = spawn(bin, ['serve', '--db', `sqlite:${db}`, ...flags, '--addr', '127.0.0.1:0', '--tick-schedule', 'off', '--delivery', 'off', '--demo'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let log = '';
  child.stderr.on('data', (d) => { log += d; });
  const url = await new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`recoup serve did not start in 30 s:\n${log}`)), 30_000);
    child.stdout.on('data', (d) => {
      out += d;
      const m = /http:\/\/[0-9.:]+\//.exec(out);
      if (m) { clearTimeout(timer); resolve(m[0].replace(/\/$/, '')); }
    });
    child.on('exit', (code) => { clearTimeout(timer); reject(new Error(`recoup serve exited ${code}:\n${log}`)); });
  });
  return {
    url,
    db,
    log: () => log,
    stop: () => new Promise((resolve) => {
      if (child.exitCode !== null) return resolve();
      child.on('exit', () => resolve());
      child.kill('SIGTERM');
    }),
  };
}

/**
 * perLanguage, called in a describe, starts the browser and one server per
 * language (each on its own copy of the demo: what one language's test
 * does is still to do in the other's) before its tests, and stops them
 * after. ctx.browser and ctx.servers[lang] are set once started.
 */
export function perLanguage(name) {
  const ctx = { browser: undefined, servers: {} };
  before(async () => {
    const started = await Promise.all([launch(), ...languages.map(() => startServer(name))]);
    ctx.browser = started[0];
    languages.forEach(({ lang }, i) => { ctx.servers[lang] = started[i + 1]; });
  });
  after(async () => { await ctx.browser?.close(); await Promise.all(Object.values(ctx.servers).map((s) => s.stop())); });
  return ctx;
}

function chromiumPath() {
  for (const p of [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/chromium-headless-shell']) {
    if (p && existsSync(p)) return p;
  }
  throw new Error('no chromium: apt-get install -y chromium fonts-noto-cjk (.ci/run does)');
}

/** launch starts Debian's chromium headless, with the flags this closed network needs. */
export async function launch() {
  return chromium.launch({
    executablePath: chromiumPath(),
    headless: true,
    args: ['--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-sync',
      '--disable-gpu', '--disable-quic', '--disable-dev-shm-usage'],
  });
}

/** newPage opens a page in a fresh context (own cookies) for a language and viewport. */
export async function newPage(browser, { locale = 'en-US', viewport = desk } = {}) {
  const context = await browser.newContext({ locale, viewport, timezoneId: 'Asia/Shanghai' });
  const page = await context.newPage();
  page.setDefaultTimeout(15_000);
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  page.consoleErrors = errors;
  return page;
}

/** login signs in through the sign-in page and waits for the landing page. */
export async function login(page, base, email, { next } = {}) {
  await page.goto(base + (next ? `/login?next=${encodeURIComponent(next)}` : '/login'));
  await page.locator('input[autocomplete="username"]').fill(email);
  await page.locator('input[autocomplete="current-password"]').fill(password);
  await page.locator('button[type="submit"]').click();
  await page.waitForURL((u) => !u.pathname.startsWith('/login'));
}

/**
 * shot saves a screenshot as out/<name>.<lang>.<desk|phone>.png. With
 * { both: true } it also takes the phone size (resizing the page and back).
 */
export async function shot(page, name, lang, { both = true, fullPage = true } = {}) {
  mkdirSync(outDir, { recursive: true });
  const size = page.viewportSize();
  const kind = size && size.width < 600 ? 'phone' : 'desk';
  await page.screenshot({ path: join(outDir, `${name}.${lang}.${kind}.png`), fullPage });
  if (both && kind === 'desk') {
    await page.setViewportSize(phone);
    await page.waitForTimeout(300);
    await page.screenshot({ path: join(outDir, `${name}.${lang}.phone.png`), fullPage });
    await page.setViewportSize(size ?? desk);
    await page.waitForTimeout(150);
  }
}

/**
 * settledPopup waits until the visible popup matching selector (a select's
 * list, a dropdown menu) has finished sliding in, and returns it: a click
 * during antd's animation (-appear the first time, -enter after) may be
 * lost.
 */
export async function settledPopup(page, selector) {
  const popup = page.locator(`${selector}:visible`).first();
  await popup.and(page.locator(':not([class*="-enter"]):not([class*="-appear"])')).waitFor();
  return popup;
}

/**
 * pickOption opens the select labelled `label`, clicks the option showing
 * `optionText` (or whose title is `title`) and waits until the dropdown has
 * finished closing, so what runs next (axe, a screenshot) sees the settled page
 * and not a list fading out.
 */
export async function pickOption(page, label, optionText, { title } = {}) {
  await page.getByLabel(label, { exact: true }).click();
  const dropdown = await settledPopup(page, '.ant-select-dropdown');
  const options = dropdown.locator('.ant-select-item-option');
  await (title ? options.and(page.locator(`[title="${title}"]`)) : options.filter({ hasText: optionText })).first().click();
  await dropdown.waitFor({ state: 'hidden' });
}

/** axe runs axe-core on the page and returns the serious and critical violations. */
export async function axe(page) {
  const result = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
  return result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}): ${v.help}\n  ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join('\n  ')}`);
}

/** api calls the JSON API with the page's session (cookie and CSRF token). */
export async function apiCall(page, method, path, body) {
  return page.evaluate(async ({ method, path, body }) => {
    const me = await fetch('/api/me').then((r) => r.json());
    const r = await fetch(path, {
      method,
      headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': me.csrf_token ?? '' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await r.text();
    let json;
    try { json = JSON.parse(text); } catch { json = text; }
    return { status: r.status, body: json };
  }, { method, path, body });
}
