// The dashboard's key figures, each currency on its own line (amounts are
// never added across currencies).
import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { formatMoney } from '../../money';
import { formatNumber, formatPercent, localeOf } from '../../format';
import { promiseCounts, type CurrencyBalance, type Dashboard } from './model';

function Tile({ id, title, children, sub }: { id: string; title: string; children: ReactNode; sub?: ReactNode }) {
  return (
    <section className="kpi-tile" aria-labelledby={`kpi-${id}`} data-testid={`kpi-${id}`}>
      <h2 id={`kpi-${id}`}>{title}</h2>
      {children}
      {sub && <div className="kpi-sub">{sub}</div>}
    </section>
  );
}

export function KpiTiles({ d, balances }: { d: Dashboard; balances: CurrencyBalance[] }) {
  const { t, i18n } = useTranslation('dashboard');
  const locale = localeOf(i18n);
  const p = promiseCounts(d);
  const dso = [...d.dso].sort((a, b) => a.currency.localeCompare(b.currency));
  const openCount = balances.reduce((n, b) => n + b.invoices, 0);
  const overdueCount = balances.reduce((n, b) => n + b.overdueInvoices, 0);
  return (
    <div className="kpi-grid">
      <Tile id="open" title={t('kpi.open')} sub={t('kpi.openSub', { n: formatNumber(openCount, locale) })}>
        {balances.length === 0 && <div className="kpi-value">{t('kpi.none')}</div>}
        {balances.map((b) => (
          <div key={b.currency} className="kpi-value money">{formatMoney(b.open, b.currency, locale)}</div>
        ))}
      </Tile>
      <Tile id="overdue" title={t('kpi.overdueShare')} sub={t('kpi.overdueSub', { n: formatNumber(overdueCount, locale) })}>
        {balances.length === 0 && <div className="kpi-value">—</div>}
        {balances.map((b) => (
          <div key={b.currency} className="kpi-value">
            {formatPercent(b.overdueShare, locale)}<span className="kpi-cur">{b.currency}</span>
          </div>
        ))}
      </Tile>
      <Tile id="dso" title={t('kpi.dso')}>
        {dso.length === 0 && <div className="kpi-value">—</div>}
        {dso.map((r) => (
          <div key={r.currency} className="kpi-value">
            {t('kpi.dsoDays', { days: formatNumber(r.days, locale, { maximumFractionDigits: 1 }) })}<span className="kpi-cur">{r.currency}</span>
          </div>
        ))}
      </Tile>
      <Tile
        id="promises"
        title={t('kpi.promiseRate')}
        sub={t('kpi.promiseSub', { kept: formatNumber(p.kept, locale), broken: formatNumber(p.broken, locale), pending: formatNumber(p.pending, locale) })}
      >
        <div className="kpi-value">{p.keptRate === undefined ? t('kpi.noPromises') : formatPercent(p.keptRate, locale)}</div>
      </Tile>
      <Tile id="tasks" title={t('kpi.overdueTasks')} sub={t('kpi.tasksSub', { open: formatNumber(d.tasks_open, locale) })}>
        <div className="kpi-value">{formatNumber(d.tasks_overdue, locale)}</div>
      </Tile>
    </div>
  );
}
