import { describe, expect, it } from 'vitest';
import { act, renderHook } from '@testing-library/react';
import { createHistory, pushText, redoText, undoText, useUndoableText } from './textHistory';

describe('text history', () => {
  it('undoes and redoes one step at a time', () => {
    let h = createHistory('a');
    h = pushText(h, 'b', 0);
    h = pushText(h, 'c', 10);
    expect(h.present).toBe('c');
    h = undoText(h);
    expect(h.present).toBe('b');
    h = undoText(h);
    expect(h.present).toBe('a');
    expect(undoText(h)).toBe(h);
    h = redoText(h);
    h = redoText(h);
    expect(h.present).toBe('c');
    expect(redoText(h)).toBe(h);
  });

  it('coalesces rapid typing of one group into one step', () => {
    let h = createHistory('');
    for (const [i, t] of ['i', 'in', 'inv', 'invo'].entries()) h = pushText(h, t, i * 100, 'text');
    expect(h.past).toEqual(['']);
    h = undoText(h);
    expect(h.present).toBe('');
  });

  it('starts a new step after a pause, or when the group changes', () => {
    let h = createHistory('');
    h = pushText(h, 'a', 0, 'text');
    h = pushText(h, 'ab', 100, 'text');
    h = pushText(h, 'abc', 2000, 'text'); // a pause
    h = pushText(h, 'abcd', 2100, 'node:call:when'); // a field in the side panel
    h = pushText(h, 'abcde', 2200, 'node:call:when');
    h = pushText(h, 'abcdef', 2300, 'text');
    expect(h.past).toEqual(['', 'ab', 'abc', 'abcde']);
  });

  it('never coalesces a change without a group (a node added, removed)', () => {
    let h = createHistory('a');
    h = pushText(h, 'b', 0);
    h = pushText(h, 'c', 1);
    expect(h.past).toEqual(['a', 'b']);
  });

  it('a new change after an undo drops the redo steps, and does not coalesce into the undone step', () => {
    let h = createHistory('');
    h = pushText(h, 'a', 0, 'text');
    h = pushText(h, 'x', 5000, 'text');
    h = undoText(h);
    h = pushText(h, 'ab', 5100, 'text');
    expect(h.future).toEqual([]);
    expect(h.past).toEqual(['', 'a']);
  });

  it('ignores a change to the same text, and keeps at most limit steps', () => {
    let h = createHistory('a');
    expect(pushText(h, 'a', 0)).toBe(h);
    for (let i = 0; i < 10; i++) h = pushText(h, String(i), i, undefined, { limit: 3 });
    expect(h.past).toEqual(['6', '7', '8']);
  });

  it('useUndoableText shares one history between typing and graph edits', () => {
    const { result } = renderHook(() => useUndoableText('v0'));
    act(() => result.current.setText('v1', 'text'));
    act(() => result.current.setText('v2')); // a graph edit
    expect(result.current.text).toBe('v2');
    expect(result.current.canUndo).toBe(true);
    act(() => result.current.undo());
    expect(result.current.text).toBe('v1');
    expect(result.current.canRedo).toBe(true);
    act(() => result.current.redo());
    expect(result.current.text).toBe('v2');
    act(() => result.current.reset('other'));
    expect([result.current.text, result.current.canUndo, result.current.canRedo]).toEqual(['other', false, false]);
  });
});
