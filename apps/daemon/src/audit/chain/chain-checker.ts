import { type ChainRecord, eventHash, GENESIS_HASH } from './canonical.ts';

/** The first event where the chain does not hold, and what differs. */
export interface ChainBreak {
  seq: string;
  id: string;
  /** content: the event's fields no longer give its hash; link: it does not follow its predecessor. */
  kind: 'content' | 'link';
  reason: string;
}

/**
 * Checks records fed in seq order, from `after` (the last event already trusted, or the start).
 * Stops at the first break: later records are not looked at.
 */
export class ChainChecker {
  private seq: bigint;
  private prevHash: string;
  private lastId: string | null = null;
  checked = 0;
  broken: ChainBreak | null = null;

  constructor(after: { seq: string; hash: string } = { seq: '0', hash: GENESIS_HASH }) {
    this.seq = BigInt(after.seq);
    this.prevHash = after.hash;
  }

  /** The last event that checked out. */
  get through(): { seq: string; hash: string; id: string | null } {
    return { seq: this.seq.toString(), hash: this.prevHash, id: this.lastId };
  }

  /** Returns false once the chain is broken. */
  add(record: ChainRecord): boolean {
    if (this.broken) return false;
    const expected = this.seq + 1n;
    const at = { seq: record.seq, id: record.id };
    if (BigInt(record.seq) !== expected) {
      const missing =
        BigInt(record.seq) > expected
          ? `event #${expected}${BigInt(record.seq) - expected > 1n ? ` to #${BigInt(record.seq) - 1n}` : ''} is missing`
          : `seq #${record.seq} repeats or goes back`;
      this.broken = { ...at, kind: 'link', reason: `${missing} (expected #${expected} after #${this.seq})` };
      return false;
    }
    if (record.prev_hash !== this.prevHash) {
      this.broken = {
        ...at,
        kind: 'link',
        reason: `its prev_hash ${short(record.prev_hash)} is not the hash of #${this.seq} (${short(this.prevHash)}): an earlier event was changed or removed`,
      };
      return false;
    }
    const computed = eventHash(record);
    if (computed !== record.hash) {
      this.broken = {
        ...at,
        kind: 'content',
        reason: `its content hash differs: stored ${short(record.hash)}, its fields give ${short(computed)}`,
      };
      return false;
    }
    this.seq = expected;
    this.prevHash = record.hash;
    this.lastId = record.id;
    this.checked += 1;
    return true;
  }

  /** After the last record: the chain head PostgreSQL keeps must be the last event checked. */
  endAt(head: { seq: string; hash: string }): boolean {
    if (this.broken) return false;
    if (head.seq === this.seq.toString() && head.hash === this.prevHash) return true;
    const missing = BigInt(head.seq) > this.seq;
    this.broken = {
      seq: head.seq,
      id: '',
      kind: 'link',
      reason: missing
        ? `the chain head records #${head.seq} but the last event is #${this.seq}: events after it were removed`
        : `the chain head (#${head.seq}, ${short(head.hash)}) does not match the last event #${this.seq} (${short(this.prevHash)})`,
    };
    return false;
  }
}

const short = (hash: string) => `${hash.slice(0, 12)}…`;
