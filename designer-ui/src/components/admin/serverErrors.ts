// Server errors onto form fields: a 422's errors name their field as a JSON
// pointer ("/email") or a name; each goes next to its field, and what names
// no field of the form is returned to show above it. The server validates
// against the OpenAPI schema and answers in English ("minimum string length
// is 8"); the schema validator's few phrasings are put into the user's
// language, anything else is shown as the server wrote it.
import type { FormInstance } from 'antd';
import type { TFunction } from 'i18next';
import { ApiError } from '../../api/client';

/** fieldName turns "/scopes/0" or "body.email" into the form's field name. */
export function fieldName(field: string): string {
  return field.replace(/^(body\.|query\.)/, '').replace(/^\//, '').split(/[/.]/)[0] ?? field;
}

const phrasings: { re: RegExp; key: string; params?: (m: RegExpExecArray, t: TFunction) => Record<string, string> }[] = [
  { re: /^minimum string length is (\d+)$/, key: 'minLength' },
  { re: /^maximum string length is (\d+)$/, key: 'maxLength' },
  { re: /^number must be at least (-?\d+)$/, key: 'min' },
  { re: /^number must be at most (-?\d+)$/, key: 'max' },
  { re: /^minimum number of items is (\d+)$/, key: 'minItems' },
  { re: /^maximum number of items is (\d+)$/, key: 'maxItems' },
  { re: /^string doesn't match the regular expression/, key: 'pattern' },
  { re: /^value is not one of the allowed values/, key: 'enum' },
  { re: /^property "[^"]+" is missing$/, key: 'required' },
  { re: /^value must be an integer$/, key: 'integer' },
  // the tokens API: a scope beyond what the token's user may do
  { re: /^role (\S+) of (\S+) does not grant (\S+)$/, key: 'notGranted', params: (m, t) => ({
    role: t(`common:roles.${m[1] ?? ''}`, { defaultValue: m[1] ?? '' }),
    user: m[2] ?? '',
    scope: t(`admin:scope.${(m[3] ?? '').replace(':', '_')}`, { defaultValue: m[3] ?? '' }),
  }) },
];

/**
 * localizeFieldMessage puts a schema validator's message into the user's
 * language (catalog admin:server.*); other messages come back unchanged.
 */
export function localizeFieldMessage(message: string, t: TFunction): string {
  for (const { re, key, params } of phrasings) {
    const m = re.exec(message);
    if (m) return t(`admin:server.${key}`, params ? params(m, t) : { n: m[1] ?? '' });
  }
  return message;
}

/**
 * showServerErrors puts each field error next to its field (fields the form
 * has) and returns the messages left over (or the problem's detail). With
 * t, the validator's phrasings are localized.
 */
export function showServerErrors<T extends object>(form: FormInstance<T>, err: unknown, fields: readonly string[],
  opts: { t?: TFunction; conflictField?: string; conflictMessage?: string } = {}): string | undefined {
  if (!(err instanceof ApiError)) return err instanceof Error ? err.message : String(err);
  const say = (m: string) => (opts.t ? localizeFieldMessage(m, opts.t) : m);
  const set: { name: string; errors: string[] }[] = [];
  const rest: string[] = [];
  for (const [f, msgs] of Object.entries(err.fieldErrors())) {
    const name = fieldName(f);
    if (fields.includes(name)) {
      const known = set.find((s) => s.name === name);
      if (known) known.errors.push(...msgs.map(say));
      else set.push({ name, errors: msgs.map(say) });
    } else rest.push(...msgs.map((m) => (f ? `${f}: ${say(m)}` : say(m))));
  }
  if (set.length === 0 && rest.length === 0 && opts.conflictField && err.status === 409) {
    set.push({ name: opts.conflictField, errors: [opts.conflictMessage || err.problem.detail || err.problem.title] });
  }
  if (set.length) form.setFields(set as Parameters<FormInstance<T>['setFields']>[0]);
  if (rest.length) return rest.join(' ');
  if (set.length) return undefined;
  return err.problem.detail || err.problem.title;
}
