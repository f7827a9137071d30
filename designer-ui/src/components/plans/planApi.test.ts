import { describe, expect, it } from 'vitest';
import { planFromDecision } from './planApi';

describe('planFromDecision', () => {
  const inv = 'INV-1';
  it.each([
    ['a complete payment plan', { decision: 'payment_plan', installments: 3, first_installment_date: '2027-01-15' }, { invoices: [inv], count: 3, first_due: '2027-01-15' }],
    ['another decision', { decision: 'write_off', installments: 3, first_installment_date: '2027-01-15' }, undefined],
    ['no number yet', { decision: 'payment_plan', first_installment_date: '2027-01-15' }, undefined],
    ['a number being typed', { decision: 'payment_plan', installments: 'thr', first_installment_date: '2027-01-15' }, undefined],
    ['a fraction', { decision: 'payment_plan', installments: 2.5, first_installment_date: '2027-01-15' }, undefined],
    ['no date yet', { decision: 'payment_plan', installments: 3 }, undefined],
    ['half a date', { decision: 'payment_plan', installments: 3, first_installment_date: '2027-01' }, undefined],
  ])('%s', (_, values, want) => {
    expect(planFromDecision(values, inv)).toEqual(want);
  });
  it('needs the invoice', () => {
    expect(planFromDecision({ decision: 'payment_plan', installments: 3, first_installment_date: '2027-01-15' }, undefined)).toBeUndefined();
  });
});
