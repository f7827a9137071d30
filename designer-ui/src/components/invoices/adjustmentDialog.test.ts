import { describe, expect, it } from 'vitest';
import { fieldOf, suggestKey } from './AdjustmentDialog';

describe('adjustment dialog', () => {
  it('maps the server\'s field names (and JSON pointers) to its fields', () => {
    const cases: [string, ReturnType<typeof fieldOf>][] = [
      ['amount', 'amount'], ['/amount_minor', 'amount'], ['amount_minor', 'amount'], ['reason', 'reason'], ['/reason', 'reason'],
      ['key', 'key'], ['kind', 'kind'], ['effective_date', 'date'], ['/effective_date', 'date'], ['currency', 'currency'], ['invoice', undefined], ['', undefined],
    ];
    for (const [name, want] of cases) expect(fieldOf(name), name).toBe(want);
  });

  it('suggests a reference per kind, invoice and time, different each time', () => {
    const at = new Date(2026, 11, 7, 9, 5, 3);
    expect(suggestKey('credit_note', 'INV/2026/1', at)).toMatch(/^CN-INV\/2026\/1-20261207-090503-[0-9A-Z]{3}$/);
    expect(suggestKey('write_off', 'X', at)).toMatch(/^WO-X-/);
    expect(suggestKey('settlement', 'X', at)).toMatch(/^ST-X-/);
    const many = new Set(Array.from({ length: 50 }, () => suggestKey('credit_note', 'X', at)));
    expect(many.size).toBeGreaterThan(40);
  });
});
