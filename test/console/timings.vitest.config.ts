import { defineConfig } from 'vitest/config';
import base from '../../vitest.config.ts';

// `npm run bench:console`: the console's first paint and live-update latency, measured (not asserted).
export default defineConfig({
  ...base,
  test: { ...base.test, include: ['test/console/**/*.measure.ts'], testTimeout: 300_000 },
});
