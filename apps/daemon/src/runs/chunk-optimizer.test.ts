import { describe, expect, it } from 'vitest';
import {
  type ChunkSizeState,
  type ChunkSizing,
  initialChunkState,
  nextChunkState,
  OPTIMISER,
  percentileOf,
} from './chunk-optimizer.ts';

const SIZING: ChunkSizing = { targetMs: 200, min: 100, max: 50_000, fixed: null };

/** Feeds chunks that cost `msPerItem` each item until the size settles (or `rounds` run out). */
function settle(state: ChunkSizeState, msPerItem: number, sizing = SIZING, rounds = 60): ChunkSizeState {
  let s = state;
  for (let i = 0; i < rounds; i++) s = nextChunkState(s, { items: s.size, ms: s.size * msPerItem }, sizing);
  return s;
}

describe('the chunk optimiser', () => {
  it('starts small, within the bounds', () => {
    expect(initialChunkState(SIZING)).toEqual({ size: OPTIMISER.initialSize, msPerItem: null, recent: [] });
    expect(initialChunkState({ ...SIZING, min: 2000 }).size).toBe(2000);
    expect(initialChunkState({ ...SIZING, max: 50 }).size).toBe(50);
  });

  it('grows by at most 20% a chunk while chunks are fast', () => {
    const next = nextChunkState(initialChunkState(SIZING), { items: 500, ms: 5 }, SIZING);
    expect(next.size).toBe(600);
  });

  it('settles where a chunk takes the target times its fill, whatever the cost per item', () => {
    for (const msPerItem of [0.01, 0.04, 0.2, 1]) {
      const settled = settle(initialChunkState(SIZING), msPerItem);
      const predicted = settled.size * msPerItem;
      expect(predicted).toBeGreaterThanOrEqual(OPTIMISER.band[0] * SIZING.targetMs);
      expect(predicted).toBeLessThanOrEqual(OPTIMISER.band[1] * SIZING.targetMs);
    }
  });

  it('keeps its size through a few slow chunks: a noisy neighbour does not shrink the rest of a run', () => {
    const settled = settle(initialChunkState(SIZING), 0.04);
    let s = settled;
    // Three chunks of twenty wait ten times longer (a checkpoint, a lock, a busy core).
    for (let i = 0; i < 20; i++) {
      const slow = i % 7 === 3;
      s = nextChunkState(s, { items: s.size, ms: s.size * (slow ? 0.4 : 0.04) }, SIZING);
      expect(s.size).toBeGreaterThanOrEqual(settled.size * 0.95);
    }
    // And after them, the same size as before: nothing of the outliers lingers.
    expect(settle(s, 0.04, SIZING, 20).size).toBe(settled.size);
  });

  it('shrinks when the slowdown lasts, within a quarter of its window', () => {
    const settled = settle(initialChunkState(SIZING), 0.04);
    let s = settled;
    for (let i = 0; i < Math.ceil(OPTIMISER.window * (1 - OPTIMISER.percentile)) + 1; i++) {
      s = nextChunkState(s, { items: s.size, ms: s.size * 0.2 }, SIZING);
    }
    expect(s.size).toBeLessThan(settled.size * OPTIMISER.maxShrink + 1);
    const slower = settle(s, 0.2);
    expect(slower.size * 0.2).toBeLessThanOrEqual(OPTIMISER.band[1] * SIZING.targetMs);
  });

  it('never shrinks by more than half in one chunk, nor grows by more than a fifth', () => {
    const settled = settle(initialChunkState(SIZING), 0.04);
    let s = settled;
    for (let i = 0; i < 30; i++) {
      const before = s.size;
      s = nextChunkState(s, { items: s.size, ms: s.size * (i < 15 ? 1 : 0.001) }, SIZING);
      expect(s.size).toBeGreaterThanOrEqual(Math.floor(before * OPTIMISER.maxShrink));
      expect(s.size).toBeLessThanOrEqual(Math.ceil(before * OPTIMISER.maxGrowth));
    }
  });

  it('keeps the size while the predicted duration is inside the band (no oscillation)', () => {
    const state = { size: 4000, msPerItem: 0.03, recent: [0.03, 0.03, 0.03] }; // 120 ms: inside [100, 144]
    expect(nextChunkState(state, { items: 4000, ms: 115 }, SIZING).size).toBe(4000);
  });

  it('never leaves the bounds', () => {
    expect(settle(initialChunkState(SIZING), 0.000001).size).toBe(SIZING.max);
    expect(settle(initialChunkState(SIZING), 100).size).toBe(SIZING.min);
  });

  it('ignores empty chunks', () => {
    const state = { size: 4000, msPerItem: 0.04, recent: [0.04] };
    expect(nextChunkState(state, { items: 0, ms: 3 }, SIZING)).toBe(state);
  });

  it('stays at a fixed size when one is configured', () => {
    const fixed = { ...SIZING, fixed: 300 };
    expect(initialChunkState(fixed).size).toBe(300);
    expect(settle(initialChunkState(fixed), 0.001, fixed).size).toBe(300);
    expect(nextChunkState(initialChunkState(fixed), { items: 300, ms: 5000 }, fixed).size).toBe(300);
  });

  it('takes percentiles by nearest rank', () => {
    expect(percentileOf([5, 1, 4, 2, 3], 0.5)).toBe(3);
    expect(percentileOf([1, 2, 3, 4], 0.75)).toBe(3);
    expect(percentileOf([7], 0.75)).toBe(7);
  });
});
