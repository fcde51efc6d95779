import type pg from 'pg';

// A bulk insert pays per row for every secondary index, unique key and foreign key: the RI trigger
// runs one lookup per inserted row (3.5M for a million findings, about 70% of the events insert),
// and the (tenant_id, fingerprint) key is filled in random order. Building an index once afterwards,
// and validating a foreign key with one join, is several times cheaper. They are dropped and
// restored inside the seed's transaction, from their own stored definitions, so other sessions never
// see them missing, a failed seed rolls the drop back, and a successful one leaves the schema exactly
// as it was (same names, same definitions; only internal OIDs change).

const SECONDARY_INDEXES = ['findings_tenant_id_id_idx', 'finding_events_finding_id_observed_at_idx'];

/** Below this many new findings per-row upkeep is cheap; rebuilding a big table is not. */
const BULK_MIN_FINDINGS = 50_000;

export type SchemaObject =
  | { kind: 'index'; name: string; definition: string }
  | { kind: 'constraint'; table: string; name: string; definition: string; type: 'f' | 'u' };

/**
 * Drops the two secondary indexes, and the foreign keys and unique keys of findings and
 * finding_events (not a unique key another table references), when the insert is big relative to
 * what the tables already hold (restoring costs a pass over all rows, old and new). Returns what
 * `restoreAfterBulk` must put back.
 */
export async function dropForBulk(client: pg.PoolClient, newFindings: number): Promise<SchemaObject[]> {
  if (newFindings < BULK_MIN_FINDINGS) return [];
  const existing = await client.query<{ rows: string }>(
    "SELECT greatest(reltuples, 0)::bigint AS rows FROM pg_class WHERE oid = 'public.findings'::regclass",
  );
  if (Number(existing.rows[0]?.rows ?? 0) > newFindings) return [];

  const indexes = await client.query<{ name: string; definition: string }>(
    `SELECT indexname AS name, indexdef AS definition FROM pg_indexes
     WHERE schemaname = 'public' AND indexname = ANY($1) ORDER BY indexname`,
    [SECONDARY_INDEXES],
  );
  const constraints = await client.query<{
    table: string;
    name: string;
    definition: string;
    type: 'f' | 'u';
  }>(
    `SELECT c.conrelid::regclass::text AS table, c.conname AS name, pg_get_constraintdef(c.oid) AS definition,
            c.contype::text AS type
     FROM pg_constraint c
     WHERE c.contype IN ('f', 'u')
       AND c.conrelid IN ('public.findings'::regclass, 'public.finding_events'::regclass)
       AND NOT (c.contype = 'u' AND EXISTS (
         SELECT 1 FROM pg_constraint r WHERE r.contype = 'f' AND r.conindid = c.conindid))
     ORDER BY c.conname`,
  );
  const dropped: SchemaObject[] = [
    ...indexes.rows.map((r) => ({ kind: 'index' as const, ...r })),
    ...constraints.rows.map((r) => ({ kind: 'constraint' as const, ...r })),
  ];
  for (const object of dropped) {
    await client.query(
      object.kind === 'index'
        ? `DROP INDEX public.${quoteIdent(object.name)}`
        : `ALTER TABLE ${object.table} DROP CONSTRAINT ${quoteIdent(object.name)}`,
    );
  }
  return dropped;
}

/** Rebuilds the indexes and unique keys, then re-adds (and so validates) the foreign keys. */
export async function restoreAfterBulk(
  client: pg.PoolClient,
  dropped: readonly SchemaObject[],
): Promise<void> {
  const foreignKeysLast = (object: SchemaObject) =>
    object.kind === 'constraint' && object.type === 'f' ? 1 : 0;
  for (const object of [...dropped].sort((a, b) => foreignKeysLast(a) - foreignKeysLast(b))) {
    await client.query(
      object.kind === 'index'
        ? object.definition
        : `ALTER TABLE ${object.table} ADD CONSTRAINT ${quoteIdent(object.name)} ${object.definition}`,
    );
  }
}

function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}
