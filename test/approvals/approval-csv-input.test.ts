import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CSV_RUNBOOK, csvOf, sha256Of, writeTempFile } from '../csv/csv-fixtures.ts';
import { type Api, errorOf } from '../support/api-helpers.ts';
import { type CliResult, runCli, waitFor } from '../support/cli.ts';
import { startTestDaemon, type TestDaemon } from '../support/daemon.ts';

// Four-eyes approval of a CSV-input runbook (issues 13 + 14): the request keeps the validated file
// (rows, sha256, row count), the approval is bound to it, and the approved start — through the API
// or `exec --approval` in a real child process — runs exactly that file. The run records the
// request it came from (context.approval, runs show --json). Real PostgreSQL, real daemon.

const ALL = { kind: 'all' as const };
const REASON = {
  reasonCode: 'INCIDENT' as const,
  reasonText: 'close the incident list',
  confirmation: 'CLOSE',
};
const tail = (r: CliResult) => `stdout: ${r.stdout.slice(-1500)}\nstderr: ${r.stderr.slice(-1500)}`;

describe('approval of a CSV-input run', { timeout: 120_000 }, () => {
  let d: TestDaemon;
  let operator: Api;
  let approver: Api;
  let env: Record<string, string>;
  /** Open findings of customer tenants, handed out a few per test so every run has work. */
  let open: string[];
  const take = (n: number) => open.splice(0, n);

  beforeAll(async () => {
    d = await startTestDaemon(
      { tenants: 3, findings: 600, drift: 0.3 },
      { OPS_CHUNK_SIZE: '2' },
      { approvals: 'product-default' },
    );
    operator = d.client((await d.signIn('operator@ops.local')).cookie);
    approver = d.client((await d.signIn('approver@ops.local')).cookie);
    env = { DATABASE_URL: d.t.url, OPS_CHUNK_SIZE: '2' };
    open = (
      await d.t.sql<{ id: string }>(
        `SELECT f.id::text AS id FROM findings f JOIN tenants t ON t.id = f.tenant_id
          WHERE t.external_id LIKE 'tenant-%' AND f.status IS DISTINCT FROM 'closed' ORDER BY f.id LIMIT 40`,
      )
    ).map((r) => r.id);
    expect(open.length).toBe(40);
  }, 120_000);
  afterAll(() => d?.stop());

  const statusOf = async (ids: readonly string[]) =>
    (
      await d.t.sql<{ status: string }>('SELECT DISTINCT status FROM findings WHERE id = ANY($1::bigint[])', [
        ids,
      ])
    ).map((r) => r.status);

  /** Preflights the file and requests an all-tenants run of it as the operator; the approver approves. */
  async function approvedRequest(fileName: string, text: string) {
    const preflight = await operator.runbooks.preflight.mutate({
      runbookId: CSV_RUNBOOK,
      scope: ALL,
      input: { fileName, text },
    });
    const request = await operator.approvals.request.mutate({
      runbookId: CSV_RUNBOOK,
      scope: ALL,
      ...REASON,
      preflightAffectedCount: preflight.affected_count,
      input: { fileName, text },
    });
    await approver.approvals.approve.mutate({ id: request.id, comment: 'incident list checked' });
    return request;
  }

  it('keeps the validated file with the request, shows it, and starts the run on it through the API', async () => {
    const ids = take(3);
    const text = csvOf(ids);
    const missing = await errorOf(
      operator.approvals.request.mutate({
        runbookId: CSV_RUNBOOK,
        scope: ALL,
        ...REASON,
        preflightAffectedCount: 3,
      }),
    );
    expect(missing).toMatchObject({ code: 'BAD_REQUEST', data: { field: 'input' } });
    expect(missing.message).toContain('needs a CSV file');
    const bad = await errorOf(
      operator.approvals.request.mutate({
        runbookId: CSV_RUNBOOK,
        scope: ALL,
        ...REASON,
        preflightAffectedCount: 3,
        input: { fileName: 'bad.csv', text: `finding_id,note\n${ids[0]},ok\nabc,x\n` },
      }),
    );
    expect(bad).toMatchObject({ code: 'BAD_REQUEST', data: { field: 'input' } });
    expect(bad.message).toBe('input file bad.csv: line 3, column finding_id: must be an integer (got "abc")');
    expect(await d.t.sql('SELECT id FROM ops.run_requests')).toEqual([]);

    const request = await approvedRequest('incident.csv', text);
    const expected = { file_name: 'incident.csv', sha256: sha256Of(text), row_count: 3 };
    expect(request.input).toMatchObject(expected);
    const [stored] = await d.t.sql<{ rows: { finding_id: number }[] }>(
      'SELECT rows FROM ops.run_request_inputs WHERE request_id = $1',
      [request.id],
    );
    expect(stored!.rows.map((r) => String(r.finding_id))).toEqual(ids);
    const [requested] = await d.t.sql<{ details: Record<string, unknown> }>(
      "SELECT details FROM ops.audit_events WHERE action = 'approval.requested' ORDER BY id DESC LIMIT 1",
    );
    expect(requested!.details).toMatchObject({ requestId: request.id, input: expected });
    // The approver sees the file on the request they decide.
    expect(await approver.approvals.get.query({ id: request.id })).toMatchObject({
      status: 'approved',
      input: expected,
    });

    const { runId } = await operator.approvals.start.mutate({ id: request.id });
    const run = await waitFor(async () => {
      const r = await operator.runs.get.query({ id: runId });
      return r.status === 'completed' ? r : undefined;
    });
    expect(run.outcome).toBe('succeeded');
    expect(run.context).toMatchObject({
      input: expected,
      approval: {
        request_id: request.id,
        requested_by: 'operator@ops.local',
        approved_by: 'approver@ops.local',
      },
    });
    expect(await statusOf(ids)).toEqual(['closed']);
    expect(await operator.approvals.get.query({ id: request.id })).toMatchObject({
      status: 'started',
      runId,
    });

    // `runs show --json` carries the approval next to the file.
    const shown = await runCli(['runs', 'show', runId, '--json'], env);
    expect(shown.code, tail(shown)).toBe(0);
    expect(shown.json()).toMatchObject({
      input: expected,
      approval: { request_id: request.id, approved_by: 'approver@ops.local' },
    });
  });

  it('exec --approval runs the request’s file and refuses a different one', async () => {
    const ids = take(4);
    const text = csvOf(ids);
    const request = await approvedRequest('list.csv', text);

    const other = writeTempFile('list.csv', csvOf(take(4)));
    const refused = await runCli(
      ['exec', CSV_RUNBOOK, '--approval', request.id, '--input', other, '--json'],
      env,
    );
    expect(refused.code, tail(refused)).toBe(2);
    expect(refused.json<{ error: { message: string } }>().error.message).toBe(
      `run request ${request.id} was approved for input file list.csv (sha256 ${sha256Of(text)}); the command asks for another run — repeat the request's exact runbook, scope and parameters`,
    );
    expect(await operator.approvals.get.query({ id: request.id })).toMatchObject({
      status: 'approved',
      runId: null,
    });
    expect(await statusOf(ids)).not.toContain('closed');

    // The same bytes under any name use the approval.
    const same = writeTempFile('renamed.csv', text);
    const ran = await runCli(['exec', CSV_RUNBOOK, '--approval', request.id, '--input', same, '--json'], env);
    expect(ran.code, tail(ran)).toBe(0);
    const result = ran.json<{ run_id: string; outcome: string }>();
    expect(result.outcome).toBe('succeeded');
    expect(await statusOf(ids)).toEqual(['closed']);
    const shown = await runCli(['runs', 'show', result.run_id, '--json'], env);
    expect(shown.json()).toMatchObject({
      input: { file_name: 'list.csv', sha256: sha256Of(text), row_count: 4 },
      approval: { request_id: request.id, approved_by: 'approver@ops.local' },
    });
  });

  it('exec --approval without --input runs the file stored with the request', async () => {
    const ids = take(2);
    const text = csvOf(ids);
    const request = await approvedRequest('stored.csv', text);
    const ran = await runCli(['exec', CSV_RUNBOOK, '--approval', request.id, '--json'], env);
    expect(ran.code, tail(ran)).toBe(0);
    const result = ran.json<{ run_id: string; outcome: string }>();
    expect(result.outcome).toBe('succeeded');
    expect(await statusOf(ids)).toEqual(['closed']);
    const run = await operator.runs.get.query({ id: result.run_id });
    expect(run.context).toMatchObject({
      input: { file_name: 'stored.csv', sha256: sha256Of(text), row_count: 2 },
      approval: { request_id: request.id },
    });
  });
});
