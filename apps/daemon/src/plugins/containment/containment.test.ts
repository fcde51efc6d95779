import { sql } from '@ops/runbook-sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../../../../test/support/database.ts';
import { sqlExecutor } from '../../db/connection.ts';
import { asRunbookRole, runbookPoolExecutor } from '../../runs/plugin-executors.ts';
import { pluginReader } from '../../runs/preflight-checks.ts';
import { ensurePluginRoles, PluginSqlRefusedError, pluginRoleName, withPluginRole } from './index.ts';

const WRITER = { id: 'acme.findings.writer', resources: ['table:findings'] };
const READER = { id: 'acme.findings.reader', resources: [] as string[] };
const registry = (...defs: { id: string; resources: string[] }[]) => ({
  runbooks: new Map(defs.map((d) => [d.id, d])),
});

describe('plugin containment on a real PostgreSQL', () => {
  let t: TestDatabase;
  const quiet = () => {};

  beforeAll(async () => {
    t = await createTestDatabase();
    await t.sql("INSERT INTO tenants (external_id, name) VALUES ('acme', 'Acme')");
    await t.sql(`INSERT INTO findings (tenant_id, fingerprint, title, severity, created_at, updated_at)
                 SELECT 1, 'fp-' || g, 'Finding', 'HIGH', now(), now() FROM generate_series(1, 5) g`);
    await t.sql("INSERT INTO ops.audit_events (action, actor_label) VALUES ('run.started', 'someone')");
    const report = await ensurePluginRoles(t.db.pool, registry(WRITER, READER), quiet);
    expect(report.missing).toEqual([]);
  });
  afterAll(async () => {
    await t?.drop();
  });

  /** Runs `fn` with the plugin executor of `runbookId` in one transaction, then rolls back. */
  async function asPlugin<T>(runbookId: string, fn: (db: ReturnType<typeof sqlExecutor>) => Promise<T>) {
    const client = await t.db.pool.connect();
    try {
      await client.query('BEGIN');
      await withPluginRole(client, runbookId);
      return await fn(sqlExecutor(client, `runbook ${runbookId}'s chunk`));
    } finally {
      await client.query('ROLLBACK');
      client.release();
    }
  }

  it('sends every statement on the extended protocol: stacked statements are refused in author words', async () => {
    const db = sqlExecutor(t.db.pool, "runbook acme.x's preflight");
    expect((await db.query('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
    const error = await db
      .query("SELECT 1; UPDATE findings SET severity = 'PWNED' WHERE id = 3")
      .catch((e) => e);
    expect(error).toBeInstanceOf(PluginSqlRefusedError);
    expect(error.message).toMatch(/runbook acme\.x's preflight sent several statements in one query/);
    expect(await t.sql("SELECT count(*)::int AS n FROM findings WHERE severity = 'PWNED'")).toEqual([
      { n: 0 },
    ]);
  });

  it('accepts a sql`…` query and binds its values', async () => {
    const db = sqlExecutor(t.db.pool);
    const severity = "x'; UPDATE findings SET severity='PWNED' WHERE id=3; SELECT '";
    const { rows } = await db.query(
      sql`SELECT count(*)::int AS n FROM findings WHERE severity = ${severity}`,
    );
    expect(rows).toEqual([{ n: 0 }]);
  });

  it('lets a runbook write the tables it declares and read the product tables', async () => {
    const updated = await asPlugin(WRITER.id, async (db) => {
      await db.query('SELECT count(*) FROM tenants');
      return (await db.query("UPDATE findings SET severity = 'high' WHERE id = 1")).rowCount;
    });
    expect(updated).toBe(1);
  });

  it('denies a runbook the tables it did not declare, and everything in ops', async () => {
    const denied = async (runbookId: string, text: string) =>
      asPlugin(runbookId, (db) => db.query(text)).catch((e: Error) => e);
    const undeclared = await denied(READER.id, "UPDATE findings SET severity = 'x'");
    expect(undeclared).toBeInstanceOf(PluginSqlRefusedError);
    expect((undeclared as Error).message).toMatch(
      /runbook acme\.findings\.reader's chunk was denied access to findings/,
    );
    for (const text of [
      "UPDATE ops.audit_events SET actor_label = 'nobody'",
      'DELETE FROM ops.runs',
      'SELECT * FROM ops.audit_events',
    ]) {
      const error = await denied(WRITER.id, text);
      expect(error).toBeInstanceOf(PluginSqlRefusedError);
      expect((error as Error).message).toMatch(/denied access to (schema )?ops/);
    }
  });

  it('refuses a plugin that tries to leave its role, before the statement is sent', async () => {
    for (const text of ['RESET ROLE', "SELECT set_config('role', 'postgres', true)", 'SET ROLE postgres']) {
      const error = await asPlugin(WRITER.id, (db) => db.query(text)).catch((e: Error) => e);
      expect(error).toBeInstanceOf(PluginSqlRefusedError);
    }
  });

  it('revokes the grants of a resource a runbook no longer declares', async () => {
    await ensurePluginRoles(t.db.pool, registry({ ...WRITER, resources: [] }), quiet);
    const error = await asPlugin(WRITER.id, (db) => db.query("UPDATE findings SET severity = 'x'")).catch(
      (e: Error) => e,
    );
    expect(error).toBeInstanceOf(PluginSqlRefusedError);
    await ensurePluginRoles(t.db.pool, registry(WRITER), quiet);
  });

  it('creates roles once when daemons start together', async () => {
    const many = [1, 2, 3].map(() => ensurePluginRoles(t.db.pool, registry(WRITER, READER), quiet));
    for (const report of await Promise.all(many)) expect(report.missing).toEqual([]);
    const roles = await t.sql('SELECT rolname FROM pg_roles WHERE rolname = $1', [pluginRoleName(WRITER.id)]);
    expect(roles).toHaveLength(1);
  });

  it("runs a runbook's reads read-only under its role, and rolls them back", async () => {
    const read = pluginReader(t.db.pool, WRITER.id, {}, quiet);
    const write = await read('preflight', (ctx) =>
      ctx.db.query("UPDATE findings SET severity = 'PWNED'"),
    ).catch((e: Error) => e);
    expect(write).toBeInstanceOf(PluginSqlRefusedError);
    expect((write as Error).message).toBe(
      "runbook acme.findings.writer's preflight tried to write; preflights are read-only",
    );
    expect(await t.sql("SELECT count(*)::int AS n FROM findings WHERE severity = 'PWNED'")).toEqual([
      { n: 0 },
    ]);
    const roleSeen = await read(
      'estimate',
      async (ctx) => (await ctx.db.query('SELECT current_user AS r')).rows[0],
    );
    expect(roleSeen).toEqual({ r: pluginRoleName(WRITER.id) });
  });

  it('keeps a read usable after a statement that fails inside ctx.readOnly', async () => {
    const read = pluginReader(t.db.pool, WRITER.id, {}, quiet);
    const n = await read('existence check', async (ctx) => {
      await ctx.readOnly!(async (tx) => {
        await tx.query("SELECT set_config('statement_timeout', '10ms', true)");
        await tx.query('SELECT pg_sleep(1)');
      }).catch(() => {});
      return (await ctx.db.query<{ n: number }>('SELECT count(*)::int AS n FROM findings')).rows[0]!.n;
    });
    expect(n).toBe(5);
  });

  it("runs a run's own statements under its role, committing what it may write", async () => {
    const db = runbookPoolExecutor(t.db.pool, WRITER.id, `runbook ${WRITER.id}`);
    expect((await db.query("UPDATE findings SET title = 'renamed' WHERE id = 2")).rowCount).toBe(1);
    expect(await t.sql('SELECT title FROM findings WHERE id = 2')).toEqual([{ title: 'renamed' }]);
    const denied = await db.query("UPDATE ops.runs SET actor_label = 'nobody'").catch((e: Error) => e);
    expect(denied).toBeInstanceOf(PluginSqlRefusedError);
  });

  it('switches back to the daemon after a plugin call inside a chunk transaction', async () => {
    const client = await t.db.pool.connect();
    try {
      await client.query('BEGIN');
      const inside = await asRunbookRole(
        client,
        WRITER.id,
        async () => (await sqlExecutor(client).query<{ r: string }>('SELECT current_user AS r')).rows[0]!.r,
      );
      expect(inside).toBe(pluginRoleName(WRITER.id));
      const after = await client.query<{ r: string }>('SELECT current_user AS r');
      expect(after.rows[0]!.r).toBe('postgres');
      await client.query('SELECT count(*) FROM ops.runs'); // the daemon's own statement, allowed again
    } finally {
      await client.query('ROLLBACK');
      client.release();
    }
  });

  it('keeps ops.audit_events append-only, even for the daemon', async () => {
    const [before] = await t.sql<{ n: number }>('SELECT count(*)::int AS n FROM ops.audit_events');
    for (const text of [
      "UPDATE ops.audit_events SET actor_label = 'nobody'",
      'DELETE FROM ops.audit_events',
      'TRUNCATE ops.audit_events',
    ]) {
      await expect(t.sql(text)).rejects.toThrow(
        /ops\.audit_events is append-only: (UPDATE|DELETE|TRUNCATE) is not allowed/,
      );
    }
    await t.sql("INSERT INTO ops.audit_events (action, actor_label) VALUES ('run.completed', 'someone')");
    expect(await t.sql('SELECT count(*)::int AS n FROM ops.audit_events')).toEqual([{ n: before!.n + 1 }]);
  });
});
