export { type ApiContext, type ApiServices, createContextInner } from './context.ts';
export { type AppRouter, appRouter } from './router.ts';
