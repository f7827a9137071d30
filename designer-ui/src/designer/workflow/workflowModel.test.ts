import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { nodeAtLine, parseWorkflow, problemsByNode, type Problem } from './workflowModel';

const repo = resolve(__dirname, '../../../..');
const escalation = readFileSync(resolve(repo, 'rules-examples/workflows/escalation.yaml'), 'utf8');
const broken = readFileSync(resolve(repo, 'engine/testdata/broken/workflow.yaml'), 'utf8');

describe('parseWorkflow: the example escalation', () => {
  const { model, error } = parseWorkflow(escalation);
  it('parses without error', () => {
    expect(error).toBeUndefined();
    expect(model).not.toBeNull();
  });
  const m = model!;

  it('reads the workflow header', () => {
    expect(m.name).toBe('overdue-escalation');
    expect(m.title).toEqual({ en: 'Overdue escalation', 'zh-CN': '逾期升级催收' });
    expect(m.on).toBe('invoice');
    expect(m.start_when).toBe('invoice.balance > 0 && invoice.days_overdue >= 1');
    expect(m.stop_when).toBe('invoice.balance <= 0');
    expect(m.pause_when.map((p) => [p.when, p.reason])).toEqual([
      ['invoice.disputed', 'dispute'],
      ['customer.do_not_contact', 'do_not_contact'],
      ['invoice.on_hold', 'hold'],
      ['invoice.plan.active', 'payment_plan'],
    ]);
  });

  it('lists the four stages in order, by kind', () => {
    expect(m.nodes.map((n) => [n.name, n.kind])).toEqual([
      ['reminder', 'notify'],
      ['call', 'task'],
      ['review', 'actions'],
      ['decision', 'approval'],
    ]);
    expect(m.nodes.map((n) => n.title['zh-CN'])).toEqual(['温馨提醒', '电话催收', '经理与财务复核、正式催款函', '财务总监决策']);
    expect(m.nodes.map((n) => n.catch_up)).toEqual(['skip', 'skip', 'fire', 'skip']);
    expect(m.nodes[0]?.when).toBe('invoice.days_overdue >= 1 && invoice.days_overdue <= 7');
    expect(m.nodes[3]?.when).toBe('invoice.days_overdue > 30');
  });

  it('reads the reminder actions', () => {
    const r = m.nodes[0]!;
    expect(r.actions.map((a) => [a.kind, a.channel, a.to, a.template])).toEqual([
      ['notify', 'email', 'customer.email', 'reminder-email'],
      ['notify', 'sms', 'customer.phone', 'reminder-sms'],
    ]);
    expect(r.actions[1]?.path).toEqual(['spec', 'nodes', 0, 'actions', 1]);
  });

  it('reads the call task and its outcomes as routes', () => {
    const c = m.nodes[1]!;
    expect(c.task).toMatchObject({
      assignee: 'invoice.owner_email != "" ? invoice.owner_email : customer.owner_email',
      template: 'call-task',
      form: 'call-outcome',
      due_in: '2d',
      sla: { escalate_to: 'sales_manager', notify: 'sla-breach' },
    });
    expect(c.outcomes.map((o) => [o.value, o.route, o.until ?? o.reason ?? o.target ?? null, o.record ?? null])).toEqual([
      ['promised', 'wait_until', 'form.promised_date', 'promise'],
      ['disputed', 'pause', 'dispute', 'dispute'],
      ['default', 'next', null, null],
    ]);
    expect(c.outcomes[1]?.then.map((a) => [a.kind, a.summary])).toEqual([['set', 'invoice.disputed: true']]);
  });

  it('reads the review actions: two tasks and a letter', () => {
    const r = m.nodes[2]!;
    expect(r.actions.map((a) => [a.kind, a.role ?? a.to, a.template])).toEqual([
      ['task', 'sales_manager', 'review-task'],
      ['task', 'finance', 'review-task'],
      ['notify', 'customer.email', 'formal-letter'],
    ]);
  });

  it('reads the approval and its options', () => {
    const d = m.nodes[3]!;
    expect(d.approval).toMatchObject({ role: 'finance', form: 'escalation-decision', template: 'director-decision', due_in: '3d' });
    expect(d.approval?.route.map((r) => [r.when, r.role])).toEqual([
      ['invoice.currency != "CNY" || invoice.balance >= money("5000.00 CNY")', 'finance_director'],
      ['form.decision == "write_off" && form.write_off_amount > money("1000.00 CNY")', 'finance_director'],
    ]);
    const lines = escalation.split('\n');
    expect(d.approval?.route.map((r) => lines[r.line - 1]?.trim().startsWith('- when:'))).toEqual([true, true]);
    expect(d.approval?.sla).toEqual({ escalate_to: 'finance_director', notify: 'sla-breach' });
    expect(d.outcomes.map((o) => [o.value, o.route, o.record ?? null, o.then.map((a) => a.kind)])).toEqual([
      ['legal_action', 'complete', 'legal_case', []],
      ['payment_plan', 'pause', null, ['payment_plan']],
      ['write_off', 'complete', null, ['write_off']],
      ['continue', 'wait_until', null, []],
    ]);
    expect(d.outcomes[3]?.until).toBe('addDays(today, 14)');
  });

  it('knows the lines of each node', () => {
    const lines = escalation.split('\n');
    for (const n of m.nodes) {
      expect(lines[n.range.startLine - 1]).toContain(`- name: ${n.name}`);
    }
    expect(m.nodes.map((n) => [n.range.startLine, n.range.endLine])).toEqual([
      [46, 52],
      [53, 70],
      [71, 82],
      [83, 118],
    ]);
  });
});

describe('parseWorkflow: other constructs', () => {
  it('reads after, keep_open, goto, role tasks, wait nodes and pause until', () => {
    const { model, error } = parseWorkflow(`apiVersion: recoup/v1
kind: Workflow
metadata: {name: w, title: Plain title}
spec:
  on: invoice
  start_when: invoice.balance > 0
  stop_when: invoice.balance <= 0
  pause_when:
    - {when: invoice.disputed, reason: dispute, until: 'addDays(today, 3)'}
  nodes:
    - name: first
      when: invoice.days_overdue >= 1
    - name: pause
      after: 3d
    - name: ask
      after: 1d
      keep_open: true
      task:
        role: sales_rep
        title: Call them
        form: decision
        outcomes:
          refused: {goto: first, then: [{add_fee: {amount: 500}}]}
          broken: {next: true, complete: true}
          odd: 3
`);
    expect(error).toBeUndefined();
    expect(model?.title).toEqual({ en: 'Plain title' });
    expect(model?.pause_when[0]).toMatchObject({ when: 'invoice.disputed', reason: 'dispute', until: 'addDays(today, 3)', line: 9 });
    expect(model?.nodes.map((n) => [n.name, n.kind, n.after ?? null, n.keep_open ?? null])).toEqual([
      ['first', 'wait', null, null],
      ['pause', 'wait', '3d', null],
      ['ask', 'task', '1d', true],
    ]);
    const ask = model!.nodes[2]!;
    expect(ask.task).toMatchObject({ role: 'sales_rep', title: 'Call them', form: 'decision' });
    expect(ask.outcomes.map((o) => [o.value, o.route, o.target ?? null])).toEqual([
      ['refused', 'goto', 'first'],
      ['broken', 'invalid', null],
      ['odd', 'invalid', null],
    ]);
    expect(ask.outcomes[0]?.then[0]).toMatchObject({ kind: 'add_fee', summary: 'amount: 500' });
  });

  it('finds the Workflow among several documents', () => {
    const { model, error } = parseWorkflow(broken);
    expect(error).toBeUndefined();
    expect(model?.nodes.map((n) => n.name)).toEqual(['first', 'second', 'first']);
    expect(model?.range).toEqual({ startLine: 1, endLine: 30 });
  });
});

describe('parseWorkflow: a text that does not parse', () => {
  it('keeps the last good model and reports where', () => {
    const good = parseWorkflow(escalation).model;
    const half = escalation.replace('title: {en: Phone call, zh-CN: 电话催收}', 'title: {en: Phone call, zh-CN: 电话');
    const r = parseWorkflow(half, good);
    expect(r.model).toBe(good);
    expect(r.error?.line).toBeGreaterThanOrEqual(54);
    expect(r.error?.message).not.toBe('');
  });
  it('gives null without a previous model, and never throws', () => {
    for (const t of ['', 'spec: [', ':\n  - : -', 'kind: Workflow\nspec:\n  nodes: 3', '- a\n- b', 'null']) {
      expect(() => parseWorkflow(t)).not.toThrow();
    }
    expect(parseWorkflow('spec: [').model).toBeNull();
    expect(parseWorkflow('kind: Workflow\nspec:\n  nodes: 3').model?.nodes).toEqual([]);
  });
});

describe('problemsByNode', () => {
  // the loader's messages for engine/testdata/broken/workflow.yaml (its golden file)
  const problems: Problem[] = [
    { line: 6, column: 15, message: 'start_when must be a boolean' },
    { line: 10, column: 15, message: 'invalid reason' },
    { line: 15, column: 7, message: 'node "second" needs when' },
    { line: 21, column: 11, message: 'unknown outcome "promisd"' },
    { line: 22, column: 27, message: 'unknown node "thrid"' },
    { line: 24, column: 17, message: 'invalid catch_up "later"' },
    { line: 25, column: 13, message: 'duplicate node "first"' },
    { line: 29, column: 15, message: 'form "plain" has no outcome field' },
    { line: 37, column: 1, message: 'in another document' },
  ];
  it('puts each problem on the node whose lines hold it', () => {
    const m = parseWorkflow(broken).model!;
    const by = problemsByNode(m, problems);
    expect(by.workflow.map((p) => p.line)).toEqual([6, 10, 37]);
    expect(by.nodes.map((ps) => ps.map((p) => p.line))).toEqual([[], [15, 21, 22, 24], [25, 29]]);
    expect(nodeAtLine(m, 14)).toBe(0);
    expect(nodeAtLine(m, 12)).toBe(-1);
  });
  it('puts a comment line between two nodes on neither', () => {
    const m = parseWorkflow(escalation).model!;
    // line 78 is a comment inside "review"; no gap lines exist between the example's nodes
    expect(nodeAtLine(m, 52)).toBe(0);
    expect(nodeAtLine(m, 53)).toBe(1);
    expect(nodeAtLine(m, 119)).toBe(-1);
  });
});

describe('the docs are tests: the workflow examples of the docs map to the model', () => {
  /** yamlBlocks are the ```yaml blocks of a markdown text that hold a node list or outcomes. */
  function yamlBlocks(md: string): string[] {
    return [...md.matchAll(/```yaml\n([\s\S]*?)```/g)].map((m) => m[1] ?? '');
  }

  it('docs/language.md: the Workflow example', () => {
    const md = readFileSync(resolve(repo, 'docs/language.md'), 'utf8');
    const block = yamlBlocks(md).find((b) => b.includes('kind: Workflow'));
    expect(block).toBeDefined();
    const { model, error } = parseWorkflow(block!);
    expect(error).toBeUndefined();
    const m = model!;
    expect([m.name, m.on, m.start_when, m.stop_when]).toEqual([
      'overdue-escalation',
      'invoice',
      'invoice.balance > 0 && invoice.days_overdue >= 1',
      'invoice.balance <= 0',
    ]);
    expect(m.pause_when).toMatchObject([{ when: 'invoice.disputed', reason: 'dispute' }]);
    const n = m.nodes[0]!;
    expect(n).toMatchObject({ name: 'reminder', when: 'invoice.days_overdue >= 1 && invoice.days_overdue <= 7', after: '3d', catch_up: 'skip', keep_open: false, kind: 'approval' });
    expect(n.task).toMatchObject({ assignee: 'invoice.owner_email', template: 'call-task', form: 'call-outcome', due_in: '2d', sla: { escalate_to: 'sales_manager', notify: 'sla-breach' } });
    expect(n.approval).toMatchObject({ role: 'finance', form: 'escalation-decision', template: 'director-decision' });
    expect(n.approval?.route.map((r) => r.role)).toEqual(['finance_director', 'finance_director']);
    expect(n.outcomes.map((o) => [o.value, o.route, o.target ?? o.until ?? o.reason ?? null, o.record ?? null, o.then.map((a) => a.kind)])).toEqual([
      ['promised', 'wait_until', 'form.promised_date', 'promise', []],
      ['disputed', 'pause', 'dispute', 'dispute', ['set']],
      ['default', 'next', null, null, []],
      ['write_off', 'complete', null, null, ['set']],
      ['continue', 'goto', 'call', null, []],
    ]);
  });

  it('docs/workflows.md: the outcomes that open records', () => {
    const md = readFileSync(resolve(repo, 'docs/workflows.md'), 'utf8');
    const block = yamlBlocks(md).find((b) => b.startsWith('outcomes:'));
    expect(block).toBeDefined();
    const indented = block!.split('\n').map((l) => (l ? `        ${l}` : l)).join('\n');
    const text = `kind: Workflow\nspec:\n  nodes:\n    - name: call\n      task:\n${indented}`;
    const { model, error } = parseWorkflow(text);
    expect(error).toBeUndefined();
    expect(model?.nodes[0]?.outcomes.map((o) => [o.value, o.route, o.record])).toEqual([
      ['promised', 'wait_until', 'promise'],
      ['disputed', 'pause', 'dispute'],
    ]);
  });
});
