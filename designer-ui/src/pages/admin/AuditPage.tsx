// The audit log (admin, director): search by actor, action, entity and
// invoice, newest first, in pages (older entries by before_id); a time range
// narrows what is shown; CSV export of exactly the rows shown.
import { useMemo, useState } from 'react';
import { Alert, Button, Card, Col, DatePicker, Empty, Form, Input, Row, Space, Table, Typography } from 'antd';
import type { TableColumnsType } from 'antd';
import { DownloadOutlined } from '@ant-design/icons';
import type { Dayjs } from 'dayjs';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { Link, useSearchParams } from 'react-router';
import { useTranslation } from 'react-i18next';
import { api, unwrap, type Schemas } from '../../api/client';
import { ErrorView } from '../../components/ErrorView';
import { csvFileName, downloadCsv, toCsv, type CsvColumn } from '../../components/csv';
import { formatInstant, localeOf } from '../../format';
import { invoicePath, muted } from '../../components/invoices/labels';
import { AaTheme } from '../../components/invoices/AaTheme';

type Entry = Schemas['AuditEntry'];
const textKeys = ['actor', 'action', 'entity', 'invoice'] as const;
type TextKey = (typeof textKeys)[number];
type Filters = Partial<Record<TextKey, string>>;
interface SearchForm extends Filters { range?: [Dayjs | null, Dayjs | null] | null }
const pageSize = 100;

function detailText(d: Entry['detail']): string {
  if (!d) return '';
  return Object.entries(d).map(([k, v]) => `${k}: ${typeof v === 'string' ? v : JSON.stringify(v)}`).join(', ');
}

function AuditPageContent() {
  const { t, i18n } = useTranslation('admin');
  const locale = localeOf(i18n);
  const [sp, setSp] = useSearchParams();
  const [form] = Form.useForm<SearchForm>();
  const [range, setRange] = useState<[Dayjs | null, Dayjs | null] | null>(null);
  const filters = useMemo(() => {
    const f: Filters = {};
    for (const k of textKeys) { const v = sp.get(k)?.trim(); if (v) f[k] = v; }
    return f;
  }, [sp]);
  const key = JSON.stringify(filters);
  const [pages, setPages] = useState<{ key: string; stack: number[] }>({ key, stack: [] });
  const stack = pages.key === key ? pages.stack : [];
  const beforeId = stack[stack.length - 1];

  const q = useQuery({
    queryKey: ['admin', 'audit', filters, beforeId ?? 0],
    queryFn: async () => unwrap(await api.GET('/api/audit', { params: { query: { ...filters, before_id: beforeId, limit: pageSize } } })),
    placeholderData: keepPreviousData,
  });
  const all = q.data?.items ?? [];
  const from = range?.[0]?.startOf('day').valueOf();
  const to = range?.[1]?.endOf('day').valueOf();
  const shown = all.filter((e) => {
    const at = new Date(e.at).getTime();
    return (from === undefined || at >= from) && (to === undefined || at <= to);
  });
  const oldest = all.length ? all[all.length - 1] : undefined;
  const hasOlder = all.length === pageSize && oldest !== undefined;

  const columns: TableColumnsType<Entry> = [
    { key: 'at', title: t('audit.col.at'), render: (_, e) => <span style={{ whiteSpace: 'nowrap' }}>{formatInstant(e.at, locale)}</span> },
    { key: 'actor', title: t('audit.col.actor'), dataIndex: 'actor' },
    { key: 'action', title: t('audit.col.action'), render: (_, e) => <Typography.Text code>{e.action}</Typography.Text> },
    { key: 'entity', title: t('audit.col.entity'), render: (_, e) => (e.entity_id ? `${e.entity} #${e.entity_id}` : e.entity) },
    { key: 'invoice', title: t('audit.col.invoice'), render: (_, e) => (e.invoice ? <Link to={invoicePath(e.invoice)}>{e.invoice}</Link> : '') },
    { key: 'detail', title: t('audit.col.detail'), render: (_, e) => <Typography.Paragraph style={{ margin: 0, maxWidth: 420 }} ellipsis={{ rows: 2, expandable: true }}>{detailText(e.detail)}</Typography.Paragraph> },
  ];
  const csvColumns: CsvColumn<Entry>[] = [
    { header: 'id', value: (e) => e.id },
    { header: t('audit.col.at'), value: (e) => e.at },
    { header: t('audit.col.actor'), value: (e) => e.actor },
    { header: t('audit.col.action'), value: (e) => e.action },
    { header: t('audit.col.entity'), value: (e) => e.entity },
    { header: 'entity_id', value: (e) => e.entity_id },
    { header: t('audit.col.invoice'), value: (e) => e.invoice },
    { header: t('audit.col.detail'), value: (e) => (e.detail ? JSON.stringify(e.detail) : '') },
  ];

  const search = (v: SearchForm) => {
    const next = new URLSearchParams();
    for (const k of textKeys) { const val = v[k]?.trim(); if (val) next.set(k, val); }
    setRange(v.range ?? null);
    setSp(next);
  };

  return (
    <Space orientation="vertical" size="middle" style={{ width: '100%' }}>
      <Typography.Title level={1} style={{ margin: 0 }}>{t('audit.title')}</Typography.Title>
      <Form<SearchForm> form={form} layout="vertical" role="search" aria-label={t('audit.search')} onFinish={search} initialValues={filters}>
        <Row gutter={[12, 0]}>
          <Col xs={24} sm={12} lg={6}><Form.Item label={t('audit.field.actor')} name="actor"><Input allowClear /></Form.Item></Col>
          <Col xs={12} sm={6} lg={4}><Form.Item label={t('audit.field.action')} name="action"><Input allowClear placeholder="task.completed" /></Form.Item></Col>
          <Col xs={12} sm={6} lg={3}><Form.Item label={t('audit.field.entity')} name="entity"><Input allowClear placeholder="task" /></Form.Item></Col>
          <Col xs={24} sm={12} lg={4}><Form.Item label={t('audit.field.invoice')} name="invoice"><Input allowClear /></Form.Item></Col>
          <Col xs={24} sm={12} lg={7}>
            <Form.Item label={`${t('audit.field.from')} – ${t('audit.field.to')}`} name="range">
              <DatePicker.RangePicker style={{ width: '100%' }} placeholder={[t('audit.field.from'), t('audit.field.to')]} />
            </Form.Item>
          </Col>
        </Row>
        <Space wrap>
          <Button type="primary" htmlType="submit">{t('common:common.search')}</Button>
          <Button onClick={() => { form.resetFields(); setRange(null); setSp(new URLSearchParams()); }}>{t('common:common.clear')}</Button>
          <Button icon={<DownloadOutlined />} disabled={!shown.length}
            onClick={() => downloadCsv(csvFileName('audit', new Date().toISOString().slice(0, 10)), toCsv(csvColumns, shown))}>
            {t('audit.exportShown')}
          </Button>
        </Space>
      </Form>
      {range && <Alert type="info" showIcon title={t('audit.rangeUnsupported')} />}
      {q.isError ? <ErrorView error={q.error} onRetry={() => void q.refetch()} /> : (
        <Card styles={{ body: { padding: 0 } }}>
          <Table<Entry> aria-label={t('audit.list')} rowKey="id" size="small" columns={columns} dataSource={shown} loading={q.isFetching}
            pagination={false} scroll={{ x: 'max-content' }} locale={{ emptyText: <Empty description={t('audit.empty')} /> }} />
        </Card>
      )}
      <Space wrap>
        <Typography.Text style={muted} aria-live="polite">{t('audit.shown', { count: shown.length })}</Typography.Text>
        <Button disabled={!stack.length} onClick={() => setPages({ key, stack: [] })}>{t('audit.newest')}</Button>
        <Button disabled={!hasOlder} onClick={() => oldest && setPages({ key, stack: [...stack, oldest.id] })}>{t('audit.older')}</Button>
      </Space>
    </Space>
  );
}

export default function AuditPage() {
  return <AaTheme><AuditPageContent /></AaTheme>;
}
