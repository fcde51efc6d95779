import type { ResolvedScope, SqlExecutor } from '@ops/runbook-sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../../test/support/database.ts';
import { preflightQuery, tuneForFullScan } from './preflight.ts';
import { executor } from './test-fixtures.ts';
import { lifecycleWork } from './work.ts';

interface PlanNode {
  'Node Type': string;
  Strategy?: string;
  'Relation Name'?: string;
  'Index Name'?: string;
  Plans?: PlanNode[];
}

function nodes(plan: PlanNode): PlanNode[] {
  return [plan, ...(plan.Plans ?? []).flatMap(nodes)];
}

const EVENTS_INDEX = 'finding_events_finding_id_observed_at_idx';

// Plan shapes on enough data for the planner's choices to mean something (ANALYZEd, events
// inserted in finding order, so the events index looks as cheap to walk as it ever will). At this
// size, without the OFFSET 0 fence in derivation.ts, the all-tenants preflight walks the index.
describe('query plans', () => {
  let t: TestDatabase;
  let tenant: ResolvedScope;
  beforeAll(async () => {
    t = await createTestDatabase();
    await t.sql(
      `INSERT INTO public.tenants (external_id, name) SELECT 'bench-' || g, 'bench' FROM generate_series(1, 20) g`,
    );
    await t.sql(`INSERT INTO public.tenants (external_id, name) VALUES ('platform', 'platform')`);
    await t.sql(`
      INSERT INTO public.findings (tenant_id, fingerprint, title, severity, status, created_at, updated_at)
      SELECT 1 + g % 21, 'fp-' || g, 'finding', (ARRAY['critical', 'high', 'medium', 'low', 'info'])[1 + g % 5],
             'open', now(), now()
      FROM generate_series(1, 100000) g`);
    await t.sql(`
      INSERT INTO public.finding_events (finding_id, tenant_id, kind, observed_at)
      SELECT f.id, f.tenant_id, CASE WHEN k % 3 = 0 THEN 'resolved' ELSE 'detected' END,
             '2024-01-01 00:00:00.000001+00'::timestamptz + make_interval(days => k)
      FROM public.findings f, generate_series(1, 1 + (f.id % 6)::int) k`);
    await t.sql('ANALYZE public.tenants, public.findings, public.finding_events');
    tenant = { kind: 'tenant', tenantId: 3, externalId: 'bench-3', name: 'bench' };
  }, 300_000);
  afterAll(() => t.drop());

  async function explain(text: string, values: readonly unknown[]): Promise<PlanNode[]> {
    const [row] = await t.sql<{ 'QUERY PLAN': Array<{ Plan: PlanNode }> }>(`EXPLAIN (FORMAT JSON) ${text}`, [
      ...values,
    ]);
    return nodes(row!['QUERY PLAN'][0]!.Plan);
  }

  it('plans the all-tenants preflight as a hash aggregate over a full scan of events, then a hash join', async () => {
    const q = preflightQuery({ kind: 'all' });
    const plan = await explain(q.text, q.values);
    const scansEvents = (n: PlanNode | undefined): boolean =>
      n?.['Node Type'] === 'Seq Scan'
        ? n['Relation Name'] === 'finding_events'
        : n?.['Node Type'] === 'Subquery Scan' && scansEvents(n.Plans?.[0]);
    const hashAgg = plan.find(
      (n) => n['Node Type'] === 'Aggregate' && n.Strategy === 'Hashed' && scansEvents(n.Plans?.[0]),
    );
    expect(hashAgg).toBeDefined();
    const join = plan.find((n) => n['Node Type'] === 'Hash Join' && nodes(n).includes(hashAgg!));
    expect(join).toBeDefined();
    expect(plan.some((n) => n['Index Name'] === EVENTS_INDEX)).toBe(false);
  });

  it('tuned as the preflight runs it, aggregates the events sorted by finding, never walking the events index', async () => {
    const q = preflightQuery({ kind: 'all' });
    const client = await t.db.pool.connect();
    let plan: PlanNode[];
    try {
      await client.query('BEGIN READ ONLY');
      await tuneForFullScan(executor(client));
      const { rows } = await client.query(`EXPLAIN (FORMAT JSON) ${q.text}`, q.values);
      plan = nodes((rows[0] as { 'QUERY PLAN': Array<{ Plan: PlanNode }> })['QUERY PLAN'][0]!.Plan);
    } finally {
      await client.query('ROLLBACK');
      client.release();
    }
    const sortsEvents = plan.find(
      (n) =>
        n['Node Type'] === 'Sort' &&
        nodes(n).some((c) => c['Node Type'] === 'Seq Scan' && c['Relation Name'] === 'finding_events'),
    );
    expect(sortsEvents).toBeDefined();
    const sortedAggregate = plan.find(
      (n) => n['Node Type'] === 'Aggregate' && n.Strategy === 'Sorted' && nodes(n).includes(sortsEvents!),
    );
    expect(sortedAggregate).toBeDefined();
    expect(plan.some((n) => n['Index Name'] === EVENTS_INDEX)).toBe(false);
  });

  it('serves the single-tenant preflight from the findings (tenant_id, id) and events indexes', async () => {
    const q = preflightQuery(tenant);
    const plan = await explain(q.text, q.values);
    expect(plan.some((n) => n['Index Name'] === 'findings_tenant_id_id_idx')).toBe(true);
    expect(plan.some((n) => n['Node Type'] === 'Index Scan' && n['Index Name'] === EVENTS_INDEX)).toBe(true);
    expect(plan.some((n) => n['Node Type'] === 'Seq Scan' && n['Relation Name'] !== 'tenants')).toBe(false);
  });

  /** An executor that explains each statement instead of running it, and answers nothing. */
  function explaining(plans: PlanNode[][]): SqlExecutor {
    return {
      async query<Row>(text: string, params: readonly unknown[] = []) {
        plans.push(await explain(text, params));
        return { rows: [] as Row[], rowCount: 0 };
      },
    };
  }

  it('finds the next chunk by walking an index in id order, without sorting', async () => {
    const plans: PlanNode[][] = [];
    await lifecycleWork({ kind: 'all' }).nextChunk(explaining(plans), '20000', 1000);
    await lifecycleWork(tenant).nextChunk(explaining(plans), '20000', 1000);
    // Either findings index serves id order for one tenant; the planner picks by correlation.
    const orderedIndexes = ['findings_pkey', 'findings_tenant_id_id_idx'];
    for (const plan of plans) {
      expect(plan.some((n) => n['Node Type'] === 'Limit')).toBe(true);
      expect(plan.some((n) => orderedIndexes.includes(n['Index Name'] ?? ''))).toBe(true);
      expect(plan.some((n) => n['Node Type'] === 'Sort' || n['Relation Name'] === 'finding_events')).toBe(
        false,
      );
      expect(plan.some((n) => n['Node Type'] === 'Seq Scan' && n['Relation Name'] === 'findings')).toBe(
        false,
      );
    }
  });

  it('plans a chunk write as a keyset range on findings and index lookups of events', async () => {
    const plans: PlanNode[][] = [];
    const chunk = { afterId: '20000', lastId: '21000', onlyTenantId: null, excludeTenantIds: [5] };
    await lifecycleWork({ kind: 'all' }).applyChunk(explaining(plans), chunk);
    const plan = plans[0]!;
    expect(plan[0]!['Node Type']).toBe('ModifyTable');
    expect(plan.some((n) => n['Index Name'] === 'findings_pkey')).toBe(true);
    expect(plan.some((n) => n['Node Type'] === 'Index Scan' && n['Index Name'] === EVENTS_INDEX)).toBe(true);
    expect(plan.some((n) => n['Node Type'] === 'Seq Scan' && n['Relation Name'] !== 'tenants')).toBe(false);
  });
});
