import { describe, expect, it } from 'vitest';
import { namespaces } from './index';

type Catalog = Record<string, unknown>;
const files = import.meta.glob<Catalog>('./*/*.json', { eager: true, import: 'default' });
const catalogs: Record<'en' | 'zh-CN', Record<string, Catalog>> = { en: {}, 'zh-CN': {} };
for (const [path, messages] of Object.entries(files)) {
  const m = /^\.\/([^/]+)\/([^/]+)\.json$/.exec(path);
  if (m?.[1] && m[2] && (m[1] === 'en' || m[1] === 'zh-CN')) catalogs[m[1]][m[2]] = messages;
}

function keys(o: unknown, prefix = ''): string[] {
  if (typeof o !== 'object' || o === null) return [prefix];
  return Object.entries(o as Record<string, unknown>).flatMap(([k, v]) => keys(v, prefix ? `${prefix}.${k}` : k));
}

describe('catalogs', () => {
  it('have the same namespaces in every language', () => {
    expect(Object.keys(catalogs['zh-CN']).sort()).toEqual(Object.keys(catalogs.en).sort());
    expect(Object.keys(catalogs.en).length).toBeGreaterThan(0);
    expect(namespaces.sort()).toEqual(Object.keys(catalogs.en).sort());
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
