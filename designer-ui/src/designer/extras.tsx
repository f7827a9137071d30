// What the designer shows beyond the text for each kind: the picture (a
// workflow's graph, a form's fields), the tabs that try a definition on live
// data (a rule on an invoice, a template rendered, a simulation, the test
// cases) and what a comparison of two versions adds.
import type { ReactNode } from 'react';
import { Space, Tag } from 'antd';
import { useTranslation } from 'react-i18next';
import type { Kind, Language, Problem } from './data';
import { WorkflowPicture } from './WorkflowPicture';
import { WorkflowGraph, compareWorkflows, parseWorkflow } from './workflow';
import { FormDesigner } from './form/FormDesigner';
import { tryTabs } from './tryTabs';
import { simulationTabs } from './simulationTabs';
import { TestsSummary } from './TestsPanel';
import { WorkflowSimulation } from './WorkflowSimulation';

export interface ExtrasInput {
  kind: Kind;
  name: string;
  text: string;
  setText(text: string): void;
  problems: Problem[];
  language: Language | undefined;
  readOnly: boolean;
  /** the saved version the text is based on (what try, render and tests run) */
  version: number | undefined;
  /** the text differs from that version */
  dirty: boolean;
  onSelectProblem(line: number, column: number): void;
}

export interface Extras {
  picture?: ReactNode;
  tabs: { key: string; label: string; children: ReactNode }[];
  compareExtra?: (a: string, b: string) => ReactNode;
  testsForPublish?: (version: number) => ReactNode;
}

/** WorkflowCompare draws both versions with the nodes added, changed and removed highlighted. */
function WorkflowCompare({ a, b }: { a: string; b: string }) {
  const { t } = useTranslation('designer');
  const older = parseWorkflow(a).model;
  const newer = parseWorkflow(b).model;
  if (!older || !newer) return null;
  const diff = compareWorkflows(older, newer);
  return (
    <Space orientation="vertical" style={{ width: '100%' }} className="designer-graph-compare">
      <Space wrap aria-live="polite">
        <Tag color="#2b6a0c">{t('compare.added', { count: diff.added.length })}</Tag>
        <Tag color="#8a5a00">{t('compare.changed', { count: diff.changed.length })}</Tag>
        <Tag color="#a8071a">{t('compare.removed', { count: diff.removed.length })}</Tag>
      </Space>
      <div className="designer-split">
        <section aria-label={t('compare.older')}><WorkflowGraph model={older} highlight={{ changed: diff.changed, removed: diff.removed }} height={300} /></section>
        <section aria-label={t('compare.newer')}><WorkflowGraph model={newer} highlight={{ added: diff.added, changed: diff.changed }} height={300} /></section>
      </div>
    </Space>
  );
}

export function useDesignerExtras(input: ExtrasInput): Extras {
  const { kind, name, text, setText, problems, readOnly, version, dirty } = input;
  const placed = problems.filter((p) => !p.source && p.line).map((p) => ({ line: p.line ?? 1, column: p.column ?? 1, message: p.message }));
  // a workflow's simulation is drawn on its graph
  const tabs = [...tryTabs({ kind, name, version, dirty }), ...simulationTabs({ kind, name, version, dirty, source: text }).map((tab) =>
    kind === 'Workflow' && tab.key === 'simulate' ? { ...tab, children: <WorkflowSimulation name={name} version={version} dirty={dirty} source={text} /> } : tab)];
  const testsForPublish = (v: number) => <TestsSummary kind={kind} name={name} version={v} />;
  switch (kind) {
    case 'Workflow':
      return {
        picture: <WorkflowPicture text={text} setText={setText} problems={problems} readOnly={readOnly} environment={input.language?.environment} />,
        tabs,
        compareExtra: (a, b) => <WorkflowCompare a={a} b={b} />,
        testsForPublish,
      };
    case 'Form':
      return { picture: <FormDesigner source={text} onSourceChange={setText} problems={placed} readOnly={readOnly} />, tabs, testsForPublish };
    default:
      return { tabs, testsForPublish };
  }
}
