/**
 * Adaptive chunk sizing, after GitLab's batched-migration optimiser: after each chunk, steer the
 * number of items per chunk so that a chunk takes about the target duration, growing slowly and
 * shrinking fast, within bounds. A pure function of the recent chunks; the driver keeps the state.
 * Short chunks keep row locks short whatever the hardware and the data; long enough ones keep the
 * per-chunk overhead (round trips, commit) small.
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
  /** Smoothed cost of one item in recent chunks, in milliseconds; null before the first sample. */
  msPerItem: number | null;
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
  /** Weight of the newest chunk in the smoothed cost (exponential smoothing). */
  smoothing: 0.3,
  /** At most this growth per chunk (GitLab's multiplier), and at most this shrink. */
  maxGrowth: 1.2,
  maxShrink: 0.5,
} as const;

const clamp = (n: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, n));

export function initialChunkState(sizing: ChunkSizing): ChunkSizeState {
  return { size: sizing.fixed ?? clamp(OPTIMISER.initialSize, sizing.min, sizing.max), msPerItem: null };
}

/**
 * The state after one more chunk. A chunk slower than the target is believed at once (the cost
 * estimate jumps to it, and the size shrinks by up to half); faster ones are smoothed in, and the
 * size grows by at most 20% a chunk. Empty chunks say nothing about the cost and change nothing.
 */
export function nextChunkState(
  state: ChunkSizeState,
  sample: ChunkSample,
  sizing: ChunkSizing,
): ChunkSizeState {
  if (sizing.fixed !== null) return { size: sizing.fixed, msPerItem: state.msPerItem };
  if (sample.items <= 0 || !Number.isFinite(sample.ms) || sample.ms < 0) return state;
  const observed = sample.ms / sample.items;
  const smoothed =
    state.msPerItem === null
      ? observed
      : sample.ms > sizing.targetMs
        ? Math.max(observed, state.msPerItem)
        : state.msPerItem + OPTIMISER.smoothing * (observed - state.msPerItem);
  const predictedMs = smoothed * state.size;
  const [low, high] = OPTIMISER.band;
  let size = state.size;
  if (predictedMs < low * sizing.targetMs || predictedMs > high * sizing.targetMs) {
    const wanted = (OPTIMISER.fill * sizing.targetMs) / Math.max(smoothed, Number.EPSILON);
    size = clamp(wanted, state.size * OPTIMISER.maxShrink, state.size * OPTIMISER.maxGrowth);
  }
  return { size: Math.round(clamp(size, sizing.min, sizing.max)), msPerItem: smoothed };
}
