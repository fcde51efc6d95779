import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../../../test/support/database.ts';
import { MIGRATION_NAMES, migrate } from './migrator.ts';

describe('migrate', () => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase();
  });
  afterAll(() => t.drop());

  it('creates the tenant tables with the indexes runbooks rely on', async () => {
    const rows = await t.sql<{ indexname: string }>(
      "SELECT indexname FROM pg_indexes WHERE schemaname = 'public' ORDER BY indexname",
    );
    expect(rows.map((r) => r.indexname)).toEqual(
      expect.arrayContaining(['findings_tenant_id_id_idx', 'finding_events_finding_id_observed_at_idx']),
    );
  });

  it('applies nothing the second time and is safe to run concurrently', async () => {
    const results = await Promise.all([migrate(t.db.sequelize), migrate(t.db.sequelize)]);
    expect(results).toEqual([[], []]);
    const applied = await t.sql<{ name: string }>('SELECT name FROM ops.migrations ORDER BY name');
    expect(applied.map((r) => r.name)).toEqual([...MIGRATION_NAMES].sort());
    expect(MIGRATION_NAMES[0]).toBe('001_tenant_tables');
  });
});
