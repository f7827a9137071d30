// The designer's tabs that run a saved version before it is published: the
// simulation (for workflows and rules, whose effects it replays) and the
// test cases (every kind). The designer page adds them to its own.
import type { ReactNode } from 'react';
import i18next from 'i18next';
import type { Kind } from './data';
import { SimulatePanel } from './SimulatePanel';
import { TestsPanel } from './TestsPanel';

export interface SimulationTabsInput {
  kind: Kind;
  name: string;
  /** the saved version the editor is based on; undefined before the first save */
  version: number | undefined;
  /** the editor holds changes not saved yet */
  dirty: boolean;
  /** the YAML text in the editor */
  source: string;
}

/** simulationTabs returns the "simulate" tab (Workflow, Rule) and the "tests" tab (every kind). */
export function simulationTabs({ kind, name, version, dirty, source }: SimulationTabsInput): { key: string; label: string; children: ReactNode }[] {
  const tabs: { key: string; label: string; children: ReactNode }[] = [];
  if (kind === 'Workflow' || kind === 'Rule') {
    tabs.push({
      key: 'simulate',
      label: i18next.t('designer:tabs.simulate'),
      children: <SimulatePanel kind={kind} name={name} version={version} dirty={dirty} source={source} />,
    });
  }
  tabs.push({
    key: 'tests',
    label: i18next.t('designer:tabs.tests'),
    children: <TestsPanel kind={kind} name={name} version={version} dirty={dirty} />,
  });
  return tabs;
}
