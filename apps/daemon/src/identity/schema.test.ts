import { getMigrations } from 'better-auth/db/migration';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../../../test/support/database.ts';
import { TEST_SECRET } from '../../../../test/support/identity-kit.ts';
import { buildAuthOptions } from './auth-options.ts';
import { openAuthPool } from './auth-pool.ts';

describe('migration 003 and better-auth', () => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase();
  });
  afterAll(() => t.drop());

  it('leaves better-auth nothing to create, add or index in the ops schema', async () => {
    const pool = openAuthPool(t.url, 1);
    try {
      const plan = await getMigrations(
        buildAuthOptions({ pool, baseUrl: 'http://127.0.0.1:7400', secret: TEST_SECRET }),
        { throwOnUnsafe: false },
      );
      expect(plan.toBeCreated.map((c) => c.table)).toEqual([]);
      expect(plan.toBeAdded.map((c) => `${c.table}: ${Object.keys(c.fields).join(', ')}`)).toEqual([]);
      expect(plan.toBeAddedIndexes.map((i) => i.name)).toEqual([]);
      expect(plan.unsafeChanges).toEqual([]);
      expect(plan.schemaProblems).toEqual([]);
    } finally {
      await pool.end();
    }
  });

  it('matches, column for column, the tables better-auth creates itself', async () => {
    // getMigrations only reports missing tables and columns; build better-auth's own layout in a
    // scratch schema and compare types, nullability, keys and indexes too.
    await t.sql('CREATE SCHEMA auth_reference');
    const pool = openAuthPool(t.url, 1, 'auth_reference');
    try {
      const plan = await getMigrations(
        buildAuthOptions({ pool, baseUrl: 'http://127.0.0.1:7400', secret: TEST_SECRET }),
      );
      await plan.runMigrations();
      const [ours, reference] = await Promise.all([layout(t, 'ops'), layout(t, 'auth_reference')]);
      expect(reference.columns.length).toBeGreaterThan(30);
      expect(ours).toEqual(reference);
    } finally {
      await pool.end();
      await t.sql('DROP SCHEMA auth_reference CASCADE');
    }
  });

  it('puts better-auth tables in ops, not public', async () => {
    const rows = await t.sql<{ table_schema: string; table_name: string }>(
      `SELECT table_schema, table_name FROM information_schema.tables
        WHERE table_name IN ('user', 'session', 'account', 'verification', 'login_attempts', 'break_glass')
        ORDER BY table_name`,
    );
    expect(rows).toEqual(
      ['account', 'break_glass', 'login_attempts', 'session', 'user', 'verification'].map((name) => ({
        table_schema: 'ops',
        table_name: name,
      })),
    );
  });
});

const AUTH_TABLES = ['user', 'session', 'account', 'verification'];

/** Columns, keys, foreign keys and indexes of better-auth's tables in one schema, schema name removed. */
async function layout(t: TestDatabase, schema: string) {
  const columns = await t.sql(
    `SELECT table_name, column_name, data_type, is_nullable
       FROM information_schema.columns WHERE table_schema = $1 AND table_name = ANY($2)
      ORDER BY table_name, column_name`,
    [schema, AUTH_TABLES],
  );
  // CHECK constraints are ours alone (plane values); everything else must be identical.
  const constraints = await t.sql<{ table_name: string; conname: string; definition: string }>(
    `SELECT c.relname AS table_name, k.conname, pg_get_constraintdef(k.oid) AS definition
       FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = $1 AND c.relname = ANY($2) AND k.contype <> 'c'
      ORDER BY 1, 2`,
    [schema, AUTH_TABLES],
  );
  const indexes = await t.sql<{ tablename: string; indexname: string; indexdef: string }>(
    `SELECT tablename, indexname, indexdef FROM pg_indexes WHERE schemaname = $1 AND tablename = ANY($2)
      ORDER BY 1, 2`,
    [schema, AUTH_TABLES],
  );
  const unschema = (text: string) => text.replaceAll(`${schema}.`, '');
  return {
    columns,
    constraints: constraints.map((c) => ({ ...c, definition: unschema(c.definition) })),
    indexes: indexes.map((i) => ({ ...i, indexdef: unschema(i.indexdef) })),
  };
}
