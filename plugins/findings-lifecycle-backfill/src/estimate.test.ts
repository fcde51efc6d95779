import type { PreflightContext, ResolvedScope } from '@ops/runbook-sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../../test/support/database.ts';
import { lifecycleEstimate } from './estimate.ts';
import { lifecycleHasAffected, lifecyclePreflight } from './preflight.ts';
import { type ClusterSums, estimateTotal } from './sample-estimate.ts';
import { backfill, executor } from './test-fixtures.ts';
import { lifecycleWork } from './work.ts';

/** Cluster sums of [rows, value] pairs. */
function sums(...clusters: Array<[rows: number, value: number]>): ClusterSums {
  return {
    clusters: clusters.length,
    rows: clusters.reduce((s, [n]) => s + n, 0),
    total: clusters.reduce((s, [, y]) => s + y, 0),
    totalSquared: clusters.reduce((s, [, y]) => s + y * y, 0),
    rowsSquared: clusters.reduce((s, [n]) => s + n * n, 0),
    totalTimesRows: clusters.reduce((s, [n, y]) => s + n * y, 0),
  };
}

describe('the estimate of a sampled count', () => {
  it('scales the sampled share to the population', () => {
    expect(estimateTotal(sums([40, 10], [40, 14], [40, 12]), 12_000, 0.01).total).toBe(3600);
  });

  it('has no margin when every cluster has the same share, and a wide one when they disagree', () => {
    expect(estimateTotal(sums([40, 10], [40, 10], [40, 10]), 12_000, 0.01).margin).toBe(0);
    const spread = estimateTotal(sums([40, 0], [40, 40], [40, 20]), 12_000, 0.01);
    expect(spread.total).toBe(6000);
    expect(spread.margin).toBeGreaterThan(5000);
  });

  it('claims nothing from an empty or single-cluster sample', () => {
    expect(estimateTotal(sums(), 1000, 0.01)).toEqual({ total: 0, margin: 1000 });
    expect(estimateTotal(sums([40, 10]), 1000, 0.01)).toEqual({ total: 250, margin: 1000 });
  });
});

// 40,000 findings over 20 tenants (more than the estimate counts outright), rebuilt, then 30% of
// them drifted by a hash of their id.
describe('estimate, existence and bounds on a table worth sampling', () => {
  let t: TestDatabase;
  const ALL: ResolvedScope = { kind: 'all' };
  const ctx = (): PreflightContext => ({
    db: executor(t.db.pool),
    params: {},
    log: () => {},
    async readOnly(read) {
      const client = await t.db.pool.connect();
      try {
        await client.query('BEGIN READ ONLY');
        const result = await read(executor(client));
        await client.query('COMMIT');
        return result;
      } catch (error) {
        await client.query('ROLLBACK');
        throw error;
      } finally {
        client.release();
      }
    },
  });

  beforeAll(async () => {
    t = await createTestDatabase();
    await t.sql(
      `INSERT INTO public.tenants (external_id, name) SELECT 'tenant-' || g, 'T' FROM generate_series(1, 20) g`,
    );
    await t.sql(`INSERT INTO public.tenants (external_id, name) VALUES ('platform', 'Platform')`);
    await t.sql(`
      INSERT INTO public.findings (tenant_id, fingerprint, title, severity, status, created_at, updated_at)
      SELECT 1 + g % 20, 'fp-' || g, 'finding', (ARRAY['critical', 'high', 'medium', 'low', 'info'])[1 + g % 5],
             'open', timestamptz '2024-01-01 00:00:00.000001+00', now()
      FROM generate_series(1, 40000) g`);
    await t.sql(`
      INSERT INTO public.finding_events (finding_id, tenant_id, kind, observed_at)
      SELECT f.id, f.tenant_id, CASE WHEN k % 3 = 0 THEN 'resolved' ELSE 'detected' END,
             timestamptz '2024-02-01 00:00:00.000001+00' + make_interval(hours => k)
      FROM public.findings f, generate_series(1, 1 + (f.id % 4)::int) k`);
    await backfill(t, ALL, { size: 5000 });
    // Half the drift shows on the row itself (no lifecycle version), half only against the events
    // (a stale last_seen_at): that half only the sample can estimate.
    await t.sql('UPDATE public.findings SET lifecycle_version = NULL WHERE abs(hashint8(id)) % 20 < 3');
    await t.sql(`UPDATE public.findings SET last_seen_at = last_seen_at - interval '1 day'
                 WHERE abs(hashint8(id)) % 20 BETWEEN 3 AND 5`);
    await t.sql('ANALYZE public.tenants, public.findings, public.finding_events');
  }, 120_000);
  afterAll(() => t.drop());

  it('estimates all tenants from a sample, the exact count inside its 95% margin', async () => {
    const exact = (await lifecyclePreflight(ctx(), ALL)).affected_count;
    const estimate = await lifecycleEstimate(ctx(), ALL);
    expect(estimate.exact).toBe(false);
    expect(estimate.population).toBe(40_000);
    expect(estimate.sampled).toBeLessThan(40_000);
    expect(Math.abs(estimate.affected_count - exact)).toBeLessThanOrEqual(estimate.margin);
  });

  it('is sure of itself only as far as the pages agree', async () => {
    // The stale dates were written last, so their new row versions share pages at the table's end:
    // pages disagree, and the margin is wide. Rewritten in id order, the drift spreads evenly.
    const clustered = await lifecycleEstimate(ctx(), ALL);
    await t.sql('CLUSTER public.findings USING findings_pkey');
    await t.sql('ANALYZE public.findings');
    const exact = (await lifecyclePreflight(ctx(), ALL)).affected_count;
    const spread = await lifecycleEstimate(ctx(), ALL);
    expect(Math.abs(spread.affected_count - exact)).toBeLessThanOrEqual(spread.margin);
    expect(spread.margin).toBeLessThan(exact * 0.05);
    expect(spread.margin).toBeLessThan(clustered.margin);
  });

  it('counts a small tenant outright', async () => {
    const [row] = await t.sql<{ id: string }>("SELECT id FROM public.tenants WHERE external_id = 'tenant-7'");
    const scope: ResolvedScope = {
      kind: 'tenant',
      tenantId: Number(row!.id),
      externalId: 'tenant-7',
      name: 'T',
    };
    const exact = await lifecyclePreflight(ctx(), scope);
    expect(await lifecycleEstimate(ctx(), scope)).toEqual({
      affected_count: exact.affected_count,
      margin: 0,
      sampled: 2000,
      population: 2000,
      exact: true,
    });
  });

  it('finds an affected row, also when the walk runs out of time and the count decides', async () => {
    expect(await lifecycleHasAffected(ctx(), ALL)).toBe(true);
    expect(await lifecycleHasAffected(ctx(), ALL, 1)).toBe(true);
  });

  it('bounds the ids of its scope, and ends a chunk at `until`', async () => {
    const work = lifecycleWork(ALL);
    const db = executor(t.db.pool);
    const [ids] = await t.sql<{ first: string; last: string }>(
      `SELECT min(f.id)::text AS first, max(f.id)::text AS last FROM public.findings f
       JOIN public.tenants tn ON tn.id = f.tenant_id WHERE tn.external_id <> 'platform'`,
    );
    expect(await work.idBounds!(db)).toEqual({ firstId: ids!.first, lastId: ids!.last });
    expect(await work.nextChunk(db, '100', 50, '120')).toEqual({ lastId: '120', items: 20 });
    expect(await work.nextChunk(db, '120', 50, '120')).toBeNull();
  });

  it('says there is nothing to do once everything is rebuilt, by the walk or by the count', async () => {
    await backfill(t, ALL, { size: 5000 });
    expect(await lifecycleHasAffected(ctx(), ALL)).toBe(false);
    expect(await lifecycleHasAffected(ctx(), ALL, 1)).toBe(false);
  });
});
