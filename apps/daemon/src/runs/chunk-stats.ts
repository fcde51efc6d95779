/**
 * Chunk durations (a chunk's transaction, claim to commit: how long its row locks are held) as a
 * histogram of whole milliseconds, so memory stays the same for a thousand chunks or a million.
 */

export interface ChunkStatsSummary {
  chunks: number;
  p50_ms: number;
  p95_ms: number;
  p99_ms: number;
  max_ms: number;
  /** The optimiser's last chunk size, in items. */
  last_size: number;
}

/** Durations past this land in the last bucket; the maximum is kept exactly. */
const BUCKETS = 60_000;

export class ChunkStats {
  private readonly counts = new Uint32Array(BUCKETS);
  private n = 0;
  private maxMs = 0;
  private lastSize = 0;

  record(ms: number, size: number): void {
    const bucket = Math.min(BUCKETS - 1, Math.max(0, Math.round(ms)));
    this.counts[bucket] = (this.counts[bucket] ?? 0) + 1;
    this.n += 1;
    this.maxMs = Math.max(this.maxMs, ms);
    this.lastSize = size;
  }

  /** The smallest duration that `q` of the chunks did not exceed (nearest rank). */
  quantile(q: number): number {
    if (this.n === 0) return 0;
    const rank = Math.max(1, Math.ceil(q * this.n));
    let seen = 0;
    for (let ms = 0; ms < BUCKETS; ms++) {
      seen += this.counts[ms] ?? 0;
      if (seen >= rank) return ms;
    }
    return Math.round(this.maxMs);
  }

  summary(): ChunkStatsSummary {
    return {
      chunks: this.n,
      p50_ms: this.quantile(0.5),
      p95_ms: this.quantile(0.95),
      p99_ms: this.quantile(0.99),
      max_ms: Math.round(this.maxMs),
      last_size: this.lastSize,
    };
  }
}
