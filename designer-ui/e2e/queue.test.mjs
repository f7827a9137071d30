// The team queue: a manager filters by rep, claims a task left to the
// managers, reassigns one task and then two to another rep; finance opens a
// finance review task, claims it and completes it.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { apiCall, axe, languages, login, newPage, perLanguage, pickOption, shot, users } from './harness.mjs';

const text = {
  en: {
    title: 'Team queue', rep: 'Rep', claim: 'Claim', claimed: 'The task is yours now.', reassign: 'Reassign…',
    reassignMany: 'Reassign 2 tasks…', to: 'New assignee', doIt: 'Reassign', reassigned1: '1 task reassigned to', reassigned2: '2 tasks reassigned to',
    markDone: 'Mark as done', done: 'Done', assignee: 'Assignee',
  },
  'zh-CN': {
    title: '团队任务队列', rep: '销售代表', claim: '认领', claimed: '任务已归你处理。', reassign: '转派…',
    reassignMany: '转派 2 个任务…', to: '新负责人', doIt: '转派', reassigned1: '已将 1 个任务转派给', reassigned2: '已将 2 个任务转派给',
    markDone: '标记为已完成', done: '已完成', assignee: '负责人',
  },
};

describe('team queue', () => {
  // each language works on its own copy of the demo (a task done in one is open in the other)
  const run = perLanguage('queue');

  for (const { lang, locale } of languages) {
    const t = text[lang];
    const server = { get url() { return run.servers[lang].url; } };
    test(`${lang}: a manager filters by rep, claims, reassigns one then two`, async () => {
      const page = await newPage(run.browser, { locale });
      await login(page, server.url, users.manager);
      assert.equal(new URL(page.url()).pathname, '/queue');
      await page.getByRole('heading', { level: 1, name: t.title }).waitFor();
      const rows = page.locator('tbody tr[data-row-key]');
      await rows.first().waitFor();
      await page.getByRole('columnheader', { name: t.assignee }).waitFor();
      assert.deepEqual(await axe(page), [], 'axe on the queue');
      await shot(page, 'queue', lang, { fullPage: false });

      // filter by rep: every row is that rep's
      const rep1 = await apiCall(page, 'GET', `/api/tasks?assignee=${encodeURIComponent(users.rep)}&limit=5`);
      assert.ok(rep1.body.items.length > 0, 'rep1 has tasks the manager sees');
      const repName = rep1.body.items[0].assignee_name || users.rep;
      await pickOption(page, t.rep, repName);
      await page.waitForURL((u) => u.searchParams.get('assignee') === users.rep);
      await page.waitForFunction((name) => {
        const cells = [...document.querySelectorAll('tbody tr[data-row-key]')];
        return cells.length > 0 && cells.every((r) => r.textContent.includes(name));
      }, repName);
      await shot(page, 'queue-filtered', lang, { both: false, fullPage: false });

      // claim a task left to the managers
      await page.goto(`${server.url}/queue?unassigned=true`);
      const open = await apiCall(page, 'GET', '/api/tasks?unassigned=true&role=sales_manager&limit=50');
      assert.ok(open.body.items.length > 0, 'an unclaimed manager task');
      const roleTask = open.body.items[0];
      const claimButton = page.locator(`tr[data-row-key="${roleTask.id}"]`).getByRole('button', { name: new RegExp(t.claim) });
      await claimButton.click();
      await page.getByText(t.claimed).waitFor();
      const claimed = await apiCall(page, 'GET', `/api/tasks/${roleTask.id}`);
      assert.equal(claimed.body.assignee, users.manager);

      // reassign one task of rep1 to rep2
      await page.goto(`${server.url}/queue?assignee=${encodeURIComponent(users.rep)}`);
      await rows.first().waitFor();
      const list = await apiCall(page, 'GET', `/api/tasks?assignee=${encodeURIComponent(users.rep)}&limit=50`);
      const [a, b, c] = list.body.items;
      const cand = await apiCall(page, 'GET', `/api/tasks/${a.id}/assignees`);
      const rep2 = cand.body.items.find((x) => x.email === users.rep2);
      assert.ok(rep2, 'rep2 may do the task');
      await page.locator(`tr[data-row-key="${a.id}"]`).getByRole('button', { name: new RegExp(t.reassign.replace('…', '')) }).click();
      const dialog = page.getByRole('dialog');
      await dialog.waitFor();
      await pickOption(page, t.to, rep2.name);
      assert.deepEqual(await axe(page), [], 'axe on the reassign dialog');
      await shot(page, 'queue-reassign', lang, { both: false });
      await dialog.getByRole('button', { name: t.doIt }).click();
      await page.getByText(t.reassigned1).waitFor();
      assert.equal((await apiCall(page, 'GET', `/api/tasks/${a.id}`)).body.assignee, users.rep2);

      // then two at once
      await page.locator(`tr[data-row-key="${b.id}"]`).getByRole('checkbox').check();
      await page.locator(`tr[data-row-key="${c.id}"]`).getByRole('checkbox').check();
      await page.getByRole('button', { name: t.reassignMany }).click();
      await dialog.waitFor();
      await pickOption(page, t.to, rep2.name);
      await dialog.getByRole('button', { name: t.doIt }).click();
      await page.getByText(t.reassigned2).waitFor();
      for (const x of [b, c]) assert.equal((await apiCall(page, 'GET', `/api/tasks/${x.id}`)).body.assignee, users.rep2);
      assert.deepEqual(page.consoleErrors.filter((e) => !/401|409|Failed to load resource/.test(e)), []);
      await page.context().close();
    });

    test(`${lang}: finance claims a review task and completes it`, async () => {
      const page = await newPage(run.browser, { locale });
      await login(page, server.url, users.finance);
      assert.equal(new URL(page.url()).pathname, '/queue');
      await page.locator('tbody tr[data-row-key]').first().waitFor();
      await shot(page, 'queue-finance', lang, { both: false, fullPage: false });
      const list = await apiCall(page, 'GET', '/api/tasks?role=finance&unassigned=true&limit=50');
      const task = list.body.items.find((x) => x.status === 'open');
      assert.ok(task, 'an open finance review task');
      await page.goto(`${server.url}/queue?unassigned=true`);
      await page.locator(`[data-task-link="${task.id}"]`).click();
      await page.waitForURL(new RegExp(`/tasks/${task.id}$`));
      await page.getByRole('button', { name: t.claim, exact: true }).click();
      await page.getByText(t.claimed).waitFor();
      await page.getByRole('button', { name: t.markDone }).click();
      await page.waitForURL((u) => u.pathname !== `/tasks/${task.id}`);
      const done = await apiCall(page, 'GET', `/api/tasks/${task.id}`);
      assert.equal(done.body.status, 'done');
      assert.equal(done.body.assignee, users.finance);
      await page.goto(`${server.url}/tasks/${task.id}`);
      await page.locator('.ant-tag', { hasText: t.done }).first().waitFor();
      assert.deepEqual(await axe(page), [], 'axe on a done task');
      await shot(page, 'task-finance-done', lang);
      await page.context().close();
    });
  }
});
