import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../../../test/support/database.ts';
import {
  DEFAULT_SEED_OPTIONS,
  platformFindingCount,
  SeedOptionError,
  type SeedOptions,
  type SeedResult,
  seedDemoData,
  validateSeedOptions,
} from './index.ts';

const SMALL: SeedOptions = { tenants: 7, findings: 3000, drift: 0.3, seed: 42 };

// An independent reading of findings-lifecycle.md's derivation, over the rows actually stored
// (latest event by observed_at, ties by the higher id), to check what the seed computed itself.
const DERIVATION_CHECK = `
  WITH lifecycle_events AS (
    SELECT id, finding_id, kind, observed_at FROM public.finding_events WHERE kind IN ('detected', 'resolved')
  ), history AS (
    SELECT f.id,
      min(e.observed_at) FILTER (WHERE e.kind = 'detected') AS first_detected,
      max(e.observed_at) FILTER (WHERE e.kind = 'detected') AS last_detected,
      count(e.id) FILTER (WHERE e.kind = 'detected') AS detected,
      count(e.id) FILTER (WHERE e.kind = 'resolved') AS resolved,
      max(e.observed_at) FILTER (WHERE e.kind = 'resolved') AS last_resolved
    FROM public.findings f LEFT JOIN lifecycle_events e ON e.finding_id = f.id
    GROUP BY f.id
  ), latest AS (
    SELECT DISTINCT ON (finding_id) finding_id, kind
    FROM lifecycle_events ORDER BY finding_id, observed_at DESC, id DESC
  ), mapped AS (
    SELECT f.*, h.first_detected, h.last_detected, h.detected, h.resolved, h.last_resolved, l.kind AS latest_kind,
      CASE WHEN f.status IN ('new', 'triaged', 'in_progress', 'risk_accepted', 'resolved', 'reopened') THEN f.status
           WHEN f.status = 'open' THEN 'new' WHEN f.status = 'acknowledged' THEN 'triaged'
           WHEN f.status = 'closed' THEN 'resolved' ELSE 'new' END AS mapped_status
    FROM public.findings f JOIN history h USING (id) LEFT JOIN latest l ON l.finding_id = f.id
  ), derived AS (
    SELECT m.*,
      coalesce(first_detected, created_at) AS d_first_seen,
      coalesce(last_detected, created_at) AS d_last_seen,
      greatest(detected, 1) AS d_times_seen,
      CASE WHEN latest_kind = 'resolved' AND mapped_status <> 'risk_accepted' THEN 'resolved'
           WHEN latest_kind = 'detected' AND mapped_status = 'resolved' AND resolved > 0 THEN 'reopened'
           ELSE mapped_status END AS d_status
    FROM mapped m
  )
  SELECT d.id, t.external_id = 'platform' AS platform, d.lifecycle_version IS NULL AS version_missing,
    (d.status, d.first_seen_at, d.last_seen_at, d.times_seen, d.resolved_at, d.due_at, d.lifecycle_version)
      IS DISTINCT FROM
    (d.d_status, d.d_first_seen, d.d_last_seen, d.d_times_seen,
     CASE WHEN d.d_status = 'resolved' THEN coalesce(d.last_resolved, d.d_last_seen) END,
     d.d_first_seen + make_interval(hours => 24 * CASE d.severity WHEN 'critical' THEN 3 WHEN 'high' THEN 7
       WHEN 'medium' THEN 30 WHEN 'low' THEN 90 END),
     1) AS affected
  FROM derived d JOIN public.tenants t ON t.id = d.tenant_id`;

/** One digest over every column of the three tables, ids and timestamps included. */
const CHECKSUM = `
  SELECT md5(
    (SELECT string_agg(t::text, '|' ORDER BY t.id) FROM public.tenants t) ||
    (SELECT string_agg(f::text, '|' ORDER BY f.id) FROM public.findings f) ||
    (SELECT string_agg(e::text, '|' ORDER BY e.id) FROM public.finding_events e)
  ) AS checksum`;

async function count(t: TestDatabase, sql: string): Promise<number> {
  const rows = await t.sql<{ n: string }>(sql);
  return Number(rows[0]?.n);
}

describe('validateSeedOptions', () => {
  it('fills defaults and accepts numbers or decimal strings', () => {
    expect(validateSeedOptions({})).toEqual(DEFAULT_SEED_OPTIONS);
    expect(validateSeedOptions(undefined)).toEqual({ tenants: 50, findings: 20_000, drift: 0.3, seed: 1 });
    expect(validateSeedOptions({ tenants: '3', findings: '0', drift: '.5', seed: '-7' })).toEqual({
      tenants: 3,
      findings: 0,
      drift: 0.5,
      seed: -7,
    });
    expect(validateSeedOptions({ tenants: 100_000, findings: 10_000_000, drift: 1, seed: 0 })).toMatchObject({
      tenants: 100_000,
      findings: 10_000_000,
    });
  });

  it.each([
    [{ tenants: 0 }, 'tenants'],
    [{ tenants: 100_001 }, 'tenants'],
    [{ tenants: 2.5 }, 'tenants'],
    [{ tenants: 'ten' }, 'tenants'],
    [{ findings: -1 }, 'findings'],
    [{ findings: 10_000_001 }, 'findings'],
    [{ findings: '1e3' }, 'findings'],
    [{ drift: 1.01 }, 'drift'],
    [{ drift: -0.1 }, 'drift'],
    [{ drift: Number.NaN }, 'drift'],
    [{ drift: '' }, 'drift'],
    [{ seed: 1.5 }, 'seed'],
    [{ seed: 2 ** 53 }, 'seed'],
    [{ seed: null }, 'seed'],
    ['tenants=5', 'options'],
  ])('rejects %j naming %s', (raw, field) => {
    let caught: unknown;
    try {
      validateSeedOptions(raw);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(SeedOptionError);
    expect((caught as SeedOptionError).field).toBe(field);
    expect((caught as SeedOptionError).message).toContain(field);
  });

  it('is checked by seedDemoData before touching the database', async () => {
    const pool = { connect: () => Promise.reject(new Error('must not connect')) };
    await expect(seedDemoData(pool as never, { ...SMALL, drift: 2 })).rejects.toMatchObject({
      field: 'drift',
    });
  });
});

describe('seedDemoData on a fresh database', () => {
  let t: TestDatabase;
  let result: SeedResult;
  beforeAll(async () => {
    t = await createTestDatabase();
    result = await seedDemoData(t.db.pool, SMALL);
  });
  afterAll(() => t.drop());

  it('creates the tenants, the findings and their events', async () => {
    const platform = platformFindingCount(SMALL.findings);
    expect(result).toMatchObject({ tenants: 7, findings: 3000, platformFindings: platform });
    expect(await count(t, 'SELECT count(*) AS n FROM public.tenants')).toBe(8);
    const names = await t.sql<{ external_id: string; name: string }>(
      'SELECT external_id, name FROM public.tenants ORDER BY id LIMIT 3',
    );
    expect(names).toEqual([
      { external_id: 'platform', name: 'Platform' },
      { external_id: 'tenant-1', name: 'Acme 1' },
      { external_id: 'tenant-2', name: 'Globex 1' },
    ]);
    expect(await count(t, 'SELECT count(*) AS n FROM public.findings')).toBe(3000 + platform);
    expect(await count(t, 'SELECT count(*) AS n FROM public.finding_events')).toBe(
      result.events + result.platformEvents,
    );
    // Uneven on purpose: the biggest tenant has well over the mean share.
    const biggest = await count(
      t,
      'SELECT max(c) AS n FROM (SELECT count(*) AS c FROM public.findings GROUP BY tenant_id) x',
    );
    expect(biggest).toBeGreaterThan((3000 / 7) * 1.2);
  });

  it('gives the platform tenant a handful of findings, all drifted', async () => {
    const rows = await t.sql<{ total: string; drifted: string }>(
      `SELECT count(*) AS total, count(*) FILTER (WHERE f.lifecycle_version IS NULL) AS drifted
       FROM public.findings f JOIN public.tenants t ON t.id = f.tenant_id WHERE t.external_id = 'platform'`,
    );
    expect(Number(rows[0]?.total)).toBe(platformFindingCount(SMALL.findings));
    expect(Number(rows[0]?.total)).toBeGreaterThanOrEqual(5);
    expect(rows[0]?.drifted).toBe(rows[0]?.total);
  });

  it('drifts about drift × N customer findings, exactly those with lifecycle_version NULL', async () => {
    expect(Math.abs(result.drifted - SMALL.drift * SMALL.findings)).toBeLessThan(0.05 * SMALL.findings);
    expect(
      await count(
        t,
        `SELECT count(*) AS n FROM public.findings f JOIN public.tenants t ON t.id = f.tenant_id
         WHERE t.external_id <> 'platform' AND f.lifecycle_version IS NULL`,
      ),
    ).toBe(result.drifted);
  });

  it('stores the derivation exactly on non-drifted rows and differs from it on every drifted row', async () => {
    const rows = await t.sql<{ platform: boolean; version_missing: boolean; affected: boolean; n: string }>(
      `SELECT platform, version_missing, affected, count(*) AS n FROM (${DERIVATION_CHECK}) c
       GROUP BY 1, 2, 3 ORDER BY 1, 2, 3`,
    );
    const byKey = Object.fromEntries(
      rows.map((r) => [
        `${r.platform ? 'platform' : 'tenant'}:${r.version_missing}:${r.affected}`,
        Number(r.n),
      ]),
    );
    expect(byKey).toEqual({
      'tenant:false:false': SMALL.findings - result.drifted,
      'tenant:true:true': result.drifted,
      'platform:true:true': result.platformFindings,
    });
  });

  it('gives every finding 1 to 6 events, at least one of them detected or resolved', async () => {
    const rows = await t.sql<{
      min_all: number;
      max_all: number;
      min_lifecycle: number;
      max_lifecycle: number;
    }>(
      `SELECT min(a) AS min_all, max(a) AS max_all, min(l) AS min_lifecycle, max(l) AS max_lifecycle
       FROM (SELECT f.id, count(e.id)::int AS a,
                    count(e.id) FILTER (WHERE e.kind IN ('detected', 'resolved'))::int AS l
             FROM public.findings f LEFT JOIN public.finding_events e ON e.finding_id = f.id GROUP BY f.id) x`,
    );
    expect(rows[0]).toEqual({ min_all: 1, max_all: 6, min_lifecycle: 1, max_lifecycle: 6 });
    expect(
      await count(
        t,
        `SELECT count(*) AS n FROM public.finding_events e JOIN public.findings f ON f.id = e.finding_id
         WHERE e.tenant_id <> f.tenant_id`,
      ),
    ).toBe(0);
  });

  it('stores events in time order, so ids follow observed_at', async () => {
    expect(
      await count(
        t,
        `SELECT count(*) AS n FROM (SELECT observed_at, lag(observed_at) OVER (ORDER BY id) AS previous
         FROM public.finding_events) x WHERE observed_at < previous`,
      ),
    ).toBe(0);
  });

  it('covers the cases the derivation has to get right', async () => {
    const has = async (where: string) => count(t, `SELECT count(*) AS n FROM (${where}) x`);
    // Ties on observed_at within one finding, microseconds, a kind the derivation ignores.
    expect(
      await has(
        'SELECT finding_id FROM public.finding_events GROUP BY finding_id, observed_at HAVING count(*) > 1',
      ),
    ).toBeGreaterThan(0);
    expect(
      await has(
        'SELECT 1 FROM public.finding_events WHERE extract(microseconds FROM observed_at)::bigint % 1000 <> 0',
      ),
    ).toBeGreaterThan(0);
    expect(await has("SELECT 1 FROM public.finding_events WHERE kind = 'commented'")).toBeGreaterThan(0);
    // Findings without any detected event (times_seen falls back to 1, first_seen to created_at).
    expect(
      await has(
        `SELECT f.id FROM public.findings f WHERE NOT EXISTS
         (SELECT 1 FROM public.finding_events e WHERE e.finding_id = f.id AND e.kind = 'detected')`,
      ),
    ).toBeGreaterThan(0);
    // Every severity, an unknown one included, and the whole status vocabulary, legacy values too.
    const severities = await t.sql<{ severity: string }>(
      'SELECT DISTINCT severity FROM public.findings ORDER BY severity',
    );
    expect(severities.map((r) => r.severity)).toEqual([
      'critical',
      'high',
      'info',
      'low',
      'medium',
      'unknown',
    ]);
    const statuses = await t.sql<{ status: string | null }>('SELECT DISTINCT status FROM public.findings');
    expect(new Set(statuses.map((r) => r.status))).toEqual(
      new Set([
        'new',
        'triaged',
        'in_progress',
        'risk_accepted',
        'resolved',
        'reopened',
        'open',
        'acknowledged',
        'closed',
        'Open',
        null,
      ]),
    );
  });

  it('adds nothing when run again, and only the missing tenants with more tenants', async () => {
    const before = await count(t, 'SELECT count(*) AS n FROM public.findings');
    const again = await seedDemoData(t.db.pool, SMALL);
    expect(again).toMatchObject({ tenants: 0, findings: 0, events: 0, drifted: 0, platformFindings: 0 });
    expect(await count(t, 'SELECT count(*) AS n FROM public.tenants')).toBe(8);
    expect(await count(t, 'SELECT count(*) AS n FROM public.findings')).toBe(before);

    const more = await seedDemoData(t.db.pool, { ...SMALL, tenants: 9 });
    expect(more.tenants).toBe(2);
    expect(more.platformFindings).toBe(0);
    expect(await count(t, 'SELECT count(DISTINCT external_id) AS n FROM public.tenants')).toBe(10);
    const newTenantFindings = await count(
      t,
      `SELECT count(*) AS n FROM public.findings f JOIN public.tenants t ON t.id = f.tenant_id
       WHERE t.external_id IN ('tenant-8', 'tenant-9')`,
    );
    expect(newTenantFindings).toBe(more.findings);
    expect(await count(t, 'SELECT count(*) AS n FROM public.findings')).toBe(before + more.findings);
  });
});

describe('seedDemoData determinism', () => {
  const databases: TestDatabase[] = [];
  afterAll(() => Promise.all(databases.map((d) => d.drop())));

  async function checksumOf(options: SeedOptions): Promise<string> {
    const t = await createTestDatabase();
    databases.push(t);
    await seedDemoData(t.db.pool, options);
    const rows = await t.sql<{ checksum: string }>(CHECKSUM);
    return rows[0]!.checksum;
  }

  it('writes identical rows, ids included, for the same options, and different rows for another seed', async () => {
    const options: SeedOptions = { tenants: 5, findings: 800, drift: 0.4, seed: 7 };
    const [first, second, other] = await Promise.all([
      checksumOf(options),
      checksumOf(options),
      checksumOf({ ...options, seed: 8 }),
    ]);
    expect(second).toBe(first);
    expect(other).not.toBe(first);
  });
});

describe('seedDemoData in bulk', () => {
  let t: TestDatabase;
  const SCHEMA = `
    SELECT 'index ' || indexname || ': ' || indexdef AS item FROM pg_indexes WHERE schemaname = 'public'
    UNION ALL
    SELECT 'constraint ' || conname || ': ' || pg_get_constraintdef(oid) || ' valid=' || convalidated
    FROM pg_constraint WHERE connamespace = 'public'::regnamespace
    ORDER BY 1`;
  beforeAll(async () => {
    t = await createTestDatabase();
  });
  afterAll(() => t.drop());

  it('leaves nothing behind when it fails, and the schema as it was', async () => {
    const schema = await t.sql(SCHEMA);
    await t.sql(`
      CREATE FUNCTION public.fail_seed() RETURNS trigger LANGUAGE plpgsql AS
        $$ BEGIN RAISE EXCEPTION 'injected failure'; END $$;
      CREATE TRIGGER fail_seed BEFORE INSERT ON public.finding_events
        FOR EACH STATEMENT EXECUTE FUNCTION public.fail_seed();`);
    await expect(seedDemoData(t.db.pool, { ...SMALL, findings: 60_000 })).rejects.toThrow('injected failure');
    await t.sql('DROP TRIGGER fail_seed ON public.finding_events; DROP FUNCTION public.fail_seed()');
    expect(await count(t, 'SELECT count(*) AS n FROM public.tenants')).toBe(0);
    expect(await count(t, 'SELECT count(*) AS n FROM public.findings')).toBe(0);
    expect(await t.sql(SCHEMA)).toEqual(schema);
  });

  it('restores the indexes and constraints it set aside for a big insert', async () => {
    const schema = await t.sql(SCHEMA);
    const result = await seedDemoData(t.db.pool, { ...SMALL, findings: 60_000 });
    expect(result.findings).toBe(60_000);
    expect(await t.sql(SCHEMA)).toEqual(schema);
    expect(await count(t, 'SELECT count(*) AS n FROM public.finding_events')).toBe(
      result.events + result.platformEvents,
    );
  });
});
