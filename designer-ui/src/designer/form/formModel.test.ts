import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseDocument } from 'yaml';
import { applyEdit, boundValue, fieldAtLine, placeProblem, readForm, uniqueName, type FormEdit } from './formModel';

const example = (name: string) =>
  readFileSync(resolve(process.cwd(), '../rules-examples/forms', `${name}.yaml`), 'utf8');

// A form as an admin writes it: comments above, beside (aligned) and between
// fields, a block label, a plain-text label, single and double quotes.
const commented = `# Call outcome, as agreed with finance (2026-11)
apiVersion: recoup/v1
kind: Form
metadata: {name: call-outcome}
spec:
  outcome_field: outcome        # optional
  fields:
    # what the customer said
    - name: outcome             # lowercase identifier
      type: enum                # see docs/language.md
      required: true
      label: {en: Outcome, zh-CN: 结果}
      options:
        - {value: promised, label: {en: Promised to pay, zh-CN: 承诺付款}}   # the happy path
        - {value: disputed, label: {en: Disputes the invoice, zh-CN: 对账单有异议}}
    - name: promised_date
      type: date
      required_if: form.outcome == "promised"
      label:
        en: Promised payment date
        zh-CN: 承诺付款日期

    # free text
    - name: notes
      type: text
      label: 'Notes'
      max: 4000   # the column's size
  validate:
    - expr: form.outcome != "promised" || form.promised_date >= today
      field: promised_date
      message: {en: The promised date cannot be in the past, zh-CN: 承诺付款日期不能早于今天}
`;

function edit(src: string, e: FormEdit): string {
  const r = applyEdit(src, e);
  if (!r.ok) throw new Error(`refused: ${r.reason}`);
  // whatever the edit, the result still parses
  expect(parseDocument(r.text).errors).toEqual([]);
  return r.text;
}

/** once replaces exactly one occurrence of a text, failing when there is not exactly one. */
function once(src: string, from: string, to: string): string {
  expect(src.split(from).length - 1, `occurrences of ${JSON.stringify(from)}`).toBe(1);
  return src.replace(from, to);
}

describe('readForm', () => {
  it('reads both example forms with every property', () => {
    const call = readForm(example('call-outcome'));
    expect(call.error).toBeUndefined();
    expect(call.model.name).toBe('call-outcome');
    expect(call.model.title).toEqual({ en: 'Call outcome', 'zh-CN': '电话催收结果' });
    expect(call.model.fields.map((f) => [f.name, f.type])).toEqual([
      ['outcome', 'enum'], ['promised_date', 'date'], ['promised_amount', 'money'], ['dispute_reason', 'text'], ['notes', 'text'],
    ]);
    const [outcome, date, amount, reason] = call.model.fields;
    expect(outcome?.required).toBe(true);
    expect(outcome?.options[3]).toEqual({ value: 'disputed', label: { en: 'Disputes the invoice', 'zh-CN': '对账单有异议' } });
    expect(date?.requiredIf).toBe('form.outcome == "promised"');
    expect(amount?.max).toBe('invoice.balance');
    expect(amount?.help['zh-CN']).toBe('金额和发票币种，不超过未付余额，例如 "5000.00 CNY"');
    expect(reason?.max).toBe(2000);

    const esc = readForm(example('escalation-decision'));
    expect(esc.error).toBeUndefined();
    const installments = esc.model.fields[1];
    expect(installments).toMatchObject({ name: 'installments', type: 'integer', min: 2, max: 24, label: { en: 'Number of installments', 'zh-CN': '分期期数' } });
    expect(esc.model.fields[2]?.min).toBe('today');
    expect(esc.model.fields[4]?.requiredIf).toBe('form.decision in ["legal_action", "write_off"]');
  });

  it('round-trips both examples: an edit and its inverse give the text back byte for byte', () => {
    for (const name of ['call-outcome', 'escalation-decision']) {
      const src = example(name);
      const down = edit(src, { op: 'moveField', index: 0, to: 'down' });
      expect(down).not.toBe(src);
      expect(edit(down, { op: 'moveField', index: 1, to: 'up' })).toBe(src);
      const added = edit(src, { op: 'addField', field: { name: 'extra', type: 'bool' } });
      const n = readForm(added).model.fields.length;
      expect(edit(added, { op: 'removeField', index: n - 1 })).toBe(src);
      const req = edit(src, { op: 'setField', index: 0, key: 'required', value: false });
      expect(edit(req, { op: 'setField', index: 0, key: 'required', value: true }).replace(/\n {6}required: true\n/g, '\n')).toBe(src.replace(/\n {6}required: true\n/g, '\n'));
    }
  });

  it('every property of every field of both examples, changed and changed back, gives the text back byte for byte', () => {
    for (const name of ['call-outcome', 'escalation-decision']) {
      const src = example(name);
      const { model } = readForm(src);
      model.fields.forEach((f, index) => {
        const back = (there: FormEdit, again: FormEdit) => {
          const changed = edit(src, there);
          expect(changed, JSON.stringify(there)).not.toBe(src);
          expect(edit(changed, again), JSON.stringify(there)).toBe(src);
        };
        back({ op: 'setField', index, key: 'name', value: 'renamed' }, { op: 'setField', index, key: 'name', value: f.name });
        back({ op: 'setField', index, key: 'type', value: f.type === 'text' ? 'string' : 'text' }, { op: 'setField', index, key: 'type', value: f.type });
        for (const lang of ['en', 'zh-CN'] as const) {
          back({ op: 'setText', index, key: 'label', lang, text: 'Changed, with: a colon' }, { op: 'setText', index, key: 'label', lang, text: f.label[lang] });
          if (f.help[lang]) back({ op: 'setText', index, key: 'help', lang, text: `${f.help[lang]} (changed)` }, { op: 'setText', index, key: 'help', lang, text: f.help[lang] });
        }
        for (const key of ['min', 'max'] as const) {
          const v = f[key];
          if (v !== undefined) back({ op: 'setField', index, key, value: 'invoice.amount' }, { op: 'setField', index, key, value: v });
        }
        if (f.requiredIf) back({ op: 'setField', index, key: 'required_if', value: 'true' }, { op: 'setField', index, key: 'required_if', value: f.requiredIf });
        f.options.forEach((o, option) => {
          back({ op: 'setOptionValue', index, option, value: 'other' }, { op: 'setOptionValue', index, option, value: o.value });
          back({ op: 'setOptionText', index, option, lang: 'zh-CN', text: '别的' }, { op: 'setOptionText', index, option, lang: 'zh-CN', text: o.label['zh-CN'] });
          if (option > 0) back({ op: 'moveOption', index, option, to: 'up' }, { op: 'moveOption', index, option: option - 1, to: 'down' });
        });
      });
    }
  });

  it('maps a line to the field whose text holds it', () => {
    const { model } = readForm(commented);
    const lines = commented.split('\n');
    const line = (s: string) => lines.findIndex((l) => l.includes(s)) + 1;
    expect(fieldAtLine(model, line('type: enum'))).toBe(0);
    expect(fieldAtLine(model, line('# what the customer said'))).toBe(0);
    expect(fieldAtLine(model, line('zh-CN: 承诺付款日期'))).toBe(1);
    expect(fieldAtLine(model, line('# free text'))).toBe(2);
    expect(fieldAtLine(model, line('max: 4000'))).toBe(2);
    expect(fieldAtLine(model, line('apiVersion'))).toBe(-1);
  });

  it('places a problem on its field and key', () => {
    const lines = commented.split('\n');
    const at = (s: string, within = s) => {
      const l = lines.findIndex((x) => x.includes(s));
      return placeProblem(commented, l + 1, (lines[l] ?? '').indexOf(within) + 1);
    };
    expect(at('type: enum')).toEqual({ field: 0, key: 'type' });
    expect(at('{en: Outcome, zh-CN: 结果}', 'zh-CN')).toEqual({ field: 0, key: 'label.zh-CN' });
    expect(at('{en: Outcome, zh-CN: 结果}', 'Outcome')).toEqual({ field: 0, key: 'label.en' });
    expect(at('en: Promised payment date')).toEqual({ field: 1, key: 'label.en' });
    expect(at('{value: disputed')).toEqual({ field: 0, key: 'options' });
    expect(at('max: 4000', '4000')).toEqual({ field: 2, key: 'max' });
    expect(at('# free text')).toEqual({ field: 2 });
    expect(at('field: promised_date')).toBeUndefined();
    expect(placeProblem('spec: {fields: [', 1, 1)).toBeUndefined();
    const flow = 'spec: {fields: [{name: a, type: bool}, {name: b, type: txt}]}\n';
    expect(placeProblem(flow, 1, flow.indexOf('txt') + 1)).toEqual({ field: 1, key: 'type' });
  });

  it('does not throw on half-typed text: the last good model and where the error is', () => {
    const good = readForm(commented).model;
    const halves = [
      commented.slice(0, commented.indexOf('zh-CN: 结果}') + 4),
      commented.replace('type: enum', 'type: [enum'),
      commented.replace('    - name: notes', '  - name: notes\n     bad'),
      '{', ']', '- a\nb: c', ':', '\t\tfoo: "', 'spec: {fields: [', '',
    ];
    for (const text of halves) {
      const r = readForm(text, good);
      if (r.error) {
        expect(r.model).toBe(good);
        expect(r.error.line).toBeGreaterThan(0);
        expect(r.error.column).toBeGreaterThan(0);
      }
      expect(applyEdit(text, { op: 'setField', index: 0, key: 'required', value: true })).toBeDefined();
      expect(applyEdit(text, { op: 'addField', field: { name: 'x', type: 'bool' } })).toBeDefined();
    }
    expect(readForm('spec: {fields: [', good).error?.line).toBe(1);
    expect(applyEdit('spec: {fields: [', { op: 'removeField', index: 0 })).toEqual({ ok: false, reason: 'unparsable' });
  });
});

describe('applyEdit changes only its part of the text', () => {
  const cases: [string, FormEdit, (s: string) => string][] = [
    ['a scalar keeps its aligned comment', { op: 'setField', index: 0, key: 'type', value: 'string' },
      (s) => once(s, 'type: enum                # see', 'type: string                # see')],
    ['a bound becomes an expression', { op: 'setField', index: 2, key: 'max', value: 'invoice.balance' },
      (s) => once(s, 'max: 4000   #', 'max: invoice.balance   #')],
    ['a bound is removed with its line', { op: 'setField', index: 2, key: 'max', value: undefined },
      (s) => once(s, "      max: 4000   # the column's size\n", '')],
    ['required is removed', { op: 'setField', index: 0, key: 'required', value: false },
      (s) => once(s, '      required: true\n', '')],
    ['required is added at the end of its field', { op: 'setField', index: 1, key: 'required', value: true },
      (s) => once(s, '        zh-CN: 承诺付款日期\n', '        zh-CN: 承诺付款日期\n      required: true\n')],
    ['a min is added as a date', { op: 'setField', index: 1, key: 'min', value: '2026-03-20' },
      (s) => once(s, '        zh-CN: 承诺付款日期\n', '        zh-CN: 承诺付款日期\n      min: 2026-03-20\n')],
    ['required_if with quotes', { op: 'setField', index: 2, key: 'required_if', value: 'form.outcome in ["disputed", "refused"]' },
      (s) => once(s, "      max: 4000   # the column's size\n", "      max: 4000   # the column's size\n      required_if: form.outcome in [\"disputed\", \"refused\"]\n")],
    ['required_if is changed', { op: 'setField', index: 1, key: 'required_if', value: 'form.outcome != "refused"' },
      (s) => once(s, 'required_if: form.outcome == "promised"', 'required_if: form.outcome != "refused"')],
    ['the name is renamed in place', { op: 'setField', index: 2, key: 'name', value: 'remarks' },
      (s) => once(s, '- name: notes', '- name: remarks')],
    ['a flow label in one language', { op: 'setText', index: 0, key: 'label', lang: 'zh-CN', text: '结果（必填）' },
      (s) => once(s, '{en: Outcome, zh-CN: 结果}', '{en: Outcome, zh-CN: 结果（必填）}')],
    ['a block label in one language', { op: 'setText', index: 1, key: 'label', lang: 'en', text: 'Promised on' },
      (s) => once(s, '        en: Promised payment date\n', '        en: Promised on\n')],
    ['a block label loses one language', { op: 'setText', index: 1, key: 'label', lang: 'zh-CN', text: '' },
      (s) => once(s, '        zh-CN: 承诺付款日期\n', '')],
    ['a quoted plain label keeps its quotes', { op: 'setText', index: 2, key: 'label', lang: 'en', text: "Notes (audit)" },
      (s) => once(s, "label: 'Notes'", "label: 'Notes (audit)'")],
    ['a plain label gets its Chinese', { op: 'setText', index: 2, key: 'label', lang: 'zh-CN', text: '备注' },
      (s) => once(s, "label: 'Notes'\n", 'label: {en: Notes, zh-CN: 备注}\n')],
    ['help is added to a field', { op: 'setText', index: 2, key: 'help', lang: 'en', text: 'Kept for audit: 7 years' },
      (s) => once(s, "      max: 4000   # the column's size\n", "      max: 4000   # the column's size\n      help: {en: \"Kept for audit: 7 years\"}\n")],
    ['an option value', { op: 'setOptionValue', index: 0, option: 1, value: 'disputes' },
      (s) => once(s, '{value: disputed,', '{value: disputes,')],
    ['an option label keeps the comment beside it', { op: 'setOptionText', index: 0, option: 0, lang: 'en', text: 'Will pay' },
      (s) => once(s, '{en: Promised to pay, zh-CN: 承诺付款}}   # the happy path', '{en: Will pay, zh-CN: 承诺付款}}   # the happy path')],
    ['an option is added', { op: 'addOption', index: 0, value: 'refused', label: { en: 'Refused to pay', 'zh-CN': '拒绝付款' } },
      (s) => once(s, '对账单有异议}}\n', '对账单有异议}}\n        - {value: refused, label: {en: Refused to pay, zh-CN: 拒绝付款}}\n')],
    ['an option is removed', { op: 'removeOption', index: 0, option: 1 },
      (s) => once(s, '        - {value: disputed, label: {en: Disputes the invoice, zh-CN: 对账单有异议}}\n', '')],
    ['options move', { op: 'moveOption', index: 0, option: 1, to: 'up' },
      (s) => once(s,
        '        - {value: promised, label: {en: Promised to pay, zh-CN: 承诺付款}}   # the happy path\n        - {value: disputed, label: {en: Disputes the invoice, zh-CN: 对账单有异议}}\n',
        '        - {value: disputed, label: {en: Disputes the invoice, zh-CN: 对账单有异议}}\n        - {value: promised, label: {en: Promised to pay, zh-CN: 承诺付款}}   # the happy path\n')],
    ['the first option of a field', { op: 'addOption', index: 2, value: 'short' },
      (s) => once(s, "      max: 4000   # the column's size\n", "      max: 4000   # the column's size\n      options:\n        - {value: short}\n")],
  ];
  for (const [name, e, want] of cases) {
    it(name, () => {
      expect(edit(commented, e)).toBe(want(commented));
    });
  }

  it('adds a field at the end of the list, before what follows it', () => {
    const out = edit(commented, { op: 'addField', field: { name: 'callback', type: 'datetime', label: { en: 'Call back at', 'zh-CN': '回电时间' } } });
    expect(out).toBe(once(commented, '  validate:\n',
      '    - name: callback\n      type: datetime\n      label: {en: Call back at, zh-CN: 回电时间}\n  validate:\n'));
    expect(readForm(out).model.fields.map((f) => f.name)).toEqual(['outcome', 'promised_date', 'notes', 'callback']);
  });

  it('removes a field with the comment and blank lines above it, and nothing else', () => {
    const out = edit(commented, { op: 'removeField', index: 2 });
    expect(out).toBe(once(commented, "\n    # free text\n    - name: notes\n      type: text\n      label: 'Notes'\n      max: 4000   # the column's size\n", ''));
    const first = edit(commented, { op: 'removeField', index: 0 });
    expect(readForm(first).model.fields.map((f) => f.name)).toEqual(['promised_date', 'notes']);
    expect(first).toContain('# Call outcome, as agreed with finance (2026-11)');
    expect(first).toContain('outcome_field: outcome        # optional');
  });

  it('moves fields up and down with their comments; a move past the ends is refused', () => {
    const down = edit(commented, { op: 'moveField', index: 1, to: 'down' });
    expect(readForm(down).model.fields.map((f) => f.name)).toEqual(['outcome', 'notes', 'promised_date']);
    expect(down.indexOf('# free text')).toBeLessThan(down.indexOf('- name: notes'));
    expect(down.indexOf('- name: notes')).toBeLessThan(down.indexOf('- name: promised_date'));
    expect(down.slice(down.indexOf('  validate:'))).toBe(commented.slice(commented.indexOf('  validate:')));
    expect(edit(down, { op: 'moveField', index: 2, to: 'up' })).toBe(commented);
    const up = edit(commented, { op: 'moveField', index: 1, to: 'up' });
    expect(readForm(up).model.fields.map((f) => f.name)).toEqual(['promised_date', 'outcome', 'notes']);
    expect(up.indexOf('- name: promised_date')).toBeLessThan(up.indexOf('# what the customer said'));
    expect(up.indexOf('# what the customer said')).toBeLessThan(up.indexOf('- name: outcome'));
    expect(edit(up, { op: 'moveField', index: 0, to: 'down' })).toBe(commented);
    expect(applyEdit(commented, { op: 'moveField', index: 0, to: 'up' })).toEqual({ ok: false, reason: 'cannotMove' });
    expect(applyEdit(commented, { op: 'moveField', index: 2, to: 'down' })).toEqual({ ok: false, reason: 'cannotMove' });
  });

  it('keeps the quotes an admin chose, not the ones a half-typed text needed', () => {
    const type = (from: string, texts: string[]) => texts.reduce(
      (src, text) => edit(src, { op: 'setText', index: 2, key: 'label', lang: 'en', text }), from);
    const call = type(commented, ['C', 'Ca', 'Call']);
    expect(call).toBe(once(commented, "label: 'Notes'", "label: 'Call'"));
    // 'Call ' needed quotes for a moment; 'Call back' does not, and the admin never chose them
    expect(type(call, ['Call ', 'Call b', 'Call back'])).toBe(once(commented, "label: 'Notes'", 'label: Call back'));
    const flow = ['O', 'On', 'On ', 'On t'].reduce(
      (src, text) => edit(src, { op: 'setOptionText', index: 0, option: 1, lang: 'en', text }), commented);
    expect(flow).toBe(once(commented, '{en: Disputes the invoice,', '{en: On t,'));
    const comma = edit(commented, { op: 'setOptionText', index: 0, option: 1, lang: 'en', text: 'Disputes it, all of it' });
    expect(comma).toBe(once(commented, '{en: Disputes the invoice,', '{en: "Disputes it, all of it",'));
    expect(readForm(comma).model.fields[0]?.options[1]?.label.en).toBe('Disputes it, all of it');
  });

  it('writes a value for a key that has none yet', () => {
    const src = 'spec:\n  fields:\n    - name: a\n      type: bool\n      required:   # to decide\n      label:\n    - name: b\n      type: text\n';
    expect(edit(src, { op: 'setField', index: 0, key: 'required', value: true }))
      .toBe('spec:\n  fields:\n    - name: a\n      type: bool\n      required: true\n      label:\n    - name: b\n      type: text\n');
    expect(edit(src, { op: 'setText', index: 0, key: 'label', lang: 'zh-CN', text: '甲' }))
      .toBe('spec:\n  fields:\n    - name: a\n      type: bool\n      required:   # to decide\n      label: {zh-CN: 甲}\n    - name: b\n      type: text\n');
    expect(readForm(src).model.fields[0]?.required).toBe(false);
  });

  it('moves the last field of a text without a final newline', () => {
    const src = 'spec:\n  fields:\n    - name: a\n      type: bool\n    - name: b\n      type: text';
    expect(edit(src, { op: 'moveField', index: 1, to: 'up' })).toBe('spec:\n  fields:\n    - name: b\n      type: text\n    - name: a\n      type: bool');
  });

  it('writes into a form whose spec has no fields yet, and into a flow list', () => {
    const noFields = 'kind: Form\nspec:\n  outcome_field: x # later\n';
    expect(edit(noFields, { op: 'addField', field: { name: 'x', type: 'enum' } }))
      .toBe('kind: Form\nspec:\n  outcome_field: x # later\n  fields:\n    - name: x\n      type: enum\n');
    const flow = 'kind: Form # k\nspec: {fields: [{name: a, type: bool}]}\n';
    const out = edit(flow, { op: 'addField', field: { name: 'b', type: 'text' } });
    expect(out.startsWith('kind: Form # k\n')).toBe(true);
    expect(readForm(out).model.fields.map((f) => f.name)).toEqual(['a', 'b']);
  });

  it('refuses an edit of a field that is not there', () => {
    expect(applyEdit(commented, { op: 'setField', index: 7, key: 'required', value: true })).toEqual({ ok: false, reason: 'noSuchField' });
    expect(applyEdit(commented, { op: 'removeOption', index: 1, option: 0 })).toEqual({ ok: false, reason: 'noSuchOption' });
    expect(applyEdit('kind: Form\n', { op: 'removeField', index: 0 })).toEqual({ ok: false, reason: 'notAForm' });
  });
});

describe('helpers', () => {
  it('names a new field uniquely and reads typed bounds', () => {
    const { model } = readForm(commented);
    expect(uniqueName(model, 'notes')).toBe('notes_2');
    expect(uniqueName(model)).toBe('new_field');
    expect(boundValue('24', 'integer')).toBe(24);
    expect(boundValue(' invoice.balance ', 'money')).toBe('invoice.balance');
    expect(boundValue('100.00', 'money')).toBe('100.00');
    expect(boundValue('2026-03-20', 'date')).toBe('2026-03-20');
    expect(boundValue('', 'number')).toBeUndefined();
  });
});
