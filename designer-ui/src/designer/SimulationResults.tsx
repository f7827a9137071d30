// A simulation's answer drawn for reading: the effects by kind over the
// range, each invoice's stages as a strip of days (with the stretches
// written out beside it for reading and for screen readers), where every
// invoice stands on a chosen day (positionsOnDay, as the graph draws it),
// and every day's effects, folded.
import { useId, useMemo, useState } from 'react';
import { Collapse, Empty, Input, Table, Typography } from 'antd';
import { Link } from 'react-router';
import { useTranslation } from 'react-i18next';
import { formatDate, localeOf } from '../format';
import { formatMoney } from '../money';
import { daysBetween, positionsOnDay, readEffect, stageTimeline, type Segment, type SimEffect, type Simulation } from './simulation';
import './simulate.css';

const palette = ['#1f5fbf', '#8a5a00', '#2b6a0c', '#a8071a', '#531dab', '#006d75', '#ad2102', '#614700', '#0b57c5', '#5b5b5b'];

function invoicePath(n: string) {
  return `/invoices/${encodeURIComponent(n)}`;
}

/** useDescribe says what an effect does in one line. */
function useDescribe() {
  const { t, i18n } = useTranslation('designerSim');
  const locale = localeOf(i18n);
  return (e: SimEffect): string => {
    const amount = e.amount ? formatMoney(e.amount.minor, e.amount.currency, locale) : '';
    switch (e.kind) {
      case 'node': {
        const ev = t(`event.${e.event ?? ''}`, { defaultValue: e.event ?? '' });
        return [e.node, ev, e.reason].filter(Boolean).join(' · ');
      }
      case 'set':
        return `${e.field ?? ''} = ${e.value ?? ''}`;
      case 'notify':
        return [e.channel, e.to ?? e.toRole, e.template, e.subject].filter(Boolean).join(' · ');
      case 'task':
      case 'approval':
        return [e.title, e.assignee ?? e.role].filter(Boolean).join(' → ');
      case 'escalation':
        return t('effectEscalated', { to: e.role ?? e.assignee ?? '' });
      default:
        return [amount, e.title, e.reason, e.workflow && e.kind === 'start_workflow' ? e.workflow : ''].filter(Boolean).join(' · ');
    }
  };
}

export interface SimulationResultsProps {
  simulation: Simulation;
  /** only this workflow's stages (a workflow's designer); all workflows otherwise */
  workflow?: string;
  /** the nodes in the workflow's order, for the colours and the legend */
  nodeOrder?: string[];
  /** sees the day chosen under "where the invoices are on" */
  onDay?(date: string): void;
}

export function SimulationResults({ simulation, workflow, nodeOrder = [], onDay }: SimulationResultsProps) {
  const { t, i18n } = useTranslation('designerSim');
  const locale = localeOf(i18n);
  const describe = useDescribe();
  const dayId = useId();
  const timeline = useMemo(() => stageTimeline(simulation, workflow), [simulation, workflow]);
  const total = daysBetween(simulation.from, simulation.to) + 1;
  const multi = new Set(timeline.flatMap((r) => r.segments.map((s) => s.workflow))).size > 1;
  const nodes = useMemo(() => {
    const seen = [...nodeOrder];
    for (const r of timeline) for (const s of r.segments) if (!seen.includes(s.node)) seen.push(s.node);
    return seen;
  }, [timeline, nodeOrder]);
  const colour = (node: string) => palette[Math.max(0, nodes.indexOf(node)) % palette.length];
  const [day, setDay] = useState(simulation.from);
  const positions = positionsOnDay(simulation, day, workflow);
  const status = (s: Segment) => (s.status === 'running' ? '' : ` (${t(`status.${s.status}`)})`);
  const segName = (s: Segment) => (multi ? `${s.workflow}/${s.node}` : s.node);
  const kinds = Object.entries(simulation.totals).sort(([a], [b]) => a.localeCompare(b));

  return (
    <div className="sim-results">
      <Typography.Title level={3} className="designer-h3">{t('results.title', { from: formatDate(simulation.from, locale), to: formatDate(simulation.to, locale) })}</Typography.Title>
      <Table size="small" pagination={false} rowKey="kind" aria-label={t('results.totals')}
        locale={{ emptyText: t('results.noEffects') }}
        dataSource={kinds.map(([kind, count]) => ({ kind, count }))}
        columns={[
          { key: 'kind', title: t('results.effect'), render: (_, r) => t(`designer:effect.${r.kind}`, { defaultValue: r.kind }) },
          { key: 'count', title: t('results.count'), align: 'right', dataIndex: 'count' },
        ]} />

      <section aria-label={t('results.stages')}>
        <Typography.Title level={3} className="designer-h3">{t('results.stages')}</Typography.Title>
        {timeline.length === 0 ? <Empty description={t('results.noStages')} image={Empty.PRESENTED_IMAGE_SIMPLE} /> : (
          <>
            <div className="sim-legend" aria-hidden="true">
              {nodes.map((n) => <span key={n}><span className="sim-swatch" style={{ background: colour(n) }} />{n}</span>)}
            </div>
            {timeline.map((r) => (
              <div key={r.invoice} className="sim-strip-row">
                <Link to={invoicePath(r.invoice)} className="designer-code">{r.invoice}</Link>
                <div>
                  <div className="sim-strip" aria-hidden="true">
                    {r.segments.length > 0 && daysBetween(simulation.from, r.segments[0]?.from ?? simulation.from) > 0 && (
                      <span style={{ flex: daysBetween(simulation.from, r.segments[0]?.from ?? simulation.from) }} />
                    )}
                    {r.segments.map((s, i) => {
                      const next = r.segments[i + 1];
                      const gap = next ? daysBetween(s.to, next.from) - 1 : daysBetween(s.to, simulation.to);
                      return [
                        <span key={`s${i}`} className={`sim-seg sim-seg-${s.status}`} style={{ flex: s.days, background: colour(s.node) }}
                          title={`${segName(s)}${status(s)}: ${formatDate(s.from, locale)} – ${formatDate(s.to, locale)}`}>{s.node}</span>,
                        gap > 0 ? <span key={`g${i}`} style={{ flex: gap }} /> : null,
                      ];
                    })}
                  </div>
                  <ul className="sim-seg-list" aria-label={t('results.stagesOf', { invoice: r.invoice })}>
                    {r.segments.map((s, i) => (
                      <li key={i}>{t('results.segment', { node: segName(s) + status(s), from: formatDate(s.from, locale), to: formatDate(s.to, locale), count: s.days })}</li>
                    ))}
                    {r.segments.length === 0 && <li>{t('results.neverInNode')}</li>}
                  </ul>
                </div>
              </div>
            ))}
            <div className="sim-field" style={{ marginTop: 12, maxWidth: 260 }}>
              <label htmlFor={dayId} className="designer-label">{t('results.onDay')}</label>
              <Input id={dayId} type="date" value={day} min={simulation.from} max={simulation.to}
                onChange={(e) => {
                  if (!e.target.value) return;
                  setDay(e.target.value);
                  onDay?.(e.target.value);
                }} />
            </div>
            <ul className="sim-positions" aria-label={t('results.positionsOn', { day: formatDate(day, locale) })}>
              {Object.keys(positions).length === 0 && <li className="designer-muted">{t('results.nobody')}</li>}
              {[...Object.keys(positions)].sort((a, b) => nodes.indexOf(a) - nodes.indexOf(b)).map((n) => (
                <li key={n}><span className="sim-swatch" style={{ background: colour(n) }} /><span className="designer-label">{n}</span>: {(positions[n] ?? []).join(', ')}</li>
              ))}
            </ul>
          </>
        )}
      </section>

      <section aria-label={t('results.byDay')}>
        <Typography.Title level={3} className="designer-h3">{t('results.byDay')}</Typography.Title>
        {simulation.days.length === 0 ? <Empty description={t('results.noEffects')} image={Empty.PRESENTED_IMAGE_SIMPLE} /> : (
          <Collapse size="small" items={simulation.days.map((d) => {
            const effects = d.effects.map(readEffect);
            return {
              key: d.date,
              label: t('results.dayHead', { day: formatDate(d.date, locale), n: daysBetween(simulation.from, d.date) + 1, total, count: effects.length }),
              children: (
                <Table<SimEffect & { i: number }> size="small" pagination={false} rowKey="i" scroll={{ x: true }}
                  aria-label={t('results.effectsOn', { day: formatDate(d.date, locale) })}
                  dataSource={effects.map((e, i) => ({ ...e, i }))}
                  columns={[
                    { key: 'invoice', title: t('results.invoice'), render: (_, e) => <Link to={invoicePath(e.invoice)}>{e.invoice}</Link> },
                    { key: 'kind', title: t('results.effect'), render: (_, e) => t(`designer:effect.${e.kind}`, { defaultValue: e.kind }) },
                    { key: 'rule', title: t('results.source'), render: (_, e) => <span className="designer-code">{e.rule}</span> },
                    { key: 'what', title: t('results.what'), render: (_, e) => describe(e) },
                  ]} />
              ),
            };
          })} />
        )}
      </section>
    </div>
  );
}
