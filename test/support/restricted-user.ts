import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { inject } from 'vitest';
import { pluginRoleName } from '../../apps/daemon/src/plugins/containment/index.ts';

/**
 * A managed database's daemon user, on the test server: a login role that owns a database of its
 * own but may not create roles. Tests of what the daemon does with fewer rights than a superuser
 * (plugin roles a DBA must create, a product table it does not own) run as this user, and play
 * the DBA through `asAdmin`.
 */
export interface RestrictedUser {
  user: string;
  database: string;
  /** The daemon's DATABASE_URL: this user, this database. */
  url: string;
  /** A URL of `db` as the test server's admin. */
  adminUrl(db: string): string;
  /** Runs `fn` on a connection to `db` as the test server's admin (the DBA). */
  asAdmin<T>(db: string, fn: (client: pg.Client) => Promise<T>): Promise<T>;
  /** Creates the role, its database, and the roles of `runbookIds` (NOLOGIN, as a DBA would). */
  create(): Promise<void>;
  /** Drops the database, what the role owns, and the role. */
  drop(): Promise<void>;
}

/** Names only (nothing is created until `create()`): `kind` tells the test's objects apart. */
export function restrictedUser(kind: string, runbookIds: readonly string[]): RestrictedUser {
  const suffix = randomBytes(4).toString('hex');
  const database = `t_${kind}_${suffix}`;
  const user = `ops_${kind}_${suffix}`;
  const admin = inject('pgAdminUrl');
  const adminUrl = (db: string) => admin.replace(/\/postgres$/, `/${db}`);
  async function asAdmin<T>(db: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
    const client = new pg.Client({ connectionString: adminUrl(db) });
    await client.connect();
    try {
      return await fn(client);
    } finally {
      await client.end();
    }
  }
  return {
    user,
    database,
    url: admin.replace('postgres:test@', `${user}:pw@`).replace(/\/postgres$/, `/${database}`),
    adminUrl,
    asAdmin,
    create: () =>
      asAdmin('postgres', async (c) => {
        await c.query(`CREATE ROLE ${user} LOGIN PASSWORD 'pw' NOCREATEROLE`);
        await c.query(`CREATE DATABASE ${database} OWNER ${user}`);
        // Roles are the cluster's: a runbook's may exist already (another database's daemon made
        // it). Make sure it does, so what a test checks is about this database, whatever ran before.
        for (const id of runbookIds) {
          await c.query(
            `DO $$ BEGIN CREATE ROLE "${pluginRoleName(id)}" NOLOGIN; EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END $$`,
          );
        }
      }),
    drop: () =>
      asAdmin('postgres', async (c) => {
        await c.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
        await c.query(`DROP OWNED BY ${user}`).catch(() => {});
        await c.query(`DROP ROLE IF EXISTS ${user}`);
      }),
  };
}
