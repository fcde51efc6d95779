import { useMutation } from '@tanstack/react-query';
import { useCallback, useRef, useState } from 'react';
import { useTRPC, useTRPCClient } from '../api/trpc.ts';
import type { ChangeSample, PreflightEstimate, PreflightResult, ScopeInput } from '../api/types.ts';
import type { ChosenCsv } from './csv-file.ts';
import type { PreflightStatus } from './run-form.ts';

export interface PreflightState {
  status: PreflightStatus;
  result: PreflightResult | null;
  /**
   * While the exact count is running: the runbook's quick sampled estimate, when it has one and it
   * came back first. Cleared when the exact count arrives.
   */
  estimate: PreflightEstimate | null;
  /**
   * Once the exact count is in: the sampled estimate shown before it, if there was one, so the
   * operator can see the estimate and its margin beside the exact figure (null otherwise).
   */
  estimateBefore: PreflightEstimate | null;
  /**
   * A sample of the rows the run would change, before → after (runbooks.diff), when the runbook
   * has one; it comes back in about as long as the estimate, so the operator reads it before
   * confirming. Null until then, or when the runbook has none.
   */
  diff: ChangeSample | null;
  error: unknown;
  run: (scope: ScopeInput, params?: Record<string, unknown>, input?: ChosenCsv | null) => void;
  reset: () => void;
}

/**
 * Preflight for one runbook. Only the answer to the latest request counts: switching scope while a
 * preflight is in flight must never show the old scope's count under the new scope. Beside the
 * exact preflight it asks for the runbook's estimate, which the console shows until the exact
 * count replaces it.
 */
/** How long the estimate has the database to itself before the exact count starts anyway. */
const ESTIMATE_HEAD_START_MS = 1_500;

/** Records in the change sample the console shows (the API allows 1..100). */
export const CHANGE_SAMPLE_SIZE = 20;

export function usePreflight(runbookId: string): PreflightState {
  const trpc = useTRPC();
  const client = useTRPCClient();
  const latest = useRef(0);
  const [status, setStatus] = useState<PreflightStatus>({ state: 'idle' });
  const [result, setResult] = useState<PreflightResult | null>(null);
  const [estimate, setEstimate] = useState<PreflightEstimate | null>(null);
  const [estimateBefore, setEstimateBefore] = useState<PreflightEstimate | null>(null);
  const [diff, setDiff] = useState<ChangeSample | null>(null);
  const [error, setError] = useState<unknown>(null);
  const mutation = useMutation(trpc.runbooks.preflight.mutationOptions());
  const { mutateAsync } = mutation;

  const run = useCallback(
    (scope: ScopeInput, params?: Record<string, unknown>, file?: ChosenCsv | null) => {
      const request = ++latest.current;
      const input = {
        runbookId,
        scope,
        ...(params && Object.keys(params).length ? { params } : {}),
        ...(file ? { input: file } : {}),
      };
      let exactArrived = false;
      let shown: PreflightEstimate | null = null;
      setStatus({ state: 'loading' });
      setEstimate(null);
      setEstimateBefore(null);
      setDiff(null);
      setError(null);
      // The sample is a courtesy, like the estimate: the exact preflight reports any error that matters.
      client.runbooks.diff.mutate({ ...input, limit: CHANGE_SAMPLE_SIZE }).then(
        (answer) => {
          if (request === latest.current) setDiff(answer.diff);
        },
        () => undefined,
      );
      // The exact count starts once the estimate is in (or after ESTIMATE_HEAD_START_MS): on a big
      // table both compete for the same cores, and the estimate is what the operator can act on first.
      let counting = false;
      const countExactly = () => {
        if (counting || request !== latest.current) return;
        counting = true;
        mutateAsync(input).then(
          (answer) => {
            exactArrived = true;
            if (request !== latest.current) return;
            setResult(answer);
            setEstimate(null);
            setEstimateBefore(shown && !shown.exact ? shown : null);
            setStatus({ state: 'ready', affected: answer.affected_count });
          },
          (failure: unknown) => {
            exactArrived = true;
            if (request !== latest.current) return;
            setResult(null);
            setEstimate(null);
            setError(failure);
            setStatus({ state: 'error' });
          },
        );
      };
      // A file rides in the request: an estimate (a GET, the input in its URL) cannot carry one.
      if (file) {
        countExactly();
        return;
      }
      setTimeout(countExactly, ESTIMATE_HEAD_START_MS);
      client.runbooks.estimate
        .query(input)
        .then(
          (answer) => {
            if (request !== latest.current || exactArrived) return;
            shown = answer.estimate;
            setEstimate(answer.estimate);
          },
          // The estimate is a courtesy: the exact preflight reports any error that matters.
          () => undefined,
        )
        .finally(countExactly);
    },
    [client, mutateAsync, runbookId],
  );

  const reset = useCallback(() => {
    latest.current++;
    setStatus({ state: 'idle' });
    setResult(null);
    setEstimate(null);
    setEstimateBefore(null);
    setDiff(null);
    setError(null);
  }, []);

  return { status, result, estimate, estimateBefore, diff, error, run, reset };
}
