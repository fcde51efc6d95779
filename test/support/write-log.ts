import type { TestDatabase } from './database.ts';

/**
 * Records (SECURITY DEFINER: whatever role the writer runs as, as a DBA's audit trigger would),
 * in the database itself, every statement that writes findings: which run (the
 * `ops.run_id` setting a chunk transaction sets after proving its lease, or none), which backend and
 * when. What runs did is then read from the data, not from their own records.
 */
export async function logFindingWrites(t: TestDatabase): Promise<void> {
  await t.sql(`
    CREATE TABLE IF NOT EXISTS test_write_log (
      run_id text, pid int, xid bigint, at timestamptz NOT NULL DEFAULT clock_timestamp()
    );
    CREATE OR REPLACE FUNCTION test_log_write() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
    BEGIN
      INSERT INTO test_write_log (run_id, pid, xid)
        VALUES (nullif(current_setting('ops.run_id', true), ''), pg_backend_pid(), txid_current());
      RETURN NULL;
    END $$;
    DROP TRIGGER IF EXISTS test_log_write ON public.findings;
    CREATE TRIGGER test_log_write AFTER UPDATE ON public.findings
      FOR EACH STATEMENT EXECUTE FUNCTION test_log_write();
  `);
}

/** Each writing run's first and last write, in the order of the first. */
export async function writeSpans(
  t: TestDatabase,
): Promise<{ run_id: string | null; first: Date; last: Date; n: number }[]> {
  return t.sql(
    `SELECT run_id, min(at) AS first, max(at) AS last, count(*)::int AS n
       FROM test_write_log GROUP BY run_id ORDER BY min(at)`,
  );
}

/** Pairs of runs whose write spans overlap in time: two runs writing the same scope at once. */
export function overlapping(spans: { run_id: string | null; first: Date; last: Date }[]): string[] {
  const found: string[] = [];
  for (let i = 0; i < spans.length; i++) {
    for (let j = i + 1; j < spans.length; j++) {
      const a = spans[i]!;
      const b = spans[j]!;
      if (a.first <= b.last && b.first <= a.last) found.push(`${a.run_id} and ${b.run_id}`);
    }
  }
  return found;
}
