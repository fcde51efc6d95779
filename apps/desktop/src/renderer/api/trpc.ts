import { createTRPCClient, httpBatchLink, httpSubscriptionLink, splitLink } from '@trpc/client';
import { createTRPCContext } from '@trpc/tanstack-react-query';
import type { AppRouter } from './app-router.ts';
import { MAX_BATCH_ITEMS } from './batch-limit.ts';

/** Same origin in both builds: the daemon in a browser, the app:// proxy in the desktop app. */
export const API_URL = '/system/api/trpc';

export const { TRPCProvider, useTRPC, useTRPCClient } = createTRPCContext<AppRouter>();

export type ApiClient = ReturnType<typeof createTRPCClient<AppRouter>>;

/**
 * The one tRPC client. Queries and mutations are batched over HTTP; `runs.onUpdate` streams over
 * SSE. `eventSource` lets the desktop app use a fetch-based EventSource, which its app:// scheme
 * supports where the browser's built-in one does not.
 */
export function createApiClient(eventSource: typeof EventSource = globalThis.EventSource): ApiClient {
  return createTRPCClient<AppRouter>({
    links: [
      splitLink({
        condition: (op) => op.type === 'subscription',
        true: httpSubscriptionLink({ url: API_URL, EventSource: eventSource }),
        false: httpBatchLink({ url: API_URL, maxURLLength: 4000, maxItems: MAX_BATCH_ITEMS }),
      }),
    ],
  });
}
