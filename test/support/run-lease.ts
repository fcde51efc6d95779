import { waitFor } from './cli.ts';
import type { TestDatabase } from './database.ts';

/** Waits (on the database's clock) until a run's lease has run out: its owner provably stopped. */
export function leaseRunOut(t: TestDatabase, runId: string, what = `run ${runId}'s lease to run out`) {
  return waitFor(
    async () =>
      (
        await t.sql('SELECT 1 FROM ops.run_leases WHERE run_id = $1 AND expires_at < clock_timestamp()', [
          runId,
        ])
      )[0],
    30_000,
    what,
  );
}
