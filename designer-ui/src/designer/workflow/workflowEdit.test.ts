import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isMap, isScalar, isSeq, parseDocument } from 'yaml';
import { addNode, applyEdits, formatScalar, parseDays, removeNode, setIn, setNodeField, writeDays, type EditResult, type EditValue } from './workflowEdit';
import { parseWorkflow } from './workflowModel';

const repo = resolve(__dirname, '../../../..');
const escalation = readFileSync(resolve(repo, 'rules-examples/workflows/escalation.yaml'), 'utf8');
const broken = readFileSync(resolve(repo, 'engine/testdata/broken/workflow.yaml'), 'utf8');

function ok(r: EditResult): string {
  if (!r.ok) throw new Error(r.error);
  return r.text;
}

/** changed is what differs between a and b: the old and new text between their common prefix and suffix. */
function changed(a: string, b: string): { at: number; old: string; new: string } {
  let p = 0;
  while (p < a.length && p < b.length && a[p] === b[p]) p++;
  let s = 0;
  while (s < a.length - p && s < b.length - p && a[a.length - 1 - s] === b[b.length - 1 - s]) s++;
  return { at: p, old: a.slice(p, a.length - s), new: b.slice(p, b.length - s) };
}

/** lineOf is the 1-based line of offset in text. */
function lineOf(text: string, offset: number): number {
  return text.slice(0, offset).split('\n').length;
}

/** expectOnlyLines asserts that b differs from a only within lines [from, to] of a (the rest byte-identical). */
function expectOnlyLines(a: string, b: string, from: number, to: number): void {
  const al = a.split('\n');
  const bl = b.split('\n');
  expect(bl.slice(0, from - 1)).toEqual(al.slice(0, from - 1));
  const tail = al.length - to;
  expect(bl.slice(bl.length - tail)).toEqual(al.slice(al.length - tail));
  expect(b).not.toBe(a);
}

const model = parseWorkflow(escalation).model!;
const node = (name: string) => model.nodes.find((n) => n.name === name)!;

describe('setNodeField: a value that exists is replaced in place', () => {
  const cases: { name: string; node: string; field: string | (string | number)[]; value: string; old: string; new: string }[] = [
    { name: 'entry condition', node: 'call', field: 'when', value: 'invoice.days_overdue >= 8 && invoice.days_overdue <= 15', old: '', new: ' && invoice.days_overdue <= 15' },
    { name: 'due_in of a task', node: 'call', field: 'task.due_in', value: '3d', old: '2', new: '3' },
    { name: 'form of a task', node: 'call', field: 'task.form', value: 'call-outcome-v2', old: '', new: '-v2' },
    { name: 'template of a task', node: 'call', field: 'task.template', value: 'phone-task', old: 'call', new: 'phone' },
    { name: 'approval role', node: 'decision', field: 'approval.role', value: 'cfo', old: 'finance', new: 'cfo' },
    { name: "an approval route's role", node: 'decision', field: ['approval', 'route', 1, 'role'], value: 'admin', old: 'finance_director', new: 'admin' },
    { name: 'title in a flow map', node: 'call', field: 'title.en', value: 'Call the customer', old: 'Phone call', new: 'Call the customer' },
    { name: 'title in Chinese', node: 'decision', field: 'title.zh-CN', value: '总监决策', old: '财务', new: '' },
    { name: 'title that needs quotes in a flow map', node: 'reminder', field: 'title.en', value: 'Reminder, polite', old: 'Polite reminder', new: "'Reminder, polite'" },
    { name: 'catch_up with a comment after it', node: 'call', field: 'catch_up', value: 'fire', old: 'skip', new: 'fire' },
    { name: "an action's template", node: 'reminder', field: ['actions', 1, 'notify', 'template'], value: 'reminder-sms-short', old: '', new: '-short' },
    { name: 'a single-quoted expression stays single-quoted', node: 'call', field: 'task.assignee', value: 'customer.owner_email', old: 'invoice.owner_email != "" ? invoice.owner_email : ', new: '' },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const n = node(c.node);
      const out = ok(setNodeField(escalation, n.index, c.field, c.value));
      const d = changed(escalation, out);
      expect([d.old, d.new]).toEqual([c.old, c.new]);
      const line = lineOf(escalation, d.at);
      expect(line).toBeGreaterThanOrEqual(n.range.startLine);
      expect(line).toBeLessThanOrEqual(n.range.endLine);
      // every comment is still there
      for (const comment of escalation.match(/#.*$/gm) ?? []) expect(out).toContain(comment);
      // and the model reads the new value
      const after = parseWorkflow(out).model!;
      const path = typeof c.field === 'string' ? c.field.split('.') : c.field;
      if (path[0] === 'title') expect(after.nodes[n.index]?.title[String(path[1])]).toBe(c.value);
      if (path[0] === 'when') expect(after.nodes[n.index]?.when).toBe(c.value);
    });
  }

  it('numbers and booleans are written as such', () => {
    expect(formatScalar(3, false)).toBe('3');
    expect(formatScalar(true, true)).toBe('true');
    expect(formatScalar('true', false)).toBe("'true'");
    expect(formatScalar('a: b', false)).toBe("'a: b'");
    expect(formatScalar("it's", false)).toBe("it's");
    expect(formatScalar("it's #1", false)).toBe("'it''s #1'");
    expect(formatScalar('x', false, 'QUOTE_DOUBLE' as never)).toBe('"x"');
  });
});

describe('setNodeField: a missing key is added on its own line', () => {
  it('after: placed after when', () => {
    const n = node('reminder');
    const out = ok(setNodeField(escalation, n.index, 'after', '2d'));
    expect(out.replace('\n      after: 2d', '')).toBe(escalation);
    expect(out).toContain('when: invoice.days_overdue >= 1 && invoice.days_overdue <= 7\n      after: 2d\n      catch_up: skip\n');
    expectOnlyLines(escalation, out, n.range.startLine, n.range.endLine);
    expect(parseWorkflow(out).model?.nodes[0]?.after).toBe('2d');
  });
  it('keep_open after a line with a comment, keeping the comment', () => {
    const n = node('review');
    const out = ok(setNodeField(escalation, n.index, 'keep_open', true));
    expect(out).toContain('catch_up: fire # the formal letter goes out; the reviews are not created\n      keep_open: true\n      actions:');
    expectOnlyLines(escalation, out, n.range.startLine, n.range.endLine);
  });
  it('a title on a node without one: after the name', () => {
    const out = ok(setNodeField(broken, 0, 'title.en', 'First'));
    expect(out.replace('\n      title: {en: First}', '')).toBe(broken);
    expect(out).toContain('    - name: first\n      title: {en: First}\n      when:');
    expect(parseWorkflow(out).model?.nodes[0]?.title).toEqual({ en: 'First' });
  });
  it('a Chinese title beside the English one, in the flow map', () => {
    const t = ok(setNodeField(broken, 0, 'title.en', 'First'));
    const out = ok(setNodeField(t, 0, 'title.zh-CN', '第一'));
    expect(out).toContain('title: {en: First, zh-CN: 第一}');
  });
  it('switching a task from an assignee to a role', () => {
    const n = node('call');
    const out = ok(
      applyEdits(escalation, [
        { path: ['spec', 'nodes', n.index, 'task', 'role'], value: 'sales_rep' },
        { path: ['spec', 'nodes', n.index, 'task', 'assignee'], value: null },
      ]),
    );
    expect(out).toContain('      task:\n        role: sales_rep\n        template: call-task\n');
    expectOnlyLines(escalation, out, n.range.startLine, n.range.endLine);
    expect(parseWorkflow(out).model?.nodes[1]?.task).toMatchObject({ role: 'sales_rep', form: 'call-outcome' });
    expect(parseWorkflow(out).model?.nodes[1]?.task?.assignee).toBeUndefined();
  });
  it('a plain title becomes a map of languages', () => {
    const text = 'kind: Workflow\nspec:\n  nodes:\n    - name: a\n      title: Call   # short\n      when: x\n';
    expect(ok(setNodeField(text, 0, 'title.zh-CN', '电话'))).toBe(text.replace('title: Call', 'title: {en: Call, zh-CN: 电话}'));
    expect(ok(setNodeField(text, 0, 'title.en', 'Phone'))).toBe(text.replace('title: Call', 'title: {en: Phone}'));
    expect(setNodeField(text, 0, ['when', 'x'], 'y').ok).toBe(false);
  });
  it('a key in a flow map', () => {
    const n = node('call');
    const out = ok(setNodeField(escalation, n.index, ['task', 'sla', 'escalate_to'], 'director'));
    expect(out).toContain('sla: {escalate_to: director, notify: sla-breach}');
  });
});

describe('setNodeField: removing a key removes its lines only', () => {
  it('catch_up and its comment', () => {
    const n = node('call');
    const out = ok(setNodeField(escalation, n.index, 'catch_up', null));
    expect(changed(escalation, out).old).toContain('catch_up: skip # a call for a stage already past is noise');
    expectOnlyLines(escalation, out, n.range.startLine, n.range.endLine);
    expect(out.split('\n').length).toBe(escalation.split('\n').length - 1);
  });
  it('the first key of an item moves the next key up', () => {
    const out = ok(setNodeField('kind: Workflow\nspec:\n  nodes:\n    - when: x\n      name: a\n', 0, 'when', null));
    expect(out).toBe('kind: Workflow\nspec:\n  nodes:\n    - name: a\n');
  });
  it('a key in a flow map', () => {
    const out = ok(setNodeField(escalation, node('call').index, 'title.zh-CN', null));
    expect(out).toContain('title: {en: Phone call}\n');
  });
  it('removing what is not there changes nothing', () => {
    expect(ok(setNodeField(escalation, 0, 'after', null))).toBe(escalation);
  });
});

describe('addNode and removeNode', () => {
  it('adds a node at the end, after the last content line', () => {
    const out = ok(addNode(escalation, { name: 'legal', when: 'invoice.days_overdue > 90', title: { en: 'Legal', 'zh-CN': '法务' } }));
    expect(out.startsWith(escalation.trimEnd())).toBe(true);
    expect(out.slice(escalation.trimEnd().length)).toBe(
      "\n    - name: legal\n      title: {en: Legal, zh-CN: 法务}\n      when: invoice.days_overdue > 90\n",
    );
    expect(parseWorkflow(out).model?.nodes.map((n) => n.name)).toEqual(['reminder', 'call', 'review', 'decision', 'legal']);
  });
  it('adds a node before another', () => {
    const out = ok(addNode(escalation, { name: 'letter', after: '1d' }, 2));
    expect(out.replace('    - name: letter\n      after: 1d\n', '')).toBe(escalation);
    expect(out).toContain('notify: sla-breach}\n    - name: letter\n      after: 1d\n    - name: review\n');
    expect(parseWorkflow(out).model?.nodes.map((n) => n.name)).toEqual(['reminder', 'call', 'letter', 'review', 'decision']);
  });
  it('removes a node, its lines only', () => {
    const n = node('review');
    const out = ok(removeNode(escalation, n.index));
    const al = escalation.split('\n');
    expect(out).toBe([...al.slice(0, n.range.startLine - 1), ...al.slice(n.range.endLine)].join('\n'));
    expect(parseWorkflow(out).model?.nodes.map((m) => m.name)).toEqual(['reminder', 'call', 'decision']);
  });
  it('removes the last node', () => {
    const out = ok(removeNode(escalation, 3));
    expect(out).toBe(escalation.split('\n').slice(0, 82).join('\n') + '\n');
  });
  it('keeps the comment above the next node', () => {
    const text = 'kind: Workflow\nspec:\n  nodes:\n    - name: a\n      when: x\n    # b comes second\n    - name: b\n      after: 1d\n';
    expect(ok(removeNode(text, 0))).toBe('kind: Workflow\nspec:\n  nodes:\n    # b comes second\n    - name: b\n      after: 1d\n');
  });
});

describe('edits refuse a text that does not parse', () => {
  it('returns an error instead of a text', () => {
    const half = escalation.replace('title: {en: Phone call, zh-CN: 电话催收}', 'title: {en: Phone call, zh-CN: 电话');
    const r = setNodeField(half, 0, 'when', 'x');
    expect(r.ok).toBe(false);
    expect(addNode(half, { name: 'x' }).ok).toBe(false);
    expect(removeNode(half, 0).ok).toBe(false);
  });
});

describe('parseDays and writeDays', () => {
  const cases: [string, { from: number | null; to: number | null } | null][] = [
    ['invoice.days_overdue >= 8 && invoice.days_overdue <= 15', { from: 8, to: 15 }],
    ['invoice.days_overdue >= 1 && invoice.days_overdue <= 7', { from: 1, to: 7 }],
    ['invoice.days_overdue >= 16', { from: 16, to: null }],
    ['invoice.days_overdue > 30', { from: 31, to: null }],
    ['invoice.days_overdue < 8', { from: null, to: 7 }],
    ['invoice.days_overdue==3', { from: 3, to: 3 }],
    ['  invoice.days_overdue>=8&&invoice.days_overdue<=15 ', { from: 8, to: 15 }],
    ['invoice.days_overdue >= 8 && invoice.balance > 0', null],
    ['invoice.days_overdue >= 8 || invoice.days_overdue <= 2', null],
    ['invoice.days_overdue >= 8 && invoice.days_overdue >= 9', null],
    ['customer.days_overdue >= 8', null],
    ['', null],
  ];
  for (const [expr, want] of cases) {
    it(`reads ${JSON.stringify(expr)}`, () => expect(parseDays(expr)).toEqual(want));
  }
  it('writes a changed bound, keeps an unchanged clause as written', () => {
    expect(writeDays('invoice.days_overdue >= 8', { from: 8, to: 15 })).toBe('invoice.days_overdue >= 8 && invoice.days_overdue <= 15');
    expect(writeDays('invoice.days_overdue >= 8 && invoice.days_overdue <= 15', { from: 10, to: 15 })).toBe(
      'invoice.days_overdue >= 10 && invoice.days_overdue <= 15',
    );
    expect(writeDays('invoice.days_overdue > 30', { from: 31, to: 60 })).toBe('invoice.days_overdue > 30 && invoice.days_overdue <= 60');
    expect(writeDays('invoice.days_overdue > 30', { from: 40, to: null })).toBe('invoice.days_overdue >= 40');
    expect(writeDays('invoice.days_overdue >= 1 && invoice.days_overdue <= 7', { from: 1, to: null })).toBe('invoice.days_overdue >= 1');
    expect(writeDays('invoice.days_overdue>=1&&invoice.days_overdue<=7', { from: 1, to: 7 })).toBe('invoice.days_overdue>=1&&invoice.days_overdue<=7');
    expect(writeDays('invoice.days_overdue >= 1', { from: null, to: null })).toBe('invoice.days_overdue >= 1');
  });
  it('round-trips through the node: the stage days of the call', () => {
    const n = node('call');
    const expr = writeDays(n.when!, { from: 8, to: 15 });
    const out = ok(setNodeField(escalation, n.index, 'when', expr));
    expect(parseDays(parseWorkflow(out).model?.nodes[n.index]?.when)).toEqual({ from: 8, to: 15 });
    expect(changed(escalation, out)).toMatchObject({ old: '', new: ' && invoice.days_overdue <= 15' });
  });
});

describe('every value of every node of the example, edited alone', () => {
  type Leaf = { path: (string | number)[]; node: number };
  function leaves(): Leaf[] {
    const out: Leaf[] = [];
    const doc = parseDocument(escalation);
    const walk = (n: unknown, path: (string | number)[], node: number) => {
      if (isMap(n)) for (const p of n.items) walk(p.value, [...path, String((p.key as { value: unknown }).value)], node);
      else if (isSeq(n)) n.items.forEach((v, i) => walk(v, [...path, i], node));
      else if (isScalar(n)) out.push({ path, node });
    };
    const nodes = doc.getIn(['spec', 'nodes']);
    if (isSeq(nodes)) nodes.items.forEach((item, i) => walk(item, ['spec', 'nodes', i], i));
    return out;
  }
  const all = leaves();

  it('finds the values', () => expect(all.length).toBeGreaterThan(60));

  for (const value of ['plain words', 'a: b, #c', "it's \"quoted\"", '42', '电话']) {
    it(`set to ${JSON.stringify(value)}: reads back, the rest byte-identical`, () => {
      for (const leaf of all) {
        const r = setIn(escalation, leaf.path, value);
        expect(r.ok, leaf.path.join('.')).toBe(true);
        if (!r.ok) continue;
        expect(parseDocument(r.text).getIn(leaf.path), leaf.path.join('.')).toBe(value);
        const n = model.nodes[leaf.node]!;
        expectOnlyLines(escalation, r.text, n.range.startLine, n.range.endLine);
      }
    });
  }

  it('removed one at a time (except the name): gone, the rest byte-identical', () => {
    for (const leaf of all) {
      if (leaf.path.length === 4 && leaf.path[3] === 'name') continue;
      if (typeof leaf.path[leaf.path.length - 1] === 'number') continue; // a list item is not a key
      const r = setIn(escalation, leaf.path, null);
      if (!r.ok) {
        // only the last key of a map may refuse
        expect(r.error, leaf.path.join('.')).toMatch(/only key/);
        continue;
      }
      expect(parseDocument(r.text).hasIn(leaf.path), leaf.path.join('.')).toBe(false);
      const n = model.nodes[leaf.node]!;
      expectOnlyLines(escalation, r.text, n.range.startLine, n.range.endLine);
    }
  });
});

describe('a key added to every node of the example', () => {
  const adds: [string, EditValue][] = [
    ['after', '2d'],
    ['keep_open', true],
    ['task.role', 'finance'],
    ['task.sla.escalate_to', 'director'],
    ['approval.due_in', '5d'],
    ['title.fr', 'Étape'],
  ];
  for (const [field, value] of adds) {
    it(`${field}: reads back, only that node's lines change`, () => {
      for (const n of model.nodes) {
        const path = ['spec', 'nodes', n.index, ...field.split('.')];
        const r = setNodeField(escalation, n.index, field, value);
        expect(r.ok, `${n.name}: ${field}`).toBe(true);
        if (!r.ok) continue;
        expect(parseDocument(r.text).getIn(path), `${n.name}: ${field}`).toBe(value);
        expectOnlyLines(escalation, r.text, n.range.startLine, n.range.endLine);
        const again = parseWorkflow(r.text).model!;
        expect(again.nodes.map((m) => m.name)).toEqual(model.nodes.map((m) => m.name));
      }
    });
  }
});
