// The side panel of the selected stage: its fields as controls (titles in
// both languages, the stage days as numbers, pickers for templates, forms and
// roles). Each change rewrites only that field in the YAML (workflowEdit.ts)
// and hands the new text to onSourceChange; the graph and the editor follow
// from the text.
import { useId, useMemo, useState, type ReactNode } from 'react';
import { Alert, Button, Divider, Form, Input, InputNumber, Popconfirm, Select, Space, Switch, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import {
  addNode,
  applyEdits,
  nodeFieldPath,
  parseDays,
  removeNode,
  setNodeField,
  writeDays,
  type EditResult,
  type EditValue,
} from './workflowEdit';
import { localizedText, parseWorkflow, problemsByNode, type OutcomeModel, type Problem, type YamlPath } from './workflowModel';
import { routeText } from './graphText';

/** PickerOption is a choice of a picker: a template, form or role name with an optional display label. */
export interface PickerOption {
  value: string;
  label?: string;
}

/** ExpressionInputProps is what an expression editor gets (e.g. a CodeMirror field with completion). */
export interface ExpressionInputProps {
  id: string;
  value: string;
  onChange: (value: string) => void;
  'aria-label': string;
  disabled?: boolean;
  onBlur?: () => void;
}

export interface NodePanelProps {
  /** the workflow's YAML text, the source of truth. */
  source: string;
  /** the selected node's name. */
  node: string | undefined;
  templates?: readonly PickerOption[];
  forms?: readonly PickerOption[];
  roles?: readonly PickerOption[];
  /** validation problems of the same text; those of this node are listed. */
  problems?: readonly Problem[];
  /** called with the whole new text after each change; group names the field, to coalesce undo steps. */
  onSourceChange: (text: string, group?: string) => void;
  /** called to select another node (a goto target, a node just added). */
  onSelect?: (name: string) => void;
  /** renders an expression field; a plain text input by default. */
  renderExpression?: (p: ExpressionInputProps) => ReactNode;
  readOnly?: boolean;
}

const nodeName = /^[a-z][a-z0-9_]*$/;

function PlainExpression(p: ExpressionInputProps) {
  return (
    <Input
      id={p.id}
      value={p.value}
      onChange={(e) => p.onChange(e.target.value)}
      onBlur={p.onBlur}
      aria-label={p['aria-label']}
      disabled={p.disabled}
      spellCheck={false}
      style={{ fontFamily: 'ui-monospace, SFMono-Regular, Menlo, monospace' }}
    />
  );
}

/**
 * useDraft keeps what is typed while it differs from the YAML's value only by
 * spaces at its ends: "Friendly " is shown as typed but written "Friendly",
 * so a space typed before the next word does not quote the YAML value.
 * A change from outside (undo, the editor) shows at once.
 */
function useDraft(value: string, commit: (v: string) => void): { value: string; onChange: (v: string) => void; onBlur: () => void } {
  const [draft, setDraft] = useState<string | null>(null);
  return {
    value: draft !== null && draft.trim() === value ? draft : value,
    onChange: (v: string) => {
      setDraft(v);
      if (v.trim() !== value) commit(v.trim());
    },
    onBlur: () => setDraft(null),
  };
}

interface TextFieldProps {
  id: string;
  label: string;
  value: string;
  onCommit: (v: string) => void;
  lang?: string;
  render?: (p: ExpressionInputProps) => ReactNode;
  disabled?: boolean;
}

/** TextField is a text input (or an expression editor) writing the trimmed text. */
function TextField({ id, label, value, onCommit, lang, render, disabled }: TextFieldProps) {
  const d = useDraft(value, onCommit);
  if (render) return <>{render({ id, value: d.value, onChange: d.onChange, onBlur: d.onBlur, 'aria-label': label, ...(disabled !== undefined ? { disabled } : {}) })}</>;
  return <Input id={id} aria-label={label} lang={lang} value={d.value} onChange={(e) => d.onChange(e.target.value)} onBlur={d.onBlur} disabled={disabled} />;
}

/** withCurrent lists the options, plus the current value when the list does not have it. */
function withCurrent(options: readonly PickerOption[], current: string | undefined): { value: string; label: string }[] {
  const out = options.map((o) => ({ value: o.value, label: o.label ?? o.value }));
  if (current && !out.some((o) => o.value === current)) out.unshift({ value: current, label: current });
  return out;
}

/** NodePanel edits the fields of one node of the workflow in source. */
export function NodePanel(props: NodePanelProps) {
  const { source, node: name, templates = [], forms = [], roles = [], problems = [], onSourceChange, onSelect, readOnly } = props;
  const { t, i18n } = useTranslation('workflowGraph');
  const id = useId();
  const [editError, setEditError] = useState<string>();
  const [newName, setNewName] = useState('');
  const parsed = useMemo(() => parseWorkflow(source), [source]);
  const Expression = props.renderExpression ?? PlainExpression;


  if (!name) return <Typography.Paragraph>{t('panel.noNode')}</Typography.Paragraph>;
  if (parsed.error || !parsed.model) {
    return <Alert type="warning" showIcon title={t('panel.yamlError', { line: parsed.error?.line ?? 1, message: parsed.error?.message ?? '' })} />;
  }
  const model = parsed.model;
  const node = model.nodes.find((n) => n.name === name);
  if (!node) return <Alert type="info" showIcon title={t('panel.unknownNode', { name })} />;
  const index = node.index;
  const mine = problemsByNode(model, problems).nodes[index] ?? [];

  const apply = (r: EditResult, group?: string) => {
    if (!r.ok) {
      setEditError(r.error);
      return;
    }
    setEditError(undefined);
    if (r.text !== source) onSourceChange(r.text, group);
  };
  const groupOf = (field: string | YamlPath) => `node:${name}:${typeof field === 'string' ? field : field.join('.')}`;
  const set = (field: string | YamlPath, value: EditValue | null, group = groupOf(field)) => apply(setNodeField(source, index, field, value), group);
  const text = (v: string) => (v === '' ? null : v);

  const days = parseDays(node.when);
  const setDays = (from: number | null, to: number | null) => {
    if (!node.when) return;
    set('when', writeDays(node.when, { from, to }), groupOf('when'));
  };

  const assignMode = node.task?.role !== undefined ? 'role' : 'person';
  const setAssignMode = (mode: string) => {
    if (mode === assignMode) return;
    const path = (f: string) => nodeFieldPath(index, ['task', f]);
    apply(
      mode === 'role'
        ? applyEdits(source, [
            { path: path('role'), value: roles[0]?.value ?? 'sales_rep' },
            { path: path('assignee'), value: null },
          ])
        : applyEdits(source, [
            { path: path('assignee'), value: 'invoice.owner_email' },
            { path: path('role'), value: null },
          ]),
    );
  };

  const newNameOk = nodeName.test(newName) && !model.nodes.some((n) => n.name === newName);
  const add = () => {
    if (!newNameOk) return;
    const r = addNode(source, { name: newName, after: '1d' }, index + 1);
    apply(r);
    if (r.ok) {
      setNewName('');
      onSelect?.(newName);
    }
  };

  const f = (k: string) => `${id}-${k}`;
  const pickerProps = { showSearch: true, allowClear: true, disabled: readOnly, style: { width: '100%' } } as const;
  const outcomes = (list: OutcomeModel[]) =>
    list.length === 0 ? (
      <Typography.Text type="secondary">{t('panel.noOutcomes')}</Typography.Text>
    ) : (
      <ul className="wfg-panel-outcomes">
        {list.map((o) => (
          <li key={o.value}>
            {routeText(o, t, true)}
            {o.route === 'goto' && o.target && model.nodes.some((n) => n.name === o.target) && onSelect && (
              <Button type="link" size="small" onClick={() => onSelect(o.target ?? '')} aria-label={t('panel.goTo', { name: o.target })}>
                {o.target}
              </Button>
            )}
          </li>
        ))}
      </ul>
    );

  return (
    <section aria-label={t('panel.label', { name })} className="wfg-panel">
      <Typography.Title level={4} style={{ marginTop: 0 }}>
        {localizedText(node.title, i18n.language) ?? node.name}
      </Typography.Title>
      <Typography.Paragraph>
        <Typography.Text strong>{t('panel.name')}:</Typography.Text> <code>{node.name}</code>{' '}
        <Typography.Text strong>{t('panel.kind')}:</Typography.Text> {t(`kind.${node.kind}`)}
      </Typography.Paragraph>
      {editError && <Alert type="error" showIcon role="alert" title={t('panel.editError', { message: editError })} style={{ marginBottom: 12 }} />}
      {mine.length > 0 && (
        <Alert
          type="error"
          showIcon
          style={{ marginBottom: 12 }}
          title={t('panel.problems')}
          description={
            <ul style={{ margin: 0, paddingLeft: 18 }}>
              {mine.map((p, i) => (
                <li key={i}>{t('graph.problemAt', { line: p.line, column: p.column, message: p.message })}</li>
              ))}
            </ul>
          }
        />
      )}
      <Form layout="vertical" component="div" disabled={readOnly}>
        <Form.Item label={t('panel.titleEn')} htmlFor={f('title-en')}>
          <TextField id={f('title-en')} label={t('panel.titleEn')} value={node.title.en ?? ''} onCommit={(v) => set('title.en', text(v))} />
        </Form.Item>
        <Form.Item label={t('panel.titleZh')} htmlFor={f('title-zh')}>
          <TextField id={f('title-zh')} label={t('panel.titleZh')} lang="zh-CN" value={node.title['zh-CN'] ?? ''} onCommit={(v) => set('title.zh-CN', text(v))} />
        </Form.Item>

        <Divider titlePlacement="start" plain>
          {t('panel.entry')}
        </Divider>
        {days && (
          <Space wrap align="start">
            <Form.Item label={t('panel.daysFrom')} htmlFor={f('from')}>
              <InputNumber id={f('from')} aria-label={t('panel.daysFrom')} min={0} precision={0} value={days.from} onChange={(v) => setDays(v, days.to)} />
            </Form.Item>
            <Form.Item label={t('panel.daysTo')} htmlFor={f('to')} extra={t('panel.daysHint')}>
              <InputNumber id={f('to')} aria-label={t('panel.daysTo')} min={0} precision={0} value={days.to} onChange={(v) => setDays(days.from, v)} />
            </Form.Item>
          </Space>
        )}
        <Form.Item label={t('panel.expression')} htmlFor={f('when')}>
          <TextField id={f('when')} label={t('panel.expression')} value={node.when ?? ''} onCommit={(v) => set('when', text(v))} render={Expression} disabled={readOnly} />
        </Form.Item>
        <Form.Item label={t('panel.after')} htmlFor={f('after')} extra={t('panel.afterHint')}>
          <TextField id={f('after')} label={t('panel.after')} value={node.after ?? ''} onCommit={(v) => set('after', text(v))} />
        </Form.Item>
        <Form.Item label={t('panel.catchUp')} htmlFor={f('catch-up')}>
          <Select
            id={f('catch-up')}
            aria-label={t('panel.catchUp')}
            value={node.catch_up ?? null}
            allowClear
            placeholder={t('panel.catchUpDefault')}
            onChange={(v: string | null | undefined) => set('catch_up', v ?? null)}
            options={[
              { value: 'skip', label: t('panel.catchUpSkip') },
              { value: 'fire', label: t('panel.catchUpFire') },
            ]}
          />
        </Form.Item>
        <Form.Item label={t('panel.keepOpen')} htmlFor={f('keep-open')}>
          <Switch id={f('keep-open')} aria-label={t('panel.keepOpen')} checked={node.keep_open === true} onChange={(v) => set('keep_open', v ? true : null)} />
        </Form.Item>

        {node.actions.length > 0 && (
          <>
            <Divider titlePlacement="start" plain>
              {t('panel.actions')}
            </Divider>
            <ol className="wfg-panel-actions">
              {node.actions.map((a, j) => (
                <li key={j}>
                  <code>{a.kind}</code> {a.summary}
                  {(a.template !== undefined || a.kind === 'notify') && (
                    <Form.Item label={t('panel.actionTemplate', { n: j + 1, kind: a.kind })} htmlFor={f(`action-${j}`)} style={{ marginBottom: 8 }}>
                      <Select
                        {...pickerProps}
                        allowClear={false}
                        id={f(`action-${j}`)}
                        aria-label={t('panel.actionTemplate', { n: j + 1, kind: a.kind })}
                        value={a.template}
                        options={withCurrent(templates, a.template)}
                        onChange={(v: string) => set(['actions', j, a.kind, 'template'], v)}
                      />
                    </Form.Item>
                  )}
                </li>
              ))}
            </ol>
          </>
        )}

        {node.task && (
          <>
            <Divider titlePlacement="start" plain>
              {t('panel.task')}
            </Divider>
            <Form.Item label={t('panel.assignTo')} htmlFor={f('assign-mode')}>
              <Select
                id={f('assign-mode')}
                aria-label={t('panel.assignTo')}
                value={assignMode}
                onChange={setAssignMode}
                options={[
                  { value: 'person', label: t('panel.assignPerson') },
                  { value: 'role', label: t('panel.assignRole') },
                ]}
              />
            </Form.Item>
            {assignMode === 'person' ? (
              <Form.Item label={t('panel.assignee')} htmlFor={f('assignee')}>
                <TextField id={f('assignee')} label={t('panel.assignee')} value={node.task.assignee ?? ''} onCommit={(v) => set('task.assignee', v)} render={Expression} disabled={readOnly} />
              </Form.Item>
            ) : (
              <Form.Item label={t('panel.role')} htmlFor={f('task-role')}>
                <Select {...pickerProps} allowClear={false} id={f('task-role')} aria-label={t('panel.role')} value={node.task.role} options={withCurrent(roles, node.task.role)} onChange={(v: string) => set('task.role', v)} />
              </Form.Item>
            )}
            <Form.Item label={t('panel.template')} htmlFor={f('task-template')}>
              <Select {...pickerProps} id={f('task-template')} aria-label={t('panel.template')} value={node.task.template ?? null} options={withCurrent(templates, node.task.template)} onChange={(v: string | undefined) => set('task.template', v ?? null)} />
            </Form.Item>
            <Form.Item label={t('panel.form')} htmlFor={f('task-form')}>
              <Select {...pickerProps} id={f('task-form')} aria-label={t('panel.form')} value={node.task.form ?? null} options={withCurrent(forms, node.task.form)} onChange={(v: string | undefined) => set('task.form', v ?? null)} />
            </Form.Item>
            <Form.Item label={t('panel.dueIn')} htmlFor={f('task-due')} extra={t('panel.afterHint')}>
              <TextField id={f('task-due')} label={t('panel.dueIn')} value={node.task.due_in ?? ''} onCommit={(v) => set('task.due_in', text(v))} />
            </Form.Item>
            <Typography.Text strong>{t('panel.outcomes')}</Typography.Text>
            {outcomes(node.task.outcomes)}
          </>
        )}

        {node.approval && (
          <>
            <Divider titlePlacement="start" plain>
              {t('panel.approval')}
            </Divider>
            <Form.Item label={t('panel.approvalRole')} htmlFor={f('approval-role')} extra={node.approval.route.length > 0 ? t('panel.approvalRoleDefault') : undefined}>
              <Select {...pickerProps} allowClear={false} id={f('approval-role')} aria-label={t('panel.approvalRole')} value={node.approval.role} options={withCurrent(roles, node.approval.role)} onChange={(v: string) => set('approval.role', v)} />
            </Form.Item>
            {node.approval.route.length > 0 && (
              <>
                <Typography.Text strong>{t('panel.approvalRoutes')}</Typography.Text>
                <ol className="wfg-panel-routes">
                  {node.approval.route.map((r, j) => (
                    <li key={j}>
                      <Form.Item label={t('panel.routeWhen', { n: j + 1 })} htmlFor={f(`route-${j}-when`)} style={{ marginBottom: 4 }}>
                        <TextField id={f(`route-${j}-when`)} label={t('panel.routeWhen', { n: j + 1 })} value={r.when ?? ''} onCommit={(v) => set(['approval', 'route', j, 'when'], v)} render={Expression} disabled={readOnly} />
                      </Form.Item>
                      <Form.Item label={t('panel.routeRole', { n: j + 1 })} htmlFor={f(`route-${j}-role`)}>
                        <Select {...pickerProps} allowClear={false} id={f(`route-${j}-role`)} aria-label={t('panel.routeRole', { n: j + 1 })} value={r.role} options={withCurrent(roles, r.role)} onChange={(v: string) => set(['approval', 'route', j, 'role'], v)} />
                      </Form.Item>
                    </li>
                  ))}
                </ol>
              </>
            )}
            <Form.Item label={t('panel.template')} htmlFor={f('approval-template')}>
              <Select {...pickerProps} id={f('approval-template')} aria-label={t('panel.template')} value={node.approval.template ?? null} options={withCurrent(templates, node.approval.template)} onChange={(v: string | undefined) => set('approval.template', v ?? null)} />
            </Form.Item>
            <Form.Item label={t('panel.form')} htmlFor={f('approval-form')}>
              <Select {...pickerProps} allowClear={false} id={f('approval-form')} aria-label={t('panel.form')} value={node.approval.form} options={withCurrent(forms, node.approval.form)} onChange={(v: string) => set('approval.form', v)} />
            </Form.Item>
            <Form.Item label={t('panel.dueIn')} htmlFor={f('approval-due')} extra={t('panel.afterHint')}>
              <TextField id={f('approval-due')} label={t('panel.dueIn')} value={node.approval.due_in ?? ''} onCommit={(v) => set('approval.due_in', text(v))} />
            </Form.Item>
            <Typography.Text strong>{t('panel.outcomes')}</Typography.Text>
            {outcomes(node.approval.outcomes)}
          </>
        )}

        {!readOnly && (
          <>
            <Divider />
            <Form.Item
              label={t('panel.newName')}
              htmlFor={f('new-name')}
              validateStatus={newName !== '' && !newNameOk ? 'error' : undefined}
              help={newName !== '' && !newNameOk ? t('panel.badName') : undefined}
            >
              <Space.Compact style={{ width: '100%' }}>
                <Input id={f('new-name')} aria-label={t('panel.newName')} value={newName} onChange={(e) => setNewName(e.target.value)} onPressEnter={add} />
                <Button onClick={add} disabled={!newNameOk} aria-label={t('panel.addAfter')}>
                  {t('panel.add')}
                </Button>
              </Space.Compact>
            </Form.Item>
            <Popconfirm
              title={t('panel.removeConfirm', { name })}
              okText={t('panel.removeOk')}
              cancelText={t('panel.removeCancel')}
              onConfirm={() => apply(removeNode(source, index))}
            >
              <Button danger>{t('panel.remove')}</Button>
            </Popconfirm>
          </>
        )}
      </Form>
    </section>
  );
}
