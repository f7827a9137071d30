// Record a credit note, a settlement or (for the finance director and an
// admin) a write-off on an invoice: POST /api/invoices/{number}/adjustments.
// The amount is typed in the invoice's currency and sent as exact minor
// units; the server decides (at most the balance, its currency, a reason
// for a write-off) and its field errors are shown under their fields.
import { useState } from 'react';
import { App, Alert, Checkbox, Form, Input, Modal, Radio, Typography } from 'antd';
import { useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { api, ApiError, unwrap, type Schemas } from '../../api/client';
import { decimalToMinor, formatMoney, minorDigits, minorToDecimal } from '../../money';
import { localeOf } from '../../format';
import { useErrorMessage } from '../ErrorView';

export type AdjustKind = Schemas['AdjustmentRequest']['kind'];

const keyPrefix: Record<AdjustKind, string> = { credit_note: 'CN', settlement: 'ST', write_off: 'WO' };

/** suggestKey proposes a reference unlikely to be taken: kind, invoice, time and a random tail. */
export function suggestKey(kind: AdjustKind, number: string, now: Date = new Date()): string {
  const p = (n: number) => String(n).padStart(2, '0');
  const stamp = `${now.getFullYear()}${p(now.getMonth() + 1)}${p(now.getDate())}-${p(now.getHours())}${p(now.getMinutes())}${p(now.getSeconds())}`;
  const tail = Math.floor(Math.random() * 36 ** 3).toString(36).padStart(3, '0').toUpperCase();
  return `${keyPrefix[kind]}-${number}-${stamp}-${tail}`;
}

/** fieldOf maps a server field name (or JSON pointer) to the dialog's field. */
export function fieldOf(name: string): 'kind' | 'amount' | 'reason' | 'key' | 'date' | 'currency' | undefined {
  const f = name.replace(/^\/+/, '').replace(/^body\./, '');
  switch (f) {
    case 'kind': return 'kind';
    case 'amount': case 'amount_minor': return 'amount';
    case 'reason': return 'reason';
    case 'key': return 'key';
    case 'effective_date': case 'date': return 'date';
    case 'currency': return 'currency';
    default: return undefined;
  }
}

export interface AdjustmentDialogProps {
  open: boolean;
  onClose: () => void;
  number: string;
  currency: string;
  balanceMinor: number;
  /** A write-off is offered to the finance director and an admin only. */
  mayWriteOff: boolean;
}

type Errors = Partial<Record<'kind' | 'amount' | 'reason' | 'key' | 'date' | 'currency', string>>;

export function AdjustmentDialog({ open, onClose, number, currency, balanceMinor, mayWriteOff }: AdjustmentDialogProps) {
  const { t, i18n } = useTranslation('invoices');
  const locale = localeOf(i18n);
  const { message } = App.useApp();
  const errorText = useErrorMessage();
  const qc = useQueryClient();
  const [kind, setKind] = useState<AdjustKind>('credit_note');
  const [key, setKey] = useState(() => suggestKey('credit_note', number));
  const [keyEdited, setKeyEdited] = useState(false);
  const [amount, setAmount] = useState('');
  const [whole, setWhole] = useState(true);
  const [reason, setReason] = useState('');
  const [date, setDate] = useState('');
  const [busy, setBusy] = useState(false);
  const [errors, setErrors] = useState<Errors>({});
  const [failure, setFailure] = useState<string>();

  const balance = formatMoney(balanceMinor, currency, locale);
  const digits = minorDigits(currency);
  const wholeBalance = kind === 'write_off' && whole;
  const kinds: AdjustKind[] = mayWriteOff ? ['credit_note', 'settlement', 'write_off'] : ['credit_note', 'settlement'];

  const reset = () => {
    setKind('credit_note');
    setKey(suggestKey('credit_note', number));
    setKeyEdited(false);
    setAmount('');
    setWhole(true);
    setReason('');
    setDate('');
    setErrors({});
    setFailure(undefined);
  };
  const close = () => {
    reset();
    onClose();
  };

  const pickKind = (k: AdjustKind) => {
    setKind(k);
    if (!keyEdited) setKey(suggestKey(k, number));
    setErrors({});
  };

  const submit = async () => {
    setErrors({});
    setFailure(undefined);
    let minor: bigint | undefined;
    if (!wholeBalance) {
      minor = decimalToMinor(amount, currency);
      if (minor === undefined) {
        setErrors({ amount: t('adjustment.amountInvalid', { currency, digits, example: minorToDecimal(12345, currency) }) });
        return;
      }
    }
    setBusy(true);
    try {
      const r = await api.POST('/api/invoices/{number}/adjustments', {
        params: { path: { number } },
        body: {
          key: key.trim(), kind, currency, reason: reason.trim(),
          ...(minor !== undefined ? { amount_minor: Number(minor) } : {}),
          ...(date ? { effective_date: date } : {}),
        },
      });
      const res = unwrap(r);
      await qc.invalidateQueries({ queryKey: ['invoices'] });
      void qc.invalidateQueries({ queryKey: ['customers'] });
      if (res.duplicate) {
        message.info(t('adjustment.duplicate', { key: key.trim() }));
      } else {
        message.success(t('adjustment.recorded', {
          kind: t(`adjustment.kind.${kind}`), amount: formatMoney(res.amount_minor, res.currency, locale),
          balance: formatMoney(res.balance_minor, res.currency, locale),
        }));
      }
      close();
    } catch (e) {
      const byField: Errors = {};
      const rest: string[] = [];
      if (e instanceof ApiError) {
        for (const fe of e.problem.errors ?? []) {
          const f = fieldOf(fe.field);
          if (f && f !== 'currency') byField[f] = byField[f] ? `${byField[f]}; ${fe.message}` : fe.message;
          else rest.push(fe.message);
        }
      }
      setErrors(byField);
      if (rest.length > 0 || Object.keys(byField).length === 0) setFailure(t('adjustment.failed', { message: rest.join('; ') || errorText(e) }));
    } finally {
      setBusy(false);
    }
  };

  const status = (f: keyof Errors) => (errors[f] ? ('error' as const) : undefined);
  const described = (f: keyof Errors, help: boolean) => [errors[f] ? `adj-${f}-error` : '', help ? `adj-${f}-help` : ''].filter(Boolean).join(' ') || undefined;
  const help = (f: keyof Errors, text?: string) => (
    <>
      {errors[f] && <div id={`adj-${f}-error`} role="alert">{errors[f]}</div>}
      {text && <div id={`adj-${f}-help`} className="adjust-help">{text}</div>}
    </>
  );

  return (
    <Modal
      open={open}
      title={t('adjustment.dialogTitle', { number })}
      okText={t('adjustment.submit')}
      cancelText={t('common:common.cancel')}
      onOk={() => void submit()}
      onCancel={close}
      okButtonProps={{ loading: busy, danger: kind === 'write_off' }}
      destroyOnHidden
    >
      <Typography.Paragraph>{t('adjustment.intro', { balance })}</Typography.Paragraph>
      {failure && <Alert type="error" showIcon role="alert" title={failure} style={{ marginBottom: 12 }} />}
      <Form layout="vertical" component="div" className="adjust-form">
        <Form.Item label={<span id="adj-kind-label">{t('adjustment.kindLabel')}</span>} required validateStatus={status('kind')}
          help={help('kind', t(`adjustment.kindHelp.${kind}`))}>
          <Radio.Group aria-labelledby="adj-kind-label" aria-describedby={described('kind', true)} optionType="button" buttonStyle="solid"
            className="form-enum" value={kind} onChange={(e) => pickKind(e.target.value as AdjustKind)}
            options={kinds.map((k) => ({ value: k, label: t(`adjustment.kind.${k}`) }))} />
        </Form.Item>
        {kind === 'write_off' && (
          <Form.Item style={{ marginBottom: 8 }}>
            <Checkbox checked={whole} onChange={(e) => setWhole(e.target.checked)} aria-describedby="adj-whole-help">{t('adjustment.wholeBalance')}</Checkbox>
            <div id="adj-whole-help" className="adjust-help">{t('adjustment.wholeBalanceHelp', { balance })}</div>
          </Form.Item>
        )}
        {!wholeBalance && (
          <Form.Item label={t('adjustment.amount')} htmlFor="adj-amount" required validateStatus={status('amount')}
            help={help('amount', t('adjustment.amountHelp', { currency, balance }))}>
            <Input id="adj-amount" inputMode="decimal" value={amount} suffix={currency} placeholder={minorToDecimal(0, currency)}
              aria-invalid={errors.amount ? true : undefined} aria-describedby={described('amount', true)} aria-required
              onChange={(e) => setAmount(e.target.value)} style={{ maxWidth: 280 }} />
          </Form.Item>
        )}
        {wholeBalance && errors.amount && <Alert type="error" showIcon role="alert" title={errors.amount} style={{ marginBottom: 12 }} />}
        <Form.Item label={t('adjustment.reason')} htmlFor="adj-reason" required={kind === 'write_off'} validateStatus={status('reason')} help={help('reason')}>
          <Input.TextArea id="adj-reason" value={reason} placeholder={t('adjustment.reasonPlaceholder')} autoSize={{ minRows: 2, maxRows: 5 }} maxLength={2000}
            aria-invalid={errors.reason ? true : undefined} aria-describedby={described('reason', false)} onChange={(e) => setReason(e.target.value)} />
        </Form.Item>
        <Form.Item label={t('adjustment.key')} htmlFor="adj-key" required validateStatus={status('key')} help={help('key', t('adjustment.keyHelp'))}>
          <Input id="adj-key" value={key} aria-invalid={errors.key ? true : undefined} aria-describedby={described('key', true)} aria-required
            onChange={(e) => { setKey(e.target.value); setKeyEdited(true); }} className="detail-code" />
        </Form.Item>
        <Form.Item label={t('adjustment.date')} htmlFor="adj-date" validateStatus={status('date')} help={help('date', t('adjustment.dateHelp'))}>
          <Input id="adj-date" type="date" value={date} aria-invalid={errors.date ? true : undefined} aria-describedby={described('date', true)}
            onChange={(e) => setDate(e.target.value)} style={{ maxWidth: 220 }} />
        </Form.Item>
      </Form>
    </Modal>
  );
}
