import { DatabaseUnavailableError } from '../errors.ts';

/**
 * A run stopped because the database stayed away longer than OPS_DB_OUTAGE_MS. Nothing could be
 * recorded: the run keeps its checkpoint and committed chunks, its lease runs out, and the next
 * `exec` or any daemon ends it as interrupted (counts reconciled from its work units); a new run
 * finishes the work.
 */
export class RunInterruptedError extends DatabaseUnavailableError {
  constructor(
    readonly runId: string,
    /** What this process saw committed last. */
    readonly written: { processed: number; updated: number; cursor: string | null },
    options?: { cause?: unknown },
  ) {
    super(
      `run ${runId} stopped: the database went away and did not come back in time; ${written.updated} rows were updated before. Run the same command again when the database is back: run ${runId} is then marked interrupted and a new run finishes the work`,
      options,
    );
  }
}
