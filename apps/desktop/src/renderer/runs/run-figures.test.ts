import { describe, expect, it } from 'vitest';
import { countBasisOf } from './run-figures.ts';

describe('what a run’s count rests on', () => {
  it('tells an estimate the operator confirmed from the exact count the run made before writing', () => {
    const basis = countBasisOf({
      context: {
        confirmed: { affected_count: 7480, margin: 112, estimate: true },
        preflight: { affected_count: 7502 },
        start_check: { state: 'passed', found: 7502 },
      },
    });
    expect(basis).toEqual({
      confirmed: 'about 7,480 ± 112 records (an estimate, 95% within the margin)',
      counted: '7,502 records, counted exactly before the first write (within the estimate’s margin)',
    });
  });

  it('says when the exact count is still running, and when it refused to write', () => {
    const confirmed = { affected_count: 120, margin: 0, estimate: false };
    expect(countBasisOf({ context: { confirmed, start_check: { state: 'counting' } } }).counted).toBe(
      'Counting exactly before the first write…',
    );
    const refused = countBasisOf({ context: { confirmed, start_check: { state: 'refused', found: 4 } } });
    expect(refused.confirmed).toBe('120 records (an exact count)');
    expect(refused.counted).toBe(
      '4 records, counted exactly before the first write: not what was confirmed, so nothing was written',
    );
  });

  it('tells exec and schedule runs as they started: an exact preflight, or only that work exists', () => {
    expect(countBasisOf({ context: { preflight: { affected_count: 5815 } } })).toEqual({
      confirmed: null,
      counted: '5,815 records to change when it started (an exact count)',
    });
    expect(countBasisOf({ context: { preflight: { affected_at_least: 1 } } }).counted).toMatch(
      /^Work was found when it started/,
    );
  });
});
