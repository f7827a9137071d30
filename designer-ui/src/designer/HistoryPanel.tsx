// Every version of a definition, newest first (author, time, status, the
// note it was published with); any two compared side by side; rolling back
// shows the impact of the version it brings back, then publishes its
// content as a new version with a note.
import { useState, type ReactNode } from 'react';
import { Alert, Button, Grid, Input, Modal, Select, Space, Table, Tag, Typography } from 'antd';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { App } from 'antd';
import { useErrorMessage } from '../components/ErrorView';
import { tagColors } from '../components/invoices/labels';
import { formatInstant, localeOf } from '../format';
import { CompareView } from './CompareView';
import { ImpactSummary } from './ImpactPanel';
import { catalogKey, historyKey, previewVersion, rollbackTo, type Definition, type Kind } from './data';

const statusColor: Record<string, string> = { published: tagColors.green, draft: tagColors.gold, superseded: tagColors.grey };

export function HistoryPanel({ kind, name, history, canWrite, current, compareExtra }: {
  kind: Kind; name: string; history: Definition[]; canWrite: boolean;
  /** the text being edited, offered as a side of the comparison */
  current: string;
  /** what else to show for a comparison (the workflow's nodes added, changed and removed) */
  compareExtra?: (a: string, b: string) => ReactNode;
}) {
  const { t, i18n } = useTranslation('designer');
  const locale = localeOf(i18n);
  const phone = !Grid.useBreakpoint().md;
  const { message } = App.useApp();
  const qc = useQueryClient();
  const errorMessage = useErrorMessage();
  const published = history.find((d) => d.status === 'published');
  const [from, setFrom] = useState<number | undefined>(published?.version ?? history[1]?.version);
  const [to, setTo] = useState<number | 'editor' | undefined>(history[0]?.version === published?.version ? 'editor' : history[0]?.version);
  const [rolling, setRolling] = useState<Definition>();
  const [note, setNote] = useState('');
  const textOf = (v: number | 'editor' | undefined) => (v === 'editor' ? current : history.find((d) => d.version === v)?.source);
  const labelOf = (v: number | 'editor' | undefined) => (v === 'editor' ? t('history.editorText') : t('history.versionLabel', { version: v }));
  const preview = useMutation({ mutationFn: (v: number) => previewVersion(kind, name, v) });
  const rollback = useMutation({
    mutationFn: (v: number) => rollbackTo(kind, name, v, note),
    onSuccess: async (out) => {
      void message.success(t('history.rolledBack', { version: out.version }));
      setRolling(undefined);
      setNote('');
      await Promise.all([qc.invalidateQueries({ queryKey: historyKey(kind, name) }), qc.invalidateQueries({ queryKey: catalogKey })]);
    },
  });
  const options = [
    { value: 'editor' as const, label: t('history.editorText') },
    ...history.map((d) => ({ value: d.version, label: `${t('history.versionLabel', { version: d.version })} · ${t(`status.${d.status}`)}` })),
  ];
  const a = textOf(from);
  const b = textOf(to);
  const who = (d: Definition) => (
    <div>
      <div>{d.published_by ? t('history.publishedBy', { by: d.published_by, at: formatInstant(d.published_at, locale) }) : null}</div>
      <div className="designer-muted">{t('history.savedBy', { by: d.created_by, at: formatInstant(d.created_at, locale) })}</div>
    </div>
  );
  const actions = (d: Definition) => (
    <Space size={4} wrap>
      <Button size="small" aria-label={t('history.compareWithOf', { version: d.version })} onClick={() => { setFrom(d.version); setTo('editor'); }}>{t('history.compareWith')}</Button>
      {canWrite && d.status !== 'published' && (
        <Button size="small" aria-label={t('history.rollbackOf', { version: d.version })} onClick={() => { setRolling(d); preview.mutate(d.version); }}>
          {d.status === 'draft' ? t('history.publishThis') : t('history.rollback')}
        </Button>
      )}
    </Space>
  );
  return (
    <Space orientation="vertical" size="middle" style={{ width: '100%' }}>
      {phone ? (
        // a phone has no room for five columns: one card per version, its actions inside
        <ul className="designer-versions" aria-label={t('history.list')}>
          {history.map((d) => (
            <li key={d.version} className="designer-version-card">
              <div><strong>v{d.version}</strong> <Tag color={statusColor[d.status]}>{t(`status.${d.status}`)}</Tag></div>
              {who(d)}
              {d.note && <div>{d.note}</div>}
              {actions(d)}
            </li>
          ))}
        </ul>
      ) : (
        <div role="region" aria-label={t('history.list')} tabIndex={0} className="admin-table-region">
          <Table<Definition> size="small" pagination={false} rowKey="version" dataSource={history} columns={[
            { key: 'version', title: t('history.version'), render: (_, d) => <strong>v{d.version}</strong> },
            { key: 'status', title: t('history.status'), render: (_, d) => <Tag color={statusColor[d.status]}>{t(`status.${d.status}`)}</Tag> },
            { key: 'by', title: t('history.by'), render: (_, d) => who(d) },
            { key: 'note', title: t('history.note'), render: (_, d) => d.note || <span className="designer-muted">—</span> },
            { key: 'actions', title: t('history.actions'), render: (_, d) => actions(d) },
          ]} />
        </div>
      )}
      <section aria-label={t('history.compare')}>
        <Typography.Title level={3} className="designer-h3">{t('history.compare')}</Typography.Title>
        <Space wrap style={{ marginBottom: 8 }}>
          <Select<number | 'editor'> aria-label={t('history.compareFrom')} value={from} onChange={(v) => setFrom(v === 'editor' ? undefined : v)} options={options.filter((o) => o.value !== 'editor')} style={{ minWidth: 200 }} />
          <span aria-hidden="true">→</span>
          <Select<number | 'editor'> aria-label={t('history.compareTo')} value={to} onChange={setTo} options={options} style={{ minWidth: 200 }} />
        </Space>
        {a !== undefined && b !== undefined ? (
          <>
            {compareExtra?.(a, b)}
            {a === b ? <Alert type="info" showIcon title={t('history.same')} /> : <CompareView a={a} b={b} labelA={labelOf(from)} labelB={labelOf(to)} />}
          </>
        ) : <Typography.Text className="designer-muted">{t('history.pickTwo')}</Typography.Text>}
      </section>
      {rolling && (
        <Modal open width={880} title={t('history.rollbackTitle', { version: rolling.version })} onCancel={() => setRolling(undefined)}
          okText={t('history.rollbackConfirm')} cancelText={t('common:common.cancel')} okButtonProps={{ loading: rollback.isPending, danger: true }}
          onOk={() => rollback.mutate(rolling.version)}>
          <Space orientation="vertical" style={{ width: '100%' }}>
            <Typography.Paragraph>{t('history.rollbackIntro', { version: rolling.version })}</Typography.Paragraph>
            {preview.isPending && <Typography.Text>{t('impact.running')}</Typography.Text>}
            {preview.isError && <Alert type="error" showIcon title={errorMessage(preview.error)} />}
            {preview.data && <ImpactSummary preview={preview.data} />}
            <label className="designer-label" htmlFor="rollback-note">{t('publish.note')}</label>
            <Input.TextArea id="rollback-note" value={note} onChange={(e) => setNote(e.target.value)} maxLength={500} rows={2} />
            {rollback.isError && <Alert type="error" role="alert" showIcon title={errorMessage(rollback.error)} />}
          </Space>
        </Modal>
      )}
    </Space>
  );
}
