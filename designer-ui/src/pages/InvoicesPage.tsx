// The invoice list: every filter the API has (status, aging bucket, owner,
// risk, customer, days overdue) lives in the URL query, so a link (the
// dashboard's drill-down, a bookmark) opens the same list; keyset pages.
import { useEffect, useMemo } from 'react';
import { Alert, Button, Col, Collapse, Form, Grid, Input, InputNumber, Row, Select, Space, Typography } from 'antd';
import { useSearchParams } from 'react-router';
import { useTranslation } from 'react-i18next';
import { InvoiceList, type InvoiceFilters } from '../components/invoices/InvoiceList';
import { agingBuckets, risks, statuses, type AgingBucket } from '../components/invoices/labels';
import { AaTheme } from '../components/invoices/AaTheme';

interface FilterForm {
  status?: string;
  aging?: AgingBucket;
  risk?: 'low' | 'medium' | 'high';
  owner?: string;
  customer?: string;
  overdue_min?: number | null;
  overdue_max?: number | null;
}

const textKeys = ['status', 'owner', 'customer'] as const;

function isAging(v: string | null): v is AgingBucket {
  return v !== null && (agingBuckets as readonly string[]).includes(v);
}
function isRisk(v: string | null): v is 'low' | 'medium' | 'high' {
  return v !== null && (risks as readonly string[]).includes(v);
}
function intParam(v: string | null): number | undefined {
  if (v === null || !/^\d+$/.test(v)) return undefined;
  return Number(v);
}

/** filtersFrom reads the API's filters from the URL query (ignoring what it cannot use). */
export function filtersFrom(sp: URLSearchParams): InvoiceFilters {
  const f: InvoiceFilters = {};
  for (const k of textKeys) {
    const v = sp.get(k)?.trim();
    if (v) f[k] = v;
  }
  const aging = sp.get('aging');
  if (isAging(aging)) f.aging = aging;
  const risk = sp.get('risk');
  if (isRisk(risk)) f.risk = risk;
  const min = intParam(sp.get('overdue_min'));
  if (min !== undefined) f.overdue_min = min;
  const max = intParam(sp.get('overdue_max'));
  if (max !== undefined) f.overdue_max = max;
  return f;
}

function InvoicesPageContent() {
  const { t } = useTranslation('invoices');
  const [sp, setSp] = useSearchParams();
  const [form] = Form.useForm<FilterForm>();
  const screens = Grid.useBreakpoint();
  const phone = !screens.md;
  const filters = useMemo(() => filtersFrom(sp), [sp]);
  const currency = sp.get('currency');

  useEffect(() => {
    form.resetFields();
    form.setFieldsValue(filters);
  }, [filters, form]);

  const apply = (v: FilterForm) => {
    const next = new URLSearchParams();
    for (const [k, val] of Object.entries(v)) {
      if (val === undefined || val === null || String(val).trim() === '') continue;
      next.set(k, String(val).trim());
    }
    if (currency) next.set('currency', currency);
    setSp(next);
  };
  const submitNow = () => apply(form.getFieldsValue());

  const filterForm = (
    <Form<FilterForm> form={form} layout="vertical" onFinish={apply} aria-label={t('filters.label')} role="search">
      <Row gutter={[12, 0]}>
        <Col xs={12} md={6} xl={3}>
          <Form.Item label={t('filters.status')} name="status">
            <Select allowClear onChange={submitNow}
              options={statuses.map((s) => ({ value: s, label: t(`status.${s}`) }))} />
          </Form.Item>
        </Col>
        <Col xs={12} md={6} xl={3}>
          <Form.Item label={t('filters.aging')} name="aging">
            <Select allowClear onChange={submitNow}
              options={agingBuckets.map((b) => ({ value: b, label: t(`aging.${b}`) }))} />
          </Form.Item>
        </Col>
        <Col xs={12} md={6} xl={3}>
          <Form.Item label={t('filters.risk')} name="risk">
            <Select allowClear onChange={submitNow}
              options={risks.map((r) => ({ value: r, label: t(`risk.${r}`) }))} />
          </Form.Item>
        </Col>
        <Col xs={12} md={6} xl={4}>
          <Form.Item label={t('filters.customer')} name="customer">
            <Input allowClear placeholder="C00001" />
          </Form.Item>
        </Col>
        <Col xs={24} md={8} xl={5}>
          <Form.Item label={t('filters.owner')} name="owner">
            <Input allowClear type="email" placeholder="rep@example.com" />
          </Form.Item>
        </Col>
        <Col xs={12} md={5} xl={3}>
          <Form.Item label={t('filters.overdueMin')} name="overdue_min">
            <InputNumber min={0} precision={0} style={{ width: '100%' }} />
          </Form.Item>
        </Col>
        <Col xs={12} md={5} xl={3}>
          <Form.Item label={t('filters.overdueMax')} name="overdue_max">
            <InputNumber min={0} precision={0} style={{ width: '100%' }} />
          </Form.Item>
        </Col>
      </Row>
      <Space wrap style={{ marginBottom: 16 }}>
        <Button type="primary" htmlType="submit">{t('filters.apply')}</Button>
        <Button onClick={() => setSp(new URLSearchParams())}>{t('filters.clear')}</Button>
      </Space>
    </Form>
  );

  const active = Object.keys(filters).length;
  return (
    <Space orientation="vertical" size="middle" style={{ width: '100%' }}>
      <Typography.Title level={1} style={{ margin: 0 }}>{t('title')}</Typography.Title>
      {phone ? (
        <Collapse
          defaultActiveKey={[]}
          items={[{ key: 'f', label: `${t('filters.label')}${active ? ` (${active})` : ''}`, children: filterForm, forceRender: true }]}
        />
      ) : filterForm}
      {currency && <Alert type="info" showIcon title={t('filters.currencyUnsupported', { currency })} />}
      <InvoiceList filters={filters} />
    </Space>
  );
}

export default function InvoicesPage() {
  return <AaTheme><InvoicesPageContent /></AaTheme>;
}
