// The finance dashboard (director, finance; a manager sees its team's, the
// server scopes it): KPI tiles and charts over GET /api/dashboard, filtered
// by team, region and currency (kept in the URL). Every chart shows its
// numbers as a table and exports them as CSV, and so do the payment plans
// and bad debt cards (tables, no chart); clicking an aging bar opens
// the invoice list filtered to that bucket and currency. ECharts is
// imported from here only, so it loads with this route.
import { useMemo, useRef, useState } from 'react';
import { Link, useNavigate, useSearchParams } from 'react-router';
import { AutoComplete, Button, Select, Skeleton, Typography } from 'antd';
import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { api, unwrap } from '../api/client';
import { useSession } from '../auth/session';
import { ErrorView } from '../components/ErrorView';
import { Money } from '../components/Money';
import { formatDate, formatNumber, formatPercent, localeOf } from '../format';
import { ChartCard, type DataColumn } from '../components/dashboard/ChartCard';
import { KpiTiles } from '../components/dashboard/KpiTiles';
import { BadDebtCard, PlansCard } from '../components/dashboard/LifecycleCards';
import {
  agingHref, balances, buckets, currencies, stageLabel, stages, type AgingRow, type Bucket, type Dashboard, type DueRow,
  type OwnerRow, type PromiseRow, type StageRow, type TeamRow,
} from '../components/dashboard/model';
import {
  agingHeight, agingOption, cashHeight, cashOption, dueAt, horizons, ownerLabel, promisesOption, rateLookup, rateOption,
  teamLabel, type Labels,
} from '../components/dashboard/options';
import '../components/dashboard/dashboard.css';
import { CasesTables } from '../components/dashboard/CasesTables';

type Filters = { team?: string; region?: string; currency?: string };

function useDashboard(f: Filters) {
  return useQuery({
    queryKey: ['dashboard', f.team ?? '', f.region ?? '', f.currency ?? ''],
    queryFn: async () => unwrap(await api.GET('/api/dashboard', {
      params: { query: { team: f.team || undefined, region: f.region || undefined, currency: f.currency || undefined } },
    })),
    placeholderData: (prev) => prev,
  });
}

/** useRegions lists the customers' regions, read when the region box is first opened. */
function useRegions(enabled: boolean) {
  return useQuery({
    queryKey: ['dashboard', 'regions'],
    enabled,
    staleTime: 10 * 60_000,
    queryFn: async () => {
      const page = unwrap(await api.GET('/api/customers', { params: { query: { limit: 500 } } }));
      return [...new Set(page.items.map((c) => c.region).filter((r): r is string => !!r))].sort();
    },
  });
}

function FiltersBar({ filters, set, teams, curs }: {
  filters: Filters;
  set: (f: Filters) => void;
  teams: string[];
  curs: string[];
}) {
  const { t } = useTranslation('dashboard');
  const [regionOpen, setRegionOpen] = useState(false);
  const regions = useRegions(regionOpen);
  const [region, setRegion] = useState(filters.region ?? '');
  const applyRegion = (v: string) => {
    const r = v.trim();
    if ((filters.region ?? '') !== r) set({ ...filters, region: r || undefined });
  };
  return (
    <section className="dash-filters" aria-label={t('filters.label')}>
      <div>
        <label htmlFor="dash-team">{t('filters.team')}</label>
        <Select
          id="dash-team"
          style={{ width: 160 }}
          value={filters.team ?? ''}
          onChange={(v: string) => set({ ...filters, team: v || undefined })}
          options={[{ value: '', label: t('filters.allTeams') }, ...teams.map((x) => ({ value: x, label: x }))]}
        />
      </div>
      <div>
        <label htmlFor="dash-region">{t('filters.region')}</label>
        <AutoComplete
          id="dash-region"
          style={{ width: 180 }}
          value={region}
          placeholder={t('filters.allRegions')}
          allowClear
          onFocus={() => setRegionOpen(true)}
          onChange={(v: string) => { setRegion(v ?? ''); if (!v) applyRegion(''); }}
          onSelect={(v: string) => { setRegion(v); applyRegion(v); }}
          onBlur={() => applyRegion(region)}
          onKeyDown={(e) => { if (e.key === 'Enter') applyRegion(region); }}
          options={(regions.data ?? []).map((r) => ({ value: r, label: r }))}
          filterOption={(input, option) => String(option?.value ?? '').toLowerCase().includes(input.toLowerCase())}
        />
      </div>
      <div>
        <label htmlFor="dash-currency">{t('filters.currency')}</label>
        <Select
          id="dash-currency"
          style={{ width: 160 }}
          value={filters.currency ?? ''}
          onChange={(v: string) => set({ ...filters, currency: v || undefined })}
          options={[{ value: '', label: t('filters.allCurrencies') }, ...curs.map((x) => ({ value: x, label: x }))]}
        />
      </div>
      {(filters.team || filters.region || filters.currency) && (
        <Button onClick={() => { setRegion(''); set({}); }}>{t('filters.clear')}</Button>
      )}
    </section>
  );
}

function StagePick({ value, onChange, options, id }: {
  value: string;
  onChange: (v: string) => void;
  options: { value: string; label: string }[];
  id: string;
}) {
  const { t } = useTranslation('dashboard');
  return (
    <span className="stage-pick">
      <label htmlFor={id}>{t('stagePick')}</label>
      <Select id={id} size="small" style={{ minWidth: 150 }} value={value} onChange={onChange} options={options} />
    </span>
  );
}

function Charts({ d }: { d: Dashboard }) {
  const { t, i18n } = useTranslation('dashboard');
  const locale = localeOf(i18n);
  const navigate = useNavigate();
  const curs = useMemo(() => currencies(d), [d]);
  const stageList = useMemo(() => stages(d.recovery_by_stage), [d]);
  const many = new Set(stageList.map((s) => s.workflow)).size > 1;
  const lang = i18n.language;
  const stageOptions = stageList.map((s) => ({ value: s.key, label: stageLabel(s, many, lang) }));
  const [repStage, setRepStage] = useState<string>('');
  const [teamStage, setTeamStage] = useState<string>('');
  const repKey = stageList.some((s) => s.key === repStage) ? repStage : (stageList[0]?.key ?? '');
  const teamKey = stageList.some((s) => s.key === teamStage) ? teamStage : (stageList[0]?.key ?? '');
  const titles = new Map(stageList.map((s) => [s.key, s.node_title]));
  const stageName = (r: { workflow: string; node: string }) => stageLabel({ ...r, node_title: titles.get(`${r.workflow}/${r.node}`) }, many, lang);

  const l: Labels = useMemo(() => ({
    bucket: (b) => t(`bucket.${b}`),
    invoices: (n) => t('invoiceCount', { n: formatNumber(n, locale) }),
    due: t('cash.due'),
    promised: t('cash.promised'),
    planned: t('cash.planned'),
    horizon: (days) => t('cash.horizon', { days }),
    kept: t('col.kept'),
    broken: t('col.broken'),
    pending: t('col.pending'),
    rate: t('col.rate'),
    noOwner: t('noOwner'),
    noTeam: t('noTeam'),
  }), [t]);

  const money = (minor: number, currency: string) => <Money minor={minor} currency={currency} />;
  const pct = (r: number) => formatPercent(r, locale);
  const num = (n: number) => formatNumber(n, locale);

  // Aging
  const agingRows = useMemo(() => {
    const order = new Map(buckets.map((b, i) => [b, i]));
    return [...d.aging].sort((a, b) => a.currency.localeCompare(b.currency) || (order.get(a.bucket) ?? 0) - (order.get(b.bucket) ?? 0));
  }, [d]);
  const agingCols: DataColumn<AgingRow>[] = [
    { key: 'currency', title: t('col.currency'), render: (r) => r.currency, csv: (r) => r.currency },
    { key: 'bucket', title: t('col.bucket'), render: (r) => t(`bucket.${r.bucket}`), csv: (r) => t(`bucket.${r.bucket}`) },
    { key: 'invoices', title: t('col.invoices'), render: (r) => num(r.invoices), csv: (r) => r.invoices, numeric: true },
    { key: 'balance', title: t('col.balance'), render: (r) => money(r.balance_minor, r.currency), csv: (r) => ({ minor: r.balance_minor, currency: r.currency }), numeric: true },
    {
      key: 'link', title: t('col.link'),
      render: (r) => (
        <Link className="dash-link" to={agingHref(r.bucket, r.currency)} aria-label={t('aging.openNamed', { currency: r.currency, bucket: t(`bucket.${r.bucket}`) })}>
          {t('aging.open')}
        </Link>
      ),
      csv: (r) => agingHref(r.bucket, r.currency),
    },
  ];
  const agingOpt = useMemo(() => agingOption(d.aging, curs.filter((c) => d.aging.some((r) => r.currency === c)), l, locale), [d, curs, l, locale]);
  const agingCurs = curs.filter((c) => d.aging.some((r) => r.currency === c));

  // Recovery
  const recoveryCols = <R extends StageRow | OwnerRow | TeamRow>(first: DataColumn<R>[]): DataColumn<R>[] => [
    ...first,
    { key: 'currency', title: t('col.currency'), render: (r) => r.currency, csv: (r) => r.currency },
    { key: 'entered', title: t('col.entered'), render: (r) => num(r.entered), csv: (r) => r.entered, numeric: true },
    { key: 'enteredAmount', title: t('col.enteredAmount'), render: (r) => money(r.entered_minor, r.currency), csv: (r) => ({ minor: r.entered_minor, currency: r.currency }), numeric: true },
    { key: 'recovered', title: t('col.recovered'), render: (r) => num(r.recovered), csv: (r) => r.recovered, numeric: true },
    { key: 'recoveredAmount', title: t('col.recoveredAmount'), render: (r) => money(r.recovered_minor, r.currency), csv: (r) => ({ minor: r.recovered_minor, currency: r.currency }), numeric: true },
    { key: 'rate', title: t('col.rate'), render: (r) => pct(r.rate), csv: (r) => r.rate, numeric: true },
  ];
  const stageCols = recoveryCols<StageRow>([
    { key: 'stage', title: t('col.stage'), render: stageName, csv: (r) => r.node },
    { key: 'workflow', title: t('col.workflow'), render: (r) => r.workflow, csv: (r) => r.workflow },
  ]);
  const stageOpt = useMemo(() => rateOption(
    stageList.map((s) => ({ key: s.key, label: stageLabel(s, many, lang) })), curs.filter((c) => d.recovery_by_stage.some((r) => r.currency === c)),
    rateLookup(d.recovery_by_stage, (r) => `${r.workflow}/${r.node}`, locale), locale, false,
  ), [d, stageList, many, curs, l, locale, lang]);

  const ownerRows = useMemo(() => d.recovery_by_owner.filter((r) => `${r.workflow}/${r.node}` === repKey), [d, repKey]);
  const ownerNames = useMemo(() => new Map(d.recovery_by_owner.map((r) => [r.owner, r.owner_name])), [d]);
  const ownerCats = useMemo(() => [...new Set(ownerRows.map((r) => r.owner))].map((o) => ({ key: o, label: ownerLabel(o, l, ownerNames.get(o)) })), [ownerRows, l, ownerNames]);
  const ownerOpt = useMemo(() => rateOption(ownerCats, curs.filter((c) => ownerRows.some((r) => r.currency === c)),
    rateLookup(ownerRows, (r) => r.owner, locale), locale, true), [ownerCats, ownerRows, curs, l, locale]);
  const ownerCols = recoveryCols<OwnerRow>([
    { key: 'rep', title: t('col.rep'), render: (r) => (r.owner ? (r.owner_name ? `${r.owner_name} (${r.owner})` : r.owner) : t('noOwner')), csv: (r) => r.owner },
    { key: 'team', title: t('col.team'), render: (r) => teamLabel(r.team, l), csv: (r) => r.team },
    { key: 'stage', title: t('col.stage'), render: stageName, csv: (r) => r.node },
  ]);

  const teamRows = useMemo(() => d.recovery_by_team.filter((r) => `${r.workflow}/${r.node}` === teamKey), [d, teamKey]);
  const teamCats = useMemo(() => [...new Set(teamRows.map((r) => r.team))].map((x) => ({ key: x, label: teamLabel(x, l) })), [teamRows, l]);
  const teamOpt = useMemo(() => rateOption(teamCats, curs.filter((c) => teamRows.some((r) => r.currency === c)),
    rateLookup(teamRows, (r) => r.team, locale), locale, true), [teamCats, teamRows, curs, l, locale]);
  const teamCols = recoveryCols<TeamRow>([
    { key: 'team', title: t('col.team'), render: (r) => teamLabel(r.team, l), csv: (r) => r.team },
    { key: 'stage', title: t('col.stage'), render: stageName, csv: (r) => r.node },
  ]);

  // Promises
  const promiseRows = useMemo(() => [...d.promises].sort((a, b) => a.currency.localeCompare(b.currency)), [d]);
  const promiseCols: DataColumn<PromiseRow>[] = [
    { key: 'currency', title: t('col.currency'), render: (r) => r.currency, csv: (r) => r.currency },
    { key: 'kept', title: t('col.kept'), render: (r) => num(r.kept), csv: (r) => r.kept, numeric: true },
    { key: 'keptAmount', title: t('col.keptAmount'), render: (r) => money(r.kept_minor, r.currency), csv: (r) => ({ minor: r.kept_minor, currency: r.currency }), numeric: true },
    { key: 'broken', title: t('col.broken'), render: (r) => num(r.broken), csv: (r) => r.broken, numeric: true },
    { key: 'brokenAmount', title: t('col.brokenAmount'), render: (r) => money(r.broken_minor, r.currency), csv: (r) => ({ minor: r.broken_minor, currency: r.currency }), numeric: true },
    { key: 'pending', title: t('col.pending'), render: (r) => num(r.pending), csv: (r) => r.pending, numeric: true },
    { key: 'pendingAmount', title: t('col.pendingAmount'), render: (r) => money(r.pending_minor, r.currency), csv: (r) => ({ minor: r.pending_minor, currency: r.currency }), numeric: true },
    {
      key: 'keptRate', title: t('col.keptRate'),
      render: (r) => (r.kept + r.broken > 0 ? pct(r.kept / (r.kept + r.broken)) : '—'),
      csv: (r) => (r.kept + r.broken > 0 ? (r.kept / (r.kept + r.broken)).toFixed(4) : ''), numeric: true,
    },
  ];
  const promiseOpt = useMemo(() => promisesOption(d, l, locale), [d, l, locale]);

  // Cash expected
  type CashRow = { key: string; currency: string; series: string; row: DueRow };
  const cashCurs = curs.filter((c) => [d.due_next, d.promised_next, d.planned_next].some((rows) => rows.some((r) => r.currency === c)));
  const cashRows: CashRow[] = useMemo(() => {
    const out: CashRow[] = [];
    for (const cur of cashCurs) {
      for (const [id, rows] of [['due', d.due_next], ['promised', d.promised_next], ['planned', d.planned_next]] as const) {
        const r = rows.find((x) => x.currency === cur);
        out.push({ key: `${cur}|${id}`, currency: cur, series: t(`cash.${id}`), row: r ?? { currency: cur, days_30_minor: 0, days_60_minor: 0, days_90_minor: 0 } });
      }
    }
    return out;
  }, [d, cashCurs.join(','), t]); // eslint-disable-line react-hooks/exhaustive-deps
  const cashCols: DataColumn<CashRow>[] = [
    { key: 'currency', title: t('col.currency'), render: (r) => r.currency, csv: (r) => r.currency },
    { key: 'series', title: t('cash.series'), render: (r) => r.series, csv: (r) => r.series },
    ...horizons.map((h): DataColumn<CashRow> => ({
      key: `d${h}`, title: t(`col.d${h}`), numeric: true,
      render: (r) => money(dueAt(r.row, h), r.currency),
      csv: (r) => ({ minor: dueAt(r.row, h), currency: r.currency }),
    })),
  ];
  const cashOpt = useMemo(() => cashOption(d, cashCurs, l, locale), [d, cashCurs.join(','), l, locale]); // eslint-disable-line react-hooks/exhaustive-deps

  return (
    <div className="chart-grid">
      <ChartCard
        id="chart-aging" title={t('aging.title')} description={t('aging.description')}
        option={agingOpt} height={agingHeight(agingCurs.length)}
        rows={agingRows} columns={agingCols} rowKey={(r) => `${r.currency}|${r.bucket}`} fileBase="aging" date={d.today}
        onChartClick={(p) => {
          const [cur, bucket] = (p.seriesId ?? '').split('|');
          if (cur && bucket && (buckets as readonly string[]).includes(bucket)) navigate(agingHref(bucket as Bucket, cur));
        }}
      />
      <ChartCard
        id="chart-cash" title={t('cash.title')} description={t('cash.description')}
        option={cashOpt} height={cashHeight(cashCurs.length)}
        rows={cashRows} columns={cashCols} rowKey={(r) => r.key} fileBase="cash-expected" date={d.today} empty={t('cash.none')}
      />
      <ChartCard
        id="chart-stage" title={t('stage.title')} description={t('stage.description')}
        option={stageOpt} height={300}
        rows={d.recovery_by_stage} columns={stageCols} rowKey={(r) => `${r.workflow}/${r.node}|${r.currency}`} fileBase="recovery-by-stage" date={d.today}
      />
      <ChartCard
        id="chart-promises" title={t('promises.title')} description={t('promises.description')}
        option={promiseOpt} height={300}
        rows={promiseRows} columns={promiseCols} rowKey={(r) => r.currency} fileBase="promises" date={d.today}
      />
      <CasesTables d={d} />
      <ChartCard
        id="chart-rep" title={t('rep.title')} description={t('rep.description')}
        controls={<StagePick id="rep-stage" value={repKey} onChange={setRepStage} options={stageOptions} />}
        option={ownerOpt} height={Math.max(240, 70 + ownerCats.length * Math.max(1, curs.length) * 18)}
        rows={ownerRows} columns={ownerCols} rowKey={(r) => `${r.owner}|${r.currency}`} fileBase="recovery-by-rep" date={d.today}
      />
      <ChartCard
        id="chart-team" title={t('team.title')} description={t('team.description')}
        controls={<StagePick id="team-stage" value={teamKey} onChange={setTeamStage} options={stageOptions} />}
        option={teamOpt} height={Math.max(240, 70 + teamCats.length * Math.max(1, curs.length) * 22)}
        rows={teamRows} columns={teamCols} rowKey={(r) => `${r.team}|${r.currency}`} fileBase="recovery-by-team" date={d.today}
      />
      <PlansCard d={d} />
      <BadDebtCard d={d} />
    </div>
  );
}

export default function DashboardPage() {
  const { t, i18n } = useTranslation('dashboard');
  const locale = localeOf(i18n);
  const { me } = useSession();
  const [params, setParams] = useSearchParams();
  const filters: Filters = {
    team: params.get('team') || undefined,
    region: params.get('region') || undefined,
    currency: params.get('currency') || undefined,
  };
  const q = useDashboard(filters);
  // The filters' choices: every team and currency seen so far (a filtered
  // answer only holds its own).
  const seenTeams = useRef(new Set<string>());
  const seenCurs = useRef(new Set<string>());
  if (q.data) {
    for (const r of q.data.by_owner) if (r.team) seenTeams.current.add(r.team);
    for (const r of q.data.recovery_by_team) if (r.team) seenTeams.current.add(r.team);
    for (const c of currencies(q.data)) seenCurs.current.add(c);
  }
  if (filters.team) seenTeams.current.add(filters.team);
  if (filters.currency) seenCurs.current.add(filters.currency);

  const setFilters = (f: Filters) => {
    const p = new URLSearchParams();
    if (f.team) p.set('team', f.team);
    if (f.region) p.set('region', f.region);
    if (f.currency) p.set('currency', f.currency);
    setParams(p, { replace: true });
  };

  return (
    <div className="dashboard-page" aria-busy={q.isFetching}>
      <Typography.Title level={1}>{t('title')}</Typography.Title>
      {q.data && (
        <Typography.Paragraph className="dash-note">
          {t('asOf', { today: formatDate(q.data.today, locale), from: formatDate(q.data.window_from, locale) })}
          {me?.user.role === 'sales_manager' && <> {t('scopeTeam')}</>}
        </Typography.Paragraph>
      )}
      <FiltersBar
        key={filters.region ?? ''}
        filters={filters}
        set={setFilters}
        teams={[...seenTeams.current].sort()}
        curs={[...seenCurs.current].sort()}
      />
      {q.isError && <ErrorView error={q.error} onRetry={() => void q.refetch()} />}
      {q.isPending && <Skeleton active paragraph={{ rows: 8 }} />}
      {q.data && (
        <>
          <KpiTiles d={q.data} balances={balances(q.data)} />
          <Charts d={q.data} />
        </>
      )}
    </div>
  );
}
