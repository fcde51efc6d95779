import type pg from 'pg';
import type { ChainRecord } from './canonical.ts';

type Queryable = Pick<pg.Pool, 'query'> | Pick<pg.PoolClient, 'query'>;

/** Each column as the canonical text takes it (docs/audit-chain.md): the database prints it. */
const RECORD_COLUMNS = `seq::text AS seq, id::text AS id,
  to_char(occurred_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS occurred_at,
  action, actor_label, actor::text AS actor, run_id::text AS run_id, runbook_id, scope::text AS scope,
  outcome, ip, details::text AS details, prev_hash, hash`;

/** Up to `limit` events with seq > `after` (and ≤ `through` when given), in seq order. */
export async function chainRecords(
  db: Queryable,
  after: string,
  limit: number,
  through?: string,
): Promise<ChainRecord[]> {
  const { rows } = await db.query<ChainRecord>(
    // ORDER BY e.seq, the bigint: a bare \`seq\` would be the text column of the select list.
    `SELECT ${RECORD_COLUMNS} FROM ops.audit_events e
      WHERE e.seq > $1::bigint ${through === undefined ? '' : 'AND e.seq <= $3::bigint'}
      ORDER BY e.seq LIMIT $2`,
    through === undefined ? [after, limit] : [after, limit, through],
  );
  return rows;
}

/** The stored hash of one event, or null when it is not there. */
export async function storedHash(db: Queryable, seq: string): Promise<string | null> {
  const { rows } = await db.query<{ hash: string }>(
    'SELECT hash FROM ops.audit_events WHERE seq = $1::bigint',
    [seq],
  );
  return rows[0]?.hash ?? null;
}

/** The chain head the insert trigger advances: the last seq and its hash. */
export async function chainHead(db: Queryable): Promise<{ seq: string; hash: string }> {
  const { rows } = await db.query<{ seq: string; hash: string }>(
    'SELECT seq::text AS seq, hash FROM ops.audit_chain_head WHERE only_row',
  );
  if (!rows[0]) throw new Error('ops.audit_chain_head has no row: migration 013 did not run');
  return rows[0];
}

export interface VerificationState {
  verifiedSeq: string;
  verifiedHash: string;
  sweepSeq: string;
  broken: { seq: string; id: string | null; reason: string } | null;
  checkedAt: Date | null;
}

export async function readVerificationState(db: Queryable): Promise<VerificationState> {
  const { rows } = await db.query(
    `SELECT verified_seq::text, verified_hash, sweep_seq::text, broken_seq::text, broken_id::text,
            broken_reason, checked_at
       FROM ops.audit_chain_verification WHERE only_row`,
  );
  const r = rows[0] as Record<string, string | Date | null>;
  return {
    verifiedSeq: r.verified_seq as string,
    verifiedHash: r.verified_hash as string,
    sweepSeq: r.sweep_seq as string,
    broken:
      r.broken_seq === null
        ? null
        : {
            seq: r.broken_seq as string,
            id: r.broken_id as string | null,
            reason: r.broken_reason as string,
          },
    checkedAt: r.checked_at as Date | null,
  };
}

export async function writeVerificationState(db: Queryable, state: VerificationState): Promise<void> {
  await db.query(
    `UPDATE ops.audit_chain_verification
        SET verified_seq = $1::bigint, verified_hash = $2, sweep_seq = $3::bigint, broken_seq = $4::bigint,
            broken_id = $5::bigint, broken_reason = $6, checked_at = now()
      WHERE only_row`,
    [
      state.verifiedSeq,
      state.verifiedHash,
      state.sweepSeq,
      state.broken?.seq ?? null,
      state.broken?.id || null,
      state.broken?.reason ?? null,
    ],
  );
}
