import { afterAll, describe, expect, it } from 'vitest';
import { assertRunbookContract, checkRunbookContract } from './contract.ts';
import { kitFoldersOfThisProcess } from './throwaway-postgres.ts';
import { toyFixtures, toyRunbook } from './toy-runbook.ts';

// Each check here starts and stops a server of its own, as an author's test does by default.
describe('the kit on a plugin call that hangs', () => {
  afterAll(() => {
    // Every server these checks started, hung calls and all, is stopped and its folder gone.
    expect(kitFoldersOfThisProcess()).toEqual([]);
  });

  it('fails a chunk hung in JavaScript within its time limit, naming the call', async () => {
    await expect(
      assertRunbookContract(toyRunbook({ hang: 'javascript' }), {
        setup: toyFixtures,
        limits: { chunkTimeoutMs: 500 },
      }),
    ).rejects.toThrow(
      "runbook kit.toy.stamp breaks the contract:\n✗ every plugin call finishes within its time limit: applyChunk of chunk start..3 did not finish within 500 ms (the kit's chunkTimeoutMs; the daemon fails the run the same way after OPS_CHUNK_TIMEOUT_MS)",
    );
  });

  it('fails a chunk whose statement never ends within its time limit, naming the call', async () => {
    const report = await checkRunbookContract(toyRunbook({ hang: 'sql' }), {
      setup: toyFixtures,
      limits: { chunkTimeoutMs: 500 },
    });
    expect(report.ok).toBe(false);
    expect(report.checks.filter((c) => !c.ok)).toEqual([
      {
        name: 'every plugin call finishes within its time limit',
        ok: false,
        detail:
          "applyChunk of chunk start..3 did not finish within 500 ms (the kit's chunkTimeoutMs; the daemon fails the run the same way after OPS_CHUNK_TIMEOUT_MS)",
      },
    ]);
  });
});
