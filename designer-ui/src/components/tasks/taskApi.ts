// The task lists' server state: one page of GET /api/tasks at a time
// (keyset cursor), the views' counts, and the order of the list a task was
// opened from (so that completing it opens the next one).
import { useInfiniteQuery, useQuery } from '@tanstack/react-query';
import { api, unwrap, type Schemas } from '../../api/client';
import type { paths } from '../../api/schema.gen';

export type Task = Schemas['Task'];
export type TaskDetail = Schemas['TaskDetail'];
export type PriorityReason = Schemas['PriorityReason'];
export type InboxCounts = Schemas['InboxCounts'];
export type TaskQuery = NonNullable<paths['/api/tasks']['get']['parameters']['query']>;
export type View = NonNullable<TaskQuery['view']>;

export const views: readonly View[] = ['open', 'today', 'overdue', 'promises', 'waiting'];

export function isView(v: string | null): v is View {
  return v !== null && (views as readonly string[]).includes(v);
}

/** countOf is a view's count in the counts answer. */
export function countOf(c: InboxCounts | undefined, v: View): number | undefined {
  if (!c) return undefined;
  switch (v) {
    case 'open': return c.open;
    case 'today': return c.due_today;
    case 'overdue': return c.overdue;
    case 'promises': return c.promises;
    case 'waiting': return c.waiting;
  }
}

export const tasksKey = ['tasks'] as const;
const pageSize = 50;

/** useTaskPages pages through the tasks a query selects, highest priority first. */
export function useTaskPages(query: Omit<TaskQuery, 'cursor' | 'counts' | 'limit'>) {
  return useInfiniteQuery({
    queryKey: [...tasksKey, 'list', query],
    initialPageParam: '',
    queryFn: async ({ pageParam }) => unwrap(await api.GET('/api/tasks', {
      params: { query: { ...query, limit: pageSize, ...(pageParam ? { cursor: pageParam } : {}) } },
    })),
    getNextPageParam: (last) => last.next_cursor || undefined,
  });
}

/** useTaskCounts asks for the views' counts (one small extra query). */
export function useTaskCounts(query: Omit<TaskQuery, 'cursor' | 'counts' | 'limit' | 'view'>) {
  return useQuery({
    queryKey: [...tasksKey, 'counts', query],
    queryFn: async () => unwrap(await api.GET('/api/tasks', { params: { query: { ...query, counts: true, limit: 1 } } })).counts,
    staleTime: 30_000,
  });
}

/** TaskOrder is the list a task was opened from: where it is and the tasks in it, in order. */
export interface TaskOrder {
  from: string;
  ids: number[];
}

const orderKey = 'recoup.taskOrder';

/** saveOrder remembers the list's order for this tab (it survives a reload of the task page). */
export function saveOrder(order: TaskOrder): void {
  try {
    sessionStorage.setItem(orderKey, JSON.stringify(order));
  } catch {
    // not remembered; navigation state still carries it
  }
}

function isOrder(v: unknown): v is TaskOrder {
  if (typeof v !== 'object' || v === null) return false;
  const o = v as Record<string, unknown>;
  return typeof o.from === 'string' && Array.isArray(o.ids) && o.ids.every((x) => typeof x === 'number');
}

/** loadOrder reads the order from navigation state, else from this tab's memory. */
export function loadOrder(state: unknown): TaskOrder | undefined {
  if (typeof state === 'object' && state !== null && 'order' in state) {
    const o = (state as { order: unknown }).order;
    if (isOrder(o)) return o;
  }
  try {
    const raw = sessionStorage.getItem(orderKey);
    const v: unknown = raw ? JSON.parse(raw) : undefined;
    return isOrder(v) ? v : undefined;
  } catch {
    return undefined;
  }
}

/** nextInOrder is the task after id in the list (skipping those done), or undefined at its end. */
export function nextInOrder(order: TaskOrder | undefined, id: number, done: ReadonlySet<number> = new Set()): number | undefined {
  if (!order) return undefined;
  const i = order.ids.indexOf(id);
  for (let j = i + 1; j < order.ids.length; j++) {
    const n = order.ids[j];
    if (n !== undefined && n !== id && !done.has(n)) return n;
  }
  return undefined;
}
