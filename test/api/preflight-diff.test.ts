import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Api, errorOf, RUNBOOK } from '../support/api-helpers.ts';
import { startTestDaemon, type TestDaemon } from '../support/daemon.ts';

// runbooks.diff (issue 14) over real HTTP: the change sample, its limit rule (400 naming `limit`),
// null for a runbook without sampleChanges, audited as a preflight read, and writing nothing.
describe('runbooks.diff', () => {
  let d: TestDaemon;
  let api: Api;

  beforeAll(async () => {
    d = await startTestDaemon({ tenants: 5, findings: 1500 });
    api = d.client((await d.signIn('operator@ops.local')).cookie);
  });
  afterAll(() => d?.stop());

  const checksum = async () =>
    (
      await d.t.sql<{ md5: string }>(
        `SELECT md5(coalesce(string_agg(f::text, '|' ORDER BY f.id), '')) AS md5 FROM public.findings f`,
      )
    )[0]!.md5;

  it('returns up to `limit` findings over several tenants, the same twice, writing nothing', async () => {
    const before = await checksum();
    const first = await api.runbooks.diff.mutate({ runbookId: RUNBOOK, scope: { kind: 'all' }, limit: 10 });
    expect(first.limit).toBe(10);
    expect(new Set(first.diff!.map((r) => r.key)).size).toBe(10);
    expect(new Set(first.diff!.map((r) => r.tenant)).size).toBeGreaterThanOrEqual(4);
    const again = await api.runbooks.diff.mutate({ runbookId: RUNBOOK, scope: { kind: 'all' }, limit: 10 });
    expect(again.diff).toEqual(first.diff);
    expect(await checksum()).toBe(before);
    const [audited] = await d.t.sql<{ details: { read: string; limit: number; keys: number } }>(
      `SELECT details FROM ops.audit_events WHERE action = 'runbook.preflight' AND details->>'read' = 'change sample'
        ORDER BY id DESC LIMIT 1`,
    );
    expect(audited!.details).toMatchObject({ read: 'change sample', limit: 10, keys: 10 });
  });

  it('defaults to 20 and refuses a limit outside 1..100 with 400 naming it', async () => {
    const sample = await api.runbooks.diff.mutate({ runbookId: RUNBOOK, scope: { kind: 'all' } });
    expect(sample.limit).toBe(20);
    for (const limit of [0, 101, 2.5]) {
      const error = await errorOf(
        api.runbooks.diff.mutate({ runbookId: RUNBOOK, scope: { kind: 'all' }, limit }),
      );
      expect(error.code, String(limit)).toBe('BAD_REQUEST');
      expect(error.data.field).toBe('limit');
      expect(error.data.httpStatus).toBe(400);
    }
  });

  it('is null for a runbook without sampleChanges', async () => {
    const none = await api.runbooks.diff.mutate({
      runbookId: 'findings.events.dedupe',
      scope: { kind: 'all' },
      limit: 5,
    });
    expect(none.diff).toBeNull();
  });
});
