import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorOf } from '../support/api-helpers.ts';
import { runCli, waitFor } from '../support/cli.ts';
import { startTestDaemon, type TestDaemon } from '../support/daemon.ts';
import { slowFindingWrites } from '../support/slow-writes.ts';
import { definition, writePlugin } from './plugin-fixtures.ts';

const DEDUPE = 'findings.events.dedupe';
const LIFECYCLE = 'findings.lifecycle.backfill';

/** The code, field and message of a call expected to fail. */
async function trpcError(promise: Promise<unknown>) {
  const { code, data, message } = await errorOf(promise);
  return { code, field: data.field, message };
}

describe('a daemon with third-party plugins', () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'ops-daemon-plugins-'));
  fs.chmodSync(root, 0o755);
  const broken = writePlugin(root, 'broken', definition("sdk: '^9.0.0',"));
  let d: TestDaemon;
  let api: ReturnType<TestDaemon['client']>;
  let tenant1: number;

  beforeAll(async () => {
    d = await startTestDaemon(
      { tenants: 3, findings: 3000, drift: 0.5 },
      { OPS_PLUGINS: broken, OPS_CHUNK_SIZE: '100' },
    );
    api = d.client((await d.signIn('operator@ops.local')).cookie);
    const [row] = await d.t.sql<{ id: string }>("SELECT id FROM tenants WHERE external_id = 'tenant-1'");
    tenant1 = Number(row!.id);
    // Known duplicates in tenant-1: every finding's first event, repeated.
    await d.t.sql(
      `INSERT INTO finding_events (finding_id, tenant_id, kind, observed_at)
                   SELECT DISTINCT ON (e.finding_id) e.finding_id, e.tenant_id, e.kind, e.observed_at
                     FROM finding_events e WHERE e.tenant_id = $1 ORDER BY e.finding_id, e.id`,
      [tenant1],
    );
  });
  afterAll(async () => {
    await d.stop();
    fs.rmSync(root, { recursive: true, force: true });
  });

  it('serves with a broken plugin present and lists it as unavailable with the reason', async () => {
    const catalog = await api.runbooks.list.query();
    expect(
      catalog
        .filter((r) => r.available)
        .map((r) => r.id)
        .sort(),
    ).toEqual([DEDUPE, 'findings.ids.close', LIFECYCLE]);
    expect(catalog.find((r) => !r.available)).toMatchObject({
      id: 'acme.things.fix',
      unavailableReason:
        'sdk range "^9.0.0" does not accept this SDK (2.0.0); the range must include it, e.g. "^2.0.0"',
    });
    const dedupe = catalog.find((r) => r.id === DEDUPE)!;
    expect(dedupe.parameters).toEqual([
      expect.objectContaining({ name: 'dryRun', kind: 'boolean', required: false, default: false }),
    ]);
  });

  it('names the parameter when the API gets a bad value', async () => {
    const error = await trpcError(
      api.runbooks.preflight.mutate({
        runbookId: DEDUPE,
        scope: { kind: 'tenant', tenantId: tenant1 },
        params: { dryRun: 'yes' },
      }),
    );
    expect(error).toMatchObject({ code: 'BAD_REQUEST', field: 'params.dryRun' });
    expect(error.message).toMatch(/parameter dryRun: .*boolean/);
    const unknown = await trpcError(
      api.runbooks.preflight.mutate({
        runbookId: DEDUPE,
        scope: { kind: 'tenant', tenantId: tenant1 },
        params: { force: true },
      }),
    );
    expect(unknown).toMatchObject({
      code: 'BAD_REQUEST',
      field: 'params.force',
      message: 'unknown parameter force',
    });
  });

  it('names the parameter when the CLI gets a bad value', async () => {
    const env = { DATABASE_URL: d.t.url };
    const bad = await runCli(['exec', DEDUPE, '--tenant', 'tenant-1', '--param', 'dryRun=maybe'], env);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/error \(--param dryRun\): parameter dryRun must be true or false/);
    const shapeless = await runCli(['preflight', DEDUPE, '--param', 'dryRun'], env);
    expect(shapeless.code).toBe(2);
    expect(shapeless.stderr).toMatch(/--param must look like name=value/);
  });

  it('stores the parameters on the run: a dry run removes nothing', async () => {
    const env = { DATABASE_URL: d.t.url };
    const result = await runCli(
      ['exec', DEDUPE, '--tenant', 'tenant-1', '--param', 'dryRun=true', '--json'],
      env,
    );
    expect(result.code).toBe(0);
    const run = result.json<{ run_id: string; summary: Record<string, number> }>();
    expect(run.summary).toMatchObject({ updated_count: 0, duplicates_found: expect.any(Number) });
    expect(run.summary.duplicates_found).toBeGreaterThan(0);
    expect((await api.runs.get.query({ id: run.run_id })).params).toEqual({ dryRun: true });
  });

  it('keeps a dedupe run out while a lifecycle rebuild writes the same tables on an overlapping scope', async () => {
    await slowFindingWrites(d.t, 100);
    const preflight = await api.runbooks.preflight.mutate({ runbookId: LIFECYCLE, scope: { kind: 'all' } });
    const { runId } = await api.runbooks.run.mutate({
      runbookId: LIFECYCLE,
      scope: { kind: 'all' },
      reasonCode: 'DATA_REPAIR',
      reasonText: 'resource lock test',
      confirmation: 'BACKFILL',
      preflightAffectedCount: preflight.affected_count,
    });
    await waitFor(async () =>
      (await api.runs.get.query({ id: runId })).status === 'running' ? true : undefined,
    );
    const conflict = await trpcError(
      api.runbooks.run.mutate({
        runbookId: DEDUPE,
        scope: { kind: 'tenant', tenantId: tenant1 },
        preflightAffectedCount: 1,
      }),
    );
    expect(conflict.code).toBe('CONFLICT');
    expect(conflict.message).toContain(`run ${runId} (all tenants, by operator@ops.local) holds the lock`);
    await api.runs.cancel.mutate({ id: runId });
    await waitFor(async () =>
      (await api.runs.get.query({ id: runId })).status === 'completed' ? true : undefined,
    );
  });
});
