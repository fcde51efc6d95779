import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lifecycleFieldText } from '../../plugins/findings-lifecycle-backfill/src/diff.ts';
import { runCli } from '../support/cli.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';

const RUNBOOK = 'findings.lifecycle.backfill';

interface DiffRow {
  key: string;
  tenant: string;
  field: string;
  before: string | null;
  after: string | null;
}

/** md5 of every finding's every column: proves a read wrote nothing. */
async function findingsChecksum(t: TestDatabase): Promise<string> {
  const [row] = await t.sql<{ md5: string }>(
    `SELECT md5(coalesce(string_agg(f::text, '|' ORDER BY f.id), '')) AS md5 FROM public.findings f`,
  );
  return row!.md5;
}

// `ops-daemon preflight <id> --diff <n>` as a real process: the sample the operator reads before a
// run is what the run (`ops-daemon exec`) then writes.
describe('ops-daemon preflight --diff', () => {
  let t: TestDatabase;
  let env: Record<string, string>;

  beforeAll(async () => {
    t = await createTestDatabase();
    env = { DATABASE_URL: t.url };
    const seeded = await runCli(
      ['seed', '--tenants', '8', '--findings', '4000', '--drift', '0.3', '--seed', '7', '--json'],
      env,
    );
    expect(seeded.code).toBe(0);
  }, 120_000);
  afterAll(() => t.drop());

  it('prints the sample as JSON (`diff`), the same twice, over several tenants, writing nothing', async () => {
    const before = await findingsChecksum(t);
    const first = await runCli(['preflight', RUNBOOK, '--diff', '20', '--json'], env);
    expect(first.code, first.stderr).toBe(0);
    const result = first.json<{ affected_count: number; diff: DiffRow[] }>();
    expect(result.affected_count).toBeGreaterThan(0);
    const keys = new Set(result.diff.map((r) => r.key));
    expect(keys.size).toBe(20);
    const tenants = new Set(result.diff.map((r) => r.tenant));
    expect(tenants.size).toBeGreaterThanOrEqual(5);
    expect(tenants.has('platform')).toBe(false);
    for (const row of result.diff) expect(row.before).not.toBe(row.after);

    const second = await runCli(['preflight', RUNBOOK, '--diff', '20', '--json'], env);
    expect(second.json<{ diff: DiffRow[] }>().diff).toEqual(result.diff);
    expect(await findingsChecksum(t)).toBe(before);
  });

  it('prints a table (finding, tenant, field, before, after) for a person', async () => {
    const human = await runCli(['preflight', RUNBOOK, '--diff', '3', '--tenant', 'tenant-2'], env);
    expect(human.code, human.stderr).toBe(0);
    expect(human.stdout).toMatch(/change sample: 3 of the rows it would change/);
    expect(human.stdout).toMatch(/^\s+finding\s+tenant\s+field\s+before\s+after$/m);
    expect(human.stdout).toMatch(/^\s+\d+\s+tenant-2\s+\w+\s+\S+\s+\S+$/m);
  });

  it('refuses a bad --diff as a usage error naming it', async () => {
    for (const value of ['0', '101', 'ten', '2.5']) {
      const bad = await runCli(['preflight', RUNBOOK, '--diff', value], env);
      expect(bad.code, value).toBe(2);
      expect(bad.stderr).toMatch(/--diff.*from 1 to 100/);
    }
    const json = await runCli(['preflight', RUNBOOK, '--diff', '0', '--json'], env);
    expect(json.json<{ error: { field: string } }>().error.field).toBe('--diff');
  });

  it('after `ops-daemon exec`, every sampled field holds its "after" value', async () => {
    const sampled = await runCli(['preflight', RUNBOOK, '--diff', '100', '--json'], env);
    const diff = sampled.json<{ diff: DiffRow[] }>().diff;
    expect(new Set(diff.map((r) => r.key)).size).toBe(100);
    const exec = await runCli(
      [
        'exec',
        RUNBOOK,
        '--reason-code',
        'DATA_REPAIR',
        '--reason-text',
        'diff test',
        '--confirm',
        'BACKFILL',
        '--json',
      ],
      env,
    );
    expect(exec.code, exec.stderr).toBe(0);
    expect(exec.json<{ outcome: string }>().outcome).toBe('succeeded');
    for (const row of diff) {
      const field = row.field as Parameters<typeof lifecycleFieldText>[1];
      const [now] = await t.sql<{ v: string | null }>(
        `SELECT ${lifecycleFieldText(`f.${field}`, field)} AS v FROM public.findings f WHERE f.id = $1::bigint`,
        [row.key],
      );
      expect({ key: row.key, field, value: now!.v }).toEqual({ key: row.key, field, value: row.after });
    }
    const after = await runCli(['preflight', RUNBOOK, '--diff', '20', '--json'], env);
    expect(after.json<{ diff: DiffRow[] }>().diff).toEqual([]);
  });
});
