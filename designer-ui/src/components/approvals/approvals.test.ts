import { describe, expect, it } from 'vitest';
import { optionsOf } from './DecisionPanel';
import { promisesMade } from './ApprovalDetail';
import type { ApprovalDetail, InvoiceDetail } from './approvalApi';
import type { FormDefinition } from '../formDefinition';

const task: ApprovalDetail = {
  id: 4, key: 'k', kind: 'approval', title: 'Decide', status: 'open', overdue: false, created_at: '2026-12-06T22:01:34Z',
};

const def: FormDefinition = {
  fields: [
    { name: 'decision', type: 'enum', options: [{ value: 'continue', label: { en: 'Continue collecting', 'zh-CN': '继续催收' } }, { value: 'write_off', label: 'Write off' }] },
    { name: 'comment', type: 'text' },
  ],
};

describe('approval decision options', () => {
  it("are the API's options when it gives them", () => {
    const options = [{ value: 'continue', label: { en: 'Continue' }, effects: [{ kind: 'goto' as const, node: 'call' }] }];
    expect(optionsOf({ ...task, options }, def)).toEqual(options);
  });
  it("fall back to the outcome field's labels, without effects", () => {
    expect(optionsOf(task, def)).toEqual([
      { value: 'continue', label: { en: 'Continue collecting', 'zh-CN': '继续催收' }, effects: [] },
      { value: 'write_off', label: { en: 'Write off' }, effects: [] },
    ]);
    expect(optionsOf(task, undefined)).toEqual([]);
  });
});

describe('promises made', () => {
  it('reads promises from completed tasks in the activity', () => {
    const inv: { activity: InvoiceDetail['activity'] } = {
      activity: [
        { at: '2026-11-01T10:00:00+08:00', actor: 'rep1@x', actor_name: 'Rep One', action: 'task.completed', entity: 'task', detail: { values: { outcome: 'promised', promised_date: '2026-11-15', promised_amount: '500.00' } } },
        { at: '2026-11-02T10:00:00+08:00', actor: 'rep1@x', action: 'task.completed', entity: 'task', detail: { values: { outcome: 'no_answer' } } },
        { at: '2026-11-03T10:00:00+08:00', actor: 'rep1@x', action: 'task.comment', entity: 'task', detail: { text: 'hi' } },
      ],
    };
    expect(promisesMade(inv)).toEqual([
      { at: '2026-11-01T10:00:00+08:00', who: 'Rep One', date: '2026-11-15', amount: '500.00' },
    ]);
    expect(promisesMade(undefined)).toEqual([]);
  });
});
