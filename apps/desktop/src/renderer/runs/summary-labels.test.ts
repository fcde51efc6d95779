import { describe, expect, it } from 'vitest';
import { summaryEntries, summaryLabel, summaryValue } from './summary-labels.ts';

describe('summary figures in operator words', () => {
  it('lists core figures first, then the runbook’s declared ones, and nothing else', () => {
    const figures = { duplicates_found: 3, affected_count: 5815, total_scanned: 12000, secret: 1, note: 'x' };
    expect(summaryEntries(figures, ['duplicates_found'])).toEqual([
      ['affected_count', 5815],
      ['total_scanned', 12000],
      ['duplicates_found', 3],
    ]);
  });

  it('labels core keys as operators say them and puts declared keys into words', () => {
    expect(summaryLabel('updated_count')).toBe('Updated');
    expect(summaryLabel('archived_count')).toBe('Archived');
    expect(summaryLabel('duplicates_found')).toBe('Duplicates found');
    expect(summaryValue('updated_count', 5815)).toBe('5,815');
  });
});
