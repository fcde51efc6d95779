import { afterAll, beforeAll, describe, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../../test/support/database.ts';
import { preflightQuery } from './preflight.ts';

describe('plan experiment', () => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase();
    const n = Number(process.env.PLAN_N ?? 100000);
    await t.sql(`INSERT INTO public.tenants (external_id, name) SELECT 'bench-' || g, 'b' FROM generate_series(1, 20) g`);
    await t.sql(`INSERT INTO public.tenants (external_id, name) VALUES ('platform', 'p')`);
    await t.sql(`INSERT INTO public.findings (tenant_id, fingerprint, title, severity, status, created_at, updated_at)
      SELECT 1 + g % 21, 'fp' || g, 't', (ARRAY['critical','high','medium','low','info'])[1 + g % 5], 'open', now(), now()
      FROM generate_series(1, ${n}) g`);
    await t.sql(`INSERT INTO public.finding_events (finding_id, tenant_id, kind, observed_at)
      SELECT f.id, f.tenant_id, CASE WHEN k % 3 = 0 THEN 'resolved' ELSE 'detected' END, now() - (k || ' days')::interval
      FROM public.findings f, generate_series(1, 1 + (f.id % 6)::int) k`);
    await t.sql('ANALYZE');
  }, 300_000);
  afterAll(() => t.drop());

  it.skip('variants', async () => {
    const facts = `count(*) FILTER (WHERE e.kind = 'detected') AS detected_count,
      min(e.observed_at) FILTER (WHERE e.kind = 'detected') AS first_detected_at,
      max(e.observed_at) FILTER (WHERE e.kind = 'detected') AS last_detected_at,
      max(e.observed_at) FILTER (WHERE e.kind = 'resolved') AS last_resolved_at,
      max(ARRAY[extract(epoch FROM e.observed_at), e.id]) FILTER (WHERE e.kind = 'detected') AS ldk,
      max(ARRAY[extract(epoch FROM e.observed_at), e.id]) FILTER (WHERE e.kind = 'resolved') AS lrk`;
    const variants: Record<string, string> = {
      cte: `WITH ev AS MATERIALIZED (SELECT e.finding_id, ${facts} FROM public.finding_events e WHERE e.kind IN ('detected','resolved') GROUP BY e.finding_id)
        SELECT count(*), count(ev.ldk) FROM public.findings f JOIN public.tenants t ON t.id = f.tenant_id LEFT JOIN ev ON ev.finding_id = f.id WHERE t.external_id <> 'platform'`,
      offset0: `SELECT count(*), count(ev.ldk) FROM public.findings f JOIN public.tenants t ON t.id = f.tenant_id LEFT JOIN (SELECT e.finding_id, ${facts} FROM (SELECT * FROM public.finding_events OFFSET 0) e WHERE e.kind IN ('detected','resolved') GROUP BY e.finding_id) ev ON ev.finding_id = f.id WHERE t.external_id <> 'platform'`,
      expr: `SELECT count(*), count(ev.ldk) FROM public.findings f JOIN public.tenants t ON t.id = f.tenant_id LEFT JOIN (SELECT e.finding_id + 0 AS finding_id, ${facts} FROM public.finding_events e WHERE e.kind IN ('detected','resolved') GROUP BY e.finding_id + 0) ev ON ev.finding_id = f.id WHERE t.external_id <> 'platform'`,
    };
    for (const [name, text] of Object.entries(variants)) {
      const rows = await t.sql<{ 'QUERY PLAN': string }>(`EXPLAIN (ANALYZE, TIMING OFF, SUMMARY ON) ${text}`);
      console.log(name + '\n' + rows.map((r) => r['QUERY PLAN']).join('\n'));
    }
  });

  it('explains', async () => {
    for (const scope of [{ kind: 'all' } as const, { kind: 'tenant', tenantId: 3, externalId: 'bench-2', name: 'b' } as const]) {
      const q = preflightQuery(scope);
      const rows = await t.sql<{ 'QUERY PLAN': string }>(`EXPLAIN (ANALYZE, TIMING OFF, SUMMARY ON) ${q.text}`, q.values);
      console.log(rows.map((r) => r['QUERY PLAN']).join('\n'));
    }
  });
});
