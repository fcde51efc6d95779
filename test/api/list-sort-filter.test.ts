import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callProcedure, startTestDaemon, type TestDaemon } from '../support/daemon.ts';
import { recordRunHistory } from '../support/run-history.ts';

// Issue 12: the runs and audit lists sort, filter and page on the server, so an order or a filter
// holds across pages (not only on the loaded one), and bad list input is a 400 naming the field.

const COUNT = 29;

describe('runs.list and audit.list: server-side sorting, filtering and paging', () => {
  let d: TestDaemon;
  let api: ReturnType<TestDaemon['client']>;
  let cookie: string;
  let byStart: string[];

  beforeAll(async () => {
    d = await startTestDaemon({ tenants: 2, findings: 50 });
    ({ cookie } = await d.signIn('operator@ops.local'));
    api = d.client(cookie);
    byStart = await recordRunHistory(d.t, COUNT);
    for (let i = 0; i < 12; i++) {
      await d.t.sql(
        `INSERT INTO ops.audit_events (action, actor_label, run_id, runbook_id, occurred_at)
         VALUES ($1, $2, $3, 'findings.lifecycle.backfill', timestamptz '2026-02-01' + interval '1 minute' * $4)`,
        [
          i % 2 ? 'run.started' : 'run.completed',
          i % 3 ? 'operator@ops.local' : 'system:cli',
          byStart[i],
          (i * 5) % 12,
        ],
      );
    }
  });
  afterAll(() => d.stop());

  /** Every page of a list, following nextCursor; the ids in the order served. */
  async function allPages(
    list: (cursor: string | undefined) => Promise<{ items: { id: string }[]; nextCursor: string | null }>,
  ): Promise<string[][]> {
    const pages: string[][] = [];
    let cursor: string | undefined;
    do {
      const page = await list(cursor);
      pages.push(page.items.map((r) => r.id));
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    return pages;
  }

  it('sorts runs by Started ascending across pages: the earliest started run comes first', async () => {
    const pages = await allPages((cursor) =>
      api.runs.list.query({ limit: 10, sort: 'started', direction: 'asc', ...(cursor ? { cursor } : {}) }),
    );
    expect(pages.map((p) => p.length)).toEqual([10, 10, 9]);
    expect(pages.flat()).toEqual(byStart);
    expect(pages[0]![0]).toBe(String(COUNT)); // not #1, not the first of a page sorted on its own
  });

  it('keeps newest first (by id) when no sort is given', async () => {
    const { items } = await api.runs.list.query({ limit: 5 });
    expect(items.map((r) => r.id)).toEqual(['29', '28', '27', '26', '25']);
  });

  it('pages back with `before` to exactly the page it came from', async () => {
    const first = await api.runs.list.query({ limit: 10, sort: 'started', direction: 'desc' });
    expect(first.prevCursor).toBeNull();
    const second = await api.runs.list.query({
      limit: 10,
      sort: 'started',
      direction: 'desc',
      cursor: first.nextCursor!,
    });
    expect(second.prevCursor).toBe(second.items[0]!.id);
    const back = await api.runs.list.query({
      limit: 10,
      sort: 'started',
      direction: 'desc',
      before: second.prevCursor!,
    });
    expect(back.items.map((r) => r.id)).toEqual(first.items.map((r) => r.id));
    expect(back.prevCursor).toBeNull();
    expect(back.nextCursor).toBe(first.nextCursor);
  });

  it('sorts by a figure (updated) with ties broken by id, so no run is lost or repeated between pages', async () => {
    const pages = await allPages((cursor) =>
      api.runs.list.query({ limit: 7, sort: 'updated', direction: 'desc', ...(cursor ? { cursor } : {}) }),
    );
    const ids = pages.flat();
    expect(new Set(ids).size).toBe(COUNT);
    expect(ids.slice(0, 3)).toEqual(['29', '28', '27']); // updated_count = 10 · i
  });

  it('filters by actor (part of it, any case), runbook and status on the server, across pages', async () => {
    const pages = await allPages((cursor) =>
      api.runs.list.query({ limit: 4, actor: 'SYSTEM:', ...(cursor ? { cursor } : {}) }),
    );
    const ids = pages.flat();
    expect(ids.length).toBe(10); // i % 3 = 1 for i in 1..29
    const { items } = await api.runs.list.query({ limit: 50, actor: 'system:' });
    expect(items.every((r) => r.actorLabel === 'system:cli')).toBe(true);
    const dedupe = await api.runs.list.query({ limit: 50, runbookId: 'findings.events.dedupe' });
    expect(dedupe.items.length).toBe(15);
    expect(dedupe.items.every((r) => r.type === 'findings.events.dedupe')).toBe(true);
    expect((await api.runs.list.query({ limit: 50, status: 'running' })).items).toEqual([]);
    // A LIKE wildcard in the filter is a plain character.
    expect((await api.runs.list.query({ limit: 50, actor: '%' })).items).toEqual([]);
  });

  it('sorts and filters the audit log on the server', async () => {
    const pages = await allPages((cursor) =>
      api.audit.list.query({
        limit: 5,
        sort: 'time',
        direction: 'asc',
        runbookId: 'findings.lifecycle.backfill',
        ...(cursor ? { cursor } : {}),
      }),
    );
    const { items } = await api.audit.list.query({
      limit: 50,
      sort: 'time',
      direction: 'asc',
      runbookId: 'findings.lifecycle.backfill',
    });
    expect(pages.flat()).toEqual(items.map((e) => e.id));
    expect(items.length).toBe(12);
    const times = items.map((e) => e.occurredAt);
    expect(times).toEqual([...times].sort());
    const cli = await api.audit.list.query({ limit: 50, actor: 'system:cli' });
    expect(cli.items.length).toBe(4);
    expect(cli.items.every((e) => e.actorLabel === 'system:cli')).toBe(true);
  });

  it.each([
    ['runs.list', { sort: 'color' }, 'sort', /must be one of id, runbook, status/],
    ['runs.list', { direction: 'up' }, 'direction', /must be asc or desc/],
    ['runs.list', { actor: 'x'.repeat(201) }, 'actor', /at most 200 characters/],
    ['runs.list', { status: 'sleeping' }, 'status', /./],
    ['runs.list', { cursor: 'abc' }, 'cursor', /must be an id/],
    ['runs.list', { before: '12x' }, 'before', /must be an id/],
    ['runs.list', { cursor: '1', before: '2' }, 'before', /either cursor or before/],
    ['runs.list', { cursor: '999999' }, 'cursor', /there is no run 999999/],
    ['runs.list', { limit: 0 }, 'limit', /./],
    ['audit.list', { sort: 'ip' }, 'sort', /must be one of time, action, actor, run, runbook/],
    ['audit.list', { direction: 'sideways' }, 'direction', /must be asc or desc/],
    ['audit.list', { before: '999999' }, 'before', /there is no audit event 999999/],
    ['audit.list', { actor: 'y'.repeat(201) }, 'actor', /at most 200 characters/],
  ] as const)('%s refuses %j with 400 naming %s', async (procedure, input, field, message) => {
    const res = await callProcedure(d.url, procedure, 'query', input, { cookie });
    expect(res.status).toBe(400);
    const { error } = (await res.json()) as { error: { message: string; data: { field: string } } };
    expect(error.data.field).toBe(field);
    expect(error.message).toMatch(message);
    expect(error.message).not.toMatch(/relation|syntax|sequelize|invalid input syntax/i);
  });
});
