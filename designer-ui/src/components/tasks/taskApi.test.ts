import { describe, expect, it } from 'vitest';
import { countOf, loadOrder, nextInOrder, saveOrder } from './taskApi';

describe('the list order', () => {
  const order = { from: '/inbox?view=overdue', ids: [5, 3, 9, 1] };
  it('gives the task after the one completed, skipping those done', () => {
    expect(nextInOrder(order, 5)).toBe(3);
    expect(nextInOrder(order, 3, new Set([9]))).toBe(1);
    expect(nextInOrder(order, 1)).toBeUndefined();
    expect(nextInOrder(undefined, 1)).toBeUndefined();
    // a task not in the list (opened by link): the list from its start
    expect(nextInOrder(order, 42)).toBe(5);
  });
  it('comes from navigation state, else from the tab', () => {
    expect(loadOrder({ order })).toEqual(order);
    saveOrder({ from: '/queue', ids: [2] });
    expect(loadOrder(null)).toEqual({ from: '/queue', ids: [2] });
    expect(loadOrder({ order: { from: 1 } })).toEqual({ from: '/queue', ids: [2] });
  });
  it('reads each view\'s count', () => {
    const c = { open: 10, due_today: 2, overdue: 5, promises: 1, waiting: 3 };
    expect(countOf(c, 'today')).toBe(2);
    expect(countOf(c, 'waiting')).toBe(3);
    expect(countOf(undefined, 'open')).toBeUndefined();
  });
});
