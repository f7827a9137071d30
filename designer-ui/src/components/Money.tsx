import { useTranslation } from 'react-i18next';
import { formatMoney } from '../money';
import { localeOf } from '../format';

/** Money shows integer minor units in their currency, formatted for the user's language. */
export function Money({ minor, currency, strong }: { minor: number | bigint; currency: string; strong?: boolean }) {
  const { i18n } = useTranslation();
  const text = formatMoney(minor, currency, localeOf(i18n));
  return strong ? <strong className="money">{text}</strong> : <span className="money">{text}</span>;
}
