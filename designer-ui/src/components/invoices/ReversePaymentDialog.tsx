// Reverse a recorded payment that did not arrive (a bounced transfer):
// POST /api/payments/{reference}/reversal with a reason. The payment stays
// on record and applies nothing; the server says why it refuses.
import { useState } from 'react';
import { App, Alert, Form, Input, Modal, Typography } from 'antd';
import { useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { api, ApiError, unwrap, type Schemas } from '../../api/client';
import { formatMoney } from '../../money';
import { localeOf } from '../../format';
import { useErrorMessage } from '../ErrorView';

type Payment = Schemas['InvoicePayment'];

export function ReversePaymentDialog({ payment, onClose }: { payment: Payment | undefined; onClose: () => void }) {
  const { t, i18n } = useTranslation('invoices');
  const locale = localeOf(i18n);
  const { message } = App.useApp();
  const errorText = useErrorMessage();
  const qc = useQueryClient();
  const [reason, setReason] = useState('');
  const [busy, setBusy] = useState(false);
  const [reasonError, setReasonError] = useState<string>();
  const [failure, setFailure] = useState<string>();

  const close = () => {
    setReason('');
    setReasonError(undefined);
    setFailure(undefined);
    onClose();
  };

  const submit = async () => {
    if (!payment) return;
    setBusy(true);
    setReasonError(undefined);
    setFailure(undefined);
    try {
      const res = unwrap(await api.POST('/api/payments/{reference}/reversal', { params: { path: { reference: payment.reference } }, body: { reason: reason.trim() } }));
      await qc.invalidateQueries({ queryKey: ['invoices'] });
      void qc.invalidateQueries({ queryKey: ['customers'] });
      if (res.duplicate) message.info(t('reverse.already', { reference: payment.reference }));
      else message.success(t('reverse.done', { reference: payment.reference, balance: formatMoney(res.balance_minor, res.currency, locale) }));
      close();
    } catch (e) {
      const onReason = e instanceof ApiError ? (e.problem.errors ?? []).filter((f) => f.field.replace(/^\/+/, '') === 'reason').map((f) => f.message) : [];
      if (onReason.length > 0) setReasonError(onReason.join('; '));
      else setFailure(t('reverse.failed', { message: errorText(e) }));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Modal
      open={payment !== undefined}
      title={payment ? t('reverse.title', { reference: payment.reference }) : ''}
      okText={t('reverse.do')}
      okButtonProps={{ danger: true, loading: busy }}
      cancelText={t('common:common.cancel')}
      onOk={() => void submit()}
      onCancel={close}
      destroyOnHidden
    >
      {payment && (
        <>
          <Typography.Paragraph>{t('reverse.intro')}</Typography.Paragraph>
          <Typography.Paragraph strong>{t('reverse.amountIs', { amount: formatMoney(payment.amount_minor, payment.currency, locale) })}</Typography.Paragraph>
        </>
      )}
      {failure && <Alert type="error" showIcon role="alert" title={failure} style={{ marginBottom: 12 }} />}
      <Form layout="vertical" component="div">
        <Form.Item label={t('reverse.reason')} htmlFor="reverse-reason" required validateStatus={reasonError ? 'error' : undefined}
          help={reasonError ? <span id="reverse-reason-error" role="alert">{reasonError}</span> : undefined}>
          <Input.TextArea id="reverse-reason" value={reason} placeholder={t('reverse.reasonPlaceholder')} autoSize={{ minRows: 2, maxRows: 5 }} maxLength={2000}
            aria-required aria-invalid={reasonError ? true : undefined} aria-describedby={reasonError ? 'reverse-reason-error' : undefined}
            onChange={(e) => setReason(e.target.value)} />
        </Form.Item>
      </Form>
    </Modal>
  );
}
