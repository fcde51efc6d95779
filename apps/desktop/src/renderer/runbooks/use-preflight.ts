import { useMutation } from '@tanstack/react-query';
import { useCallback, useRef, useState } from 'react';
import { useTRPC } from '../api/trpc.ts';
import type { PreflightResult, ScopeInput } from '../api/types.ts';
import type { PreflightStatus } from './run-form.ts';

export interface PreflightState {
  status: PreflightStatus;
  result: PreflightResult | null;
  error: unknown;
  run: (scope: ScopeInput) => void;
  reset: () => void;
}

/**
 * Preflight for one runbook. Only the answer to the latest request counts: switching scope while a
 * preflight is in flight must never show the old scope's count under the new scope.
 */
export function usePreflight(runbookId: string): PreflightState {
  const trpc = useTRPC();
  const latest = useRef(0);
  const [status, setStatus] = useState<PreflightStatus>({ state: 'idle' });
  const [result, setResult] = useState<PreflightResult | null>(null);
  const [error, setError] = useState<unknown>(null);
  const mutation = useMutation(trpc.runbooks.preflight.mutationOptions());
  const { mutateAsync } = mutation;

  const run = useCallback(
    (scope: ScopeInput) => {
      const request = ++latest.current;
      setStatus({ state: 'loading' });
      setError(null);
      mutateAsync({ runbookId, scope }).then(
        (answer) => {
          if (request !== latest.current) return;
          setResult(answer);
          setStatus({ state: 'ready', affected: answer.affected_count });
        },
        (failure: unknown) => {
          if (request !== latest.current) return;
          setResult(null);
          setError(failure);
          setStatus({ state: 'error' });
        },
      );
    },
    [mutateAsync, runbookId],
  );

  const reset = useCallback(() => {
    latest.current++;
    setStatus({ state: 'idle' });
    setResult(null);
    setError(null);
  }, []);

  return { status, result, error, run, reset };
}
