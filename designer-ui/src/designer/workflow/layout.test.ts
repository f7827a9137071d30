import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { layoutWorkflow, workflowEdges } from './layout';
import { parseWorkflow } from './workflowModel';
import { generatedWorkflow } from './generatedWorkflow';

const repo = resolve(__dirname, '../../../..');
const escalation = parseWorkflow(readFileSync(resolve(repo, 'rules-examples/workflows/escalation.yaml'), 'utf8')).model!;

describe('workflowEdges', () => {
  it('draws the escalation: the schedule, and every outcome as its route goes', () => {
    const { ids, edges } = workflowEdges(escalation);
    expect(ids.map((n) => n.id)).toEqual(['start', 'n0', 'n1', 'n2', 'n3', 'paused', 'end']);
    expect(edges.map((e) => [e.source, e.target, e.kind, e.outcome?.value ?? ''])).toEqual([
      ['start', 'n0', 'start', ''],
      ['n0', 'n1', 'schedule', ''],
      ['n1', 'n2', 'schedule', ''],
      ['n1', 'n1', 'wait_until', 'promised'],
      ['n1', 'paused', 'pause', 'disputed'],
      ['n1', 'n2', 'next', 'default'],
      ['n2', 'n3', 'schedule', ''],
      ['n3', 'end', 'complete', 'legal_action'],
      ['n3', 'paused', 'pause', 'payment_plan'],
      ['n3', 'end', 'complete', 'write_off'],
      ['n3', 'n3', 'wait_until', 'continue'],
    ]);
    expect(new Set(edges.map((e) => e.id)).size).toBe(edges.length);
  });

  it('goto goes to the named node; next from the last node completes; an unknown target draws nothing', () => {
    const m = parseWorkflow(`kind: Workflow
spec:
  nodes:
    - name: a
      when: x
    - name: b
      after: 1d
      task:
        role: r
        outcomes:
          again: {goto: a}
          done: {next: true}
          lost: {goto: nowhere}
`).model!;
    const { ids, edges } = workflowEdges(m);
    expect(ids.map((n) => n.id)).toEqual(['start', 'n0', 'n1', 'end']);
    expect(edges.filter((e) => e.outcome).map((e) => [e.outcome?.value, e.target])).toEqual([
      ['again', 'n0'],
      ['done', 'end'],
    ]);
  });
});

describe('layoutWorkflow', () => {
  it('places the stages left to right without overlap', () => {
    const l = layoutWorkflow(escalation);
    const xs = ['start', 'n0', 'n1', 'n2', 'n3'].map((id) => l.nodes.find((n) => n.id === id)!.x);
    expect([...xs].sort((a, b) => a - b)).toEqual(xs);
    for (const a of l.nodes) {
      for (const b of l.nodes) {
        if (a === b) continue;
        const apart = a.x + a.width <= b.x || b.x + b.width <= a.x || a.y + a.height <= b.y || b.y + b.height <= a.y;
        expect(apart, `${a.id} overlaps ${b.id}`).toBe(true);
      }
    }
    expect(l.width).toBeGreaterThan(0);
  });

  it('places the stages top to bottom for a phone, the end below the last and paused aside, without overlap', () => {
    const l = layoutWorkflow(escalation, { direction: 'TB' });
    const at = (id: string) => l.nodes.find((n) => n.id === id)!;
    const ys = ['start', 'n0', 'n1', 'n2', 'n3'].map((id) => at(id).y);
    expect([...ys].sort((a, b) => a - b)).toEqual(ys);
    expect(new Set(ys).size).toBe(ys.length);
    expect(at('end').y).toBeGreaterThan(at('n3').y);
    expect(at('paused').x).toBeGreaterThanOrEqual(Math.max(...l.nodes.filter((n) => n.id !== 'paused' && n.id !== 'end').map((n) => n.x + n.width)));
    for (const a of l.nodes) {
      for (const b of l.nodes) {
        if (a === b) continue;
        const apart = a.x + a.width <= b.x || b.x + b.width <= a.x || a.y + a.height <= b.y || b.y + b.height <= a.y;
        expect(apart, `${a.id} overlaps ${b.id}`).toBe(true);
      }
    }
    // narrower than tall: what a phone scrolls
    expect(l.height).toBeGreaterThan(l.width);
  });

  it('lays out a 30-node workflow', () => {
    const m = parseWorkflow(generatedWorkflow(30)).model!;
    expect(m.nodes).toHaveLength(30);
    const l = layoutWorkflow(m);
    expect(l.nodes.filter((n) => n.node)).toHaveLength(30);
    expect(l.nodes.every((n) => Number.isFinite(n.x) && Number.isFinite(n.y))).toBe(true);
  });
});
