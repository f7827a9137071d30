import { describe, expect, it } from 'vitest';
import { catalogs } from './index';

function keys(o: unknown, prefix = ''): string[] {
  if (typeof o !== 'object' || o === null) return [prefix];
  return Object.entries(o as Record<string, unknown>).flatMap(([k, v]) => keys(v, prefix ? `${prefix}.${k}` : k));
}

describe('catalogs', () => {
  it('have the same namespaces in every language', () => {
    expect(Object.keys(catalogs['zh-CN']).sort()).toEqual(Object.keys(catalogs.en).sort());
    expect(Object.keys(catalogs.en).length).toBeGreaterThan(0);
  });
  for (const ns of Object.keys(catalogs.en)) {
    it(`${ns}: every key exists in both languages, none empty`, () => {
      const en = keys(catalogs.en[ns]).sort();
      const zh = keys(catalogs['zh-CN'][ns]).sort();
      expect(zh.filter((k) => !en.includes(k)), 'keys only in zh-CN').toEqual([]);
      expect(en.filter((k) => !zh.includes(k)), 'keys only in en').toEqual([]);
      for (const lang of ['en', 'zh-CN'] as const) {
        for (const k of keys(catalogs[lang][ns])) {
          const v = k.split('.').reduce<unknown>((o, p) => (o as Record<string, unknown>)[p], catalogs[lang][ns]);
          expect(typeof v === 'string' && v.trim() !== '', `${lang}:${ns}:${k} is empty`).toBe(true);
        }
      }
    });
  }
});
