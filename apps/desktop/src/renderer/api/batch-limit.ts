/**
 * Calls per batched HTTP request. The daemon refuses a larger batch with 400
 * (apps/daemon/src/api/query-limits.ts, API_MAX_BATCH_SIZE; test/api/api-concurrency.test.ts checks
 * that the two agree). The console cannot import daemon code, hence the copy.
 */
export const MAX_BATCH_ITEMS = 10;
