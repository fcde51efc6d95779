import type { Migration } from '../migrator.ts';

// Issue 16: the 5 s write transaction. Every chunk transaction locked its run's lease row FOR SHARE,
// and the owner's heartbeat renews the lease with an UPDATE of that row: with two or more workers
// whose chunks overlap, some chunk always held the share lock, and the renewal (a transaction
// holding an xid, seen from pg_stat_activity) waited seconds for a gap — up to the lease itself.
// With (run_id, fence) a key, a chunk's check takes FOR KEY SHARE instead: a renewal (expires_at
// only) takes FOR NO KEY UPDATE, which does not conflict, while a takeover, which bumps the fence
// (a key column now), takes FOR UPDATE and still waits for every chunk past its fence check.
export const up: Migration = async ({ context: sql }) => {
  await sql('CREATE UNIQUE INDEX run_leases_fence_key ON ops.run_leases (run_id, fence)');
};

export const down: Migration = async ({ context: sql }) => {
  await sql('DROP INDEX IF EXISTS ops.run_leases_fence_key');
};
