export { type ApiContext, type ApiServices, createContextInner } from './context.ts';
export { API_MAX_BATCH_SIZE, type ApiQueryLimits, createApiQueryLimits } from './query-limits.ts';
export { type AppRouter, appRouter } from './router.ts';
