// A workflow as a picture beside its text: the graph drawn from the YAML
// (problems as badges on their node), and the selected node's side panel,
// whose every change rewrites only that part of the text. The text stays
// the source of truth: typing in the YAML redraws the graph.
import { useMemo, useState } from 'react';
import { Alert } from 'antd';
import { useTranslation } from 'react-i18next';
import { NodePanel, WorkflowGraph, problemsByNode, useWorkflowModel, type NodePositions, type PickerOption } from './workflow';
import { titleOf, useCatalog, type Problem } from './data';
import { ExpressionInput } from './editor/ExpressionInput';
import type { Environment } from './editor/exprHints';

const roleNames = ['sales_rep', 'sales_manager', 'finance', 'finance_director', 'admin'] as const;

export function WorkflowPicture({ text, setText, problems, readOnly, positions, environment }: {
  text: string; setText(text: string): void; problems: Problem[]; readOnly?: boolean; positions?: NodePositions;
  /** the expression environment, for completion in the panel's expression fields */
  environment?: Environment;
}) {
  const { t, i18n } = useTranslation('designer');
  const parsed = useWorkflowModel(text);
  const catalog = useCatalog();
  const [selected, setSelected] = useState<string>();
  const placed = useMemo(() => problems.filter((p) => !p.source && p.line).map((p) => ({ line: p.line ?? 1, column: p.column ?? 1, message: p.message })), [problems]);
  const pick = (kind: string): PickerOption[] => (catalog.data ?? []).filter((e) => e.kind === kind).map((e) => ({ value: e.name, label: `${titleOf(e, i18n.language)} (${e.name})` }));
  const roles = roleNames.map((r) => ({ value: r, label: t(`common:roles.${r}`) }));
  if (!parsed.model) return <Alert type="warning" showIcon title={t('picture.unreadable')} description={parsed.error?.message} />;
  const model = parsed.model;
  const byNode = problemsByNode(model, placed);
  return (
    <div className="designer-workflow">
      {parsed.error && <Alert type="warning" showIcon title={t('picture.stale', { line: parsed.error.line, message: parsed.error.message })} />}
      <div className={selected ? 'designer-graph-with-panel' : undefined}>
        <WorkflowGraph model={model} problems={placed} selected={selected} onSelect={setSelected} positions={positions} height={420} />
        {selected && (
          <div className="designer-node-panel">
            <NodePanel source={text} node={selected} templates={pick('Template')} forms={pick('Form')} roles={roles} problems={placed}
              onSourceChange={(next) => setText(next)} onSelect={setSelected} readOnly={readOnly}
              renderExpression={(p) => <ExpressionInput {...p} environment={environment} />} />
          </div>
        )}
      </div>
      {byNode.workflow.length > 0 && <Alert type="error" showIcon title={t('picture.workflowProblems', { count: byNode.workflow.length })} />}
    </div>
  );
}
