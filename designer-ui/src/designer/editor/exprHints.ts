// Completion and hover help for expressions from the expression
// environment (GET /api/definitions/language): invoice., customer.,
// payments., now, today and the functions with their signatures.
import type { components } from '../../api/schema.gen';

export type Environment = components['schemas']['DefinitionLanguage']['environment'];
export type EnvField = components['schemas']['EnvironmentField'];

export interface ExprOption {
  label: string;
  type: 'field' | 'object' | 'function';
  detail: string;
  info?: string;
  /** what is inserted (a function gets its parenthesis) */
  apply: string;
}

const identTail = /(\.?[A-Za-z_][\w]*(?:\.[A-Za-z_]\w*)*\.?|\.)$/;

/** exprCompletions completes the dotted name that ends text; from is where the replaced part starts (relative to text's end). */
export function exprCompletions(env: Environment, text: string): { replace: number; options: ExprOption[] } | undefined {
  const m = identTail.exec(text);
  if (!m?.[1]) return undefined;
  // a template writes .invoice.number; an expression invoice.number
  const word = m[1].startsWith('.') ? m[1].slice(1) : m[1];
  const parts = word.split('.');
  const last = parts.pop() ?? '';
  let fields: EnvField[] = env.roots;
  for (const p of parts) {
    const f = fields.find((x) => x.name === p);
    if (!f?.fields) return undefined;
    fields = f.fields;
  }
  const options: ExprOption[] = fields
    .filter((f) => f.name.startsWith(last))
    .map((f) => ({ label: f.name, type: f.fields ? 'object' : 'field', detail: f.type, info: f.doc, apply: f.name }));
  if (parts.length === 0 && !m[1].startsWith('.')) {
    for (const fn of env.functions) {
      if (fn.name.startsWith(last)) options.push({ label: fn.name, type: 'function', detail: fn.signature, info: fn.doc, apply: `${fn.name}(` });
    }
  }
  return { replace: last.length, options };
}

/** describeName explains a dotted name (invoice.days_overdue) or a function. */
export function describeName(env: Environment, name: string): { title: string; doc?: string } | undefined {
  const clean = name.replace(/^\./, '');
  const fn = env.functions.find((f) => f.name === clean);
  if (fn) return { title: fn.signature, doc: fn.doc };
  let fields: EnvField[] = env.roots;
  let found: EnvField | undefined;
  for (const p of clean.split('.')) {
    found = fields.find((x) => x.name === p);
    if (!found) return undefined;
    fields = found.fields ?? [];
  }
  return found ? { title: `${clean}: ${found.type}`, doc: found.doc } : undefined;
}
