import type pg from 'pg';

/**
 * A checksum of every table in the public and ops schemas (rows in a stable order), leaving out
 * columns that legitimately differ between two runs of the same work, e.g. `findings.updated_at`.
 */
export async function databaseChecksum(
  pool: pg.Pool,
  volatileColumns: readonly string[] = [],
): Promise<string> {
  const { rows } = await pool.query<{ table_schema: string; table_name: string; columns: string[] }>(
    `SELECT table_schema, table_name, array_agg(column_name::text ORDER BY ordinal_position) AS columns
       FROM information_schema.columns
      WHERE table_schema IN ('public', 'ops')
      GROUP BY table_schema, table_name ORDER BY table_schema, table_name`,
  );
  const parts: string[] = [];
  for (const t of rows) {
    const kept = t.columns.filter((c) => !volatileColumns.includes(`${t.table_name}.${c}`));
    if (kept.length === 0) continue;
    const cols = kept.map((c) => `"${c}"`).join(', ');
    const { rows: sum } = await pool.query<{ md5: string | null }>(
      `SELECT md5(string_agg(r::text, E'\\n' ORDER BY r::text)) AS md5 FROM (SELECT ${cols} FROM "${t.table_schema}"."${t.table_name}") r`,
    );
    parts.push(`${t.table_schema}.${t.table_name}:${sum[0]?.md5 ?? 'empty'}`);
  }
  return parts.join('\n');
}
