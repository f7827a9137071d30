// The workflow as a graph model, read from its YAML text. The text stays the
// source of truth: the model is derived on every change, never stored, and
// carries the line range of each part so that a problem reported at
// line:column lands on the node it belongs to. Pure: no React, no DOM.
import { LineCounter, isMap, isScalar, isSeq, parseAllDocuments, type Document, type Node as YamlNode } from 'yaml';

/** A path in the YAML document, from its root (e.g. ['spec', 'nodes', 1, 'task', 'form']). */
export type YamlPath = readonly (string | number)[];

/** Localized holds a text per language (en, zh-CN), as the definitions write `title: {en: …, zh-CN: …}`. */
export type Localized = Record<string, string>;

/** Lines are 1-based and inclusive. */
export interface LineRange {
  startLine: number;
  endLine: number;
}

/** Problem is a validation message at a position, as the validate endpoint reports it. */
export interface Problem {
  line: number;
  column: number;
  message: string;
}

/** ActionModel is one rule action (notify, set, task, add_fee, …) of a node or an outcome route. */
export interface ActionModel {
  /** the action's key: notify, set, task, add_fee, start_workflow, write_off, payment_plan, … */
  kind: string;
  template?: string;
  channel?: string;
  to?: string;
  role?: string;
  /** a one-line description of what the action does, in YAML terms (e.g. "email → customer.email"). */
  summary: string;
  path: YamlPath;
  line: number;
}

export type RouteKind = 'next' | 'goto' | 'wait_until' | 'pause' | 'complete' | 'invalid';

/** OutcomeModel is one route of a task's or approval's outcomes: an edge of the graph. */
export interface OutcomeModel {
  /** the form's outcome value, or "default". */
  value: string;
  route: RouteKind;
  /** goto: the node entered. */
  target?: string;
  /** wait_until: the expression. */
  until?: string;
  /** pause: the reason. */
  reason?: string;
  record?: string;
  then: ActionModel[];
  path: YamlPath;
  line: number;
}

export interface HumanTaskModel {
  assignee?: string;
  role?: string;
  title?: string;
  template?: string;
  form?: string;
  due_in?: string;
  outcomes: OutcomeModel[];
  sla?: { escalate_to?: string; notify?: string };
}

/** ApprovalRouteModel is one route of an approval: when its condition holds (first match wins), the approval is for its role. */
export interface ApprovalRouteModel {
  when?: string;
  role?: string;
  line: number;
}

export interface ApprovalModel {
  /** the approver's role when no route holds. */
  role?: string;
  /** the routes that choose another role, in order (`route:`). */
  route: ApprovalRouteModel[];
  form?: string;
  template?: string;
  due_in?: string;
  outcomes: OutcomeModel[];
  sla?: { escalate_to?: string; notify?: string };
}

/**
 * NodeKind is how a node is drawn: the approval or the human task it asks for
 * first, else its actions (all notifications, or other actions), else a wait.
 */
export type NodeKind = 'approval' | 'task' | 'notify' | 'actions' | 'wait';

export interface NodeModel {
  index: number;
  name: string;
  kind: NodeKind;
  title: Localized;
  when?: string;
  after?: string;
  catch_up?: string;
  keep_open?: boolean;
  actions: ActionModel[];
  task?: HumanTaskModel;
  approval?: ApprovalModel;
  /** the outcomes of the task, then of the approval. */
  outcomes: OutcomeModel[];
  /** from the item's "-" line to its last line of content. */
  range: LineRange;
  path: YamlPath;
}

export interface PauseWhenModel {
  when?: string;
  reason?: string;
  until?: string;
  line: number;
}

export interface WorkflowModel {
  name: string;
  title: Localized;
  on?: string;
  start_when?: string;
  stop_when?: string;
  pause_when: PauseWhenModel[];
  nodes: NodeModel[];
  /** the lines of the Workflow document in the text (a file may hold several documents). */
  range: LineRange;
}

/** ParseError is a YAML syntax error at a position. */
export type ParseError = Problem;

export interface ParseResult {
  /** the model of this text, or the last good one (the previous argument) when the text does not parse. */
  model: WorkflowModel | null;
  error?: ParseError;
}

/** WorkflowDocument is the parsed Workflow document with what maps offsets to lines. */
export interface WorkflowDocument {
  doc: Document.Parsed;
  lines: LineCounter;
}

/**
 * parseWorkflowDocument finds the Workflow document in text (the first with
 * `kind: Workflow`, else the first). It returns the YAML syntax error instead
 * when the text does not parse.
 */
export function parseWorkflowDocument(text: string): WorkflowDocument | { error: ParseError } {
  const lines = new LineCounter();
  let docs: Document.Parsed[];
  try {
    docs = parseAllDocuments(text, { lineCounter: lines, prettyErrors: false }) as Document.Parsed[];
  } catch (e) {
    return { error: { line: 1, column: 1, message: e instanceof Error ? e.message : String(e) } };
  }
  if (!Array.isArray(docs)) return { error: { line: 1, column: 1, message: 'not a YAML document' } };
  for (const d of docs) {
    const err = d.errors[0];
    if (err) {
      const pos = lines.linePos(err.pos[0]);
      return { error: { line: pos.line, column: pos.col, message: err.message.split('\n')[0] ?? err.message } };
    }
  }
  const doc = docs.find((d) => str(d.get('kind')) === 'Workflow') ?? docs[0];
  if (!doc) return { error: { line: 1, column: 1, message: 'empty document' } };
  return { doc, lines };
}

/**
 * parseWorkflow reads a Workflow YAML text into its model. It never throws:
 * a text that does not parse (half typed) gives the previous model back with
 * the error, so the picture keeps showing the last good state.
 */
export function parseWorkflow(text: string, previous: WorkflowModel | null = null): ParseResult {
  const parsed = parseWorkflowDocument(text);
  if ('error' in parsed) return { model: previous, error: parsed.error };
  try {
    return { model: buildModel(parsed, text) };
  } catch (e) {
    return { model: previous, error: { line: 1, column: 1, message: e instanceof Error ? e.message : String(e) } };
  }
}

function buildModel({ doc, lines }: WorkflowDocument, text: string): WorkflowModel {
  const line = (offset: number): number => lines.linePos(offset).line;
  const lineOf = (n: unknown): number => (isNode(n) && n.range ? line(n.range[0]) : 0);
  const spec = doc.get('spec', true);
  const meta = doc.get('metadata', true);
  const get = (m: unknown, key: string): unknown => (isMap(m) ? m.get(key, true) : undefined);
  const text_ = (m: unknown, key: string): string | undefined => str(get(m, key));

  const actionsOf = (seq: unknown, path: YamlPath): ActionModel[] => {
    if (!isSeq(seq)) return [];
    return seq.items.map((item, j) => actionModel(item, [...path, j], lineOf(item)));
  };

  const outcomesOf = (m: unknown, path: YamlPath): OutcomeModel[] => {
    if (!isMap(m)) return [];
    return m.items.map((pair) => {
      const value = str(pair.key) ?? '';
      const r = pair.value;
      const p = [...path, value];
      const out: OutcomeModel = { value, route: 'invalid', then: [], path: p, line: lineOf(pair.key) };
      if (!isMap(r)) return out;
      const kinds: RouteKind[] = [];
      if (truthy(get(r, 'next'))) kinds.push('next');
      if (r.has('goto')) kinds.push('goto');
      if (r.has('wait_until')) kinds.push('wait_until');
      if (r.has('pause')) kinds.push('pause');
      if (truthy(get(r, 'complete'))) kinds.push('complete');
      out.route = kinds.length === 1 && kinds[0] ? kinds[0] : 'invalid';
      assign(out, 'target', text_(r, 'goto'));
      assign(out, 'until', text_(r, 'wait_until'));
      assign(out, 'reason', text_(r, 'pause'));
      assign(out, 'record', text_(r, 'record'));
      out.then = actionsOf(get(r, 'then'), [...p, 'then']);
      return out;
    });
  };

  const slaOf = (m: unknown): { escalate_to?: string; notify?: string } | undefined => {
    if (!isMap(m)) return undefined;
    const s: { escalate_to?: string; notify?: string } = {};
    assign(s, 'escalate_to', text_(m, 'escalate_to'));
    assign(s, 'notify', text_(m, 'notify'));
    return s;
  };

  const nodesSeq = get(spec, 'nodes');
  const nodes: NodeModel[] = [];
  if (isSeq(nodesSeq)) {
    nodesSeq.items.forEach((item, i) => {
      const path: YamlPath = ['spec', 'nodes', i];
      const range = itemLines(item, nodesSeq.items[i + 1], text, line);
      const n: NodeModel = {
        index: i,
        name: text_(item, 'name') ?? '',
        kind: 'wait',
        title: localized(get(item, 'title')),
        actions: actionsOf(get(item, 'actions'), [...path, 'actions']),
        outcomes: [],
        range,
        path,
      };
      assign(n, 'when', text_(item, 'when'));
      assign(n, 'after', text_(item, 'after'));
      assign(n, 'catch_up', text_(item, 'catch_up'));
      const keep = get(item, 'keep_open');
      if (isScalar(keep)) n.keep_open = keep.value === true;
      const task = get(item, 'task');
      if (isMap(task)) {
        const t: HumanTaskModel = { outcomes: outcomesOf(get(task, 'outcomes'), [...path, 'task', 'outcomes']) };
        for (const k of ['assignee', 'role', 'title', 'template', 'form', 'due_in'] as const) assign(t, k, text_(task, k));
        assign(t, 'sla', slaOf(get(task, 'sla')));
        n.task = t;
      }
      const approval = get(item, 'approval');
      if (isMap(approval)) {
        const routeSeq = get(approval, 'route');
        const route: ApprovalRouteModel[] = isSeq(routeSeq)
          ? routeSeq.items.map((r) => {
              const rm: ApprovalRouteModel = { line: lineOf(r) };
              assign(rm, 'when', text_(r, 'when'));
              assign(rm, 'role', text_(r, 'role'));
              return rm;
            })
          : [];
        const a: ApprovalModel = { route, outcomes: outcomesOf(get(approval, 'outcomes'), [...path, 'approval', 'outcomes']) };
        for (const k of ['role', 'form', 'template', 'due_in'] as const) assign(a, k, text_(approval, k));
        assign(a, 'sla', slaOf(get(approval, 'sla')));
        n.approval = a;
      }
      n.outcomes = [...(n.task?.outcomes ?? []), ...(n.approval?.outcomes ?? [])];
      n.kind = n.approval
        ? 'approval'
        : n.task
          ? 'task'
          : n.actions.length > 0
            ? n.actions.every((a) => a.kind === 'notify')
              ? 'notify'
              : 'actions'
            : 'wait';
      nodes.push(n);
    });
  }

  const pauseSeq = get(spec, 'pause_when');
  const pause_when: PauseWhenModel[] = isSeq(pauseSeq)
    ? pauseSeq.items.map((p) => {
        const pw: PauseWhenModel = { line: lineOf(p) };
        assign(pw, 'when', text_(p, 'when'));
        assign(pw, 'reason', text_(p, 'reason'));
        assign(pw, 'until', text_(p, 'until'));
        return pw;
      })
    : [];

  const model: WorkflowModel = {
    name: text_(meta, 'name') ?? '',
    title: localized(get(meta, 'title')),
    pause_when,
    nodes,
    range: { startLine: doc.range ? line(doc.range[0]) : 1, endLine: doc.range ? lastContentLine(text, doc.range[1], line) : 1 },
  };
  assign(model, 'on', text_(spec, 'on'));
  assign(model, 'start_when', text_(spec, 'start_when'));
  assign(model, 'stop_when', text_(spec, 'stop_when'));
  return model;
}

function actionModel(item: unknown, path: YamlPath, line: number): ActionModel {
  if (!isMap(item) || item.items.length === 0) return { kind: '', summary: '', path, line };
  const first = item.items[0];
  const kind = str(first?.key) ?? '';
  const body = first?.value;
  const a: ActionModel = { kind, summary: '', path, line };
  const field = (k: string): string | undefined => (isMap(body) ? str(body.get(k, true)) : undefined);
  assign(a, 'template', field('template'));
  assign(a, 'channel', field('channel'));
  assign(a, 'to', field('to'));
  assign(a, 'role', field('role'));
  if (kind === 'notify') a.summary = `${a.channel ?? ''} → ${a.to ?? a.role ?? ''}`.trim();
  else if (kind === 'task') a.summary = a.role ?? field('assignee') ?? '';
  else if (isMap(body)) a.summary = body.items.map((p) => `${str(p.key) ?? ''}: ${str(p.value) ?? '…'}`).join(', ');
  else a.summary = str(body) ?? '';
  return a;
}

/** itemLines is a sequence item's lines: from its "-" to its last line of content (trailing comments belong to the next item). */
function itemLines(item: unknown, next: unknown, text: string, line: (offset: number) => number): LineRange {
  if (!isNode(item) || !item.range) return { startLine: 0, endLine: 0 };
  const start = line(item.range[0]);
  const end = isNode(next) && next.range ? next.range[0] : item.range[1];
  return { startLine: start, endLine: Math.max(start, lastContentLine(text, end, line)) };
}

/** lastContentLine is the line of the last character before offset that is neither blank nor in a comment line. */
function lastContentLine(text: string, offset: number, line: (offset: number) => number): number {
  let lineStart = text.lastIndexOf('\n', offset - 1) + 1;
  // the line holding offset is the next item's when offset is inside it
  if (text.slice(lineStart, offset).trim() === '-' || text.slice(lineStart, offset).trim() === '') {
    if (lineStart === 0) return 1;
    lineStart = text.lastIndexOf('\n', lineStart - 2) + 1;
  }
  for (;;) {
    const lineEnd = text.indexOf('\n', lineStart);
    const content = text.slice(lineStart, lineEnd < 0 ? text.length : lineEnd).trim();
    if ((content !== '' && !content.startsWith('#')) || lineStart === 0) return line(lineStart);
    lineStart = text.lastIndexOf('\n', lineStart - 2) + 1;
  }
}

/**
 * problemsByNode sorts problems onto the nodes whose lines hold them (aligned
 * with model.nodes); the others belong to the workflow itself.
 */
export function problemsByNode(model: WorkflowModel, problems: readonly Problem[]): { workflow: Problem[]; nodes: Problem[][] } {
  const out = { workflow: [] as Problem[], nodes: model.nodes.map(() => [] as Problem[]) };
  for (const p of problems) {
    const i = nodeAtLine(model, p.line);
    if (i < 0) out.workflow.push(p);
    else out.nodes[i]?.push(p);
  }
  return out;
}

/** nodeAtLine is the index of the node whose lines hold line, else -1. */
export function nodeAtLine(model: WorkflowModel, line: number): number {
  return model.nodes.findIndex((n) => line >= n.range.startLine && line <= n.range.endLine);
}

/** localizedText picks the text in lang, else English, else any. */
export function localizedText(l: Localized, lang: string): string | undefined {
  return l[lang] ?? l.en ?? Object.values(l)[0];
}

function localized(n: unknown): Localized {
  if (isScalar(n)) {
    const s = str(n);
    return s ? { en: s } : {};
  }
  const out: Localized = {};
  if (isMap(n)) {
    for (const p of n.items) {
      const k = str(p.key);
      const v = str(p.value);
      if (k && v !== undefined) out[k] = v;
    }
  }
  return out;
}

function isNode(n: unknown): n is YamlNode {
  return typeof n === 'object' && n !== null && 'range' in n;
}

/** str is a scalar node's value as text (numbers and booleans too), else undefined. */
function str(n: unknown): string | undefined {
  if (isScalar(n)) {
    if (n.value === null || n.value === undefined) return undefined;
    return String(n.value);
  }
  if (typeof n === 'string') return n;
  return undefined;
}

function truthy(n: unknown): boolean {
  return isScalar(n) && n.value === true;
}

/** assign sets o[k] only when v is defined (the model has no undefined-valued keys). */
function assign<T extends object, K extends keyof T>(o: T, k: K, v: T[K] | undefined): void {
  if (v !== undefined) o[k] = v;
}
