// A workflow's simulation drawn on its graph: the simulate panel (invoices,
// dates, answered tasks) and, above its results, the graph with the
// invoices in each stage on the chosen day.
import { useMemo, useState } from 'react';
import { Space, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { SimulatePanel } from './SimulatePanel';
import { positionsOnDay } from './simulation';
import { WorkflowGraph, useWorkflowModel, type NodePositions } from './workflow';
import type { Schemas } from '../api/client';

type Simulation = Schemas['Simulation'];

export function WorkflowSimulation({ name, version, dirty, source }: { name: string; version: number | undefined; dirty: boolean; source: string }) {
  const { t } = useTranslation('designer');
  const parsed = useWorkflowModel(source);
  const [sim, setSim] = useState<Simulation>();
  const [day, setDay] = useState<string>();
  const shownDay = day ?? sim?.to;
  const positions = useMemo<NodePositions | undefined>(() => {
    if (!sim || !shownDay) return undefined;
    const byNode = positionsOnDay(sim, shownDay, name);
    return Object.fromEntries(Object.entries(byNode).map(([node, invoices]) => [node, { invoices }]));
  }, [sim, shownDay, name]);
  return (
    <Space orientation="vertical" style={{ width: '100%' }}>
      {sim && parsed.model && shownDay && (
        <section aria-label={t('simulate.onGraph', { day: shownDay })}>
          <Typography.Title level={3} className="designer-h3">{t('simulate.onGraph', { day: shownDay })}</Typography.Title>
          <WorkflowGraph model={parsed.model} positions={positions} height={320} />
        </section>
      )}
      <SimulatePanel kind="Workflow" name={name} version={version} dirty={dirty} source={source}
        onSimulation={(s) => { setSim(s); setDay(undefined); }} onDay={setDay} />
    </Space>
  );
}
