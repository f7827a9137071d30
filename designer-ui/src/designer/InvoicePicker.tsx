// Picks a live invoice to try a definition on: a searchable list of the
// invoices the user may see (GET /api/invoices?q=, which matches a number
// from its start and a customer's name or id anywhere), each shown with
// its customer, balance and days overdue.
import { useEffect, useId, useRef, useState } from 'react';
import { Select, Space } from 'antd';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { Money } from '../components/Money';
import { searchInvoices, type InvoiceSummary } from './tryData';
import './designerTry.css';

const searchDelayMs = 250;

export interface InvoicePickerProps {
  value: string | undefined;
  onChange(number: string | undefined, invoice: InvoiceSummary | undefined): void;
  disabled?: boolean;
}

export function InvoicePicker({ value, onChange, disabled }: InvoicePickerProps) {
  const { t } = useTranslation('designerTry');
  const id = useId();
  const [typed, setTyped] = useState('');
  const [q, setQ] = useState('');
  useEffect(() => {
    const timer = setTimeout(() => setQ(typed.trim()), searchDelayMs);
    return () => clearTimeout(timer);
  }, [typed]);
  const found = useQuery({
    queryKey: ['designer', 'invoicePicker', q],
    queryFn: () => searchInvoices(q),
    placeholderData: keepPreviousData,
  });
  // what was picked stays labelled after the search moves on
  const seen = useRef(new Map<string, InvoiceSummary>());
  for (const inv of found.data ?? []) seen.current.set(inv.number, inv);

  const options = (found.data ?? []).map((inv) => ({ value: inv.number, label: <InvoiceOption invoice={inv} />, invoice: inv }));
  return (
    <Space orientation="vertical" size={4} style={{ width: '100%' }}>
      <label htmlFor={id} className="designer-label">{t('picker.label')}</label>
      <Select<string>
        id={id}
        value={value}
        disabled={disabled}
        allowClear
        style={{ width: '100%', maxWidth: 640 }}
        placeholder={t('picker.placeholder')}
        showSearch={{ filterOption: false, onSearch: setTyped }}
        loading={found.isFetching}
        notFoundContent={found.isFetching ? t('picker.searching') : t('picker.none')}
        options={options}
        labelRender={({ value: number }) => {
          const inv = seen.current.get(String(number));
          return inv ? `${inv.number} · ${inv.customer_name}` : String(number);
        }}
        onChange={(number) => onChange(number, number === undefined ? undefined : seen.current.get(number))}
      />
    </Space>
  );
}

/** InvoiceOption is one invoice in the list: number, customer, balance, days overdue. */
export function InvoiceOption({ invoice }: { invoice: InvoiceSummary }) {
  const { t } = useTranslation('designerTry');
  return (
    <span className="try-invoice-option">
      <strong>{invoice.number}</strong>
      <span>{invoice.customer_name}</span>
      <span>{t('picker.balance')} <Money minor={invoice.balance_minor} currency={invoice.currency} /></span>
      <span className={invoice.days_overdue > 0 ? 'try-overdue' : 'designer-muted'}>
        {invoice.days_overdue > 0 ? t('picker.overdue', { count: invoice.days_overdue }) : t('picker.notOverdue')}
      </span>
    </span>
  );
}
