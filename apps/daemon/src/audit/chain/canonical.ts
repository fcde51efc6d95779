import { createHash } from 'node:crypto';

/**
 * One audit event as the chain hashes it and `ops-daemon audit export` writes it: every value a
 * string (or null), exactly as it enters the canonical text. docs/audit-chain.md is the rule;
 * PostgreSQL's ops.audit_event_canonical (migration 013) builds the same text when it hashes.
 */
export interface ChainRecord {
  /** Position in the chain, 1, 2, 3, … without gaps (decimal). */
  seq: string;
  /** The event's id (decimal); ids may be out of seq order when writers race. */
  id: string;
  /** UTC, microseconds: 2026-11-28T11:36:54.123456Z. */
  occurred_at: string;
  action: string;
  actor_label: string;
  /** jsonb columns: the text PostgreSQL prints for the value (`{"a": 1}`), or null. */
  actor: string | null;
  run_id: string | null;
  runbook_id: string | null;
  scope: string | null;
  outcome: string | null;
  ip: string | null;
  details: string;
  /** The hash of event seq − 1; 64 zeros for seq 1. */
  prev_hash: string;
  /** Lowercase hex SHA-256 of the canonical text. */
  hash: string;
}

export const CHAIN_VERSION = 'ops-audit-chain/1';
export const GENESIS_HASH = '0'.repeat(64);

/** The fields in canonical order (after the version tag). */
export const CANONICAL_FIELDS = [
  'seq',
  'id',
  'occurred_at',
  'action',
  'actor_label',
  'actor',
  'run_id',
  'runbook_id',
  'scope',
  'outcome',
  'ip',
  'details',
  'prev_hash',
] as const satisfies readonly (keyof ChainRecord)[];

/** The canonical text: a compact JSON array of the version tag and the fields, each a string or null. */
export function canonicalText(record: Omit<ChainRecord, 'hash'>): string {
  return JSON.stringify([CHAIN_VERSION, ...CANONICAL_FIELDS.map((f) => record[f] ?? null)]);
}

/** What the hash of a record must be. */
export function eventHash(record: Omit<ChainRecord, 'hash'>): string {
  return createHash('sha256').update(canonicalText(record), 'utf8').digest('hex');
}
