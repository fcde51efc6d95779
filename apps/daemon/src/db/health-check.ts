import pg from 'pg';
import { metrics } from '../observability/index.ts';

/** Does the database answer? For /healthz: never waits behind the daemon's long queries. */
export interface HealthCheck {
  /** True when `SELECT 1` answered within the timeout; false (never a throw) otherwise. */
  check(): Promise<boolean>;
  close(): Promise<void>;
}

/**
 * A health check on its own one-connection pool, apart from the daemon's pool, which preflights
 * and runs may keep busy for seconds. Concurrent checks share one probe, so a burst of /healthz
 * requests costs one query. Every probe is bounded by `timeoutMs` (connecting included); a probe
 * that timed out or lost its connection throws the connection away, so the next one starts afresh
 * (e.g. once a restarted database is back).
 */
export function openHealthCheck(url: string, timeoutMs = 2000): HealthCheck {
  const pool = new pg.Pool({
    connectionString: url,
    max: 1,
    connectionTimeoutMillis: timeoutMs,
    idleTimeoutMillis: 60_000,
    application_name: 'ops-daemon-health',
  });
  // A lost connection is a failed probe, never an error event that ends the process: idle clients
  // report to the pool, borrowed ones to their own listener.
  const ignore = () => {};
  pool.on('error', ignore);
  const unwatchPool = metrics.watchPool('health', pool);
  pool.on('connect', (client) => client.on('error', ignore));

  async function probe(): Promise<boolean> {
    let client: pg.PoolClient | undefined;
    try {
      client = await pool.connect();
      await client.query({ text: 'SELECT 1', query_timeout: timeoutMs } as pg.QueryConfig);
      client.release();
      return true;
    } catch (error) {
      client?.release(error as Error); // destroys it: a timed-out query may still occupy it
      return false;
    }
  }

  let current: Promise<boolean> | undefined;
  return {
    check() {
      current ??= probe().finally(() => {
        current = undefined;
      });
      return current;
    },
    async close() {
      unwatchPool();
      await pool.end().catch(() => {});
    },
  };
}
