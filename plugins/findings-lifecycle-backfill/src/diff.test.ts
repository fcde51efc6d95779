import type { ChangeSampleRow, ResolvedScope } from '@ops/runbook-sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../../test/support/database.ts';
import { LIFECYCLE_FIELDS } from './derivation.ts';
import { lifecycleFieldText } from './diff.ts';
import runbook from './index.ts';
import { backfill, checksum, executor, type Fixtures, fixtures } from './test-fixtures.ts';

const ALL: ResolvedScope = { kind: 'all' };

/**
 * Rehearse with a diff: the sample comes from the run's own derivation, so after the run every
 * sampled field holds its "after"; it is spread over tenants, the same twice, and read-only.
 */
describe('findings.lifecycle.backfill sampleChanges', () => {
  let t: TestDatabase;
  let fx: Fixtures;
  const tenants: Record<string, { id: string; scope: ResolvedScope }> = {};

  /** `n` findings of a tenant in bulk, drifted in several ways (legacy status, stale counts, dates). */
  async function seed(tenantId: string, n: number, offset = 0): Promise<void> {
    await t.sql(
      `INSERT INTO public.findings (tenant_id, fingerprint, title, severity, status, first_seen_at, last_seen_at,
         times_seen, resolved_at, due_at, lifecycle_version, created_at, updated_at)
       SELECT $1::bigint, 'fp-' || $1 || '-' || (i + $3), 'f', (ARRAY['critical','high','medium','low','info'])[1 + i % 5],
              (ARRAY['open','acknowledged','closed','triaged','resolved', NULL])[1 + i % 6],
              CASE WHEN i % 3 = 0 THEN '2024-01-05 00:00:00.000007+00'::timestamptz END, NULL,
              CASE WHEN i % 4 = 0 THEN 9 END, NULL, NULL, CASE WHEN i % 2 = 0 THEN 0 END,
              '2024-01-01 00:00:00.000001+00'::timestamptz + make_interval(mins => i), now()
       FROM generate_series(1, $2::integer) AS i`,
      [tenantId, n, offset],
    );
    await t.sql(
      `INSERT INTO public.finding_events (finding_id, tenant_id, kind, observed_at)
       SELECT f.id, f.tenant_id, k.kind, f.created_at + make_interval(hours => k.h, secs => (f.id % 7) * 0.000001)
       FROM public.findings f
       CROSS JOIN LATERAL (VALUES ('detected', 1), ('detected', 30), ('resolved', CASE WHEN f.id % 2 = 0 THEN 40 ELSE 10 END))
         AS k(kind, h)
       WHERE f.tenant_id = $1::bigint AND NOT EXISTS (SELECT 1 FROM public.finding_events e WHERE e.finding_id = f.id)`,
      [tenantId],
    );
  }

  const sample = (scope: ResolvedScope, limit: number, db = executor(t.db.pool)) =>
    runbook.sampleChanges!({ db, params: {}, log: () => {} }, scope, { limit });

  beforeAll(async () => {
    t = await createTestDatabase();
    fx = fixtures(t);
    for (const name of ['acme', 'platform', 'globex', 'calm', 'initech', 'late', 'umbrella']) {
      tenants[name] = await fx.tenant(name);
    }
    for (const name of ['acme', 'platform', 'globex', 'calm', 'initech', 'umbrella']) {
      await seed(tenants[name]!.id, 40);
    }
    // calm: nothing to change. late: its first 250 findings are correct, the 6 after them drifted,
    // so the sample has to walk past its first windows to find them.
    await seed(tenants.late!.id, 250);
    await backfill(t, tenants.calm!.scope, { size: 1000 });
    await backfill(t, tenants.late!.scope, { size: 1000 });
    await seed(tenants.late!.id, 6, 1000);
  }, 120_000);
  afterAll(() => t.drop());

  it('is spread over the tenants with changes (never calm, never platform), in a round robin', async () => {
    const rows = await sample(ALL, 20);
    const keys = [...new Set(rows.map((r) => r.key))];
    expect(keys).toHaveLength(20);
    const byTenant = new Map<string, number>();
    for (const key of keys) {
      const tenant = rows.find((r) => r.key === key)!.tenant;
      byTenant.set(tenant, (byTenant.get(tenant) ?? 0) + 1);
    }
    // Five tenants have changes: four findings each, in the round robin's order.
    expect(Object.fromEntries(byTenant)).toEqual({ acme: 4, globex: 4, initech: 4, late: 4, umbrella: 4 });
    expect(rows.slice(0, 1)[0]!.tenant).toBe('acme');
    const firstTenants = [...new Set(keys.slice(0, 5).map((k) => rows.find((r) => r.key === k)!.tenant))];
    expect(firstTenants).toEqual(['acme', 'globex', 'initech', 'late', 'umbrella']);
    for (const row of rows) {
      expect(LIFECYCLE_FIELDS as readonly string[]).toContain(row.field);
      expect(row.before).not.toBe(row.after);
    }
  });

  it('gives the same rows twice for the same data, and honours the limit', async () => {
    expect(await sample(ALL, 20)).toEqual(await sample(ALL, 20));
    expect(new Set((await sample(ALL, 3)).map((r) => r.key)).size).toBe(3);
    const one = await sample(tenants.late!.scope, 100);
    expect(new Set(one.map((r) => r.key)).size).toBe(6);
    expect(new Set(one.map((r) => r.tenant))).toEqual(new Set(['late']));
    expect(await sample(tenants.calm!.scope, 10)).toEqual([]);
  });

  it('is read-only: runs in a READ ONLY transaction and changes no row', async () => {
    const before = await checksum(t);
    const client = await t.db.pool.connect();
    try {
      await client.query('BEGIN READ ONLY');
      expect((await sample(ALL, 50, executor(client))).length).toBeGreaterThan(0);
      await client.query('ROLLBACK');
    } finally {
      client.release();
    }
    expect(await checksum(t)).toBe(before);
  });

  it('refuses the platform tenant as a scope', async () => {
    await expect(sample(tenants.platform!.scope, 5)).rejects.toThrow(/platform tenant/);
  });

  it('after the run, every sampled field holds its "after" value', async () => {
    const rows: ChangeSampleRow[] = await sample(ALL, 100);
    expect(rows.length).toBeGreaterThan(100); // several fields per finding
    const platform = await checksum(t, `f.tenant_id = ${Number(tenants.platform!.id)}`);
    await backfill(t, ALL, { size: 50 });
    for (const row of rows) {
      const field = row.field as (typeof LIFECYCLE_FIELDS)[number];
      const [now] = await t.sql<{ v: string | null }>(
        `SELECT ${lifecycleFieldText(`f.${field}`, field)} AS v FROM public.findings f WHERE f.id = $1::bigint`,
        [row.key],
      );
      expect({ key: row.key, field, value: now!.v }).toEqual({ key: row.key, field, value: row.after });
    }
    expect(await checksum(t, `f.tenant_id = ${Number(tenants.platform!.id)}`)).toBe(platform);
    expect(await sample(ALL, 20)).toEqual([]);
  });
});
