// What happens to invoices late in their life: payment plans per currency
// (how the running ones stand, how many broke or were completed, paid of
// planned) and bad debt per month (written off, recovered, net, credit
// notes). Amounts stay integer minor units in their own currency.
import { useMemo } from 'react';
import { Progress } from 'antd';
import { Trans, useTranslation } from 'react-i18next';
import { Money } from '../Money';
import { formatMonth, formatNumber, formatPercent, localeOf } from '../../format';
import type { DataColumn } from './ChartCard';
import { TableCard } from './TableCard';
import { badDebtLines, badDebtTotals, paidShare, plansSorted, type BadDebtLine, type Dashboard, type PlanRow } from './model';

const statuses = ['on_track', 'late', 'broken', 'completed'] as const;

export function PlansCard({ d }: { d: Dashboard }) {
  const { t, i18n } = useTranslation('dashboard');
  const locale = localeOf(i18n);
  const rows = useMemo(() => plansSorted(d.plans), [d]);
  const num = (n: number) => formatNumber(n, locale);
  const cols: DataColumn<PlanRow>[] = [
    { key: 'currency', title: t('col.currency'), render: (r) => r.currency, csv: (r) => r.currency },
    ...statuses.map((s): DataColumn<PlanRow> => ({ key: s, title: t(`plans.${s}`), render: (r) => num(r[s]), csv: (r) => r[s], numeric: true })),
    { key: 'arrears', title: t('plans.arrears'), render: (r) => <Money minor={r.arrears_minor} currency={r.currency} />, csv: (r) => ({ minor: r.arrears_minor, currency: r.currency }), numeric: true },
    { key: 'planned', title: t('plans.planned'), render: (r) => <Money minor={r.planned_minor} currency={r.currency} />, csv: (r) => ({ minor: r.planned_minor, currency: r.currency }), numeric: true },
    { key: 'paid', title: t('plans.paid'), render: (r) => <Money minor={r.paid_minor} currency={r.currency} />, csv: (r) => ({ minor: r.paid_minor, currency: r.currency }), numeric: true },
    {
      key: 'share', title: t('plans.share'), numeric: true,
      render: (r) => (r.planned_minor > 0 ? formatPercent(paidShare(r.paid_minor, r.planned_minor) / 100, locale) : '—'),
      csv: (r) => (r.planned_minor > 0 ? (paidShare(r.paid_minor, r.planned_minor) / 100).toFixed(3) : ''),
    },
  ];
  const summary = (
    <div className="plan-list">
      {rows.map((r) => {
        const share = paidShare(r.paid_minor, r.planned_minor);
        const headId = `plan-${r.currency}`;
        return (
          <section key={r.currency} className="plan-cur" aria-labelledby={headId} data-testid={`plans-${r.currency}`}>
            <h3 id={headId}>{r.currency}</h3>
            <dl className="plan-counts">
              {statuses.map((s) => (
                <div key={s} className={`plan-count plan-${s}`}>
                  <dt><span className="plan-dot" aria-hidden />{t(`plans.${s}`)}</dt>
                  <dd>{num(r[s])}</dd>
                </div>
              ))}
            </dl>
            <div className="plan-money">
              <Trans t={t} i18nKey="plans.arrearsIs" components={[<Money key="a" minor={r.arrears_minor} currency={r.currency} strong={r.arrears_minor > 0} />]} />
            </div>
            {r.planned_minor > 0 ? (
              <>
                <Progress
                  percent={share}
                  showInfo={false}
                  size="small"
                  strokeColor="#3f8f5a"
                  aria-label={t('plans.progressNamed', { currency: r.currency })}
                  aria-valuetext={formatPercent(share / 100, locale)}
                />
                <div className="plan-paid">
                  <Trans
                    t={t}
                    i18nKey="plans.paidOf"
                    values={{ share: formatPercent(share / 100, locale) }}
                    components={[<Money key="p" minor={r.paid_minor} currency={r.currency} />, <Money key="t" minor={r.planned_minor} currency={r.currency} />]}
                  />
                </div>
              </>
            ) : (
              <div className="plan-paid">{t('plans.noneRunning')}</div>
            )}
          </section>
        );
      })}
    </div>
  );
  return (
    <TableCard
      id="card-plans" title={t('plans.title')} description={t('plans.description')}
      summary={summary} toggle
      rows={rows} columns={cols} rowKey={(r) => r.currency} fileBase="payment-plans" date={d.today} empty={t('plans.none')}
    />
  );
}

export function BadDebtCard({ d }: { d: Dashboard }) {
  const { t, i18n } = useTranslation('dashboard');
  const locale = localeOf(i18n);
  const rows = useMemo(() => badDebtLines(d.bad_debt), [d]);
  const totals = useMemo(() => badDebtTotals(d.bad_debt), [d]);
  const m = (minor: number | bigint, currency: string) => <Money minor={minor} currency={currency} />;
  const cols: DataColumn<BadDebtLine>[] = [
    { key: 'month', title: t('badDebt.month'), render: (r) => formatMonth(r.month, locale), csv: (r) => r.month },
    { key: 'currency', title: t('col.currency'), render: (r) => r.currency, csv: (r) => r.currency },
    { key: 'writeOffs', title: t('badDebt.writeOffs'), render: (r) => formatNumber(r.write_offs, locale), csv: (r) => r.write_offs, numeric: true },
    { key: 'writtenOff', title: t('badDebt.writtenOff'), render: (r) => m(r.written_off_minor, r.currency), csv: (r) => ({ minor: r.written_off_minor, currency: r.currency }), numeric: true },
    { key: 'recovered', title: t('badDebt.recovered'), render: (r) => m(r.recovered_minor, r.currency), csv: (r) => ({ minor: r.recovered_minor, currency: r.currency }), numeric: true },
    { key: 'net', title: t('badDebt.net'), render: (r) => m(r.net, r.currency), csv: (r) => ({ minor: r.net, currency: r.currency }), numeric: true },
    { key: 'creditNotes', title: t('badDebt.creditNotes'), render: (r) => m(r.credit_notes_minor, r.currency), csv: (r) => ({ minor: r.credit_notes_minor, currency: r.currency }), numeric: true },
  ];
  const summary = (
    <div className="bad-debt-totals">
      {totals.map((x) => (
        <section key={x.currency} className="bad-debt-total" aria-labelledby={`bad-debt-${x.currency}`} data-testid={`bad-debt-${x.currency}`}>
          <h3 id={`bad-debt-${x.currency}`}>{t('badDebt.totalNamed', { currency: x.currency })}</h3>
          <dl>
            <div><dt>{t('badDebt.writtenOff')}</dt><dd>{m(x.writtenOff, x.currency)}</dd></div>
            <div><dt>{t('badDebt.recovered')}</dt><dd>{m(x.recovered, x.currency)}</dd></div>
            <div><dt>{t('badDebt.net')}</dt><dd><Money minor={x.net} currency={x.currency} strong /></dd></div>
            <div><dt>{t('badDebt.creditNotes')}</dt><dd>{m(x.creditNotes, x.currency)}</dd></div>
          </dl>
        </section>
      ))}
    </div>
  );
  return (
    <TableCard
      id="card-bad-debt" title={t('badDebt.title')} description={t('badDebt.description')}
      summary={summary}
      rows={rows} columns={cols} rowKey={(r) => r.key} fileBase="bad-debt" date={d.today} empty={t('badDebt.none')}
    />
  );
}
