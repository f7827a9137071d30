import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { cleanup, fireEvent, render, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { ConfigProvider } from 'antd';
import type { ReactElement } from 'react';
import i18n from '../i18n';
import { FormRenderer, readFormDefinition, toWire, type FormDefinition } from './FormRenderer';
import { stubBrowser } from '../testStubs';

beforeAll(() => {
  stubBrowser();
});

afterEach(cleanup);

// as main.tsx: no space inserted between two Chinese characters of a button
const wrap = (ui: ReactElement) => render(<ConfigProvider button={{ autoInsertSpace: false }}>{ui}</ConfigProvider>);

// Every field type of the form language, as GET /api/tasks/{id} sends form_definition.
const everyType = {
  name: 'every-type',
  title: { en: 'Every type', 'zh-CN': '所有类型' },
  fields: [
    { name: 'outcome', type: 'enum', required: true, label: { en: 'Outcome', 'zh-CN': '结果' },
      options: [
        { value: 'promised', label: { en: 'Promised to pay', 'zh-CN': '承诺付款' } },
        { value: 'refused', label: { en: 'Refused to pay', 'zh-CN': '拒绝付款' } },
      ] },
    { name: 'promised_date', type: 'date', required: false, required_if: 'form.outcome == "promised"', label: { en: 'Promised payment date', 'zh-CN': '承诺付款日期' } },
    { name: 'promised_amount', type: 'money', required: false, label: { en: 'Promised amount', 'zh-CN': '承诺金额' } },
    { name: 'fee', type: 'money', currency: 'USD', required: false, min: '1.00', label: { en: 'Fee', 'zh-CN': '费用' } },
    { name: 'installments', type: 'number', required: false, min: '2', max: '24', label: { en: 'Installments', 'zh-CN': '分期期数' } },
    { name: 'reference', type: 'string', required: false, pattern: '[A-Z]{3}-\\d+', label: { en: 'Reference', 'zh-CN': '编号' } },
    { name: 'notes', type: 'text', required: false, max: '2000', label: { en: 'Notes', 'zh-CN': '备注' }, help: { en: 'Kept for audit', 'zh-CN': '存档备查' } },
    { name: 'call_at', type: 'datetime', required: false, label: { en: 'Call back at', 'zh-CN': '回电时间' } },
    { name: 'urgent', type: 'bool', required: false, label: { en: 'Urgent', 'zh-CN': '紧急' } },
    { name: 'handover', type: 'user', required: false, role: 'finance', label: { en: 'Hand over to', 'zh-CN': '移交给' } },
    { name: 'team_role', type: 'role', required: false, label: { en: 'Role', 'zh-CN': '角色' } },
  ],
};

function definition(): FormDefinition {
  const d = readFormDefinition(everyType);
  if (!d) throw new Error('no definition');
  return d;
}

describe('readFormDefinition', () => {
  it('reads the API shape, the document shape and Go field names', () => {
    expect(definition().fields.map((f) => f.type)).toEqual(
      ['enum', 'date', 'money', 'money', 'number', 'string', 'text', 'datetime', 'bool', 'user', 'role']);
    const doc = readFormDefinition({ metadata: { name: 'x', title: 'X' }, spec: { fields: [{ name: 'a', type: 'bool', label: 'A', default: 'true' }] } });
    expect(doc?.name).toBe('x');
    expect(doc?.fields[0]?.label).toBe('A');
    const goShape = readFormDefinition({ Fields: [{ Name: { Value: 'n' }, Type: 'number', Label: { En: 'N', ZhCN: '数' }, Min: { Value: '2', Set: true } }] });
    expect(goShape?.fields[0]).toMatchObject({ name: 'n', type: 'number', label: { en: 'N', 'zh-CN': '数' }, min: '2' });
    expect(readFormDefinition({ fields: [] })).toBeUndefined();
    expect(readFormDefinition(null)).toBeUndefined();
  });
});

describe('toWire', () => {
  const f = (type: string, extra: Record<string, unknown> = {}) => {
    const d = readFormDefinition({ fields: [{ name: 'x', type, ...extra }] });
    const field = d?.fields[0];
    if (!field) throw new Error('no field');
    return field;
  };
  it('sends money as decimal text, with the currency when the field has none', () => {
    expect(toWire(f('money'), '5,000', 'CNY')).toBe('5000.00 CNY');
    expect(toWire(f('money', { currency: 'USD' }), '12.5', 'CNY')).toBe('12.50');
    expect(toWire(f('money', { currency: 'JPY' }), '1500', undefined)).toBe('1500');
    // what the server must refuse is sent as typed, so that it can say why
    expect(toWire(f('money'), '12.345', 'CNY')).toBe('12.345 CNY');
    expect(toWire(f('money'), 'abc', 'CNY')).toBe('abc CNY');
  });
  it('sends numbers as numbers, and what is not a number as typed', () => {
    expect(toWire(f('number'), '3', undefined)).toBe(3);
    expect(toWire(f('number'), '2.5', undefined)).toBe(2.5);
    expect(toWire(f('number'), 'three', undefined)).toBe('three');
  });
  it('leaves empty fields out, keeps false', () => {
    expect(toWire(f('string'), '  ', undefined)).toBeUndefined();
    expect(toWire(f('date'), undefined, undefined)).toBeUndefined();
    expect(toWire(f('bool'), false, undefined)).toBe(false);
  });
});

describe('FormRenderer', () => {
  it('tells the page what would be submitted as it is typed (onValuesChange)', async () => {
    await i18n.changeLanguage('en');
    const seen = vi.fn();
    wrap(<FormRenderer definition={definition()} currency="CNY" onSubmit={() => {}} onValuesChange={seen} />);
    expect(seen).toHaveBeenLastCalledWith({});
    fireEvent.change(screen.getByLabelText('Installments'), { target: { value: '6' } });
    fireEvent.change(screen.getByLabelText('Promised payment date'), { target: { value: '2027-01-15' } });
    expect(seen).toHaveBeenLastCalledWith({ installments: 6, promised_date: '2027-01-15' });
    const calls = seen.mock.calls.length;
    fireEvent.change(screen.getByLabelText('Installments'), { target: { value: '6' } });
    expect(seen.mock.calls.length).toBe(calls);
  });

  it('en: renders every field type with labels, hints and localized options, and submits every value as the server reads it', async () => {
    await i18n.changeLanguage('en');
    const onSubmit = vi.fn();
    const user = userEvent.setup({ pointerEventsCheck: 0 });
    wrap(<FormRenderer definition={definition()} currency="CNY" onSubmit={onSubmit} initialValues={{ team_role: 'finance' }} />);

    const outcome = screen.getByRole('radiogroup', { name: 'Outcome' });
    expect(within(outcome).getAllByRole('radio').map((r) => r.closest('label')?.textContent)).toEqual(['Promised to pay', 'Refused to pay']);
    expect(screen.getByText('Required when Outcome is “Promised to pay”.')).toBeTruthy();
    expect(screen.getByText('From 2 to 24.')).toBeTruthy();
    expect(screen.getByText('Up to 2000 characters.')).toBeTruthy();
    expect(screen.getByText('At least 1.00 USD.')).toBeTruthy();
    expect(screen.getByText('Kept for audit')).toBeTruthy();
    expect(screen.getByText(/Must match the pattern/)).toBeTruthy();

    await user.click(screen.getByRole('radio', { name: 'Promised to pay' }));
    fireEvent.change(screen.getByLabelText('Promised payment date'), { target: { value: '2027-01-15' } });
    fireEvent.change(screen.getByLabelText('Promised amount'), { target: { value: '5,000' } });
    fireEvent.change(screen.getByLabelText('Fee'), { target: { value: '12.5' } });
    fireEvent.change(screen.getByLabelText('Installments'), { target: { value: '6' } });
    fireEvent.change(screen.getByLabelText('Reference'), { target: { value: 'ABC-12' } });
    fireEvent.change(screen.getByLabelText('Notes'), { target: { value: 'Will pay after the audit' } });
    fireEvent.change(screen.getByLabelText('Call back at'), { target: { value: '2027-01-10T09:30' } });
    await user.click(screen.getByRole('checkbox', { name: /Urgent/ }));
    fireEvent.change(screen.getByLabelText('Hand over to'), { target: { value: 'finance1@demo.recoup.test' } });
    await user.click(screen.getByRole('button', { name: 'Submit' }));

    expect(onSubmit).toHaveBeenCalledTimes(1);
    expect(onSubmit.mock.calls[0]?.[0]).toEqual({
      outcome: 'promised',
      promised_date: '2027-01-15',
      promised_amount: '5000.00 CNY',
      fee: '12.50',
      installments: 6,
      reference: 'ABC-12',
      notes: 'Will pay after the audit',
      call_at: new Date('2027-01-10T09:30').toISOString(),
      urgent: true,
      handover: 'finance1@demo.recoup.test',
      team_role: 'finance',
    });
  });

  it('en: two clicks and a date record a promise', async () => {
    await i18n.changeLanguage('en');
    const onSubmit = vi.fn();
    const user = userEvent.setup({ pointerEventsCheck: 0 });
    wrap(<FormRenderer definition={definition()} currency="CNY" onSubmit={onSubmit} />);
    await user.click(screen.getByRole('radio', { name: 'Promised to pay' }));
    fireEvent.change(screen.getByLabelText('Promised payment date'), { target: { value: '2027-01-15' } });
    await user.click(screen.getByRole('button', { name: 'Submit' }));
    // an untouched checkbox sends nothing; empty fields are left out
    expect(onSubmit).toHaveBeenCalledWith({ outcome: 'promised', promised_date: '2027-01-15' });
  });

  it('keeps what was typed when the parent re-renders with an equal definition (a pending submit, a 422)', async () => {
    await i18n.changeLanguage('en');
    const onSubmit = vi.fn();
    const user = userEvent.setup({ pointerEventsCheck: 0 });
    // as a parent that reads the definition afresh on every render
    const view = (pending: boolean, errors?: Record<string, string[]>) => (
      <ConfigProvider button={{ autoInsertSpace: false }}>
        <FormRenderer definition={definition()} currency="CNY" onSubmit={onSubmit} submitting={pending} serverErrors={errors} />
      </ConfigProvider>
    );
    const r = render(view(false));
    await user.click(screen.getByRole('radio', { name: 'Promised to pay' }));
    await user.click(screen.getByRole('button', { name: 'Submit' }));
    r.rerender(view(true));
    r.rerender(view(false, { promised_date: ['is required'] }));
    expect((screen.getByRole('radio', { name: 'Promised to pay' }) as HTMLInputElement).checked).toBe(true);
    fireEvent.change(screen.getByLabelText('Promised payment date'), { target: { value: '2027-01-15' } });
    r.rerender(view(false, { promised_date: ['is required'] }));
    await user.click(screen.getByRole('button', { name: 'Submit' }));
    expect(onSubmit).toHaveBeenLastCalledWith({ outcome: 'promised', promised_date: '2027-01-15' });
  });

  it('en: shows every server error next to its field at once, and form-level ones on top', async () => {
    await i18n.changeLanguage('en');
    wrap(<FormRenderer definition={definition()} currency="CNY" onSubmit={() => {}} serverErrors={{
      promised_date: ['is required'],
      installments: ['must be at least 2'],
      colour: ['unknown field'],
    }} />);
    expect(screen.getByText('is required')).toBeTruthy();
    expect(screen.getByText('must be at least 2')).toBeTruthy();
    expect(screen.getByText('colour: unknown field')).toBeTruthy();
    expect(screen.getByRole('alert').textContent).toContain('Some fields need attention');
    const date = screen.getByLabelText('Promised payment date');
    expect(date.getAttribute('aria-invalid')).toBe('true');
    const described = date.getAttribute('aria-describedby') ?? '';
    expect(described.split(' ').map((id) => document.getElementById(id)?.textContent).join(' ')).toContain('is required');
    // the first field in error has the focus
    expect(document.activeElement).toBe(date);
    // a field's error goes once it is changed
    fireEvent.change(date, { target: { value: '2027-01-15' } });
    expect(screen.queryByText('is required')).toBeNull();
    expect(screen.getByText('must be at least 2')).toBeTruthy();
  });

  it('zh-CN: labels, options, hints and the button in Chinese; server errors per field', async () => {
    await i18n.changeLanguage('zh-CN');
    const onSubmit = vi.fn();
    const user = userEvent.setup({ pointerEventsCheck: 0 });
    wrap(<FormRenderer definition={definition()} currency="CNY" onSubmit={onSubmit} serverErrors={{ outcome: ['为必填项'], notes: ['最多 2000 个字符'] }} />);
    expect(screen.getByRole('radiogroup', { name: '结果' })).toBeTruthy();
    expect(screen.getByRole('radio', { name: '承诺付款' })).toBeTruthy();
    expect(screen.getByText('当结果为“承诺付款”时必填。')).toBeTruthy();
    expect(screen.getByText('范围：2 至 24。')).toBeTruthy();
    expect(screen.getByText('为必填项')).toBeTruthy();
    expect(screen.getByText('最多 2000 个字符')).toBeTruthy();
    expect(screen.getByLabelText('承诺付款日期')).toBeTruthy();
    await user.click(screen.getByRole('radio', { name: '拒绝付款' }));
    await user.click(screen.getByRole('button', { name: '提交' }));
    expect(onSubmit).toHaveBeenCalledWith({ outcome: 'refused' });
    await i18n.changeLanguage('en');
  });
});
