import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API_MAX_BATCH_SIZE } from '../../apps/daemon/src/api/index.ts';
import { MAX_BATCH_ITEMS } from '../../apps/desktop/src/renderer/api/batch-limit.ts';
import { RUNBOOK } from '../support/api-helpers.ts';
import { waitFor } from '../support/cli.ts';
import { startTestDaemon, type TestDaemon } from '../support/daemon.ts';

// Bounded API concurrency (issue 10): a burst of exact preflights never holds the daemon's whole
// pool, identical ones share one query, and /healthz and sign-in never wait behind them. The
// preflights are held deterministically behind a table lock taken by the test, never by sleeping.

let d: TestDaemon;
let cookie: string;
let tenantIds: number[];

beforeAll(async () => {
  d = await startTestDaemon(
    { tenants: 5, findings: 1000 },
    // The daemon's pool has 6 connections (2 workers + 4): 3 preflights and 3 estimates fill it.
    { OPS_PREFLIGHT_CONCURRENCY: '3', OPS_PREFLIGHT_QUEUE: '1' },
  );
  cookie = (await d.signIn('operator@ops.local')).cookie;
  tenantIds = (
    await d.t.sql<{ id: number }>(`SELECT id FROM public.tenants WHERE external_id <> 'platform' ORDER BY id`)
  ).map((r) => Number(r.id));
});

afterAll(async () => {
  await d?.stop();
});

type Scope = { kind: 'all' } | { kind: 'tenant'; tenantId: number };

interface BatchAnswer {
  status: number;
  items: {
    result?: { data: { affected_count: number } };
    error?: { message: string; data: { code: string; httpStatus: number } };
  }[];
}

/** One HTTP request carrying several calls of `procedure`, as a batching client sends them. */
async function batch(
  procedure: 'runbooks.preflight' | 'runbooks.estimate',
  scopes: Scope[],
): Promise<BatchAnswer> {
  const paths = scopes.map(() => procedure).join(',');
  const input = JSON.stringify(
    Object.fromEntries(scopes.map((scope, i) => [i, { runbookId: RUNBOOK, scope }])),
  );
  const headers = { origin: d.url, cookie };
  const res =
    procedure === 'runbooks.estimate'
      ? await fetch(`${d.url}/system/api/trpc/${paths}?batch=1&input=${encodeURIComponent(input)}`, {
          headers,
        })
      : await fetch(`${d.url}/system/api/trpc/${paths}?batch=1`, {
          method: 'POST',
          headers: { ...headers, 'content-type': 'application/json' },
          body: input,
        });
  const json = await res.json();
  return { status: res.status, items: Array.isArray(json) ? json : [json] };
}

/** Holds an exclusive lock on the findings table: every preflight waits on it until `release`. */
async function blockFindings(): Promise<{ release(): Promise<void> }> {
  const client = new pg.Client({ connectionString: d.t.url });
  await client.connect();
  await client.query('BEGIN');
  await client.query('LOCK TABLE public.findings IN ACCESS EXCLUSIVE MODE');
  return {
    async release() {
      await client.query('COMMIT');
      await client.end();
    },
  };
}

/** The daemon's queries waiting on the test's lock: the preflights and estimates actually running. */
async function queriesWaiting(): Promise<number> {
  const rows = await d.t.sql<{ n: number }>(
    `SELECT count(*)::int AS n FROM pg_stat_activity
      WHERE datname = current_database() AND application_name = 'ops-daemon' AND wait_event_type = 'Lock'`,
  );
  return rows[0]!.n;
}

async function preflightAudits(): Promise<number> {
  const rows = await d.t.sql<{ n: number }>(
    `SELECT count(*)::int AS n FROM ops.audit_events WHERE action = 'runbook.preflight'`,
  );
  return rows[0]!.n;
}

describe('bounded API concurrency', () => {
  it('the console batches no more calls than the daemon accepts', () => {
    expect(MAX_BATCH_ITEMS).toBe(API_MAX_BATCH_SIZE);
  });

  it('refuses a batch larger than the limit with 400 naming the limit, before running any call', async () => {
    const before = await preflightAudits();
    const scopes = Array.from({ length: API_MAX_BATCH_SIZE + 1 }, (): Scope => ({ kind: 'all' }));
    const answer = await batch('runbooks.preflight', scopes);
    expect(answer.status).toBe(400);
    expect(answer.items[0]!.error!.message).toBe(
      `batch: at most ${API_MAX_BATCH_SIZE} calls in one request; send the others in another request`,
    );
    expect(await preflightAudits()).toBe(before);
  });

  it('runs identical preflights once, caps distinct ones, and answers /healthz and sign-in while they hold the whole pool', async () => {
    const [a, b, c, e] = tenantIds as [number, number, number, number];
    const auditsBefore = await preflightAudits();
    const lock = await blockFindings();
    let released = false;
    try {
      // Nine callers, three distinct preflights: with single flight they fit the limit of 3.
      const sharedScopes: Scope[] = [
        { kind: 'all' },
        { kind: 'tenant', tenantId: a },
        { kind: 'tenant', tenantId: b },
      ];
      const shared = batch('runbooks.preflight', [...sharedScopes, ...sharedScopes, ...sharedScopes]);
      shared.catch(() => {}); // awaited below; a failed assertion before that must not leave it unhandled
      // Their estimates have slots of their own: with them, all six connections of the pool wait.
      const estimates = batch('runbooks.estimate', sharedScopes);
      estimates.catch(() => {});
      await waitFor(async () => ((await queriesWaiting()) === 6 ? true : undefined), 30_000, 'six queries');

      // Every preflight slot is taken: the next distinct one waits (queue of 1), the one after is refused.
      const overflow = batch('runbooks.preflight', [
        { kind: 'tenant', tenantId: c },
        { kind: 'tenant', tenantId: e },
      ]);
      overflow.catch(() => {});

      const health = await fetch(`${d.url}/healthz`);
      expect(health.status).toBe(200);
      expect(await health.json()).toEqual({ status: 'ok' });
      const viewer = await d.signIn('viewer@ops.local'); // throws unless 200
      expect(await d.client(viewer.cookie).me.get.query()).toMatchObject({
        user: { email: 'viewer@ops.local' },
      });
      expect(await queriesWaiting()).toBe(6); // never more, whatever is asked

      await lock.release();
      released = true;
      const first = await shared;
      expect(first.status).toBe(200);
      const counts = first.items.map((item) => item.result?.data.affected_count);
      expect(counts.every((n) => typeof n === 'number' && n > 0)).toBe(true);
      expect(counts.slice(3)).toEqual([...counts.slice(0, 3), ...counts.slice(0, 3)]);
      expect((await estimates).status).toBe(200);

      const second = await overflow;
      expect(second.status).toBe(207); // mixed: one answered, one refused
      expect(second.items[0]!.result?.data.affected_count).toBeGreaterThan(0);
      expect(second.items[1]!.error).toMatchObject({
        message:
          'this daemon is already running 3 exact preflights with 1 more waiting (at most 3 at once); try again when one has finished',
        data: { code: 'TOO_MANY_REQUESTS', httpStatus: 429 },
      });
      // Every caller that got an answer is audited, shared query or not; the refused one is not.
      expect(await preflightAudits()).toBe(auditsBefore + 9 + 1);
    } finally {
      if (!released) await lock.release();
    }
  });
});
