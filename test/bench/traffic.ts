import pg from 'pg';
import { percentile } from './spread.ts';

/**
 * A stand-in for the product's own traffic while a backfill runs (issue 16): `clients` connections,
 * each starting `perSecond` transactions a second on a fixed schedule; a transaction edits one
 * random finding (its updated_at, as the product's edits do) and reads its tenant's open findings.
 * Latency is measured from each transaction's scheduled start, so a transaction that queued behind
 * a row lock, or behind a late predecessor, counts the wait. A window holds every transaction
 * scheduled inside it, including those still waiting when it closes: reading it waits for them (a
 * transaction blocked by the floor's row locks finishes only after the floor commits, and leaving
 * it out would hide exactly the waits the window is about).
 */
export const TRAFFIC_APPLICATION = 'bench-traffic';

export interface TrafficLatency {
  transactions: number;
  p50_ms: number;
  p99_ms: number;
  max_ms: number;
  errors: number;
}

export interface Traffic {
  /** Starts a new measurement window. */
  mark(): void;
  /**
   * Closes the window: the latencies of every transaction scheduled since the last mark, once the
   * last of them has finished.
   */
  read(): Promise<TrafficLatency>;
  stop(): Promise<void>;
}

export async function startTraffic(url: string, clients = 4, perSecond = 20): Promise<Traffic> {
  const meta = new pg.Client({ connectionString: url });
  await meta.connect();
  const { rows } = await meta.query<{ lo: string; hi: string }>(
    `SELECT min(f.id)::text AS lo, max(f.id)::text AS hi FROM public.findings f`,
  );
  await meta.end();
  const lo = Number(rows[0]!.lo);
  const hi = Number(rows[0]!.hi);
  /** Every finished transaction: when it was scheduled, how long it took (null: it failed). */
  const done: { scheduled: number; ms: number | null }[] = [];
  /** Per client, the schedule time of the transaction it will start next. */
  const nextOf: number[] = [];
  let windowStart = performance.now();
  let running = true;
  const intervalMs = 1000 / perSecond;

  const client = async (index: number) => {
    const c = new pg.Client({ connectionString: url, application_name: TRAFFIC_APPLICATION });
    await c.connect();
    let next = performance.now() + (index * intervalMs) / clients;
    nextOf[index] = next;
    try {
      while (running) {
        const wait = next - performance.now();
        if (wait > 0) await new Promise((r) => setTimeout(r, wait));
        if (!running) break;
        const scheduled = next;
        next += intervalMs;
        const id = lo + Math.floor(Math.random() * (hi - lo + 1));
        try {
          await c.query('BEGIN');
          const edited = await c.query<{ tenant_id: string }>(
            `UPDATE public.findings SET updated_at = now() WHERE id = $1 RETURNING tenant_id::text`,
            [id],
          );
          const tenant = edited.rows[0]?.tenant_id;
          if (tenant) {
            await c.query(
              `SELECT id, title, severity, status FROM public.findings
               WHERE tenant_id = $1 AND status IN ('new', 'triaged', 'in_progress', 'reopened')
               ORDER BY id LIMIT 200`,
              [tenant],
            );
          }
          await c.query('COMMIT');
          done.push({ scheduled, ms: performance.now() - scheduled });
        } catch {
          done.push({ scheduled, ms: null });
          await c.query('ROLLBACK').catch(() => {});
        }
        nextOf[index] = next;
      }
    } finally {
      nextOf[index] = Number.POSITIVE_INFINITY;
      await c.end().catch(() => {});
    }
  };
  const all = Array.from({ length: clients }, (_, i) => client(i));
  return {
    mark() {
      windowStart = performance.now();
      done.length = 0;
    },
    async read() {
      const windowEnd = performance.now();
      // Every client's next transaction is scheduled after the window: all of its own have finished.
      while (nextOf.some((next) => next <= windowEnd)) await new Promise((r) => setTimeout(r, 5));
      const inside = done.filter((t) => t.scheduled >= windowStart && t.scheduled < windowEnd);
      const latencies = inside.flatMap((t) => (t.ms === null ? [] : [t.ms]));
      return {
        transactions: latencies.length,
        p50_ms: percentile(latencies, 0.5),
        p99_ms: percentile(latencies, 0.99),
        max_ms: latencies.length ? Math.max(...latencies) : Number.NaN,
        errors: inside.length - latencies.length,
      };
    },
    async stop() {
      running = false;
      await Promise.all(all);
    },
  };
}
