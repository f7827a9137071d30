// Undo and redo over one text (the YAML), shared by the graph's edits and
// typing in the editor: both change the same text, so one history covers
// both. Rapid changes of the same group (keystrokes in the editor, or in one
// field of the side panel) coalesce into one step. Pure, with a small hook.
import { useCallback, useReducer } from 'react';

/** TextHistory is the present text with the steps before and after it. */
export interface TextHistory {
  past: string[];
  present: string;
  future: string[];
  /** the group and time of the last change, to coalesce the next one with it. */
  last?: { group: string; at: number };
}

export interface HistoryOptions {
  /** changes of the same group within this many ms form one step (default 800). */
  coalesceMs?: number;
  /** the most steps kept (default 200). */
  limit?: number;
}

export const defaultCoalesceMs = 800;
const defaultLimit = 200;

export function createHistory(text: string): TextHistory {
  return { past: [], present: text, future: [] };
}

/**
 * pushText records text as the present. group names what changed ("text"
 * for typing, "node:call:when" for a field); a change with no group never
 * coalesces. at is the time in ms.
 */
export function pushText(h: TextHistory, text: string, at: number, group?: string, opts: HistoryOptions = {}): TextHistory {
  if (text === h.present) return h;
  const window = opts.coalesceMs ?? defaultCoalesceMs;
  const limit = opts.limit ?? defaultLimit;
  const coalesce = group !== undefined && h.last?.group === group && at - h.last.at <= window && h.past.length > 0;
  const past = coalesce ? h.past : [...h.past, h.present].slice(-limit);
  return { past, present: text, future: [], ...(group !== undefined ? { last: { group, at } } : {}) };
}

export function undoText(h: TextHistory): TextHistory {
  const prev = h.past[h.past.length - 1];
  if (prev === undefined) return h;
  return { past: h.past.slice(0, -1), present: prev, future: [h.present, ...h.future] };
}

export function redoText(h: TextHistory): TextHistory {
  const next = h.future[0];
  if (next === undefined) return h;
  return { past: [...h.past, h.present], present: next, future: h.future.slice(1) };
}

type Action =
  | { type: 'push'; text: string; at: number; group?: string; opts: HistoryOptions }
  | { type: 'undo' }
  | { type: 'redo' }
  | { type: 'reset'; text: string };

function reduce(h: TextHistory, a: Action): TextHistory {
  switch (a.type) {
    case 'push':
      return pushText(h, a.text, a.at, a.group, a.opts);
    case 'undo':
      return undoText(h);
    case 'redo':
      return redoText(h);
    case 'reset':
      return createHistory(a.text);
  }
}

export interface UndoableText {
  text: string;
  /** setText records a change; pass a group to coalesce rapid changes of it. */
  setText: (text: string, group?: string) => void;
  undo: () => void;
  redo: () => void;
  /** reset starts over from text, forgetting the history (another definition loaded). */
  reset: (text: string) => void;
  canUndo: boolean;
  canRedo: boolean;
}

/** useUndoableText holds a text with its undo history. */
export function useUndoableText(initial: string, opts: HistoryOptions = {}): UndoableText {
  const [h, dispatch] = useReducer(reduce, initial, createHistory);
  const { coalesceMs, limit } = opts;
  const setText = useCallback(
    (text: string, group?: string) =>
      dispatch({ type: 'push', text, at: Date.now(), ...(group !== undefined ? { group } : {}), opts: { ...(coalesceMs !== undefined ? { coalesceMs } : {}), ...(limit !== undefined ? { limit } : {}) } }),
    [coalesceMs, limit],
  );
  const undo = useCallback(() => dispatch({ type: 'undo' }), []);
  const redo = useCallback(() => dispatch({ type: 'redo' }), []);
  const reset = useCallback((text: string) => dispatch({ type: 'reset', text }), []);
  return { text: h.present, setText, undo, redo, reset, canUndo: h.past.length > 0, canRedo: h.future.length > 0 };
}
