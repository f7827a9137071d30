// Server errors onto form fields: a 422's errors name their field as a JSON
// pointer ("/email") or a name; each goes next to its field, and what names
// no field of the form is returned to show above it.
import type { FormInstance } from 'antd';
import { ApiError } from '../../api/client';

/** fieldName turns "/scopes/0" or "body.email" into the form's field name. */
export function fieldName(field: string): string {
  return field.replace(/^(body\.|query\.)/, '').replace(/^\//, '').split(/[/.]/)[0] ?? field;
}

/**
 * showServerErrors puts each field error next to its field (fields the form
 * has) and returns the messages left over (or the problem's detail).
 */
export function showServerErrors<T extends object>(form: FormInstance<T>, err: unknown, fields: readonly string[], fallbackField?: string): string | undefined {
  if (!(err instanceof ApiError)) return err instanceof Error ? err.message : String(err);
  const byField = err.fieldErrors();
  const set: { name: string; errors: string[] }[] = [];
  const rest: string[] = [];
  for (const [f, msgs] of Object.entries(byField)) {
    const name = fieldName(f);
    if (fields.includes(name)) set.push({ name, errors: msgs });
    else rest.push(...msgs.map((m) => (f ? `${f}: ${m}` : m)));
  }
  if (set.length === 0 && rest.length === 0 && fallbackField && err.status === 409) {
    set.push({ name: fallbackField, errors: [err.problem.detail || err.problem.title] });
  }
  if (set.length) form.setFields(set as Parameters<FormInstance<T>['setFields']>[0]);
  if (rest.length) return rest.join(' ');
  if (set.length) return undefined;
  return err.problem.detail || err.problem.title;
}
