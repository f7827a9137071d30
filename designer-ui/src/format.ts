// Dates and numbers in the user's locale. Calendar dates (YYYY-MM-DD) are
// civil dates in the company's zone: they are formatted as they are, never
// shifted through the browser's zone. Instants are shown in the company's
// zone with the zone named.
import type { i18n as I18n } from 'i18next';

/** formatDate formats a civil date "2027-01-15" without moving it across zones. */
export function formatDate(date: string | undefined, locale: string): string {
  if (!date) return '';
  const m = /^(\d{4})-(\d{2})-(\d{2})/.exec(date);
  if (!m) return date;
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return new Intl.DateTimeFormat(locale, { year: 'numeric', month: 'short', day: 'numeric', timeZone: 'UTC' }).format(d);
}

/** formatMonth formats a calendar month "2026-12" as "Dec 2026" / "2026年12月", without moving it across zones. */
export function formatMonth(month: string, locale: string): string {
  const m = /^(\d{4})-(\d{2})$/.exec(month);
  if (!m) return month;
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, 1));
  return new Intl.DateTimeFormat(locale, { year: 'numeric', month: 'short', timeZone: 'UTC' }).format(d);
}

/** formatInstant formats an RFC 3339 instant in a time zone (the company's), naming the zone. */
export function formatInstant(at: string | undefined, locale: string, timeZone?: string): string {
  if (!at) return '';
  const d = new Date(at);
  if (Number.isNaN(d.getTime())) return at;
  return new Intl.DateTimeFormat(locale, {
    year: 'numeric', month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit',
    timeZone, timeZoneName: 'short',
  }).format(d);
}

/** formatNumber formats a count or ratio for the locale. */
export function formatNumber(n: number, locale: string, opts?: Intl.NumberFormatOptions): string {
  return new Intl.NumberFormat(locale, opts).format(n);
}

/** formatPercent formats a ratio 0.1234 as "12.3%". */
export function formatPercent(ratio: number, locale: string): string {
  return new Intl.NumberFormat(locale, { style: 'percent', maximumFractionDigits: 1 }).format(ratio);
}

/** localeOf is the BCP 47 tag for Intl from the app's language. */
export function localeOf(i18n: I18n): string {
  return i18n.language === 'zh-CN' ? 'zh-CN' : 'en';
}
