import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compareWorkflows } from './compareWorkflows';
import { addNode, removeNode, setNodeField } from './workflowEdit';
import { parseWorkflow } from './workflowModel';

const repo = resolve(__dirname, '../../../..');
const text = readFileSync(resolve(repo, 'rules-examples/workflows/escalation.yaml'), 'utf8');
const model = (t: string) => parseWorkflow(t).model!;
const ok = (r: { ok: true; text: string } | { ok: false; error: string }) => {
  if (!r.ok) throw new Error(r.error);
  return r.text;
};

describe('compareWorkflows', () => {
  it('finds the nodes added, changed and removed', () => {
    let t = ok(setNodeField(text, 1, 'when', 'invoice.days_overdue >= 8 && invoice.days_overdue <= 15'));
    t = ok(removeNode(t, 2));
    t = ok(addNode(t, { name: 'legal', when: 'invoice.days_overdue > 90' }));
    expect(compareWorkflows(model(text), model(t))).toEqual({ added: ['legal'], removed: ['review'], changed: ['call'] });
  });
  it('a moved node, a comment or a reformatting is no change', () => {
    const t = text.replace('catch_up: skip # a call for a stage already past is noise', 'catch_up: skip').replace('{en: Phone call, zh-CN: 电话催收}', '{ en: "Phone call", zh-CN: 电话催收 }');
    const moved = ok(addNode(t, { name: 'first', when: 'true' }, 0));
    expect(compareWorkflows(model(text), model(moved))).toEqual({ added: ['first'], removed: [], changed: [] });
  });
  it("an approval's route changed is a change", () => {
    const t = text.replace('form.write_off_amount > money("1000.00 CNY")', 'form.write_off_amount > money("2000.00 CNY")');
    expect(compareWorkflows(model(text), model(t)).changed).toEqual(['decision']);
  });
  it('an outcome route changed is a change', () => {
    const t = text.replace("continue: {wait_until: 'addDays(today, 14)'}", 'continue: {goto: call}');
    expect(compareWorkflows(model(text), model(t)).changed).toEqual(['decision']);
  });
});
