import { createHash } from 'node:crypto';
import type { RunbookDefinition } from '@ops/runbook-sdk';
import type pg from 'pg';

/**
 * PostgreSQL roles for plugin statements. `ops_plugin` (NOLOGIN) may read the product's tenant
 * tables; each runbook gets `ops_rb_<id>` (NOLOGIN, a member of ops_plugin) with SELECT, INSERT,
 * UPDATE and DELETE on exactly the tables it declares in `resources` (`table:findings` is
 * public.findings, `table:archive.events` is archive.events), and nothing on schema `ops`: the run
 * record and the audit trail are the daemon's. The daemon switches to a runbook's role at the start
 * of each transaction a plugin's statements run in (`withPluginRole`).
 */
export const PLUGIN_GROUP_ROLE = 'ops_plugin';

/** The product's tenant tables every runbook may read. */
export const PRODUCT_READ_TABLES = ['public.tenants', 'public.findings', 'public.finding_events'] as const;

const TABLE_PRIVILEGES = 'SELECT, INSERT, UPDATE, DELETE';
const MAX_NAME = 63;

/** The role of one runbook: `ops_rb_` + its id (dots as `_`) + a short hash, so no two ids share one. */
export function pluginRoleName(runbookId: string): string {
  const hash = createHash('sha256').update(runbookId).digest('hex').slice(0, 6);
  const readable = runbookId.replace(/[^a-z0-9_]/g, '_').slice(0, MAX_NAME - 'ops_rb_'.length - 7);
  return `ops_rb_${readable}_${hash}`;
}

const quoteIdent = (name: string) => `"${name.replaceAll('"', '""')}"`;

/** A declared table as a qualified name; null for resources that are not tables. Throws for ops.*. */
export function declaredTable(runbookId: string, resource: string): { schema: string; table: string } | null {
  const match = /^table:(?:([a-z_][a-z0-9_]*)\.)?([a-z_][a-z0-9_]*)$/.exec(resource);
  if (!match) return null;
  const schema = match[1] ?? 'public';
  if (schema === 'ops' || schema.startsWith('pg_') || schema === 'information_schema') {
    throw new Error(
      `runbook ${runbookId} declares ${resource}: schema ${schema} belongs to the daemon or the server; a runbook that needs tables of its own keeps them in a schema of its own`,
    );
  }
  return { schema, table: match[2]! };
}

/** Creates a role unless it exists; concurrent creators (other databases of the cluster) are fine. */
const createRoleSql = (role: string) =>
  `DO $ops$ BEGIN CREATE ROLE ${quoteIdent(role)} NOLOGIN; ` +
  'EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END $ops$;';

/** Grants a role membership unless granted; tolerant of concurrent grants like createRoleSql. */
const grantRoleSql = (role: string, member: string) =>
  `DO $ops$ BEGIN GRANT ${quoteIdent(role)} TO ${quoteIdent(member)}; ` +
  'EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END $ops$;';

/** The group role and its read grants: migration 010 runs it, and `migrate --print-sql` prints it. */
export function groupRoleSql(): string[] {
  return [
    createRoleSql(PLUGIN_GROUP_ROLE),
    `GRANT USAGE ON SCHEMA public TO ${PLUGIN_GROUP_ROLE};`,
    `GRANT SELECT ON ${PRODUCT_READ_TABLES.join(', ')} TO ${PLUGIN_GROUP_ROLE};`,
    `REVOKE ALL ON SCHEMA ops FROM ${PLUGIN_GROUP_ROLE};`,
  ];
}

/**
 * A schema of the runbook's own, named like its role: the default search_path ("$user", public)
 * puts the tables it creates unqualified there, never in ops or among the product's tables.
 */
function ownSchemaSql(role: string): string {
  return `CREATE SCHEMA IF NOT EXISTS ${quoteIdent(role)} AUTHORIZATION ${quoteIdent(role)};`;
}

/** The statements that give one runbook its role (for a DBA; ensurePluginRoles does the same live). */
export function runbookRoleSql(
  def: Pick<RunbookDefinition, 'id' | 'resources'>,
  daemonUser: string,
): string[] {
  const role = pluginRoleName(def.id);
  const statements = [
    createRoleSql(role),
    grantRoleSql(PLUGIN_GROUP_ROLE, role),
    grantRoleSql(role, daemonUser),
    ownSchemaSql(role),
  ];
  for (const resource of def.resources ?? []) {
    const table = declaredTable(def.id, resource);
    if (!table) continue;
    const name = `${quoteIdent(table.schema)}.${quoteIdent(table.table)}`;
    statements.push(`GRANT USAGE ON SCHEMA ${quoteIdent(table.schema)} TO ${quoteIdent(role)};`);
    statements.push(`GRANT ${TABLE_PRIVILEGES} ON ${name} TO ${quoteIdent(role)};`);
  }
  return statements;
}

/**
 * The SQL a DBA runs once (and again when plugins change their resources) where the daemon's user
 * may not create roles: the group role, and each loaded runbook's role with its grants, granted to
 * the daemon's user so it can switch to them. Runbooks declaring ops.* tables are left out, with
 * the reason as a comment.
 */
export function pluginRolesSql(
  defs: Iterable<Pick<RunbookDefinition, 'id' | 'resources'>>,
  daemonUser: string,
): string {
  const lines = [
    '-- Ops Runbooks: database roles for plugin statements (ops-daemon migrate --print-sql).',
    '-- Run as a user that may create roles and grant on the product tables, in the database of the daemon.',
    ...groupRoleSql(),
  ];
  for (const def of defs) {
    lines.push('', `-- runbook ${def.id}`);
    try {
      lines.push(...runbookRoleSql(def, daemonUser));
    } catch (error) {
      lines.push(`-- left out: ${(error as Error).message}`);
    }
  }
  return `${lines.join('\n')}\n`;
}

/** Whether the connected user may create roles (a superuser, or CREATEROLE). */
export async function canCreateRoles(db: pg.Pool | pg.PoolClient): Promise<boolean> {
  const { rows } = await db.query<{ can: boolean }>(
    'SELECT rolsuper OR rolcreaterole AS can FROM pg_roles WHERE rolname = current_user',
  );
  return rows[0]?.can ?? false;
}

export interface PluginRolesReport {
  /** Runbooks whose role is in place, with its name. */
  ready: { runbookId: string; role: string }[];
  /** Runbooks left without a role, and why (operator words). Their plugin statements are refused. */
  missing: { runbookId: string; reason: string }[];
}

const RETRYABLE = new Set(['23505', '42710', 'XX000', '40001', '40P01']);

/**
 * Creates or updates every loaded runbook's role: DML on exactly its declared tables (grants it no
 * longer declares are revoked), SELECT on the product's tables through ops_plugin. Idempotent; one
 * daemon at a time per database (advisory transaction lock), and retried when a daemon on another
 * database of the cluster creates the same role at the same moment. A user that may not create
 * roles only checks them: runbooks whose role is missing are reported (and logged). Never throws for a runbook;
 * throws when the database fails.
 */
export async function ensurePluginRoles(
  pool: pg.Pool,
  registry: { runbooks: ReadonlyMap<string, Pick<RunbookDefinition, 'id' | 'resources'>> },
  log: (message: string) => void = (m) => process.stderr.write(`${m}\n`),
): Promise<PluginRolesReport> {
  for (let attempt = 1; ; attempt++) {
    try {
      const report = await ensureOnce(pool, [...registry.runbooks.values()]);
      for (const m of report.missing) log(`plugin roles: ${m.reason}`);
      return report;
    } catch (error) {
      const code = (error as { code?: string }).code;
      if (attempt >= 5 || !code || !RETRYABLE.has(code)) throw error;
      await new Promise((r) => setTimeout(r, 20 * attempt));
    }
  }
}

async function ensureOnce(
  pool: pg.Pool,
  defs: Pick<RunbookDefinition, 'id' | 'resources'>[],
): Promise<PluginRolesReport> {
  const client = await pool.connect();
  client.on('error', () => {}); // a dropped connection fails the statement, not the process
  let broken: Error | undefined;
  try {
    await client.query('BEGIN');
    await client.query("SELECT pg_advisory_xact_lock(hashtext('ops:plugin-roles'))");
    const report: PluginRolesReport = { ready: [], missing: [] };
    const creator = await canCreateRoles(client);
    const {
      rows: [who],
    } = await client.query<{ user: string; superuser: boolean }>(
      'SELECT current_user AS user, rolsuper AS superuser FROM pg_roles WHERE rolname = current_user',
    );
    for (const def of defs) {
      const role = pluginRoleName(def.id);
      let tables: { schema: string; table: string }[];
      try {
        tables = (def.resources ?? []).flatMap((r) => declaredTable(def.id, r) ?? []);
      } catch (error) {
        report.missing.push({ runbookId: def.id, reason: (error as Error).message });
        continue;
      }
      if (!creator) {
        const problem = await roleProblem(client, role, who!.user, tables);
        if (!problem) report.ready.push({ runbookId: def.id, role });
        else
          report.missing.push({
            runbookId: def.id,
            reason: `${problem}, and ${who!.user} may not create roles or grant: a DBA runs the SQL of \`ops-daemon migrate --print-sql\``,
          });
        continue;
      }
      await client.query(createRoleSql(PLUGIN_GROUP_ROLE));
      await client.query(createRoleSql(role));
      await client.query(grantRoleSql(PLUGIN_GROUP_ROLE, role));
      // A superuser may switch to any role; a user with CREATEROLE (how a DBA sets up a managed
      // server) must be a member of the role to switch to it and to own the role's schema.
      if (!who!.superuser) await client.query(grantRoleSql(role, who!.user));
      await client.query(ownSchemaSql(role));
      await client.query(`SAVEPOINT grants`);
      await syncTableGrants(client, role, tables);
      await client.query(`RELEASE SAVEPOINT grants`);
      report.ready.push({ runbookId: def.id, role });
    }
    await client.query('COMMIT');
    return report;
  } catch (error) {
    broken = error as Error;
    await client.query('ROLLBACK').catch(() => {});
    throw error;
  } finally {
    client.release(broken);
  }
}

/**
 * What keeps a role from serving its runbook in this database, checked without creating anything:
 * it must exist (roles are the cluster's), the daemon's user must be able to switch to it, and it
 * must hold its grants here (grants are each database's). Null when it is ready.
 */
async function roleProblem(
  client: pg.PoolClient,
  role: string,
  user: string,
  tables: { schema: string; table: string }[],
): Promise<string | null> {
  const { rows } = await client.query<{ exists: boolean; member: boolean }>(
    `SELECT true AS exists, pg_has_role(current_user, oid, 'MEMBER') AS member FROM pg_roles WHERE rolname = $1`,
    [role],
  );
  if (!rows[0]) return `role ${role} does not exist`;
  if (!rows[0].member) return `role ${role} is not granted to ${user}`;
  for (const t of tables) {
    const name = `${quoteIdent(t.schema)}.${quoteIdent(t.table)}`;
    const { rows: granted } = await client.query<{ ok: boolean | null }>(
      `SELECT CASE WHEN to_regclass($2) IS NULL THEN true ELSE has_table_privilege($1, to_regclass($2), 'UPDATE') END AS ok`,
      [role, name],
    );
    if (!granted[0]?.ok) return `role ${role} has no grant on ${t.schema}.${t.table} in this database`;
  }
  return null;
}

/** The role's table grants become exactly `tables` (those that exist). */
async function syncTableGrants(
  client: pg.PoolClient,
  role: string,
  tables: { schema: string; table: string }[],
): Promise<void> {
  const wanted = new Set<string>();
  for (const t of tables) {
    const { rows } = await client.query<{ oid: string | null }>('SELECT to_regclass($1)::oid::text AS oid', [
      `${quoteIdent(t.schema)}.${quoteIdent(t.table)}`,
    ]);
    if (rows[0]?.oid) wanted.add(rows[0].oid);
  }
  const { rows: granted } = await client.query<{ oid: string; name: string }>(
    `SELECT DISTINCT c.oid::text AS oid, format('%I.%I', n.nspname, c.relname) AS name
       FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace, aclexplode(c.relacl) a
      WHERE a.grantee = (SELECT oid FROM pg_roles WHERE rolname = $1)`,
    [role],
  );
  for (const g of granted) {
    if (!wanted.has(g.oid)) await client.query(`REVOKE ALL ON ${g.name} FROM ${quoteIdent(role)}`);
  }
  for (const oid of wanted) {
    const { rows } = await client.query<{ table: string; schema: string; sequences: string[] }>(
      `SELECT format('%I.%I', n.nspname, c.relname) AS table, quote_ident(n.nspname) AS schema,
              coalesce(array_agg(s.oid::regclass::text) FILTER (WHERE s.oid IS NOT NULL), '{}') AS sequences
         FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
         LEFT JOIN pg_depend d ON d.refobjid = c.oid AND d.deptype IN ('a', 'i') AND d.classid = 'pg_class'::regclass
         LEFT JOIN pg_class s ON s.oid = d.objid AND s.relkind = 'S'
        WHERE c.oid = $1::oid GROUP BY 1, 2`,
      [oid],
    );
    const t = rows[0]!;
    await client.query(`GRANT USAGE ON SCHEMA ${t.schema} TO ${quoteIdent(role)}`);
    await client.query(`GRANT ${TABLE_PRIVILEGES} ON ${t.table} TO ${quoteIdent(role)}`);
    for (const seq of t.sequences)
      await client.query(`GRANT USAGE ON SEQUENCE ${seq} TO ${quoteIdent(role)}`);
  }
}

/**
 * Switches the current transaction to the runbook's role: call it right after BEGIN, before the
 * plugin's first statement, on the client the plugin's SqlExecutor wraps. Outside a transaction
 * block it would do nothing, so it refuses. The role lasts until COMMIT or ROLLBACK (or the
 * daemon's own `RESET ROLE` before it writes ops.* in the same transaction). Throws
 * PluginRoleMissingError when the runbook has no role yet.
 */
export async function withPluginRole(client: pg.PoolClient | pg.Client, runbookId: string): Promise<void> {
  const role = pluginRoleName(runbookId);
  let inBlock: boolean | undefined;
  try {
    // One round trip. Inside a block opened by an earlier BEGIN the statement starts after the
    // transaction; alone (autocommit) both times are equal and the role would end with it.
    const { rows } = await client.query<{ in_block: boolean }>(
      'SELECT set_config($1, $2, true) IS NOT NULL AND statement_timestamp() > transaction_timestamp() AS in_block',
      ['role', role],
    );
    inBlock = rows[0]?.in_block;
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code === '22023' || code === '42704' || code === '42501') {
      throw new PluginRoleMissingError(runbookId, role, { cause: error });
    }
    throw error;
  }
  if (!inBlock) throw new Error('withPluginRole must run inside a transaction block (after BEGIN)');
}

/** The runbook's role does not exist (or the daemon is not a member): its statements cannot run. */
export class PluginRoleMissingError extends Error {
  constructor(
    readonly runbookId: string,
    readonly role: string,
    options?: { cause?: unknown },
  ) {
    super(
      `runbook ${runbookId} cannot run: its database role ${role} is missing or not granted to the daemon; run \`ops-daemon migrate\` (or have a DBA apply \`ops-daemon migrate --print-sql\`)`,
      options,
    );
    this.name = 'PluginRoleMissingError';
  }
}
