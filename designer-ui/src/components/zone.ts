// The company's zone, as the server writes it into instants.

/**
 * zoneOfInstant is an IANA zone for the offset an RFC 3339 instant was
 * written with ("…+08:00" → "Etc/GMT-8"): the server writes instants in the
 * company's zone. Whole hours only; undefined otherwise (then the browser's
 * zone is used).
 */
export function zoneOfInstant(at: string): string | undefined {
  const m = /([+-])(\d{2}):(\d{2})$/.exec(at);
  // "Z" says nothing of the company's zone: the browser's is the better guess
  if (!m || m[3] !== '00') return undefined;
  const h = Number(m[2]);
  if (h === 0) return 'UTC';
  return `Etc/GMT${m[1] === '+' ? '-' : '+'}${h}`;
}
