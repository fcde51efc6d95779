import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { SqlExecutor } from '../context.ts';
import { defineRunbook } from '../define.ts';
import { keysetRepair } from '../keyset.ts';
import { PRODUCT_SCHEMA_SQL } from '../product-schema.ts';
import { sql } from '../sql.ts';
import { assertRunbookContract } from '../testing/contract.ts';
import { insertKitTenants, type KitTenantIds } from '../testing/fixtures.ts';
import { executorOf, preflightWith, runWithReferenceDriver } from '../testing/reference-runner.ts';
import { startThrowawayPostgres, type ThrowawayPostgres } from '../testing/throwaway-postgres.ts';
import runbook from './severity-normalize.ts';

/** Every kit tenant (the platform's too) gets findings with messy and clean severities. */
async function messySeverities(db: SqlExecutor): Promise<void> {
  await insertKitTenants(db);
  await db.query(`INSERT INTO findings (tenant_id, fingerprint, title, severity, created_at, updated_at)
    SELECT t.id, 'fp-' || g, 'Finding ' || g, (ARRAY['HIGH', 'low', ' Medium', 'critical', 'Info '])[1 + g % 5],
           timestamptz '2024-01-01 00:00:00+00', timestamptz '2024-01-01 00:00:00+00'
      FROM tenants t CROSS JOIN generate_series(1, 6) g ORDER BY g, t.id`);
}

describe('findings.severity.normalize (the keyset helper)', () => {
  let pg: ThrowawayPostgres;
  beforeAll(async () => {
    pg = await startThrowawayPostgres();
  });
  afterAll(() => pg.stop());

  it('passes every check of the testing kit', async () => {
    const report = await assertRunbookContract(runbook, {
      setup: messySeverities,
      volatileColumns: ['findings.updated_at'],
      chunkSize: 3,
      postgres: pg,
    });
    expect(report.checks.every((c) => c.ok)).toBe(true);
  });

  describe('on one database', () => {
    let pool: import('pg').Pool;
    let tenants: KitTenantIds;
    beforeAll(async () => {
      const { default: pgModule } = await import('pg');
      pool = new pgModule.Pool({ connectionString: await pg.createDatabase('severity_one') });
      await pool.query(`CREATE SCHEMA ops; ${PRODUCT_SCHEMA_SQL}`);
      await messySeverities(executorOf(pool));
      const { rows } = await pool.query<{ id: string; external_id: string }>(
        'SELECT id, external_id FROM tenants',
      );
      tenants = Object.fromEntries(rows.map((r) => [r.external_id, Number(r.id)])) as KitTenantIds;
    });
    afterAll(() => pool.end());

    const severities = async (tenantId: number) =>
      (
        await pool.query<{ severity: string }>(
          'SELECT severity FROM findings WHERE tenant_id = $1 ORDER BY id',
          [tenantId],
        )
      ).rows.map((r) => r.severity);

    it('counts the scope without the platform tenant, and repairs one tenant only when asked', async () => {
      // 6 findings per tenant, 3 messy (' Medium', 'Info ', 'HIGH').
      expect(await preflightWith(runbook, pool, { kind: 'all' })).toEqual({
        affected_count: 9,
        total_scanned: 18,
        estimated_tenants: 3,
      });
      const acme = { kind: 'tenant' as const, tenantId: tenants.acme, externalId: 'acme', name: 'Acme' };
      const outcome = await runWithReferenceDriver(runbook, pool, acme, { chunkSize: 2 });
      expect(outcome.result).toEqual({ updated_count: 3, total_scanned: 6, error_count: 0 });
      expect(await severities(tenants.acme)).toEqual(['low', 'medium', 'critical', 'info', 'high', 'low']);
      expect(await severities(tenants.globex)).toContain('HIGH');
      expect(await severities(tenants.platform)).toContain('HIGH');
    });

    it('leaves a tenant whose rows fail out of the rest of the run, as the daemon does, and writes the others', async () => {
      // globex's findings refuse the write (a trigger), so its chunk is retried tenant by tenant.
      await pool.query(`CREATE FUNCTION refuse_globex() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN IF NEW.tenant_id = ${tenants.globex} THEN RAISE EXCEPTION 'globex is read-only'; END IF; RETURN NEW; END $$`);
      await pool.query(
        'CREATE TRIGGER refuse_globex BEFORE UPDATE ON findings FOR EACH ROW EXECUTE FUNCTION refuse_globex()',
      );
      const outcome = await runWithReferenceDriver(runbook, pool, { kind: 'all' }, { chunkSize: 4 });
      expect(outcome.result).toEqual({ updated_count: 3, total_scanned: 18, error_count: 1 });
      expect(outcome.failures).toEqual([
        {
          tenantId: tenants.globex,
          externalId: 'globex',
          message: 'globex is read-only',
          // Chunks of four customer findings: globex's first messy one (its second finding) is in the second.
          chunk: { afterId: '6', lastId: '11' },
        },
      ]);
      expect(await severities(tenants.initech)).toEqual(['low', 'medium', 'critical', 'info', 'high', 'low']);
      expect(await severities(tenants.globex)).toContain('HIGH');
      expect(await severities(tenants.platform)).toContain('HIGH');
      await pool.query('DROP TRIGGER refuse_globex ON findings');
    });
  });

  it('takes its condition and assignment from the run’s parameters, parsed as the daemon does', async () => {
    const pool = new (await import('pg')).default.Pool({
      connectionString: await pg.createDatabase('severity_params'),
    });
    try {
      await pool.query(`CREATE SCHEMA ops; ${PRODUCT_SCHEMA_SQL}`);
      await messySeverities(executorOf(pool));
      const rename = keysetRepair<{ from: string; to: string }>({
        table: 'findings',
        needsRepair: (p) => sql`severity = ${p.from}`,
        assignment: (p) => sql`severity = ${p.to}`,
      });
      const def = defineRunbook({
        ...runbook,
        id: 'findings.severity.rename',
        parameters: z.object({ from: z.string(), to: z.string() }),
        preflight: rename.preflight,
        hasAffected: rename.hasAffected,
        run: rename.run,
      });
      const params = { from: 'low', to: 'minor' };
      expect(await preflightWith(def, pool, { kind: 'all' }, params)).toMatchObject({ affected_count: 6 });
      await expect(
        runWithReferenceDriver(def, pool, { kind: 'all' }, { params: { ...params, force: true } }),
      ).rejects.toThrow('unknown parameter force');
      const outcome = await runWithReferenceDriver(def, pool, { kind: 'all' }, { params, chunkSize: 5 });
      expect(outcome.result).toMatchObject({ updated_count: 6, error_count: 0 });
      const { rows } = await pool.query<{ n: number }>(
        "SELECT count(*)::int AS n FROM findings f JOIN tenants t ON t.id = f.tenant_id WHERE severity = 'low' AND t.external_id = 'platform'",
      );
      expect(rows[0]!.n).toBe(2);
    } finally {
      await pool.end();
    }
  });

  it('refuses a malformed declaration, naming the field', () => {
    const base = { needsRepair: sql`TRUE`, assignment: sql`severity = 'x'` };
    expect(() => keysetRepair({ ...base, table: 'public.findings; DROP TABLE x' })).toThrow(
      'keysetRepair: table must be a lower-case name like "public.findings" (got "findings; DROP TABLE x")',
    );
    expect(() => keysetRepair({ ...base, table: 'findings', tenantColumn: 'Tenant' })).toThrow(
      'keysetRepair: tenantColumn must be a lower-case name like "tenant_id" (got "Tenant")',
    );
    expect(() =>
      keysetRepair({
        ...base,
        table: 'findings',
        needsRepair: "severity <> 'x'" as unknown as typeof base.needsRepair,
      }),
    ).toThrow('keysetRepair: needsRepair must be a sql`…` fragment or a function of the parameters');
  });
});
