import type pg from 'pg';

/** A pool, or one client (to see a transaction's own writes). */
type Queryable = Pick<pg.Pool, 'query'> | Pick<pg.PoolClient, 'query'>;

interface TableColumns {
  table_schema: string;
  table_name: string;
  columns: string[];
}

/** Tables of the public and ops schemas with their columns, less the volatile ones. */
async function tablesOf(pool: Queryable, volatileColumns: readonly string[]) {
  const { rows } = await pool.query<TableColumns>(
    `SELECT table_schema, table_name, array_agg(column_name::text ORDER BY ordinal_position) AS columns
       FROM information_schema.columns
      WHERE table_schema IN ('public', 'ops')
      GROUP BY table_schema, table_name ORDER BY table_schema, table_name`,
  );
  return rows
    .map((t) => ({
      ...t,
      columns: t.columns.filter((c) => !volatileColumns.includes(`${t.table_name}.${c}`)),
    }))
    .filter((t) => t.columns.length > 0);
}

const quoted = (t: TableColumns) => `"${t.table_schema}"."${t.table_name}"`;

/**
 * A checksum of every table in the public and ops schemas (rows in a stable order), leaving out
 * columns that legitimately differ between two runs of the same work, e.g. `findings.updated_at`.
 */
export async function databaseChecksum(
  pool: pg.Pool,
  volatileColumns: readonly string[] = [],
): Promise<string> {
  const parts: string[] = [];
  for (const t of await tablesOf(pool, volatileColumns)) {
    const cols = t.columns.map((c) => `"${c}"`).join(', ');
    const { rows: sum } = await pool.query<{ md5: string | null }>(
      `SELECT md5(string_agg(r::text, E'\\n' ORDER BY r::text)) AS md5 FROM (SELECT ${cols} FROM ${quoted(t)}) r`,
    );
    parts.push(`${t.table_schema}.${t.table_name}:${sum[0]?.md5 ?? 'empty'}`);
  }
  return parts.join('\n');
}

/** The key of rows no tenant owns (tables without a `tenant_id` column) in `tenantChecksums`. */
export const SHARED_ROWS = 'shared';

/**
 * A checksum per tenant: every row of a table with a `tenant_id` column counts for that tenant, a
 * row of `public.tenants` for its own id; other tables' rows count under SHARED_ROWS. Comparing
 * two of these says which tenants a run changed.
 */
export async function tenantChecksums(
  pool: Queryable,
  volatileColumns: readonly string[] = [],
): Promise<Map<string, string>> {
  const parts = new Map<string, string[]>();
  const add = (key: string, part: string) => {
    const list = parts.get(key) ?? [];
    list.push(part);
    parts.set(key, list);
  };
  for (const t of await tablesOf(pool, volatileColumns)) {
    const owner =
      t.table_schema === 'public' && t.table_name === 'tenants'
        ? 'id'
        : t.columns.includes('tenant_id')
          ? 'tenant_id'
          : null;
    const cols = t.columns.map((c) => `"${c}"`).join(', ');
    if (!owner) {
      const { rows } = await pool.query<{ md5: string | null }>(
        `SELECT md5(string_agg(r::text, E'\\n' ORDER BY r::text)) AS md5 FROM (SELECT ${cols} FROM ${quoted(t)}) r`,
      );
      add(SHARED_ROWS, `${quoted(t)}:${rows[0]?.md5 ?? 'empty'}`);
      continue;
    }
    const { rows } = await pool.query<{ tenant: string | null; md5: string }>(
      `SELECT r."${owner}"::text AS tenant, md5(string_agg(r::text, E'\\n' ORDER BY r::text)) AS md5
         FROM (SELECT ${cols} FROM ${quoted(t)}) r GROUP BY 1`,
    );
    for (const row of rows) add(row.tenant ?? SHARED_ROWS, `${quoted(t)}:${row.md5}`);
  }
  return new Map([...parts].map(([key, list]) => [key, list.join('\n')]));
}

/** The keys (tenant ids as text, or SHARED_ROWS) whose rows differ between two checksums. */
export function changedKeys(before: Map<string, string>, after: Map<string, string>): string[] {
  const keys = new Set([...before.keys(), ...after.keys()]);
  return [...keys].filter((k) => before.get(k) !== after.get(k)).sort();
}
