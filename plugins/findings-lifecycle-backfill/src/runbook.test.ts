import { definitionProblems, type ResolvedScope } from '@ops/runbook-sdk';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../../test/support/database.ts';
import runbook, { lifecycleWork } from './index.ts';
import { backfill, checksum, executor, type Fixtures, fixtures, preflight } from './test-fixtures.ts';

const ALL: ResolvedScope = { kind: 'all' };

interface World {
  acme: { id: string; scope: ResolvedScope };
  globex: { id: string; scope: ResolvedScope };
  initech: { id: string; scope: ResolvedScope };
  platform: { id: string; scope: ResolvedScope };
}

// Scope, isolation and write discipline. Every test starts from the same small world:
// acme 2 drifted + 1 correct, globex 1 drifted + 1 correct, initech 1 correct, platform 2 drifted.
describe('findings.lifecycle.backfill', () => {
  let t: TestDatabase;
  let fx: Fixtures;
  let w: World;

  async function drifted(tenantId: string): Promise<string> {
    const f = await fx.finding(tenantId, { severity: 'high', status: 'open' });
    await fx.events(f, [
      ['detected', '2024-02-01 10:00:00.000001+00'],
      ['detected', '2024-02-02 10:00:00.000002+00'],
    ]);
    return f;
  }

  async function correct(tenantId: string): Promise<string> {
    const f = await fx.finding(tenantId, {
      severity: 'medium',
      status: 'triaged',
      first_seen_at: '2024-02-01 10:00:00.000001+00',
      last_seen_at: '2024-02-01 10:00:00.000001+00',
      times_seen: 1,
      due_at: '2024-03-02 10:00:00.000001+00',
      lifecycle_version: 1,
    });
    await fx.events(f, [['detected', '2024-02-01 10:00:00.000001+00']]);
    return f;
  }

  beforeAll(async () => {
    t = await createTestDatabase();
    fx = fixtures(t);
  });
  afterAll(() => t.drop());

  beforeEach(async () => {
    await t.sql('TRUNCATE public.finding_events, public.findings, public.tenants RESTART IDENTITY CASCADE');
    w = {
      acme: await fx.tenant('acme'),
      globex: await fx.tenant('globex'),
      platform: await fx.tenant('platform'),
      initech: await fx.tenant('initech'),
    };
    // Interleaved, so every tenant's findings are spread over the id range.
    await drifted(w.acme.id);
    await drifted(w.platform.id);
    await correct(w.globex.id);
    await correct(w.acme.id);
    await drifted(w.globex.id);
    await correct(w.initech.id);
    await drifted(w.platform.id);
    await drifted(w.acme.id);
  });

  const tenantIs = (id: string) => `f.tenant_id = ${Number(id)}`;

  it('is a valid runbook definition for all tenants and for one tenant', () => {
    expect(definitionProblems(runbook)).toEqual([]);
    expect(runbook).toMatchObject({
      id: 'findings.lifecycle.backfill',
      version: '1.0.0',
      title: 'Rebuild Findings Lifecycle',
      sdk: '^2.0.0',
      capability: 'platform.runbooks.findings.lifecycle_backfill',
      scopes: ['all', 'tenant'],
      confirmationPhrase: 'BACKFILL',
    });
  });

  it('counts affected findings, scanned findings and tenants having an affected finding', async () => {
    expect(await preflight(t, ALL)).toEqual({ affected_count: 3, total_scanned: 6, estimated_tenants: 2 });
    expect(await preflight(t, w.acme.scope)).toEqual({
      affected_count: 2,
      total_scanned: 3,
      estimated_tenants: 1,
    });
    expect(await preflight(t, w.initech.scope)).toEqual({
      affected_count: 0,
      total_scanned: 1,
      estimated_tenants: 0,
    });
  });

  it("never counts nor changes the platform tenant's drifted findings", async () => {
    const platformRows = tenantIs(w.platform.id);
    const before = await checksum(t, platformRows);
    expect((await preflight(t, ALL)).total_scanned).toBe(6);
    expect(await backfill(t, ALL)).toEqual({ updated_count: 3, total_scanned: 6, error_count: 0 });
    expect(await checksum(t, platformRows)).toBe(before);
    const [still] = await t.sql<{ n: string }>(
      `SELECT count(*) AS n FROM public.findings f WHERE ${platformRows} AND lifecycle_version IS NULL`,
    );
    expect(Number(still!.n)).toBe(2);
  });

  it('refuses a scope naming the platform tenant, and its SQL leaves that tenant out anyway', async () => {
    const scope = w.platform.scope;
    await expect(preflight(t, scope)).rejects.toThrow(/platform tenant/);
    await expect(backfill(t, scope)).rejects.toThrow(/platform tenant/);
    // A work built for the platform's id (bypassing the guard) finds and writes nothing.
    const work = lifecycleWork(scope);
    const db = executor(t.db.pool);
    expect(await work.countItems(db)).toBe(0);
    expect(await work.nextChunk(db, null, 100)).toBeNull();
    const chunk = { afterId: null, lastId: '9223372036854775807', onlyTenantId: null, excludeTenantIds: [] };
    expect(await work.applyChunk(db, chunk)).toEqual({ updated: 0 });
    const all = lifecycleWork(ALL);
    const onlyPlatform = { ...chunk, onlyTenantId: Number(w.platform.id) };
    expect(await all.applyChunk(db, onlyPlatform)).toEqual({ updated: 0 });
  });

  it('changes only the chosen tenant in single-tenant scope', async () => {
    const others = `NOT ${tenantIs(w.acme.id)}`;
    const before = await checksum(t, others);
    expect((await backfill(t, w.acme.scope)).updated_count).toBe(2);
    expect(await checksum(t, others)).toBe(before);
    expect((await preflight(t, w.acme.scope)).affected_count).toBe(0);
    expect(await preflight(t, ALL)).toMatchObject({ affected_count: 1, estimated_tenants: 1 });
  });

  it('leaves the findings table unchanged in preflight, even inside a read-only transaction', async () => {
    const before = await checksum(t);
    await preflight(t, ALL);
    await preflight(t, w.acme.scope);
    expect(await checksum(t)).toBe(before);
    const client = await t.db.pool.connect();
    try {
      await client.query('BEGIN READ ONLY');
      expect((await preflight(t, ALL, client)).affected_count).toBe(3);
      expect((await preflight(t, w.globex.scope, client)).affected_count).toBe(1);
      await client.query('COMMIT');
    } finally {
      client.release();
    }
    expect(await checksum(t)).toBe(before);
  });

  it('writes only affected rows, stamps updated_at with the transaction time and touches no other column', async () => {
    const untouched = `md5(string_agg(concat_ws(',', f.id, f.tenant_id, f.fingerprint, f.title, f.severity,
      f.created_at), '|' ORDER BY f.id)) AS md5`;
    const [columnsBefore] = await t.sql<{ md5: string }>(`SELECT ${untouched} FROM public.findings f`);
    const correctRows = 'f.id IN (3, 4, 6)'; // the findings already correct
    const correctBefore = await checksum(t, correctRows);

    const client = await t.db.pool.connect();
    try {
      await client.query('BEGIN');
      const chunk = {
        afterId: null,
        lastId: '9223372036854775807',
        onlyTenantId: null,
        excludeTenantIds: [],
      };
      expect(await lifecycleWork(ALL).applyChunk(executor(client), chunk)).toEqual({ updated: 3 });
      const { rows } = await client.query<{ stamped: string; n: string }>(
        `SELECT count(*) FILTER (WHERE updated_at = now()) AS stamped, count(*) AS n FROM public.findings`,
      );
      expect(rows[0]).toEqual({ stamped: '3', n: '8' });
      await client.query('COMMIT');
    } finally {
      client.release();
    }

    const [columnsAfter] = await t.sql<{ md5: string }>(`SELECT ${untouched} FROM public.findings f`);
    expect(columnsAfter!.md5).toBe(columnsBefore!.md5);
    expect(await checksum(t, correctRows)).toBe(correctBefore);
  });

  it('honours excludeTenantIds and onlyTenantId of a chunk', async () => {
    const work = lifecycleWork(ALL);
    const db = executor(t.db.pool);
    const whole = { afterId: null, lastId: '9223372036854775807' };
    const acme = Number(w.acme.id);
    const globex = Number(w.globex.id);

    const acmeBefore = await checksum(t, tenantIs(w.acme.id));
    expect(await work.applyChunk(db, { ...whole, onlyTenantId: null, excludeTenantIds: [acme] })).toEqual({
      updated: 1,
    });
    expect(await checksum(t, tenantIs(w.acme.id))).toBe(acmeBefore);
    expect((await preflight(t, w.globex.scope)).affected_count).toBe(0);

    expect(await work.applyChunk(db, { ...whole, onlyTenantId: globex, excludeTenantIds: [] })).toEqual({
      updated: 0,
    });
    expect(await checksum(t, tenantIs(w.acme.id))).toBe(acmeBefore);
    expect(await work.applyChunk(db, { ...whole, onlyTenantId: acme, excludeTenantIds: [] })).toEqual({
      updated: 2,
    });
    expect((await preflight(t, ALL)).affected_count).toBe(0);
  });

  it('walks the findings of its scope in keyset chunks and names the tenants of a range', async () => {
    const work = lifecycleWork(ALL);
    const db = executor(t.db.pool);
    expect(await work.countItems(db)).toBe(6);
    // Ids 1..8 in insertion order; 2 and 7 belong to the platform tenant and are skipped.
    expect(await work.nextChunk(db, null, 2)).toEqual({ lastId: '3', items: 2 });
    expect(await work.nextChunk(db, '3', 3)).toEqual({ lastId: '6', items: 3 });
    expect(await work.nextChunk(db, '6', 3)).toEqual({ lastId: '8', items: 1 });
    expect(await work.nextChunk(db, '8', 3)).toBeNull();
    expect(await work.tenantsInRange(db, { afterId: null, lastId: '3' })).toEqual([
      { tenantId: Number(w.acme.id), externalId: 'acme' },
      { tenantId: Number(w.globex.id), externalId: 'globex' },
    ]);
    expect(await work.tenantsInRange(db, { afterId: '6', lastId: '8' })).toEqual([
      { tenantId: Number(w.acme.id), externalId: 'acme' },
    ]);

    const acme = lifecycleWork(w.acme.scope);
    expect(await acme.countItems(db)).toBe(3);
    expect(await acme.nextChunk(db, null, 2)).toEqual({ lastId: '4', items: 2 });
    expect(await acme.nextChunk(db, '4', 2)).toEqual({ lastId: '8', items: 1 });
    expect(await acme.tenantsInRange(db, { afterId: null, lastId: '8' })).toEqual([
      { tenantId: Number(w.acme.id), externalId: 'acme' },
    ]);
  });

  it('reports 0 affected after a run, and a second run updates 0', async () => {
    const summary = await backfill(t, ALL, { size: 3 });
    expect(summary).toEqual({ updated_count: 3, total_scanned: 6, error_count: 0 });
    expect(Object.values(summary).every((v) => typeof v === 'number')).toBe(true);
    expect(await preflight(t, ALL)).toEqual({ affected_count: 0, total_scanned: 6, estimated_tenants: 0 });
    expect((await backfill(t, ALL, { size: 1 })).updated_count).toBe(0);
  });

  it("does not overwrite a status the product changed while the chunk waited for the row's lock", async () => {
    // Finding 1 (acme, legacy 'open') is drifted. The product holds its row lock and sets it to
    // 'risk_accepted'; the chunk's UPDATE waits, then must skip the row rather than write 'new'.
    const product = await t.db.pool.connect();
    const runner = await t.db.pool.connect();
    try {
      await product.query('BEGIN');
      await product.query("UPDATE public.findings SET status = 'risk_accepted' WHERE id = 1");
      await runner.query('BEGIN');
      const write = lifecycleWork(ALL).applyChunk(executor(runner), {
        afterId: null,
        lastId: '1',
        onlyTenantId: null,
        excludeTenantIds: [],
      });
      await new Promise((r) => setTimeout(r, 200)); // the chunk is now blocked on the row lock
      await product.query('COMMIT');
      expect(await write).toEqual({ updated: 0 });
      await runner.query('COMMIT');
    } finally {
      product.release();
      runner.release();
    }
    const [row] = await t.sql<{ status: string }>('SELECT status FROM public.findings WHERE id = 1');
    expect(row!.status).toBe('risk_accepted');
    expect((await backfill(t, w.acme.scope, { size: 10 })).updated_count).toBeGreaterThan(0); // repaired next time
  });
});
