import type { Migration } from '../migrator.ts';

// Fencing: a run's owner holds a lease (renewed by its heartbeat) and a fence number bumped by
// whoever takes the run over. Every chunk transaction locks this row FOR SHARE and checks both, so
// a writer that lost its lease cannot commit, and a takeover waits for chunks already checking.
// A table of its own: progress updates of ops.runs never wait behind those share locks.
export const up: Migration = async ({ context: sql }) => {
  await sql(`
    CREATE TABLE ops.run_leases (
      run_id     bigint PRIMARY KEY REFERENCES ops.runs (id) ON DELETE CASCADE,
      fence      bigint NOT NULL DEFAULT 1,
      owner      text NOT NULL,
      -- NULL: released (the run is paused without an owner, or ended)
      expires_at timestamptz
    );
    -- Runs active before this migration: owned, with a short lease, so the reaper can decide.
    INSERT INTO ops.run_leases (run_id, owner, expires_at)
      SELECT id, coalesce(owner->>'token', 'unknown'), now() + interval '30 seconds'
      FROM ops.runs WHERE status IN ('queued', 'running');
  `);
};

export const down: Migration = async ({ context: sql }) => {
  await sql('DROP TABLE IF EXISTS ops.run_leases');
};
