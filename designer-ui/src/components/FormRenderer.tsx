// FormRenderer draws a Form definition (the form language of
// docs/language.md: string, text, number, money, date, datetime, bool, enum,
// user, role) and submits what was typed, in the shapes the server reads:
// money as decimal text ("5000.00", or "5000.00 CNY" when the field names no
// currency), dates as YYYY-MM-DD, datetimes as RFC 3339, numbers as numbers,
// booleans as true/false. It checks nothing itself: required, required_if,
// min/max and patterns are shown as hints, and the server's 422 errors are
// shown next to each field, all at once.
//
// Usage:
//   <FormRenderer
//     definition={readFormDefinition(task.form_definition)}
//     currency="CNY"                       // the invoice's currency, for money fields without one
//     onSubmit={(values) => complete.mutate(values)}
//     submitting={complete.isPending}
//     serverErrors={complete.error instanceof ApiError ? complete.error.fieldErrors() : undefined}
//   />
import { useEffect, useId, useRef, useState, type ReactNode } from 'react';
import { Alert, Button, Checkbox, Form, Input, Radio, Select } from 'antd';
import { useTranslation } from 'react-i18next';
import { decimalToMinor, minorToDecimal } from '../money';
import { formatDate, localeOf } from '../format';
import { localized, type FormDefinition, type FormField } from './formDefinition';
import './tasks/tasks.css';

export type { FormDefinition, FormField } from './formDefinition';
export { readFormDefinition, localized } from './formDefinition';

/** What a field holds while it is edited: the text typed, or a checkbox's state. */
type EditValue = string | boolean;

/** A user a user field may name. */
export interface UserOption {
  email: string;
  name?: string;
  role?: string;
}

export interface FormRendererProps {
  /** The form's definition (see readFormDefinition for reading the API's shape). */
  definition: FormDefinition;
  /** Currency for money fields whose definition names none (the invoice's). */
  currency?: string;
  /** Called with the values to send as `values` of the complete/decide request. */
  onSubmit: (values: Record<string, unknown>) => void;
  /** While true the submit button spins and is disabled. */
  submitting?: boolean;
  /** The server's field errors: field name → messages (ApiError.fieldErrors()); "" for the form as a whole. */
  serverErrors?: Record<string, string[]>;
  /** Values to start from, in the shapes the server sends and reads (e.g. a saved outcome). */
  initialValues?: Record<string, unknown>;
  /** Users for user fields; without them a user field is an email input. */
  users?: UserOption[];
  /** The submit button's text (default: "Submit"). */
  submitLabel?: string;
  /** Disables every input (e.g. the task is no longer open). */
  disabled?: boolean;
  /** Something to show beside the submit button (e.g. a "skip" link). */
  extraActions?: ReactNode;
  /** Something to show below the fields, above the buttons (e.g. a preview of what the values will do). */
  beforeActions?: ReactNode;
  /**
   * Called with the values as they would be submitted (the same shapes as
   * onSubmit's) whenever what is typed changes, and once at the start: for
   * a page that shows something beside the form (e.g. a preview).
   */
  onValuesChange?: (values: Record<string, unknown>) => void;
}

const roleNames = ['sales_rep', 'sales_manager', 'finance', 'finance_director', 'admin'] as const;

function isNumberText(s: string): boolean {
  return /^\s*-?\d+(\.\d+)?\s*$/.test(s);
}

/** toEdit turns a value as the server has it into what the input shows. */
function toEdit(f: FormField, v: unknown, currency: string | undefined): EditValue | undefined {
  if (v === undefined || v === null) return undefined;
  switch (f.type) {
    case 'bool':
      return v === true || v === 'true';
    case 'money': {
      if (typeof v === 'number' && Number.isInteger(v)) {
        // an amount in minor units (as the server stores it)
        const cur = f.currency ?? currency;
        return cur ? minorToDecimal(v, cur) : String(v);
      }
      const s = String(v).trim();
      const m = /^(\S+)\s+[A-Z]{3}$/.exec(s);
      return m ? m[1] : s;
    }
    case 'date':
      return String(v).slice(0, 10);
    case 'datetime': {
      const d = new Date(String(v));
      if (Number.isNaN(d.getTime())) return String(v);
      const pad = (n: number) => String(n).padStart(2, '0');
      return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
    }
    default:
      return String(v);
  }
}

/** toWire turns what was typed into the value the server reads, or undefined for an empty field. */
export function toWire(f: FormField, v: EditValue | undefined, currency: string | undefined): unknown {
  if (v === undefined) return undefined;
  if (typeof v === 'boolean') return v;
  if (v.trim() === '') return undefined;
  switch (f.type) {
    case 'number':
    case 'integer':
      return isNumberText(v) ? Number(v) : v;
    case 'money': {
      const cur = f.currency ?? currency;
      if (!cur) return v.trim();
      const minor = decimalToMinor(v, cur);
      const text = minor === undefined ? v.trim() : minorToDecimal(minor, cur);
      return f.currency ? text : `${text} ${cur}`;
    }
    case 'datetime': {
      const d = new Date(v);
      return Number.isNaN(d.getTime()) ? v : d.toISOString();
    }
    default:
      return v;
  }
}

function useRequiredIfHint(definition: FormDefinition) {
  const { t, i18n } = useTranslation('form');
  const lang = i18n.language;
  return (expr: string): string => {
    const fieldLabel = (name: string) => {
      const f = definition.fields.find((x) => x.name === name);
      return f ? localized(f.label, lang) || f.name : name;
    };
    const optionLabel = (name: string, value: string) => {
      const f = definition.fields.find((x) => x.name === name);
      const o = f?.options?.find((x) => x.value === value);
      return o ? localized(o.label, lang) || o.value : value;
    };
    let m = /^\s*form\.([a-z][a-z0-9_]*)\s*==\s*"([^"]*)"\s*$/.exec(expr);
    if (m?.[1] && m[2] !== undefined) {
      return t('requiredWhen', { field: fieldLabel(m[1]), value: optionLabel(m[1], m[2]) });
    }
    m = /^\s*form\.([a-z][a-z0-9_]*)\s+in\s+\[([^\]]*)\]\s*$/.exec(expr);
    if (m?.[1] && m[2] !== undefined) {
      const name = m[1];
      const values = [...m[2].matchAll(/"([^"]*)"/g)].map((x) => optionLabel(name, x[1] ?? ''));
      return t('requiredWhenAny', { field: fieldLabel(name), values: values.join(t('listSeparator')) });
    }
    return t('requiredSometimes');
  };
}

function useLimitHint() {
  const { t, i18n } = useTranslation('form');
  const locale = localeOf(i18n);
  return (f: FormField, currency: string | undefined): string | undefined => {
    const { min, max } = f;
    if (min === undefined && max === undefined) return undefined;
    const show = (v: string | number) => {
      // A bound written as an expression (max: invoice.balance, min: today)
      // is shown as written; the server evaluates it.
      if (typeof v === 'string' && /^[A-Za-z_(]/.test(v)) return v;
      if (f.type === 'date') return formatDate(String(v), locale);
      if (f.type === 'money') {
        const s = String(v);
        return /\s[A-Z]{3}$/.test(s) ? s : `${s} ${f.currency ?? currency ?? ''}`.trim();
      }
      return String(v);
    };
    const chars = f.type === 'string' || f.type === 'text';
    if (min !== undefined && max !== undefined) {
      return t(chars ? 'lengthBetween' : 'between', { min: show(min), max: show(max) });
    }
    if (min !== undefined) return t(chars ? 'lengthAtLeast' : 'atLeast', { min: show(min) });
    return t(chars ? 'lengthAtMost' : 'atMost', { max: show(max as string | number) });
  };
}

/**
 * FormRenderer renders a Form definition as inputs with visible labels and
 * sends the typed values to onSubmit; see the file comment for the shapes.
 */
export function FormRenderer({
  definition, currency, onSubmit, submitting, serverErrors, initialValues, users, submitLabel, disabled, extraActions, beforeActions, onValuesChange,
}: FormRendererProps) {
  const { t, i18n } = useTranslation('form');
  const lang = i18n.language;
  const base = useId().replace(/[^a-zA-Z0-9_-]/g, '');
  const requiredIfHint = useRequiredIfHint(definition);
  const limitHint = useLimitHint();

  // What was typed is reset only when the form itself changes (by content:
  // a parent that rebuilds an equal definition on each render, e.g. while a
  // submit is pending, must not wipe the user's input).
  const startKey = JSON.stringify([definition, initialValues ?? null, currency ?? null]);
  const startRef = useRef({ key: '', values: {} as Record<string, EditValue | undefined> });
  if (startRef.current.key !== startKey) {
    const out: Record<string, EditValue | undefined> = {};
    for (const f of definition.fields) {
      const v = initialValues?.[f.name] ?? f.default;
      out[f.name] = toEdit(f, v, currency);
    }
    startRef.current = { key: startKey, values: out };
  }
  const start = startRef.current.values;
  const [values, setValues] = useState(start);
  useEffect(() => setValues(start), [start]);

  // A field's server error is shown until the field is changed.
  const [edited, setEdited] = useState<Set<string>>(new Set());
  const rootRef = useRef<HTMLDivElement>(null);
  useEffect(() => {
    setEdited(new Set());
    if (!serverErrors) return;
    const first = definition.fields.find((f) => serverErrors[f.name]?.length);
    if (first) {
      const el = rootRef.current?.querySelector<HTMLElement>(`[data-field="${first.name}"] input, [data-field="${first.name}"] textarea, [data-field="${first.name}"] [role="radio"], [data-field="${first.name}"] [role="combobox"]`);
      el?.focus();
    }
  }, [serverErrors, definition]);

  const known = new Set(definition.fields.map((f) => f.name));
  const formErrors = Object.entries(serverErrors ?? {}).filter(([k]) => !known.has(k));
  const anyFieldErrors = definition.fields.some((f) => serverErrors?.[f.name]?.length);

  const set = (name: string, v: EditValue | undefined) => {
    setValues((cur) => ({ ...cur, [name]: v }));
    setEdited((cur) => (cur.has(name) ? cur : new Set(cur).add(name)));
  };

  const wire = (): Record<string, unknown> => {
    const out: Record<string, unknown> = {};
    for (const f of definition.fields) {
      const w = toWire(f, values[f.name], currency);
      if (w !== undefined) out[f.name] = w;
    }
    return out;
  };
  const submit = () => onSubmit(wire());

  // The latest callback, so that a parent passing a new function each render does not re-fire it.
  const changed = useRef(onValuesChange);
  changed.current = onValuesChange;
  const wireKey = JSON.stringify(wire());
  useEffect(() => {
    changed.current?.(JSON.parse(wireKey) as Record<string, unknown>);
  }, [wireKey]);

  const control = (f: FormField, id: string, labelId: string, describedBy: string | undefined, invalid: boolean): ReactNode => {
    const v = values[f.name];
    const text = typeof v === 'string' ? v : '';
    const common = {
      id,
      disabled,
      'aria-invalid': invalid || undefined,
      'aria-describedby': describedBy,
      'aria-required': f.required || undefined,
    };
    switch (f.type) {
      case 'text':
        return (
          <Input.TextArea {...common} value={text} autoSize={{ minRows: 2, maxRows: 8 }}
            count={f.max !== undefined ? { show: true, max: Number(f.max) } : undefined}
            onChange={(e) => set(f.name, e.target.value)} />
        );
      case 'number':
      case 'integer':
        return <Input {...common} inputMode="decimal" value={text} onChange={(e) => set(f.name, e.target.value)} style={{ maxWidth: 240 }} />;
      case 'money': {
        const cur = f.currency ?? currency;
        return (
          <Input {...common} inputMode="decimal" value={text} suffix={cur} placeholder="0.00"
            onChange={(e) => set(f.name, e.target.value)} style={{ maxWidth: 280 }} />
        );
      }
      case 'date':
        return <Input {...common} type="date" value={text} onChange={(e) => set(f.name, e.target.value)} style={{ maxWidth: 220 }} />;
      case 'datetime':
        return <Input {...common} type="datetime-local" value={text} onChange={(e) => set(f.name, e.target.value)} style={{ maxWidth: 260 }} />;
      case 'bool':
        return (
          <Checkbox id={id} disabled={disabled} checked={v === true} aria-describedby={describedBy} aria-invalid={invalid || undefined}
            onChange={(e) => set(f.name, e.target.checked)}>
            {t('yes')}
          </Checkbox>
        );
      case 'enum': {
        const options = (f.options ?? []).map((o) => ({ value: o.value, label: localized(o.label, lang) || o.value }));
        if (options.length <= 6) {
          return (
            <Radio.Group
              id={id}
              disabled={disabled}
              aria-labelledby={labelId}
              aria-describedby={describedBy}
              aria-invalid={invalid || undefined}
              aria-required={f.required || undefined}
              optionType="button"
              buttonStyle="solid"
              className="form-enum"
              value={text || undefined}
              options={options}
              onChange={(e) => set(f.name, String(e.target.value))}
            />
          );
        }
        return (
          <Select id={id} disabled={disabled} aria-labelledby={labelId} aria-describedby={describedBy} allowClear showSearch={{ optionFilterProp: 'label' }}
            value={text || undefined} options={options} onChange={(x: string | undefined) => set(f.name, x ?? '')} style={{ maxWidth: 360 }} />
        );
      }
      case 'role':
        return (
          <Select id={id} disabled={disabled} aria-labelledby={labelId} aria-describedby={describedBy} allowClear
            value={text || undefined}
            options={roleNames.map((r) => ({ value: r, label: t(`common:roles.${r}`) }))}
            onChange={(x: string | undefined) => set(f.name, x ?? '')} style={{ maxWidth: 300 }} />
        );
      case 'user': {
        const list = (users ?? []).filter((u) => !f.role || !u.role || u.role === f.role);
        if (list.length === 0) {
          return <Input {...common} type="email" autoComplete="off" value={text} onChange={(e) => set(f.name, e.target.value)} style={{ maxWidth: 360 }} />;
        }
        return (
          <Select id={id} disabled={disabled} aria-labelledby={labelId} aria-describedby={describedBy} allowClear showSearch={{ optionFilterProp: 'label' }}
            value={text || undefined}
            options={list.map((u) => ({ value: u.email, label: u.name ? `${u.name} <${u.email}>` : u.email }))}
            onChange={(x: string | undefined) => set(f.name, x ?? '')} style={{ maxWidth: 360 }} />
        );
      }
      default:
        return <Input {...common} value={text} onChange={(e) => set(f.name, e.target.value)} />;
    }
  };

  return (
    <div ref={rootRef} className="form-renderer">
      {(anyFieldErrors || formErrors.length > 0) && (
        <Alert
          type="error"
          showIcon
          role="alert"
          style={{ marginBottom: 16 }}
          title={t('common:errors.fieldsBelow')}
          description={formErrors.length > 0 ? (
            <ul style={{ margin: 0, paddingInlineStart: 18 }}>
              {formErrors.flatMap(([k, msgs]) => msgs.map((m, i) => <li key={`${k}-${i}`}>{k ? `${k}: ${m}` : m}</li>))}
            </ul>
          ) : undefined}
        />
      )}
      <Form layout="vertical" component="form" onFinish={submit} requiredMark>
        {definition.fields.map((f) => {
          const id = `${base}-${f.name}`;
          const labelId = `${id}-label`;
          const errId = `${id}-error`;
          const hintId = `${id}-hint`;
          const errs = edited.has(f.name) ? [] : serverErrors?.[f.name] ?? [];
          const hints: string[] = [];
          if (f.required_if && !f.required) hints.push(requiredIfHint(f.required_if));
          const lim = limitHint(f, currency);
          if (lim) hints.push(lim);
          if (f.pattern) hints.push(t('pattern', { pattern: f.pattern }));
          const help = localized(f.help, lang);
          const describedBy = [errs.length ? errId : '', hints.length || help ? hintId : ''].filter(Boolean).join(' ') || undefined;
          const labelText = localized(f.label, lang) || f.name;
          const usesLabelFor = !(f.type === 'enum' || f.type === 'role' || (f.type === 'user' && (users?.length ?? 0) > 0));
          return (
            <div key={f.name} data-field={f.name}>
              <Form.Item
                label={<span id={labelId}>{labelText}</span>}
                htmlFor={usesLabelFor ? id : undefined}
                required={f.required}
                validateStatus={errs.length ? 'error' : undefined}
                help={errs.length ? (
                  <div id={errId}>{errs.map((m, i) => <div key={i}>{m}</div>)}</div>
                ) : undefined}
                extra={hints.length || help ? (
                  <div id={hintId}>
                    {help && <div>{help}</div>}
                    {hints.map((h) => <div key={h}>{h}</div>)}
                  </div>
                ) : undefined}
              >
                {control(f, id, labelId, describedBy, errs.length > 0)}
              </Form.Item>
            </div>
          );
        })}
        {beforeActions}
        <div style={{ display: 'flex', gap: 12, flexWrap: 'wrap', alignItems: 'center' }}>
          <Button type="primary" htmlType="submit" loading={submitting} disabled={disabled}>
            {submitLabel ?? t('submit')}
          </Button>
          {extraActions}
          {definition.fields.some((f) => f.required) && (
            <span className="muted">{t('requiredNote')}</span>
          )}
        </div>
      </Form>
    </div>
  );
}

export default FormRenderer;
