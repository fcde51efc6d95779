import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CliResult, collect, runCli, spawnCli, waitFor } from '../support/cli.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import { leaseRunOut } from '../support/run-lease.ts';
import { removeSlowFindingWrites, slowFindingWrites } from '../support/slow-writes.ts';
import { CSV_RUNBOOK, csvOf, journal, seedListedFindings, writeTempFile } from './csv-fixtures.ts';

// A CSV run whose `exec` process is killed with SIGKILL mid-run: the rows of its committed chunks
// are applied, the others not; the next exec of the same file reports the run interrupted and
// applies exactly the remaining rows. Every row is applied exactly once across both runs.

const ALL = ['--reason-code', 'INCIDENT', '--reason-text', 'kill test', '--confirm', 'CLOSE', '--json'];
const tail = (r: CliResult) => `stdout: ${r.stdout.slice(-1500)}\nstderr: ${r.stderr.slice(-1500)}`;

describe('a CSV run whose process is killed', { timeout: 180_000 }, () => {
  let t: TestDatabase;
  let env: Record<string, string>;
  let listed: string[];
  let file: string;

  beforeAll(async () => {
    t = await createTestDatabase();
    env = { DATABASE_URL: t.url, OPS_CHUNK_SIZE: '20', OPS_HEARTBEAT_MS: '200', OPS_LEASE_MS: '1000' };
    const ids = await seedListedFindings(t, 400);
    listed = [...ids.acme, ...ids.globex, ...ids.platform.slice(0, 5)];
    file = writeTempFile('incident.csv', csvOf(listed));
    await slowFindingWrites(t, 60); // 40 chunks × ≥60 ms: the kill lands mid-run
  });
  afterAll(() => t.drop());

  it('applies each row exactly once: the killed run’s committed chunks, then the rest by the next exec', async () => {
    const victim = spawnCli(['exec', CSV_RUNBOOK, ...ALL, '--input', file], env);
    const victimDone = collect(victim);
    const run = await waitFor(
      async () =>
        (
          await t.sql<{ id: string }>(
            "SELECT id FROM ops.runs WHERE status = 'running' AND (progress->>'processed')::int >= 200",
          )
        )[0],
      60_000,
      'the run to pass 200 rows',
    );
    victim.kill('SIGKILL');
    expect((await victimDone).code).toBeNull();

    const first = await journal(t);
    expect(first.length).toBeGreaterThan(0);
    expect(first.length).toBeLessThan(800);
    expect(first.every((r) => r.run_id === run.id)).toBe(true);
    // Only whole chunks: what the journal holds is what is closed, nothing more.
    const [closed] = await t.sql<{ n: number }>(
      "SELECT count(*)::int AS n FROM findings WHERE status = 'closed'",
    );
    expect(closed!.n).toBe(first.length);

    await removeSlowFindingWrites(t);
    await leaseRunOut(t, run.id, "the killed run's lease to run out");
    const next = await runCli(['exec', CSV_RUNBOOK, ...ALL, '--input', file], env);
    expect(next.code, tail(next)).toBe(0);
    const lines = next.lines();
    expect(lines.some((l) => l.event === 'interrupted' && l.run_id === run.id)).toBe(true);
    const result = next.json<{ run_id: string; outcome: string; summary: Record<string, number> }>();
    expect(result).toMatchObject({ outcome: 'succeeded', summary: { not_found_count: 5 } });

    const all = await journal(t);
    // 800 rows named findings in scope (the 5 platform ids are not found): each journaled once.
    expect(all.map((r) => r.row_number)).toEqual(Array.from({ length: 800 }, (_, i) => i + 1));
    const byRun = (id: string) => all.filter((r) => r.run_id === id).length;
    expect(byRun(run.id)).toBe(first.length);
    expect(byRun(result.run_id)).toBe(800 - first.length);
    const runs = await t.sql<{ id: string; outcome: string; updated: number }>(
      "SELECT id::text, outcome, (summary->>'updated_count')::int AS updated FROM ops.runs ORDER BY id",
    );
    expect(runs.map((r) => r.id)).toEqual([run.id, result.run_id]);
    expect(runs[0]!.updated + runs[1]!.updated).toBe(800);
    const status = await t.sql<{ external_id: string; status: string; n: number }>(
      `SELECT t.external_id, f.status, count(*)::int AS n FROM findings f JOIN tenants t ON t.id = f.tenant_id
        GROUP BY 1, 2 ORDER BY 1, 2`,
    );
    expect(status).toEqual([
      { external_id: 'acme', status: 'closed', n: 400 },
      { external_id: 'globex', status: 'closed', n: 400 },
      { external_id: 'platform', status: 'open', n: 400 },
    ]);
  });
});
