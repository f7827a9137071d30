// A rep's day: My work with its views and counts, a task opened with the
// keyboard, the call-outcome form sent wrong first (every field's error at
// once), then a promise to pay recorded with a date; the next task opens,
// and the completed task shows the outcome and its history.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { apiCall, axe, languages, login, newPage, perLanguage, phone, shot, users } from './harness.mjs';

const text = {
  en: {
    title: 'My work', views: ['Open', 'Due today', 'Overdue', 'Promises due', 'Waiting'],
    promised: 'Promised to pay', date: 'Promised payment date', amount: 'Promised amount',
    submit: 'Complete task', required: 'is required', done: 'Done', completed: 'completed the task', history: 'History of the invoice',
    because: /First because: /, back: 'Back to the list', customer: 'Customer',
  },
  'zh-CN': {
    title: '我的工作', views: ['全部待办', '今日到期', '已逾期', '承诺到期', '等待中'],
    promised: '承诺付款', date: '承诺付款日期', amount: '承诺金额',
    submit: '完成任务', required: '为必填项', done: '已完成', completed: '完成了任务', history: '发票历史记录',
    because: /排在最前，因为：/, back: '返回列表', customer: '客户',
  },
};

describe('my work', () => {
  // each language works on its own copy of the demo (a task done in one is open in the other)
  const run = perLanguage('inbox');

  for (const { lang, locale } of languages) {
    const t = text[lang];
    const server = { get url() { return run.servers[lang].url; } };
    test(`${lang}: counts, open with Enter, every error at once, a promise with a date, the next task opens`, async () => {
      const page = await newPage(run.browser, { locale });
      await login(page, server.url, users.rep);
      assert.equal(new URL(page.url()).pathname, '/inbox');
      await page.getByRole('heading', { level: 1, name: t.title }).waitFor();

      // every view with its count, as the API counts them
      const counts = await apiCall(page, 'GET', '/api/tasks?mine=true&counts=true&limit=1');
      assert.equal(counts.status, 200);
      const c = counts.body.counts;
      const want = [c.open, c.due_today, c.overdue, c.promises, c.waiting];
      const fmt = new Intl.NumberFormat(lang);
      for (const [i, name] of t.views.entries()) {
        await page.locator('.ant-segmented-item', { hasText: name }).filter({ hasText: fmt.format(want[i]) }).waitFor();
      }
      assert.ok(c.open > 0, 'the demo rep has open tasks');

      // the list in the server's order, with why the first is first
      const list = await apiCall(page, 'GET', '/api/tasks?mine=true&limit=50');
      const rows = page.locator('tbody tr[data-row-key]');
      await rows.first().waitFor();
      const firstName = list.body.items[0].customer_name;
      assert.ok((await rows.first().textContent()).includes(firstName), 'first row is the server\'s first');
      if (list.body.items[0].priority_reasons?.length) await page.getByText(t.because).first().waitFor();
      assert.deepEqual(await axe(page), [], 'axe on My work');
      await shot(page, 'inbox', lang);

      // phone: cards that are easy to tap
      await page.setViewportSize(phone);
      await page.locator('.task-card').first().waitFor();
      const box = await page.locator('.task-card-link').first().boundingBox();
      assert.ok(box && box.height >= 44 && box.width >= 250, `a card is easy to tap (${JSON.stringify(box)})`);
      assert.deepEqual(await axe(page), [], 'axe on My work (phone)');
      await page.setViewportSize({ width: 1366, height: 768 });
      await rows.first().waitFor();

      // move to the first call task with j, open it with Enter
      const index = list.body.items.findIndex((x) => x.form === 'call-outcome' && x.status === 'open');
      assert.ok(index >= 0, 'a call task in the first page');
      const task = list.body.items[index];
      for (let i = 0; i < index; i++) await page.keyboard.press('j');
      await page.keyboard.press('Enter');
      await page.waitForURL(new RegExp(`/tasks/${task.id}$`));
      await page.getByRole('heading', { level: 1 }).waitFor();
      await page.locator('a[href^="tel:"]').first().waitFor();
      assert.ok(await page.locator('a[href^="tel:"]').count() > 0, 'the phone is a tel: link');
      assert.ok(await page.locator('a[href^="mailto:"]').count() > 0, 'the email is a mailto: link');
      assert.deepEqual(await axe(page), [], 'axe on the task');
      await shot(page, 'task', lang);

      // wrong first: promised, no date, an amount that is not one
      await page.locator('label', { hasText: t.promised }).first().click();
      await page.getByLabel(t.amount).fill('abc');
      await page.getByRole('button', { name: t.submit }).click();
      await page.locator('[aria-invalid="true"]').nth(1).waitFor();
      const invalid = await page.locator('input[aria-invalid="true"], textarea[aria-invalid="true"]').count();
      assert.ok(invalid >= 2, `every field's error at once (${invalid})`);
      await page.getByText(t.required).first().waitFor();
      assert.equal(new URL(page.url()).pathname, `/tasks/${task.id}`);
      assert.deepEqual(await axe(page), [], 'axe on the task with errors');
      await shot(page, 'task-errors', lang);

      // then right: two clicks and a date
      await page.getByLabel(t.amount).fill('');
      await page.getByLabel(t.date).fill('2027-01-15');
      await page.getByRole('button', { name: t.submit }).click();
      await page.waitForURL((u) => u.pathname.startsWith('/tasks/') && u.pathname !== `/tasks/${task.id}`);
      await page.getByRole('heading', { level: 1 }).waitFor();
      await shot(page, 'task-next', lang, { both: false });

      // the completed task says what was recorded, and its history shows it
      const done = await apiCall(page, 'GET', `/api/tasks/${task.id}`);
      assert.equal(done.body.status, 'done');
      assert.equal(done.body.outcome?.promised_date ?? done.body.outcome?.values?.promised_date, '2027-01-15');
      await page.goto(`${server.url}/tasks/${task.id}`);
      await page.locator('.ant-tag', { hasText: t.done }).first().waitFor();
      await page.getByText(t.promised).first().waitFor();
      await page.locator('.timeline-title', { hasText: t.completed }).first().waitFor();
      await shot(page, 'task-done', lang);
      assert.deepEqual(page.consoleErrors.filter((e) => !/401|422|Failed to load resource/.test(e)), []);
      await page.context().close();
    });
  }
});
