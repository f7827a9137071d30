// Creating a payment plan on an invoice (finance, the director: plans:write):
// equal monthly installments (count, first due, every n months) previewed by
// the server as they are typed, or installments edited one by one, whose
// amounts must add up to the balance (the difference is shown live). The
// server decides; its field errors are shown at their field.
import { useId, useMemo, useState, type ReactNode } from 'react';
import { Alert, App, Button, Form, Input, Modal, Radio } from 'antd';
import { DeleteOutlined, PlusOutlined } from '@ant-design/icons';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { api, ApiError, unwrap } from '../../api/client';
import { useSession } from '../../auth/session';
import { useErrorMessage } from '../ErrorView';
import { Money } from '../Money';
import { decimalToMinor, minorToDecimal } from '../../money';
import { newPlanKey, usePlanPreview, type PlanRequest, type PreviewQuery } from './planApi';
import { PlanPreview } from './PlanPreview';
import './plans.css';

interface Row { due: string; amount: string }

type Mode = 'equal' | 'manual';

const wholeNumber = (s: string): number | undefined => (/^\s*\d+\s*$/.test(s) ? Number(s) : undefined);

export function PlanDialog({ invoice, balanceMinor, currency, open, onClose }: {
  invoice: string; balanceMinor: number; currency: string; open: boolean; onClose: () => void;
}) {
  const { t } = useTranslation('plans');
  const { message } = App.useApp();
  const qc = useQueryClient();
  const errorText = useErrorMessage();
  const id = useId().replace(/[^a-zA-Z0-9_-]/g, '');
  const [key] = useState(() => newPlanKey(invoice));
  const [mode, setMode] = useState<Mode>('equal');
  const [count, setCount] = useState('3');
  const [firstDue, setFirstDue] = useState('');
  const [every, setEvery] = useState('1');
  const [rows, setRows] = useState<Row[]>([{ due: '', amount: '' }, { due: '', amount: '' }]);
  const [grace, setGrace] = useState('5');
  const [note, setNote] = useState('');
  const [edited, setEdited] = useState<Set<string>>(new Set());
  const touch = (f: string) => setEdited((cur) => (cur.has(f) ? cur : new Set(cur).add(f)));

  const query: PreviewQuery | undefined = useMemo(() => {
    const n = wholeNumber(count);
    const m = wholeNumber(every);
    if (mode !== 'equal' || n === undefined || n < 1 || !/^\d{4}-\d{2}-\d{2}$/.test(firstDue)) return undefined;
    return { invoices: [invoice], count: n, first_due: firstDue, ...(m !== undefined && m !== 1 ? { every_months: m } : {}) };
  }, [mode, count, every, firstDue, invoice]);
  const preview = usePlanPreview(query);

  // Manual rows: each amount as minor units (undefined: not an amount in the currency).
  const amounts = rows.map((r) => (r.amount.trim() === '' ? undefined : decimalToMinor(r.amount, currency)));
  const sum = amounts.reduce<bigint>((a, b) => a + (b ?? 0n), 0n);
  const diff = BigInt(balanceMinor) - sum;
  const unreadable = rows.map((r, i) => r.amount.trim() !== '' && amounts[i] === undefined);

  const create = useMutation({
    mutationFn: async () => {
      const g = wholeNumber(grace);
      const body: PlanRequest = {
        key,
        invoices: [invoice],
        ...(g !== undefined ? { grace_days: g } : {}),
        ...(note.trim() ? { note: note.trim() } : {}),
      };
      if (mode === 'equal') {
        body.count = wholeNumber(count) ?? 0;
        body.first_due = firstDue;
        const m = wholeNumber(every);
        if (m !== undefined) body.every_months = m;
      } else {
        body.installments = rows.map((r, i) => ({ due_date: r.due, amount_minor: Number(amounts[i] ?? 0n) }));
      }
      return unwrap(await api.POST('/api/payment-plans', { body }));
    },
    onSuccess: async () => {
      void message.success(t('create.done', { number: invoice }));
      onClose();
      await qc.invalidateQueries({ queryKey: ['invoices'] });
    },
    onSettled: () => setEdited(new Set()),
  });
  const err = create.error;
  // With equal installments the server's schedule errors belong to the inputs that made it.
  const fieldErrors = useMemo(() => {
    const raw = err instanceof ApiError && err.status === 422 ? err.fieldErrors() : {};
    const at = (f: string) => (mode !== 'equal' ? f : f === 'installments[0].due_date' ? 'first_due' : f === 'installments' ? 'count' : f);
    const out: Record<string, string[]> = {};
    for (const [f, ms] of Object.entries(raw)) (out[at(f)] ??= []).push(...ms);
    return out;
  }, [err, mode]);
  const errOf = (f: string): string | undefined => (edited.has(f) ? undefined : fieldErrors[f]?.join(' '));
  const known = new Set(['count', 'first_due', 'every_months', 'grace_days', 'note', 'installments',
    ...rows.flatMap((_, i) => [`installments[${i}].due_date`, `installments[${i}].amount_minor`, `installments[${i}]`])]);
  const others = Object.entries(fieldErrors).filter(([f]) => !known.has(f)).flatMap(([f, ms]) => ms.map((m) => (f ? `${f}: ${m}` : m)));
  const topError = err && !(err instanceof ApiError && err.status === 422) ? errorText(err) : undefined;

  const item = (field: string, label: string, control: (inputId: string, invalid: boolean, describedBy: string | undefined) => ReactNode, extra?: string) => {
    const e = errOf(field);
    const inputId = `${id}-${field.replace(/[^a-zA-Z0-9_-]/g, '-')}`;
    return (
      <Form.Item label={label} htmlFor={inputId} validateStatus={e ? 'error' : undefined}
        help={e ? <span id={`${inputId}-err`}>{e}</span> : undefined} extra={extra}>
        {control(inputId, !!e, e ? `${inputId}-err` : undefined)}
      </Form.Item>
    );
  };

  const setRow = (i: number, patch: Partial<Row>) => setRows((cur) => cur.map((r, j) => (j === i ? { ...r, ...patch } : r)));
  const fromPreview = () => {
    if (!preview.data) return;
    setRows(preview.data.installments.map((x) => ({ due: x.due_date, amount: minorToDecimal(x.amount_minor, currency) })));
    setMode('manual');
  };

  const canSubmit = mode === 'equal'
    ? query !== undefined
    : rows.length > 0 && rows.every((r) => r.due && r.amount.trim()) && !unreadable.some(Boolean);

  return (
    <Modal
      open={open}
      title={t('create.title', { number: invoice })}
      onCancel={() => { create.reset(); onClose(); }}
      okText={t('create.submit')}
      cancelText={t('create.close')}
      okButtonProps={{ loading: create.isPending, disabled: !canSubmit }}
      onOk={() => create.mutate()}
      width={640}
      destroyOnHidden
    >
      <p className="plan-sum" style={{ margin: '0 0 12px' }}>
        <span>{t('create.balance')} <Money minor={balanceMinor} currency={currency} strong /></span>
      </p>
      {topError && <Alert type="error" showIcon role="alert" title={topError} style={{ marginBottom: 12 }} />}
      {(others.length > 0 || errOf('installments')) && (
        <Alert type="error" showIcon role="alert" style={{ marginBottom: 12 }} title={t('create.fix')}
          description={<ul className="plan-errors">{[...(errOf('installments') ? [errOf('installments') as string] : []), ...others].map((m, i) => <li key={i}>{m}</li>)}</ul>} />
      )}
      <Form layout="vertical" component="form" onFinish={() => canSubmit && create.mutate()}>
        <Radio.Group
          aria-label={t('create.how')}
          optionType="button"
          buttonStyle="solid"
          className="form-enum"
          style={{ marginBottom: 16 }}
          value={mode}
          onChange={(e) => setMode(e.target.value as Mode)}
          options={[{ value: 'equal', label: t('create.equal') }, { value: 'manual', label: t('create.manual') }]}
        />
        {mode === 'equal' ? (
          <>
            <div className="plan-inline">
              {item('count', t('create.count'), (i, bad, db) => (
                <Input id={i} inputMode="numeric" value={count} aria-invalid={bad || undefined} aria-describedby={db}
                  onChange={(e) => { setCount(e.target.value); touch('count'); }} style={{ width: 120 }} />
              ))}
              {item('first_due', t('create.firstDue'), (i, bad, db) => (
                <Input id={i} type="date" value={firstDue} aria-invalid={bad || undefined} aria-describedby={db}
                  onChange={(e) => { setFirstDue(e.target.value); touch('first_due'); }} style={{ width: 180 }} />
              ))}
              {item('every_months', t('create.every'), (i, bad, db) => (
                <Input id={i} inputMode="numeric" value={every} aria-invalid={bad || undefined} aria-describedby={db}
                  onChange={(e) => { setEvery(e.target.value); touch('every_months'); }} style={{ width: 120 }} />
              ))}
            </div>
            <PlanPreview query={query} balanceMinor={balanceMinor} hint={t('create.previewHint')} />
            {preview.data && query && (
              <Button type="link" style={{ paddingInline: 0 }} onClick={fromPreview}>{t('create.editThese')}</Button>
            )}
          </>
        ) : (
          <>
            <ol className="plan-rows" aria-label={t('card.installments')}>
              {rows.map((r, i) => {
                const n = i + 1;
                const dueErr = errOf(`installments[${i}].due_date`) ?? errOf(`installments[${i}]`);
                const amtErr = errOf(`installments[${i}].amount_minor`) ?? (unreadable[i] ? t('create.notAmount', { currency }) : undefined);
                return (
                  <li key={i} className="plan-row">
                    <span className="plan-row-seq" aria-hidden>{n}.</span>
                    <Form.Item validateStatus={dueErr ? 'error' : undefined} help={dueErr}>
                      <Input type="date" value={r.due} aria-label={t('create.rowDue', { n })} aria-invalid={dueErr ? true : undefined}
                        onChange={(e) => { setRow(i, { due: e.target.value }); touch(`installments[${i}].due_date`); touch(`installments[${i}]`); }} />
                    </Form.Item>
                    <Form.Item className="plan-row-amount" validateStatus={amtErr ? 'error' : undefined} help={amtErr}>
                      <Input inputMode="decimal" value={r.amount} suffix={currency} placeholder="0.00" aria-label={t('create.rowAmount', { n })}
                        aria-invalid={amtErr ? true : undefined}
                        onChange={(e) => { setRow(i, { amount: e.target.value }); touch(`installments[${i}].amount_minor`); touch('installments'); }} />
                    </Form.Item>
                    <Button icon={<DeleteOutlined aria-hidden />} aria-label={t('create.removeRow', { n })} disabled={rows.length <= 1}
                      onClick={() => { setRows((cur) => cur.filter((_, j) => j !== i)); touch('installments'); }} />
                  </li>
                );
              })}
            </ol>
            <Button icon={<PlusOutlined aria-hidden />} onClick={() => { setRows((cur) => [...cur, { due: '', amount: '' }]); touch('installments'); }} style={{ marginTop: 8 }}>
              {t('create.addRow')}
            </Button>
            <div className="plan-sum" role="status" aria-live="polite">
              <span>{t('create.sum')} <Money minor={sum} currency={currency} /></span>
              <span>{t('create.balance')} <Money minor={balanceMinor} currency={currency} /></span>
              <span className={diff === 0n ? 'plan-sum-diff-ok' : 'plan-sum-diff-off'}>
                {diff === 0n ? t('create.adds') : diff > 0n
                  ? <>{t('create.short')} <Money minor={diff} currency={currency} /></>
                  : <>{t('create.over')} <Money minor={-diff} currency={currency} /></>}
              </span>
            </div>
          </>
        )}
        <div className="plan-inline">
          {item('grace_days', t('create.grace'), (i, bad, db) => (
            <Input id={i} inputMode="numeric" value={grace} aria-invalid={bad || undefined} aria-describedby={db}
              onChange={(e) => { setGrace(e.target.value); touch('grace_days'); }} style={{ width: 120 }} />
          ), t('create.graceHelp'))}
        </div>
        {item('note', t('create.note'), (i, bad, db) => (
          <Input.TextArea id={i} value={note} aria-invalid={bad || undefined} aria-describedby={db} autoSize={{ minRows: 1, maxRows: 4 }}
            onChange={(e) => { setNote(e.target.value); touch('note'); }} />
        ))}
        <button type="submit" hidden />
      </Form>
    </Modal>
  );
}

/** CreatePlanButton opens the dialog; shown to those who may (plans:write) while the invoice has no active plan and owes something. */
export function CreatePlanButton({ invoice, balanceMinor, currency, plan }: {
  invoice: string; balanceMinor: number; currency: string; plan: { status: string } | undefined;
}) {
  const { t } = useTranslation('plans');
  const { can } = useSession();
  const [open, setOpen] = useState(false);
  if (!can('plans:write') || plan?.status === 'active' || balanceMinor <= 0) return null;
  return (
    <>
      <Button onClick={() => setOpen(true)}>{t('create.action')}</Button>
      {open && <PlanDialog invoice={invoice} balanceMinor={balanceMinor} currency={currency} open={open} onClose={() => setOpen(false)} />}
    </>
  );
}
