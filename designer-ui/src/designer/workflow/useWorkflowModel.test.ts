import { describe, expect, it } from 'vitest';
import { renderHook } from '@testing-library/react';
import { useWorkflowModel } from './useWorkflowModel';

describe('useWorkflowModel', () => {
  it('keeps the last good model while the text does not parse', () => {
    const good = 'kind: Workflow\nspec:\n  nodes:\n    - name: a\n      when: x\n';
    const { result, rerender } = renderHook(({ text }) => useWorkflowModel(text), { initialProps: { text: good } });
    const first = result.current.model;
    expect(first?.nodes.map((n) => n.name)).toEqual(['a']);
    rerender({ text: good + '    - name: [b\n' });
    expect(result.current.model).toBe(first);
    expect(result.current.error?.line).toBeGreaterThan(0);
    rerender({ text: good + '    - name: b\n      after: 1d\n' });
    expect(result.current.error).toBeUndefined();
    expect(result.current.model?.nodes.map((n) => n.name)).toEqual(['a', 'b']);
  });
});
