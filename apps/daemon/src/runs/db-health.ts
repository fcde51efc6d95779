import type pg from 'pg';

/**
 * Database-health throttling: between chunks, workers ask whether the database wants a break, and
 * wait while it does. The verdict names why, and the run shows it in its progress.
 */

export interface HealthLimits {
  /** Throttle when this share of max_connections is in use (the application needs the rest). */
  connectionsFraction: number;
  /** Throttle when a replica replays more than this many seconds behind (where there are replicas). */
  replicationLagSeconds: number;
  /**
   * Throttle while autovacuum has been working on a table the run writes for longer than this: our
   * writes make its job longer, and a long one is usually fighting bloat or wraparound.
   */
  autovacuumSeconds: number;
}

export const DEFAULT_HEALTH_LIMITS: Readonly<HealthLimits> = Object.freeze({
  connectionsFraction: 0.9,
  replicationLagSeconds: 10,
  autovacuumSeconds: 60,
});

/** What the database said, at one moment. */
export interface HealthSample {
  connections: number;
  maxConnections: number;
  /** The worst replica's replay lag, or null without replicas (or without the right to see them). */
  replicationLagSeconds: number | null;
  /** Autovacuum workers busy on one of the run's tables, with how long they have been at it. */
  autovacuum: { table: string; seconds: number }[];
}

/** Why to wait, or null when the database is fine. The first reason that applies wins. */
export function healthVerdict(sample: HealthSample, limits: HealthLimits): string | null {
  const used = sample.connections / Math.max(1, sample.maxConnections);
  if (used >= limits.connectionsFraction) {
    return `connections: ${sample.connections} of ${sample.maxConnections} in use (limit ${Math.round(limits.connectionsFraction * 100)}%)`;
  }
  if (sample.replicationLagSeconds !== null && sample.replicationLagSeconds > limits.replicationLagSeconds) {
    return `replication lag ${sample.replicationLagSeconds.toFixed(1)} s (limit ${limits.replicationLagSeconds} s)`;
  }
  const vacuum = sample.autovacuum.find((v) => v.seconds > limits.autovacuumSeconds);
  if (vacuum) {
    return `autovacuum on ${vacuum.table} running for ${Math.round(vacuum.seconds)} s (limit ${limits.autovacuumSeconds} s)`;
  }
  return null;
}

/** `table:findings` → `findings`: the tables among a runbook's declared resources. */
export function tablesOf(resources: readonly string[]): string[] {
  return resources.filter((r) => r.startsWith('table:')).map((r) => r.slice('table:'.length));
}

// One round trip. Autovacuum workers show their target as "autovacuum: VACUUM [ANALYZE] schema.table
// [(to prevent wraparound)]" in pg_stat_activity.query.
const SAMPLE_SQL = `
  SELECT (SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'client backend')::int AS connections,
         current_setting('max_connections')::int AS max_connections,
         (SELECT max(extract(epoch FROM replay_lag)) FROM pg_stat_replication)::float8 AS replication_lag,
         coalesce((SELECT json_agg(json_build_object(
                     'table', substring(query FROM '^autovacuum: (?:VACUUM ANALYZE|VACUUM|ANALYZE) ([^ ]+)'),
                     'seconds', extract(epoch FROM clock_timestamp() - xact_start)::float8))
                   FROM pg_stat_activity
                   WHERE backend_type = 'autovacuum worker' AND query LIKE 'autovacuum:%'), '[]') AS autovacuum`;

export async function sampleHealth(pool: pg.Pool, tables: readonly string[]): Promise<HealthSample> {
  const { rows } = await pool.query<{
    connections: number;
    max_connections: number;
    replication_lag: number | null;
    autovacuum: { table: string | null; seconds: number | null }[];
  }>(SAMPLE_SQL);
  const row = rows[0]!;
  const ours = (name: string) => tables.some((t) => name === t || name.endsWith(`.${t}`));
  return {
    connections: row.connections,
    maxConnections: row.max_connections,
    replicationLagSeconds: row.replication_lag,
    autovacuum: row.autovacuum.flatMap((v) =>
      v.table && v.seconds !== null && ours(v.table) ? [{ table: v.table, seconds: v.seconds }] : [],
    ),
  };
}

/** Asked between chunks: a reason to wait, or null. */
export type HealthProbe = (tables: readonly string[]) => Promise<string | null>;

/**
 * The database's own health as a probe, sampled at most once per `everyMs` (workers share the
 * answer). A failed sample does not throttle: the chunk itself will meet whatever is wrong.
 */
export function databaseHealthProbe(pool: pg.Pool, limits: HealthLimits, everyMs = 1000): HealthProbe {
  let last: { at: number; key: string; verdict: Promise<string | null> } | null = null;
  return (tables) => {
    const key = tables.join(',');
    const now = Date.now();
    if (!last || last.key !== key || now - last.at >= everyMs) {
      const verdict = sampleHealth(pool, tables).then(
        (sample) => healthVerdict(sample, limits),
        () => null,
      );
      last = { at: now, key, verdict };
    }
    return last.verdict;
  };
}
