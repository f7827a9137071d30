// The designer, as an admin uses it, in both languages: the definitions
// home; the escalation workflow as a graph of its four stages; the call
// stage's days changed in the side panel (the YAML changes with it); a
// misspelled field typed in the YAML (a marker at its line and "did you
// mean" in the Problems panel); the draft saved, its impact previewed,
// published with a note, compared with the version before, and rolled back.
// axe finds no serious or critical violation on any designer page, and
// screenshots of each are saved in both languages, desk and phone.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { apiCall, axe, desk, languages, login, newPage, outDir, perLanguage, phone, shot, users } from './harness.mjs';

const catalog = (lang, ns) => JSON.parse(readFileSync(new URL(`../src/i18n/${lang}/${ns}.json`, import.meta.url), 'utf8'));
const lookup = (cat, key, vars = {}) => {
  const v = key.split('.').reduce((o, k) => o?.[k], cat);
  assert.equal(typeof v, 'string', `catalog key ${key}`);
  return v.replace(/\{\{(\w+)\}\}/g, (_, k) => String(vars[k]));
};
const titles = { en: 'Overdue escalation', 'zh-CN': '逾期升级催收' };

async function failing(page, name, body, serverLog = () => '') {
  try {
    await body();
  } catch (e) {
    mkdirSync(outDir, { recursive: true });
    await page.screenshot({ path: join(outDir, `failed-${name}.png`), fullPage: true }).catch(() => undefined);
    const tree = await page.locator('body').ariaSnapshot().catch((x) => String(x));
    writeFileSync(join(outDir, `failed-${name}.txt`), `${tree}\n\n${serverLog().split('\n').slice(-30).join('\n')}\n`);
    throw e;
  }
}

async function axeBoth(page, what) {
  // no validation running (its status line says so) and no colour still fading
  await page.waitForFunction(() => !document.querySelector('.designer-problems-head')?.textContent?.includes('·'));
  await page.waitForTimeout(300);
  assert.deepEqual(await axe(page), [], `axe on ${what}`);
  await page.setViewportSize(phone);
  await page.waitForTimeout(400);
  assert.deepEqual(await axe(page), [], `axe on ${what} at phone size`);
  await page.setViewportSize(desk);
  await page.waitForTimeout(200);
}

/**
 * editorShows scrolls the editor through its text until a line containing
 * text is drawn (CodeMirror draws only the lines near its viewport).
 */
async function editorShows(page, text) {
  // CodeMirror draws the lines inside the window's view only
  await page.locator('.designer-text-pane .cm-editor').scrollIntoViewIfNeeded();
  for (let step = 0; step <= 40; step++) {
    const found = await page.evaluate(({ text, step }) => {
      const scroller = document.querySelector('.designer-text-pane .cm-scroller');
      if (!scroller) return false;
      scroller.scrollTop = (scroller.scrollHeight * step) / 40;
      return [...scroller.querySelectorAll('.cm-line')].some((l) => l.textContent.includes(text));
    }, { text, step });
    if (found) return true;
    await page.waitForTimeout(30);
  }
  return false;
}

/**
 * replaceLine selects line n (1-based) of the editor with the keyboard and
 * types text in its place, as a person would.
 */
async function replaceLine(page, label, n, text) {
  const box = page.getByRole('textbox', { name: label });
  await box.click();
  await page.keyboard.press('Control+Home');
  for (let i = 1; i < n; i++) await page.keyboard.press('ArrowDown');
  await page.keyboard.press('Home');
  await page.keyboard.press('Home'); // the first press stops after the indentation, the second at the line's start
  await page.keyboard.press('Shift+End');
  await page.keyboard.insertText(text);
}

describe('designer', () => {
  const run = perLanguage('designer');

  for (const { lang, locale } of languages) {
    const d = catalog(lang, 'designer');
    const t = (key, vars) => lookup(d, key, vars);
    const base = () => run.servers[lang].url;

    test(`${lang}: an admin changes the escalation in the picture and the text, previews, publishes, compares and rolls back`, async () => {
      const page = await newPage(run.browser, { locale });
      await failing(page, `designer.${lang}`, async () => {
        page.setDefaultTimeout(25_000);
        await login(page, base(), users.admin);
        await page.goto(`${base()}/designer`);
        await page.getByRole('heading', { level: 1, name: t('home.title') }).waitFor();
        const list = page.getByRole('region', { name: t('home.list') });
        await list.getByRole('link', { name: titles[lang] }).waitFor();
        await axeBoth(page, 'the definitions home');
        await shot(page, 'designer-home', lang);

        await list.getByRole('link', { name: titles[lang] }).click();
        await page.getByRole('heading', { level: 1, name: titles[lang] }).waitFor();
        // the graph shows the four stages
        for (const stage of ['reminder', 'call', 'review', 'decision']) {
          await page.locator('.react-flow').getByRole('button', { name: new RegExp(`\\b${stage}\\b`) }).first().waitFor();
        }
        await page.getByText(t('problems.none')).waitFor();
        await axeBoth(page, 'the workflow designer');
        await shot(page, 'designer-workflow', lang);
        const wg = catalog(lang, 'workflowGraph');
        const w = (key, vars) => lookup(wg, key, vars);
        const v1 = (await apiCall(page, 'GET', '/api/definitions/Workflow/overdue-escalation')).body;
        const lines = v1.source.split('\n');
        const callWhen = lines.findIndex((l) => l.trim() === 'when: invoice.days_overdue >= 8') + 1;
        assert.ok(callWhen > 0, 'the call stage starts at 8 days');

        // the decision stage's approval routes in the side panel
        await page.locator('.react-flow').getByRole('button', { name: /\bdecision\b/ }).first().click();
        const decision = page.getByRole('region', { name: w('panel.label', { name: 'decision' }) });
        const route2 = decision.getByRole('textbox', { name: w('panel.routeWhen', { n: 2 }) }).filter({ hasText: 'form.write_off_amount' });
        await route2.waitFor();
        await decision.getByLabel(w('panel.routeRole', { n: 1 }), { exact: true }).waitFor();
        await route2.evaluate((el) => el.scrollIntoView({ block: 'center' })); // the panel scrolls on its own
        await shot(page, 'designer-approval-routes', lang, { both: false, fullPage: false });

        // the call stage's days in the side panel: the YAML follows
        await page.locator('.react-flow').getByRole('button', { name: /\bcall\b/ }).first().click();
        const panel = page.getByRole('region', { name: w('panel.label', { name: 'call' }) });
        await panel.waitFor();
        const from = panel.getByLabel(w('panel.daysFrom'), { exact: true });
        await from.fill('7');
        await from.press('Tab');
        assert.ok(await editorShows(page, 'when: invoice.days_overdue >= 7'), 'the YAML shows the new days');
        // the condition's expression field (with completion) follows
        await panel.getByRole('textbox', { name: w('panel.expression') }).filter({ hasText: 'invoice.days_overdue >= 7' }).waitFor();
        await shot(page, 'designer-node-panel', lang, { both: false });
        await page.getByText(t('head.unsaved')).waitFor();

        // a misspelled field typed in the YAML: a marker at its line, "did you mean" in the Problems panel
        const label = t('edit.textLabel', { name: 'overdue-escalation' });
        const indent = /^\s*/.exec(lines[callWhen - 1])[0];
        await replaceLine(page, label, callWhen, `${indent}when: invoice.amout >= 7`);
        const problem = page.getByRole('region', { name: t('problems.title') }).getByRole('button', { name: new RegExp(`\\b${callWhen}\\b.*did you mean "amount"`) });
        await problem.waitFor();
        await page.locator('.cm-lintRange-error').first().waitFor();
        await shot(page, 'designer-problem', lang, { both: false });
        // undo takes the typing back; the picture's change stays
        await page.getByRole('button', { name: t('head.undo'), exact: true }).click();
        await page.getByText(t('problems.none')).waitFor();
        assert.ok(await editorShows(page, 'when: invoice.days_overdue >= 7'), 'undo restored the line the panel wrote');

        // save the draft: exactly the text, one line changed
        await page.getByRole('button', { name: t('head.save') }).click();
        await page.getByText(t('head.draft', { version: 2, by: users.admin, at: '\u0000' }).split('\u0000')[0]).first().waitFor();
        const v2 = (await apiCall(page, 'GET', '/api/definitions/Workflow/overdue-escalation?version=2')).body;
        assert.equal(v2.status, 'draft');
        assert.equal(v2.source, v1.source.replace('when: invoice.days_overdue >= 8', 'when: invoice.days_overdue >= 7'));

        // the impact of v2 on today's tick
        await page.getByRole('tab', { name: t('tabs.impact') }).click();
        await page.getByRole('button', { name: t('impact.run', { version: 2 }) }).click();
        await page.getByRole('table', { name: t('impact.byKind') }).waitFor();
        await axeBoth(page, 'the impact preview');
        await shot(page, 'designer-impact', lang);

        // publish with a note
        await page.getByRole('button', { name: t('head.publish') }).click();
        const dialog = page.getByRole('dialog', { name: t('publish.title', { name: 'overdue-escalation' }) });
        await dialog.getByRole('table', { name: t('impact.byKind') }).waitFor();
        await dialog.getByLabel(t('publish.note')).fill('call a day earlier');
        await shot(page, 'designer-publish', lang, { both: false });
        await dialog.getByRole('button', { name: t('publish.confirm') }).click();
        await page.getByText(t('head.published', { version: 2 })).waitFor();
        const hist = (await apiCall(page, 'GET', '/api/definitions/Workflow/overdue-escalation/history')).body.items;
        assert.deepEqual(hist.map((h) => [h.version, h.status, h.note ?? '']), [[2, 'published', 'call a day earlier'], [1, 'superseded', '']]);

        // compare v1 with v2: the text side by side, the changed stage on the graph
        await page.getByRole('tab', { name: t('tabs.history') }).click();
        await page.getByRole('region', { name: t('history.list') }).getByRole('row').nth(2).waitFor();
        await page.getByRole('button', { name: t('history.compareWithOf', { version: 1 }) }).click();
        await page.getByTestId('compare-view').waitFor();
        await page.getByText(lookup(d, 'compare.changed_one', { count: 1 })).waitFor();
        await axeBoth(page, 'the history and comparison');
        await shot(page, 'designer-history', lang);

        // roll back to v1: its preview first, then a new version
        await page.getByRole('button', { name: t('history.rollbackOf', { version: 1 }) }).click();
        const rb = page.getByRole('dialog', { name: t('history.rollbackTitle', { version: 1 }) });
        await rb.getByRole('table', { name: t('impact.byKind') }).waitFor();
        await rb.getByLabel(t('publish.note')).fill('back to 8 days');
        await shot(page, 'designer-rollback', lang, { both: false });
        await rb.getByRole('button', { name: t('history.rollbackConfirm') }).click();
        await page.getByText(t('history.rolledBack', { version: 3 })).waitFor();
        const v3 = (await apiCall(page, 'GET', '/api/definitions/Workflow/overdue-escalation')).body;
        assert.equal(v3.version, 3);
        assert.equal(v3.source, v1.source);
        assert.deepEqual(page.consoleErrors.filter((e) => !/Failed to load resource/.test(e)), []);
      }, () => run.servers[lang].log());
    });

    test(`${lang}: a draft saved over someone else's newer one is refused and shown beside theirs`, async () => {
      const page = await newPage(run.browser, { locale });
      const other = await newPage(run.browser, { locale });
      await failing(page, `designer-conflict.${lang}`, async () => {
        page.setDefaultTimeout(25_000);
        await login(page, base(), users.admin);
        const email = `admin2.${lang.toLowerCase()}@demo.recoup.test`;
        const made = await apiCall(page, 'POST', '/api/users', { email, name: 'Second Admin', role: 'admin', password: 'second-admin-pw' });
        assert.equal(made.status, 201, JSON.stringify(made.body));
        const rule = 'overdue-30-raise-risk';
        await page.goto(`${base()}/designer/Rule/${rule}`);
        const label = t('edit.textLabel', { name: rule });
        await page.getByRole('textbox', { name: label }).waitFor();
        const v1 = (await apiCall(page, 'GET', `/api/definitions/Rule/${rule}`)).body;
        // meanwhile the other admin saves a draft of the same rule
        await other.goto(`${base()}/login`);
        await other.locator('input[autocomplete="username"]').fill(email);
        await other.locator('input[autocomplete="current-password"]').fill('second-admin-pw');
        await other.locator('button[type="submit"]').click();
        await other.waitForURL((u) => !u.pathname.startsWith('/login'));
        const theirs = `${v1.source}# theirs: ask finance first\n`;
        const saved = await apiCall(other, 'PUT', `/api/definitions/Rule/${rule}/draft`, { source: theirs, base_version: v1.version });
        assert.equal(saved.status, 200, JSON.stringify(saved.body));
        // the admin types a comment and saves: refused, theirs shown beside mine
        await page.getByRole('textbox', { name: label }).click();
        await page.keyboard.press('Control+End');
        await page.keyboard.insertText('# mine\n');
        await page.getByRole('button', { name: t('head.save') }).click();
        const alert = page.getByRole('alert').filter({ hasText: email });
        await alert.waitFor();
        await alert.getByText(t('conflict.theirs', { version: saved.body.version })).waitFor();
        await axeBoth(page, 'the save conflict');
        await shot(page, 'designer-conflict', lang);
        // nothing of mine was stored; taking theirs puts their text in the editor
        assert.equal((await apiCall(page, 'GET', `/api/definitions/Rule/${rule}?version=${saved.body.version}`)).body.source, theirs);
        await alert.getByRole('button', { name: t('conflict.takeTheirs') }).click();
        await alert.waitFor({ state: 'detached' });
        assert.ok(await editorShows(page, '# theirs: ask finance first'), 'the editor holds their text');
        assert.deepEqual(page.consoleErrors.filter((e) => !/Failed to load resource/.test(e)), []);
      }, () => run.servers[lang].log());
      await other.context().close();
    });

    test(`${lang}: an admin tries a rule on an invoice, renders a template, edits a form, runs the test cases and simulates a promise`, async () => {
      const page = await newPage(run.browser, { locale });
      const tt = (key, vars) => lookup(catalog(lang, 'designerTry'), key, vars);
      const ts = (key, vars) => lookup(catalog(lang, 'designerSim'), key, vars);
      const tf = (key, vars) => lookup(catalog(lang, 'formDesigner'), key, vars);
      await failing(page, `designer-try.${lang}`, async () => {
        page.setDefaultTimeout(25_000);
        await login(page, base(), users.admin);
        // an invoice 3 days overdue: the call opens in 5 days
        const inv = (await apiCall(page, 'GET', '/api/invoices?overdue_min=3&overdue_max=3&limit=1')).body.items[0];
        assert.ok(inv, 'an invoice 3 days overdue in the demo');

        // a rule tried on a live invoice: matched, and every value its condition read
        await page.goto(`${base()}/designer/Rule/mark-overdue`);
        await page.getByRole('tab', { name: t('tabs.try') }).click();
        const picker = page.getByLabel(tt('picker.label'), { exact: true });
        await picker.click();
        await picker.fill(inv.number);
        await page.locator('.ant-select-dropdown:visible .ant-select-item-option').filter({ hasText: inv.number }).first().click();
        await page.getByRole('button', { name: tt('try.run', { version: 1 }) }).click();
        await page.getByText(tt('try.matched', { invoice: inv.number })).waitFor();
        await page.getByRole('table').filter({ hasText: 'invoice.due_date' }).waitFor();
        await axeBoth(page, 'a rule tried on an invoice');
        await shot(page, 'designer-try-rule', lang);

        // a template rendered for the invoice in both languages, with its SMS length
        await page.goto(`${base()}/designer/Template/reminder-sms`);
        await page.getByRole('tab', { name: t('tabs.render') }).click();
        const picker2 = page.getByLabel(tt('picker.label'), { exact: true });
        await picker2.click();
        await picker2.fill(inv.number);
        await page.locator('.ant-select-dropdown:visible .ant-select-item-option').filter({ hasText: inv.number }).first().click();
        await page.getByRole('button', { name: tt('render.run', { version: 1 }) }).click();
        await page.getByText(tt('render.encoding')).first().waitFor();
        await page.getByText('UCS-2').first().waitFor(); // the Chinese text
        await axeBoth(page, 'a template rendered');
        await shot(page, 'designer-render', lang);

        // the formal letter as the PDF delivery attaches, framed in the page
        await page.goto(`${base()}/designer/Template/formal-letter`);
        await page.getByRole('tab', { name: t('tabs.render') }).click();
        const picker3 = page.getByLabel(tt('picker.label'), { exact: true });
        await picker3.click();
        await picker3.fill(inv.number);
        await page.locator('.ant-select-dropdown:visible .ant-select-item-option').filter({ hasText: inv.number }).first().click();
        const pdf = page.waitForResponse((r) => r.url().includes('/render.pdf') && r.request().resourceType() === 'document');
        await page.getByRole('button', { name: tt('render.run', { version: 1 }) }).click();
        const letter = await pdf;
        assert.equal(letter.status(), 200);
        assert.equal(letter.headers()['content-type'], 'application/pdf');
        assert.match(letter.headers()['content-security-policy'] ?? '', /frame-ancestors 'self'/);
        const src = await page.locator('iframe.try-letter').first().getAttribute('src');
        const head = await page.evaluate(async (u) => new TextDecoder().decode((await (await fetch(u)).arrayBuffer()).slice(0, 5)), src);
        assert.equal(head, '%PDF-');
        await shot(page, 'designer-letter', lang, { both: false });

        // a form: a field added in the list shows in the preview and in the YAML
        await page.goto(`${base()}/designer/Form/call-outcome`);
        await page.getByRole('button', { name: tf('addField') }).click();
        const label = lang === 'en' ? 'Follow-up note' : '跟进备注';
        await page.getByLabel(tf('panel.labelEn'), { exact: true }).fill('Follow-up note');
        await page.getByLabel(tf('panel.labelZh'), { exact: true }).fill('跟进备注');
        await page.getByRole('region', { name: tf('preview.in', { language: tf(`preview.${lang}`) }) }).getByText(label).first().waitFor();
        assert.ok(await editorShows(page, 'Follow-up note'), 'the YAML holds the new field');
        await page.getByText(t('problems.none')).waitFor();
        await axeBoth(page, 'the form designer');
        await shot(page, 'designer-form', lang);
        await page.getByRole('button', { name: t('head.save') }).click();
        await page.getByText(t('home.valid')).first().waitFor();

        // the example pack's test cases against the published escalation
        // (the other journey may have published versions of it on this server)
        const wfv = (await apiCall(page, 'GET', '/api/definitions/Workflow/overdue-escalation')).body.version;
        await page.goto(`${base()}/designer/Workflow/overdue-escalation`);
        await page.getByRole('tab', { name: t('tabs.tests') }).click();
        await page.getByRole('button', { name: ts('tests.run', { version: wfv }) }).click();
        const counts = page.getByText(new RegExp(ts('tests.counts', { version: wfv, passed: '(\\d+)', failed: '0' })));
        await counts.first().waitFor();
        await shot(page, 'designer-tests', lang, { both: false });

        // a simulation where the call is answered with a promise: the workflow waits
        await page.getByRole('tab', { name: t('tabs.simulate') }).click();
        const invPicker = page.getByLabel(ts('invoices'), { exact: true });
        await invPicker.click();
        await invPicker.fill(inv.number);
        await page.locator('.ant-select-dropdown:visible .ant-select-item-option').filter({ hasText: inv.number }).first().click();
        await page.keyboard.press('Escape');
        const from = await page.getByLabel(ts('from'), { exact: true }).inputValue();
        const day = (n) => new Date(Date.parse(`${from}T00:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10);
        await page.getByLabel(ts('to'), { exact: true }).fill(day(30));
        await page.getByRole('button', { name: ts('answers.add') }).click();
        const editor = page.getByRole('group', { name: ts('answer.editTitle') });
        await editor.getByLabel(ts('answer.day'), { exact: true }).fill(day(6));
        await editor.getByLabel(ts('answer.node'), { exact: true }).click();
        await page.locator('.ant-select-dropdown:visible .ant-select-item-option').filter({ hasText: 'call' }).first().click();
        const promised = lang === 'en' ? 'Promised to pay' : '承诺付款';
        await editor.locator('label', { hasText: promised }).first().click();
        await editor.getByLabel(lang === 'en' ? 'Promised payment date' : '承诺付款日期').fill(day(16));
        await editor.getByRole('button', { name: ts('answer.keep') }).click();
        await page.getByRole('list', { name: ts('answers.list') }).getByRole('listitem').first().waitFor();
        const simulated = page.waitForResponse((r) => r.url().endsWith('/api/simulate') && r.request().method() === 'POST');
        await page.getByRole('button', { name: ts('runPublished') }).or(page.getByRole('button', { name: ts('runWith', { version: wfv }) })).first().click();
        const sim = await (await simulated).json();
        const events = sim.days.flatMap((d) => d.effects.filter((e) => e.kind === 'node').map((e) => `${d.date} ${e.event} ${e.node ?? ''}`));
        assert.ok(events.some((e) => / waiting call/.test(e)), `the call waits for the promise: ${events.join('; ')}`);
        await page.getByRole('region', { name: t('simulate.onGraph', { day: sim.to }) }).waitFor();
        await axeBoth(page, 'the simulation');
        await shot(page, 'designer-simulate', lang);
        assert.deepEqual(page.consoleErrors.filter((e) => !/Failed to load resource/.test(e)), []);
      }, () => run.servers[lang].log());
    });
  }
});
