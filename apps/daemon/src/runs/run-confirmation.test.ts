import { describe, expect, it } from 'vitest';
import { confirmationOf, describeConfirmation, refusalOf } from './run-confirmation.ts';

const found = (affected_count: number) => ({ affected_count, total_scanned: 1000 });

describe('what a run may write on, given what the operator confirmed', () => {
  it('takes an exact count only when the run counts the same', () => {
    const exact = confirmationOf(120, undefined);
    expect(exact).toEqual({ affected_count: 120, margin: 0, estimate: false });
    expect(refusalOf(exact, found(120))).toBeNull();
    expect(refusalOf(exact, found(121))).toBe(
      'the data changed since your preflight: you confirmed 120 records to change, the run counted 121; nothing was written — run preflight again',
    );
  });

  it('takes an estimate when the exact count is within its margin, both ends included', () => {
    const estimate = confirmationOf(1200, 40);
    expect(describeConfirmation(estimate)).toBe('about 1,200 ± 40 (estimate)');
    for (const n of [1160, 1200, 1240]) expect(refusalOf(estimate, found(n))).toBeNull();
    for (const n of [1159, 1241])
      expect(refusalOf(estimate, found(n))).toMatch(/the run counted 1,(159|241)/);
  });

  it('never takes 0 as work, whatever the margin', () => {
    expect(refusalOf(confirmationOf(10, 20), found(0))).toMatch(/now there are none; nothing was written/);
    expect(confirmationOf(50, 0)).toEqual({ affected_count: 50, margin: 0, estimate: false });
  });
});
