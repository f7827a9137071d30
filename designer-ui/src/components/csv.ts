// CSV export of a table's rows (RFC 4180): fields with a comma, a quote, a
// line break or edge spaces are quoted and their quotes doubled; lines end
// with CRLF; the file starts with a UTF-8 byte order mark so that Excel opens
// Chinese text correctly. Money is written as an exact decimal in its
// currency's minor digits ("9539.21"), from integer minor units, never
// through a float, with its currency in a column of its own. A text that a
// spreadsheet would run as a formula (=, +, -, @ first) is prefixed with '.
import { minorToDecimal } from '../money';

/** CsvMoney is an amount in minor units of a currency, written as "1234.56". */
export interface CsvMoney {
  minor: number | bigint;
  currency: string;
}

export type CsvValue = string | number | bigint | boolean | null | undefined | CsvMoney;

export interface CsvColumn<R> {
  header: string;
  value: (row: R) => CsvValue;
}

function isMoney(v: CsvValue): v is CsvMoney {
  return typeof v === 'object' && v !== null && 'minor' in v && 'currency' in v;
}

/** csvField writes one value as a CSV field, quoted when needed. */
export function csvField(v: CsvValue): string {
  let s: string;
  if (v === null || v === undefined) s = '';
  else if (isMoney(v)) s = minorToDecimal(v.minor, v.currency);
  else if (typeof v === 'number') s = Number.isFinite(v) ? String(v) : '';
  else if (typeof v === 'bigint' || typeof v === 'boolean') s = String(v);
  else {
    s = v;
    if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  }
  if (/[",\r\n]/.test(s) || /^\s|\s$/.test(s)) return `"${s.replace(/"/g, '""')}"`;
  return s;
}

/** toCsv writes a header line and one line per row. */
export function toCsv<R>(columns: readonly CsvColumn<R>[], rows: readonly R[]): string {
  const lines = [columns.map((c) => csvField(c.header)).join(',')];
  for (const r of rows) lines.push(columns.map((c) => csvField(c.value(r))).join(','));
  return lines.join('\r\n') + '\r\n';
}

/** csvFileName makes a safe file name: "aging" → "aging-2026-12-07.csv". */
export function csvFileName(base: string, date?: string): string {
  const safe = base.replace(/[^\p{L}\p{N}_-]+/gu, '-').replace(/^-+|-+$/g, '') || 'export';
  return `${safe}${date ? `-${date}` : ''}.csv`;
}

/** downloadCsv hands the text to the browser as a file download. */
export function downloadCsv(fileName: string, csv: string): void {
  const blob = new Blob(['\uFEFF', csv], { type: 'text/csv;charset=utf-8' });
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = fileName;
  a.style.display = 'none';
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
