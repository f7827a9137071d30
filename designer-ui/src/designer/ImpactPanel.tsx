// What publishing a version would change in today's tick, against live
// data: new effects by kind (this version vs what is published) and the
// effects added and removed by rule or workflow, with sample invoices
// with the values their condition read (their "why"), linked to the invoice.
import { Alert, Button, Empty, Space, Table, Tag, Typography } from 'antd';
import { useMutation } from '@tanstack/react-query';
import { Link } from 'react-router';
import { useTranslation } from 'react-i18next';
import type { Schemas } from '../api/client';
import { useErrorMessage } from '../components/ErrorView';
import { formatInstant, localeOf } from '../format';
import { previewVersion, type Kind } from './data';

type Preview = Schemas['Preview'];
type Group = Schemas['PreviewGroup'];
type Sample = Schemas['PreviewSample'];

/** Samples lists a group's sample invoices, each with the values its condition read (why it is there). */
function Samples({ samples }: { samples: Sample[] }) {
  const { t } = useTranslation('designer');
  return (
    <ul className="designer-samples">
      {samples.map((x) => (
        <li key={x.invoice}>
          <Link to={`/invoices/${encodeURIComponent(x.invoice)}`}>{x.invoice}</Link>
          <span className="designer-muted">
            {x.why.length === 0 ? t('impact.noWhy') : x.why.map((v) => <span key={v.path} className="designer-why"><span className="designer-code">{v.path}</span> = {v.value}</span>)}
          </span>
        </li>
      ))}
    </ul>
  );
}

export function ImpactSummary({ preview }: { preview: Preview }) {
  const { t, i18n } = useTranslation('designer');
  const kinds = [...new Set([...Object.keys(preview.draft), ...Object.keys(preview.published)])].sort();
  const groups = (title: string, items: Group[], sign: string) => (
    <section aria-label={title}>
      <Typography.Title level={3} className="designer-h3">{title}</Typography.Title>
      {items.length === 0 ? <Empty description={t('impact.none')} image={Empty.PRESENTED_IMAGE_SIMPLE} /> : (
        <Table<Group> size="small" pagination={false} rowKey={(g) => `${g.source}/${g.kind}`} dataSource={items} columns={[
          { key: 'source', title: t('impact.source'), render: (_, g) => <span className="designer-code">{g.source}</span> },
          { key: 'kind', title: t('impact.effect'), render: (_, g) => t(`effect.${g.kind}`, { defaultValue: g.kind }) },
          { key: 'count', title: t('impact.count'), align: 'right', render: (_, g) => `${sign}${g.count}` },
          { key: 'samples', title: t('impact.samples'), render: (_, g) => <Samples samples={g.samples} /> },
        ]} />
      )}
    </section>
  );
  return (
    <Space orientation="vertical" style={{ width: '100%' }}>
      <Typography.Text>{t('impact.at', { at: formatInstant(preview.at, localeOf(i18n)), version: preview.version })}</Typography.Text>
      <Table size="small" pagination={false} rowKey="kind" aria-label={t('impact.byKind')}
        dataSource={kinds.map((k) => ({ kind: k, draft: preview.draft[k] ?? 0, published: preview.published[k] ?? 0 }))}
        columns={[
          { key: 'kind', title: t('impact.effect'), render: (_, r) => t(`effect.${r.kind}`, { defaultValue: r.kind }) },
          { key: 'published', title: t('impact.withPublished'), align: 'right', dataIndex: 'published' },
          { key: 'draft', title: t('impact.withVersion', { version: preview.version }), align: 'right', render: (_, r) => (
            <span>{r.draft} {r.draft !== r.published && <Tag color={r.draft > r.published ? '#8a5a00' : '#0b57c5'}>{r.draft > r.published ? '+' : ''}{r.draft - r.published}</Tag>}</span>
          ) },
        ]} />
      {groups(t('impact.added'), preview.added, '+')}
      {groups(t('impact.removed'), preview.removed, '−')}
    </Space>
  );
}

export function ImpactPanel({ kind, name, version, disabled }: { kind: Kind; name: string; version: number | undefined; disabled?: string }) {
  const { t } = useTranslation('designer');
  const errorMessage = useErrorMessage();
  const run = useMutation({ mutationFn: (v: number) => previewVersion(kind, name, v) });
  return (
    <Space orientation="vertical" style={{ width: '100%' }}>
      <Typography.Paragraph>{t('impact.intro')}</Typography.Paragraph>
      {disabled && <Alert type="info" showIcon title={disabled} />}
      <Button type="primary" disabled={!!disabled || version === undefined} loading={run.isPending} onClick={() => version !== undefined && run.mutate(version)}>
        {t('impact.run', { version })}
      </Button>
      {run.isError && <Alert type="error" role="alert" showIcon title={errorMessage(run.error)} />}
      {run.data && <ImpactSummary preview={run.data} />}
    </Space>
  );
}
