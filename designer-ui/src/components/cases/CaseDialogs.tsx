// The dialogs of disputes, promises to pay, legal cases and holds: each a
// RecordDialog posting one request. After a change the invoice, its tasks
// and the inbox are read again.
import { useQueryClient } from '@tanstack/react-query';
import { App } from 'antd';
import { useTranslation } from 'react-i18next';
import { api, unwrap, type Schemas } from '../../api/client';
import { tasksKey } from '../tasks/taskApi';
import { RecordDialog, type RecordValues } from './RecordDialog';
import { activeReasons, reasonLabel, useDisputeReasons } from './disputeReasons';

export type Dispute = Schemas['Dispute'];
export type PromiseRecord = Schemas['Promise'];
export type LegalCase = Schemas['LegalCase'];

/** The invoice a dialog is about. */
export interface CaseInvoice {
  number: string;
  currency: string;
  balance_minor: number;
}

interface DialogProps {
  open: boolean;
  onClose: () => void;
}

function useRefresh(number: string): () => Promise<void> {
  const qc = useQueryClient();
  return async () => {
    await qc.invalidateQueries({ queryKey: ['invoices', 'detail', number] });
    await qc.invalidateQueries({ queryKey: tasksKey });
  };
}

const str = (v: RecordValues[string] | undefined): string | undefined => (typeof v === 'string' ? v : undefined);
const num = (v: RecordValues[string] | undefined): number | undefined => (typeof v === 'number' ? v : undefined);

export function DisputeDialog({ invoice, open, onClose }: DialogProps & { invoice: CaseInvoice }) {
  const { t, i18n } = useTranslation('cases');
  const { message } = App.useApp();
  const reasons = useDisputeReasons();
  const refresh = useRefresh(invoice.number);
  return (
    <RecordDialog open={open} onClose={onClose} title={t('dispute.openTitle', { number: invoice.number })} okText={t('dispute.open')}
      initial={{ disputed_minor: invoice.balance_minor }}
      fields={[
        { name: 'reason', kind: 'select', label: t('dispute.reason'), required: true,
          // only the reasons a new dispute may give: retired ones label old disputes only
          options: activeReasons(reasons).map((r) => ({ value: r.code, label: reasonLabel(reasons, r.code, i18n.language) })) },
        { name: 'disputed_minor', kind: 'money', currency: invoice.currency, label: t('dispute.amount'), required: true, help: t('dispute.amountHelp') },
        { name: 'description', kind: 'textarea', label: t('dispute.description') },
        { name: 'sla_due', kind: 'date', label: t('dispute.slaDue'), help: t('dispute.slaHelp') },
      ]}
      onSubmit={async (v) => {
        unwrap(await api.POST('/api/invoices/{number}/disputes', {
          params: { path: { number: invoice.number } },
          body: { reason: str(v.reason) ?? '', disputed_minor: num(v.disputed_minor) ?? 0, description: str(v.description), sla_due: str(v.sla_due) },
        }));
        message.success(t('dispute.opened'));
        await refresh();
      }} />
  );
}

export function ResolveDisputeDialog({ invoice, dispute, open, onClose }: DialogProps & { invoice: CaseInvoice; dispute: Dispute }) {
  const { t } = useTranslation('cases');
  const { message } = App.useApp();
  const refresh = useRefresh(invoice.number);
  return (
    <RecordDialog open={open} onClose={onClose} title={t('dispute.resolveTitle')} okText={t('dispute.resolve')}
      fields={[
        { name: 'status', kind: 'select', label: t('dispute.resolution'), required: true,
          options: [{ value: 'upheld', label: t('dispute.status.upheld') }, { value: 'rejected', label: t('dispute.status.rejected') }],
          help: t('dispute.resolutionHelp') },
        { name: 'note', kind: 'textarea', label: t('dispute.note'), required: true },
      ]}
      onSubmit={async (v) => {
        const status = str(v.status) === 'upheld' ? 'upheld' : 'rejected';
        unwrap(await api.POST('/api/disputes/{id}/resolve', { params: { path: { id: dispute.id } }, body: { status, note: str(v.note) ?? '' } }));
        message.success(t(`dispute.resolved.${status}`));
        await refresh();
      }} />
  );
}

export function PromiseDialog({ invoice, open, onClose }: DialogProps & { invoice: CaseInvoice }) {
  const { t } = useTranslation('cases');
  const { message } = App.useApp();
  const refresh = useRefresh(invoice.number);
  return (
    <RecordDialog open={open} onClose={onClose} title={t('promise.recordTitle', { number: invoice.number })} okText={t('promise.record')}
      initial={{ promised_minor: invoice.balance_minor }}
      fields={[
        { name: 'promised_date', kind: 'date', label: t('promise.date'), required: true },
        { name: 'promised_minor', kind: 'money', currency: invoice.currency, label: t('promise.amount'), required: true },
        { name: 'note', kind: 'textarea', label: t('promise.note') },
      ]}
      onSubmit={async (v) => {
        unwrap(await api.POST('/api/invoices/{number}/promises', {
          params: { path: { number: invoice.number } },
          body: { promised_date: str(v.promised_date) ?? '', promised_minor: num(v.promised_minor) ?? 0, note: str(v.note) },
        }));
        message.success(t('promise.recorded'));
        await refresh();
      }} />
  );
}

export function LegalCaseDialog({ invoice, open, onClose }: DialogProps & { invoice: CaseInvoice }) {
  const { t } = useTranslation('cases');
  const { message } = App.useApp();
  const refresh = useRefresh(invoice.number);
  return (
    <RecordDialog open={open} onClose={onClose} title={t('legal.openTitle', { number: invoice.number })} okText={t('legal.open')}
      fields={[
        { name: 'opened_on', kind: 'date', label: t('legal.openedOn'), help: t('legal.openedOnHelp') },
        { name: 'owner', kind: 'text', label: t('legal.owner'), help: t('legal.ownerHelp') },
        { name: 'notes', kind: 'textarea', label: t('legal.notes') },
        { name: 'documents', kind: 'lines', label: t('legal.documents'), help: t('legal.documentsHelp') },
      ]}
      onSubmit={async (v) => {
        const docs = v.documents;
        unwrap(await api.POST('/api/invoices/{number}/legal-cases', {
          params: { path: { number: invoice.number } },
          body: { opened_on: str(v.opened_on), owner: str(v.owner), notes: str(v.notes), documents: Array.isArray(docs) ? docs : undefined },
        }));
        message.success(t('legal.opened'));
        await refresh();
      }} />
  );
}

export function CloseCaseDialog({ invoice, legalCase, open, onClose }: DialogProps & { invoice: CaseInvoice; legalCase: LegalCase }) {
  const { t } = useTranslation('cases');
  const { message } = App.useApp();
  const refresh = useRefresh(invoice.number);
  return (
    <RecordDialog open={open} onClose={onClose} title={t('legal.closeTitle')} okText={t('legal.close')}
      fields={[
        { name: 'status', kind: 'select', label: t('legal.outcome'), required: true,
          options: (['recovered', 'settled', 'lost'] as const).map((s) => ({ value: s, label: t(`legal.status.${s}`) })),
          help: t('legal.outcomeHelp') },
        { name: 'settlement_minor', kind: 'money', currency: invoice.currency, label: t('legal.settlement'), help: t('legal.settlementHelp') },
        { name: 'notes', kind: 'textarea', label: t('legal.notes') },
      ]}
      onSubmit={async (v) => {
        const s = str(v.status);
        const status = s === 'settled' || s === 'lost' ? s : 'recovered';
        unwrap(await api.POST('/api/legal-cases/{id}/close', {
          params: { path: { id: legalCase.id } },
          body: { status, settlement_minor: num(v.settlement_minor), notes: str(v.notes) },
        }));
        message.success(t('legal.closed'));
        await refresh();
      }} />
  );
}

export function HoldDialog({ invoice, open, onClose }: DialogProps & { invoice: CaseInvoice }) {
  const { t } = useTranslation('cases');
  const { message } = App.useApp();
  const refresh = useRefresh(invoice.number);
  return (
    <RecordDialog open={open} onClose={onClose} title={t('hold.placeTitle', { number: invoice.number })} okText={t('hold.place')}
      fields={[{ name: 'reason', kind: 'textarea', label: t('hold.reason'), required: true, help: t('hold.reasonHelp') }]}
      onSubmit={async (v) => {
        unwrap(await api.PUT('/api/invoices/{number}/hold', { params: { path: { number: invoice.number } }, body: { reason: str(v.reason) ?? '' } }));
        message.success(t('hold.placed'));
        await refresh();
      }} />
  );
}
