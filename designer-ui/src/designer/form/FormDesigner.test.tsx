import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { act, cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { ConfigProvider } from 'antd';
import { useState } from 'react';
import i18n, { designerNamespaces, ready } from '../../i18n';
import { FormDesigner, type FormDesignerProblem, type FormDesignerProps } from './FormDesigner';
import { readForm } from './formModel';
import { stubBrowser } from '../../testStubs';

const example = (name: string) => readFileSync(resolve(process.cwd(), '../rules-examples/forms', `${name}.yaml`), 'utf8');

beforeAll(async () => {
  stubBrowser();
  await i18n.changeLanguage('en');
  await i18n.loadLanguages(['en', 'zh-CN']);
});

// the designer's catalogs load with its pages, not with the app
beforeAll(async () => {
  await ready;
  await i18n.loadNamespaces(designerNamespaces);
});

afterEach(cleanup);

interface Bundle {
  /** The text as the parent holds it now. */
  text: () => string;
  setText: (s: string) => void;
}

/** setup renders the designer under a parent that owns the text, as the designer page does. */
function setup(initial: string, problems?: FormDesignerProblem[], onFieldOpen?: FormDesignerProps['onFieldOpen']): Bundle {
  const bundle = { current: initial, set: (_: string) => {} };
  function Parent() {
    const [text, setText] = useState(initial);
    bundle.current = text;
    bundle.set = setText;
    return <FormDesigner source={text} onSourceChange={setText} problems={problems} onFieldOpen={onFieldOpen} />;
  }
  render(<ConfigProvider button={{ autoInsertSpace: false }}><Parent /></ConfigProvider>);
  return { text: () => bundle.current, setText: (s) => act(() => bundle.set(s)) };
}

const fieldNames = (b: Bundle) => readForm(b.text()).model.fields.map((f) => f.name);
const preview = (lang: 'English' | '中文') => screen.getByRole('region', { name: `Preview in ${lang}` });

describe('FormDesigner', () => {
  it('lists the fields and previews the form in both languages with the inbox renderer', async () => {
    setup(example('call-outcome'));
    expect(within(screen.getByRole('list', { name: 'Fields' })).getAllByRole('listitem')).toHaveLength(5);
    for (const name of ['outcome', 'promised_date', 'promised_amount', 'dispute_reason', 'notes']) {
      expect(screen.getByRole('button', { name: `Edit field ${name}` })).toBeTruthy();
    }
    expect(within(preview('English')).getByRole('radiogroup', { name: 'Outcome' })).toBeTruthy();
    expect(within(preview('English')).getByLabelText('Promised payment date')).toBeTruthy();
    // the Chinese preview has the Chinese texts, the renderer's own hints too
    expect(await within(preview('中文')).findByRole('radiogroup', { name: '结果' })).toBeTruthy();
    expect(within(preview('中文')).getByLabelText('承诺付款日期')).toBeTruthy();
    expect(await within(preview('中文')).findByRole('button', { name: '提交' })).toBeTruthy();

    // one language at a time
    await userEvent.click(screen.getByText('中文', { selector: '.ant-segmented-item-label span' }));
    expect(screen.queryByRole('region', { name: 'Preview in English' })).toBeNull();
    expect(preview('中文')).toBeTruthy();
  });

  it('adds a field, edits it in its panel and sees it in the preview; the rest of the text is unchanged', async () => {
    const src = example('escalation-decision');
    const opened = vi.fn();
    const b = setup(src, undefined, opened);
    await userEvent.click(screen.getByRole('button', { name: 'Add field' }));
    const last = src.split('\n').length;
    expect(opened).toHaveBeenCalledTimes(1);
    expect(opened).toHaveBeenCalledWith({ index: 5, name: 'new_field', lines: { from: last, to: last + 1 } });
    expect(fieldNames(b)).toEqual(['decision', 'installments', 'first_installment_date', 'write_off_amount', 'comment', 'new_field']);
    expect(b.text()).toBe(`${src}    - name: new_field\n      type: string\n`);
    // the new field's editor is open and has the focus on its toggle
    const panel = screen.getByRole('region', { name: 'Field new_field' });
    expect(document.activeElement).toBe(screen.getByRole('button', { name: 'Close the editor of field new_field' }));
    expect(within(preview('English')).getByLabelText('new_field')).toBeTruthy();

    fireEvent.change(within(panel).getByLabelText('Label (English)'), { target: { value: 'Call back on' } });
    fireEvent.change(within(panel).getByLabelText('Label (Chinese)'), { target: { value: '回电日期' } });
    expect(within(preview('English')).getByLabelText('Call back on')).toBeTruthy();
    expect(within(preview('中文')).getByLabelText('回电日期')).toBeTruthy();
    // typed key by key: the input keeps the focus while the field is renamed under it
    const name = within(panel).getByLabelText('Name');
    await userEvent.clear(name);
    await userEvent.type(name, 'call_back');
    expect(document.activeElement).toBe(within(screen.getByRole('region', { name: 'Field call_back' })).getByLabelText('Name'));
    const panel2 = screen.getByRole('region', { name: 'Field call_back' });
    fireEvent.click(within(panel2).getByLabelText('Always required'));
    fireEvent.change(within(panel2).getByLabelText('Maximum'), { target: { value: '40' } });
    expect(b.text()).toBe(`${src}    - name: call_back\n      type: string\n      label: {en: Call back on, zh-CN: 回电日期}\n      required: true\n      max: 40\n`);
    expect(within(preview('English')).getByText('Up to 40 characters.')).toBeTruthy();
    expect(opened).toHaveBeenCalledTimes(1);
  });

  it('changes a type to a choice and edits its options', async () => {
    const b = setup('kind: Form\nspec:\n  fields:\n    - name: reason # why\n      type: string\n');
    await userEvent.click(screen.getByRole('button', { name: 'Edit field reason' }));
    const panel = screen.getByRole('region', { name: 'Field reason' });
    const type = within(panel).getByLabelText('Type');
    fireEvent.mouseDown(type);
    fireEvent.click(await screen.findByTitle('Choice'));
    expect(b.text()).toBe('kind: Form\nspec:\n  fields:\n    - name: reason # why\n      type: enum\n');
    await userEvent.click(within(panel).getByRole('button', { name: 'Add option' }));
    await userEvent.click(within(panel).getByRole('button', { name: 'Add option' }));
    fireEvent.change(within(panel).getByLabelText('English label of option 2'), { target: { value: 'Too expensive' } });
    fireEvent.change(within(panel).getByLabelText('Value of option 2'), { target: { value: 'price' } });
    expect(b.text()).toBe('kind: Form\nspec:\n  fields:\n    - name: reason # why\n      type: enum\n      options:\n        - {value: option}\n        - {value: price, label: {en: Too expensive}}\n');
    expect(within(preview('English')).getByRole('radio', { name: 'Too expensive' })).toBeTruthy();
    await userEvent.click(within(panel).getByRole('button', { name: 'Move option price up' }));
    await userEvent.click(within(panel).getByRole('button', { name: 'Remove option option' }));
    expect(b.text()).toBe('kind: Form\nspec:\n  fields:\n    - name: reason # why\n      type: enum\n      options:\n        - {value: price, label: {en: Too expensive}}\n');
  });

  it('reorders with the keyboard, keeping the focus on the moved field, and removes', async () => {
    const src = example('call-outcome');
    const b = setup(src);
    const user = userEvent.setup();
    screen.getByRole('button', { name: 'Move field outcome down' }).focus();
    await user.keyboard('{Enter}');
    expect(fieldNames(b)).toEqual(['promised_date', 'outcome', 'promised_amount', 'dispute_reason', 'notes']);
    expect(document.activeElement).toBe(screen.getByRole('button', { name: 'Move field outcome down' }));
    await user.keyboard('{Enter}');
    expect(fieldNames(b)).toEqual(['promised_date', 'promised_amount', 'outcome', 'dispute_reason', 'notes']);
    expect(screen.getByRole('button', { name: 'Move field notes down' }).hasAttribute('disabled')).toBe(true);
    expect(screen.getByRole('button', { name: 'Move field promised_date up' }).hasAttribute('disabled')).toBe(true);
    // the preview follows the order
    const labels = within(preview('English')).getAllByText(/^(Outcome|Promised payment date|Promised amount)$/).map((e) => e.textContent);
    expect(labels).toEqual(['Promised payment date', 'Promised amount', 'Outcome']);

    await user.click(screen.getByRole('button', { name: 'Remove field dispute_reason' }));
    expect(fieldNames(b)).toEqual(['promised_date', 'promised_amount', 'outcome', 'notes']);
    expect(within(preview('English')).queryByLabelText('What is disputed')).toBeNull();
    expect(b.text().slice(b.text().indexOf('  validate:'))).toBe(src.slice(src.indexOf('  validate:')));
  });

  it('shows each server problem on its field and beside its control, and the others above the list', async () => {
    const src = example('call-outcome');
    const line = src.split('\n').findIndex((l) => l.includes('max: invoice.balance')) + 1;
    setup(src, [
      { line, column: 12, message: 'unknown field balanse' },
      { line: 4, column: 3, message: 'title is too long' },
    ]);
    const item = screen.getByRole('button', { name: 'Edit field promised_amount' }).closest('li');
    expect(item).not.toBeNull();
    const text = `Line ${line}, column 12: unknown field balanse`;
    expect(within(item as HTMLElement).getByText(text)).toBeTruthy();
    expect(within(item as HTMLElement).getByText('1 problem in field promised_amount')).toBeTruthy();
    expect(screen.getByText('Problems outside the fields')).toBeTruthy();
    expect(screen.getByText('Line 4, column 3: title is too long')).toBeTruthy();
    await userEvent.click(screen.getByRole('button', { name: 'Edit field promised_amount' }));
    const max = within(screen.getByRole('region', { name: 'Field promised_amount' })).getByLabelText('Maximum');
    expect(within(max.closest('.ant-form-item') as HTMLElement).getByRole('alert').textContent).toBe(text);
  });

  it('zh-CN: the list, its controls and the preview switch speak Chinese', async () => {
    await i18n.changeLanguage('zh-CN');
    try {
      setup(example('escalation-decision'));
      expect(await screen.findByRole('button', { name: '添加字段' })).toBeTruthy();
      const first = screen.getByRole('button', { name: '编辑字段 decision' }).closest('li') as HTMLElement;
      expect(within(first).getByText('决定')).toBeTruthy();
      expect(within(first).getByText('选项')).toBeTruthy();
      expect(screen.getByRole('button', { name: '将字段 decision 下移' })).toBeTruthy();
      expect(screen.getByRole('region', { name: '预览（中文）' })).toBeTruthy();
      expect(within(screen.getByRole('region', { name: '预览（English）' })).getByRole('radiogroup', { name: 'Decision' })).toBeTruthy();
    } finally {
      await i18n.changeLanguage('en');
    }
  });

  it('keeps the last good list while the text is half typed, without changing it', async () => {
    const src = example('call-outcome');
    const b = setup(src);
    b.setText(src.replace('    - name: notes\n', '    - name: notes\n   x: [\n'));
    expect(screen.getByText(/The YAML cannot be read at line \d+, column \d+/)).toBeTruthy();
    expect(screen.getByRole('button', { name: 'Edit field notes' })).toBeTruthy();
    expect(screen.getByRole('button', { name: 'Add field' }).hasAttribute('disabled')).toBe(true);
    expect(screen.queryByRole('button', { name: 'Remove field notes' })).toBeNull();
    await userEvent.click(screen.getByRole('button', { name: 'Edit field notes' }));
    expect(within(screen.getByRole('region', { name: 'Field notes' })).getByLabelText('Name').hasAttribute('disabled')).toBe(true);
    expect(within(preview('English')).getByRole('radiogroup', { name: 'Outcome' })).toBeTruthy();
    b.setText(src);
    await waitFor(() => expect(screen.queryByText(/The YAML cannot be read/)).toBeNull());
    expect(screen.getByRole('button', { name: 'Remove field notes' })).toBeTruthy();
  });
});
