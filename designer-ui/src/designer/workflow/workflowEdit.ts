// Edits of a workflow's YAML text that change only the part they are about.
// The yaml Document finds the node and its source range; the new value is
// spliced into the text at that range, so comments, order and formatting of
// everything else stay byte for byte what the admin wrote (re-stringifying
// the whole document would reflow flow maps and move comments). Pure.
import { isMap, isScalar, isSeq, parse, Scalar, type Node as YamlNode, type Pair, type YAMLMap } from 'yaml';
import { parseWorkflowDocument, type YamlPath } from './workflowModel';

export type EditResult = { ok: true; text: string } | { ok: false; error: string };

/** A value written into the YAML: a scalar, or a small map written in flow style ({en: …, zh-CN: …}). */
export type EditValue = string | number | boolean | { [key: string]: string | number | boolean };

/** Edit is one change: set (or add) the value at path, or remove it when value is null. */
export interface Edit {
  path: YamlPath;
  value: EditValue | null;
}

/** nodeFieldPath is the document path of a node's field, written "task.form", "title.zh-CN" or as a path. */
export function nodeFieldPath(index: number, field: string | YamlPath): YamlPath {
  const rest = typeof field === 'string' ? field.split('.') : field;
  return ['spec', 'nodes', index, ...rest];
}

/** setNodeField sets (or with null removes) one field of the node at index. */
export function setNodeField(text: string, index: number, field: string | YamlPath, value: EditValue | null): EditResult {
  return setIn(text, nodeFieldPath(index, field), value);
}

/** applyEdits applies edits in order; the first that fails stops it. */
export function applyEdits(text: string, edits: readonly Edit[]): EditResult {
  let t = text;
  for (const e of edits) {
    const r = setIn(t, e.path, e.value);
    if (!r.ok) return r;
    t = r.text;
  }
  return { ok: true, text: t };
}

// Where a new key goes in a node, relative to the keys already there.
const keyOrder: Record<string, readonly string[]> = {
  node: ['name', 'title', 'when', 'after', 'catch_up', 'keep_open', 'actions', 'task', 'approval'],
  task: ['assignee', 'role', 'template', 'title', 'form', 'due_in', 'outcomes', 'sla'],
  title: ['en', 'zh-CN'],
};

/**
 * setIn sets the value at path in the text, adding the key (and the maps on
 * the way) when missing, or removes the key when value is null. Only the
 * characters of that value (or that key's lines) change.
 */
export function setIn(text: string, path: YamlPath, value: EditValue | null): EditResult {
  const parsed = parseWorkflowDocument(text);
  if ('error' in parsed) return { ok: false, error: `the YAML does not parse (line ${parsed.error.line}): ${parsed.error.message}` };
  const { doc } = parsed;
  if (path.length === 0) return { ok: false, error: 'empty path' };

  // the deepest existing collection on the way, and the node at path if it exists
  let parent: unknown = doc.contents;
  let depth = 0;
  for (; depth < path.length - 1; depth++) {
    const next = childOf(parent, path[depth]!);
    if (next === undefined || !(isMap(next) || isSeq(next))) break;
    parent = next;
  }
  const key = path[depth]!;
  const existing = depth === path.length - 1 ? childOf(parent, key) : undefined;
  const blocking = depth < path.length - 1 ? childOf(parent, key) : undefined;
  if (blocking !== undefined && blocking !== null) {
    // a text where a map is wanted: a plain title becomes {en: it, lang: value}
    if (key === 'title' && isScalar(blocking) && depth === path.length - 2 && value !== null && typeof value !== 'object') {
      const lang = String(path[depth + 1]);
      const before = blocking.value === null || blocking.value === undefined ? '' : String(blocking.value);
      const map: Record<string, string | number | boolean> = lang === 'en' || before === '' ? {} : { en: before };
      map[lang] = value;
      const [start, end] = blocking.range ?? [0, 0];
      return checked(text.slice(0, start) + formatValue(map) + text.slice(end));
    }
    return { ok: false, error: `${path.slice(0, depth + 1).join('.')} is not a map` };
  }

  let out: string;
  if (value === null) {
    if (depth < path.length - 1 || existing === undefined) return { ok: true, text };
    if (!isMap(parent)) return { ok: false, error: `cannot remove ${path.join('.')}` };
    const r = removePair(text, parent, String(key));
    if (!r.ok) return r;
    out = r.text;
  } else if (existing !== undefined && existing !== null && isScalar(existing) && typeof value !== 'object') {
    const [start, end] = existing.range ?? [0, 0];
    const formatted = formatScalar(value, inFlow(parent), existing.type);
    out = text.slice(0, start) + formatted + text.slice(end);
  } else if (existing !== undefined && existing !== null && isMap(existing) && typeof value === 'object') {
    return applyEdits(
      text,
      Object.entries(value).map(([k, v]) => ({ path: [...path, k], value: v })),
    );
  } else if (existing === undefined && isMap(parent)) {
    // build the missing part: {key: {…rest: value}}
    let v: EditValue | NestedValue = value;
    for (let i = path.length - 1; i > depth; i--) v = { [String(path[i])]: v };
    const order = keyOrder[orderFor(path, depth)];
    const r = insertPair(text, parent, String(key), v, order);
    if (!r.ok) return r;
    out = r.text;
  } else {
    return { ok: false, error: `cannot set ${path.join('.')} here` };
  }

  return checked(out);
}

/** checked refuses a change whose text would not parse. */
function checked(out: string): EditResult {
  const check = parseWorkflowDocument(out);
  if ('error' in check) return { ok: false, error: `the change would not parse: ${check.error.message}` };
  return { ok: true, text: out };
}

type NestedValue = { [key: string]: EditValue | NestedValue };

function orderFor(path: YamlPath, depth: number): string {
  const parentKey = depth > 0 ? path[depth - 1] : undefined;
  if (typeof parentKey === 'number' && path[depth - 2] === 'nodes') return 'node';
  if (parentKey === 'task' || parentKey === 'approval') return 'task';
  if (parentKey === 'title') return 'title';
  return '';
}

function childOf(n: unknown, key: string | number): unknown {
  if (isSeq(n)) return typeof key === 'number' ? n.items[key] : undefined;
  if (isMap(n)) return n.get(key, true);
  return undefined;
}

function inFlow(n: unknown): boolean {
  return (isMap(n) || isSeq(n)) && n.flow === true;
}

/**
 * formatScalar writes a value as YAML: plain when that reads back the same,
 * else quoted; the quoting the text already used is kept where possible.
 */
export function formatScalar(value: string | number | boolean, flow: boolean, was?: Scalar.Type): string {
  if (typeof value !== 'string') return String(value);
  const single = `'${value.replace(/'/g, "''")}'`;
  const double = JSON.stringify(value);
  const candidates =
    was === Scalar.QUOTE_DOUBLE ? [double] : was === Scalar.QUOTE_SINGLE ? [single, double] : [value, single, double];
  for (const c of candidates) {
    if (c.includes('\n')) continue;
    if (readsBack(c, value, flow)) return c;
  }
  return double;
}

function readsBack(source: string, value: string, flow: boolean): boolean {
  if (source === '') return false;
  try {
    const v: unknown = flow ? parse(`[${source}]`) : parse(`k: ${source}`);
    const got = flow ? (Array.isArray(v) && v.length === 1 ? v[0] : undefined) : (v as Record<string, unknown> | null)?.k;
    return got === value;
  } catch {
    return false;
  }
}

function formatValue(v: EditValue | NestedValue): string {
  if (typeof v !== 'object') return formatScalar(v, true);
  return `{${Object.entries(v)
    .map(([k, x]) => `${formatScalar(k, true)}: ${formatValue(x)}`)
    .join(', ')}}`;
}

/** lineStart is the offset of the start of the line holding offset. */
function lineStart(text: string, offset: number): number {
  return text.lastIndexOf('\n', offset - 1) + 1;
}

function lineEnd(text: string, offset: number): number {
  const e = text.indexOf('\n', offset);
  return e < 0 ? text.length : e;
}

/**
 * contentEnd is the end of the last line of content that starts before
 * offset (its trailing comment included): the comment lines and blank lines
 * just before offset belong to what follows.
 */
function contentEnd(text: string, from: number, offset: number): number {
  let ls = lineStart(text, offset);
  if (text.slice(ls, offset).trim() !== '' && text.slice(ls, offset).trim() !== '-') return lineEnd(text, offset - 1);
  while (ls > from) {
    const prev = lineStart(text, ls - 1);
    const content = text.slice(prev, ls - 1).trim();
    if (content !== '' && !content.startsWith('#')) return ls - 1;
    ls = prev;
  }
  return lineEnd(text, from);
}

function nodeRange(n: unknown): [number, number] | undefined {
  const r = (n as YamlNode | null | undefined)?.range;
  return r ? [r[0], r[1]] : undefined;
}

/** pairEnd is where a pair's text ends (its value, else its key). */
function pairEnd(p: Pair): number {
  return (nodeRange(p.value) ?? nodeRange(p.key) ?? [0, 0])[1];
}

function insertPair(text: string, map: YAMLMap, key: string, value: EditValue | NestedValue, order: readonly string[] = []): EditResult {
  const entry = `${formatScalar(key, map.flow === true)}: ${formatValue(value)}`;
  const items = map.items as Pair[];
  // after the last existing key that comes before this one in order, else after the last
  const rank = order.indexOf(key);
  let after: Pair | undefined;
  if (rank >= 0) {
    for (const p of items) {
      const r = order.indexOf(String((p.key as Scalar | null)?.value ?? ''));
      if (r >= 0 && r < rank) after = p;
    }
  }
  const before = rank >= 0 && !after ? items.find((p) => order.indexOf(String((p.key as Scalar | null)?.value ?? '')) > rank) : undefined;
  if (!after && !before) after = items[items.length - 1];

  if (map.flow) {
    const r = nodeRange(map);
    if (!r) return { ok: false, error: 'no source range' };
    if (items.length === 0) {
      const open = text.indexOf('{', r[0]);
      return { ok: true, text: text.slice(0, open + 1) + entry + text.slice(open + 1) };
    }
    if (after) {
      const at = pairEnd(after);
      return { ok: true, text: text.slice(0, at) + ', ' + entry + text.slice(at) };
    }
    const at = nodeRange(before?.key)?.[0] ?? r[0];
    return { ok: true, text: text.slice(0, at) + entry + ', ' + text.slice(at) };
  }

  const first = nodeRange(items[0]?.key);
  if (!first) return { ok: false, error: 'an empty block map' };
  const indent = ' '.repeat(first[0] - lineStart(text, first[0]));
  if (after) {
    const next = items[items.indexOf(after) + 1];
    const limit = nodeRange(next?.key)?.[0] ?? pairEnd(after);
    const at = contentEnd(text, nodeRange(after.key)?.[0] ?? 0, limit);
    return { ok: true, text: text.slice(0, at) + '\n' + indent + entry + text.slice(at) };
  }
  // before the first ranked key: on its line, pushing it down
  const at = nodeRange(before?.key)?.[0] ?? first[0];
  const ls = lineStart(text, at);
  if (text.slice(ls, at).trim() === '') return { ok: true, text: text.slice(0, ls) + indent + entry + '\n' + text.slice(ls) };
  // the key follows "- ": the new key takes its place and it moves to the next line
  return { ok: true, text: text.slice(0, at) + entry + '\n' + indent + text.slice(at) };
}

function removePair(text: string, map: YAMLMap, key: string): EditResult {
  const items = map.items as Pair[];
  const i = items.findIndex((p) => String((p.key as Scalar | null)?.value) === key);
  const p = items[i];
  const k = nodeRange(p?.key);
  if (!p || !k) return { ok: true, text };
  const next = items[i + 1];
  const prev = items[i - 1];
  if (map.flow) {
    if (next) return { ok: true, text: text.slice(0, k[0]) + text.slice(nodeRange(next.key)?.[0] ?? pairEnd(p)) };
    if (prev) return { ok: true, text: text.slice(0, pairEnd(prev)) + text.slice(pairEnd(p)) };
    return { ok: true, text: text.slice(0, k[0]) + text.slice(pairEnd(p)) };
  }
  const ls = lineStart(text, k[0]);
  const own = text.slice(ls, k[0]).trim() === '';
  const nk = nodeRange(next?.key);
  if (!own) {
    // the first key of a sequence item ("- key: …"): the next key moves up onto the "- " line
    if (!nk) return { ok: false, error: `cannot remove the only key ${key} of an item` };
    return { ok: true, text: text.slice(0, k[0]) + text.slice(nk[0]) };
  }
  if (!next && !prev) return { ok: false, error: `cannot remove the only key ${key}` };
  const end = contentEnd(text, k[0], nk ? nk[0] : pairEnd(p));
  const cut = end < text.length ? end + 1 : end;
  return { ok: true, text: text.slice(0, ls) + text.slice(cut) };
}

/** NewNode is what a new node starts with. */
export interface NewNode {
  name: string;
  when?: string;
  after?: string;
  title?: { en?: string; 'zh-CN'?: string };
}

/** addNode inserts a node at index (at the end when omitted), its lines only. */
export function addNode(text: string, node: NewNode, index?: number): EditResult {
  const parsed = parseWorkflowDocument(text);
  if ('error' in parsed) return { ok: false, error: `the YAML does not parse (line ${parsed.error.line}): ${parsed.error.message}` };
  const nodes = parsed.doc.getIn(['spec', 'nodes'], true);
  if (!isSeq(nodes) || nodes.flow || nodes.items.length === 0) return { ok: false, error: 'spec.nodes is not a block list of nodes' };
  const firstStart = nodeRange(nodes.items[0])?.[0] ?? 0;
  const dash = text.lastIndexOf('-', firstStart);
  const indent = ' '.repeat(dash - lineStart(text, dash));
  const lines = [`${indent}- name: ${formatScalar(node.name, false)}`];
  const title = Object.entries(node.title ?? {}).filter(([, v]) => v !== undefined && v !== '');
  if (title.length > 0) lines.push(`${indent}  title: ${formatValue(Object.fromEntries(title) as Record<string, string>)}`);
  if (node.when) lines.push(`${indent}  when: ${formatScalar(node.when, false)}`);
  if (node.after) lines.push(`${indent}  after: ${formatScalar(node.after, false)}`);
  const block = lines.join('\n');
  const at = index === undefined ? nodes.items.length : Math.max(0, Math.min(index, nodes.items.length));
  let out: string;
  if (at < nodes.items.length) {
    const s = nodeRange(nodes.items[at])?.[0] ?? 0;
    const ls = lineStart(text, s);
    out = text.slice(0, ls) + block + '\n' + text.slice(ls);
  } else {
    const last = nodes.items[nodes.items.length - 1];
    const r = nodeRange(last) ?? [0, 0];
    const end = contentEnd(text, r[0], r[1]);
    out = text.slice(0, end) + '\n' + block + text.slice(end);
  }
  const check = parseWorkflowDocument(out);
  if ('error' in check) return { ok: false, error: `the change would not parse: ${check.error.message}` };
  return { ok: true, text: out };
}

/** removeNode deletes the node at index, its lines only (the comments above the next node stay). */
export function removeNode(text: string, index: number): EditResult {
  const parsed = parseWorkflowDocument(text);
  if ('error' in parsed) return { ok: false, error: `the YAML does not parse (line ${parsed.error.line}): ${parsed.error.message}` };
  const nodes = parsed.doc.getIn(['spec', 'nodes'], true);
  if (!isSeq(nodes) || nodes.flow) return { ok: false, error: 'spec.nodes is not a block list of nodes' };
  const item = nodes.items[index];
  const r = nodeRange(item);
  if (!r) return { ok: false, error: `no node ${index}` };
  if (nodes.items.length === 1) return { ok: false, error: 'a workflow needs at least one node' };
  const ls = lineStart(text, r[0]);
  const next = nodeRange(nodes.items[index + 1]);
  const end = contentEnd(text, r[0], next ? next[0] : r[1]);
  const cut = end < text.length ? end + 1 : end;
  return { ok: true, text: text.slice(0, ls) + text.slice(cut) };
}

/** DaysRange is a stage's days overdue, both bounds inclusive; null is open. */
export interface DaysRange {
  from: number | null;
  to: number | null;
}

const dayClause = /^\s*invoice\.days_overdue\s*(>=|>|<=|<|==)\s*(\d+)\s*$/;

/**
 * parseDays reads a condition made only of bounds on invoice.days_overdue
 * ("invoice.days_overdue >= 8 && invoice.days_overdue <= 15", "> 30") as
 * inclusive numbers; any other expression gives null (edit it as text).
 */
export function parseDays(expr: string | undefined): DaysRange | null {
  if (!expr) return null;
  const out: DaysRange = { from: null, to: null };
  for (const clause of expr.split('&&')) {
    const m = dayClause.exec(clause);
    if (!m) return null;
    const n = Number(m[2]);
    switch (m[1]) {
      case '>=':
      case '>':
        if (out.from !== null) return null;
        out.from = m[1] === '>' ? n + 1 : n;
        break;
      case '<=':
      case '<':
        if (out.to !== null) return null;
        out.to = m[1] === '<' ? n - 1 : n;
        break;
      default:
        if (out.from !== null || out.to !== null) return null;
        out.from = n;
        out.to = n;
    }
  }
  return out.from === null && out.to === null ? null : out;
}

/**
 * writeDays writes range back into expr: a bound that did not change keeps
 * its clause as written ("> 30" stays), a changed one is written ">= N" /
 * "<= N", and a bound set to null is dropped. With no bound at all the
 * expression is kept.
 */
export function writeDays(expr: string, range: DaysRange): string {
  const old = parseDays(expr);
  if (range.from === null && range.to === null) return expr;
  if (old && old.from === range.from && old.to === range.to) return expr;
  const clauses = old ? expr.split('&&').map((c) => c.trim()) : [];
  const op = (c: string): string => dayClause.exec(c)?.[1] ?? '';
  const lower = clauses.find((c) => op(c) === '>=' || op(c) === '>');
  const upper = clauses.find((c) => op(c) === '<=' || op(c) === '<');
  const parts: string[] = [];
  if (range.from !== null) parts.push(lower && old?.from === range.from ? lower : `invoice.days_overdue >= ${range.from}`);
  if (range.to !== null) parts.push(upper && old?.to === range.to ? upper : `invoice.days_overdue <= ${range.to}`);
  return parts.join(' && ');
}
