// Every user and every API token, following the lists' pages (100 at a
// time by default): the admin screens list and pick from all of them.
import { api, unwrap, type Schemas } from './client';

type Page<T> = { items: T[]; next_cursor?: string };

/** allPages follows next_cursor from the first page to the last. */
async function allPages<T>(page: (cursor: string | undefined) => Promise<Page<T>>): Promise<{ items: T[] }> {
  const items: T[] = [];
  let cursor: string | undefined;
  do {
    const p = await page(cursor);
    items.push(...p.items);
    cursor = p.next_cursor;
  } while (cursor);
  return { items };
}

export function fetchAllUsers(): Promise<{ items: Schemas['UserInfo'][] }> {
  return allPages(async (cursor) => unwrap(await api.GET('/api/users', { params: { query: { limit: 500, cursor } } })));
}

export function fetchAllTokens(): Promise<{ items: Schemas['APIToken'][] }> {
  return allPages(async (cursor) => unwrap(await api.GET('/api/tokens', { params: { query: { limit: 500, cursor } } })));
}
