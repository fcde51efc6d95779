import type { ResolvedScope } from '@ops/runbook-sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../../test/support/database.ts';
import { backfill, CREATED_AT, type Fixtures, fixtures, lifecycleOf, preflight } from './test-fixtures.ts';

// One rule per test. Each test has a tenant of its own and runs the tenant-scoped runbook on it,
// so tests do not see each other's findings.
describe('lifecycle derivation', () => {
  let t: TestDatabase;
  let fx: Fixtures;
  let tenants = 0;
  beforeAll(async () => {
    t = await createTestDatabase();
    fx = fixtures(t);
  });
  afterAll(() => t.drop());

  async function newTenant(): Promise<{ id: string; scope: ResolvedScope }> {
    tenants += 1;
    return fx.tenant(`tenant-${tenants}`);
  }

  it('maps legacy statuses exactly and case-sensitively, and NULL or any other value to new', async () => {
    const { id, scope } = await newTenant();
    const expected: Array<[string | null, string]> = [
      ['open', 'new'],
      ['acknowledged', 'triaged'],
      ['closed', 'resolved'],
      [null, 'new'],
      ['Open', 'new'],
      ['ACKNOWLEDGED', 'new'],
      ['Closed', 'new'],
      ['closed ', 'new'],
      ['wontfix', 'new'],
    ];
    const ids: string[] = [];
    for (const [status] of expected) {
      const f = await fx.finding(id, { status });
      await fx.events(f, [['detected', '2024-02-01 10:00:00.000001+00']]);
      ids.push(f);
    }
    await backfill(t, scope);
    for (const [i, [, status]] of expected.entries()) {
      expect((await lifecycleOf(t, ids[i]!)).status).toBe(status);
    }
  });

  it('keeps a workflow status that the history does not override', async () => {
    const { id, scope } = await newTenant();
    const statuses = ['new', 'triaged', 'in_progress', 'risk_accepted', 'reopened'];
    const ids: string[] = [];
    for (const status of statuses) {
      const f = await fx.finding(id, { status });
      await fx.events(f, [['detected', '2024-02-01 10:00:00.000001+00']]);
      ids.push(f);
    }
    await backfill(t, scope);
    for (const [i, status] of statuses.entries()) expect((await lifecycleOf(t, ids[i]!)).status).toBe(status);
  });

  it('resolves a finding whose latest event is resolved, at that event', async () => {
    const { id, scope } = await newTenant();
    const f = await fx.finding(id, { status: 'in_progress' });
    await fx.events(f, [
      ['detected', '2024-02-01 10:00:00.000001+00'],
      ['resolved', '2024-02-02 10:00:00.000002+00'],
      ['detected', '2024-02-03 10:00:00.000003+00'],
      ['resolved', '2024-02-04 10:00:00.000004+00'],
    ]);
    await backfill(t, scope);
    expect(await lifecycleOf(t, f)).toMatchObject({
      status: 'resolved',
      resolved_at: '2024-02-04 10:00:00.000004',
      last_seen_at: '2024-02-03 10:00:00.000003',
      times_seen: 2,
    });
  });

  it('reopens a resolved finding detected again after a resolved event', async () => {
    const { id, scope } = await newTenant();
    const resolved = await fx.finding(id, { status: 'resolved', resolved_at: '2024-02-02 10:00:00+00' });
    const closed = await fx.finding(id, { status: 'closed' });
    for (const f of [resolved, closed]) {
      await fx.events(f, [
        ['detected', '2024-02-01 10:00:00.000001+00'],
        ['resolved', '2024-02-02 10:00:00.000002+00'],
        ['detected', '2024-02-03 10:00:00.000003+00'],
      ]);
    }
    await backfill(t, scope);
    for (const f of [resolved, closed]) {
      expect(await lifecycleOf(t, f)).toMatchObject({ status: 'reopened', resolved_at: null });
    }
  });

  it('keeps a manual resolution (resolved, no resolved event) resolved at the last sighting', async () => {
    const { id, scope } = await newTenant();
    const f = await fx.finding(id, { status: 'resolved' });
    await fx.events(f, [
      ['detected', '2024-02-01 10:00:00.000001+00'],
      ['detected', '2024-02-05 10:00:00.123456+00'],
    ]);
    await backfill(t, scope);
    expect(await lifecycleOf(t, f)).toMatchObject({
      status: 'resolved',
      resolved_at: '2024-02-05 10:00:00.123456',
      last_seen_at: '2024-02-05 10:00:00.123456',
    });
  });

  it('keeps risk_accepted even when the latest event is resolved, with no resolved_at', async () => {
    const { id, scope } = await newTenant();
    const f = await fx.finding(id, { status: 'risk_accepted', resolved_at: '2024-02-02 10:00:00+00' });
    await fx.events(f, [
      ['detected', '2024-02-01 10:00:00.000001+00'],
      ['resolved', '2024-02-02 10:00:00.000002+00'],
    ]);
    await backfill(t, scope);
    expect(await lifecycleOf(t, f)).toMatchObject({ status: 'risk_accepted', resolved_at: null });
  });

  it('derives seen fields and the count from detected events only', async () => {
    const { id, scope } = await newTenant();
    const f = await fx.finding(id, { status: 'new' });
    await fx.events(f, [
      ['detected', '2024-02-03 10:00:00.000003+00'],
      ['detected', '2024-02-01 10:00:00.000001+00'],
      ['resolved', '2024-01-20 10:00:00+00'],
      ['detected', '2024-02-02 10:00:00.000002+00'],
    ]);
    await backfill(t, scope);
    expect(await lifecycleOf(t, f)).toEqual({
      status: 'new',
      first_seen_at: '2024-02-01 10:00:00.000001',
      last_seen_at: '2024-02-03 10:00:00.000003',
      times_seen: 3,
      resolved_at: null,
      due_at: '2024-02-08 10:00:00.000001',
      lifecycle_version: 1,
    });
  });

  it('uses created_at for first and last seen and counts 1 time seen when a finding has no events', async () => {
    const { id, scope } = await newTenant();
    const f = await fx.finding(id, { severity: 'critical', status: 'open', times_seen: 0 });
    await backfill(t, scope);
    expect(await lifecycleOf(t, f)).toEqual({
      status: 'new',
      first_seen_at: '2024-01-01 00:00:00.000001',
      last_seen_at: '2024-01-01 00:00:00.000001',
      times_seen: 1,
      resolved_at: null,
      due_at: '2024-01-04 00:00:00.000001',
      lifecycle_version: 1,
    });
    expect(CREATED_AT).toContain('2024-01-01 00:00:00.000001');
  });

  it('resolves a finding with only resolved events at its latest resolved event, seen at created_at', async () => {
    const { id, scope } = await newTenant();
    const f = await fx.finding(id, { status: null });
    await fx.events(f, [
      ['resolved', '2024-02-02 10:00:00.000002+00'],
      ['resolved', '2024-02-01 10:00:00.000001+00'],
    ]);
    await backfill(t, scope);
    expect(await lifecycleOf(t, f)).toMatchObject({
      status: 'resolved',
      first_seen_at: '2024-01-01 00:00:00.000001',
      last_seen_at: '2024-01-01 00:00:00.000001',
      times_seen: 1,
      resolved_at: '2024-02-02 10:00:00.000002',
    });
  });

  it('breaks a tie on observed_at by the higher event id', async () => {
    const { id, scope } = await newTenant();
    const at = '2024-02-02 10:00:00.654321+00';
    const resolvedLast = await fx.finding(id, { status: 'new' });
    await fx.events(resolvedLast, [
      ['detected', '2024-02-01 10:00:00+00'],
      ['detected', at],
      ['resolved', at],
    ]);
    const detectedLast = await fx.finding(id, { status: 'resolved' });
    await fx.events(detectedLast, [
      ['detected', '2024-02-01 10:00:00+00'],
      ['resolved', at],
      ['detected', at],
    ]);
    await backfill(t, scope);
    expect(await lifecycleOf(t, resolvedLast)).toMatchObject({
      status: 'resolved',
      resolved_at: '2024-02-02 10:00:00.654321',
    });
    expect(await lifecycleOf(t, detectedLast)).toMatchObject({ status: 'reopened', resolved_at: null });
  });

  it('ignores events of other kinds, including near-misses of the counted kinds', async () => {
    const { id, scope } = await newTenant();
    const f = await fx.finding(id, { status: 'new' });
    await fx.events(f, [
      ['detected', '2024-02-01 10:00:00.000001+00'],
      ['commented', '2024-02-05 10:00:00+00'],
      ['Resolved', '2024-02-06 10:00:00+00'],
      ['Detected', '2024-02-07 10:00:00+00'],
      ['reopened', '2024-02-08 10:00:00+00'],
    ]);
    // A later event of another kind must not pass for the latest (a detected one would reopen).
    const resolvedThenOther = await fx.finding(id, { status: 'resolved' });
    await fx.events(resolvedThenOther, [
      ['detected', '2024-02-01 10:00:00.000001+00'],
      ['resolved', '2024-02-02 10:00:00.000002+00'],
      ['commented', '2024-02-03 10:00:00+00'],
    ]);
    const onlyOthers = await fx.finding(id, { status: 'closed' });
    await fx.events(onlyOthers, [['resolved ', '2024-02-06 10:00:00+00']]);
    await backfill(t, scope);
    expect(await lifecycleOf(t, f)).toMatchObject({
      status: 'new',
      first_seen_at: '2024-02-01 10:00:00.000001',
      last_seen_at: '2024-02-01 10:00:00.000001',
      times_seen: 1,
      resolved_at: null,
    });
    expect(await lifecycleOf(t, resolvedThenOther)).toMatchObject({
      status: 'resolved',
      resolved_at: '2024-02-02 10:00:00.000002',
    });
    // No counted events: a closed finding is a manual resolution at created_at.
    expect(await lifecycleOf(t, onlyOthers)).toMatchObject({
      status: 'resolved',
      times_seen: 1,
      resolved_at: '2024-01-01 00:00:00.000001',
    });
  });

  it("matches events by finding_id, not by the events' tenant_id copy", async () => {
    const { id, scope } = await newTenant();
    const other = await newTenant();
    const f = await fx.finding(id, { status: 'new' });
    await fx.events(f, [['detected', '2024-02-01 10:00:00.000001+00']]);
    await t.sql(
      `INSERT INTO public.finding_events (finding_id, tenant_id, kind, observed_at)
       VALUES ($1::bigint, $2::bigint, 'resolved', '2024-02-02 10:00:00.000002+00')`,
      [f, other.id],
    );
    await backfill(t, scope);
    expect(await lifecycleOf(t, f)).toMatchObject({
      status: 'resolved',
      resolved_at: '2024-02-02 10:00:00.000002',
    });
  });

  it('sets due_at from first_seen_at by severity SLA: critical 3, high 7, medium 30, low 90 days', async () => {
    const { id, scope } = await newTenant();
    const bySeverity: Array<[string, string]> = [
      ['critical', '2024-03-04 08:30:00.000007'],
      ['high', '2024-03-08 08:30:00.000007'],
      ['medium', '2024-03-31 08:30:00.000007'],
      ['low', '2024-05-30 08:30:00.000007'],
    ];
    const ids: string[] = [];
    for (const [severity] of bySeverity) {
      const f = await fx.finding(id, { severity, status: 'new' });
      await fx.events(f, [['detected', '2024-03-01 08:30:00.000007+00']]);
      ids.push(f);
    }
    await backfill(t, scope);
    for (const [i, [, dueAt]] of bySeverity.entries())
      expect((await lifecycleOf(t, ids[i]!)).due_at).toBe(dueAt);
  });

  it('sets no due_at for info severity', async () => {
    const { id, scope } = await newTenant();
    const f = await fx.finding(id, { severity: 'info', status: 'new', due_at: '2024-03-04 00:00:00+00' });
    await fx.events(f, [['detected', '2024-03-01 08:30:00.000007+00']]);
    await backfill(t, scope);
    expect(await lifecycleOf(t, f)).toMatchObject({ due_at: null, lifecycle_version: 1 });
  });

  it('sets no due_at for an unknown severity, matched case-sensitively', async () => {
    const { id, scope } = await newTenant();
    const ids: string[] = [];
    for (const severity of ['Critical', 'urgent', '']) {
      const f = await fx.finding(id, { severity, status: 'new', due_at: '2024-03-04 00:00:00+00' });
      await fx.events(f, [['detected', '2024-03-01 08:30:00.000007+00']]);
      ids.push(f);
    }
    await backfill(t, scope);
    for (const f of ids) expect((await lifecycleOf(t, f)).due_at).toBeNull();
  });

  it('counts days as exactly 24 hours even across a DST change in the session time zone', async () => {
    const { id, scope } = await newTenant();
    const ids: Array<[string, number]> = [];
    for (const [severity, days] of [
      ['critical', 3],
      ['high', 7],
      ['medium', 30],
      ['low', 90],
    ] as const) {
      const f = await fx.finding(id, { severity, status: 'new' });
      // 2024-03-10 is the US spring-forward day; calendar days in New York would be 23 hours long.
      await fx.events(f, [['detected', '2024-03-08 12:00:00.000001+00']]);
      ids.push([f, days]);
    }
    const client = await t.db.pool.connect();
    try {
      await client.query(`SET TimeZone = 'America/New_York'`);
      await backfill(t, scope, { client });
      await client.query('RESET TimeZone');
    } finally {
      client.release();
    }
    for (const [f, days] of ids) {
      const [row] = await t.sql<{ hours: string }>(
        `SELECT extract(epoch FROM due_at - first_seen_at) / 3600 AS hours FROM public.findings WHERE id = $1::bigint`,
        [f],
      );
      expect(Number(row!.hours)).toBe(24 * days);
    }
  });

  it('converges with microsecond timestamps: a second pass updates 0', async () => {
    const { id, scope } = await newTenant();
    const f = await fx.finding(id, {
      status: 'resolved',
      // Drift below a millisecond: a JavaScript Date could not even see it.
      first_seen_at: '2024-02-01 10:00:00.123456+00',
      last_seen_at: '2024-02-02 10:00:00.999999+00',
      times_seen: 2,
      resolved_at: '2024-02-03 10:00:00.000001+00',
      due_at: '2024-02-08 10:00:00.123456+00',
      lifecycle_version: 1,
    });
    await fx.events(f, [
      ['detected', '2024-02-01 10:00:00.123457+00'],
      ['detected', '2024-02-02 10:00:00.999999+00'],
      ['resolved', '2024-02-03 10:00:00.000001+00'],
    ]);
    expect((await preflight(t, scope)).affected_count).toBe(1);
    expect((await backfill(t, scope)).updated_count).toBe(1);
    expect(await lifecycleOf(t, f)).toMatchObject({
      first_seen_at: '2024-02-01 10:00:00.123457',
      due_at: '2024-02-08 10:00:00.123457',
    });
    expect((await backfill(t, scope)).updated_count).toBe(0);
    expect((await preflight(t, scope)).affected_count).toBe(0);
  });

  it('does not count a finding whose lifecycle fields already equal the derivation', async () => {
    const { id, scope } = await newTenant();
    const f = await fx.finding(id, {
      severity: 'medium',
      status: 'triaged',
      first_seen_at: '2024-02-01 10:00:00.000001+00',
      last_seen_at: '2024-02-01 10:00:00.000001+00',
      times_seen: 1,
      due_at: '2024-03-02 10:00:00.000001+00',
      lifecycle_version: 1,
    });
    await fx.events(f, [['detected', '2024-02-01 10:00:00.000001+00']]);
    expect(await preflight(t, scope)).toEqual({ affected_count: 0, total_scanned: 1, estimated_tenants: 0 });
    expect((await backfill(t, scope)).updated_count).toBe(0);
  });
});
