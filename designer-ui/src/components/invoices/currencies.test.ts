import { describe, expect, it } from 'vitest';
import { currencyOptions } from './currencies';

describe('currencyOptions', () => {
  it('names each code in the language', () => {
    const en = currencyOptions('en');
    expect(en.find((o) => o.value === 'USD')?.label).toBe('USD · US Dollar');
    expect(currencyOptions('zh-CN').find((o) => o.value === 'USD')?.label).toBe('USD · 美元');
    expect(en.map((o) => o.value)).toEqual([...en.map((o) => o.value)].sort());
  });
  it('keeps a code it does not know', () => {
    expect(currencyOptions('en', 'XYZ')[0]).toEqual({ value: 'XYZ', label: 'XYZ' });
    expect(currencyOptions('en', 'CNY').filter((o) => o.value === 'CNY')).toHaveLength(1);
  });
});
