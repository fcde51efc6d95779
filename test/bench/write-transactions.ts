import pg from 'pg';
import { percentile } from './spread.ts';
import { TRAFFIC_APPLICATION } from './traffic.ts';

/**
 * Write transactions as other sessions see them: pg_stat_activity sampled every `everyMs`, keeping
 * every transaction that holds a transaction id (it has written something, so it may hold row
 * locks) other than the product stand-in's and our own. A transaction's duration is its age
 * (clock_timestamp() − xact_start) when last seen: at most one sampling interval short.
 */
export interface WriteTransactions {
  count: number;
  p50_ms: number;
  p99_ms: number;
  max_ms: number;
  /**
   * The same without the run's derivation into its own unlogged work table (findings plugin): it
   * writes no row of the product's and holds no lock another session waits for; shown apart.
   */
  product: { count: number; p99_ms: number; max_ms: number; longest: { ms: number; query: string }[] };
  /** The longest few, with what they ran (for finding the long one). */
  longest: { ms: number; query: string }[];
}

export interface WriteSampler {
  stop(): Promise<WriteTransactions>;
}

export async function sampleWriteTransactions(url: string, everyMs = 10): Promise<WriteSampler> {
  const c = new pg.Client({ connectionString: url, application_name: 'bench-sampler' });
  await c.connect();
  const seen = new Map<string, { ms: number; query: string }>();
  let running = true;
  const loop = (async () => {
    while (running) {
      const { rows } = await c.query<{ key: string; ms: number; query: string }>(
        `SELECT pid || ':' || backend_xid::text AS key,
                (extract(epoch FROM clock_timestamp() - xact_start) * 1000)::float8 AS ms,
                left(regexp_replace(query, '\\s+', ' ', 'g'), 90) AS query
         FROM pg_stat_activity
         WHERE backend_xid IS NOT NULL AND pid <> pg_backend_pid() AND datname = current_database()
           AND application_name <> $1 AND backend_type = 'client backend'`,
        [TRAFFIC_APPLICATION],
      );
      for (const row of rows) {
        const before = seen.get(row.key);
        if (!before || row.ms > before.ms) seen.set(row.key, { ms: row.ms, query: row.query });
      }
      await new Promise((r) => setTimeout(r, everyMs));
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      await c.end();
      const all = [...seen.values()];
      const ms = all.map((t) => t.ms);
      const productTx = all.filter((t) => !/^INSERT INTO lifecycle_work_/.test(t.query));
      const product = productTx.map((t) => t.ms);
      return {
        product: {
          count: product.length,
          p99_ms: percentile(product, 0.99),
          max_ms: product.length ? Math.max(...product) : Number.NaN,
          longest: [...productTx].sort((a, b) => b.ms - a.ms).slice(0, 5),
        },
        count: all.length,
        p50_ms: percentile(ms, 0.5),
        p99_ms: percentile(ms, 0.99),
        max_ms: ms.length ? Math.max(...ms) : Number.NaN,
        longest: all.sort((a, b) => b.ms - a.ms).slice(0, 3),
      };
    },
  };
}
