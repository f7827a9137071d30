// The invoice's hold, disputes, promises to pay and legal cases, with what
// the signed-in user may do about them: a rep opens disputes and records
// promises (cases:write); finance and the director resolve disputes, open
// and close legal cases and place or release holds (cases:decide).
import { useState } from 'react';
import { Alert, App, Button, Card, Descriptions, Empty, List, Space, Tag, Typography } from 'antd';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { api, unwrap, type Schemas } from '../../api/client';
import { useSession } from '../../auth/session';
import { useErrorMessage } from '../ErrorView';
import { Money } from '../Money';
import { formatDate, formatInstant, localeOf } from '../../format';
import { tagColors } from '../invoices/labels';
import {
  CloseCaseDialog, DisputeDialog, HoldDialog, LegalCaseDialog, PromiseDialog, ResolveDisputeDialog,
  type CaseInvoice, type Dispute, type LegalCase, type PromiseRecord,
} from './CaseDialogs';
import { reasonLabel, useDisputeReasons } from './disputeReasons';

type Detail = Schemas['InvoiceDetail'];

const statusColors: Record<string, string> = {
  open: tagColors.orange, pending: tagColors.blue, upheld: tagColors.green, rejected: tagColors.grey, kept: tagColors.green, broken: tagColors.red,
  cancelled: tagColors.grey, recovered: tagColors.green, settled: tagColors.gold, lost: tagColors.red,
};

type Dialog =
  | { kind: 'dispute' | 'promise' | 'legal' | 'hold' }
  | { kind: 'resolve'; dispute: Dispute }
  | { kind: 'close'; legalCase: LegalCase };

function isURL(s: string): boolean {
  return /^https?:\/\//i.test(s);
}

export function CasesCard({ detail }: { detail: Detail }) {
  const { t, i18n } = useTranslation('cases');
  const locale = localeOf(i18n);
  const { can } = useSession();
  const { message } = App.useApp();
  const errorText = useErrorMessage();
  const qc = useQueryClient();
  const reasons = useDisputeReasons();
  const [dialog, setDialog] = useState<Dialog>();
  const inv = detail.invoice;
  const invoice: CaseInvoice = { number: inv.number, currency: inv.currency, balance_minor: inv.balance_minor };
  const disputes = detail.disputes;
  const promises = detail.promises;
  const cases = detail.legal_cases;
  const openDispute = disputes.some((d) => d.status === 'open');
  const openCase = cases.some((c) => c.status === 'open');
  const write = can('cases:write');
  const decide = can('cases:decide');
  const refresh = async () => {
    await qc.invalidateQueries({ queryKey: ['invoices', 'detail', inv.number] });
  };

  const release = useMutation({
    mutationFn: async () => unwrap(await api.DELETE('/api/invoices/{number}/hold', { params: { path: { number: inv.number } } })),
    onSuccess: async () => {
      message.success(t('hold.released'));
      await refresh();
    },
    onError: (e) => message.error(errorText(e)),
  });
  const cancel = useMutation({
    mutationFn: async (id: number) => unwrap(await api.POST('/api/promises/{id}/cancel', { params: { path: { id } }, body: {} })),
    onSuccess: async () => {
      message.success(t('promise.cancelled'));
      await refresh();
    },
    onError: (e) => message.error(errorText(e)),
  });

  const status = (s: string, area: 'dispute' | 'promise' | 'legal') => <Tag color={statusColors[s] ?? tagColors.grey}>{t(`${area}.status.${s}`, { defaultValue: s })}</Tag>;

  const disputeItem = (d: Dispute) => (
    <List.Item key={`d${d.id}`} actions={d.status === 'open' && decide ? [
      <Button key="resolve" size="small" onClick={() => setDialog({ kind: 'resolve', dispute: d })}
        aria-label={t('dispute.resolveFor', { id: d.id })}>{t('dispute.resolve')}</Button>,
    ] : []}>
      <List.Item.Meta
        title={<Space wrap size={6}>{status(d.status, 'dispute')}<span>{reasonLabel(reasons, d.reason, i18n.language)}</span><Money minor={d.disputed_minor} currency={d.currency} /></Space>}
        description={(
          <Space orientation="vertical" size={0}>
            {d.description && <Typography.Text>{d.description}</Typography.Text>}
            <Typography.Text type="secondary">
              {d.status === 'open'
                ? t('dispute.openLine', { by: d.opened_by, at: formatInstant(d.opened_at, locale), sla: formatDate(d.sla_due, locale), owner: d.owner || t('common:common.none') })
                : t('dispute.resolvedLine', { by: d.resolved_by ?? '', at: d.resolved_at ? formatInstant(d.resolved_at, locale) : '' })}
            </Typography.Text>
            {d.status === 'upheld' && d.resolved_minor > 0 && (
              <Typography.Text>{t('dispute.credited')} <Money minor={d.resolved_minor} currency={d.currency} /></Typography.Text>
            )}
            {d.resolution_note && <Typography.Text>{d.resolution_note}</Typography.Text>}
          </Space>
        )}
      />
    </List.Item>
  );

  const promiseItem = (p: PromiseRecord) => (
    <List.Item key={`p${p.id}`} actions={p.status === 'pending' && write ? [
      <Button key="cancel" size="small" loading={cancel.isPending} onClick={() => cancel.mutate(p.id)}
        aria-label={t('promise.cancelFor', { date: formatDate(p.promised_date, locale) })}>{t('promise.cancel')}</Button>,
    ] : []}>
      <List.Item.Meta
        title={<Space wrap size={6}>{status(p.status, 'promise')}<Money minor={p.promised_minor} currency={p.currency} /><span>{t('promise.by', { date: formatDate(p.promised_date, locale) })}</span></Space>}
        description={(
          <Space orientation="vertical" size={0}>
            <Typography.Text type="secondary">{t(p.source === 'task' ? 'promise.fromCall' : 'promise.direct', { by: p.created_by })}</Typography.Text>
            {p.status !== 'pending' && p.status !== 'cancelled' && (
              <Typography.Text>{t('promise.paid')} <Money minor={p.paid_minor} currency={p.currency} /></Typography.Text>
            )}
            {p.note && <Typography.Text>{p.note}</Typography.Text>}
          </Space>
        )}
      />
    </List.Item>
  );

  const caseItem = (c: LegalCase) => (
    <List.Item key={`c${c.id}`} actions={c.status === 'open' && decide ? [
      <Button key="close" size="small" onClick={() => setDialog({ kind: 'close', legalCase: c })}>{t('legal.close')}</Button>,
    ] : []}>
      <Descriptions size="small" column={1} title={<Space size={6}>{status(c.status, 'legal')}<span>{t('legal.caseTitle', { id: c.id })}</span></Space>} items={[
        { key: 'opened', label: t('legal.openedOn'), children: formatDate(c.opened_on, locale) },
        { key: 'owner', label: t('legal.owner'), children: c.owner || t('common:common.none') },
        ...(c.notes ? [{ key: 'notes', label: t('legal.notes'), children: <span style={{ whiteSpace: 'pre-wrap' }}>{c.notes}</span> }] : []),
        ...(c.documents.length > 0 ? [{ key: 'docs', label: t('legal.documents'), children: (
          <ul style={{ margin: 0, paddingInlineStart: 18 }}>{c.documents.map((doc) => <li key={doc}>{isURL(doc) ? <a href={doc} target="_blank" rel="noreferrer noopener">{doc}</a> : doc}</li>)}</ul>
        ) }] : []),
        ...(c.status === 'settled' ? [{ key: 'settlement', label: t('legal.settlement'), children: <Money minor={c.settlement_minor} currency={c.currency} /> }] : []),
        ...(c.closed_at ? [{ key: 'closed', label: t('legal.closedAt'), children: formatInstant(c.closed_at, locale) }] : []),
      ]} />
    </List.Item>
  );

  const actions = (
    <Space wrap size={8}>
      {write && <Button size="small" disabled={openDispute} onClick={() => setDialog({ kind: 'dispute' })}>{t('dispute.open')}</Button>}
      {write && <Button size="small" onClick={() => setDialog({ kind: 'promise' })}>{t('promise.record')}</Button>}
      {decide && <Button size="small" disabled={openCase} onClick={() => setDialog({ kind: 'legal' })}>{t('legal.open')}</Button>}
      {decide && !inv.on_hold && <Button size="small" onClick={() => setDialog({ kind: 'hold' })}>{t('hold.place')}</Button>}
    </Space>
  );

  const empty = disputes.length === 0 && promises.length === 0 && cases.length === 0;
  return (
    <Card title={<h2 className="card-title">{t('title')}</h2>}>
      <Space orientation="vertical" size="middle" style={{ width: '100%' }}>
        {actions}
        {inv.on_hold && (
          <Alert type="warning" showIcon
            title={inv.hold_reason === 'legal' ? t('hold.legal') : t('hold.manual', { reason: inv.hold_reason })}
            description={t('hold.effect')}
            action={decide && inv.hold_reason !== 'legal'
              ? <Button size="small" loading={release.isPending} onClick={() => release.mutate()}>{t('hold.release')}</Button>
              : undefined} />
        )}
        {empty && <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('none')} />}
        {disputes.length > 0 && (
          <section aria-label={t('dispute.list')}>
            <h3 className="card-title">{t('dispute.list')}</h3>
            <List size="small" dataSource={disputes} renderItem={disputeItem} />
          </section>
        )}
        {promises.length > 0 && (
          <section aria-label={t('promise.list')}>
            <h3 className="card-title">{t('promise.list')}</h3>
            <List size="small" dataSource={promises} renderItem={promiseItem} />
          </section>
        )}
        {cases.length > 0 && (
          <section aria-label={t('legal.list')}>
            <h3 className="card-title">{t('legal.list')}</h3>
            <List size="small" dataSource={cases} renderItem={caseItem} />
          </section>
        )}
      </Space>
      <DisputeDialog invoice={invoice} open={dialog?.kind === 'dispute'} onClose={() => setDialog(undefined)} />
      <PromiseDialog invoice={invoice} open={dialog?.kind === 'promise'} onClose={() => setDialog(undefined)} />
      <LegalCaseDialog invoice={invoice} open={dialog?.kind === 'legal'} onClose={() => setDialog(undefined)} />
      <HoldDialog invoice={invoice} open={dialog?.kind === 'hold'} onClose={() => setDialog(undefined)} />
      {dialog?.kind === 'resolve' && <ResolveDisputeDialog invoice={invoice} dispute={dialog.dispute} open onClose={() => setDialog(undefined)} />}
      {dialog?.kind === 'close' && <CloseCaseDialog invoice={invoice} legalCase={dialog.legalCase} open onClose={() => setDialog(undefined)} />}
    </Card>
  );
}
