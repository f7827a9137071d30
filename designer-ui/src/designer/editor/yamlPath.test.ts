import { describe, expect, it } from 'vitest';
import { positionAt } from './yamlPath';

function at(textWithCaret: string) {
  const offset = textWithCaret.indexOf('|');
  return positionAt(textWithCaret.replace('|', ''), offset);
}

const wf = `apiVersion: recoup/v1
kind: Workflow
metadata:
  name: x
spec:
  on: invoice
  nodes:
    - name: reminder
      when: invoice.days_overdue >= 1
      actions:
        - notify: {channel: email, to: customer.email, template: reminder-email}
    - name: call
      task:
        form: call-outcome
        outcomes:
          promised: {wait_until: form.promised_date}
`;

describe('positionAt', () => {
  it('reads a key at the root and under spec', () => {
    expect(at('ki|')).toMatchObject({ path: [], inKey: true, prefix: 'ki' });
    expect(at('spec:\n  o|')).toMatchObject({ path: ['spec'], inKey: true, prefix: 'o' });
  });
  it('reads a key inside a list item of nodes', () => {
    const text = wf.replace('      when: invoice', '      ca|\n      when: invoice');
    expect(at(text)).toMatchObject({ path: ['spec', 'nodes', 0], inKey: true, prefix: 'ca' });
  });
  it('reads a new list item', () => {
    expect(at('spec:\n  nodes:\n    - na|')).toMatchObject({ path: ['spec', 'nodes', 0], inKey: true, prefix: 'na' });
  });
  it('reads a value with its key', () => {
    const text = wf.replace('when: invoice.days_overdue >= 1', 'when: invoice.da|');
    expect(at(text)).toMatchObject({ path: ['spec', 'nodes', 0], inKey: false, key: 'when', prefix: 'invoice.da' });
  });
  it('follows nested mappings under a list item', () => {
    const text = wf.replace('        form: call-outcome', '        form: call-outcome\n        du|');
    expect(at(text)).toMatchObject({ path: ['spec', 'nodes', 0, 'task'], inKey: true, prefix: 'du' });
  });
  it('reads inside a flow mapping', () => {
    const text = wf.replace('{channel: email,', '{channel: em|');
    expect(at(text)).toMatchObject({ path: ['spec', 'nodes', 0, 'actions', 0, 'notify'], inKey: false, key: 'channel', prefix: 'em' });
    const keyText = wf.replace('{channel: email,', '{channel: email, t|');
    expect(at(keyText)).toMatchObject({ path: ['spec', 'nodes', 0, 'actions', 0, 'notify'], inKey: true, prefix: 't' });
    const nested = wf.replace('{wait_until: form.promised_date}', '{wait_until: form.pr|');
    expect(at(nested)).toMatchObject({ path: ['spec', 'nodes', 0, 'task', 'outcomes', 'promised'], key: 'wait_until', prefix: 'form.pr' });
  });
  it('never throws on odd text', () => {
    for (const s of ['', '|', '- |', '{{{|', ':::|', '  - - x: {a: [|']) expect(() => at(s.includes('|') ? s : `${s}|`)).not.toThrow();
  });
});
