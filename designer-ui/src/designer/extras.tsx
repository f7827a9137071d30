// What the designer shows beyond the text for each kind: the picture (a
// workflow's graph, a form's fields), the tabs that try a definition on live
// data (a rule on an invoice, a template rendered, a simulation, the test
// cases) and what a comparison of two versions adds.
import type { ReactNode } from 'react';
import type { Kind, Language, Problem } from './data';

export interface ExtrasInput {
  kind: Kind;
  name: string;
  text: string;
  setText(text: string): void;
  problems: Problem[];
  language: Language | undefined;
  onSelectProblem(line: number, column: number): void;
}

export interface Extras {
  picture?: ReactNode;
  tabs: { key: string; label: string; children: ReactNode }[];
  compareExtra?: (a: string, b: string) => ReactNode;
  testsForPublish?: (version: number) => ReactNode;
}

export function useDesignerExtras(_input: ExtrasInput): Extras {
  return { tabs: [] };
}
