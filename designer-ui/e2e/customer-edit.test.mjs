// The customer edit form (issue 16 §7): finance opens a customer, is told
// field by field what the server refuses (a bad email and phone), saves
// new contacts and the customer's language, turns do-not-contact on with a
// reason (the page's header says so), lowers or raises its risk tier with a
// reason; a sales rep sees no risk form. Each change checked through the
// API and in the audit log. In both languages, axe on the page, screenshots
// at desk and phone size.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { apiCall, axe, launch, login, newPage, languages, pickOption, shot, startServer, users } from './harness.mjs';

const text = {
  en: {
    edit: 'Edit customer', email: 'Email', phone: 'Phone', locale: 'Language of its messages', saveContacts: 'Save contacts',
    saved: 'Saved.', dncOn: 'Do not contact this customer', reason: 'Reason', saveDnc: 'Save do-not-contact', dnc: 'Do not contact',
    risk: 'Risk', saveRisk: 'Save risk tier', riskTitle: 'Risk tier', zh: '中文', tier: { low: 'Low', high: 'High' },
  },
  'zh-CN': {
    edit: '编辑客户', email: '邮箱', phone: '电话', locale: '消息语言', saveContacts: '保存联系方式',
    saved: '已保存。', dncOn: '请勿联系此客户', reason: '原因', saveDnc: '保存请勿联系设置', dnc: '请勿联系',
    risk: '风险', saveRisk: '保存风险等级', riskTitle: '风险等级', zh: '中文', tier: { low: '低', high: '高' },
  },
};

describe('customer edit form', () => {
  let browser;
  const servers = {};
  before(async () => {
    const started = await Promise.all([launch(), ...languages.map(() => startServer('customer-edit'))]);
    browser = started[0];
    languages.forEach(({ lang }, i) => { servers[lang] = started[i + 1]; });
  });
  after(async () => { await browser?.close(); await Promise.all(Object.values(servers).map((s) => s.stop())); });

  for (const { lang, locale } of languages) {
    const t = text[lang];
    test(`${lang}: finance edits a customer's contacts, language, do-not-contact and risk tier`, async () => {
      const server = servers[lang];
      const page = await newPage(browser, { locale });
      page.setDefaultTimeout(45_000);
      await login(page, server.url, users.finance);
      const list = await apiCall(page, 'GET', '/api/customers?limit=1');
      assert.equal(list.status, 200);
      const id = list.body.items[0].id;
      await page.goto(`${server.url}/customers/${encodeURIComponent(id)}`);
      await page.getByRole('heading', { level: 2, name: t.edit }).waitFor();

      // The server refuses a bad email and a bad phone; each error is on its field.
      await page.getByLabel(t.email, { exact: true }).fill('not-an-email');
      await page.getByLabel(t.phone, { exact: true }).fill('call me');
      await page.getByRole('button', { name: t.saveContacts }).click();
      await page.getByText('"not-an-email" is not an email address').waitFor();
      assert.equal(await page.getByLabel(t.email, { exact: true }).getAttribute('aria-invalid'), 'true', 'the error is on the email field');
      assert.equal(await page.getByLabel(t.phone, { exact: true }).getAttribute('aria-invalid'), 'true', 'the error is on the phone field');
      let c = await apiCall(page, 'GET', `/api/customers/${encodeURIComponent(id)}/contacts`);
      assert.notEqual(c.body.email, 'not-an-email', 'nothing written');

      await page.getByLabel(t.email, { exact: true }).fill(`ap-${lang}@new.example.com`);
      await page.getByLabel(t.phone, { exact: true }).fill('+86 21 5555 0199');
      await pickOption(page, t.locale, t.zh);
      await page.getByRole('button', { name: t.saveContacts }).click();
      await page.getByText(t.saved).first().waitFor();
      c = await apiCall(page, 'GET', `/api/customers/${encodeURIComponent(id)}/contacts`);
      assert.equal(c.body.email, `ap-${lang}@new.example.com`);
      assert.equal(c.body.phone, '+86 21 5555 0199');
      assert.equal(c.body.locale, 'zh-CN');
      assert.notEqual(await page.getByLabel(t.email, { exact: true }).getAttribute('aria-invalid'), 'true', 'the error is gone once fixed');

      // Do not contact, with a reason: the header says so.
      const dnc = page.getByLabel(t.dncOn, { exact: true });
      if ((await dnc.getAttribute('aria-checked')) !== 'true') await dnc.click();
      await page.getByRole('form', { name: t.dnc }).getByLabel(t.reason, { exact: true }).fill('replied STOP to the SMS');
      await page.getByRole('button', { name: t.saveDnc }).click();
      await page.locator('.ant-tag', { hasText: t.dnc }).first().waitFor();
      c = await apiCall(page, 'GET', `/api/customers/${encodeURIComponent(id)}/contacts`);
      assert.equal(c.body.do_not_contact, true);

      // The risk tier, lowered or raised, with a reason.
      const tier = c.body.risk === 'high' ? 'low' : 'high';
      const riskForm = page.getByRole('form', { name: t.riskTitle });
      await pickOption(page, t.risk, t.tier[tier]);
      await riskForm.getByLabel(t.reason, { exact: true }).fill('reviewed with the director');
      await page.getByRole('button', { name: t.saveRisk }).click();
      await page.waitForFunction(async ({ id, tier }) => {
        const r = await fetch(`/api/customers/${encodeURIComponent(id)}/contacts`).then((x) => x.json());
        return r.risk === tier;
      }, { id, tier });

      assert.deepEqual(await axe(page), [], 'axe on the customer page with its edit form');
      await page.evaluate(() => window.scrollTo(0, 0));
      await shot(page, 'customer-edit', lang);
      const admin = await newPage(browser, { locale });
      await login(admin, server.url, users.admin);
      for (const action of ['customer.contacts_changed', 'customer.do_not_contact', 'customer.risk_changed']) {
        const a = await apiCall(admin, 'GET', `/api/audit?action=${action}`);
        assert.ok(a.body.items.some((e) => e.actor === users.finance), `${action} audited`);
      }
      await admin.context().close();
      assert.deepEqual(page.consoleErrors.filter((e) => !/Failed to load resource/.test(e)), []);
      await page.context().close();
    });

    test(`${lang}: a sales rep's customer page has no risk form`, async () => {
      const server = servers[lang];
      const page = await newPage(browser, { locale });
      page.setDefaultTimeout(45_000);
      await login(page, server.url, users.rep);
      const list = await apiCall(page, 'GET', '/api/customers?limit=1');
      const id = list.body.items[0].id;
      await page.goto(`${server.url}/customers/${encodeURIComponent(id)}`);
      await page.getByRole('heading', { level: 2, name: t.edit }).waitFor();
      await page.getByRole('button', { name: t.saveContacts }).waitFor();
      assert.equal(await page.getByRole('button', { name: t.saveRisk }).count(), 0);
      await page.context().close();
    });
  }
});
