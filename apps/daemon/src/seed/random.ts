// Deterministic randomness inside SQL. random() cannot be seeded per statement reliably and differs
// between runs, so every random choice is a hash of (seed, row key, salt): the same options on a
// fresh database give the same rows, ids included. The statements take the seed as $1.

/** One independent stream per purpose; changing a number changes the generated data. */
export const SALT = {
  tenantWeight: 1,
  tenantCreated: 2,
  severity: 3,
  eventCount: 4,
  firstSeen: 5,
  createdBefore: 6,
  step: 7,
  drift: 8,
  status: 9,
  driftKind: 10,
  driftAmount: 11,
  titleIssue: 12,
  titleComponent: 13,
  fingerprint: 14,
  eventKind: 15,
  eventTie: 16,
  eventJitter: 17,
} as const;

/** A hash of the row key (a bigint SQL expression) in the stream `salt`, as a bigint. */
export function hashOf(key: string, salt: number): string {
  return `hashint8extended((${key})::bigint, hashint8extended($1::bigint, ${salt}))`;
}

/**
 * A uniform double in [0, 1) from the row key. 52 bits of the hash, so the division is exact and
 * the value is the same on every platform.
 */
export function unit(key: string, salt: number): string {
  return `((${hashOf(key, salt)} & 4503599627370495)::float8 / 4503599627370496.0)`;
}
