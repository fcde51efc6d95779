import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { pluginRoleName } from '../../apps/daemon/src/plugins/containment/index.ts';
import { runCli } from '../support/cli.ts';

const LIFECYCLE = 'findings.lifecycle.backfill';

/** A managed database: the daemon's user owns its database but may not create roles. */
describe('ops-daemon migrate where the user may not create roles', () => {
  const suffix = randomBytes(4).toString('hex');
  const database = `t_managed_${suffix}`;
  const user = `ops_managed_${suffix}`;
  const adminUrl = inject('pgAdminUrl');
  const url = adminUrl.replace('postgres:test@', `${user}:pw@`).replace(/\/postgres$/, `/${database}`);
  const admin = (db = 'postgres') =>
    new pg.Client({ connectionString: adminUrl.replace(/\/postgres$/, `/${db}`) });
  const env = { DATABASE_URL: url, OPS_PLUGINS: '' };

  async function asAdmin<T>(db: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
    const client = admin(db);
    await client.connect();
    try {
      return await fn(client);
    } finally {
      await client.end();
    }
  }

  beforeAll(async () => {
    await asAdmin('postgres', async (c) => {
      await c.query(`CREATE ROLE ${user} LOGIN PASSWORD 'pw' NOCREATEROLE`);
      await c.query(`CREATE DATABASE ${database} OWNER ${user}`);
      // Roles are the cluster's: the runbook's may exist already (another database's daemon made
      // it). Make sure it does, so the check below is about this database, whatever ran before.
      await c.query(
        `DO $$ BEGIN CREATE ROLE "${pluginRoleName(LIFECYCLE)}" NOLOGIN; EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END $$`,
      );
    });
  });
  afterAll(async () => {
    await asAdmin('postgres', async (c) => {
      await c.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
      await c.query(`DROP OWNED BY ${user}`).catch(() => {});
      await c.query(`DROP ROLE IF EXISTS ${user}`);
    });
  });

  it('migrates, says that a DBA must create the roles, prints their SQL, and works once it is applied', async () => {
    const first = await runCli(['migrate'], env);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toContain(`the database user ${user} may not create roles`);
    expect(first.stdout).toContain('ops-daemon migrate --print-sql');
    expect(first.stdout).toContain(`role ${pluginRoleName(LIFECYCLE)} is not granted to ${user}`);

    const printed = await runCli(['migrate', '--print-sql'], env);
    expect(printed.code, printed.stderr).toBe(0);
    expect(printed.stdout).toContain(
      `GRANT SELECT, INSERT, UPDATE, DELETE ON "public"."findings" TO "${pluginRoleName(LIFECYCLE)}"`,
    );
    expect(printed.stdout).toContain(`GRANT "${pluginRoleName(LIFECYCLE)}" TO "${user}"`);
    expect(printed.stdout).not.toMatch(/ON "ops"\./);

    await asAdmin(database, (c) => c.query(printed.stdout)); // what the DBA does, once

    const again = await runCli(['migrate', '--json'], env);
    expect(again.code, again.stderr).toBe(0);
    const result = JSON.parse(again.stdout.trim().split('\n').at(-1)!);
    expect(result.pluginRoles.missing).toEqual([]);
    expect(result.pluginRoles.ready).toContainEqual({
      runbookId: LIFECYCLE,
      role: pluginRoleName(LIFECYCLE),
    });

    const preflight = await runCli(['preflight', LIFECYCLE, '--json'], env);
    expect(preflight.code, preflight.stderr).toBe(0);
    expect(JSON.parse(preflight.stdout.trim().split('\n').at(-1)!)).toMatchObject({ affected_count: 0 });
  }, 120_000);
});
