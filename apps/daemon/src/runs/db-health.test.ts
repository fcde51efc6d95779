import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../../../test/support/database.ts';
import {
  DEFAULT_HEALTH_LIMITS,
  databaseHealthProbe,
  type HealthSample,
  healthVerdict,
  sampleHealth,
  tablesOf,
} from './db-health.ts';

const CALM: HealthSample = {
  connections: 10,
  maxConnections: 100,
  replicationLagSeconds: null,
  autovacuum: [],
};

describe('the health verdict', () => {
  it('lets the workers write while the database is calm', () => {
    expect(healthVerdict(CALM, DEFAULT_HEALTH_LIMITS)).toBeNull();
  });

  it('says why when connections near max_connections', () => {
    expect(healthVerdict({ ...CALM, connections: 92 }, DEFAULT_HEALTH_LIMITS)).toBe(
      'connections: 92 of 100 in use (limit 90%)',
    );
  });

  it('says why when a replica lags past the bound, and ignores an unknown lag', () => {
    expect(healthVerdict({ ...CALM, replicationLagSeconds: 12.34 }, DEFAULT_HEALTH_LIMITS)).toBe(
      'replication lag 12.3 s (limit 10 s)',
    );
    expect(healthVerdict({ ...CALM, replicationLagSeconds: 3 }, DEFAULT_HEALTH_LIMITS)).toBeNull();
  });

  it('says why while autovacuum has been on a table of the run for long', () => {
    const vacuum = { table: 'public.findings', seconds: 75 };
    expect(healthVerdict({ ...CALM, autovacuum: [vacuum] }, DEFAULT_HEALTH_LIMITS)).toBe(
      'autovacuum on public.findings running for 75 s (limit 60 s)',
    );
    expect(
      healthVerdict({ ...CALM, autovacuum: [{ ...vacuum, seconds: 5 }] }, DEFAULT_HEALTH_LIMITS),
    ).toBeNull();
  });

  it('reads the tables among a runbook’s resources', () => {
    expect(tablesOf(['table:findings', 'queue:x', 'table:finding_events'])).toEqual([
      'findings',
      'finding_events',
    ]);
  });
});

describe('the database health probe', () => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase();
  });
  afterAll(() => t.drop());

  it('samples connections and max_connections from the database', async () => {
    const sample = await sampleHealth(t.db.pool, ['findings']);
    expect(sample.connections).toBeGreaterThanOrEqual(1);
    expect(sample.maxConnections).toBeGreaterThan(sample.connections);
    expect(sample.autovacuum).toEqual([]);
  });

  it('throttles with the reason under a low connection threshold', async () => {
    const probe = databaseHealthProbe(t.db.pool, { ...DEFAULT_HEALTH_LIMITS, connectionsFraction: 0.0001 });
    expect(await probe(['findings'])).toMatch(/^connections: \d+ of \d+ in use \(limit 0%\)$/);
    const calm = databaseHealthProbe(t.db.pool, DEFAULT_HEALTH_LIMITS);
    expect(await calm(['findings'])).toBeNull();
  });
});
