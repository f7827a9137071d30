// The audit log (admin, director): search by actor, action, entity, invoice
// and a time range (days in the browser's zone, sent to the server as
// instants), newest first, in keyset pages; the search lives in the URL so
// that it can be shared; a table on a desk, cards on a phone; CSV export of
// exactly the rows shown.
import { useEffect, useMemo } from 'react';
import { Button, Col, DatePicker, Form, Input, Row, Select, AutoComplete, Space, Typography } from 'antd';
import type { TableColumnsType } from 'antd';
import { DownloadOutlined } from '@ant-design/icons';
import dayjs, { type Dayjs } from 'dayjs';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { Link, useSearchParams } from 'react-router';
import { useTranslation } from 'react-i18next';
import { api, unwrap, type Schemas } from '../../api/client';
import { fetchAllUsers } from '../../api/allPages';
import { useSession } from '../../auth/session';
import { ErrorView } from '../../components/ErrorView';
import { csvFileName, downloadCsv, toCsv, type CsvColumn } from '../../components/csv';
import { formatInstant, localeOf } from '../../format';
import { invoicePath } from '../../components/invoices/labels';
import { Pager } from '../../components/invoices/Pager';
import { usePaging } from '../../components/invoices/usePaging';
import { AaTheme } from '../../components/invoices/AaTheme';
import { Field, Fields, ResponsiveTable } from '../../components/admin/ResponsiveTable';
import { useClearable } from '../../components/admin/clearable';
import { actionLabel, auditActions, auditEntities, detailParts, entityLabel, entityText } from '../../components/admin/auditText';

type Entry = Schemas['AuditEntry'];
const textKeys = ['actor', 'action', 'entity', 'invoice'] as const;
const dayKeys = ['from', 'to'] as const;
type Filters = Partial<Record<(typeof textKeys)[number] | (typeof dayKeys)[number], string>>;
interface SearchForm { actor?: string; action?: string; entity?: string; invoice?: string; from?: Dayjs | null; to?: Dayjs | null }
const pageSize = 50;
const dayFormat = 'YYYY-MM-DD';

function filtersFrom(sp: URLSearchParams): Filters {
  const f: Filters = {};
  for (const k of textKeys) { const v = sp.get(k)?.trim(); if (v) f[k] = v; }
  for (const k of dayKeys) { const v = sp.get(k); if (v && dayjs(v, dayFormat, true).isValid()) f[k] = v; }
  return f;
}

/** instants turns the days searched into the API's range: from the start of the first day to the start of the day after the last. */
function instants(f: Filters): { from?: string; to?: string } {
  return {
    from: f.from ? dayjs(f.from, dayFormat).startOf('day').toISOString() : undefined,
    to: f.to ? dayjs(f.to, dayFormat).add(1, 'day').startOf('day').toISOString() : undefined,
  };
}

/** exportQuery is the search as GET /api/audit.csv takes it: every matching entry, not one page. */
function exportQuery(f: Filters): string {
  const q = new URLSearchParams();
  for (const k of textKeys) { const v = f[k]; if (v) q.set(k, v); }
  const { from, to } = instants(f);
  if (from) q.set('from', from);
  if (to) q.set('to', to);
  return q.toString();
}

function AuditPageContent() {
  const { t, i18n } = useTranslation('admin');
  const locale = localeOf(i18n);
  const { can } = useSession();
  const [sp, setSp] = useSearchParams();
  const [form] = Form.useForm<SearchForm>();
  const clearable = useClearable();
  const filters = useMemo(() => filtersFrom(sp), [sp]);
  const paging = usePaging(JSON.stringify(filters));
  useEffect(() => {
    form.resetFields();
    form.setFieldsValue({ ...filters, from: filters.from ? dayjs(filters.from, dayFormat) : null, to: filters.to ? dayjs(filters.to, dayFormat) : null });
  }, [filters, form]);

  const users = useQuery({
    queryKey: ['admin', 'users'],
    queryFn: fetchAllUsers,
    enabled: can('users:admin'),
  });
  const q = useQuery({
    queryKey: ['admin', 'audit', filters, paging.cursor ?? ''],
    queryFn: async () => unwrap(await api.GET('/api/audit', { params: { query: {
      actor: filters.actor, action: filters.action, entity: filters.entity, invoice: filters.invoice, ...instants(filters),
      cursor: paging.cursor, limit: pageSize,
    } } })),
    placeholderData: keepPreviousData,
  });
  const items = q.data?.items ?? [];

  const actors = useMemo(() => [...(users.data?.items ?? []).map((u) => ({ value: u.email, label: `${u.name} · ${u.email}` })),
    { value: 'api', label: `api · ${t('audit.actorApi')}` }, { value: 'tick', label: `tick · ${t('audit.actorTick')}` }], [users.data, t]);
  const actionOptions = [...new Set<string>([...auditActions, ...(filters.action ? [filters.action] : [])])]
    .map((a) => ({ value: a, label: actionLabel(a, t) }));
  const entityOptions = [...new Set<string>([...auditEntities, ...(filters.entity ? [filters.entity] : [])])]
    .map((e) => ({ value: e, label: entityLabel(e, t) }));

  const when = (e: Entry) => formatInstant(e.at, locale);
  const action = (e: Entry) => (
    <>
      <div>{actionLabel(e.action, t)}</div>
      <code className="admin-muted" style={{ fontSize: 12 }}>{e.action}</code>
    </>
  );
  const subject = (e: Entry) => (
    <>
      <div>{entityText(e, t)}</div>
      {e.invoice && <Link to={invoicePath(e.invoice)} aria-label={t('audit.invoiceLink', { number: e.invoice })}>{e.invoice}</Link>}
    </>
  );
  const detail = (e: Entry) => {
    const parts = detailParts(e.detail, t, locale);
    if (!parts.length) return null;
    return (
      <Typography.Paragraph style={{ margin: 0, maxWidth: 460 }} ellipsis={{ rows: 3, expandable: true, symbol: t('audit.more') }}>
        {parts.map((p, i) => <span key={i}>{i > 0 && <br />}<span className="admin-muted">{p.label}:</span> {p.value}</span>)}
      </Typography.Paragraph>
    );
  };

  const columns: TableColumnsType<Entry> = [
    { key: 'at', title: t('audit.col.at'), width: 150, render: (_, e) => when(e) },
    { key: 'actor', title: t('audit.col.actor'), render: (_, e) => <span className="admin-break">{e.actor}</span> },
    { key: 'action', title: t('audit.col.action'), render: (_, e) => action(e) },
    { key: 'entity', title: t('audit.col.entity'), render: (_, e) => subject(e) },
    { key: 'detail', title: t('audit.col.detail'), render: (_, e) => detail(e) },
  ];
  const card = (e: Entry) => (
    <article aria-label={`${actionLabel(e.action, t)} · ${when(e)}`}>
      <div className="admin-card-head">
        <span className="admin-card-title">{actionLabel(e.action, t)}</span>
        <span className="admin-muted">{when(e)}</span>
      </div>
      <Fields>
        <Field label={t('audit.col.actor')} wide>{e.actor}</Field>
        <Field label={t('audit.col.entity')} wide>{subject(e)}</Field>
        {e.detail && <Field label={t('audit.col.detail')} wide>{detail(e)}</Field>}
      </Fields>
    </article>
  );
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
    for (const k of dayKeys) { const d = v[k]; if (d) next.set(k, d.format(dayFormat)); }
    setSp(next);
  };

  return (
    <Space orientation="vertical" size="middle" style={{ width: '100%' }}>
      <Typography.Title level={1} style={{ margin: 0 }}>{t('audit.title')}</Typography.Title>
      <Form<SearchForm> form={form} layout="vertical" role="search" aria-label={t('audit.search')} onFinish={search}>
        <Row gutter={[12, 0]}>
          <Col xs={24} sm={12} lg={8} xl={5}>
            <Form.Item label={t('audit.field.actor')} name="actor">
              <AutoComplete allowClear={clearable} options={actors}
                filterOption={(input, option) => String(option?.label ?? '').toLowerCase().includes(input.trim().toLowerCase())} />
            </Form.Item>
          </Col>
          <Col xs={24} sm={12} lg={8} xl={4}>
            <Form.Item label={t('audit.field.action')} name="action">
              <Select allowClear={clearable} showSearch={{ optionFilterProp: 'label' }} options={actionOptions} placeholder={t('audit.any')}
                optionRender={(o) => <span>{o.label}<br /><code className="admin-muted" style={{ fontSize: 12 }}>{o.value}</code></span>} />
            </Form.Item>
          </Col>
          <Col xs={12} sm={6} lg={4} xl={3}>
            <Form.Item label={t('audit.field.entity')} name="entity">
              <Select allowClear={clearable} options={entityOptions} placeholder={t('audit.any')} />
            </Form.Item>
          </Col>
          <Col xs={12} sm={6} lg={4} xl={4}>
            <Form.Item label={t('audit.field.invoice')} name="invoice"><Input /></Form.Item>
          </Col>
          <Col xs={12} sm={6} lg={4} xl={4}>
            <Form.Item label={t('audit.field.from')} name="from"><DatePicker style={{ width: '100%' }} format={dayFormat} placeholder={dayFormat} /></Form.Item>
          </Col>
          <Col xs={12} sm={6} lg={4} xl={4}>
            <Form.Item label={t('audit.field.to')} name="to"><DatePicker style={{ width: '100%' }} format={dayFormat} placeholder={dayFormat} /></Form.Item>
          </Col>
        </Row>
        <Space wrap>
          <Button type="primary" htmlType="submit">{t('common:common.search')}</Button>
          <Button onClick={() => setSp(new URLSearchParams())}>{t('common:common.clear')}</Button>
          <Button icon={<DownloadOutlined />} disabled={!items.length}
            onClick={() => downloadCsv(csvFileName('audit', new Date().toISOString().slice(0, 10)), toCsv(csvColumns, items))}>
            {t('audit.exportShown')}
          </Button>
          <Button icon={<DownloadOutlined />} href={`/api/audit.csv?${exportQuery(filters)}`} download={csvFileName('audit-all', new Date().toISOString().slice(0, 10))}
            aria-label={t('audit.exportAllLabel')}>
            {t('audit.exportAll')}
          </Button>
        </Space>
      </Form>
      {q.isError ? <ErrorView error={q.error} onRetry={() => void q.refetch()} /> : (
        <>
          <Typography.Text className="admin-muted" role="status">
            {q.isFetching ? t('common:common.loading') : t('audit.shown', { count: items.length })}
          </Typography.Text>
          <ResponsiveTable<Entry> label={t('audit.list')} items={items} rowKey={(e) => e.id} columns={columns} card={card}
            loading={q.isFetching} empty={t('audit.empty')} size="small" />
          <Pager page={paging.page} hasPrev={paging.hasPrev} nextCursor={q.data?.next_cursor} busy={q.isFetching}
            onFirst={paging.first} onPrev={paging.prev} onNext={paging.next} />
        </>
      )}
    </Space>
  );
}

export default function AuditPage() {
  return <AaTheme><AuditPageContent /></AaTheme>;
}
