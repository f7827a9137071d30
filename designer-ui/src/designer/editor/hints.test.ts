import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describeKey, isExpression, keysAt, valuesAt, type JsonSchema } from './schemaHints';
import { describeName, exprCompletions, type Environment } from './exprHints';

// the published schemas and environment, as the server serves them
const workflow = JSON.parse(readFileSync(resolve(process.cwd(), '../engine/schema/workflow.schema.json'), 'utf8')) as JsonSchema;
const env = JSON.parse(readFileSync(resolve(process.cwd(), '../engine/schema/environment.json'), 'utf8')) as Environment;

describe('schema hints', () => {
  it('offers the keys of a workflow node, name first', () => {
    const keys = keysAt(workflow, ['spec', 'nodes', 0]).map((k) => k.key);
    expect(keys[0]).toBe('name');
    expect(keys).toEqual(expect.arrayContaining(['when', 'task', 'approval', 'actions', 'catch_up', 'title']));
  });
  it('offers the document keys and spec keys', () => {
    expect(keysAt(workflow, []).map((k) => k.key)).toEqual(expect.arrayContaining(['apiVersion', 'kind', 'metadata', 'spec']));
    expect(keysAt(workflow, ['spec']).map((k) => k.key)).toEqual(expect.arrayContaining(['nodes', 'stop_when', 'pause_when']));
  });
  it('offers enum values and knows expressions', () => {
    expect(valuesAt(workflow, ['spec', 'nodes', 0], 'catch_up')).toEqual(['skip', 'fire']);
    expect(valuesAt(workflow, [], 'kind')).toEqual(['Workflow']);
    expect(isExpression(workflow, ['spec', 'nodes', 0], 'when')).toBe(true);
    expect(isExpression(workflow, ['spec', 'nodes', 0], 'name')).toBe(false);
    expect(describeKey(workflow, ['spec', 'nodes', 0], 'after')).toContain('duration');
  });
  it('follows outcomes (a map of routes) and flow actions', () => {
    expect(keysAt(workflow, ['spec', 'nodes', 0, 'task', 'outcomes', 'promised']).map((k) => k.key)).toEqual(expect.arrayContaining(['wait_until', 'next', 'pause']));
    expect(valuesAt(workflow, ['spec', 'nodes', 0, 'actions', 0, 'notify'], 'channel').length).toBeGreaterThan(1);
  });
});

describe('expression hints', () => {
  it('completes roots and functions', () => {
    const r = exprCompletions(env, 'invoice.balance > 0 && cu');
    expect(r?.replace).toBe(2);
    expect(r?.options.map((o) => o.label)).toEqual(['customer']);
    expect(exprCompletions(env, 'add')?.options[0]).toMatchObject({ label: 'addDays', type: 'function', apply: 'addDays(' });
  });
  it('completes fields after a dot, with their type and doc', () => {
    const r = exprCompletions(env, 'invoice.days_');
    expect(r?.options.map((o) => o.label)).toEqual(['days_overdue', 'days_until_due']);
    expect(exprCompletions(env, 'invoice.plan.')?.options.map((o) => o.label)).toContain('next_due');
    expect(exprCompletions(env, '{{ .customer.na')?.options.map((o) => o.label)).toEqual(['name']);
    expect(exprCompletions(env, 'invoice.amout.')).toBeUndefined();
  });
  it('describes names', () => {
    expect(describeName(env, 'invoice.balance')?.title).toBe('invoice.balance: money');
    expect(describeName(env, 'addDays')?.title).toContain('addDays(');
    expect(describeName(env, 'invoice.nope')).toBeUndefined();
  });
});
