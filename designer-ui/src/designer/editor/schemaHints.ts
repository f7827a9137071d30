// Completion and hover help from the published JSON Schemas (GET
// /api/definitions/language): the keys allowed at a path, the values an
// enum allows, whether a value is an expression, and each key's
// description.
import type { PathSegment } from './yamlPath';

export type JsonSchema = { [key: string]: unknown };

function obj(v: unknown): JsonSchema | undefined {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as JsonSchema) : undefined;
}

function list(v: unknown): JsonSchema[] {
  return Array.isArray(v) ? v.map(obj).filter((x): x is JsonSchema => x !== undefined) : [];
}

/** variants resolves $ref and flattens allOf/oneOf/anyOf into the schemas a value may match. */
function variants(root: JsonSchema, s: JsonSchema | undefined, depth = 0): JsonSchema[] {
  if (!s || depth > 20) return [];
  const ref = typeof s.$ref === 'string' ? s.$ref : undefined;
  if (ref?.startsWith('#/$defs/')) {
    const target = obj(obj(root.$defs)?.[ref.slice('#/$defs/'.length)]);
    return variants(root, target, depth + 1);
  }
  const out = [s];
  for (const k of ['allOf', 'oneOf', 'anyOf']) {
    for (const sub of list(s[k])) out.push(...variants(root, sub, depth + 1));
  }
  return out;
}

/** schemaAt follows path from the document's schema; [] when the path leaves it. */
export function schemaAt(root: JsonSchema, path: PathSegment[]): JsonSchema[] {
  let cur = variants(root, root);
  for (const seg of path) {
    const next: JsonSchema[] = [];
    for (const s of cur) {
      if (typeof seg === 'number') {
        next.push(...variants(root, obj(s.items)));
        continue;
      }
      const prop = obj(obj(s.properties)?.[seg]);
      if (prop) next.push(...variants(root, prop));
      else if (obj(s.additionalProperties)) next.push(...variants(root, obj(s.additionalProperties)));
    }
    cur = next;
    if (cur.length === 0) break;
  }
  return cur;
}

export interface KeyOption {
  key: string;
  description?: string;
  required: boolean;
}

/** keysAt lists the keys the mapping at path may hold, required ones first. */
export function keysAt(root: JsonSchema, path: PathSegment[]): KeyOption[] {
  const seen = new Map<string, KeyOption>();
  for (const s of schemaAt(root, path)) {
    const required = new Set(Array.isArray(s.required) ? s.required.filter((x): x is string => typeof x === 'string') : []);
    for (const [key, v] of Object.entries(obj(s.properties) ?? {})) {
      const prev = seen.get(key);
      const desc = describe(root, obj(v));
      seen.set(key, { key, description: prev?.description ?? desc, required: (prev?.required ?? false) || required.has(key) });
    }
  }
  return [...seen.values()].sort((a, b) => Number(b.required) - Number(a.required) || a.key.localeCompare(b.key));
}

function describe(root: JsonSchema, s: JsonSchema | undefined): string | undefined {
  for (const v of variants(root, s)) if (typeof v.description === 'string') return v.description;
  return undefined;
}

/** valuesAt lists the values an enum, const or boolean allows for key in the mapping at path. */
export function valuesAt(root: JsonSchema, path: PathSegment[], key: string): string[] {
  const out = new Set<string>();
  for (const s of schemaAt(root, [...path, key])) {
    for (const e of Array.isArray(s.enum) ? s.enum : []) if (typeof e === 'string' || typeof e === 'number' || typeof e === 'boolean') out.add(String(e));
    if (typeof s.const === 'string') out.add(s.const);
    if (s.type === 'boolean') ['true', 'false'].forEach((b) => out.add(b));
  }
  return [...out];
}

/** isExpression says whether key's value in the mapping at path is an expression. */
export function isExpression(root: JsonSchema, path: PathSegment[], key: string): boolean {
  return schemaAt(root, [...path, key]).some((s) => typeof s.description === 'string' && s.description.startsWith('an expr expression'));
}

/** describeKey is key's description in the mapping at path. */
export function describeKey(root: JsonSchema, path: PathSegment[], key: string): string | undefined {
  for (const s of schemaAt(root, path)) {
    const d = describe(root, obj(obj(s.properties)?.[key]));
    if (d) return d;
  }
  return undefined;
}
