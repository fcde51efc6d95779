import { defineConfig } from 'vitest/config';

// One embedded PostgreSQL serves the whole run (globalSetup); each test file makes its own database.
export default defineConfig({
  test: {
    include: [
      'packages/*/src/**/*.test.ts',
      'plugins/*/src/**/*.test.ts',
      'apps/*/src/**/*.test.ts',
      'test/**/*.test.ts',
    ],
    // The browser tests need the web console that the daemon serves: built once, when stale.
    globalSetup: ['./test/support/global-setup.ts', './test/console/support/build-console.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
  },
});
