import { useMemo, useRef } from 'react';
import { parseWorkflow, type ParseResult } from './workflowModel';

/**
 * useWorkflowModel derives the model from the YAML text as it is typed,
 * keeping the last good model while the text does not parse (error says why).
 */
export function useWorkflowModel(text: string): ParseResult {
  const last = useRef<ParseResult['model']>(null);
  return useMemo(() => {
    const r = parseWorkflow(text, last.current);
    if (!r.error) last.current = r.model;
    return r;
  }, [text]);
}
