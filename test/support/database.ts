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

/** A fresh, migrated database of its own for one test file. */
export async function createTestDatabase(): Promise<TestDatabase> {
  const name = `t_${randomBytes(6).toString('hex')}`;
  await admin((c) => c.query(`CREATE DATABASE ${name}`));
  const url = inject('pgAdminUrl').replace(/\/postgres$/, `/${name}`);
  const db = await openDatabase(url);
  await migrate(db.sequelize);
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
