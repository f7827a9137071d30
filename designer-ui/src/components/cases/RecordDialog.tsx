// A small dialog that sends one record (a dispute, a promise, a legal case,
// a hold) to the server and shows the server's field errors next to each
// field. The browser checks nothing but that an amount is a number: every
// rule (at most the balance, a date in the future) is the server's.
import { useState, type ReactNode } from 'react';
import { Alert, Form, Input, Modal, Select } from 'antd';
import { useTranslation } from 'react-i18next';
import { ApiError } from '../../api/client';
import { useErrorMessage } from '../ErrorView';
import { decimalToMinor, minorToDecimal } from '../../money';

interface Base {
  /** name is the request's property; the server reports its errors as "/name". */
  name: string;
  label: string;
  required?: boolean;
  help?: ReactNode;
}

export type FieldSpec =
  | (Base & { kind: 'text' | 'textarea' | 'date' | 'lines' })
  | (Base & { kind: 'money'; currency: string })
  | (Base & { kind: 'select'; options: { value: string; label: string }[] });

/** RecordValues are what the dialog sends: amounts in minor units, lines as arrays. */
export type RecordValues = Record<string, string | number | string[]>;

export interface RecordDialogProps {
  open: boolean;
  title: string;
  okText: string;
  fields: FieldSpec[];
  /** initial values as typed (amounts as minor units). */
  initial?: Record<string, string | number>;
  onSubmit: (values: RecordValues) => Promise<unknown>;
  onClose: () => void;
}

export function RecordDialog({ open, title, okText, fields, initial, onSubmit, onClose }: RecordDialogProps) {
  const { t } = useTranslation('cases');
  const errorText = useErrorMessage();
  const [typed, setTyped] = useState<Record<string, string>>({});
  const [errors, setErrors] = useState<Record<string, string[]>>({});
  const [failure, setFailure] = useState<string>();
  const [busy, setBusy] = useState(false);

  const text = (f: FieldSpec): string => {
    const v = typed[f.name];
    if (v !== undefined) return v;
    const init = initial?.[f.name];
    if (init === undefined) return '';
    return f.kind === 'money' && typeof init === 'number' ? minorToDecimal(init, f.currency) : String(init);
  };

  const close = () => {
    setTyped({});
    setErrors({});
    setFailure(undefined);
    onClose();
  };

  const submit = async () => {
    const out: RecordValues = {};
    const local: Record<string, string[]> = {};
    for (const f of fields) {
      const v = text(f).trim();
      if (v === '') continue;
      if (f.kind === 'money') {
        const minor = decimalToMinor(v, f.currency);
        if (minor === undefined) local[f.name] = [t('notAmount')];
        else out[f.name] = Number(minor);
      } else if (f.kind === 'lines') {
        out[f.name] = v.split('\n').map((l) => l.trim()).filter(Boolean);
      } else {
        out[f.name] = v;
      }
    }
    setErrors(local);
    setFailure(undefined);
    if (Object.keys(local).length > 0) return;
    setBusy(true);
    try {
      await onSubmit(out);
      close();
    } catch (e) {
      if (e instanceof ApiError && e.status === 422 && e.problem.errors?.length) {
        const byField: Record<string, string[]> = {};
        const rest: string[] = [];
        for (const fe of e.problem.errors) {
          const name = fe.field.replace(/^\//, '').split('/')[0] ?? '';
          if (fields.some((f) => f.name === name)) (byField[name] ??= []).push(fe.message);
          else rest.push(fe.field ? `${fe.field}: ${fe.message}` : fe.message);
        }
        setErrors(byField);
        if (rest.length > 0) setFailure(rest.join('; '));
      } else {
        setFailure(errorText(e));
      }
    } finally {
      setBusy(false);
    }
  };

  return (
    <Modal open={open} title={title} okText={okText} cancelText={t('common:common.cancel')} onOk={() => void submit()} onCancel={close}
      okButtonProps={{ loading: busy }} destroyOnHidden>
      {failure && <Alert type="error" showIcon role="alert" title={failure} style={{ marginBottom: 12 }} />}
      <Form layout="vertical" component="div">
        {fields.map((f) => {
          const id = `record-${f.name}`;
          const err = errors[f.name];
          const set = (v: string) => setTyped((p) => ({ ...p, [f.name]: v }));
          let control: ReactNode;
          switch (f.kind) {
            case 'textarea':
            case 'lines':
              control = <Input.TextArea id={id} value={text(f)} onChange={(e) => set(e.target.value)} autoSize={{ minRows: 2, maxRows: 6 }} />;
              break;
            case 'date':
              control = <Input id={id} type="date" value={text(f)} onChange={(e) => set(e.target.value)} />;
              break;
            case 'money':
              control = <Input id={id} inputMode="decimal" value={text(f)} onChange={(e) => set(e.target.value)} suffix={f.currency} />;
              break;
            case 'select':
              control = (
                <Select id={id} aria-label={f.label} value={text(f) || undefined} onChange={set} options={f.options} />
              );
              break;
            default:
              control = <Input id={id} value={text(f)} onChange={(e) => set(e.target.value)} />;
          }
          return (
            <Form.Item key={f.name} label={f.label} htmlFor={id} required={f.required} help={err?.join(' ') ?? f.help}
              validateStatus={err ? 'error' : undefined}>
              {control}
            </Form.Item>
          );
        })}
      </Form>
    </Modal>
  );
}
