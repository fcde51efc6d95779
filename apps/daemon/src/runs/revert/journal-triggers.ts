import type { RunbookDefinition } from '@ops/runbook-sdk';
import type pg from 'pg';
import { declaredTable, PLUGIN_GROUP_ROLE } from '../../plugins/containment/index.ts';

/**
 * The before-image journal is the daemon's guarantee, not the plugin's good manners: a statement
 * trigger (AFTER UPDATE … REFERENCING OLD TABLE / NEW TABLE, PostgreSQL 10+) on every table a
 * reversible runbook declares writes, in the chunk's own transaction, one ops.run_journal row per
 * changed row. It acts only when the transaction belongs to a run of a reversible runbook
 * (`ops.run_id`, set by every chunk's fence check) that is not itself a revert; then it also
 * refuses INSERT, DELETE and changes of columns the runbook did not declare, which a revert could
 * not undo. SECURITY DEFINER with a fixed search_path: the runbook's role never sees ops.*.
 */

/** A table with its journaled columns, as the trigger and the revert read them. */
export interface JournaledTable {
  /** `schema.table`, plain lower-case identifiers (checked by declaredTable). */
  name: string;
  keyColumn: string;
  keyType: string;
  columns: string[];
}

type Reversible = Pick<RunbookDefinition, 'id' | 'resources' | 'reversible'>;

/** What each reversible runbook journals: `schema.table` → its declared columns. */
export function journaledWrites(def: Reversible): Map<string, string[]> {
  const writes = new Map<string, string[]>();
  for (const [resource, columns] of Object.entries(def.reversible?.writes ?? {})) {
    const table = declaredTable(def.id, resource);
    if (table) writes.set(`${table.schema}.${table.table}`, [...columns]);
  }
  return writes;
}

export function isReversible(def: Pick<RunbookDefinition, 'reversible'>): boolean {
  return def.reversible !== undefined && Object.keys(def.reversible.writes ?? {}).length > 0;
}

const ident = (name: string) => `"${name.replaceAll('"', '""')}"`;
const literal = (text: string) => `'${text.replaceAll("'", "''")}'`;
const qualified = (name: string) => name.split('.').map(ident).join('.');
const functionName = (table: string) => `ops.${ident(`journal_${table.replace('.', '_')}`)}`;
const refuseName = (table: string) => `ops.${ident(`journal_refuse_${table.replace('.', '_')}`)}`;

/** The trigger functions and triggers of one table (idempotent: CREATE OR REPLACE, DROP … IF EXISTS). */
export function journalTriggerSql(t: JournaledTable, allColumns: readonly string[]): string[] {
  const undeclared = allColumns.filter((c) => !t.columns.includes(c) && c !== t.keyColumn);
  const rowOf = (alias: string, columns: readonly string[]) =>
    `ROW(${columns.map((c) => `${alias}.${ident(c)}`).join(', ')})`;
  const jsonOf = (alias: string) =>
    `jsonb_build_object(${t.columns.map((c) => `${literal(c)}, ${alias}.${ident(c)}`).join(', ')})`;
  const key = ident(t.keyColumn);
  const active = `
    v_run := nullif(current_setting('ops.run_id', true), '')::bigint;
    IF v_run IS NULL THEN RETURN NULL; END IF;
    IF NOT EXISTS (SELECT 1 FROM ops.runs r JOIN ops.reversible_runbooks rb ON rb.runbook_id = r.type
                    WHERE r.id = v_run AND ${literal(t.name)} = ANY (rb.tables))
       OR EXISTS (SELECT 1 FROM ops.run_reverts WHERE revert_run_id = v_run) THEN
      RETURN NULL;
    END IF;`;
  const undeclaredCheck =
    undeclared.length === 0
      ? ''
      : `
    IF EXISTS (SELECT 1 FROM old_rows o JOIN new_rows n ON n.${key} = o.${key}
                WHERE ${rowOf('o', undeclared)} IS DISTINCT FROM ${rowOf('n', undeclared)}) THEN
      RAISE EXCEPTION 'run % is reversible: it may change only the columns it declares of ${t.name} (${t.columns.join(', ')})', v_run
        USING ERRCODE = 'P0001';
    END IF;`;
  // enable_nestloop off: the transition tables have no statistics to speak of, and a nested loop
  // joining old to new rows is quadratic (30,000 rows: 575 s instead of a second's hash join).
  return [
    `CREATE OR REPLACE FUNCTION ${functionName(t.name)}() RETURNS trigger
       LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp SET TimeZone = 'UTC'
       SET enable_nestloop = off AS $fn$
     DECLARE v_run bigint;
     BEGIN${active}${undeclaredCheck}
       INSERT INTO ops.run_journal (run_id, table_name, row_key, before, after)
       SELECT v_run, ${literal(t.name)}, o.${key}::text, ${jsonOf('o')}, ${jsonOf('n')}
         FROM old_rows o JOIN new_rows n ON n.${key} = o.${key}
        WHERE ${rowOf('o', t.columns)} IS DISTINCT FROM ${rowOf('n', t.columns)};
       IF FOUND THEN
         INSERT INTO ops.run_journal_state (run_id) VALUES (v_run) ON CONFLICT (run_id) DO NOTHING;
       END IF;
       RETURN NULL;
     END $fn$`,
    `CREATE OR REPLACE FUNCTION ${refuseName(t.name)}() RETURNS trigger
       LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $fn$
     DECLARE v_run bigint;
     BEGIN${active}
       RAISE EXCEPTION 'run % is reversible: it may only update rows of ${t.name}, not %', v_run, lower(TG_OP)
         USING ERRCODE = 'P0001';
     END $fn$`,
    `REVOKE ALL ON FUNCTION ${functionName(t.name)}(), ${refuseName(t.name)}() FROM PUBLIC`,
    `DROP TRIGGER IF EXISTS ops_journal_update ON ${qualified(t.name)}`,
    `CREATE TRIGGER ops_journal_update AFTER UPDATE ON ${qualified(t.name)}
       REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
       FOR EACH STATEMENT EXECUTE FUNCTION ${functionName(t.name)}()`,
    `DROP TRIGGER IF EXISTS ops_journal_refuse ON ${qualified(t.name)}`,
    `CREATE TRIGGER ops_journal_refuse AFTER INSERT OR DELETE ON ${qualified(t.name)}
       FOR EACH STATEMENT EXECUTE FUNCTION ${refuseName(t.name)}()`,
  ];
}

export interface JournalReport {
  /** Tables whose trigger is in place. */
  ready: string[];
  /** Reversible runbooks whose journal could not be set up, and why: their runs cannot be reverted. */
  missing: { runbookId: string; reason: string }[];
}

/**
 * Installs the journal on every table a loaded reversible runbook declares (the columns journaled
 * are the union over runbooks), removes it from tables no reversible runbook writes any more, and
 * records which runbooks are reversible. One daemon at a time (advisory transaction lock).
 * Never throws for a runbook; throws when the database fails.
 */
export async function ensureJournal(
  pool: pg.Pool,
  registry: { runbooks: ReadonlyMap<string, Reversible> },
  log: (message: string) => void = (m) => process.stderr.write(`${m}\n`),
): Promise<JournalReport> {
  const client = await pool.connect();
  // No 'error' listener of its own: the daemon's pool (guardPool) gives every client one for life;
  // adding one per borrow would pile up on the pool's long-lived clients.
  const report: JournalReport = { ready: [], missing: [] };
  let broken: Error | undefined;
  try {
    await client.query('BEGIN');
    await client.query("SELECT pg_advisory_xact_lock(hashtext('ops:journal'))");
    const { wanted, runbookTables, unusable } = wantedTables(registry);
    report.missing.push(...unusable);
    const {
      rows: [who],
    } = await client.query<{ user: string }>('SELECT current_user AS user');
    const failedTables = new Set<string>();
    for (const [name, columnSet] of wanted) {
      await client.query('SAVEPOINT journal_table');
      try {
        const { table, journaled, columns } = await journaledTableOf(client, name, columnSet);
        // Replacing the functions takes no lock on the table; (re)creating its triggers takes an
        // exclusive one (it would queue behind a long product query and everything after it), so
        // that happens only when a trigger is missing.
        const statements = journalTriggerSql(journaled, table.allColumns);
        const { rows: present } = await client.query<{ n: string }>(
          `SELECT count(*) AS n FROM pg_trigger
            WHERE tgrelid = $1::regclass AND tgname IN ('ops_journal_update', 'ops_journal_refuse')`,
          [qualified(name)],
        );
        const triggersInPlace = Number(present[0]?.n ?? 0) === 2;
        for (const statement of statements) {
          if (triggersInPlace && /^(DROP|CREATE) TRIGGER/.test(statement)) continue;
          await client.query(statement);
        }
        await client.query(
          `INSERT INTO ops.journaled_tables (table_name, key_column, key_type, columns) VALUES ($1, $2, $3, $4)
           ON CONFLICT (table_name) DO UPDATE SET key_column = $2, key_type = $3, columns = $4`,
          [name, table.key, table.keyType, columns],
        );
        await client.query('RELEASE SAVEPOINT journal_table');
        report.ready.push(name);
      } catch (error) {
        await client.query('ROLLBACK TO SAVEPOINT journal_table');
        failedTables.add(name);
        const why = whyNotInstalled(error as Error & { code?: string }, name, who?.user ?? 'of the daemon');
        for (const [runbookId, tables] of runbookTables) {
          if (tables.includes(name))
            report.missing.push({ runbookId, reason: `the journal on ${name} could not be set up: ${why}` });
        }
      }
    }
    // Tables no reversible runbook writes any more lose their trigger (the journal rows stay).
    const { rows: installed } = await client.query<{ table_name: string }>(
      'SELECT table_name FROM ops.journaled_tables',
    );
    for (const { table_name: name } of installed) {
      if (wanted.has(name)) continue;
      await client.query(`DROP TRIGGER IF EXISTS ops_journal_update ON ${qualified(name)}`).catch(() => {});
      await client.query(`DROP TRIGGER IF EXISTS ops_journal_refuse ON ${qualified(name)}`).catch(() => {});
      await client.query('DELETE FROM ops.journaled_tables WHERE table_name = $1', [name]);
    }
    await client.query('DELETE FROM ops.reversible_runbooks');
    for (const [runbookId, tables] of runbookTables) {
      if (tables.some((t) => failedTables.has(t))) continue;
      await client.query('INSERT INTO ops.reversible_runbooks (runbook_id, tables) VALUES ($1, $2)', [
        runbookId,
        tables,
      ]);
    }
    // The revert's chunks run under the runbook's role: their one door into the journal.
    await client.query(`DO $grant$ BEGIN
        IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = ${literal(PLUGIN_GROUP_ROLE)}) THEN
          GRANT USAGE ON SCHEMA ops_journal TO ${ident(PLUGIN_GROUP_ROLE)};
          GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA ops_journal TO ${ident(PLUGIN_GROUP_ROLE)};
        END IF;
      END $grant$`);
    await client.query('COMMIT');
  } catch (error) {
    broken = error as Error;
    await client.query('ROLLBACK').catch(() => {});
    throw error;
  } finally {
    client.release(broken);
  }
  notSetUp.clear();
  for (const m of report.missing) {
    notSetUp.set(m.runbookId, m.reason);
    log(`run journal: runbook ${m.runbookId}: its runs cannot be reverted: ${m.reason}`);
  }
  return report;
}

/**
 * Why this process's last ensureJournal could not set up a runbook's journal (operator words),
 * by runbook: the most precise reason a run or its page can give.
 */
const notSetUp = new Map<string, string>();

const PRINT_SQL_HINT = 'a DBA can install it with the SQL of `ops-daemon migrate --print-sql`';

/** Never a PostgreSQL error text: the rule that failed, in the operator's words. */
function whyNotInstalled(error: Error & { code?: string }, table: string, user: string): string {
  if (error.code === '42501')
    return `the daemon's database user ${user} does not own ${table}, so it may not create its journal trigger; ${PRINT_SQL_HINT}`;
  if (error.code) return `the database refused the journal trigger on ${table}; ${PRINT_SQL_HINT}`;
  return error.message; // ours: a missing table, column or primary key
}

/** The tables reversible runbooks declare, with the union of their columns; runbooks declaring none usable. */
function wantedTables(registry: { runbooks: ReadonlyMap<string, Reversible> }) {
  const wanted = new Map<string, Set<string>>();
  const runbookTables = new Map<string, string[]>();
  const unusable: { runbookId: string; reason: string }[] = [];
  for (const def of registry.runbooks.values()) {
    if (!isReversible(def)) continue;
    try {
      const writes = journaledWrites(def);
      runbookTables.set(def.id, [...writes.keys()]);
      for (const [table, columns] of writes) {
        const set = wanted.get(table) ?? new Set<string>();
        for (const c of columns) set.add(c);
        wanted.set(table, set);
      }
    } catch (error) {
      unusable.push({ runbookId: def.id, reason: (error as Error).message });
    }
  }
  return { wanted, runbookTables, unusable };
}

async function journaledTableOf(client: Pick<pg.PoolClient, 'query'>, name: string, columnSet: Set<string>) {
  const table = await describeTable(client, name);
  const unknown = [...columnSet].filter((c) => !table.allColumns.includes(c));
  if (unknown.length > 0) throw new Error(`${name} has no column ${unknown.join(', ')}`);
  const columns = table.allColumns.filter((c) => columnSet.has(c));
  const journaled: JournaledTable = { name, keyColumn: table.key, keyType: table.keyType, columns };
  return { table, journaled, columns };
}

/**
 * The journal's SQL for a DBA (`ops-daemon migrate --print-sql`), where the daemon's user does not
 * own a declared table: the trigger functions (handed to that user, who keeps replacing them) and
 * the triggers. Once run, the daemon's next start finds the triggers in place.
 */
export async function journalSetupSql(
  pool: Pick<pg.Pool, 'query'>,
  registry: { runbooks: ReadonlyMap<string, Reversible> },
  user: string,
): Promise<string> {
  const { wanted } = wantedTables(registry);
  const lines: string[] = [];
  for (const [name, columnSet] of wanted) {
    const { table, journaled } = await journaledTableOf(pool, name, columnSet);
    lines.push(`-- Run journal of ${name} (reversible runs): before-images of the declared columns`);
    for (const statement of journalTriggerSql(journaled, table.allColumns)) lines.push(`${statement};`);
    for (const fn of [functionName(name), refuseName(name)])
      lines.push(`ALTER FUNCTION ${fn}() OWNER TO ${ident(user)};`);
  }
  return lines.length ? `${lines.join('\n')}\n` : '';
}

export type JournalAvailability = { available: true } | { available: false; reason: string };

/**
 * Whether a run of this reversible runbook would be journaled on this database now: the runbook is
 * registered as reversible and every table it declares has its journal trigger (enabled). If not,
 * why, for the run record, its page, the preflight and the revert's refusal.
 */
export async function journalAvailability(
  pool: Pick<pg.Pool, 'query'>,
  def: Reversible,
): Promise<JournalAvailability> {
  let tables: string[];
  try {
    tables = [...journaledWrites(def).keys()];
  } catch (error) {
    return { available: false, reason: (error as Error).message };
  }
  const { rows } = await pool.query<{ registered: boolean; lacking: string[] }>(
    `SELECT EXISTS (SELECT 1 FROM ops.reversible_runbooks WHERE runbook_id = $1) AS registered,
            ARRAY(SELECT t FROM unnest($2::text[]) AS t
                   WHERE NOT EXISTS (SELECT 1 FROM pg_trigger g
                                      WHERE g.tgrelid = to_regclass(t) AND g.tgname = 'ops_journal_update'
                                        AND g.tgenabled <> 'D')) AS lacking`,
    [def.id, tables],
  );
  const { registered, lacking } = rows[0]!;
  if (registered && lacking.length === 0) return { available: true };
  const known = notSetUp.get(def.id);
  if (known) return { available: false, reason: known };
  return {
    available: false,
    reason:
      lacking.length > 0
        ? `the journal trigger is missing or disabled on ${lacking.join(', ')}; ${PRINT_SQL_HINT}`
        : `the journal of runbook ${def.id} is not set up on this database; ${PRINT_SQL_HINT}`,
  };
}

/** The table's columns in order, and its single-column primary key. Throws when it has none. */
async function describeTable(
  client: Pick<pg.PoolClient, 'query'>,
  name: string,
): Promise<{ allColumns: string[]; key: string; keyType: string }> {
  const [schema, table] = name.split('.') as [string, string];
  const { rows: columns } = await client.query<{ attname: string }>(
    `SELECT a.attname FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
       JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = $1 AND c.relname = $2 AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum`,
    [schema, table],
  );
  if (columns.length === 0) throw new Error(`table ${name} does not exist`);
  const { rows: keys } = await client.query<{ attname: string; type: string }>(
    `SELECT a.attname, format_type(a.atttypid, a.atttypmod) AS type
       FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY (i.indkey)
      WHERE i.indrelid = $1::regclass AND i.indisprimary`,
    [qualified(name)],
  );
  if (keys.length !== 1) throw new Error(`table ${name} needs a single-column primary key to be journaled`);
  return { allColumns: columns.map((c) => c.attname), key: keys[0]!.attname, keyType: keys[0]!.type };
}

/** What a run records of its journal (context.journal): null when journaled or not reversible. */
export interface JournalUnavailable {
  status: 'unavailable';
  reason: string;
}

export async function journalStatusOf(
  pool: Pick<pg.Pool, 'query'>,
  def: Reversible,
): Promise<JournalUnavailable | null> {
  if (!isReversible(def)) return null;
  const availability = await journalAvailability(pool, def);
  return availability.available ? null : { status: 'unavailable', reason: availability.reason };
}
