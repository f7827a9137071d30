// Money arrives as integer minor units plus an ISO 4217 currency. It is
// turned into a decimal string by moving the decimal point (no float ever
// holds the amount) and formatted with Intl.NumberFormat, which formats
// decimal strings exactly.

const digitsCache = new Map<string, number>();

/** minorDigits is the number of minor-unit digits of a currency (CNY 2, JPY 0, BHD 3). */
export function minorDigits(currency: string): number {
  let d = digitsCache.get(currency);
  if (d === undefined) {
    try {
      d = new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2;
    } catch {
      d = 2;
    }
    digitsCache.set(currency, d);
  }
  return d;
}

/** minorToDecimal writes minor units as an exact decimal string: 123456, CNY → "1234.56". */
export function minorToDecimal(minor: number | bigint, currency: string): string {
  const digits = minorDigits(currency);
  const big = typeof minor === 'bigint' ? minor : BigInt(Math.trunc(minor));
  const neg = big < 0n;
  const abs = (neg ? -big : big).toString();
  if (digits === 0) return (neg ? '-' : '') + abs;
  const padded = abs.padStart(digits + 1, '0');
  const whole = padded.slice(0, padded.length - digits);
  const frac = padded.slice(padded.length - digits);
  return `${neg ? '-' : ''}${whole}.${frac}`;
}

/**
 * decimalToMinor parses a decimal the user typed ("1,234.5") into minor units
 * of the currency, or returns undefined when it is not a number or has more
 * decimals than the currency allows. Validation stays on the server; this
 * only lets inputs show and send what was typed.
 */
export function decimalToMinor(text: string, currency: string): bigint | undefined {
  const s = text.replace(/[,\s_]/g, '');
  const m = /^(-?)(\d+)(?:\.(\d*))?$/.exec(s);
  if (!m) return undefined;
  const digits = minorDigits(currency);
  const frac = m[3] ?? '';
  if (frac.length > digits) return undefined;
  const v = BigInt((m[2] ?? '0') + frac.padEnd(digits, '0'));
  return m[1] === '-' ? -v : v;
}

const fmtCache = new Map<string, Intl.NumberFormat>();

function formatter(locale: string, currency: string, compact: boolean): Intl.NumberFormat {
  const key = `${locale}|${currency}|${compact}`;
  let f = fmtCache.get(key);
  if (!f) {
    f = new Intl.NumberFormat(locale, compact
      ? { style: 'currency', currency, notation: 'compact', maximumFractionDigits: 1 }
      : { style: 'currency', currency, minimumFractionDigits: minorDigits(currency), maximumFractionDigits: minorDigits(currency) });
    fmtCache.set(key, f);
  }
  return f;
}

/** formatMoney formats minor units for the locale: 12345678, CNY, en → "CN¥123,456.78". */
export function formatMoney(minor: number | bigint, currency: string, locale: string): string {
  // Intl formats a decimal string exactly (no conversion to a float).
  const f = formatter(locale, currency, false) as Intl.NumberFormat & { format(v: string): string };
  return f.format(minorToDecimal(minor, currency));
}

/** formatMoneyCompact is for chart axes: "CN¥1.2M"; never for amounts a person acts on. */
export function formatMoneyCompact(minor: number | bigint, currency: string, locale: string): string {
  const f = formatter(locale, currency, true) as Intl.NumberFormat & { format(v: string): string };
  return f.format(minorToDecimal(minor, currency));
}
