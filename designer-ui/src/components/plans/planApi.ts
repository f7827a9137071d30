// Payment plans over the API: the server's preview of a schedule (nothing
// saved; debounced while the user types), creating and cancelling a plan.
// The browser computes no schedule itself: the preview is exactly what the
// server will write.
import { useEffect, useRef, useState } from 'react';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { api, unwrap, type Schemas } from '../../api/client';

export type Plan = Schemas['Plan'];
export type PlanPreviewData = Schemas['PlanPreview'];
export type PlanRequest = Schemas['PlanRequest'];

/** What a preview asks for: equal monthly installments of the invoices' balance. */
export interface PreviewQuery {
  invoices: string[];
  count: number;
  first_due: string;
  every_months?: number;
}

/** useDebounced is value once it has stopped changing for ms. */
export function useDebounced<T>(value: T, ms: number): T {
  const [v, setV] = useState(value);
  const latest = useRef(value);
  latest.current = value;
  // Compared by content: a parent building an equal object each render does not restart the wait.
  const key = JSON.stringify(value) ?? '';
  useEffect(() => {
    const h = setTimeout(() => setV(latest.current), ms);
    return () => clearTimeout(h);
  }, [key, ms]);
  return v;
}

/** usePlanPreview asks the server for the schedule (debounced); undefined asks nothing. */
export function usePlanPreview(query: PreviewQuery | undefined, ms = 400) {
  const q = useDebounced(query, ms);
  const settled = JSON.stringify(q) === JSON.stringify(query);
  const res = useQuery({
    queryKey: ['plans', 'preview', q],
    queryFn: async () => unwrap(await api.POST('/api/payment-plans/preview', { body: q as PreviewQuery })),
    enabled: q !== undefined,
    placeholderData: keepPreviousData,
    retry: false,
    staleTime: 60_000,
  });
  return { ...res, settled };
}

/**
 * planFromDecision reads the escalation decision's form values (as
 * FormRenderer would submit them): a payment plan with its number of
 * installments and first due date, or undefined while it is not one.
 */
export function planFromDecision(values: Record<string, unknown>, invoice: string | undefined): PreviewQuery | undefined {
  if (!invoice || values.decision !== 'payment_plan') return undefined;
  const count = values.installments;
  const first = values.first_installment_date;
  if (typeof count !== 'number' || !Number.isInteger(count) || count < 1) return undefined;
  if (typeof first !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(first)) return undefined;
  return { invoices: [invoice], count, first_due: first };
}

/** newPlanKey is a fresh idempotency key for one create dialog (a retry sends the same). */
export function newPlanKey(invoice: string): string {
  const rnd = typeof crypto !== 'undefined' && 'randomUUID' in crypto ? crypto.randomUUID() : `${Date.now()}-${Math.random().toString(36).slice(2)}`;
  return `ui-${invoice}-${rnd}`;
}
