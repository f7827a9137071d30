// The customer list: filters (name or id, risk, region, owner) in the URL
// query, keyset pages; a table on a desk, cards on a phone.
import { useEffect, useMemo } from 'react';
import { Button, Card, Col, Empty, Form, Grid, Input, List, Row, Select, Space, Table, Tag, Typography } from 'antd';
import type { TableColumnsType } from 'antd';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { Link, useSearchParams } from 'react-router';
import { useTranslation } from 'react-i18next';
import { api, unwrap, type Schemas } from '../api/client';
import type { paths } from '../api/schema.gen';
import { ErrorView } from '../components/ErrorView';
import { Pager } from '../components/invoices/Pager';
import { usePaging } from '../components/invoices/usePaging';
import { RiskTag, customerPath, risks, muted } from '../components/invoices/labels';

type Customer = Schemas['Customer'];
type Filters = Omit<NonNullable<paths['/api/customers']['get']['parameters']['query']>, 'cursor' | 'limit'>;

function filtersFrom(sp: URLSearchParams): Filters {
  const f: Filters = {};
  for (const k of ['q', 'region', 'owner'] as const) {
    const v = sp.get(k)?.trim();
    if (v) f[k] = v;
  }
  const r = sp.get('risk');
  if (r === 'low' || r === 'medium' || r === 'high') f.risk = r;
  return f;
}

export default function CustomersPage() {
  const { t } = useTranslation('customers');
  const [sp, setSp] = useSearchParams();
  const [form] = Form.useForm<Filters>();
  const screens = Grid.useBreakpoint();
  const phone = !screens.md;
  const filters = useMemo(() => filtersFrom(sp), [sp]);
  const paging = usePaging(JSON.stringify(filters));
  useEffect(() => { form.resetFields(); form.setFieldsValue(filters); }, [filters, form]);

  const q = useQuery({
    queryKey: ['customers', 'list', filters, paging.cursor ?? ''],
    queryFn: async () => unwrap(await api.GET('/api/customers', { params: { query: { ...filters, cursor: paging.cursor, limit: 50 } } })),
    placeholderData: keepPreviousData,
  });

  const apply = (v: Filters) => {
    const next = new URLSearchParams();
    for (const [k, val] of Object.entries(v)) if (typeof val === 'string' && val.trim()) next.set(k, val.trim());
    setSp(next);
  };
  const items = q.data?.items ?? [];
  const columns: TableColumnsType<Customer> = [
    { key: 'name', title: t('col.name'), render: (_, c) => <Link to={customerPath(c.id)}>{c.name}</Link> },
    { key: 'id', title: t('col.id'), dataIndex: 'id' },
    { key: 'region', title: t('col.region'), render: (_, c) => c.region ?? '' },
    { key: 'industry', title: t('col.industry'), render: (_, c) => c.industry ?? '' },
    { key: 'risk', title: t('col.risk'), render: (_, c) => <Space size={4}><RiskTag risk={c.risk} />{c.do_not_contact && <Tag color="#531dab">{t('doNotContact')}</Tag>}</Space> },
    { key: 'credit', title: t('col.credit'), render: (_, c) => c.credit_rating ?? '' },
    { key: 'open', title: t('col.open'), align: 'right', dataIndex: 'open_invoices' },
    { key: 'overdue', title: t('col.overdue'), align: 'right', dataIndex: 'overdue_invoices' },
    { key: 'owner', title: t('col.owner'), render: (_, c) => c.owner ?? '' },
  ];

  return (
    <Space orientation="vertical" size="middle" style={{ width: '100%' }}>
      <Typography.Title level={1} style={{ margin: 0 }}>{t('title')}</Typography.Title>
      <Form<Filters> form={form} layout="vertical" onFinish={apply} role="search" aria-label={t('filters.label')}>
        <Row gutter={[12, 0]}>
          <Col xs={24} md={8} xl={6}><Form.Item label={t('filters.q')} name="q"><Input allowClear /></Form.Item></Col>
          <Col xs={12} md={4} xl={3}>
            <Form.Item label={t('filters.risk')} name="risk">
              <Select allowClear onChange={() => apply(form.getFieldsValue())}
                options={risks.map((r) => ({ value: r, label: t(`invoices:risk.${r}`) }))} />
            </Form.Item>
          </Col>
          <Col xs={12} md={4} xl={3}><Form.Item label={t('filters.region')} name="region"><Input allowClear /></Form.Item></Col>
          <Col xs={24} md={8} xl={6}><Form.Item label={t('filters.owner')} name="owner"><Input allowClear type="email" /></Form.Item></Col>
        </Row>
        <Space wrap style={{ marginBottom: 8 }}>
          <Button type="primary" htmlType="submit">{t('filters.apply')}</Button>
          <Button onClick={() => setSp(new URLSearchParams())}>{t('filters.clear')}</Button>
        </Space>
      </Form>
      {q.isError ? <ErrorView error={q.error} onRetry={() => void q.refetch()} /> : (
        <section aria-label={t('list')}>
          {phone ? (
            <List
              loading={q.isPending}
              dataSource={items}
              locale={{ emptyText: <Empty description={t('empty')} /> }}
              renderItem={(c) => (
                <List.Item key={c.id} style={{ padding: '6px 0', border: 0 }}>
                  <Card size="small" style={{ width: '100%' }}>
                    <Space orientation="vertical" size={4} style={{ width: '100%' }}>
                      <Link to={customerPath(c.id)}><strong>{c.name}</strong></Link>
                      <Typography.Text style={muted}>{[c.id, c.region, c.credit_rating].filter(Boolean).join(' · ')}</Typography.Text>
                      <Space size={4} wrap>
                        <RiskTag risk={c.risk} />
                        {c.do_not_contact && <Tag color="#531dab">{t('doNotContact')}</Tag>}
                        <Typography.Text>{t('detail.counts', { open: c.open_invoices, overdue: c.overdue_invoices })}</Typography.Text>
                      </Space>
                    </Space>
                  </Card>
                </List.Item>
              )}
            />
          ) : (
            <Table<Customer> rowKey="id" size="middle" columns={columns} dataSource={items} loading={q.isFetching}
              pagination={false} scroll={{ x: 'max-content' }} locale={{ emptyText: <Empty description={t('empty')} /> }} />
          )}
          <div style={{ marginTop: 12 }}>
            <Pager page={paging.page} hasPrev={paging.hasPrev} nextCursor={q.data?.next_cursor} busy={q.isFetching}
              onFirst={paging.first} onPrev={paging.prev} onNext={paging.next} />
          </div>
        </section>
      )}
    </Space>
  );
}
