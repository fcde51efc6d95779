import { describe, expect, it } from 'vitest';
import {
  type ChunkSizeState,
  type ChunkSizing,
  initialChunkState,
  nextChunkState,
  OPTIMISER,
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
    expect(initialChunkState(SIZING)).toEqual({ size: OPTIMISER.initialSize, msPerItem: null });
    expect(initialChunkState({ ...SIZING, min: 2000 }).size).toBe(2000);
    expect(initialChunkState({ ...SIZING, max: 50 }).size).toBe(50);
  });

  it('grows by at most 20% a chunk while chunks are fast', () => {
    const next = nextChunkState({ size: 1000, msPerItem: null }, { items: 1000, ms: 10 }, SIZING);
    expect(next.size).toBe(1200);
  });

  it('settles where a chunk takes the target times its fill, whatever the cost per item', () => {
    for (const msPerItem of [0.01, 0.04, 0.2, 1]) {
      const settled = settle(initialChunkState(SIZING), msPerItem);
      const predicted = settled.size * msPerItem;
      expect(predicted).toBeGreaterThanOrEqual(OPTIMISER.band[0] * SIZING.targetMs);
      expect(predicted).toBeLessThanOrEqual(OPTIMISER.band[1] * SIZING.targetMs);
    }
  });

  it('halves at once after a chunk far slower than the target', () => {
    const settled = settle(initialChunkState(SIZING), 0.04);
    const slow = nextChunkState(settled, { items: settled.size, ms: 2000 }, SIZING);
    expect(slow.size).toBe(Math.round(settled.size * OPTIMISER.maxShrink));
  });

  it('believes a slow chunk at once but smooths a fast one in', () => {
    const state = { size: 4000, msPerItem: 0.04 };
    expect(nextChunkState(state, { items: 4000, ms: 400 }, SIZING).msPerItem).toBe(0.1);
    expect(nextChunkState(state, { items: 4000, ms: 40 }, SIZING).msPerItem).toBeCloseTo(
      0.04 + OPTIMISER.smoothing * (0.01 - 0.04),
    );
  });

  it('keeps the size while the predicted duration is inside the band (no oscillation)', () => {
    const state = { size: 4000, msPerItem: 0.03 }; // 120 ms predicted: inside [100, 144]
    expect(nextChunkState(state, { items: 4000, ms: 115 }, SIZING).size).toBe(4000);
  });

  it('never leaves the bounds', () => {
    expect(settle(initialChunkState(SIZING), 0.000001).size).toBe(SIZING.max);
    expect(settle(initialChunkState(SIZING), 100).size).toBe(SIZING.min);
  });

  it('ignores empty chunks', () => {
    const state = { size: 4000, msPerItem: 0.04 };
    expect(nextChunkState(state, { items: 0, ms: 3 }, SIZING)).toBe(state);
  });

  it('stays at a fixed size when one is configured', () => {
    const fixed = { ...SIZING, fixed: 300 };
    expect(initialChunkState(fixed).size).toBe(300);
    expect(settle(initialChunkState(fixed), 0.001, fixed).size).toBe(300);
    expect(nextChunkState({ size: 300, msPerItem: null }, { items: 300, ms: 5000 }, fixed).size).toBe(300);
  });
});
