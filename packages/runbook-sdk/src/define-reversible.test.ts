import { describe, expect, it } from 'vitest';
import { definitionProblems } from './define.ts';

const base = {
  id: 'acme.reversible',
  version: '1.0.0',
  title: 'T',
  description: 'D',
  capability: 'platform.runbooks.acme',
  scopes: ['all'] as const,
  confirmationPhrase: 'GO',
  resources: ['table:findings'],
  preflight: async () => ({ affected_count: 0 }),
  run: async () => ({}),
};

/** Problems about `reversible` only (the SDK range of this fixture is not the point here). */
const reversibleProblems = (reversible: unknown) =>
  definitionProblems({ ...base, scopes: ['all'], reversible } as never).filter((p) =>
    p.includes('reversible'),
  );

describe('reversible (SDK member)', () => {
  it('accepts declared tables with plain column names', () => {
    expect(reversibleProblems({ writes: { 'table:findings': ['status', 'updated_at'] } })).toEqual([]);
    expect(reversibleProblems(undefined)).toEqual([]);
  });

  it('refuses a table that is not in resources, no columns, or a column that is not a plain name', () => {
    expect(reversibleProblems({ writes: {} })).toEqual([
      'reversible.writes must name at least one declared table and its columns',
    ]);
    expect(reversibleProblems({ writes: { 'table:tenants': ['name'] } })).toEqual([
      'reversible.writes names "table:tenants", which is not a table:… in resources',
    ]);
    expect(reversibleProblems({ writes: { 'table:findings': [] } })).toEqual([
      'reversible.writes["table:findings"] must list the columns the runbook changes',
    ]);
    expect(reversibleProblems({ writes: { 'table:findings': ['status; drop'] } })).toEqual([
      'reversible.writes["table:findings"] has an invalid column "status; drop"',
    ]);
  });
});
