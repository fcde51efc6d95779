import type pg from 'pg';
import { type ChainRecord, GENESIS_HASH } from './canonical.ts';
import { type ChainBreak, ChainChecker } from './chain-checker.ts';
import {
  chainHead,
  chainRecords,
  readVerificationState,
  storedHash,
  type VerificationState,
  writeVerificationState,
} from './chain-store.ts';

const PAGE = 5000;

export interface ChainVerification {
  ok: boolean;
  /** Events checked. */
  checked: number;
  /** The last event that checked out (seq "0" when none). */
  through: { seq: string; id: string | null };
  broken: ChainBreak | null;
}

/** Reads the chain in one snapshot (REPEATABLE READ), so the head and the events agree. */
async function inSnapshot<T>(pool: pg.Pool, fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    const result = await fn(client);
    await client.query('COMMIT');
    return result;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => {});
    throw error;
  } finally {
    client.release();
  }
}

/** Every event of the chain, in seq order, page by page, as of one snapshot; returns the head. */
export function eachChainRecord(
  pool: pg.Pool,
  visit: (record: ChainRecord) => boolean | Promise<boolean>,
): Promise<{ seq: string; hash: string }> {
  return inSnapshot(pool, async (client) => {
    const head = await chainHead(client);
    let after = '0';
    for (;;) {
      const page = await chainRecords(client, after, PAGE);
      for (const record of page) if (!(await visit(record))) return head;
      if (page.length < PAGE) return head;
      after = page.at(-1)!.seq;
    }
  });
}

/**
 * The whole chain, checked from its first event to its head (`ops-daemon audit verify`). The
 * outcome is stored for the console (a full pass that holds clears an earlier break).
 */
export async function verifyAuditChain(pool: pg.Pool): Promise<ChainVerification> {
  const checker = new ChainChecker();
  const head = await eachChainRecord(pool, (record) => checker.add(record));
  const ok = checker.endAt(head);
  const through = checker.through;
  const state = await readVerificationState(pool);
  await writeVerificationState(pool, {
    ...state,
    verifiedSeq: through.seq,
    verifiedHash: through.hash,
    broken: checker.broken && {
      seq: checker.broken.seq,
      id: checker.broken.id,
      reason: checker.broken.reason,
    },
  });
  return {
    ok,
    checked: checker.checked,
    through: { seq: through.seq, id: through.id },
    broken: checker.broken,
  };
}

export interface ChainStatus {
  state: 'verified' | 'broken';
  /** The last event verified (0 when none). */
  verifiedThrough: string;
  /** The chain's last event. */
  headSeq: string;
  /** Events after verifiedThrough not checked yet (they are, on the next look). */
  pending: string;
  broken: { seq: string; id: string | null; reason: string } | null;
  checkedAt: string | null;
}

/** At most this many new events, and this many already verified ones again, per look. */
export const STATUS_BUDGET = 5000;

function statusOf(state: VerificationState, headSeq: string): ChainStatus {
  const pending = BigInt(headSeq) - BigInt(state.verifiedSeq);
  return {
    state: state.broken ? 'broken' : 'verified',
    verifiedThrough: state.verifiedSeq,
    headSeq,
    pending: (pending > 0n ? pending : 0n).toString(),
    broken: state.broken,
    checkedAt: state.checkedAt?.toISOString() ?? null,
  };
}

/**
 * How far the chain is verified, for the console: bounded work per call, so the page stays fast
 * at any size. Each call checks up to STATUS_BUDGET events past the last verified one, and
 * re-checks up to STATUS_BUDGET older ones (a sweep that wraps around), so an event changed after
 * it was verified is still found, within a number of looks. A break stays reported until a full
 * `ops-daemon audit verify` passes. Daemons share the state; one verifies at a time, the others
 * answer with the stored state.
 */
export async function auditChainStatus(pool: pg.Pool, budget = STATUS_BUDGET): Promise<ChainStatus> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const [{ locked }] = (
      await client.query<{ locked: boolean }>(
        "SELECT pg_try_advisory_xact_lock(hashtext('ops:audit-chain-verify')) AS locked",
      )
    ).rows as [{ locked: boolean }];
    const state = await readVerificationState(client);
    const head = await chainHead(client);
    if (!locked || state.broken) {
      await client.query('COMMIT');
      return statusOf(state, head.seq);
    }
    const next: VerificationState = { ...state };
    // Forward: events written since the last look.
    const forward = new ChainChecker({ seq: state.verifiedSeq, hash: state.verifiedHash });
    const fresh = await chainRecords(client, state.verifiedSeq, budget, head.seq);
    for (const record of fresh) if (!forward.add(record)) break;
    if (!forward.broken && fresh.length < budget) forward.endAt(head);
    next.verifiedSeq = forward.through.seq;
    next.verifiedHash = forward.through.hash;
    next.broken = forward.broken;
    // Sweep: events verified before, again, a slice per look.
    if (!next.broken && BigInt(state.verifiedSeq) > 0n) {
      const from = BigInt(state.sweepSeq) > BigInt(state.verifiedSeq) ? 1n : BigInt(state.sweepSeq);
      const before = (from - 1n).toString();
      const beforeHash = from === 1n ? GENESIS_HASH : await storedHash(client, before);
      const sweep = new ChainChecker({ seq: before, hash: beforeHash ?? '' });
      const old = await chainRecords(client, before, budget, state.verifiedSeq);
      for (const record of old) if (!sweep.add(record)) break;
      if (beforeHash === null) {
        next.broken = { seq: before, id: null, reason: `event #${before} is missing` };
      } else if (sweep.broken) {
        next.broken = sweep.broken;
      } else if (old.length < budget || sweep.through.seq === state.verifiedSeq) {
        if (sweep.through.seq !== state.verifiedSeq) {
          next.broken = {
            seq: (BigInt(sweep.through.seq) + 1n).toString(),
            id: null,
            reason: `event #${BigInt(sweep.through.seq) + 1n} is missing`,
          };
        }
        next.sweepSeq = '1';
      } else {
        next.sweepSeq = (BigInt(sweep.through.seq) + 1n).toString();
      }
    }
    await writeVerificationState(client, next);
    await client.query('COMMIT');
    return statusOf({ ...next, checkedAt: new Date() }, head.seq);
  } catch (error) {
    await client.query('ROLLBACK').catch(() => {});
    throw error;
  } finally {
    client.release();
  }
}
