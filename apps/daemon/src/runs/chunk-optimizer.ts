/**
 * Adaptive chunk sizing, after GitLab's batched-migration optimiser: after each chunk, steer the
 * number of items per chunk so that a chunk takes about the target duration, growing slowly and
 * shrinking when the recent chunks say so, within bounds. A pure function of the recent chunks;
 * the driver keeps the state. Short chunks keep row locks short whatever the hardware and the
 * data; long enough ones keep the per-chunk overhead (round trips, commit) small.
 *
 * The cost of an item is a percentile of the last chunks' costs, not the last chunk's: on a shared
 * machine a chunk now and then waits for a checkpoint, a busy neighbour or a row lock, and a
 * sizing that believed each such chunk shrank the rest of a run for good (issue 16: the last
 * quarter of a run at ~730 ids a chunk, half the throughput). A few slow chunks in the window move
 * its upper quartile little; a slowdown that lasts moves it within a quarter of the window.
 */

export interface ChunkSizing {
  /** A chunk should take about this long. */
  targetMs: number;
  /** Bounds on the items of one chunk. */
  min: number;
  max: number;
  /** A fixed size (OPS_CHUNK_SIZE): the optimiser is off. */
  fixed: number | null;
}

export interface ChunkSizeState {
  /** Items to ask for in the next chunk. */
  size: number;
  /** The cost of one item the size is steered by (the window's percentile), in ms; null before any. */
  msPerItem: number | null;
  /** Cost per item of the last chunks, oldest first (at most OPTIMISER.window). */
  recent: readonly number[];
}

/** One finished chunk. */
export interface ChunkSample {
  items: number;
  ms: number;
}

// The rules as data, each with why.
export const OPTIMISER = {
  /** The first chunk's size: small, because nothing is known yet about this data on this hardware. */
  initialSize: 500,
  /**
   * Aim the typical chunk at this share of the target, so that the slow tail (a checkpoint, a busy
   * neighbour, a chunk of denser drift: p99 runs at about twice the median) still ends within the
   * target. GitLab aims at 90–95% of its interval, where a job's tail does not hold row locks.
   */
  fill: 0.6,
  /** No change while the predicted duration is within this band of the target: no oscillation. */
  band: [0.5, 0.72] as const,
  /** How many recent chunks the cost is taken over. */
  window: 20,
  /**
   * Which percentile of the window's costs per item sizes the next chunk: the upper quartile, so
   * that up to a quarter of the window may be outliers without shrinking anything.
   */
  percentile: 0.75,
  /** At most this growth per chunk (GitLab's multiplier), and at most this shrink. */
  maxGrowth: 1.2,
  maxShrink: 0.5,
} as const;

const clamp = (n: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, n));

/** The nearest-rank percentile `q` of `values` (not empty). */
export function percentileOf(values: readonly number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
}

export function initialChunkState(sizing: ChunkSizing): ChunkSizeState {
  return {
    size: sizing.fixed ?? clamp(OPTIMISER.initialSize, sizing.min, sizing.max),
    msPerItem: null,
    recent: [],
  };
}

/**
 * The state after one more chunk: its cost per item joins the window, and the size is steered by
 * the window's percentile, growing by at most 20% and shrinking by at most half a chunk. Empty
 * chunks say nothing about the cost and change nothing.
 */
export function nextChunkState(
  state: ChunkSizeState,
  sample: ChunkSample,
  sizing: ChunkSizing,
): ChunkSizeState {
  if (sizing.fixed !== null) return { ...state, size: sizing.fixed };
  if (sample.items <= 0 || !Number.isFinite(sample.ms) || sample.ms < 0) return state;
  const recent = [...state.recent, sample.ms / sample.items].slice(-OPTIMISER.window);
  const cost = percentileOf(recent, OPTIMISER.percentile);
  const predictedMs = cost * state.size;
  const [low, high] = OPTIMISER.band;
  let size = state.size;
  if (predictedMs < low * sizing.targetMs || predictedMs > high * sizing.targetMs) {
    const wanted = (OPTIMISER.fill * sizing.targetMs) / Math.max(cost, Number.EPSILON);
    size = clamp(wanted, state.size * OPTIMISER.maxShrink, state.size * OPTIMISER.maxGrowth);
  }
  return { size: Math.round(clamp(size, sizing.min, sizing.max)), msPerItem: cost, recent };
}
