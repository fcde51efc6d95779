import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { inject } from 'vitest';
import { type Database, openDatabase } from '../../apps/daemon/src/db/connection.ts';
import { migrate } from '../../apps/daemon/src/db/migrator.ts';

export interface TestDatabase {
  url: string;
  db: Database;
  /** Runs one SQL statement on the test database and returns its rows. */
  sql<Row = Record<string, unknown>>(text: string, params?: unknown[]): Promise<Row[]>;
  drop(): Promise<void>;
}

async function admin<T>(fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: inject('pgAdminUrl') });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/**
 * Stores the explicit "no approval" policy for every runbook (the `*` row), as an approver could in
 * the console: for suites and benchmarks about something other than approvals. Idempotent.
 */
export async function turnApprovalsOff(db: Pick<pg.Pool, 'query'>): Promise<void> {
  await db.query(
    `INSERT INTO ops.approval_policies (runbook_id, mode, updated_by)
     VALUES ('*', 'none', '{"label": "test fixture: approvals off"}') ON CONFLICT (runbook_id) DO NOTHING`,
  );
}

export interface TestDatabaseOptions {
  /**
   * Four-eyes approval (apps/daemon/src/approvals). The product's default holds every all-tenants
   * run for a second operator's approval. `'off'` (this fixture's default) stores an explicit
   * policy of mode `none` for every runbook (the `*` row), so suites about other things start
   * all-tenants runs through the API, the CLI and the console exactly as before; approval suites
   * pass `'product-default'` and meet the real default (no policy row at all).
   */
  approvals?: 'off' | 'product-default';
}

/** A fresh, migrated database of its own for one test file. */
export async function createTestDatabase(options: TestDatabaseOptions = {}): Promise<TestDatabase> {
  const name = `t_${randomBytes(6).toString('hex')}`;
  await admin((c) => c.query(`CREATE DATABASE ${name}`));
  const url = inject('pgAdminUrl').replace(/\/postgres$/, `/${name}`);
  const db = await openDatabase(url);
  await migrate(db.sequelize);
  if ((options.approvals ?? 'off') === 'off') await turnApprovalsOff(db.pool);
  return {
    url,
    db,
    async sql<Row>(text: string, params: unknown[] = []) {
      return (await db.pool.query(text, params)).rows as Row[];
    },
    async drop() {
      await db.close();
      await admin((c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
    },
  };
}
