// The designer's tabs that try a definition on live data: a rule on an
// invoice, a template rendered for one. useDesignerExtras adds them to the
// designer's tabs.
import type { ReactNode } from 'react';
import i18next from 'i18next';
import { TemplatePreviewPanel } from './TemplatePreviewPanel';
import { TryRulePanel, type TryPanelProps } from './TryRulePanel';

export interface TryTab {
  key: string;
  label: string;
  children: ReactNode;
}

/**
 * tryTabs is the "try" tab for a Rule and the "render" tab for a Template
 * (none for another kind). The labels are read when it is called: call it
 * while rendering, so that a change of language relabels them.
 */
export function tryTabs({ kind, name, version, dirty }: TryPanelProps): TryTab[] {
  switch (kind) {
    case 'Rule':
      return [{ key: 'try', label: i18next.t('designer:tabs.try'), children: <TryRulePanel kind={kind} name={name} version={version} dirty={dirty} /> }];
    case 'Template':
      return [{ key: 'render', label: i18next.t('designer:tabs.render'), children: <TemplatePreviewPanel kind={kind} name={name} version={version} dirty={dirty} /> }];
    default:
      return [];
  }
}
