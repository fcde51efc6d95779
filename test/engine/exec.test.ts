import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedDemoData } from '../../apps/daemon/src/seed/index.ts';
import { runCli } from '../support/cli.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';

const RUNBOOK = 'findings.lifecycle.backfill';
const ALL_TENANTS = [
  '--reason-code',
  'DATA_REPAIR',
  '--reason-text',
  'lifecycle fields drifted',
  '--confirm',
  'BACKFILL',
];

describe('ops-daemon exec', () => {
  let t: TestDatabase;
  let env: Record<string, string>;
  const runCount = async () =>
    Number((await t.sql<{ n: string }>('SELECT count(*) AS n FROM ops.runs'))[0]!.n);
  const tenantChecksums = () =>
    t.sql<{ external_id: string; sum: string }>(
      `SELECT t.external_id, md5(string_agg(f::text, ',' ORDER BY f.id)) AS sum
         FROM findings f JOIN tenants t ON t.id = f.tenant_id GROUP BY t.external_id`,
    );

  beforeAll(async () => {
    t = await createTestDatabase();
    env = { DATABASE_URL: t.url, OPS_CHUNK_SIZE: '500' };
    await seedDemoData(t.db.pool, { tenants: 6, findings: 4000, drift: 0.3, seed: 7 });
  });
  afterAll(() => t.drop());

  describe('refuses bad input with exit 2, naming the argument, and records no run', () => {
    const cases: [string, string[], RegExp][] = [
      ['an unknown runbook', ['exec', 'no.such.runbook', ...ALL_TENANTS], /<runbook-id>.*unknown runbook/],
      [
        'an unknown tenant',
        ['exec', RUNBOOK, '--tenant', 'tenant-999'],
        /--tenant.*tenant-999 does not exist/,
      ],
      ['the platform tenant', ['exec', RUNBOOK, '--tenant', 'platform'], /--tenant.*platform does not exist/],
      [
        'a bad reason code',
        ['exec', RUNBOOK, '--reason-code', 'BECAUSE', '--reason-text', 'x', '--confirm', 'BACKFILL'],
        /--reason-code.*must be one of DATA_REPAIR, INCIDENT, SUPPORT, SECURITY/,
      ],
      [
        'a 501-character reason',
        [
          'exec',
          RUNBOOK,
          '--reason-code',
          'INCIDENT',
          '--reason-text',
          'x'.repeat(501),
          '--confirm',
          'BACKFILL',
        ],
        /--reason-text.*at most 500 characters \(got 501\)/,
      ],
      [
        'a missing reason for all tenants',
        ['exec', RUNBOOK, '--confirm', 'BACKFILL'],
        /--reason-code.*required for an all-tenants run/,
      ],
      [
        'a wrong confirmation phrase',
        ['exec', RUNBOOK, '--reason-code', 'INCIDENT', '--reason-text', 'x', '--confirm', 'backfill'],
        /--confirm.*BACKFILL exactly/,
      ],
      ['an unknown flag', ['exec', RUNBOOK, '--tenants', 'tenant-1'], /--tenants.*Unknown option/],
    ];
    it.each(cases)('%s', async (_name, args, message) => {
      const result = await runCli(args, env);
      expect(result.stderr).toMatch(message);
      expect(result.code).toBe(2);
      expect(await runCount()).toBe(0);
    });

    it('says the same in JSON with the field', async () => {
      const result = await runCli(['exec', RUNBOOK, '--tenant', 'platform', '--json'], env);
      expect(result.code).toBe(2);
      expect(result.json()).toEqual({
        error: { code: 'BAD_INPUT', field: '--tenant', message: expect.stringContaining('platform') },
      });
    });

    it('audits each refusal with its reason', async () => {
      const refused = await t.sql<{ details: { reason: string } }>(
        "SELECT details FROM ops.audit_events WHERE action = 'run.refused'",
      );
      expect(refused.length).toBeGreaterThanOrEqual(6);
      expect(new Set(refused.map((r) => r.details.reason))).toEqual(new Set(['bad_input']));
    });
  });

  it('changes only the chosen tenant on a single-tenant run', async () => {
    const before = await tenantChecksums();
    const result = await runCli(['exec', RUNBOOK, '--tenant', 'tenant-2', '--json'], env);
    expect(result.code).toBe(0);
    const final = result.json<{
      outcome: string;
      scope: { externalId: string };
      summary: Record<string, number>;
    }>();
    expect(final.outcome).toBe('succeeded');
    expect(final.scope.externalId).toBe('tenant-2');
    expect(final.summary.updated_count).toBeGreaterThan(0);
    const after = await tenantChecksums();
    const changed = after.filter((a) => before.find((b) => b.external_id === a.external_id)?.sum !== a.sum);
    expect(changed.map((c) => c.external_id)).toEqual(['tenant-2']);
  });

  it('repairs every tenant, then a second exec has nothing to do and preflight reports 0', async () => {
    const pre = await runCli(['preflight', RUNBOOK, '--json'], env);
    expect(pre.code).toBe(0);
    const preflight = pre.json<{
      affected_count: number;
      total_scanned: number;
      estimated_tenants: number;
    }>();
    expect(preflight.affected_count).toBeGreaterThan(0);

    const first = await runCli(['exec', RUNBOOK, ...ALL_TENANTS, '--json'], env);
    expect(first.code).toBe(0);
    const run = first.json<{
      run_id: string;
      status: string;
      outcome: string;
      summary: Record<string, number>;
    }>();
    expect(run).toMatchObject({ status: 'completed', outcome: 'succeeded' });
    expect(run.summary.updated_count).toBe(preflight.affected_count);
    expect(run.summary.affected_count).toBe(preflight.affected_count);
    expect(run.summary.duration_ms).toBeGreaterThanOrEqual(0);
    expect(first.lines().some((l) => l.event === 'progress')).toBe(true);

    const second = await runCli(['exec', RUNBOOK, ...ALL_TENANTS, '--json'], env);
    expect(second.code).toBe(0);
    expect(second.json()).toEqual({
      runbook_id: RUNBOOK,
      scope: { kind: 'all' },
      outcome: 'nothing_to_do',
      affected_count: 0,
    });

    const post = await runCli(['preflight', RUNBOOK, '--json'], env);
    expect(post.json()).toMatchObject({ affected_count: 0 });
  });

  it('keeps the run record with actor, reason and audit trail', async () => {
    const list = await runCli(['runs', 'list', '--runbook', RUNBOOK, '--json'], env);
    const items = list.json<{ items: { id: string; scope: { kind: string } }[] }>().items;
    const latest = items.find((r) => r.scope.kind === 'all')!;
    const shown = await runCli(['runs', 'show', latest.id, '--json'], env);
    const record = shown.json<Record<string, unknown>>();
    expect(record).toMatchObject({
      id: latest.id,
      type: RUNBOOK,
      status: 'completed',
      outcome: 'succeeded',
      actor_label: 'system:cli',
      actor: { kind: 'system', label: 'system:cli', host: expect.any(String), user: expect.any(String) },
      reason_code: 'DATA_REPAIR',
      reason_text: 'lifecycle fields drifted',
    });
    expect(Object.keys(record.summary as object).sort()).toEqual(
      ['affected_count', 'duration_ms', 'error_count', 'total_scanned', 'updated_count'].sort(),
    );
    const audit = await t.sql<{ action: string; outcome: string | null }>(
      'SELECT action, outcome FROM ops.audit_events WHERE run_id = $1 ORDER BY id',
      [latest.id],
    );
    expect(audit).toEqual([
      { action: 'run.started', outcome: null },
      { action: 'run.completed', outcome: 'succeeded' },
    ]);
  });

  it('answers runs show for an unknown run with exit 2', async () => {
    const result = await runCli(['runs', 'show', '424242'], env);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/<run-id>.*run 424242 does not exist/);
  });

  it('exits 5 when the database is unreachable', async () => {
    const result = await runCli(['runs', 'list', '--json'], {
      DATABASE_URL: 'postgres://postgres:x@127.0.0.1:1/none',
    });
    expect(result.code).toBe(5);
    expect(result.json()).toMatchObject({ error: { code: 'DATABASE_UNAVAILABLE' } });
  });
});
