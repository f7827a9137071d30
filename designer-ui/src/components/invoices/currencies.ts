// The currency filter's choices: the ISO 4217 codes the browser knows, each
// with its name in the user's language ("USD · US Dollar", "USD · 美元"),
// so that a user can type either. The server decides what a code matches.

const cache = new Map<string, { value: string; label: string }[]>();

/** currencyOptions lists the ISO 4217 codes with their names in locale, by code; extra codes (one from the URL) are kept too. */
export function currencyOptions(locale: string, extra?: string): { value: string; label: string }[] {
  let list = cache.get(locale);
  if (!list) {
    let codes: string[];
    try {
      codes = Intl.supportedValuesOf('currency');
    } catch {
      codes = ['CNY', 'EUR', 'GBP', 'HKD', 'JPY', 'USD'];
    }
    let names: Intl.DisplayNames | undefined;
    try {
      names = new Intl.DisplayNames([locale], { type: 'currency' });
    } catch {
      names = undefined;
    }
    list = [...codes].sort().map((code) => {
      const name = names?.of(code);
      return { value: code, label: name && name !== code ? `${code} · ${name}` : code };
    });
    cache.set(locale, list);
  }
  if (extra && !list.some((o) => o.value === extra)) return [{ value: extra, label: extra }, ...list];
  return list;
}
