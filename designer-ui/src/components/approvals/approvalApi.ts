// The approval queue and one approval's detail over the API: the queue in
// keyset pages (oldest first), the task detail (form, options, customer,
// other invoices) and the invoice's whole history (GET /api/invoices/{number}).
import { useInfiniteQuery, useQuery } from '@tanstack/react-query';
import { api, unwrap, type Schemas } from '../../api/client';

export type ApprovalRow = Schemas['Task'];
export type ApprovalDetail = Schemas['TaskDetail'];
export type InvoiceDetail = Schemas['InvoiceDetail'];

export const approvalsKey = ['approvals'] as const;
const pageSize = 50;

export function useApprovalQueue() {
  return useInfiniteQuery({
    queryKey: [...approvalsKey, 'queue'],
    initialPageParam: '',
    queryFn: async ({ pageParam }) => unwrap(await api.GET('/api/approvals', {
      params: { query: { status: 'open', counts: pageParam === '', limit: pageSize, cursor: pageParam || undefined } },
    })),
    getNextPageParam: (last) => last.next_cursor || undefined,
  });
}

export function useApproval(id: number | undefined) {
  return useQuery({
    queryKey: [...approvalsKey, 'detail', id],
    enabled: id !== undefined,
    queryFn: async () => unwrap(await api.GET('/api/tasks/{id}', { params: { path: { id: id ?? 0 } } })),
  });
}

export function useInvoiceHistory(number: string | undefined) {
  return useQuery({
    queryKey: ['invoice', number],
    enabled: !!number,
    queryFn: async () => unwrap(await api.GET('/api/invoices/{number}', { params: { path: { number: number ?? '' } } })),
  });
}
