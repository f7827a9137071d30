import { describe, expect, it } from 'vitest';
import { decimalToMinor, formatMoney, minorDigits, minorToDecimal } from './money';

describe('money', () => {
  it.each([
    [123456, 'CNY', '1234.56'],
    [5, 'USD', '0.05'],
    [-5, 'USD', '-0.05'],
    [0, 'CNY', '0.00'],
    [1500, 'JPY', '1500'],
    [12345, 'BHD', '12.345'],
    [9007199254740991, 'CNY', '90071992547409.91'],
  ])('minorToDecimal(%s, %s) = %s', (minor, cur, want) => {
    expect(minorToDecimal(minor, cur)).toBe(want);
  });

  it('keeps amounts beyond float precision exact', () => {
    expect(minorToDecimal(9223372036854775807n, 'USD')).toBe('92233720368547758.07');
    expect(formatMoney(9223372036854775807n, 'USD', 'en')).toBe('$92,233,720,368,547,758.07');
  });

  it('formats per currency and locale', () => {
    expect(formatMoney(12000000, 'CNY', 'en')).toBe('CN¥120,000.00');
    expect(formatMoney(12000000, 'CNY', 'zh-CN')).toBe('¥120,000.00');
    expect(formatMoney(953921, 'USD', 'zh-CN')).toBe('US$9,539.21');
    expect(formatMoney(1500, 'JPY', 'en')).toBe('¥1,500');
    expect(formatMoney(10, 'USD', 'en')).toBe('$0.10');
  });

  it('knows minor digits', () => {
    expect(minorDigits('CNY')).toBe(2);
    expect(minorDigits('JPY')).toBe(0);
    expect(minorDigits('BHD')).toBe(3);
  });

  it.each([
    ['1,234.5', 'CNY', 123450n],
    ['0.01', 'USD', 1n],
    ['12', 'JPY', 12n],
    ['-3', 'USD', -300n],
    ['1.234', 'CNY', undefined],
    ['1.5', 'JPY', undefined],
    ['abc', 'CNY', undefined],
    ['', 'CNY', undefined],
  ])('decimalToMinor(%s, %s)', (text, cur, want) => {
    expect(decimalToMinor(text, cur)).toBe(want);
  });
});
