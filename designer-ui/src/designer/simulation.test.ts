import { describe, expect, it } from 'vitest';
import { addDays, daysBetween, positionsOnDay, stageTimeline, workflowName, workflowNodes, type Simulation } from './simulation';
import { simulation } from './simulation.fixture';

describe('positionsOnDay', () => {
  it('places each invoice in its node after the day\'s tick', () => {
    expect(positionsOnDay(simulation, '2026-12-01')).toEqual({
      decision: ['INV-0000002'],
      reminder: ['INV-0000036', 'INV-0000041', 'INV-0000042', 'INV-0000043'],
    });
  });
  it('keeps a day without effects as the last day with some left it', () => {
    expect(positionsOnDay(simulation, '2026-12-03')).toEqual(positionsOnDay(simulation, '2026-12-01'));
  });
  it('takes a stopped invoice out (paid in full on day 5)', () => {
    expect(positionsOnDay(simulation, '2026-12-05').reminder).toEqual(['INV-0000036', 'INV-0000041', 'INV-0000042']);
  });
  it('moves on a node completed and the next entered the same day', () => {
    expect(positionsOnDay(simulation, '2026-12-08')).toEqual({
      call: ['INV-0000036', 'INV-0000041', 'INV-0000042'],
      decision: ['INV-0000002'],
    });
  });
  it('keeps a waiting (promised) and a paused (disputed) invoice in their node', () => {
    expect(positionsOnDay(simulation, '2026-12-16')).toEqual({
      call: ['INV-0000041', 'INV-0000042'],
      review: ['INV-0000036'],
      decision: ['INV-0000002'],
    });
    expect(positionsOnDay(simulation, '2026-12-21').review).toEqual(['INV-0000036', 'INV-0000041']);
  });
  it('is empty before the first day and at the end has everyone where they stopped', () => {
    expect(positionsOnDay(simulation, '2026-11-30')).toEqual({});
    expect(positionsOnDay(simulation, '2027-01-29')).toEqual({
      call: ['INV-0000042'],
      review: ['INV-0000041'],
      decision: ['INV-0000002', 'INV-0000036'],
    });
  });
  it('takes an invoice out when its run completes, and filters by workflow', () => {
    const sim: Simulation = {
      from: '2026-12-01', to: '2026-12-03', totals: {},
      days: [
        { date: '2026-12-01', effects: [
          { invoice: 'A', kind: 'node', rule: 'w/x', workflow: 'w', node: 'x', event: 'entered' },
          { invoice: 'A', kind: 'node', rule: 'v/x', workflow: 'v', node: 'x', event: 'entered' },
        ] },
        { date: '2026-12-02', effects: [
          { invoice: 'A', kind: 'node', rule: 'w/x', workflow: 'w', node: 'x', event: 'completed' },
          { invoice: 'A', kind: 'node', rule: 'w/x', workflow: 'w', node: 'x', event: 'completed', reason: 'outcome legal_action' },
        ] },
      ],
    };
    expect(positionsOnDay(sim, '2026-12-01', 'w')).toEqual({ x: ['A'] });
    expect(positionsOnDay(sim, '2026-12-02', 'w')).toEqual({});
    expect(positionsOnDay(sim, '2026-12-02')).toEqual({ x: ['A'] });
  });
});

describe('stageTimeline', () => {
  it('gives each invoice its stretches per node and state', () => {
    const tl = stageTimeline(simulation);
    expect(tl.map((r) => r.invoice)).toEqual(['INV-0000002', 'INV-0000036', 'INV-0000041', 'INV-0000042', 'INV-0000043']);
    const of = (inv: string) => tl.find((r) => r.invoice === inv)?.segments.map((s) => `${s.node}:${s.status} ${s.from}..${s.to} ${s.days}`);
    expect(of('INV-0000041')).toEqual([
      'reminder:running 2026-12-01..2026-12-07 7',
      'call:running 2026-12-08..2026-12-09 2',
      'call:waiting 2026-12-10..2026-12-20 11',
      'review:running 2026-12-21..2027-01-29 40',
    ]);
    expect(of('INV-0000042')).toEqual([
      'reminder:running 2026-12-01..2026-12-07 7',
      'call:running 2026-12-08..2026-12-11 4',
      'call:paused 2026-12-12..2027-01-29 49',
    ]);
    expect(of('INV-0000043')).toEqual(['reminder:running 2026-12-01..2026-12-04 4']);
    expect(of('INV-0000002')).toEqual(['decision:running 2026-12-01..2027-01-29 60']);
  });
});

describe('dates', () => {
  it('adds days across months and years', () => {
    expect(addDays('2026-12-31', 1)).toBe('2027-01-01');
    expect(addDays('2026-12-01', 60)).toBe('2027-01-30');
    expect(daysBetween('2026-12-01', '2027-01-29')).toBe(59);
  });
});

describe('workflowNodes', () => {
  it('lists the nodes with the form of their task or approval', () => {
    const yaml = `apiVersion: recoup/v1
kind: Workflow
metadata:
  name: overdue-escalation
spec:
  nodes:
    - name: reminder
      actions: []
    - name: call
      task:
        form: call-outcome # the rep's outcome
    - name: decision
      approval: {role: finance_director, form: escalation-decision}
`;
    expect(workflowNodes(yaml)).toEqual([
      { name: 'reminder' },
      { name: 'call', answer: 'task', form: 'call-outcome' },
      { name: 'decision', answer: 'approval', form: 'escalation-decision' },
    ]);
    expect(workflowName(yaml)).toBe('overdue-escalation');
  });
  it('has none while the text does not parse', () => {
    expect(workflowNodes('spec: [nodes')).toEqual([]);
    expect(workflowName('spec: [nodes')).toBeUndefined();
  });
});
