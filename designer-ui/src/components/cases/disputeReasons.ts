// The company's dispute reasons (GET /api/dispute-reasons), read by the
// dispute dialog (the active ones), the invoice's dispute list (labels,
// retired reasons included: the disputes that gave them keep them) and the
// admin's settings page, which changes them. One query for all three.
import { useQuery } from '@tanstack/react-query';
import { api, unwrap, type Schemas } from '../../api/client';

export type DisputeReason = Schemas['DisputeReason'];

/** disputeReasonsKey is the query of the whole list; invalidate it after a change. */
export const disputeReasonsKey = ['dispute-reasons'] as const;

/** fetchDisputeReasons reads the whole list, retired reasons marked. */
export async function fetchDisputeReasons(): Promise<DisputeReason[]> {
  return unwrap(await api.GET('/api/dispute-reasons', { params: { query: { include_retired: true } } }));
}

/** useDisputeReasons is the whole list (retired reasons too), in the order a form offers it. */
export function useDisputeReasons(): DisputeReason[] {
  const q = useQuery({ queryKey: disputeReasonsKey, queryFn: fetchDisputeReasons, staleTime: 60_000 });
  return q.data ?? [];
}

/** activeReasons are the reasons a new dispute may give. */
export function activeReasons(reasons: readonly DisputeReason[]): DisputeReason[] {
  return reasons.filter((r) => !r.retired);
}

/** reasonLabel is a reason code's label in the language (the code when the list does not have it). */
export function reasonLabel(reasons: readonly DisputeReason[], code: string, lang: string): string {
  const r = reasons.find((x) => x.code === code);
  if (!r) return code;
  return lang === 'zh-CN' ? r['zh-CN'] : r.en;
}
