import { MutationCache, QueryCache, QueryClient } from '@tanstack/react-query';
import { apiErrorCode } from '../api/api-error.ts';

/** Errors that retrying cannot fix: the operator has to act (sign in, ask for a right, fix input). */
const FINAL_CODES = new Set([
  'UNAUTHORIZED',
  'FORBIDDEN',
  'NOT_FOUND',
  'BAD_REQUEST',
  'CONFLICT',
  'PRECONDITION_FAILED',
  'TOO_MANY_REQUESTS',
]);

/** Sends the operator to sign in, coming back to where they were. */
export function redirectToSignIn(): void {
  if (window.location.pathname.startsWith('/system/login')) return;
  const next = `${window.location.pathname}${window.location.search}`;
  window.location.assign(`/system/login?next=${encodeURIComponent(next)}`);
}

export function createQueryClient(): QueryClient {
  const onError = (error: unknown) => {
    if (apiErrorCode(error) === 'UNAUTHORIZED') redirectToSignIn();
  };
  return new QueryClient({
    queryCache: new QueryCache({ onError }),
    mutationCache: new MutationCache({ onError }),
    defaultOptions: {
      queries: {
        staleTime: 5_000,
        retry: (failures, error) => !FINAL_CODES.has(apiErrorCode(error) ?? '') && failures < 2,
      },
      mutations: { retry: false },
    },
  });
}
