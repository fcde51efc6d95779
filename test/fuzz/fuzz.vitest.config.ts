import { defineConfig } from 'vitest/config';

// `npm run fuzz`: the API fuzz with 10,000 inputs (npm test runs a seeded sample of 400), bounded
// at 4.5 minutes of requests; it prints the inputs, the elapsed time and the statuses it got.
export default defineConfig({
  test: {
    include: ['test/fuzz/api-fuzz.test.ts'],
    globalSetup: ['./test/support/global-setup.ts'],
    env: { OPS_FUZZ_INPUTS: '10000', OPS_FUZZ_TIME_LIMIT_MS: '270000' },
    testTimeout: 330_000,
    hookTimeout: 120_000,
    pool: 'forks',
  },
});
