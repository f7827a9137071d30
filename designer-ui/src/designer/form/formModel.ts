// formModel reads a Form document (docs/language.md, "Forms") into the list
// of fields the form designer edits, and applies the designer's edits to the
// YAML text. The text stays the source of truth: an edit is located with the
// yaml Document API (node ranges) and spliced into the text, so only the part
// that changes is rewritten; everything else (comments, order, quoting,
// aligned comments, blank lines) stays byte for byte as the admin typed it.
// Only when the text has no place to splice into (a form with no `spec`) is
// the document printed again as a whole.
//
// Nothing here throws on what the admin typed: readForm returns the last good
// model with the parse error, and applyEdit refuses with a reason.
import {
  Document, LineCounter, Scalar, YAMLMap, YAMLSeq, isMap, isScalar, isSeq, parseDocument,
  type Node as YamlNode, type Pair,
} from 'yaml';
import type { FormDefinition, FormField, Localized } from '../../components/formDefinition';

/** The field types of the form language (engine/schema/form.schema.json). */
export const fieldTypes = [
  'string', 'text', 'number', 'integer', 'money', 'date', 'datetime', 'bool', 'enum', 'user', 'role',
] as const;
export type FieldType = (typeof fieldTypes)[number];

/** The roles a user field may be restricted to (the schema's role enum). */
export const roleNames = ['admin', 'sales_rep', 'sales_manager', 'finance', 'finance_director'] as const;

/** The languages a form's texts are written in. */
export const textLanguages = ['en', 'zh-CN'] as const;
export type TextLanguage = (typeof textLanguages)[number];

/** Texts is a localized text; '' where a language has none. A plain string in the YAML is English. */
export type Texts = Record<TextLanguage, string>;

/** A scalar as written in the YAML (a bound, a default). */
export type ScalarValue = string | number | boolean;

export interface ModelOption {
  value: string;
  label: Texts;
}

/** ModelField is one field as the designer shows it. */
export interface ModelField {
  name: string;
  /** As written; may be a type the language does not know (the server says so). */
  type: string;
  label: Texts;
  help: Texts;
  required: boolean;
  /** The required_if expression, '' when none. */
  requiredIf: string;
  /** A number, an amount or date as text, or an expression (invoice.balance, today). */
  min?: ScalarValue;
  max?: ScalarValue;
  pattern: string;
  default?: ScalarValue;
  /** role restricts a user field; '' when none. */
  role: string;
  /** currency of a money field; '' when none (the invoice's). */
  currency: string;
  options: ModelOption[];
  /** The lines (1-based, inclusive) the field's text spans, comments above it included. */
  lines: { from: number; to: number };
}

export interface FormModel {
  name: string;
  title: Texts;
  fields: ModelField[];
}

/** A position in the text, 1-based, as the server's problems are. */
export interface TextError {
  message: string;
  line: number;
  column: number;
}

export interface ReadResult {
  /** The model of the text, or (when the text does not parse) the last good one given. */
  model: FormModel;
  /** Why the text could not be read; the model is then the last good one. */
  error?: TextError;
}

export const emptyModel: FormModel = { name: '', title: { en: '', 'zh-CN': '' }, fields: [] };

type Json = Record<string, unknown>;

function isJson(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function readTexts(v: unknown): Texts {
  if (typeof v === 'string') return { en: v, 'zh-CN': '' };
  if (!isJson(v)) return { en: '', 'zh-CN': '' };
  const s = (x: unknown) => (typeof x === 'string' ? x : x === undefined || x === null ? '' : String(x));
  return { en: s(v.en), 'zh-CN': s(v['zh-CN']) };
}

function readScalar(v: unknown): ScalarValue | undefined {
  return typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' ? v : undefined;
}

function text(v: unknown): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return '';
}

function readField(raw: unknown, lines: { from: number; to: number }): ModelField {
  const f = isJson(raw) ? raw : {};
  const options = Array.isArray(f.options) ? f.options : [];
  return {
    name: text(f.name),
    type: text(f.type),
    label: readTexts(f.label),
    help: readTexts(f.help),
    required: f.required === true,
    requiredIf: text(f.required_if),
    min: readScalar(f.min),
    max: readScalar(f.max),
    pattern: text(f.pattern),
    default: readScalar(f.default),
    role: text(f.role),
    currency: text(f.currency),
    options: options.map((o): ModelOption => {
      if (!isJson(o)) return { value: text(o), label: readTexts(undefined) };
      return { value: text(o.value), label: readTexts(o.label) };
    }),
    lines,
  };
}

function firstError(doc: Document, lc: LineCounter): TextError | undefined {
  const e = doc.errors[0];
  if (!e) return undefined;
  const pos = lc.linePos(e.pos[0]);
  return { message: e.message.split('\n')[0] ?? e.message, line: pos.line, column: pos.col };
}

function parse(source: string): { doc: Document; lc: LineCounter; error?: TextError } {
  const lc = new LineCounter();
  const doc = parseDocument(source, { lineCounter: lc, keepSourceTokens: false, prettyErrors: true });
  return { doc, lc, error: firstError(doc, lc) };
}

/**
 * readForm reads a Form document. It never throws: when the text does not
 * parse (it is being typed) it returns `last` (or an empty model) with the
 * error's position.
 */
export function readForm(source: string, last: FormModel = emptyModel): ReadResult {
  try {
    const { doc, lc, error } = parse(source);
    if (error) return { model: last, error };
    const js: unknown = doc.toJS();
    const root = isJson(js) ? js : {};
    const meta = isJson(root.metadata) ? root.metadata : {};
    const spec = isJson(root.spec) ? root.spec : {};
    const seq = fieldsSeq(doc);
    const rawFields = Array.isArray(spec.fields) ? spec.fields : [];
    const fields = rawFields.map((raw, i) => {
      const chunk = seq ? itemChunk(source, seq, i) : undefined;
      const lines = chunk
        ? { from: lc.linePos(chunk[0]).line, to: lc.linePos(Math.max(chunk[0], chunk[1] - 1)).line }
        : { from: 0, to: 0 };
      return readField(raw, lines);
    });
    return { model: { name: text(meta.name), title: readTexts(meta.title), fields } };
  } catch (e) {
    return { model: last, error: { message: e instanceof Error ? e.message : String(e), line: 1, column: 1 } };
  }
}

/** fieldAtLine is the index of the field whose text holds the line, or -1. */
export function fieldAtLine(model: FormModel, line: number): number {
  return model.fields.findIndex((f) => f.lines.from <= line && line <= f.lines.to);
}

/** Where a problem is: the field (index) and the key in it ("min", "label.zh-CN", "options"). */
export interface ProblemPlace {
  field: number;
  key?: string;
}

/**
 * placeProblems finds, for each problem's line and column (1-based), the
 * field and the key within it that it points at; undefined for a problem
 * outside the fields, and for all of them when the text does not parse. The
 * text is parsed once for the whole list.
 */
export function placeProblems(source: string, problems: readonly { line: number; column: number }[]): (ProblemPlace | undefined)[] {
  try {
    const { doc, lc, error } = parse(source);
    const seq = error ? undefined : fieldsSeq(doc);
    if (!seq) return problems.map(() => undefined);
    const lineOf = (offset: number) => lc.linePos(offset).line;
    const chunks = seq.items.map((_, i) => itemChunk(source, seq, i));
    return problems.map(({ line, column }) => place(seq, chunks, lineOf, lc.lineStarts, source.length, line, column));
  } catch {
    return problems.map(() => undefined);
  }
}

/** placeProblem is placeProblems for one problem. */
export function placeProblem(source: string, line: number, column: number): ProblemPlace | undefined {
  return placeProblems(source, [{ line, column }])[0];
}

function place(
  seq: YAMLSeq, chunks: ([number, number] | undefined)[], lineOf: (offset: number) => number,
  lineStarts: number[], end: number, line: number, column: number,
): ProblemPlace | undefined {
  const offset = (line === 1 ? 0 : lineStarts[line - 1] ?? end) + Math.max(0, column - 1);
  let field = chunks.findIndex((c) => c !== undefined && c[0] <= offset && offset < c[1]);
  if (field < 0) field = chunks.findIndex((c) => c !== undefined && lineOf(c[0]) <= line && line <= lineOf(Math.max(c[0], c[1] - 1)));
  if (field < 0) return undefined;
  const keyIn = (map: YAMLMap): { key: string; value: unknown } | undefined => {
    const hits = map.items.flatMap((p) => {
      const k = isScalar(p.key) ? p.key : undefined;
      const kr = rangeOf(k);
      if (!k || !kr) return [];
      const vr = rangeOf(isScalar(p.value) || isMap(p.value) || isSeq(p.value) ? p.value : undefined);
      const to = vr ? vr[1] : kr[1];
      if (lineOf(kr[0]) > line || line > lineOf(Math.max(kr[0], to - 1))) return [];
      return [{ key: String(k.value), value: p.value, inside: kr[0] <= offset && offset <= to }];
    });
    return hits.find((h) => h.inside) ?? hits[0];
  };
  const item = seq.items[field];
  if (!isMap(item)) return { field };
  const hit = keyIn(item);
  if (!hit) return { field };
  if ((hit.key === 'label' || hit.key === 'help') && isMap(hit.value)) {
    const lang = keyIn(hit.value);
    if (lang) return { field, key: `${hit.key}.${lang.key}` };
  }
  return { field, key: hit.key };
}

// ---- edits ----

/** The scalar keys of a field the designer sets (label, help and options have their own edits). */
export type FieldKey = 'name' | 'type' | 'required' | 'required_if' | 'min' | 'max' | 'pattern' | 'default' | 'role' | 'currency';

/** The new field's first keys, in the order they are written. */
export interface NewField {
  name: string;
  type: FieldType;
  label?: Partial<Texts>;
}

export type FormEdit =
  | { op: 'addField'; field: NewField }
  | { op: 'removeField'; index: number }
  | { op: 'moveField'; index: number; to: 'up' | 'down' }
  /** value undefined (or '' or false for required) removes the key. */
  | { op: 'setField'; index: number; key: FieldKey; value: ScalarValue | undefined }
  /** text '' removes that language's text. */
  | { op: 'setText'; index: number; key: 'label' | 'help'; lang: TextLanguage; text: string }
  | { op: 'addOption'; index: number; value: string; label?: Partial<Texts> }
  | { op: 'removeOption'; index: number; option: number }
  | { op: 'moveOption'; index: number; option: number; to: 'up' | 'down' }
  | { op: 'setOptionValue'; index: number; option: number; value: string }
  | { op: 'setOptionText'; index: number; option: number; lang: TextLanguage; text: string };

/** Why an edit was refused: a key of the formDesigner catalog's editErrors. */
export type EditRefusal = 'unparsable' | 'notAForm' | 'noSuchField' | 'noSuchOption' | 'cannotMove';

export type EditResult = { ok: true; text: string } | { ok: false; reason: EditRefusal };

/** What may be written as a value: a scalar, a map of scalars (texts), or a list of those. */
type Value = ScalarValue | { [key: string]: Value } | Value[];

const printOptions = { lineWidth: 0, flowCollectionPadding: false } as const;

/**
 * scalarText prints a scalar for a block (or, inFlow, a flow) context. It
 * keeps the quote style of the scalar it replaces when the admin chose it
 * (the old text did not need quotes) or when the new text needs quotes too;
 * quotes the old text needed (a trailing space typed a moment ago) are not
 * carried over to a text that does not.
 */
function scalarText(value: ScalarValue, inFlow: boolean, old?: Scalar): string {
  const print = (s: Scalar): string => {
    if (!inFlow) return new Document(s).toString(printOptions).replace(/\n$/, '');
    const seq = new YAMLSeq();
    seq.flow = true;
    seq.items.push(s);
    return new Document(seq).toString(printOptions).replace(/\n$/, '').slice(1, -1);
  };
  const s = new Scalar(value);
  if (typeof value === 'string') {
    if (value.includes('\n')) s.type = Scalar.QUOTE_DOUBLE;
    else if (old && typeof old.value === 'string' && (old.type === Scalar.QUOTE_SINGLE || old.type === Scalar.QUOTE_DOUBLE)) {
      const quoted = (v: string) => /^['"]/.test(print(new Scalar(v)));
      // the admin's quotes stay when they chose them, or when the new text needs quotes anyway
      if (!quoted(old.value) || quoted(value)) s.type = old.type;
    }
  }
  return print(s);
}

/** flowText prints a value on one line (maps as {en: …, zh-CN: …}). */
function flowText(value: Value): string {
  if (typeof value !== 'object') return scalarText(value, false);
  const doc = new Document(value);
  if (isMap(doc.contents) || isSeq(doc.contents)) doc.contents.flow = true;
  return doc.toString(printOptions).replace(/\n$/, '');
}

/** blockEntry prints `key: value` lines at an indentation; lists of maps become block lists. */
function blockEntry(key: string, value: Value, indent: number, blockItems: boolean): string {
  const pad = ' '.repeat(indent);
  if (Array.isArray(value) && value.length > 0) {
    const items = value.map((v) => seqItemText(v, indent + 2, blockItems)).join('');
    return `${pad}${key}:\n${items}`;
  }
  return `${pad}${key}: ${flowText(value)}\n`;
}

/** seqItemText prints one list item at the dash's indentation: a map as block lines, or on one line. */
function seqItemText(value: Value, indent: number, block: boolean): string {
  const pad = ' '.repeat(indent);
  if (!block || typeof value !== 'object' || Array.isArray(value)) return `${pad}- ${flowText(value)}\n`;
  const lines = Object.entries(value).map(([k, v], i) =>
    blockEntry(k, v, i === 0 ? 0 : indent + 2, false));
  return `${pad}- ${lines.join('')}`;
}

function lineStart(src: string, pos: number): number {
  return src.lastIndexOf('\n', pos - 1) + 1;
}

/** lineEndAfter is the start of the line after the one holding pos - 1 (or the text's end). */
function lineEndAfter(src: string, pos: number): number {
  if (pos > 0 && src[pos - 1] === '\n') return pos;
  const nl = src.indexOf('\n', pos);
  return nl < 0 ? src.length : nl + 1;
}

function rangeOf(n: YamlNode | null | undefined): [number, number] | undefined {
  const r = n?.range;
  return r ? [r[0], r[1]] : undefined;
}

function splice(src: string, from: number, to: number, insert: string): string {
  return src.slice(0, from) + insert + src.slice(to);
}

/** insertLines inserts lines at pos, starting them on a line of their own. */
function insertLines(src: string, pos: number, lines: string): string {
  const before = pos > 0 && src[pos - 1] !== '\n' ? '\n' : '';
  return splice(src, pos, pos, before + lines);
}

function fieldsSeq(doc: Document): YAMLSeq | undefined {
  const n = doc.getIn(['spec', 'fields'], true);
  return isSeq(n) ? n : undefined;
}

/**
 * itemChunk is the text of a block list's item: from its dash line (and the
 * comment and blank lines right above it) to the next item's chunk or the end of its
 * last line.
 */
function itemChunk(src: string, seq: YAMLSeq, i: number): [number, number] | undefined {
  if (seq.flow) {
    const item = seq.items[i];
    return rangeOf(isScalar(item) || isMap(item) || isSeq(item) ? item : undefined);
  }
  const start = (j: number): number | undefined => {
    const item = seq.items[j];
    const r = rangeOf(isScalar(item) || isMap(item) || isSeq(item) ? item : undefined);
    if (!r) return undefined;
    const dash = src.lastIndexOf('-', r[0] - 1);
    if (dash < 0) return undefined;
    let s = lineStart(src, dash);
    // the comment and blank lines right above the item travel with it
    while (s > 0) {
      const prev = lineStart(src, s - 1);
      if (!/^\s*(#.*)?\n$/.test(src.slice(prev, s))) break;
      s = prev;
    }
    return s;
  };
  const from = start(i);
  if (from === undefined) return undefined;
  if (i + 1 < seq.items.length) {
    const next = start(i + 1);
    return next === undefined ? undefined : [from, next];
  }
  const item = seq.items[i];
  const r = rangeOf(isScalar(item) || isMap(item) || isSeq(item) ? item : undefined);
  return r ? [from, lineEndAfter(src, r[1])] : undefined;
}

function findPair(map: YAMLMap, key: string): Pair | undefined {
  return map.items.find((p) => isScalar(p.key) && p.key.value === key);
}

function mapColumn(src: string, map: YAMLMap): number | undefined {
  const r = rangeOf(map);
  return r ? r[0] - lineStart(src, r[0]) : undefined;
}

/** reprintNode replaces a node's text with its printed form (used for flow collections). */
function reprintNode(src: string, node: YAMLMap | YAMLSeq): string | undefined {
  const r = rangeOf(node);
  if (!r) return undefined;
  const flow = node.flow;
  node.flow = true;
  const out = new Document(node).toString(printOptions).replace(/\n$/, '');
  node.flow = flow;
  return splice(src, r[0], r[1], out);
}

/**
 * setKey writes key: value in a map (value undefined removes the key),
 * touching only that entry's text. It returns undefined when it cannot
 * splice (the caller then refuses).
 */
function setKey(src: string, map: YAMLMap, key: string, value: Value | undefined, blockItems = false): string | undefined {
  const pair = findPair(map, key);
  const scalarNode = pair && isScalar(pair.value) ? pair.value : undefined;
  const scalarRange = rangeOf(scalarNode);
  // a key with nothing after it (`required:` half typed) is written again below, not glued to its colon
  if (scalarNode && scalarRange && scalarRange[1] > scalarRange[0] && value !== undefined && typeof value !== 'object') {
    return splice(src, scalarRange[0], scalarRange[1], scalarText(value, map.flow === true, scalarNode));
  }
  if (map.flow) {
    if (value === undefined) map.delete(key);
    else map.set(key, value);
    return reprintNode(src, map);
  }
  if (pair) {
    const keyRange = rangeOf(isScalar(pair.key) ? pair.key : undefined);
    if (!keyRange) return undefined;
    const valueNode = isScalar(pair.value) || isMap(pair.value) || isSeq(pair.value) ? pair.value : undefined;
    const valueRange = rangeOf(valueNode);
    if (value === undefined) {
      const from = lineStart(src, keyRange[0]);
      if (src.slice(from, keyRange[0]).trim() !== '') {
        // the key shares its line with a list's dash: keep the dash, print the map again
        map.delete(key);
        return reprintItemMap(src, map);
      }
      const to = lineEndAfter(src, valueRange ? valueRange[1] : keyRange[1]);
      return splice(src, from, to, '');
    }
    // a different shape: the entry is written again, from its key to the end of its value's line
    const end = valueRange ? valueRange[1] : keyRange[1];
    const col = mapColumn(src, map) ?? 0;
    return splice(src, keyRange[0], lineEndAfter(src, end), blockEntry(key, value, col, blockItems).slice(col));
  }
  if (value === undefined) return src;
  const r = rangeOf(map);
  const col = mapColumn(src, map);
  if (!r || col === undefined) return undefined;
  if (map.items.length === 0) return undefined;
  return insertLines(src, lineEndAfter(src, r[1]), blockEntry(key, value, col, blockItems));
}

/** reprintItemMap prints a block map that starts on a list's dash line again, in place. */
function reprintItemMap(src: string, map: YAMLMap): string | undefined {
  const r = rangeOf(map);
  const col = mapColumn(src, map);
  if (!r || col === undefined) return undefined;
  const body = new Document(map).toString(printOptions);
  const pad = ' '.repeat(col);
  const lines = body.replace(/\n$/, '').split('\n').map((l, i) => (i === 0 ? l : pad + l)).join('\n');
  return splice(src, r[0], lineEndAfter(src, r[1]), `${lines}\n`);
}

/** setText writes one language of a localized text (label, help) of a map, '' removing it. */
function setText(src: string, map: YAMLMap, key: string, lang: TextLanguage, value: string): string | undefined {
  const pair = findPair(map, key);
  const node = pair?.value;
  if (isMap(node)) {
    const remaining = node.items.filter((p) => !(isScalar(p.key) && p.key.value === lang));
    if (value === '' && remaining.length === 0) return setKey(src, map, key, undefined);
    return setKey(src, node, lang, value === '' ? undefined : value);
  }
  const current = isScalar(node) ? readTexts(node.value) : readTexts(undefined);
  const next: Texts = { ...current, [lang]: value };
  if (next.en === '' && next['zh-CN'] === '') return setKey(src, map, key, undefined);
  if (isScalar(node) && lang === 'en' && next['zh-CN'] === '') {
    // a plain text stays a plain text while it has no Chinese
    return setKey(src, map, key, value);
  }
  const texts: Record<string, string> = {};
  for (const l of textLanguages) if (next[l] !== '') texts[l] = next[l];
  return setKey(src, map, key, texts);
}

function seqRemove(src: string, seq: YAMLSeq, i: number): string | undefined {
  if (seq.flow) {
    seq.items.splice(i, 1);
    return reprintNode(src, seq);
  }
  const chunk = itemChunk(src, seq, i);
  return chunk ? splice(src, chunk[0], chunk[1], '') : undefined;
}

function seqSwap(src: string, seq: YAMLSeq, i: number): string | undefined {
  if (seq.flow) {
    const [a, b] = [seq.items[i], seq.items[i + 1]];
    if (a === undefined || b === undefined) return undefined;
    seq.items[i] = b;
    seq.items[i + 1] = a;
    return reprintNode(src, seq);
  }
  const a = itemChunk(src, seq, i);
  const b = itemChunk(src, seq, i + 1);
  if (!a || !b) return undefined;
  const withNl = (s: string) => (s.endsWith('\n') ? s : `${s}\n`);
  const first = src.slice(a[0], a[1]);
  const second = src.slice(b[0], b[1]);
  const tail = b[1] === src.length && !src.endsWith('\n');
  let swapped = withNl(second) + withNl(first);
  if (tail) swapped = swapped.replace(/\n$/, '');
  return splice(src, a[0], b[1], swapped);
}

function seqAppend(src: string, seq: YAMLSeq, value: Value, block: boolean): string | undefined {
  if (seq.flow || seq.items.length === 0) {
    seq.items.push(new Document().createNode(value));
    return reprintNode(src, seq);
  }
  const last = itemChunk(src, seq, seq.items.length - 1);
  const first = seq.items[0];
  const r = rangeOf(isScalar(first) || isMap(first) || isSeq(first) ? first : undefined);
  if (!last || !r) return undefined;
  const dash = src.lastIndexOf('-', r[0] - 1);
  const indent = dash - lineStart(src, dash);
  return insertLines(src, last[1], seqItemText(value, indent, block));
}

interface Located {
  doc: Document;
  seq: YAMLSeq;
}

function locate(src: string): Located | EditRefusal {
  const { doc, error } = parse(src);
  if (error) return 'unparsable';
  const seq = fieldsSeq(doc);
  if (!seq) return 'notAForm';
  return { doc, seq };
}

function fieldMap(seq: YAMLSeq, index: number): YAMLMap | undefined {
  const n = seq.items[index];
  return isMap(n) ? n : undefined;
}

function optionsSeq(map: YAMLMap): YAMLSeq | undefined {
  const n = map.get('options', true);
  return isSeq(n) ? n : undefined;
}

function textsValue(t: Partial<Texts> | undefined): Record<string, string> | undefined {
  if (!t) return undefined;
  const out: Record<string, string> = {};
  for (const l of textLanguages) {
    const v = t[l];
    if (v) out[l] = v;
  }
  return Object.keys(out).length > 0 ? out : undefined;
}

function newFieldValue(f: NewField): Record<string, Value> {
  const v: Record<string, Value> = { name: f.name, type: f.type };
  const label = textsValue(f.label);
  if (label) v.label = label;
  return v;
}

function addField(src: string, field: NewField): EditResult {
  const { doc, error } = parse(src);
  if (error) return { ok: false, reason: 'unparsable' };
  const value = newFieldValue(field);
  const seq = fieldsSeq(doc);
  if (seq) {
    const out = seqAppend(src, seq, value, true);
    return out === undefined ? { ok: false, reason: 'notAForm' } : { ok: true, text: out };
  }
  const spec = doc.get('spec', true);
  if (isMap(spec) && !spec.flow && spec.items.length > 0) {
    const out = setKey(src, spec, 'fields', [value], true);
    if (out !== undefined) return { ok: true, text: out };
  }
  // no place to splice into: print the document again
  if (doc.contents !== null && !isMap(doc.contents)) return { ok: false, reason: 'notAForm' };
  doc.setIn(['spec', 'fields'], doc.createNode([value]));
  return { ok: true, text: doc.toString(printOptions) };
}

function keyValue(key: FieldKey, value: ScalarValue | undefined): ScalarValue | undefined {
  // a field keeps its name and type keys, empty or not: they are on the list's dash line
  if (key === 'name' || key === 'type') return value ?? '';
  if (value === undefined) return undefined;
  if (key === 'required') return value === true ? true : undefined;
  if (typeof value === 'string' && value.trim() === '') return undefined;
  return value;
}

/**
 * applyEdit applies one designer edit to the text and returns the new text,
 * changed only where the edit is; or why it cannot (the text does not parse,
 * the field is gone).
 */
export function applyEdit(src: string, edit: FormEdit): EditResult {
  try {
    if (edit.op === 'addField') return addField(src, edit.field);
    const at = locate(src);
    if (typeof at === 'string') return { ok: false, reason: at };
    const { seq } = at;
    const map = fieldMap(seq, edit.index);
    if (!map && edit.op !== 'removeField' && edit.op !== 'moveField') return { ok: false, reason: 'noSuchField' };
    if (edit.index < 0 || edit.index >= seq.items.length) return { ok: false, reason: 'noSuchField' };
    const done = (out: string | undefined, reason: EditRefusal = 'notAForm'): EditResult =>
      (out === undefined ? { ok: false, reason } : { ok: true, text: out });
    switch (edit.op) {
      case 'removeField':
        return done(seqRemove(src, seq, edit.index));
      case 'moveField': {
        const i = edit.to === 'up' ? edit.index - 1 : edit.index;
        if (i < 0 || i + 1 >= seq.items.length) return { ok: false, reason: 'cannotMove' };
        return done(seqSwap(src, seq, i));
      }
      case 'setField':
        return done(map && setKey(src, map, edit.key, keyValue(edit.key, edit.value)));
      case 'setText':
        return done(map && setText(src, map, edit.key, edit.lang, edit.text));
      default:
        break;
    }
    if (!map) return { ok: false, reason: 'noSuchField' };
    const options = optionsSeq(map);
    if (edit.op === 'addOption') {
      const value: Record<string, Value> = { value: edit.value };
      const label = textsValue(edit.label);
      if (label) value.label = label;
      if (!options) return done(setKey(src, map, 'options', [value]));
      return done(seqAppend(src, options, value, false));
    }
    const option = options?.items[edit.option];
    if (!options || option === undefined) return { ok: false, reason: 'noSuchOption' };
    switch (edit.op) {
      case 'removeOption':
        if (options.items.length === 1) return done(setKey(src, map, 'options', undefined));
        return done(seqRemove(src, options, edit.option));
      case 'moveOption': {
        const i = edit.to === 'up' ? edit.option - 1 : edit.option;
        if (i < 0 || i + 1 >= options.items.length) return { ok: false, reason: 'cannotMove' };
        return done(seqSwap(src, options, i));
      }
      case 'setOptionValue':
        if (!isMap(option)) return { ok: false, reason: 'noSuchOption' };
        return done(setKey(src, option, 'value', edit.value));
      case 'setOptionText':
        if (!isMap(option)) return { ok: false, reason: 'noSuchOption' };
        return done(setText(src, option, 'label', edit.lang, edit.text));
      default:
        return { ok: false, reason: 'notAForm' };
    }
  } catch {
    return { ok: false, reason: 'unparsable' };
  }
}

/** uniqueName is a field name not yet in the model: base, base_2, base_3… */
export function uniqueName(model: FormModel, base = 'new_field'): string {
  const taken = new Set(model.fields.map((f) => f.name));
  if (!taken.has(base)) return base;
  for (let i = 2; ; i++) if (!taken.has(`${base}_${i}`)) return `${base}_${i}`;
}

/**
 * boundValue turns what was typed as a min, max or default into the scalar
 * to write: a plain number as a number (for number, integer and length
 * bounds), anything else as text (an amount "100.00 CNY", a date, an
 * expression such as invoice.balance), '' as no bound.
 */
export function boundValue(typed: string, type: string): ScalarValue | undefined {
  const s = typed.trim();
  if (s === '') return undefined;
  if (/^-?\d+(\.\d+)?$/.test(s) && type !== 'money' && type !== 'date') return Number(s);
  if (type === 'bool' && (s === 'true' || s === 'false')) return s === 'true';
  return s;
}

/**
 * previewDefinition is the model as the inbox's FormRenderer reads a form;
 * fields it could not draw (no name, a type the language does not have) are
 * left out, as the server would refuse them.
 */
export function previewDefinition(model: FormModel): FormDefinition | undefined {
  const known = new Set<string>(fieldTypes);
  const texts = (t: Texts): Localized | undefined =>
    (t.en === '' && t['zh-CN'] === '' ? undefined : { en: t.en || undefined, 'zh-CN': t['zh-CN'] || undefined });
  const bound = (v: ScalarValue | undefined): string | number | undefined => (typeof v === 'boolean' ? undefined : v);
  const fields = model.fields
    .filter((f) => f.name !== '' && known.has(f.type))
    .map((f): FormField => ({
      name: f.name,
      type: f.type as FieldType,
      label: texts(f.label),
      help: texts(f.help),
      required: f.required,
      required_if: f.requiredIf || undefined,
      min: bound(f.min),
      max: bound(f.max),
      pattern: f.pattern || undefined,
      default: f.default,
      options: f.type === 'enum' ? f.options.filter((o) => o.value !== '').map((o) => ({ value: o.value, label: texts(o.label) })) : undefined,
      role: f.role || undefined,
      currency: f.currency || undefined,
    }));
  if (fields.length === 0) return undefined;
  // the same name twice would draw one input for both
  const seen = new Set<string>();
  const unique = fields.filter((f) => (seen.has(f.name) ? false : (seen.add(f.name), true)));
  return { name: model.name || undefined, title: texts(model.title), fields: unique };
}
