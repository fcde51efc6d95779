import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedDemoData } from '../../apps/daemon/src/seed/index.ts';
import { runCli } from '../support/cli.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';

const RUNBOOK = 'findings.lifecycle.backfill';
const ALL_TENANTS = [
  '--reason-code',
  'DATA_REPAIR',
  '--reason-text',
  'failure test',
  '--confirm',
  'BACKFILL',
];

describe('a run that meets failures', () => {
  let t: TestDatabase;
  let env: Record<string, string>;
  const preflight = async (tenant?: string) =>
    (await runCli(['preflight', RUNBOOK, ...(tenant ? ['--tenant', tenant] : []), '--json'], env)).json<{
      affected_count: number;
    }>().affected_count;

  beforeAll(async () => {
    t = await createTestDatabase();
    env = { DATABASE_URL: t.url, OPS_CHUNK_SIZE: '300' };
    await seedDemoData(t.db.pool, { tenants: 5, findings: 3000, drift: 0.4, seed: 11 });
  });
  afterAll(() => t.drop());

  it("isolates one tenant's failing rows: exit 4, the others repaired, the failure recorded", async () => {
    // A test-only trigger that refuses every write to tenant-3's findings.
    await t.sql(`
      CREATE FUNCTION test_refuse_tenant() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF OLD.tenant_id = (SELECT id FROM public.tenants WHERE external_id = 'tenant-3') THEN
          RAISE EXCEPTION 'tenant-3 rows are read-only (test trigger)';
        END IF;
        RETURN NEW;
      END $$;
      CREATE TRIGGER test_refuse_tenant BEFORE UPDATE ON public.findings FOR EACH ROW
        EXECUTE FUNCTION test_refuse_tenant();
    `);
    const stuck = await preflight('tenant-3');
    expect(stuck).toBeGreaterThan(0);

    const result = await runCli(['exec', RUNBOOK, ...ALL_TENANTS, '--json'], env);
    expect(result.code).toBe(4);
    const run = result.json<{
      run_id: string;
      outcome: string;
      summary: Record<string, number>;
      failures: { tenantExternalId: string; errorClass: string; message: string }[];
    }>();
    expect(run.outcome).toBe('partially_succeeded');
    expect(run.summary.error_count).toBe(1);
    expect(run.failures).toEqual([
      expect.objectContaining({
        tenantExternalId: 'tenant-3',
        errorClass: 'sqlstate P0001',
        message: 'tenant-3 rows are read-only (test trigger)',
      }),
    ]);
    expect(await preflight()).toBe(stuck); // only tenant-3's rows are left
    const audit = await t.sql<{ action: string; outcome: string }>(
      'SELECT action, outcome FROM ops.audit_events WHERE run_id = $1 ORDER BY id',
      [run.run_id],
    );
    expect(audit.at(-1)).toEqual({ action: 'run.completed', outcome: 'partially_succeeded' });
    await t.sql('DROP TRIGGER test_refuse_tenant ON public.findings');
  });

  it('still completes the run when the audit table cannot be written, and keeps the failure on the run', async () => {
    await t.sql(`
      CREATE FUNCTION test_refuse_audit() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN RAISE EXCEPTION 'audit storage unavailable (test trigger)'; END $$;
      CREATE TRIGGER test_refuse_audit BEFORE INSERT ON ops.audit_events FOR EACH ROW
        EXECUTE FUNCTION test_refuse_audit();
    `);
    const result = await runCli(['exec', RUNBOOK, ...ALL_TENANTS, '--json'], env);
    await t.sql('DROP TRIGGER test_refuse_audit ON ops.audit_events');
    expect(result.code).toBe(0);
    const run = result.json<{ run_id: string; outcome: string }>();
    expect(run.outcome).toBe('succeeded');
    expect(result.stderr).toMatch(/could not write audit event run\.started/);
    const [record] = await t.sql<{ context: { audit_failures: string[] } }>(
      'SELECT context FROM ops.runs WHERE id = $1',
      [run.run_id],
    );
    expect(record!.context.audit_failures).toEqual([
      expect.stringMatching(/run\.started.*audit storage unavailable/),
      expect.stringMatching(/run\.completed.*audit storage unavailable/),
    ]);
    expect(await preflight()).toBe(0);
  });
});
