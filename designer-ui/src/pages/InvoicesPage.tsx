// The invoice list: a search (an invoice number's start, or a customer's
// name or ID) and every filter the API has (status, aging bucket, currency,
// risk, customer, owner, days overdue) live in the URL query, so that a link
// (the dashboard's drill-down, a bookmark) opens the same list; keyset
// pages. The server validates the filters: what it refuses is shown next to
// its field.
import { useEffect, useMemo, useState } from 'react';
import { Button, Col, Collapse, Form, Grid, Input, InputNumber, Row, Select, Space, Typography } from 'antd';
import { CloseOutlined, SearchOutlined } from '@ant-design/icons';
import { useSearchParams } from 'react-router';
import { useTranslation } from 'react-i18next';
import { ApiError } from '../api/client';
import { InvoiceList, type InvoiceFilters } from '../components/invoices/InvoiceList';
import { agingBuckets, risks, statuses, type AgingBucket } from '../components/invoices/labels';
import { currencyOptions } from '../components/invoices/currencies';
import { localeOf } from '../format';

interface FilterForm {
  q?: string;
  status?: string;
  aging?: AgingBucket;
  currency?: string;
  risk?: 'low' | 'medium' | 'high';
  owner?: string;
  customer?: string;
  overdue_min?: number | null;
  overdue_max?: number | null;
}

const textKeys = ['q', 'status', 'currency', 'owner', 'customer'] as const;
const fieldNames = ['q', 'status', 'aging', 'currency', 'risk', 'owner', 'customer', 'overdue_min', 'overdue_max'] as const;

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

export default function InvoicesPage() {
  const { t, i18n } = useTranslation('invoices');
  const locale = localeOf(i18n);
  const [sp, setSp] = useSearchParams();
  const [form] = Form.useForm<FilterForm>();
  const screens = Grid.useBreakpoint();
  const phone = !screens.md;
  const filters = useMemo(() => filtersFrom(sp), [sp]);
  const [listError, setListError] = useState<unknown>(null);
  const currencies = useMemo(() => currencyOptions(locale, filters.currency), [locale, filters.currency]);

  useEffect(() => {
    form.resetFields();
    form.setFieldsValue(filters);
  }, [filters, form]);

  // The server's refusal of a filter (query.currency, query.overdue_min…) next to its field.
  useEffect(() => {
    const byField = listError instanceof ApiError ? listError.fieldErrors() : {};
    form.setFields(fieldNames.map((name) => ({ name, errors: byField[`query.${name}`] ?? [] })));
  }, [listError, form]);

  const apply = (v: FilterForm) => {
    const next = new URLSearchParams();
    for (const [k, val] of Object.entries(v)) {
      if (val === undefined || val === null || String(val).trim() === '') continue;
      next.set(k, String(val).trim());
    }
    setSp(next);
  };
  const submitNow = () => apply(form.getFieldsValue());

  const search = (
    <Form.Item label={t('filters.search')} name="q" extra={phone ? undefined : t('filters.searchHelp')}>
      <Input allowClear prefix={<SearchOutlined aria-hidden />} placeholder={t('filters.searchPlaceholder')} enterKeyHint="search"
        onPressEnter={(e) => { e.preventDefault(); submitNow(); }} onClear={() => window.setTimeout(submitNow)} />
    </Form.Item>
  );
  // On a desk: the search and four filters on one line, the others and
  // the buttons on the next; on a phone the search, then the rest folded.
  const more = (
    <>
      <Col xs={12} md={6} xl={4}>
        <Form.Item label={t('filters.status')} name="status">
          <Select allowClear onChange={submitNow}
            options={statuses.map((s) => ({ value: s, label: t(`status.${s}`) }))} />
        </Form.Item>
      </Col>
      <Col xs={12} md={6} xl={4}>
        <Form.Item label={t('filters.aging')} name="aging">
          <Select allowClear onChange={submitNow}
            options={agingBuckets.map((b) => ({ value: b, label: t(`aging.${b}`) }))} />
        </Form.Item>
      </Col>
      <Col xs={12} md={6} xl={4}>
        <Form.Item label={t('filters.currency')} name="currency">
          <Select allowClear onChange={submitNow} showSearch={{ optionFilterProp: 'label' }} options={currencies}
            popupMatchSelectWidth={false} labelRender={(o) => o.value} />
        </Form.Item>
      </Col>
      <Col xs={12} md={6} xl={4}>
        <Form.Item label={t('filters.risk')} name="risk">
          <Select allowClear onChange={submitNow}
            options={risks.map((r) => ({ value: r, label: t(`risk.${r}`) }))} />
        </Form.Item>
      </Col>
      <Col xs={12} md={6} xl={4}>
        <Form.Item label={t('filters.overdueMin')} name="overdue_min">
          <InputNumber min={0} precision={0} style={{ width: '100%' }} />
        </Form.Item>
      </Col>
      <Col xs={12} md={6} xl={4}>
        <Form.Item label={t('filters.overdueMax')} name="overdue_max">
          <InputNumber min={0} precision={0} style={{ width: '100%' }} />
        </Form.Item>
      </Col>
      <Col xs={24} md={6} xl={4}>
        <Form.Item label={t('filters.customer')} name="customer">
          <Input allowClear placeholder="C00001" />
        </Form.Item>
      </Col>
      <Col xs={24} md={12} xl={6}>
        <Form.Item label={t('filters.owner')} name="owner">
          <Input allowClear type="email" placeholder="rep@example.com" />
        </Form.Item>
      </Col>
      <Col xs={24} md={12} xl={6}>
        <Space wrap className="invoice-filter-buttons">
          <Button type="primary" htmlType="submit">{t('filters.apply')}</Button>
          <Button onClick={() => setSp(new URLSearchParams())}>{t('filters.clear')}</Button>
        </Space>
      </Col>
    </>
  );

  // On a phone the filters are folded: the ones in force are shown as
  // buttons that remove them.
  const applied = (Object.entries(filters) as [keyof InvoiceFilters, string | number][]).filter(([k]) => k !== 'q');
  const appliedLabel = (k: keyof InvoiceFilters, v: string | number): string => {
    switch (k) {
      case 'status': return t(`status.${v}`, { defaultValue: String(v) });
      case 'aging': return t(`aging.${v}`, { defaultValue: String(v) });
      case 'risk': return t('filters.appliedRisk', { risk: t(`risk.${v}`, { defaultValue: String(v) }) });
      case 'overdue_min': return t('filters.appliedMin', { count: Number(v) });
      case 'overdue_max': return t('filters.appliedMax', { count: Number(v) });
      case 'customer': return t('filters.appliedCustomer', { id: v });
      default: return String(v);
    }
  };
  const remove = (k: string) => {
    const next = new URLSearchParams(sp);
    next.delete(k);
    setSp(next);
  };
  return (
    <Space orientation="vertical" size="middle" style={{ width: '100%' }}>
      <Typography.Title level={1} style={{ margin: 0 }}>{t('title')}</Typography.Title>
      <Form<FilterForm> form={form} layout="vertical" onFinish={apply} aria-label={t('filters.label')} role="search">
        {phone ? (
          <>
            {search}
            <Collapse
              defaultActiveKey={[]}
              items={[{ key: 'f', label: `${t('filters.more')}${applied.length ? ` (${applied.length})` : ''}`, children: <Row gutter={[12, 0]}>{more}</Row>, forceRender: true }]}
            />
            {applied.length > 0 && (
              <Space wrap size={[6, 6]} className="invoice-applied">
                {applied.map(([k, v]) => {
                  const label = appliedLabel(k, v);
                  return (
                    <Button key={k} size="small" icon={<CloseOutlined aria-hidden />} iconPlacement="end" aria-label={t('filters.remove', { filter: label })}
                      onClick={() => remove(k)}>{label}</Button>
                  );
                })}
              </Space>
            )}
          </>
        ) : (
          <Row gutter={[12, 0]}>
            <Col xs={24} md={12} xl={8}>{search}</Col>
            {more}
          </Row>
        )}
      </Form>
      <InvoiceList filters={filters} onError={setListError} />
    </Space>
  );
}
