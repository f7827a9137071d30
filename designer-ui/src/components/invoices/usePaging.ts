import { useCallback, useState } from 'react';

/**
 * usePaging keeps the cursors of the pages seen so far for keyset paging;
 * it starts again at the first page whenever resetKey changes (new filters).
 */
export function usePaging(resetKey: string) {
  const [state, setState] = useState<{ key: string; stack: string[] }>({ key: resetKey, stack: [''] });
  const stack = state.key === resetKey ? state.stack : [''];
  if (state.key !== resetKey) setState({ key: resetKey, stack: [''] });
  const cursor = stack[stack.length - 1] || undefined;
  const next = useCallback((c: string) => setState((s) => ({ key: resetKey, stack: [...(s.key === resetKey ? s.stack : ['']), c] })), [resetKey]);
  const prev = useCallback(() => setState((s) => ({ key: resetKey, stack: s.stack.length > 1 ? s.stack.slice(0, -1) : [''] })), [resetKey]);
  const first = useCallback(() => setState({ key: resetKey, stack: [''] }), [resetKey]);
  return { cursor, page: stack.length, hasPrev: stack.length > 1, next, prev, first };
}
