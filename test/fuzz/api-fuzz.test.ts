import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestDaemon, type TestDaemon } from '../support/daemon.ts';
import { describeFuzz, fuzzDaemon } from './api-fuzz.ts';

// A seeded sample in `npm test`; `npm run fuzz` runs the same with OPS_FUZZ_INPUTS (10,000+) inputs.
const INPUTS = Number(process.env.OPS_FUZZ_INPUTS ?? 400);
const SEED = Number(process.env.OPS_FUZZ_SEED ?? 20261128);
const TIME_LIMIT_MS = Number(process.env.OPS_FUZZ_TIME_LIMIT_MS ?? 45_000);
const TEST_TIMEOUT_MS = TIME_LIMIT_MS + 60_000;

describe('fuzzing every tRPC procedure and /system over HTTP', () => {
  let d: TestDaemon;
  beforeAll(async () => {
    // Tiny data: a fuzzed mutation that starts a run finishes at once.
    d = await startTestDaemon({ tenants: 2, findings: 40 });
  });
  afterAll(() => d?.stop());

  it(
    `answers ${INPUTS} arbitrary and hostile inputs (seed ${SEED}) without a 5xx, and still serves`,
    async () => {
      const result = await fuzzDaemon(d, { inputs: INPUTS, seed: SEED, timeLimitMs: TIME_LIMIT_MS });
      console.log(`fuzz: ${describeFuzz(result)}`);
      expect(result.failures.slice(0, 5)).toEqual([]);
      // The time limit bounds a slow machine's run; the count printed above says how far it got.
      expect(result.inputs).toBeGreaterThanOrEqual(Math.min(INPUTS, 100));
      const health = await fetch(`${d.url}/healthz`);
      expect(health.status).toBe(200);
    },
    TEST_TIMEOUT_MS,
  );
});
