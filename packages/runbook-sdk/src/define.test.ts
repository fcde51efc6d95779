import { describe, expect, it } from 'vitest';
import {
  defineRunbook,
  definitionProblems,
  type RunbookDefinition,
  RunbookDefinitionError,
} from './define.ts';
import { defaultLockRequests } from './locks.ts';
import { filterSummary } from './summary-keys.ts';
import { sdkRangeAccepts } from './version.ts';

const valid: RunbookDefinition = {
  id: 'demo.things.rebuild',
  version: '1.0.0',
  title: 'Rebuild things',
  description: 'Rebuilds things',
  sdk: '^2.0.0',
  capability: 'platform.runbooks.demo_things',
  scopes: ['all', 'tenant'],
  confirmationPhrase: 'REBUILD',
  summaryKeys: ['things_moved'],
  preflight: async () => ({ affected_count: 0 }),
  run: async () => ({}),
};

describe('defineRunbook', () => {
  it('returns a frozen definition when every rule holds', () => {
    const def = defineRunbook(valid);
    expect(Object.isFrozen(def)).toBe(true);
    expect(def.id).toBe('demo.things.rebuild');
  });

  it('lists every broken rule at once', () => {
    const broken = {
      ...valid,
      id: 'Bad Id',
      capability: 'admin',
      scopes: ['everything'],
      summaryKeys: ['updated_count', 'Bad-Key'],
    };
    expect(() => defineRunbook(broken as unknown as RunbookDefinition)).toThrow(RunbookDefinitionError);
    expect(definitionProblems(broken as unknown as RunbookDefinition)).toEqual([
      'id must be dotted lower-case words like "findings.lifecycle.backfill" (got "Bad Id")',
      'capability must start with "platform.runbooks." (got "admin")',
      'unknown scope "everything"',
      'summary key updated_count is already a core key; do not declare it',
      'summary key "Bad-Key" must be snake_case',
    ]);
  });

  it('refuses a plugin built for another SDK major, saying which', () => {
    expect(definitionProblems({ ...valid, sdk: '^3.0.0' })).toEqual([
      'sdk range "^3.0.0" does not accept this SDK (2.0.0); the range must include it, e.g. "^2.0.0"',
    ]);
  });
});

describe('sdkRangeAccepts', () => {
  it('accepts compatible ranges and refuses others and garbage', () => {
    expect(sdkRangeAccepts('^1.0.0', '1.4.2')).toBe(true);
    expect(sdkRangeAccepts('^1.5.0', '1.4.2')).toBe(false);
    expect(sdkRangeAccepts('not a range', '1.0.0')).toBe(false);
  });
});

describe('filterSummary', () => {
  it('keeps core and declared numeric keys and drops everything else', () => {
    expect(
      filterSummary(
        { updated_count: 3, things_moved: 2, secret: 'x', tenant_names: 5, error_count: Number.NaN },
        ['things_moved'],
      ),
    ).toEqual({ updated_count: 3, things_moved: 2 });
  });
});

describe('defaultLockRequests', () => {
  it('takes the runbook key exclusively for all tenants', () => {
    expect(defaultLockRequests('a.b', { kind: 'all' })).toEqual([{ key: 'runbook:a.b', mode: 'exclusive' }]);
  });
  it('takes the runbook key shared and the tenant key exclusively for one tenant', () => {
    expect(
      defaultLockRequests('a.b', { kind: 'tenant', tenantId: 7, externalId: 'tenant-7', name: 'T7' }),
    ).toEqual([
      { key: 'runbook:a.b', mode: 'shared' },
      { key: 'runbook:a.b:tenant:7', mode: 'exclusive' },
    ]);
  });
});
