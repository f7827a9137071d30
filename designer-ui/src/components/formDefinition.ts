// The Form definition as the browser sees it, and a tolerant reader for the
// shapes the server may send it in: the document's spec ({fields, ...}), the
// whole document ({metadata, spec}), labels as plain text or per language
// ({en, "zh-CN"}), and Go's default field names (En, ZhCN, Name, Type...).
// It only reads the definition; every rule in it is enforced by the server.

export type FieldType =
  | 'string' | 'text' | 'number' | 'integer' | 'money' | 'date' | 'datetime'
  | 'bool' | 'enum' | 'user' | 'role';

/** Localized is a text per language; a plain string is English (and used for every language). */
export type Localized = string | { en?: string; 'zh-CN'?: string };

export interface FormOption {
  value: string;
  label?: Localized;
}

export interface FormField {
  name: string;
  type: FieldType;
  label?: Localized;
  help?: Localized;
  required?: boolean;
  /** required_if is an expression over form.FIELD, evaluated by the server; shown as a hint. */
  required_if?: string;
  min?: string | number;
  max?: string | number;
  /** pattern must match the whole value (checked by the server). */
  pattern?: string;
  default?: unknown;
  options?: FormOption[];
  /** role restricts a user field to users with that role. */
  role?: string;
  /** currency of a money field; without it the amount is sent with the form's currency. */
  currency?: string;
}

export interface FormDefinition {
  name?: string;
  version?: number;
  title?: Localized;
  fields: FormField[];
  outcome_field?: string;
}

const fieldTypes = new Set<string>(['string', 'text', 'number', 'integer', 'money', 'date', 'datetime', 'bool', 'boolean', 'enum', 'user', 'role']);

type Obj = Record<string, unknown>;

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** pick reads the first present key among names (snake_case, Go's, camelCase). */
function pick(o: Obj, ...names: string[]): unknown {
  for (const n of names) {
    if (o[n] !== undefined && o[n] !== null) return o[n];
  }
  return undefined;
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' ? v : undefined;
}

function readLocalized(v: unknown): Localized | undefined {
  if (typeof v === 'string') return v || undefined;
  if (!isObj(v)) return undefined;
  const en = str(pick(v, 'en', 'En'));
  const zh = str(pick(v, 'zh-CN', 'zh_CN', 'ZhCN', 'zhCN', 'zh'));
  if (!en && !zh) return undefined;
  return { en, 'zh-CN': zh };
}

/** Go's Literal ({Value, Set, Tag}) or a plain value. */
function readLiteral(v: unknown): string | number | undefined {
  if (typeof v === 'number') return v;
  if (typeof v === 'string') return v === '' ? undefined : v;
  if (isObj(v)) {
    if (v.Set === false || v.set === false) return undefined;
    return readLiteral(pick(v, 'value', 'Value'));
  }
  return undefined;
}

function readDefault(v: unknown): unknown {
  if (isObj(v) && ('Set' in v || 'Tag' in v)) {
    if (v.Set === false) return undefined;
    const value = pick(v, 'Value', 'value');
    if (v.Tag === '!!bool') return value === 'true';
    return value;
  }
  return v ?? undefined;
}

/** Go's Expr may come as {Source: "..."} or as the expression text. */
function readExpr(v: unknown): string | undefined {
  if (typeof v === 'string') return v || undefined;
  if (isObj(v)) return str(pick(v, 'source', 'Source', 'expr', 'Expr', 'text', 'Text'));
  return undefined;
}

function readField(raw: unknown): FormField | undefined {
  if (!isObj(raw)) return undefined;
  const name = str(readLiteralName(pick(raw, 'name', 'Name')));
  let type = str(pick(raw, 'type', 'Type'));
  if (!name || !type || !fieldTypes.has(type)) return undefined;
  if (type === 'boolean') type = 'bool';
  const options = pick(raw, 'options', 'Options');
  return {
    name,
    type: type as FieldType,
    label: readLocalized(pick(raw, 'label', 'Label')),
    help: readLocalized(pick(raw, 'help', 'Help')),
    required: pick(raw, 'required', 'Required') === true,
    required_if: readExpr(pick(raw, 'required_if', 'RequiredIf', 'requiredIf')),
    min: readLiteral(pick(raw, 'min', 'Min')),
    max: readLiteral(pick(raw, 'max', 'Max')),
    pattern: str(pick(raw, 'pattern', 'Pattern')),
    default: readDefault(pick(raw, 'default', 'Default')),
    options: Array.isArray(options)
      ? options.flatMap((o): FormOption[] => {
        if (typeof o === 'string') return [{ value: o }];
        if (!isObj(o)) return [];
        const value = str(readLiteralName(pick(o, 'value', 'Value')));
        return value ? [{ value, label: readLocalized(pick(o, 'label', 'Label')) }] : [];
      })
      : undefined,
    role: str(pick(raw, 'role', 'Role')),
    currency: str(pick(raw, 'currency', 'Currency')),
  };
}

/** Go's Ident is {Value, Pos} when marshalled without tags. */
function readLiteralName(v: unknown): unknown {
  if (isObj(v)) return pick(v, 'value', 'Value');
  return v;
}

/**
 * readFormDefinition turns what the API sent as a form definition into a
 * FormDefinition, or undefined when it holds no fields.
 */
export function readFormDefinition(raw: unknown): FormDefinition | undefined {
  if (!isObj(raw)) return undefined;
  const spec = pick(raw, 'spec', 'Spec');
  const body: Obj = isObj(spec) ? spec : raw;
  const meta = pick(raw, 'metadata', 'Metadata');
  const fieldsRaw = pick(body, 'fields', 'Fields');
  if (!Array.isArray(fieldsRaw)) return undefined;
  const fields = fieldsRaw.map(readField).filter((f): f is FormField => f !== undefined);
  if (fields.length === 0) return undefined;
  const metaObj = isObj(meta) ? meta : {};
  return {
    name: str(readLiteralName(pick(raw, 'name', 'Name'))) ?? str(readLiteralName(pick(metaObj, 'name', 'Name'))),
    version: typeof raw.version === 'number' ? raw.version : undefined,
    title: readLocalized(pick(raw, 'title', 'Title')) ?? readLocalized(pick(metaObj, 'title', 'Title')),
    fields,
    outcome_field: str(readLiteralName(pick(body, 'outcome_field', 'OutcomeField'))),
  };
}

/** localized picks the text for a language, falling back to English, then to the other language. */
export function localized(text: Localized | undefined, lang: string): string {
  if (text === undefined) return '';
  if (typeof text === 'string') return text;
  if (lang === 'zh-CN') return text['zh-CN'] || text.en || '';
  return text.en || text['zh-CN'] || '';
}
