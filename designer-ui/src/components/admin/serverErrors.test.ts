import { beforeAll, describe, expect, it } from 'vitest';
import i18n, { ready } from '../../i18n';

// the catalogs load on demand: both languages before any test
beforeAll(async () => {
  await ready;
  await i18n.loadLanguages(['en', 'zh-CN']);
});
import { fieldName, localizeFieldMessage } from './serverErrors';

describe('fieldName', () => {
  it('maps pointers and prefixed names to form fields', () => {
    expect(fieldName('/email')).toBe('email');
    expect(fieldName('/scopes/0')).toBe('scopes');
    expect(fieldName('body.name')).toBe('name');
    expect(fieldName('query.actor')).toBe('actor');
    expect(fieldName('role')).toBe('role');
  });
});

describe('localizeFieldMessage', () => {
  const zh = i18n.getFixedT('zh-CN');
  const en = i18n.getFixedT('en');
  it("puts the schema validator's phrasings into the user's language", () => {
    expect(localizeFieldMessage('minimum string length is 8', zh)).toBe('至少 8 个字符。');
    expect(localizeFieldMessage('minimum string length is 8', en)).toBe('At least 8 characters.');
    expect(localizeFieldMessage('number must be at least 1', zh)).toBe('不能小于 1。');
    expect(localizeFieldMessage('minimum number of items is 1', en)).toBe('Choose at least 1.');
    expect(localizeFieldMessage('string doesn\'t match the regular expression "^[^@\\s]+@[^@\\s]+$"', zh)).toBe('格式不正确。');
  });
  it("names the role and the scope when a token's user lacks a scope", () => {
    const m = 'role sales_rep of rep1.east@demo.recoup.test does not grant users:admin';
    expect(localizeFieldMessage(m, zh)).toBe('rep1.east@demo.recoup.test 的角色（销售代表）没有“管理用户”权限。');
    expect(localizeFieldMessage(m, en)).toBe('The role Sales rep of rep1.east@demo.recoup.test does not allow “Manage users”.');
  });
  it('leaves any other message as the server wrote it', () => {
    const m = 'a token cannot do more than its user';
    expect(localizeFieldMessage(m, zh)).toBe(m);
  });
});
