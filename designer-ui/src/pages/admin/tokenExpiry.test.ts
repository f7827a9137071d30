import { describe, expect, it } from 'vitest';
import { daysLeft } from './TokensPage';

const now = Date.parse('2026-11-02T02:00:00Z');
const day = 86_400_000;
const at = (ms: number) => new Date(now + ms).toISOString();

describe('daysLeft', () => {
  it.each([
    ['90 days left: no warning', at(90 * day), undefined, undefined],
    ['exactly 14 days: no warning', at(14 * day), undefined, undefined],
    ['13 days and a bit: 14', at(13 * day + 1000), undefined, 14],
    ['issued for 10 days, a minute ago', at(10 * day - 60_000), undefined, 10],
    ['one day', at(day), undefined, 1],
    ['an hour: within a day', at(3_600_000), undefined, 0],
    ['expired: the expired tag instead', at(-1000), undefined, undefined],
    ['revoked: no warning', at(3 * day), '2026-11-01T00:00:00Z', undefined],
  ])('%s', (_, expires_at, revoked_at, want) => {
    expect(daysLeft({ expires_at, revoked_at }, now)).toBe(want);
  });
});
