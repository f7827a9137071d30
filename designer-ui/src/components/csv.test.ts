import { describe, expect, it } from 'vitest';
import { csvField, csvFileName, toCsv, type CsvColumn } from './csv';

describe('csv', () => {
  it('quotes commas, quotes, line breaks and edge spaces (RFC 4180)', () => {
    expect(csvField('plain')).toBe('plain');
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('two\nlines')).toBe('"two\nlines"');
    expect(csvField('cr\r\n')).toBe('"cr\r\n"');
    expect(csvField(' padded ')).toBe('" padded "');
    expect(csvField('东方物流有限公司')).toBe('东方物流有限公司');
    expect(csvField(undefined)).toBe('');
    expect(csvField(null)).toBe('');
    expect(csvField(42)).toBe('42');
    expect(csvField(0.0756)).toBe('0.0756');
    expect(csvField(true)).toBe('true');
  });

  it('writes money as an exact decimal in the currency\'s minor digits', () => {
    expect(csvField({ minor: 953921, currency: 'CNY' })).toBe('9539.21');
    expect(csvField({ minor: 5, currency: 'USD' })).toBe('0.05');
    expect(csvField({ minor: -120, currency: 'USD' })).toBe('-1.20');
    expect(csvField({ minor: 1234, currency: 'JPY' })).toBe('1234');
    expect(csvField({ minor: 1234567, currency: 'BHD' })).toBe('1234.567');
    // beyond 2^53: exact through BigInt, never a float
    expect(csvField({ minor: 9007199254740993n, currency: 'CNY' })).toBe('90071992547409.93');
  });

  it('defuses texts a spreadsheet would run as formulas', () => {
    expect(csvField('=HYPERLINK("x")')).toBe('"\'=HYPERLINK(""x"")"');
    expect(csvField('@SUM(A1)')).toBe("'@SUM(A1)");
    expect(csvField(-3)).toBe('-3');
  });

  it('writes a header and one CRLF line per row', () => {
    type Row = { name: string; minor: number; currency: string };
    const cols: CsvColumn<Row>[] = [
      { header: 'Customer, name', value: (r) => r.name },
      { header: 'Amount', value: (r) => ({ minor: r.minor, currency: r.currency }) },
      { header: 'Currency', value: (r) => r.currency },
    ];
    expect(toCsv(cols, [{ name: 'Acme "1"', minor: 100050, currency: 'USD' }, { name: '新达', minor: 7, currency: 'CNY' }]))
      .toBe('"Customer, name",Amount,Currency\r\n"Acme ""1""",1000.50,USD\r\n新达,0.07,CNY\r\n');
  });

  it('makes safe file names', () => {
    expect(csvFileName('Aging by bucket', '2026-12-07')).toBe('Aging-by-bucket-2026-12-07.csv');
    expect(csvFileName('账龄/分布')).toBe('账龄-分布.csv');
    expect(csvFileName('///')).toBe('export.csv');
  });
});
