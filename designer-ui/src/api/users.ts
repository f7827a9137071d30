// Every user, following GET /api/users' pages (100 at a time by default):
// the admin screens list and pick from all of them.
import { api, unwrap, type Schemas } from './client';

export async function fetchAllUsers(): Promise<{ items: Schemas['UserInfo'][] }> {
  const items: Schemas['UserInfo'][] = [];
  let cursor: string | undefined;
  do {
    const page = unwrap(await api.GET('/api/users', { params: { query: { limit: 500, cursor } } }));
    items.push(...page.items);
    cursor = page.next_cursor;
  } while (cursor);
  return { items };
}
