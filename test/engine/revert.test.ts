import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedDemoData } from '../../apps/daemon/src/seed/index.ts';
import { runCli } from '../support/cli.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';

const RUNBOOK = 'findings.lifecycle.backfill';
const EXEC = [
  'exec',
  RUNBOOK,
  '--reason-code',
  'DATA_REPAIR',
  '--reason-text',
  'revert test',
  '--confirm',
  'BACKFILL',
];
const REVERT_REASON = [
  '--reason-code',
  'INCIDENT',
  '--reason-text',
  'undo the backfill',
  '--confirm',
  'REVERT',
];

/** Every finding, in id order, as one hash: equal hashes mean equal tables, column by column. */
const CHECKSUM = "SELECT md5(string_agg(f::text, '|' ORDER BY f.id)) AS sum FROM public.findings f";

interface ExecResult {
  run_id: string;
  outcome: string;
  summary: { updated_count?: number; skipped_count?: number; affected_count?: number };
}
interface RevertResult extends ExecResult {
  reverts_run_id: string;
  skipped_total: number;
  skipped: { table: string; key: string; outcome: string; current: Record<string, unknown> | null }[];
}

describe('reverting a run of a reversible runbook (CLI, real PostgreSQL)', () => {
  let t: TestDatabase;
  let env: Record<string, string>;

  const checksum = async () => (await t.sql<{ sum: string }>(CHECKSUM))[0]!.sum;

  beforeAll(async () => {
    t = await createTestDatabase();
    env = { DATABASE_URL: t.url, OPS_CHUNK_SIZE: '150', OPS_WORKERS: '2' };
    await seedDemoData(t.db.pool, { tenants: 4, findings: 2000, drift: 0.5, seed: 14 });
  });
  afterAll(() => t.drop());

  it('restores the exact before-images: the table checksum after the revert equals the one before the run', async () => {
    const before = await checksum();
    const run = await runCli([...EXEC, '--json'], env);
    expect(run.code, run.stderr).toBe(0);
    const ran = run.json<ExecResult>();
    expect(ran.summary.updated_count).toBeGreaterThan(100);
    expect(await checksum()).not.toBe(before);
    const [journal] = await t.sql<{ n: string }>(
      'SELECT count(*) AS n FROM ops.run_journal WHERE run_id = $1',
      [ran.run_id],
    );
    expect(Number(journal!.n)).toBe(ran.summary.updated_count);

    const revert = await runCli(['revert', ran.run_id, ...REVERT_REASON, '--json'], env);
    expect(revert.code, revert.stderr).toBe(0);
    const reverted = revert.json<RevertResult>();
    expect(reverted).toMatchObject({ outcome: 'succeeded', reverts_run_id: ran.run_id, skipped_total: 0 });
    expect(reverted.summary.updated_count).toBe(ran.summary.updated_count);
    expect(await checksum()).toBe(before);

    // Linked both ways, and the revert wrote no journal of its own.
    const links = await t.sql<{ id: string; context: Record<string, unknown> }>(
      'SELECT id::text, context FROM ops.runs WHERE id IN ($1, $2) ORDER BY id',
      [ran.run_id, reverted.run_id],
    );
    expect(links[0]!.context.reverted_by_run_id).toBe(reverted.run_id);
    expect(links[1]!.context.reverts_run_id).toBe(ran.run_id);
    expect(await t.sql('SELECT 1 FROM ops.run_journal WHERE run_id = $1', [reverted.run_id])).toEqual([]);
  });

  it('refuses to revert a run twice and to revert a revert, and neither attempt changes a row', async () => {
    const [original] = await t.sql<{ original_run_id: string; revert_run_id: string }>(
      'SELECT original_run_id::text, revert_run_id::text FROM ops.run_reverts ORDER BY revert_run_id LIMIT 1',
    );
    const sum = await checksum();
    const twice = await runCli(['revert', original!.original_run_id, ...REVERT_REASON], env);
    expect(twice.code).toBe(2);
    expect(twice.stderr).toContain(`was already reverted by run ${original!.revert_run_id}`);
    const ofRevert = await runCli(['revert', original!.revert_run_id, ...REVERT_REASON], env);
    expect(ofRevert.code).toBe(2);
    expect(ofRevert.stderr).toContain('a revert cannot be reverted');
    const unconfirmed = await runCli(
      ['revert', original!.original_run_id, '--reason-code', 'INCIDENT', '--reason-text', 'x'],
      env,
    );
    expect(unconfirmed.code).toBe(2);
    expect(unconfirmed.stderr).toContain('confirmation');
    expect(await checksum()).toBe(sum);
    const refusals = await t.sql<{ details: { revert_of: string; reason: string } }>(
      "SELECT details FROM ops.audit_events WHERE action = 'run.refused' AND details ? 'revert_of' ORDER BY id",
    );
    expect(refusals.map((r) => r.details.revert_of)).toEqual([
      original!.original_run_id,
      original!.revert_run_id,
      original!.original_run_id,
    ]);
  });

  it('skips and lists a row the product changed after the run; every other row gets its before-image back', async () => {
    await t.sql('DROP TABLE IF EXISTS findings_before');
    await t.sql('CREATE TABLE findings_before AS SELECT * FROM public.findings');
    const ran = (await runCli([...EXEC, '--json'], env)).json<ExecResult>();
    expect(ran.outcome).toBe('succeeded');
    // The product moves three of the rows the run wrote (a plain session: no run, no journal).
    const touched = await t.sql<{ row_key: string }>(
      'SELECT row_key FROM ops.run_journal WHERE run_id = $1 ORDER BY seq LIMIT 3',
      [ran.run_id],
    );
    const keys = touched.map((r) => r.row_key);
    await t.sql(
      "UPDATE public.findings SET status = 'risk_accepted', updated_at = now() WHERE id = ANY($1::bigint[])",
      [keys],
    );
    const revert = await runCli(['revert', ran.run_id, ...REVERT_REASON, '--json'], env);
    expect(revert.code, revert.stderr).toBe(0);
    const reverted = revert.json<RevertResult>();
    expect(reverted.skipped_total).toBe(3);
    expect(reverted.summary.skipped_count).toBe(3);
    expect(reverted.summary.updated_count).toBe((ran.summary.updated_count ?? 0) - 3);
    expect(reverted.skipped.map((s) => s.key).sort()).toEqual([...keys].sort());
    expect(
      reverted.skipped.every((s) => s.outcome === 'skipped' && s.current?.status === 'risk_accepted'),
    ).toBe(true);
    // The three keep the product's change; all other rows are exactly as before the run.
    const [diff] = await t.sql<{ n: string; others: string }>(
      `SELECT count(*) FILTER (WHERE f.id = ANY($1::bigint[])) AS n,
              count(*) FILTER (WHERE NOT f.id = ANY($1::bigint[])) AS others
         FROM public.findings f JOIN findings_before b USING (id) WHERE f::text <> b::text`,
      [keys],
    );
    expect(diff).toEqual({ n: '3', others: '0' });
    const page = await runCli(['runs', 'show', reverted.run_id, '--json'], env);
    expect(page.json<{ context: { reverts_run_id: string } }>().context.reverts_run_id).toBe(ran.run_id);
  });
});
