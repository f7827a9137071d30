import { beforeAll, describe, expect, it } from 'vitest';
import i18n, { ready } from '../../i18n';

// the catalogs load on demand: both languages before any test
beforeAll(async () => {
  await ready;
  await i18n.loadLanguages(['en', 'zh-CN']);
});
import { actionLabel, auditActions, auditEntities, detailParts, entityText } from './auditText';

describe('audit text', () => {
  const zh = i18n.getFixedT('zh-CN');
  const en = i18n.getFixedT('en');
  it('names every action and entity the server records, in both languages', () => {
    for (const t of [en, zh]) {
      for (const a of auditActions) expect(actionLabel(a, t)).not.toBe(a);
      for (const e of auditEntities) expect(entityText({ entity: e }, t)).not.toBe(e);
    }
    expect(actionLabel('task.completed', zh)).toBe('任务已完成');
    expect(entityText({ entity: 'task', entity_id: 12 }, en)).toBe('Task #12');
  });
  it('shows an unknown action as its code', () => {
    expect(actionLabel('account.suspended', en)).toBe('account.suspended');
    expect(actionLabel('user.created', en)).toBe('User created');
  });
  it('labels the detail, formats money from minor units and leaves the task key out', () => {
    expect(detailParts({ key: 'workflow/x#0', outcome: { outcome: 'promised', promised_date: '2026-09-28' } }, en, 'en')).toEqual([
      { label: 'Outcome', value: 'promised' },
      { label: 'Promised date', value: '2026-09-28' },
    ]);
    expect(detailParts({ reference: 'bank-1', amount_minor: 123456, currency: 'CNY' }, zh, 'zh-CN')).toEqual([
      { label: '流水号', value: 'bank-1' },
      { label: '金额', value: '¥1,234.56' },
    ]);
    expect(detailParts({ key: 'k', outcome: {} }, en, 'en')).toEqual([{ label: 'Outcome', value: 'nothing entered' }]);
    expect(detailParts({ text: 'call before noon' }, zh, 'zh-CN')).toEqual([{ label: '备注', value: 'call before noon' }]);
  });
  it('names sign-in and token details and shows instants as dates, not RFC 3339', () => {
    const parts = detailParts({ ip: '127.0.0.1', expires_at: '2026-12-17T05:35:14.096269411Z', scopes: ['tasks:read'] }, zh, 'zh-CN');
    expect(parts.map((p) => p.label)).toEqual(['地址', '过期时间', '权限范围']);
    expect(parts[1]?.value).toMatch(/^2026年12月17日/);
    expect(parts[1]?.value).not.toContain('T05');
    expect(detailParts({ password_changed: false }, en, 'en')).toEqual([{ label: 'Password changed', value: 'false' }]);
  });
});
