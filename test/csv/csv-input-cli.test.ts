import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CliResult, runCli } from '../support/cli.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import { CSV_RUNBOOK, csvOf, journal, seedListedFindings, sha256Of, writeTempFile } from './csv-fixtures.ts';

// `ops-daemon preflight|exec findings.ids.close --input file.csv` as a real child process on a real
// PostgreSQL: the file's rows are checked by line and column before anything is stored, the run
// record and the audit carry its hash and row count, and the platform tenant and the scope hold.

const ALL = ['--reason-code', 'INCIDENT', '--reason-text', 'close the incident list', '--confirm', 'CLOSE'];
const tail = (r: CliResult) => `stdout: ${r.stdout.slice(-1500)}\nstderr: ${r.stderr.slice(-1500)}`;

describe('CSV input from the command line', { timeout: 120_000 }, () => {
  let t: TestDatabase;
  let env: Record<string, string>;
  let ids: Awaited<ReturnType<typeof seedListedFindings>>;

  beforeAll(async () => {
    t = await createTestDatabase();
    env = { DATABASE_URL: t.url, OPS_CHUNK_SIZE: '3' };
    ids = await seedListedFindings(t, 6);
  });
  afterAll(() => t.drop());

  const runCount = async () =>
    Number((await t.sql<{ n: string }>('SELECT count(*) AS n FROM ops.runs'))[0]!.n);

  it('refuses a bad file by line and column with the usage exit code, storing nothing', async () => {
    const bad = writeTempFile('bad.csv', `finding_id,note\r\n${ids.acme[0]},ok\r\nabc,x\r\n`);
    for (const command of [
      ['preflight', CSV_RUNBOOK],
      ['exec', CSV_RUNBOOK, ...ALL],
    ]) {
      const result = await runCli([...command, '--input', bad], env);
      expect(result.code, tail(result)).toBe(2);
      expect(result.stderr).toContain(
        'error (--input): input file bad.csv: line 3, column finding_id: must be an integer (got "abc")',
      );
    }
    const header = writeTempFile('header.csv', 'finding_id,notes\n1,x\n');
    const json = await runCli(['exec', CSV_RUNBOOK, ...ALL, '--input', header, '--json'], env);
    expect(json.code).toBe(2);
    expect(json.json()).toEqual({
      error: {
        code: 'BAD_INPUT',
        field: '--input',
        message:
          'input file header.csv: line 1, column notes: unknown column (this runbook takes finding_id, note)',
      },
    });
    const missing = await runCli(['exec', CSV_RUNBOOK, ...ALL], env);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain(
      'needs a CSV file (--input file.csv) with the columns finding_id (integer)',
    );
    expect(await runCount()).toBe(0);
    const [refused] = await t.sql<{ details: { field: string; message: string } }>(
      "SELECT details FROM ops.audit_events WHERE action = 'run.refused' ORDER BY id LIMIT 1",
    );
    expect(refused?.details).toMatchObject({ field: 'input' });
  });

  it('previews and closes the listed findings of one tenant only, skipping ids not in its scope', async () => {
    const listed = [ids.acme[0]!, ids.globex[0]!, ids.platform[0]!, '999999'];
    const file = writeTempFile('acme.csv', csvOf(listed));
    const preflight = await runCli(
      ['preflight', CSV_RUNBOOK, '--tenant', 'acme', '--input', file, '--json'],
      env,
    );
    expect(preflight.code, tail(preflight)).toBe(0);
    expect(preflight.json()).toMatchObject({ affected_count: 1, not_found_count: 3, total_scanned: 4 });
    const exec = await runCli(['exec', CSV_RUNBOOK, '--tenant', 'acme', '--input', file, '--json'], env);
    expect(exec.code, tail(exec)).toBe(0);
    expect(exec.json()).toMatchObject({
      outcome: 'succeeded',
      summary: { updated_count: 1, not_found_count: 3 },
    });
    const status = await t.sql<{ id: string; status: string }>(
      'SELECT id::text, status FROM findings WHERE id = ANY($1::bigint[]) ORDER BY id',
      [listed],
    );
    expect(Object.fromEntries(status.map((r) => [r.id, r.status]))).toEqual({
      [ids.acme[0]!]: 'closed',
      [ids.globex[0]!]: 'open',
      [ids.platform[0]!]: 'open',
    });
  });

  it('closes every listed finding of non-platform tenants in chunks; hash and rows on the record and in the audit', async () => {
    const listed = [...ids.acme.slice(1), ...ids.globex, ids.platform[1]!, '888888'];
    const text = csvOf(listed);
    const file = writeTempFile('incident-42.csv', text);
    const exec = await runCli(['exec', CSV_RUNBOOK, ...ALL, '--input', file, '--json'], env);
    expect(exec.code, tail(exec)).toBe(0);
    const result = exec.json<{ run_id: string; outcome: string; summary: Record<string, number> }>();
    expect(result).toMatchObject({
      outcome: 'succeeded',
      summary: { updated_count: 11, total_scanned: 13, not_found_count: 2 },
    });
    const show = await runCli(['runs', 'show', result.run_id, '--json'], env);
    const expected = { file_name: 'incident-42.csv', sha256: sha256Of(text), row_count: 13 };
    expect(show.json()).toMatchObject({ input: expected, context: { input: expected } });
    const [audit] = await t.sql<{ details: Record<string, unknown> }>(
      "SELECT details FROM ops.audit_events WHERE action = 'run.started' AND run_id = $1",
      [result.run_id],
    );
    expect(audit?.details.input).toMatchObject(expected);
    const [platform] = await t.sql<{ n: number }>(
      "SELECT count(*)::int AS n FROM findings f JOIN tenants t ON t.id = f.tenant_id WHERE t.external_id = 'platform' AND f.status <> 'open'",
    );
    expect(platform!.n).toBe(0);
    const rows = (await journal(t)).filter((r) => r.run_id === result.run_id);
    expect(rows.map((r) => r.row_number)).toEqual(Array.from({ length: 11 }, (_, i) => i + 1));
    const [stored] = await t.sql<{ row_count: number; sha256: string }>(
      'SELECT row_count, sha256 FROM ops.run_inputs WHERE run_id = $1',
      [result.run_id],
    );
    expect(stored).toEqual({ row_count: 13, sha256: sha256Of(text) });
  });
});
