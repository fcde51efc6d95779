import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunRecord } from '../../apps/daemon/src/runs/index.ts';
import { errorOf } from '../support/api-helpers.ts';
import { waitFor } from '../support/cli.ts';
import { startTestDaemon, type TestDaemon } from '../support/daemon.ts';
import { removeSlowFindingWrites, slowFindingWrites } from '../support/slow-writes.ts';
import { CSV_RUNBOOK, csvOf, journal, sha256Of } from './csv-fixtures.ts';

// The CSV input over the API, as the console sends it: runbooks.list describes the file a runbook
// takes; preflight and run take { fileName, text }; a bad file is a 400 naming the field and the
// line and column, and leaves nothing behind; a run paused mid-file resumes after its last
// committed chunk and applies every row exactly once.

const REASON = { reasonCode: 'INCIDENT' as const, reasonText: 'incident list', confirmation: 'CLOSE' };

describe('CSV input over the API', { timeout: 120_000 }, () => {
  let d: TestDaemon;
  let api: ReturnType<TestDaemon['client']>;
  let customerIds: string[];
  let platformIds: string[];

  beforeAll(async () => {
    d = await startTestDaemon({ tenants: 3, findings: 900 }, { OPS_CHUNK_SIZE: '25' });
    api = d.client((await d.signIn('operator@ops.local')).cookie);
    const rows = await d.t.sql<{ id: string; external_id: string }>(
      'SELECT f.id::text, t.external_id FROM findings f JOIN tenants t ON t.id = f.tenant_id ORDER BY f.id',
    );
    // Demo data closes some findings already; the file below closes open ones only.
    await d.t.sql("UPDATE findings SET status = 'open'");
    customerIds = rows.filter((r) => r.external_id !== 'platform').map((r) => r.id);
    platformIds = rows.filter((r) => r.external_id === 'platform').map((r) => r.id);
  });
  afterAll(() => d.stop());

  const runCount = async () =>
    (await d.t.sql<{ n: number }>('SELECT count(*)::int AS n FROM ops.runs'))[0]!.n;

  it('describes the file a runbook takes in the catalog', async () => {
    const catalog = await api.runbooks.list.query();
    expect(catalog.find((r) => r.id === CSV_RUNBOOK)?.input).toMatchObject({
      kind: 'csv',
      columns: { finding_id: { type: 'integer' }, note: { type: 'text', optional: true } },
      maxRows: 50_000,
      maxBytes: 5 * 1024 * 1024,
    });
    expect(catalog.find((r) => r.id === 'findings.lifecycle.backfill')?.input).toBeNull();
  });

  it('refuses bad files with 400s naming the field, the line and the column, storing nothing', async () => {
    const scope = { kind: 'all' as const };
    const bad = { fileName: 'bad.csv', text: `finding_id,note\n${customerIds[0]},ok\n12x,oops\n` };
    for (const call of [
      () => api.runbooks.preflight.mutate({ runbookId: CSV_RUNBOOK, scope, input: bad }),
      () =>
        api.runbooks.run.mutate({
          runbookId: CSV_RUNBOOK,
          scope,
          ...REASON,
          preflightAffectedCount: 1,
          input: bad,
        }),
    ]) {
      const error = await errorOf(call());
      expect(error).toMatchObject({ code: 'BAD_REQUEST', data: { httpStatus: 400, field: 'input' } });
      expect(error.message).toBe(
        'input file bad.csv: line 3, column finding_id: must be an integer (got "12x")',
      );
    }
    const missing = await errorOf(
      api.runbooks.run.mutate({
        runbookId: CSV_RUNBOOK,
        scope,
        ...REASON,
        preflightAffectedCount: 1,
        input: { fileName: 'm.csv', text: 'note\nx\n' },
      }),
    );
    expect(missing.message).toBe(
      'input file m.csv: line 1, column finding_id: the column is missing from the header',
    );
    const empty = await errorOf(
      api.runbooks.preflight.mutate({
        runbookId: CSV_RUNBOOK,
        scope,
        input: { fileName: 'e.csv', text: '' },
      }),
    );
    expect(empty.message).toMatch(/^input file e\.csv: the file is empty/);
    // Over the runbook's 5 MB: refused by size before any row is read (the file is not even CSV).
    const big = await errorOf(
      api.runbooks.preflight.mutate({
        runbookId: CSV_RUNBOOK,
        scope,
        input: { fileName: 'big.csv', text: 'x'.repeat(5 * 1024 * 1024 + 1) },
      }),
    );
    expect(big).toMatchObject({ code: 'BAD_REQUEST', data: { field: 'input.text' } });
    expect(big.message).toBe('input file big.csv: the file is 5.0 MB; this runbook takes at most 5.0 MB');
    const huge = await errorOf(
      api.runbooks.preflight.mutate({
        runbookId: CSV_RUNBOOK,
        scope,
        input: { fileName: 'huge.csv', text: 'x'.repeat(20 * 1024 * 1024 + 1) },
      }),
    );
    expect(huge).toMatchObject({ code: 'BAD_REQUEST', data: { field: 'input.text' } });
    const none = await errorOf(
      api.runbooks.preflight.mutate({ runbookId: CSV_RUNBOOK, scope: { kind: 'all' } }),
    );
    expect(none).toMatchObject({ code: 'BAD_REQUEST', data: { field: 'input' } });
    const unwanted = await errorOf(
      api.runbooks.preflight.mutate({
        runbookId: 'findings.lifecycle.backfill',
        scope,
        input: { fileName: 'a.csv', text: 'finding_id\n1\n' },
      }),
    );
    expect(unwanted.message).toBe('runbook findings.lifecycle.backfill takes no input file');
    const scheduled = await errorOf(
      api.schedules.create.mutate({
        name: 'nightly close',
        cron: '30 3 * * *',
        timezone: 'UTC',
        runbookId: CSV_RUNBOOK,
        scope,
        mode: 'preflight',
      }),
    );
    expect(scheduled).toMatchObject({ code: 'BAD_REQUEST', data: { field: 'runbookId' } });
    expect(scheduled.message).toMatch(/takes a CSV file with each run, so it cannot be scheduled/);
    expect(await runCount()).toBe(0);
    expect((await d.t.sql<{ n: number }>('SELECT count(*)::int AS n FROM ops.run_inputs'))[0]!.n).toBe(0);
  });

  it('previews, runs, pauses mid-file and resumes after the last committed chunk, each row applied once', async () => {
    const listed = [...customerIds.slice(0, 400), platformIds[0]!, '987654321'];
    const text = csvOf(listed);
    const input = { fileName: 'incident-7.csv', text };
    const scope = { kind: 'all' as const };
    const preflight = await api.runbooks.preflight.mutate({ runbookId: CSV_RUNBOOK, scope, input });
    expect(preflight).toMatchObject({
      affected_count: 400,
      not_found_count: 2,
      total_scanned: 402,
      input: { file_name: 'incident-7.csv', sha256: sha256Of(text), row_count: 402 },
    });
    await slowFindingWrites(d.t, 50);
    const { runId } = await api.runbooks.run.mutate({
      runbookId: CSV_RUNBOOK,
      scope,
      ...REASON,
      preflightAffectedCount: preflight.affected_count,
      input,
    });
    await waitFor(
      async () => {
        const run = await api.runs.get.query({ id: runId });
        return (run.progress.processed ?? 0) >= 100 ? run : undefined;
      },
      60_000,
      'the run to pass 100 rows',
    );
    await api.runs.pause.mutate({ id: runId });
    const paused = await waitFor(
      async () => {
        const run = await api.runs.get.query({ id: runId });
        return run.status === 'paused' ? run : undefined;
      },
      60_000,
      'the run to pause',
    );
    const atPause = await journal(d.t);
    expect(atPause.length).toBeGreaterThan(0);
    expect(atPause.length).toBeLessThan(400);
    expect(paused.progress.processed).toBeLessThan(402);
    await removeSlowFindingWrites(d.t);
    await api.runs.resume.mutate({ id: runId });
    const done = (await waitFor(
      async () => {
        const run = await api.runs.get.query({ id: runId });
        return run.status === 'completed' ? run : undefined;
      },
      60_000,
      'the run to complete',
    )) as RunRecord;
    expect(done).toMatchObject({
      outcome: 'succeeded',
      summary: { updated_count: 400, total_scanned: 402, not_found_count: 2 },
      context: { input: { file_name: 'incident-7.csv', sha256: sha256Of(text), row_count: 402 } },
    });
    const rows = await journal(d.t);
    expect(rows.map((r) => r.row_number)).toEqual(Array.from({ length: 400 }, (_, i) => i + 1));
    expect(new Set(rows.map((r) => r.run_id))).toEqual(new Set([runId]));
    const [platform] = await d.t.sql<{ n: number }>(
      "SELECT count(*)::int AS n FROM findings f JOIN tenants t ON t.id = f.tenant_id WHERE t.external_id = 'platform' AND f.status = 'closed'",
    );
    expect(platform!.n).toBe(0);
    const audit = await d.t.sql<{ action: string; details: Record<string, unknown> }>(
      "SELECT action, details FROM ops.audit_events WHERE action IN ('run.started', 'runbook.preflight') AND (run_id = $1 OR run_id IS NULL) ORDER BY id",
      [runId],
    );
    for (const event of audit) {
      expect(event.details.input, event.action).toMatchObject({ sha256: sha256Of(text), row_count: 402 });
    }
  });
});
